import {
  AttachRolePolicyCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { applyPolicy } from '../../../lambdas/policy/apply';
import type { PolicyPrevious } from '../../../lambdas/policy/policy-state';
import { revertPolicy } from '../../../lambdas/policy/revert';
import type { Receipt } from '../../../lambdas/shared/document';
import { type JournalEntry, journalKey, writeJournal } from '../../../lambdas/shared/journal';
import type { SimulatedAccount } from '../../../simulated-account';
import { makeDocument } from '../../helpers/document';
import { journalJson } from '../../helpers/records';
import {
  asRevertInput,
  attachedTo,
  changesSince,
  createPolicy,
  createRole,
  depsOf,
  failAtChange,
  generatedDocument,
  newAccount,
  OTHER_ROLE,
  POLICY_ARN,
  POLICY_NAME,
  PREEXISTING,
  ROLE,
  SCENARIOS,
  stateOf,
  TEAM_ARN,
} from './scenarios';

const [fresh, outdated, fullVersions, managedOnly] = SCENARIOS as [
  (typeof SCENARIOS)[0],
  (typeof SCENARIOS)[0],
  (typeof SCENARIOS)[0],
  (typeof SCENARIOS)[0],
];

/** What a person does to get rid of a policy: detach it from its roles, delete its other versions, then the policy. */
async function deletePolicyByHand(iam: IAMClient, account: SimulatedAccount, policyArn: string): Promise<void> {
  const { roles, policies } = account.snapshot().iam;
  for (const [roleName, role] of Object.entries(roles)) {
    if (role.attachedPolicies.includes(policyArn)) await iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn }));
  }
  const policy = policies[policyArn]!;
  for (const versionId of Object.keys(policy.versions).filter((id) => id !== policy.defaultVersionId)) {
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: policyArn, VersionId: versionId }));
  }
  await iam.send(new DeletePolicyCommand({ PolicyArn: policyArn }));
}

/** The journal entry as it is now in the record table. */
function journalOf(account: SimulatedAccount): JournalEntry<PolicyPrevious> {
  return journalJson(account, makeDocument().request.executionName, 'policy')!;
}

describe('revertPolicy', () => {
  it.each(['unchanged', 'planned'] as const)('does nothing, without a single call, for a receipt that says %s', async (action) => {
    const account = newAccount();
    const receipt: Receipt = {
      step: 'policy',
      action,
      arn: POLICY_ARN,
      changes: [],
      previous: { attachedPolicyArns: [] },
      details: { roleName: ROLE, createPolicy: action === 'planned', createVersion: false, attach: [POLICY_ARN] },
    };
    await expect(revertPolicy(asRevertInput(makeDocument(), receipt), depsOf(account))).resolves.toEqual({
      step: 'policy',
      action: 'nothing-to-do',
      changes: [],
    });
    expect(account.calls).toEqual([]);
  });

  it('does nothing to IAM when the step failed before writing its journal', async () => {
    const account = newAccount();
    await expect(revertPolicy(asRevertInput(makeDocument()), depsOf(account))).resolves.toMatchObject({ action: 'nothing-to-do' });
    // The one call: looking for the journal, which is not there.
    expect(account.calls).toEqual([
      expect.objectContaining({
        service: 'records',
        operation: 'GetItem',
        input: expect.objectContaining({ Key: { pk: { S: journalKey(makeDocument().request, 'policy').pk }, sk: { S: 'policy' } } }),
        outcome: 'ok',
      }),
    ]);
  });

  it('lets a journal read failure propagate rather than read it as "nothing journalled"', async () => {
    const account = newAccount();
    account.faults.inject({ service: 'records', operation: 'GetItem', error: 'InternalServerError' });
    await expect(revertPolicy(asRevertInput(makeDocument()), depsOf(account))).rejects.toMatchObject({ name: 'InternalServerError' });
    expect(account.calls.filter((call) => call.service === 'iam')).toEqual([]);
  });

  it('deletes the policy it created and detaches it, keeping the policies attached before', async () => {
    const account = await fresh.account();
    const deps = depsOf(account);
    const before = stateOf(account);
    const doc = fresh.doc();
    const receipt = await applyPolicy(doc, deps);
    expect(attachedTo(account, ROLE)).toEqual([POLICY_ARN, PREEXISTING]);

    const report = await revertPolicy(asRevertInput(doc, receipt), deps);

    expect(report).toEqual({
      step: 'policy',
      action: 'deleted',
      changes: [`detached ${POLICY_ARN} from role ${ROLE}`, `deleted policy ${POLICY_ARN}, which this execution created`],
    });
    expect(stateOf(account)).toEqual(before);
    expect(attachedTo(account, ROLE)).toEqual([PREEXISTING]);
  });

  it('never deletes a policy that existed before: it only detaches it', async () => {
    const account = newAccount();
    await account.seed(async ({ iam }) => {
      await createRole(iam, ROLE, [PREEXISTING]);
      await createPolicy(iam, POLICY_NAME, [generatedDocument()]);
    });
    const deps = depsOf(account);
    const before = stateOf(account);
    const doc = makeDocument();
    const receipt = await applyPolicy(doc, deps);
    expect(receipt).toMatchObject({ action: 'updated', details: { createPolicy: false, createVersion: false, attach: [POLICY_ARN] } });
    const mark = account.calls.length;

    const report = await revertPolicy(asRevertInput(doc, receipt), deps);

    expect(report).toMatchObject({ action: 'restored', changes: [`detached ${POLICY_ARN} from role ${ROLE}`] });
    // The revert's own journal entry (its lease's check) comes before its one change.
    expect(changesSince(account, mark)).toEqual(['PutItem', 'DetachRolePolicy']);
    expect(stateOf(account)).toEqual(before);
  });

  it('never deletes a policy its tags do not attribute to this execution when only the journal says it set out to create it, and reports it left in place', async () => {
    const account = newAccount();
    const doc = makeDocument();
    await account.seed(async ({ iam, records }) => {
      await createRole(iam, ROLE, [PREEXISTING]);
      // Created by a person between the step's read and its CreatePolicy call: the step's CreatePolicy then failed.
      await createPolicy(iam, POLICY_NAME, [generatedDocument()], { tags: [{ Key: 'owner', Value: 'someone' }] });
      await writeJournal(records, doc.request, {
        step: 'policy',
        intent: [],
        previous: { policyExisted: false, attachedPolicyArns: [PREEXISTING] },
        details: {
          roleName: ROLE,
          policyArn: POLICY_ARN,
          document: generatedDocument(),
          createPolicy: true,
          createVersion: false,
          attach: [POLICY_ARN],
        },
      });
    });
    const before = stateOf(account);

    const report = await revertPolicy(asRevertInput(doc), depsOf(account));

    expect(report.action).toBe('left-in-place');
    expect(report.leftInPlace).toEqual([
      expect.stringMatching(new RegExp(`^policy ${POLICY_ARN}: this execution set out to create it, but its tags do not name this execution`)),
    ]);
    expect(account.mutatingCalls()).toEqual([]);
    expect(stateOf(account)).toEqual(before);
  });

  it('keeps a policy it created once another role uses it too, and reports it left in place', async () => {
    const account = await fresh.account();
    await account.seed(({ iam }) => createRole(iam, OTHER_ROLE));
    const deps = depsOf(account);
    const doc = fresh.doc();
    const receipt = await applyPolicy(doc, deps);
    // The agent profile's execution attached the shared policy meanwhile.
    await account.seed(({ iam }) => iam.send(new AttachRolePolicyCommand({ RoleName: OTHER_ROLE, PolicyArn: POLICY_ARN })));

    const report = await revertPolicy(asRevertInput(doc, receipt), deps);

    expect(report.action).toBe('left-in-place');
    expect(report.changes).toEqual([`detached ${POLICY_ARN} from role ${ROLE}`]);
    expect(report.leftInPlace).toEqual([
      expect.stringMatching(new RegExp(`^policy ${POLICY_ARN}: this execution created it, but it is now also attached to role/${OTHER_ROLE}`)),
    ]);
    expect(account.snapshot().iam.policies[POLICY_ARN]).toBeDefined();
    expect(attachedTo(account, ROLE)).toEqual([PREEXISTING]);
    expect(attachedTo(account, OTHER_ROLE)).toEqual([POLICY_ARN]);
    expect(account.calls.map((call) => call.operation)).not.toContain('DeletePolicy');
  });

  it('sets the previous default version back and deletes the version it made', async () => {
    const account = await outdated.account();
    const deps = depsOf(account);
    const before = stateOf(account, { versionIds: true });
    const doc = outdated.doc();
    const receipt = await applyPolicy(doc, deps);
    expect(receipt.details).toMatchObject({ createdVersionId: 'v3' });
    expect(account.snapshot().iam.policies[POLICY_ARN]!.defaultVersionId).toBe('v3');

    const report = await revertPolicy(asRevertInput(doc, receipt), deps);

    expect(report.action).toBe('restored');
    expect(report.changes).toEqual([
      `detached ${POLICY_ARN} from role ${ROLE}`,
      `set the default version of ${POLICY_ARN} back to v2`,
      `deleted version v3 of ${POLICY_ARN}, which this execution created`,
    ]);
    expect(stateOf(account, { versionIds: true })).toEqual(before);
    expect(account.calls.map((call) => call.operation)).not.toContain('DeletePolicy');
  });

  it('at the 5-version limit re-creates the version the apply deleted, as a non-default version with a new id', async () => {
    const account = await fullVersions.account();
    const deps = depsOf(account);
    const before = stateOf(account, { versionIds: false });
    const v1Document = account.snapshot().iam.policies[POLICY_ARN]!.versions.v1;
    const doc = fullVersions.doc();
    const receipt = await applyPolicy(doc, deps);
    expect(receipt.previous).toMatchObject({ defaultVersionId: 'v3', deletedVersion: { versionId: 'v1', document: JSON.stringify(v1Document) } });
    expect(Object.keys(account.snapshot().iam.policies[POLICY_ARN]!.versions)).toEqual(['v2', 'v3', 'v4', 'v5', 'v6']);

    const report = await revertPolicy(asRevertInput(doc, receipt), deps);

    expect(report.changes).toEqual([
      `set the default version of ${POLICY_ARN} back to v3`,
      `deleted version v6 of ${POLICY_ARN}, which this execution created`,
      `re-created the document of deleted version v1 of ${POLICY_ARN} as non-default version v7: same document, but IAM never reuses a version id`,
    ]);
    expect(stateOf(account, { versionIds: false })).toEqual(before);
    const policy = account.snapshot().iam.policies[POLICY_ARN]!;
    expect(policy.defaultVersionId).toBe('v3');
    expect(policy.versions.v7).toEqual(v1Document);
  });

  it('detaches the managed policies it attached and leaves the ones attached before', async () => {
    const account = await managedOnly.account();
    const deps = depsOf(account);
    const before = stateOf(account);
    const doc = managedOnly.doc();
    const receipt = await applyPolicy(doc, deps);
    expect(receipt.details.attach).toEqual([TEAM_ARN]);

    await expect(revertPolicy(asRevertInput(doc, receipt), deps)).resolves.toMatchObject({
      action: 'restored',
      changes: [`detached ${TEAM_ARN} from role ${ROLE}`],
    });
    expect(stateOf(account)).toEqual(before);
  });

  it('undoes what the journal records even where the receipt misses it (receipt and journal read together)', async () => {
    const account = await managedOnly.account();
    const deps = depsOf(account);
    const before = stateOf(account);
    const doc = managedOnly.doc();
    const receipt = await applyPolicy(doc, deps);
    const partial = { ...receipt, details: { ...receipt.details, attach: [] } };

    await expect(revertPolicy(asRevertInput(doc, partial), deps)).resolves.toMatchObject({
      action: 'restored',
      changes: [`detached ${TEAM_ARN} from role ${ROLE}`],
    });
    expect(stateOf(account)).toEqual(before);
  });

  it('after a partial apply (policy created, attach failed, no receipt) leaves the account as it started', async () => {
    const account = await fresh.account();
    const deps = depsOf(account);
    const before = stateOf(account);
    const doc = fresh.doc();
    account.faults.inject({ service: 'iam', operation: 'AttachRolePolicy', error: 'ServiceFailure' });
    await expect(applyPolicy(doc, deps)).rejects.toMatchObject({ name: 'ServiceFailureException' });
    expect(account.snapshot().iam.policies[POLICY_ARN]).toBeDefined();

    const report = await revertPolicy(asRevertInput(doc), deps);

    expect(report).toEqual({ step: 'policy', action: 'deleted', changes: [`deleted policy ${POLICY_ARN}, which this execution created`] });
    expect(stateOf(account)).toEqual(before);
  });

  it('finds the version it made when the apply stopped before journaling its id', async () => {
    const account = await outdated.account();
    const deps = depsOf(account);
    const before = stateOf(account);
    const doc = outdated.doc();
    // Changes: the journal, CreatePolicyVersion, then the journal again with the new version id, which fails.
    failAtChange(account, 3);
    await expect(applyPolicy(doc, deps)).rejects.toMatchObject({ name: 'InternalServerError' });
    expect(account.mutatingCalls().map((call) => [call.operation, call.outcome])).toEqual([
      ['PutItem', 'ok'],
      ['CreatePolicyVersion', 'ok'],
      ['PutItem', 'InternalServerError'],
    ]);
    expect(journalOf(account).details!.createdVersionId).toBeUndefined();
    expect(account.snapshot().iam.policies[POLICY_ARN]!.defaultVersionId).toBe('v3');

    const report = await revertPolicy(asRevertInput(doc), deps);

    expect(report.changes).toEqual([
      `set the default version of ${POLICY_ARN} back to v2`,
      `deleted version v3 of ${POLICY_ARN}, which this execution created`,
    ]);
    expect(stateOf(account)).toEqual(before);
    // Written down before the default moved back, for a retry of the revert that could no longer tell.
    expect(journalOf(account).details!.createdVersionId).toBe('v3');
  });

  it('a revert interrupted after setting the default back still deletes the version on its retry', async () => {
    const account = await outdated.account();
    const deps = depsOf(account);
    const before = stateOf(account);
    const doc = outdated.doc();
    failAtChange(account, 3);
    await expect(applyPolicy(doc, deps)).rejects.toThrow();
    account.faults.inject({ service: 'iam', operation: 'DeletePolicyVersion', error: 'Throttling' });
    await expect(revertPolicy(asRevertInput(doc), deps)).rejects.toMatchObject({ name: 'Throttling' });
    expect(account.snapshot().iam.policies[POLICY_ARN]).toMatchObject({ defaultVersionId: 'v2', versions: { v3: expect.anything() } });

    await revertPolicy(asRevertInput(doc), deps);

    expect(stateOf(account)).toEqual(before);
  });

  it('a second revert is a no-op', async () => {
    const account = await fullVersions.account();
    const deps = depsOf(account);
    const doc = fullVersions.doc();
    const receipt = await applyPolicy(doc, deps);
    await revertPolicy(asRevertInput(doc, receipt), deps);
    const after = stateOf(account);
    const mark = account.calls.length;

    await expect(revertPolicy(asRevertInput(doc, receipt), deps)).resolves.toEqual({ step: 'policy', action: 'nothing-to-do', changes: [] });

    expect(changesSince(account, mark)).toEqual([]);
    expect(stateOf(account)).toEqual(after);
  });

  it('reports a pre-existing policy deleted meanwhile as left as it is (its previous version cannot come back), instead of failing', async () => {
    const account = await outdated.account();
    const deps = depsOf(account);
    const doc = outdated.doc();
    const receipt = await applyPolicy(doc, deps);
    await account.seed(({ iam }) => deletePolicyByHand(iam, account, POLICY_ARN));
    const mark = account.calls.length;

    await expect(revertPolicy(asRevertInput(doc, receipt), deps)).resolves.toMatchObject({
      action: 'left-in-place',
      leftInPlace: [
        `policy ${POLICY_ARN} no longer exists: it was deleted since this execution left it, so what was there before cannot be put back on it`,
      ],
    });
    expect(changesSince(account, mark)).toEqual([]);
  });

  it('treats a role deleted meanwhile as having nothing attached', async () => {
    const account = await managedOnly.account();
    const deps = depsOf(account);
    const doc = managedOnly.doc();
    const receipt = await applyPolicy(doc, deps);
    // IAM deletes a role only once nothing is attached to it.
    await account.seed(async ({ iam }) => {
      for (const arn of attachedTo(account, ROLE)!) await iam.send(new DetachRolePolicyCommand({ RoleName: ROLE, PolicyArn: arn }));
      await iam.send(new DeleteRoleCommand({ RoleName: ROLE }));
    });
    const mark = account.calls.length;

    await expect(revertPolicy(asRevertInput(doc, receipt), deps)).resolves.toMatchObject({ action: 'nothing-to-do' });
    expect(account.calls.slice(mark)).toContainEqual(
      expect.objectContaining({ operation: 'ListAttachedRolePolicies', outcome: 'NoSuchEntityException' }),
    );
    expect(changesSince(account, mark)).toEqual([]);
  });
});
