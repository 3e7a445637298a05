import { MalformedPolicyDocumentException, UpdateRoleCommand } from '@aws-sdk/client-iam';
import { applyRole } from '../../../lambdas/role/apply';
import { readRoleFootprint } from '../../../lambdas/role/footprint';
import { PRINCIPAL_RETRY_DELAYS_MS } from '../../../lambdas/role/role';
import { federationTrustPolicy } from '../../../lambdas/role/trust-policy';
import type { ExecutionDocument } from '../../../lambdas/shared/document';
import { journalKey } from '../../../lambdas/shared/journal';
import { pipelineTags } from '../../../lambdas/shared/tags';
import { exampleProfile, makeDocument } from '../../helpers/document';
import {
  accountForRoleStep,
  iamWrites,
  inputsOf,
  journalEntry,
  operations,
  positionOf,
  type RoleStepAccount,
  roleArn,
  type SeededRole,
  seedRole,
  tagsOfExecution,
} from '../../helpers/step-account';
import { OLD_PROVIDER, PROVIDER, ROLE, ROLE_ARN } from './fixtures';

const JOURNAL_KEY = journalKey({ executionName: 'exec-0001' }, 'role');
const NEW_TRUST = JSON.stringify(federationTrustPolicy(PROVIDER));
const OLD_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Federated: OLD_PROVIDER }, Action: 'sts:AssumeRoleWithSAML' }],
});
const DESCRIPTION = 'SAML 2.0 federation role for profile admin, managed by connect-saml-federation';

/** The profile's role as it stands before the execution; unless told otherwise, already what the profile asks for. */
const existingRole = (w: RoleStepAccount, role: Partial<SeededRole> = {}) =>
  seedRole(w.account, { trustPolicy: NEW_TRUST, maxSessionDuration: 43200, tags: [{ Key: 'team', Value: 'contact-center' }], ...role });

let sleeps: number[];
const deps = (w: RoleStepAccount) => ({
  ...w.account.clients(),
  sleep: async (ms: number) => void sleeps.push(ms),
  now: () => new Date('2026-03-01T12:00:00Z'),
});

function doc(options: { dryRun?: boolean; boundary?: string; providerReceipt?: boolean } = {}): ExecutionDocument {
  const profile = exampleProfile('admin');
  if (options.boundary !== undefined) profile.role = { ...profile.role, permissionsBoundaryArn: options.boundary };
  return makeDocument({
    profile,
    request: { dryRun: options.dryRun ?? false },
    receipts:
      options.providerReceipt === false ? {} : { identityProvider: { step: 'identityProvider', action: 'created', arn: PROVIDER, changes: [] } },
  });
}

const roleIn = (w: RoleStepAccount) => w.account.snapshot().iam.roles[ROLE];

beforeEach(() => {
  sleeps = [];
});

describe('applyRole when the role does not exist', () => {
  it('creates it trusting the provider from the IdentityProvider receipt, with the profile settings and the pipeline tags', async () => {
    const w = await accountForRoleStep();
    const input = doc({ boundary: w.boundary });

    const receipt = await applyRole(input, deps(w));

    const roleId = roleIn(w)!.roleId;
    expect(receipt).toEqual({
      step: 'role',
      action: 'created',
      arn: ROLE_ARN,
      changes: [`created role ${ROLE} trusting ${PROVIDER} (max session 43200 s, permissions boundary ${w.boundary})`],
      details: { roleName: ROLE, roleId, providerArn: PROVIDER },
      // What it found (no role) and what it left, which is what the account now holds.
      footprint: { before: { [`role ${ROLE}`]: 'absent' }, left: await readRoleFootprint(input, w.account.clients().iam) },
    });
    expect(inputsOf(w.account, 'CreateRole')).toEqual([
      {
        RoleName: ROLE,
        Path: '/',
        AssumeRolePolicyDocument: NEW_TRUST,
        MaxSessionDuration: 43200,
        PermissionsBoundary: w.boundary,
        Tags: pipelineTags(input.request),
        Description: DESCRIPTION,
      },
    ]);
    expect(roleIn(w)).toEqual({
      arn: ROLE_ARN,
      roleId,
      path: '/',
      description: DESCRIPTION,
      maxSessionDuration: 43200,
      permissionsBoundary: w.boundary,
      trustPolicy: federationTrustPolicy(PROVIDER),
      tags: Object.fromEntries(pipelineTags(input.request).map((tag) => [tag.Key, tag.Value])),
      attachedPolicies: [],
      inlinePolicies: {},
    });
    expect(journalEntry(w.account, 'role')).toMatchObject({ step: 'role', details: { roleName: ROLE, arn: ROLE_ARN } });
    expect(journalEntry(w.account, 'role')).not.toHaveProperty('previous');
    // Journaled first, so that a Lambda dying right after CreateRole leaves the revert enough to delete the role.
    expect(positionOf(w.account, 'PutItem', 'journal#')).toBeLessThan(positionOf(w.account, 'CreateRole'));
  });

  it('sends no permissions boundary when the profile sets none', async () => {
    const w = await accountForRoleStep();

    await applyRole(doc(), deps(w));

    expect(inputsOf(w.account, 'CreateRole')[0]).not.toHaveProperty('PermissionsBoundary');
    expect(roleIn(w)).not.toHaveProperty('permissionsBoundary');
  });

  it('retries while IAM does not yet see the new provider as a principal, then succeeds', async () => {
    // IAM is eventually consistent: a provider created moments ago is refused as a principal for a while.
    const w = await accountForRoleStep({ principalPropagationDelayCalls: 2 });

    await expect(applyRole(doc(), deps(w))).resolves.toMatchObject({ action: 'created' });

    expect(inputsOf(w.account, 'CreateRole')).toHaveLength(3);
    expect(w.account.calls.filter((call) => call.operation === 'CreateRole').map((call) => call.outcome)).toEqual([
      'MalformedPolicyDocumentException',
      'MalformedPolicyDocumentException',
      'ok',
    ]);
    expect(sleeps).toEqual([1000, 2000]);
  });

  it("gives up after about 23 s of retries and rethrows IAM's error as it came", async () => {
    const w = await accountForRoleStep({ principalPropagationDelayCalls: PRINCIPAL_RETRY_DELAYS_MS.length + 1 });

    await expect(applyRole(doc(), deps(w))).rejects.toMatchObject({
      name: 'MalformedPolicyDocumentException',
      message: expect.stringMatching(/Invalid principal/),
    });

    expect(inputsOf(w.account, 'CreateRole')).toHaveLength(PRINCIPAL_RETRY_DELAYS_MS.length + 1);
    expect(sleeps).toEqual([...PRINCIPAL_RETRY_DELAYS_MS]);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThan(30_000);
    expect(roleIn(w)).toBeUndefined();
  });

  it('does not retry a malformed policy that is not about the principal', async () => {
    // The step only ever sends its own well-formed trust policy, so IAM's other MalformedPolicyDocument answers can
    // only be injected.
    const w = await accountForRoleStep();
    w.account.faults.inject({
      operation: 'CreateRole',
      error: new MalformedPolicyDocumentException({ message: 'Syntax errors in policy.', $metadata: { httpStatusCode: 400 } }),
    });

    await expect(applyRole(doc(), deps(w))).rejects.toMatchObject({ name: 'MalformedPolicyDocumentException', message: 'Syntax errors in policy.' });
    expect(inputsOf(w.account, 'CreateRole')).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('stops without writing when IAM fails to say whether the role exists', async () => {
    // Only NoSuchEntity means "no role": any other GetRole failure must not lead to a create.
    const w = await accountForRoleStep();
    w.account.faults.inject({ operation: 'GetRole', error: 'ServiceFailure' });

    await expect(applyRole(doc(), deps(w))).rejects.toMatchObject({ name: 'ServiceFailureException' });
    expect(w.account.mutatingCalls()).toEqual([]);
  });

  it('plans the creation in a dry run with GetRole only, using the provider ARN the profile names', async () => {
    const w = await accountForRoleStep();

    const receipt = await applyRole(doc({ dryRun: true, providerReceipt: false }), deps(w));

    expect(receipt).toMatchObject({
      action: 'planned',
      arn: ROLE_ARN,
      changes: [`would create role ${ROLE} trusting ${PROVIDER} (max session 43200 s)`],
      details: { plannedAction: 'create' },
    });
    expect(operations(w.account, 'iam')).toEqual(['GetRole']);
    expect(operations(w.account, 's3')).toEqual([]);
  });
});

describe('applyRole when the role exists: it is updated in place, never re-created', () => {
  it('changes nothing and writes nothing when it already matches (IAM returns the trust policy URL-encoded)', async () => {
    const w = await accountForRoleStep();
    const roleId = await existingRole(w);

    const receipt = await applyRole(doc(), deps(w));

    expect(receipt).toEqual({
      step: 'role',
      action: 'unchanged',
      arn: ROLE_ARN,
      changes: [],
      details: { roleName: ROLE, roleId, providerArn: PROVIDER },
    });
    expect(operations(w.account, 'iam')).toEqual(['GetRole']);
    // The only record read is this execution's (absent) journal entry.
    expect(inputsOf<{ Key: { pk: { S: string } } }>(w.account, 'GetItem').map((input) => input.Key.pk.S)).toEqual([JOURNAL_KEY.pk]);
    expect(operations(w.account, 'records')).toEqual(['GetItem']);
  });

  it('replaces a different trust policy in place, keeping the previous one, and never re-creates the role', async () => {
    const w = await accountForRoleStep();
    const roleId = await existingRole(w, { trustPolicy: OLD_TRUST });
    const before = roleIn(w)!;

    const receipt = await applyRole(doc(), deps(w));

    expect(receipt).toMatchObject({ action: 'updated', arn: ROLE_ARN, previous: { trustPolicy: OLD_TRUST }, details: { roleId } });
    expect(inputsOf(w.account, 'UpdateAssumeRolePolicy')).toEqual([{ RoleName: ROLE, PolicyDocument: NEW_TRUST }]);
    // Reads only before the one write: the role, and (for the footprint) its attached and inline policies.
    expect(operations(w.account, 'iam')).toEqual(['GetRole', 'GetRole', 'ListAttachedRolePolicies', 'ListRolePolicies', 'UpdateAssumeRolePolicy']);
    // Same role id: Amazon Connect ties federated users to it.
    expect(roleIn(w)).toEqual({ ...before, trustPolicy: federationTrustPolicy(PROVIDER) });
    expect(journalEntry(w.account, 'role')!.previous).toEqual({ trustPolicy: OLD_TRUST });
    expect(positionOf(w.account, 'PutItem', 'journal#')).toBeLessThan(positionOf(w.account, 'UpdateAssumeRolePolicy'));
  });

  it('retries the trust policy update while IAM does not yet see the new provider as a principal', async () => {
    // The IdentityProvider step created AmazonConnectAdminAccess moments ago; the role has long trusted OldIdP.
    const w = await accountForRoleStep({ principalPropagationDelayCalls: 1 });
    await existingRole(w, { trustPolicy: OLD_TRUST, maxSessionDuration: 43200 });

    await expect(applyRole(doc(), deps(w))).resolves.toMatchObject({ action: 'updated', previous: { trustPolicy: OLD_TRUST } });

    expect(w.account.calls.filter((call) => call.operation === 'UpdateAssumeRolePolicy').map((call) => call.outcome)).toEqual([
      'MalformedPolicyDocumentException',
      'ok',
    ]);
    expect(sleeps).toEqual([1000]);
    expect(roleIn(w)).toMatchObject({ trustPolicy: federationTrustPolicy(PROVIDER) });
  });

  it('changes the max session duration and the permissions boundary, journaling only the fields it changes', async () => {
    const w = await accountForRoleStep();
    await existingRole(w, { maxSessionDuration: 3600, permissionsBoundaryArn: w.oldBoundary });

    const receipt = await applyRole(doc({ boundary: w.boundary }), deps(w));

    expect(receipt.previous).toEqual({ maxSessionDuration: 3600, permissionsBoundaryArn: w.oldBoundary });
    expect(journalEntry(w.account, 'role')!.previous).toEqual({ maxSessionDuration: 3600, permissionsBoundaryArn: w.oldBoundary });
    expect(receipt.changes).toEqual([
      `changed the max session duration of role ${ROLE} from 3600 s to 43200 s`,
      `set the permissions boundary of role ${ROLE} to ${w.boundary} (was ${w.oldBoundary})`,
    ]);
    expect(inputsOf(w.account, 'UpdateRole')).toEqual([{ RoleName: ROLE, MaxSessionDuration: 43200 }]);
    expect(inputsOf(w.account, 'PutRolePermissionsBoundary')).toEqual([{ RoleName: ROLE, PermissionsBoundary: w.boundary }]);
    expect(iamWrites(w.account)).toEqual(['UpdateRole', 'PutRolePermissionsBoundary']);
    expect(roleIn(w)).toMatchObject({ maxSessionDuration: 43200, permissionsBoundary: w.boundary });
  });

  it('records that the role had no boundary before, so the revert can take the new one off', async () => {
    const w = await accountForRoleStep();
    await existingRole(w);

    await expect(applyRole(doc({ boundary: w.boundary }), deps(w))).resolves.toMatchObject({
      action: 'updated',
      previous: { permissionsBoundaryArn: null },
    });
    expect(roleIn(w)).toMatchObject({ permissionsBoundary: w.boundary });
  });

  it('keeps an existing boundary the profile does not mention, and says so', async () => {
    const w = await accountForRoleStep();
    await existingRole(w, { permissionsBoundaryArn: w.oldBoundary });

    const receipt = await applyRole(doc(), deps(w));

    expect(receipt.action).toBe('unchanged');
    expect(receipt.changes).toEqual([expect.stringMatching(new RegExp(`^kept the permissions boundary ${w.oldBoundary} .* never removes one`))]);
    expect(operations(w.account, 'iam')).toEqual(['GetRole']);
    expect(roleIn(w)).toMatchObject({ permissionsBoundary: w.oldBoundary });
  });

  it('keeps a role found at another path rather than re-creating it, and says so', async () => {
    const w = await accountForRoleStep();
    await existingRole(w, { path: '/legacy/' });

    const receipt = await applyRole(doc(), deps(w));

    expect(receipt).toMatchObject({ action: 'unchanged', arn: roleArn(ROLE, '/legacy/') });
    expect(receipt.changes).toEqual([expect.stringMatching(/^kept role AmazonConnectAdminAccessRole at path \/legacy\//)]);
    expect(iamWrites(w.account)).toEqual([]);
  });

  it('plans every difference in a dry run with GetRole only', async () => {
    const w = await accountForRoleStep();
    await existingRole(w, { trustPolicy: OLD_TRUST, maxSessionDuration: 3600 });
    const before = w.account.snapshot({ excludePrefixes: [] });

    const receipt = await applyRole(doc({ dryRun: true, boundary: w.boundary }), deps(w));

    expect(receipt).toMatchObject({ action: 'planned', details: { plannedAction: 'update' } });
    expect(receipt.changes).toEqual([
      `would replace the trust policy of role ${ROLE} with SAML federation through ${PROVIDER}`,
      `would change the max session duration of role ${ROLE} from 3600 s to 43200 s`,
      `would set the permissions boundary of role ${ROLE} to ${w.boundary}`,
    ]);
    expect(operations(w.account, 'iam')).toEqual(['GetRole']);
    expect(operations(w.account, 's3')).toEqual([]);
    expect(w.account.snapshot({ excludePrefixes: [] })).toEqual(before);
  });

  it('plans no change in a dry run when the role already matches', async () => {
    const w = await accountForRoleStep();
    await existingRole(w);

    await expect(applyRole(doc({ dryRun: true }), deps(w))).resolves.toMatchObject({
      action: 'planned',
      changes: [],
      details: { plannedAction: 'none' },
    });
    expect(operations(w.account, 'iam')).toEqual(['GetRole']);
  });
});

describe('applyRole retried by the state machine after an earlier attempt of this execution', () => {
  /** Runs the step once with the fault given, as the attempt the state machine retries; the log then holds only the retry. */
  async function earlierAttemptFailed(w: RoleStepAccount, input: ExecutionDocument = doc()): Promise<void> {
    await expect(applyRole(input, deps(w))).rejects.toMatchObject({ name: 'ServiceFailureException' });
    w.account.clearCalls();
  }

  it('reports the role its earlier attempt created as created, with no write, so the revert deletes it', async () => {
    const w = await accountForRoleStep();
    w.account.faults.inject({ operation: 'CreateRole', error: 'ServiceFailure', afterEffect: true });
    await earlierAttemptFailed(w);
    const roleId = roleIn(w)!.roleId;

    const receipt = await applyRole(doc(), deps(w));

    expect(receipt).toEqual({
      step: 'role',
      action: 'created',
      arn: ROLE_ARN,
      changes: [`created role ${ROLE} trusting ${PROVIDER} (max session 43200 s)`],
      details: { roleName: ROLE, roleId, providerArn: PROVIDER },
      footprint: journalEntry(w.account, 'role')?.footprint,
    });
    expect(operations(w.account, 'iam')).toEqual(['GetRole']);
    expect(operations(w.account, 'records')).not.toContain('PutItem');
  });

  it('finishes the settings of the role its earlier attempt created, still reporting it as created', async () => {
    // Another actor changed the new role between the attempts; the retry brings it back in line without journaling.
    const w = await accountForRoleStep();
    w.account.faults.inject({ operation: 'CreateRole', error: 'ServiceFailure', afterEffect: true });
    await earlierAttemptFailed(w);
    await w.account.seed(({ iam }) => iam.send(new UpdateRoleCommand({ RoleName: ROLE, MaxSessionDuration: 3600 })));

    await expect(applyRole(doc(), deps(w))).resolves.toMatchObject({ action: 'created' });
    expect(iamWrites(w.account)).toEqual(['UpdateRole']);
    // Journalled again before the write, under this attempt's lease; the entry still says the role was created.
    expect(operations(w.account, 'records')).toEqual(['GetItem', 'GetItem', 'PutItem']);
    expect(journalEntry(w.account, 'role')?.previous).toBeUndefined();
    expect(roleIn(w)).toMatchObject({ maxSessionDuration: 43200 });
  });

  it('creates the role when the earlier attempt journaled the creation but never made it, journaling again under its lease', async () => {
    const w = await accountForRoleStep();
    w.account.faults.inject({ operation: 'CreateRole', error: 'ServiceFailure' });
    await earlierAttemptFailed(w);

    const receipt = await applyRole(doc(), deps(w));

    expect(receipt).toMatchObject({ action: 'created', details: { roleId: roleIn(w)!.roleId } });
    expect(operations(w.account, 'iam')).toEqual(['GetRole', 'CreateRole']);
    // The entry still says the role did not exist before the execution.
    expect(operations(w.account, 'records')).toEqual(['GetItem', 'GetItem', 'PutItem']);
    expect(journalEntry(w.account, 'role')?.previous).toBeUndefined();
  });

  it('reports the update its earlier attempt made as updated, with the settings from before the execution as previous', async () => {
    // Both writes went through; the answer of the last one (UpdateRole) was lost.
    const w = await accountForRoleStep();
    await existingRole(w, { trustPolicy: OLD_TRUST, maxSessionDuration: 3600 });
    w.account.faults.inject({ operation: 'UpdateRole', error: 'ServiceFailure', afterEffect: true });
    await earlierAttemptFailed(w);

    const receipt = await applyRole(doc(), deps(w));

    expect(receipt).toMatchObject({
      action: 'updated',
      arn: ROLE_ARN,
      previous: { trustPolicy: OLD_TRUST, maxSessionDuration: 3600 },
      changes: [
        `replaced the trust policy of role ${ROLE} with SAML federation through ${PROVIDER}`,
        `changed the max session duration of role ${ROLE} from 3600 s to 43200 s`,
      ],
    });
    expect(operations(w.account, 'iam')).toEqual(['GetRole']);
    expect(operations(w.account, 'records')).not.toContain('PutItem');
  });

  it('finishes the writes the earlier attempt did not get to, keeping the journaled previous settings', async () => {
    // The trust policy was replaced; UpdateRole then failed, so the session duration was not changed yet.
    const w = await accountForRoleStep();
    await existingRole(w, { trustPolicy: OLD_TRUST, maxSessionDuration: 3600 });
    w.account.faults.inject({ operation: 'UpdateRole', error: 'ServiceFailure' });
    await earlierAttemptFailed(w);

    const receipt = await applyRole(doc(), deps(w));

    expect(receipt).toMatchObject({ action: 'updated', previous: { trustPolicy: OLD_TRUST, maxSessionDuration: 3600 } });
    expect(operations(w.account, 'iam')).toEqual(['GetRole', 'UpdateRole']);
    // Journalled again before the write, under this attempt's lease, keeping the first attempt's previous settings.
    expect(operations(w.account, 'records')).toEqual(['GetItem', 'GetItem', 'PutItem']);
    expect(journalEntry(w.account, 'role')?.previous).toEqual({ trustPolicy: OLD_TRUST, maxSessionDuration: 3600 });
    expect(roleIn(w)).toMatchObject({ trustPolicy: federationTrustPolicy(PROVIDER), maxSessionDuration: 43200 });
  });

  it('reports the boundary its earlier attempt replaced with the boundary from before the execution', async () => {
    // PutRolePermissionsBoundary went through and its answer was lost: the role already has the new boundary.
    const w = await accountForRoleStep();
    await existingRole(w, { permissionsBoundaryArn: w.oldBoundary });
    w.account.faults.inject({ operation: 'PutRolePermissionsBoundary', error: 'ServiceFailure', afterEffect: true });
    await earlierAttemptFailed(w, doc({ boundary: w.boundary }));

    const receipt = await applyRole(doc({ boundary: w.boundary }), deps(w));

    expect(receipt).toMatchObject({
      action: 'updated',
      previous: { permissionsBoundaryArn: w.oldBoundary },
      changes: [`set the permissions boundary of role ${ROLE} to ${w.boundary} (was ${w.oldBoundary})`],
    });
    expect(iamWrites(w.account)).toEqual([]);
  });

  it('does not claim a matching role that another execution created since the journaled creation', async () => {
    const w = await accountForRoleStep();
    w.account.faults.inject({ operation: 'CreateRole', error: 'ServiceFailure' });
    await earlierAttemptFailed(w);
    await existingRole(w, { tags: tagsOfExecution('exec-other') });

    await expect(applyRole(doc(), deps(w))).resolves.toMatchObject({ action: 'unchanged' });
    expect(operations(w.account, 'iam')).toEqual(['GetRole']);
  });

  it('does not claim an untagged role someone created since the journaled creation (its tags read with ListRoleTags)', async () => {
    // IAM's GetRole leaves Tags out for a role without tags; the step then asks ListRoleTags, which finds none.
    const w = await accountForRoleStep();
    w.account.faults.inject({ operation: 'CreateRole', error: 'ServiceFailure' });
    await earlierAttemptFailed(w);
    await existingRole(w, { tags: [] });

    await expect(applyRole(doc(), deps(w))).resolves.toMatchObject({ action: 'unchanged' });
    expect(operations(w.account, 'iam')).toEqual(['GetRole', 'ListRoleTags']);
  });
});
