import 'aws-sdk-client-mock-jest';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { applyRole } from '../../../lambdas/role/apply';
import { revertRole } from '../../../lambdas/role/revert';
import type { RolePrevious } from '../../../lambdas/role/role';
import { federationTrustPolicy } from '../../../lambdas/role/trust-policy';
import type { ExecutionDocument, Receipt } from '../../../lambdas/shared/document';
import { writeJournal } from '../../../lambdas/shared/journal';
import type { FaultSpec } from '../../../simulated-account';
import { exampleProfile, makeDocument } from '../../helpers/document';
import {
  accountForRoleStep,
  iamWrites,
  inputsOf,
  onKeysUnder,
  operations,
  type RoleStepAccount,
  type SeededRole,
  seedRole,
  tagsOfExecution,
} from '../../helpers/step-account';
import { OLD_PROVIDER, PROVIDER, ROLE, ROLE_ARN } from './fixtures';

const NEW_TRUST = JSON.stringify(federationTrustPolicy(PROVIDER));
const OLD_TRUST = JSON.stringify(federationTrustPolicy(OLD_PROVIDER));
const LATER_STEP_FAILED = { Error: 'States.TaskFailed', Cause: 'a later step failed' };

/** The role as apply left it: the profile's settings, tagged as created by this execution unless told otherwise. */
const roleOfThisExecution = (w: RoleStepAccount, role: Partial<SeededRole> = {}) =>
  seedRole(w.account, { trustPolicy: NEW_TRUST, maxSessionDuration: 43200, tags: tagsOfExecution(), ...role });

/** A role that existed before the execution and that the execution updated: not tagged by this pipeline. */
const roleThatExistedBefore = (w: RoleStepAccount, role: Partial<SeededRole> = {}) => roleOfThisExecution(w, { tags: [], ...role });

/** The customer managed policy the Policy step creates and attaches to the role. */
async function connectPolicy(w: RoleStepAccount): Promise<string> {
  const created = await w.account.seed(({ iam }) =>
    iam.send(
      new CreatePolicyCommand({
        PolicyName: 'AmazonConnectSSOPolicy',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'connect:GetFederationToken', Resource: '*' }],
        }),
      }),
    ),
  );
  return created.Policy!.Arn!;
}

const deps = (w: RoleStepAccount) => w.account.clients();
const roleIn = (w: RoleStepAccount) => w.account.snapshot().iam.roles[ROLE];

function withReceipt(receipt: Partial<Receipt<RolePrevious>>, options: { boundary?: string } = {}): ExecutionDocument {
  const profile = exampleProfile('admin');
  return makeDocument({
    ...(options.boundary ? { profile: { ...profile, role: { ...profile.role, permissionsBoundaryArn: options.boundary } } } : {}),
    receipts: { role: { step: 'role', action: 'created', arn: ROLE_ARN, changes: [], details: { roleName: ROLE }, ...receipt } },
    failure: LATER_STEP_FAILED,
  });
}

/** The execution document the revert gets when the apply step itself threw: no receipt. */
const withoutReceipt = () => makeDocument({ failure: { Error: 'ServiceFailureException', Cause: 'Role failed' } });

/** This execution's journal entry, written as the apply step writes it before its change (`previous` absent: a creation). */
async function journaled(w: RoleStepAccount, previous?: RolePrevious): Promise<void> {
  const intent = [previous === undefined ? `create role ${ROLE}` : `update role ${ROLE}`];
  await w.account.seed(({ records }) =>
    writeJournal(records, makeDocument().request, {
      step: 'role',
      intent,
      details: { roleName: ROLE, arn: ROLE_ARN },
      ...(previous ? { previous } : {}),
    }),
  );
}

describe('revertRole for a role this execution created', () => {
  it('detaches every managed policy (all pages), deletes inline policies, then deletes the role', async () => {
    // IAM may return fewer items per page than asked: one per page makes the revert follow every Marker.
    const w = await accountForRoleStep({ iamPageSize: 1 });
    const policy = await connectPolicy(w);
    const roleId = await roleOfThisExecution(w, {
      attached: [policy, w.readOnly],
      inline: { 'inline-extra': JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }) },
    });

    const report = await revertRole(withReceipt({ action: 'created', details: { roleName: ROLE, roleId } }), deps(w));

    expect(report.action).toBe('deleted');
    const listed = inputsOf<{ Marker?: string }>(w.account, 'ListAttachedRolePolicies');
    expect(listed).toHaveLength(2);
    expect(listed[1]!.Marker).toEqual(expect.any(String));
    expect(iamWrites(w.account)).toEqual(['DetachRolePolicy', 'DetachRolePolicy', 'DeleteRolePolicy', 'DeleteRole']);
    expect(inputsOf<{ PolicyArn: string }>(w.account, 'DetachRolePolicy').map((input) => input.PolicyArn)).toEqual([policy, w.readOnly]);
    expect(inputsOf(w.account, 'DeleteRolePolicy')).toEqual([{ RoleName: ROLE, PolicyName: 'inline-extra' }]);
    expect(roleIn(w)).toBeUndefined();
    // Only the role goes: the policies it had attached stay in the account.
    expect(w.account.snapshot().iam.policies[policy]).toBeDefined();
  });

  it('carries on when someone else detached a policy between its listing and its detach', async () => {
    const w = await accountForRoleStep();
    const roleId = await roleOfThisExecution(w, { attached: [w.readOnly] });
    w.account.interleave({ operation: 'DetachRolePolicy' }, ({ iam }) =>
      iam.send(new DetachRolePolicyCommand({ RoleName: ROLE, PolicyArn: w.readOnly })),
    );

    await expect(revertRole(withReceipt({ action: 'created', details: { roleName: ROLE, roleId } }), deps(w))).resolves.toMatchObject({
      action: 'deleted',
    });
    expect(w.account.calls.filter((call) => call.operation === 'DetachRolePolicy').map((call) => call.outcome)).toEqual(['NoSuchEntityException']);
    expect(roleIn(w)).toBeUndefined();
  });

  it('reads the tags with ListRoleTags (all pages) when GetRole does not return them, and deletes the role they name', async () => {
    // The simulated account's GetRole returns a tagged role's Tags, as IAM does; the step still falls back to
    // ListRoleTags for an answer without them (older API behaviour, a proxy that drops them). Only a stub can send
    // that answer, so aws-sdk-client-mock stands in for GetRole alone and every other call goes to the account.
    const w = await accountForRoleStep({ iamPageSize: 2 });
    const roleId = await roleOfThisExecution(w);
    const { iam } = w.account.clients();
    const iamMock = mockClient(IAMClient);
    try {
      iamMock.on(GetRoleCommand).callsFake(async (input) => {
        const { Role } = await iam.send(new GetRoleCommand(input));
        const { Tags: _tags, ...withoutTags } = Role!;
        return { Role: withoutTags };
      });
      iamMock.on(ListRoleTagsCommand).callsFake((input) => iam.send(new ListRoleTagsCommand(input)));
      iamMock.on(ListAttachedRolePoliciesCommand).callsFake((input) => iam.send(new ListAttachedRolePoliciesCommand(input)));
      iamMock.on(ListRolePoliciesCommand).callsFake((input) => iam.send(new ListRolePoliciesCommand(input)));
      iamMock.on(DeleteRoleCommand).callsFake((input) => iam.send(new DeleteRoleCommand(input)));

      const report = await revertRole(withReceipt({ action: 'created', details: { roleName: ROLE, roleId } }), {
        iam: new IAMClient({}),
        records: deps(w).records,
      });

      expect(report.action).toBe('deleted');
      expect(iamMock).toHaveReceivedCommandWith(ListRoleTagsCommand, { RoleName: ROLE });
      // Five pipeline tags, two per page.
      expect(inputsOf(w.account, 'ListRoleTags')).toHaveLength(3);
      expect(roleIn(w)).toBeUndefined();
    } finally {
      iamMock.restore();
    }
  });

  it('never deletes a role whose tags name another execution, and reports it left in place', async () => {
    const w = await accountForRoleStep();
    await roleOfThisExecution(w, { tags: tagsOfExecution('exec-earlier') });
    const before = w.account.snapshot();

    const report = await revertRole(withReceipt({ action: 'created' }), deps(w));

    expect(report).toMatchObject({ action: 'left-in-place', leftInPlace: [expect.stringMatching(/its tags name another execution/)] });
    expect(iamWrites(w.account)).toEqual([]);
    expect(w.account.snapshot()).toEqual(before);
  });

  it("deletes the role its receipt's role id proves it created though IAM kept no tags on it, and says so", async () => {
    const w = await accountForRoleStep();
    const before = w.account.snapshot();
    await roleOfThisExecution(w, { tags: [] });
    const roleId = w.account.snapshot().iam.roles[ROLE]!.roleId;

    const report = await revertRole(withReceipt({ action: 'created', details: { roleName: ROLE, roleId } }), deps(w));

    expect(report).toMatchObject({
      action: 'deleted',
      changes: expect.arrayContaining([expect.stringMatching(/its tags did not name execution exec-0001/)]),
    });
    expect(w.account.snapshot()).toEqual(before);
  });

  it("leaves an untagged role in place when nothing proves it is this execution's (its tags read with ListRoleTags, as GetRole leaves Tags out)", async () => {
    const w = await accountForRoleStep();
    await journaled(w);
    await roleOfThisExecution(w, { tags: [] });
    const before = w.account.snapshot();

    await expect(revertRole(withoutReceipt(), deps(w))).resolves.toMatchObject({
      action: 'left-in-place',
      leftInPlace: [expect.stringMatching(/its tags do not name this execution/)],
    });
    expect(operations(w.account, 'iam')).toEqual(['GetRole', 'ListRoleTags']);
    expect(w.account.snapshot()).toEqual(before);
  });

  it('never deletes a role with another role ID than the one it created', async () => {
    // Same name and tags, but not the role this execution created (deleted and re-created since).
    const w = await accountForRoleStep();
    await roleOfThisExecution(w);
    const before = w.account.snapshot();

    await expect(
      revertRole(withReceipt({ action: 'created', details: { roleName: ROLE, roleId: 'AROASOMEONEELSE000001' } }), deps(w)),
    ).resolves.toMatchObject({ action: 'left-in-place', leftInPlace: [expect.stringMatching(/re-created since/)] });
    expect(iamWrites(w.account)).toEqual([]);
    expect(w.account.snapshot()).toEqual(before);
  });

  it('has nothing to do when the role is already gone', async () => {
    const w = await accountForRoleStep();

    await expect(revertRole(withReceipt({ action: 'created' }), deps(w))).resolves.toMatchObject({ action: 'nothing-to-do' });
    expect(operations(w.account, 'iam')).toEqual(['GetRole']);
  });
});

describe('revertRole for a role that existed before: it is restored, never deleted', () => {
  it('puts back the previous trust policy, max session duration and boundary, keeping the same role', async () => {
    const w = await accountForRoleStep();
    await roleThatExistedBefore(w, { permissionsBoundaryArn: w.boundary, attached: [w.readOnly] });
    const updated = roleIn(w)!;
    const previous = { trustPolicy: OLD_TRUST, maxSessionDuration: 3600, permissionsBoundaryArn: w.oldBoundary };

    const report = await revertRole(withReceipt({ action: 'updated', previous }, { boundary: w.boundary }), deps(w));

    expect(report.action).toBe('restored');
    expect(inputsOf(w.account, 'UpdateAssumeRolePolicy')).toEqual([{ RoleName: ROLE, PolicyDocument: OLD_TRUST }]);
    expect(inputsOf(w.account, 'UpdateRole')).toEqual([{ RoleName: ROLE, MaxSessionDuration: 3600 }]);
    expect(inputsOf(w.account, 'PutRolePermissionsBoundary')).toEqual([{ RoleName: ROLE, PermissionsBoundary: w.oldBoundary }]);
    expect(iamWrites(w.account)).toEqual(['UpdateAssumeRolePolicy', 'UpdateRole', 'PutRolePermissionsBoundary']);
    // Same role id, tags and attachments: Amazon Connect users federated through it keep their identity.
    expect(roleIn(w)).toEqual({
      ...updated,
      trustPolicy: federationTrustPolicy(OLD_PROVIDER),
      maxSessionDuration: 3600,
      permissionsBoundary: w.oldBoundary,
    });
  });

  it('takes off a boundary the role did not have before', async () => {
    const w = await accountForRoleStep();
    await roleThatExistedBefore(w, { permissionsBoundaryArn: w.boundary });

    await revertRole(withReceipt({ action: 'updated', previous: { permissionsBoundaryArn: null } }, { boundary: w.boundary }), deps(w));

    expect(iamWrites(w.account)).toEqual(['DeleteRolePermissionsBoundary']);
    expect(roleIn(w)).not.toHaveProperty('permissionsBoundary');
  });

  it('never takes off or replaces a boundary other than the one the profile sets, and says the role was left in place', async () => {
    const w = await accountForRoleStep();
    // Someone put another boundary on since (or a record claims a change apply could not have made).
    await roleThatExistedBefore(w, { permissionsBoundaryArn: w.oldBoundary });
    const before = w.account.snapshot();

    const report = await revertRole(
      withReceipt({ action: 'updated', previous: { permissionsBoundaryArn: null } }, { boundary: w.boundary }),
      deps(w),
    );

    expect(report).toMatchObject({
      action: 'left-in-place',
      leftInPlace: [expect.stringContaining(`its permissions boundary is now ${w.oldBoundary}`)],
    });
    expect(iamWrites(w.account)).toEqual([]);
    expect(w.account.snapshot()).toEqual(before);
  });

  it('writes nothing when the role already has its previous settings (second revert), comparing the URL-encoded trust policy', async () => {
    const w = await accountForRoleStep();
    await roleThatExistedBefore(w, { trustPolicy: OLD_TRUST, maxSessionDuration: 3600 });

    const report = await revertRole(
      withReceipt({ action: 'updated', previous: { trustPolicy: OLD_TRUST, maxSessionDuration: 3600, permissionsBoundaryArn: null } }),
      deps(w),
    );

    expect(report.action).toBe('nothing-to-do');
    expect(operations(w.account, 'iam')).toEqual(['GetRole']);
  });

  it('reports the settings it could not restore when the role has been deleted since', async () => {
    const w = await accountForRoleStep();

    await expect(revertRole(withReceipt({ action: 'updated', previous: { trustPolicy: OLD_TRUST } }), deps(w))).rejects.toMatchObject({
      name: 'Role.Vanished',
      message: expect.stringContaining('OldIdP'),
    });
    expect(iamWrites(w.account)).toEqual([]);
  });

  it('makes no call at all when the apply step only planned (a dry run never journals)', async () => {
    const w = await accountForRoleStep();

    await expect(revertRole(withReceipt({ action: 'planned' }), deps(w))).resolves.toMatchObject({ action: 'nothing-to-do' });
    expect(w.account.calls).toEqual([]);
  });

  it('touches no role when the apply step was unchanged and no attempt of it journaled a change', async () => {
    const w = await accountForRoleStep();
    await roleThatExistedBefore(w);

    await expect(revertRole(withReceipt({ action: 'unchanged' }), deps(w))).resolves.toMatchObject({
      action: 'nothing-to-do',
      changes: ['the Role step changed nothing (unchanged)'],
    });
    expect(operations(w.account, 'iam')).toEqual([]);
    expect(operations(w.account, 'records')).toEqual(['GetItem']);
  });

  it('restores the journaled settings when the receipt says unchanged but an earlier attempt updated the role', async () => {
    const w = await accountForRoleStep();
    await journaled(w, { trustPolicy: OLD_TRUST });
    await roleThatExistedBefore(w);

    await expect(revertRole(withReceipt({ action: 'unchanged' }), deps(w))).resolves.toMatchObject({ action: 'restored' });
    expect(inputsOf(w.account, 'UpdateAssumeRolePolicy')).toEqual([{ RoleName: ROLE, PolicyDocument: OLD_TRUST }]);
    expect(roleIn(w)).toMatchObject({ trustPolicy: federationTrustPolicy(OLD_PROVIDER) });
  });

  it('deletes the role an earlier attempt created when the receipt says unchanged but the journal says created', async () => {
    const w = await accountForRoleStep();
    await journaled(w);
    await roleOfThisExecution(w);

    await expect(revertRole(withReceipt({ action: 'unchanged' }), deps(w))).resolves.toMatchObject({ action: 'deleted' });
    expect(iamWrites(w.account)).toEqual(['DeleteRole']);
    expect(roleIn(w)).toBeUndefined();
  });
});

describe('revertRole without a receipt (the apply step threw)', () => {
  it('has nothing to do when there is no journal entry either', async () => {
    const w = await accountForRoleStep();

    await expect(revertRole(withoutReceipt(), deps(w))).resolves.toMatchObject({ action: 'nothing-to-do' });
    expect(operations(w.account, 'iam')).toEqual([]);
  });

  it('deletes exactly the role CreateRole made before the Lambda died', async () => {
    const w = await accountForRoleStep();
    await journaled(w);
    await roleOfThisExecution(w);

    await expect(revertRole(withoutReceipt(), deps(w))).resolves.toMatchObject({ action: 'deleted' });
    expect(iamWrites(w.account)).toEqual(['DeleteRole']);
    expect(roleIn(w)).toBeUndefined();
  });

  it('leaves a role someone else created meanwhile, though the journal says it was about to create one', async () => {
    const w = await accountForRoleStep();
    await journaled(w);
    await roleThatExistedBefore(w);
    const before = w.account.snapshot();

    await expect(revertRole(withoutReceipt(), deps(w))).resolves.toMatchObject({ action: 'left-in-place' });
    expect(iamWrites(w.account)).toEqual([]);
    expect(w.account.snapshot()).toEqual(before);
  });

  it('restores the trust policy from the journal when the update went through', async () => {
    const w = await accountForRoleStep();
    await journaled(w, { trustPolicy: OLD_TRUST });
    await roleThatExistedBefore(w);

    await expect(revertRole(withoutReceipt(), deps(w))).resolves.toMatchObject({ action: 'restored' });
    expect(iamWrites(w.account)).toEqual(['UpdateAssumeRolePolicy']);
    expect(roleIn(w)).toMatchObject({ trustPolicy: federationTrustPolicy(OLD_PROVIDER) });
  });
});

describe('apply then revert leaves the account as it started', () => {
  type StartingState = (w: RoleStepAccount) => Promise<unknown>;
  const noRole: StartingState = async () => undefined;
  /** Another trust policy, a shorter session, no boundary, and a policy of its own attached. */
  const otherSettings: StartingState = (w) =>
    seedRole(w.account, { trustPolicy: OLD_TRUST, maxSessionDuration: 3600, tags: [{ Key: 'team', Value: 'cc' }], attached: [w.readOnly] });
  const matching: StartingState = (w) =>
    seedRole(w.account, { trustPolicy: NEW_TRUST, maxSessionDuration: 43200, permissionsBoundaryArn: w.boundary });

  const input = (w: RoleStepAccount) => {
    const profile = exampleProfile('admin');
    profile.role = { ...profile.role, permissionsBoundaryArn: w.boundary };
    return makeDocument({ profile, receipts: { identityProvider: { step: 'identityProvider', action: 'created', arn: PROVIDER, changes: [] } } });
  };
  const applyDeps = (w: RoleStepAccount) => ({ ...deps(w), sleep: async () => undefined });
  /** Runs the apply step; the document the revert then gets carries its receipt, or none when it threw. */
  const applied = async (w: RoleStepAccount): Promise<ExecutionDocument> => {
    const doc = input(w);
    const receipt = await applyRole(doc, applyDeps(w)).catch(() => undefined);
    return { ...doc, receipts: { ...doc.receipts, ...(receipt ? { role: receipt } : {}) }, failure: LATER_STEP_FAILED };
  };

  /** A second revert (the state machine retrying it, or an operator re-running it) finds nothing left to do. */
  async function secondRevertIsANoOp(w: RoleStepAccount, doc: ExecutionDocument): Promise<void> {
    w.account.clearCalls();
    await expect(revertRole(doc, deps(w))).resolves.toMatchObject({ action: 'nothing-to-do' });
    expect(iamWrites(w.account)).toEqual([]);
  }

  it.each([
    ['no role existed', noRole],
    ['a role with another trust policy, session length and no boundary existed', otherSettings],
    ['a matching role existed', matching],
  ])('when %s, and a second revert is a no-op', async (_case, arrange) => {
    const w = await accountForRoleStep();
    await arrange(w);
    const before = w.account.snapshot();

    const doc = await applied(w);
    expect(doc.receipts!.role).toBeDefined();
    await revertRole(doc, deps(w));
    expect(w.account.snapshot()).toEqual(before);

    await secondRevertIsANoOp(w, doc);
  });

  it('when the new provider was refused as principal twice before CreateRole went through', async () => {
    const w = await accountForRoleStep({ principalPropagationDelayCalls: 2 });
    const before = w.account.snapshot();

    const doc = await applied(w);
    expect(doc.receipts!.role).toMatchObject({ action: 'created' });
    await revertRole(doc, deps(w));

    expect(w.account.snapshot()).toEqual(before);
  });

  it('except when a policy was attached to the created role since: the role is left in place, and the policy named', async () => {
    // In a rollback the Policy step's revert runs first and detaches what that step attached: a policy still attached
    // here was attached by someone else, and deleting the role would take it away from them.
    const w = await accountForRoleStep();
    const policy = await connectPolicy(w);
    const doc = await applied(w);
    await w.account.seed(({ iam }) => iam.send(new AttachRolePolicyCommand({ RoleName: ROLE, PolicyArn: policy })));

    const report = await revertRole(doc, deps(w));

    expect(report).toMatchObject({ action: 'left-in-place', leftInPlace: [expect.stringContaining(`attached policies is now ${policy}`)] });
    expect(roleIn(w)?.attachedPolicies).toEqual([policy]);
    expect(iamWrites(w.account)).toEqual(['CreateRole']);
  });

  it.each<[string, FaultSpec, StartingState]>([
    ['CreateRole took effect but its response was lost', { operation: 'CreateRole', error: 'ServiceFailure', afterEffect: true }, noRole],
    ['CreateRole failed', { operation: 'CreateRole', error: 'ServiceFailure' }, noRole],
    [
      'the trust policy update took effect but its response was lost',
      { operation: 'UpdateAssumeRolePolicy', error: 'ServiceFailure', afterEffect: true },
      otherSettings,
    ],
    ['UpdateRole failed after the trust policy was replaced', { operation: 'UpdateRole', error: 'ServiceFailure' }, otherSettings],
    [
      'the boundary was set but its response was lost',
      { operation: 'PutRolePermissionsBoundary', error: 'ServiceFailure', afterEffect: true },
      otherSettings,
    ],
    [
      'the journal write failed',
      { service: 'records', operation: 'PutItem', when: onKeysUnder('journal#'), error: 'InternalServerError' },
      otherSettings,
    ],
    [
      'the journal write before CreateRole failed',
      { service: 'records', operation: 'PutItem', when: onKeysUnder('journal#'), error: 'InternalServerError' },
      noRole,
    ],
  ])('when apply threw because %s', async (_case, fault, arrange) => {
    const w = await accountForRoleStep();
    await arrange(w);
    const before = w.account.snapshot();
    const injected = w.account.faults.inject(fault);

    const doc = await applied(w);
    expect(injected.fired).toBe(1);
    expect(doc.receipts!.role).toBeUndefined();
    await revertRole(doc, deps(w));

    expect(w.account.snapshot()).toEqual(before);
    await secondRevertIsANoOp(w, doc);
  });

  // Each write succeeds and its answer is lost (a timeout after IAM or S3 applied it); the state machine retries the step.
  const IAM_FAILURE = 'ServiceFailureException';
  it.each<[string, string, 'created' | 'updated', FaultSpec, StartingState, 'deleted' | 'restored']>([
    ['CreateRole', 'no role existed', 'created', { operation: 'CreateRole', error: IAM_FAILURE }, noRole, 'deleted'],
    [
      'the journal write before CreateRole',
      'no role existed',
      'created',
      { service: 'records', operation: 'PutItem', when: onKeysUnder('journal#'), error: 'InternalServerError' },
      noRole,
      'deleted',
    ],
    [
      'the trust policy update',
      'a role with other settings existed',
      'updated',
      { operation: 'UpdateAssumeRolePolicy', error: IAM_FAILURE },
      otherSettings,
      'restored',
    ],
    [
      'UpdateRole (after the trust policy was replaced)',
      'a role with other settings existed',
      'updated',
      { operation: 'UpdateRole', error: IAM_FAILURE },
      otherSettings,
      'restored',
    ],
    [
      'the permissions boundary (the last write)',
      'a role with other settings existed',
      'updated',
      { operation: 'PutRolePermissionsBoundary', error: IAM_FAILURE },
      otherSettings,
      'restored',
    ],
    [
      'the journal write before the update',
      'a role with other settings existed',
      'updated',
      { service: 'records', operation: 'PutItem', when: onKeysUnder('journal#'), error: 'InternalServerError' },
      otherSettings,
      'restored',
    ],
  ])(
    'when %s succeeded but its answer was lost (%s), the retried apply reports %s and the revert restores the account exactly',
    async (_write, _case, action, fault, arrange, reverted) => {
      const w = await accountForRoleStep();
      await arrange(w);
      const before = w.account.snapshot();
      w.account.faults.inject({ ...fault, afterEffect: true });

      await expect(applyRole(input(w), applyDeps(w))).rejects.toMatchObject({ name: fault.error });
      const receipt = await applyRole(input(w), applyDeps(w));
      expect(receipt.action).toBe(action);
      if (action === 'updated') expect(receipt.previous).toEqual({ trustPolicy: OLD_TRUST, maxSessionDuration: 3600, permissionsBoundaryArn: null });

      const doc = { ...input(w), receipts: { ...input(w).receipts, role: receipt }, failure: LATER_STEP_FAILED };
      await expect(revertRole(doc, deps(w))).resolves.toMatchObject({ action: reverted });
      expect(w.account.snapshot()).toEqual(before);

      await secondRevertIsANoOp(w, doc);
    },
  );

  it('when the revert itself fails half-way and the state machine retries it', async () => {
    const w = await accountForRoleStep();
    const before = w.account.snapshot();
    const doc = await applied(w);
    w.account.faults.inject({ operation: 'DeleteRole', error: 'ServiceFailure', afterEffect: true });

    await expect(revertRole(doc, deps(w))).rejects.toMatchObject({ name: 'ServiceFailureException' });
    await revertRole(doc, deps(w));

    expect(w.account.snapshot()).toEqual(before);
  });
});
