import { IAMClient } from '@aws-sdk/client-iam';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { applyPolicy } from '../../../lambdas/policy/apply';
import { revertPolicy } from '../../../lambdas/policy/revert';
import type { Receipt } from '../../../lambdas/shared/document';
import { journalKey, writeJournal } from '../../../lambdas/shared/journal';
import { makeDocument } from '../../helpers/document';
import { awsError, FakeAccount } from './fake-iam';
import { asRevertInput, generatedDocument, OTHER_ROLE, POLICY_ARN, PREEXISTING, ROLE, SCENARIOS, TEAM_ARN } from './scenarios';

const iamMock = mockClient(IAMClient);
const s3Mock = mockClient(S3Client);
const deps = { iam: new IAMClient({}), s3: new S3Client({}) };

function install(account: FakeAccount): FakeAccount {
  iamMock.reset();
  s3Mock.reset();
  return account.install(iamMock, s3Mock);
}

const [fresh, outdated, fullVersions, managedOnly] = SCENARIOS as [
  (typeof SCENARIOS)[0],
  (typeof SCENARIOS)[0],
  (typeof SCENARIOS)[0],
  (typeof SCENARIOS)[0],
];

beforeEach(() => {
  iamMock.reset();
  s3Mock.reset();
});

describe('revertPolicy', () => {
  it.each(['unchanged', 'planned'] as const)('does nothing, without a single call, for a receipt that says %s', async (action) => {
    const receipt: Receipt = {
      step: 'policy',
      action,
      arn: POLICY_ARN,
      changes: [],
      previous: { attachedPolicyArns: [] },
      details: { roleName: ROLE, createPolicy: action === 'planned', createVersion: false, attach: [POLICY_ARN] },
    };
    await expect(revertPolicy(asRevertInput(makeDocument(), receipt), deps)).resolves.toEqual({
      step: 'policy',
      action: 'nothing-to-do',
      changes: [],
    });
    expect(iamMock.calls()).toHaveLength(0);
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it('does nothing to IAM when the step failed before writing its journal', async () => {
    s3Mock.on(GetObjectCommand).rejects(awsError('NoSuchKey'));
    await expect(revertPolicy(asRevertInput(makeDocument()), deps)).resolves.toMatchObject({ action: 'nothing-to-do' });
    expect(iamMock.calls()).toHaveLength(0);
    expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, { Key: journalKey(makeDocument().request, 'policy') });
  });

  it('lets a journal read failure other than "no such key" propagate', async () => {
    s3Mock.on(GetObjectCommand).rejects(awsError('AccessDenied'));
    await expect(revertPolicy(asRevertInput(makeDocument()), deps)).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('deletes the policy it created and detaches it, keeping the policies attached before', async () => {
    const account = install(fresh.account());
    const before = account.snapshot();
    const doc = fresh.doc();
    const receipt = await applyPolicy(doc, deps);
    expect(account.roles.get(ROLE)).toEqual([PREEXISTING, POLICY_ARN]);

    const report = await revertPolicy(asRevertInput(doc, receipt), deps);

    expect(report).toEqual({
      step: 'policy',
      action: 'deleted',
      changes: [`detached ${POLICY_ARN} from role ${ROLE}`, `deleted policy ${POLICY_ARN}, which this execution created`],
    });
    expect(account.snapshot()).toEqual(before);
    expect(account.roles.get(ROLE)).toEqual([PREEXISTING]);
  });

  it('never deletes a policy that existed before: it only detaches it', async () => {
    const account = install(new FakeAccount().addRole(ROLE, [PREEXISTING]));
    account.addPolicy('AmazonConnectSSOPolicy', [generatedDocument()]);
    const before = account.snapshot();
    const doc = makeDocument();
    const receipt = await applyPolicy(doc, deps);
    expect(receipt).toMatchObject({ action: 'updated', details: { createPolicy: false, createVersion: false, attach: [POLICY_ARN] } });
    const start = account.calls.length;

    const report = await revertPolicy(asRevertInput(doc, receipt), deps);

    expect(report).toMatchObject({ action: 'restored', changes: [`detached ${POLICY_ARN} from role ${ROLE}`] });
    expect(account.changesSince(start)).toEqual(['DetachRolePolicy']);
    expect(account.snapshot()).toEqual(before);
  });

  it('never deletes a policy its tags do not attribute to this execution, whatever the journal says', async () => {
    const account = install(new FakeAccount().addRole(ROLE, [PREEXISTING]));
    // Created by a person between the step's read and its CreatePolicy call: the step's CreatePolicy then failed.
    account.addPolicy('AmazonConnectSSOPolicy', [generatedDocument()], { tags: [{ Key: 'owner', Value: 'someone' }] });
    const doc = makeDocument();
    await writeJournal(deps.s3, doc.request, {
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
    const before = account.snapshot();
    const start = account.calls.length;

    const report = await revertPolicy(asRevertInput(doc), deps);

    expect(report.action).toBe('nothing-to-do');
    expect(report.changes).toEqual([`kept policy ${POLICY_ARN}: its tags say this execution did not create it`]);
    expect(account.changesSince(start)).toEqual([]);
    expect(account.snapshot()).toEqual(before);
  });

  it('keeps a policy it created once another role uses it too, and says so', async () => {
    const account = install(fresh.account().addRole(OTHER_ROLE));
    const doc = fresh.doc();
    const receipt = await applyPolicy(doc, deps);
    // The agent profile's execution attached the shared policy meanwhile.
    account.roles.get(OTHER_ROLE)!.push(POLICY_ARN);

    const report = await revertPolicy(asRevertInput(doc, receipt), deps);

    expect(report.action).toBe('restored');
    expect(report.changes).toEqual([
      `detached ${POLICY_ARN} from role ${ROLE}`,
      expect.stringMatching(new RegExp(`^kept policy ${POLICY_ARN}: this execution created it, but it is now also attached to role/${OTHER_ROLE}`)),
    ]);
    expect(account.policies.has(POLICY_ARN)).toBe(true);
    expect(account.roles.get(ROLE)).toEqual([PREEXISTING]);
    expect(account.calls).not.toContain('DeletePolicy');
  });

  it('sets the previous default version back and deletes the version it made', async () => {
    const account = install(outdated.account());
    const before = account.snapshot({ versionIds: true });
    const doc = outdated.doc();
    const receipt = await applyPolicy(doc, deps);
    expect(receipt.details).toMatchObject({ createdVersionId: 'v3' });
    expect(account.policies.get(POLICY_ARN)!.defaultVersionId).toBe('v3');

    const report = await revertPolicy(asRevertInput(doc, receipt), deps);

    expect(report.action).toBe('restored');
    expect(report.changes).toEqual([
      `detached ${POLICY_ARN} from role ${ROLE}`,
      `set the default version of ${POLICY_ARN} back to v2`,
      `deleted version v3 of ${POLICY_ARN}, which this execution created`,
    ]);
    expect(account.snapshot({ versionIds: true })).toEqual(before);
    expect(account.calls).not.toContain('DeletePolicy');
  });

  it('at the 5-version limit re-creates the version the apply deleted, as a non-default version with a new id', async () => {
    const account = install(fullVersions.account());
    const before = account.snapshot({ versionIds: false });
    const v1Document = account.policies.get(POLICY_ARN)!.versions[0]!.document;
    const doc = fullVersions.doc();
    const receipt = await applyPolicy(doc, deps);
    expect(receipt.previous).toMatchObject({
      defaultVersionId: 'v3',
      deletedVersion: { versionId: 'v1', document: JSON.stringify(JSON.parse(v1Document)) },
    });
    expect(account.policies.get(POLICY_ARN)!.versions.map((version) => version.id)).toEqual(['v2', 'v3', 'v4', 'v5', 'v6']);

    const report = await revertPolicy(asRevertInput(doc, receipt), deps);

    expect(report.changes).toEqual([
      `set the default version of ${POLICY_ARN} back to v3`,
      `deleted version v6 of ${POLICY_ARN}, which this execution created`,
      `re-created the document of deleted version v1 of ${POLICY_ARN} as non-default version v7: same document, but IAM never reuses a version id`,
    ]);
    expect(account.snapshot({ versionIds: false })).toEqual(before);
    expect(account.policies.get(POLICY_ARN)!.defaultVersionId).toBe('v3');
  });

  it('detaches the managed policies it attached and leaves the ones attached before', async () => {
    const account = install(managedOnly.account());
    const before = account.snapshot();
    const doc = managedOnly.doc();
    const receipt = await applyPolicy(doc, deps);
    expect(receipt.details.attach).toEqual([TEAM_ARN]);

    await expect(revertPolicy(asRevertInput(doc, receipt), deps)).resolves.toMatchObject({
      action: 'restored',
      changes: [`detached ${TEAM_ARN} from role ${ROLE}`],
    });
    expect(account.snapshot()).toEqual(before);
  });

  it('undoes what the journal records even where the receipt misses it (receipt and journal read together)', async () => {
    const account = install(managedOnly.account());
    const before = account.snapshot();
    const doc = managedOnly.doc();
    const receipt = await applyPolicy(doc, deps);
    const partial = { ...receipt, details: { ...receipt.details, attach: [] } };

    await expect(revertPolicy(asRevertInput(doc, partial), deps)).resolves.toMatchObject({
      action: 'restored',
      changes: [`detached ${TEAM_ARN} from role ${ROLE}`],
    });
    expect(account.snapshot()).toEqual(before);
  });

  it('after a partial apply (policy created, attach failed, no receipt) leaves the account as it started', async () => {
    const account = install(fresh.account());
    const before = account.snapshot();
    const doc = fresh.doc();
    account.failNext('AttachRolePolicy', awsError('ServiceFailureException'));
    await expect(applyPolicy(doc, deps)).rejects.toMatchObject({ name: 'ServiceFailureException' });
    expect(account.policies.has(POLICY_ARN)).toBe(true);

    const report = await revertPolicy(asRevertInput(doc), deps);

    expect(report).toEqual({ step: 'policy', action: 'deleted', changes: [`deleted policy ${POLICY_ARN}, which this execution created`] });
    expect(account.snapshot()).toEqual(before);
  });

  it('finds the version it made when the apply stopped before journaling its id', async () => {
    const account = install(outdated.account());
    const before = account.snapshot();
    const doc = outdated.doc();
    // The second journal write (the new version id, before attaching) fails: the journal lacks the id.
    account.failAtChange(3);
    await expect(applyPolicy(doc, deps)).rejects.toThrow();
    expect(account.calls.filter((operation) => operation === 'PutObject')).toHaveLength(2);
    expect(account.policies.get(POLICY_ARN)!.defaultVersionId).toBe('v3');

    const report = await revertPolicy(asRevertInput(doc), deps);

    expect(report.changes).toEqual([
      `set the default version of ${POLICY_ARN} back to v2`,
      `deleted version v3 of ${POLICY_ARN}, which this execution created`,
    ]);
    expect(account.snapshot()).toEqual(before);
    const journal = JSON.parse(account.objects.get(journalKey(doc.request, 'policy'))!);
    expect(journal.details.createdVersionId).toBe('v3');
  });

  it('a revert interrupted after setting the default back still deletes the version on its retry', async () => {
    const account = install(outdated.account());
    const before = account.snapshot();
    const doc = outdated.doc();
    account.failAtChange(3);
    await expect(applyPolicy(doc, deps)).rejects.toThrow();
    account.failNext('DeletePolicyVersion', awsError('Throttling'));
    await expect(revertPolicy(asRevertInput(doc), deps)).rejects.toMatchObject({ name: 'Throttling' });
    expect(account.policies.get(POLICY_ARN)!.defaultVersionId).toBe('v2');

    await revertPolicy(asRevertInput(doc), deps);

    expect(account.snapshot()).toEqual(before);
  });

  it('a second revert is a no-op', async () => {
    const account = install(fullVersions.account());
    const doc = fullVersions.doc();
    const receipt = await applyPolicy(doc, deps);
    await revertPolicy(asRevertInput(doc, receipt), deps);
    const after = account.snapshot();
    const start = account.calls.length;

    await expect(revertPolicy(asRevertInput(doc, receipt), deps)).resolves.toEqual({ step: 'policy', action: 'nothing-to-do', changes: [] });

    expect(account.changesSince(start)).toEqual([]);
    expect(account.snapshot()).toEqual(after);
  });

  it('reports a pre-existing policy deleted meanwhile instead of failing', async () => {
    const account = install(outdated.account());
    const doc = outdated.doc();
    const receipt = await applyPolicy(doc, deps);
    account.roles.set(ROLE, [PREEXISTING]);
    account.policies.delete(POLICY_ARN);

    await expect(revertPolicy(asRevertInput(doc, receipt), deps)).resolves.toMatchObject({
      changes: [`policy ${POLICY_ARN} no longer exists: no version to restore`],
    });
  });

  it('treats a role deleted meanwhile as having nothing attached', async () => {
    const account = install(managedOnly.account());
    const doc = managedOnly.doc();
    const receipt = await applyPolicy(doc, deps);
    account.roles.delete(ROLE);
    await expect(revertPolicy(asRevertInput(doc, receipt), deps)).resolves.toMatchObject({ action: 'nothing-to-do' });
  });
});
