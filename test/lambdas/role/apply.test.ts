import 'aws-sdk-client-mock-jest';
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  GetRoleCommand,
  IAMClient,
  MalformedPolicyDocumentException,
  NoSuchEntityException,
  PutRolePermissionsBoundaryCommand,
  type Role,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { applyRole } from '../../../lambdas/role/apply';
import { PRINCIPAL_RETRY_DELAYS_MS } from '../../../lambdas/role/role';
import { federationTrustPolicy } from '../../../lambdas/role/trust-policy';
import type { ExecutionDocument } from '../../../lambdas/shared/document';
import { pipelineTags } from '../../../lambdas/shared/tags';
import { exampleProfile, makeDocument } from '../../helpers/document';
import { commandNames, serveObject } from '../identity-provider/fixtures';

const iamMock = mockClient(IAMClient);
const s3Mock = mockClient(S3Client);
const meta = { $metadata: {} };
const PROVIDER = 'arn:aws:iam::111122223333:saml-provider/ConnectAdminIdP';
const ROLE_ARN = 'arn:aws:iam::111122223333:role/ConnectAdminFederation';
const BOUNDARY = 'arn:aws:iam::111122223333:policy/FederationBoundary';
const OLD_BOUNDARY = 'arn:aws:iam::111122223333:policy/OldBoundary';
const JOURNAL_KEY = 'journal/exec-0001/role.json';
const OLD_TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::111122223333:saml-provider/OldIdP' }, Action: 'sts:AssumeRoleWithSAML' }],
};

let sleeps: number[];
const deps = () => ({
  iam: new IAMClient({}),
  s3: new S3Client({}),
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

function existingRole(overrides: Partial<Role> = {}): void {
  iamMock.on(GetRoleCommand, { RoleName: 'ConnectAdminFederation' }).resolves({
    Role: {
      RoleName: 'ConnectAdminFederation',
      RoleId: 'AROAEXISTING000000001',
      Arn: ROLE_ARN,
      Path: '/',
      CreateDate: new Date('2024-01-01T00:00:00Z'),
      AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(federationTrustPolicy(PROVIDER))),
      MaxSessionDuration: 43200,
      Tags: [{ Key: 'team', Value: 'contact-center' }],
      ...overrides,
    },
  });
}

const invalidPrincipal = () => new MalformedPolicyDocumentException({ ...meta, message: `Invalid principal in policy: "FEDERATED":"${PROVIDER}"` });

beforeEach(() => {
  sleeps = [];
  iamMock.reset();
  s3Mock.reset();
  iamMock.on(GetRoleCommand).rejects(new NoSuchEntityException({ ...meta, message: 'The role with name ConnectAdminFederation cannot be found.' }));
  iamMock
    .on(CreateRoleCommand)
    .resolves({ Role: { RoleName: 'ConnectAdminFederation', RoleId: 'AROANEW00000000000001', Arn: ROLE_ARN, Path: '/', CreateDate: new Date(0) } });
  s3Mock.on(GetObjectCommand, { Key: JOURNAL_KEY }).rejects(new NoSuchKey({ ...meta, message: 'The specified key does not exist.' }));
  s3Mock.on(PutObjectCommand).resolves({});
});

/** This execution's journal entry, as an earlier attempt of the step left it. */
function earlierAttempt(entry: object): void {
  serveObject(
    s3Mock,
    JOURNAL_KEY,
    JSON.stringify({
      step: 'role',
      executionName: 'exec-0001',
      writtenAt: '2026-03-01T11:59:00.000Z',
      intent: [],
      details: { roleName: 'ConnectAdminFederation', arn: ROLE_ARN },
      ...entry,
    }),
  );
}

describe('applyRole when the role does not exist', () => {
  it('creates it trusting the provider from the IdentityProvider receipt, with the profile settings and the pipeline tags', async () => {
    const input = doc({ boundary: BOUNDARY });

    const receipt = await applyRole(input, deps());

    expect(receipt).toEqual({
      step: 'role',
      action: 'created',
      arn: ROLE_ARN,
      changes: [`created role ConnectAdminFederation trusting ${PROVIDER} (max session 43200 s, permissions boundary ${BOUNDARY})`],
      details: { roleName: 'ConnectAdminFederation', roleId: 'AROANEW00000000000001', providerArn: PROVIDER },
    });
    expect(iamMock).toHaveReceivedCommandWith(CreateRoleCommand, {
      RoleName: 'ConnectAdminFederation',
      Path: '/',
      AssumeRolePolicyDocument: JSON.stringify(federationTrustPolicy(PROVIDER)),
      MaxSessionDuration: 43200,
      PermissionsBoundary: BOUNDARY,
      Tags: pipelineTags(input.request),
      Description: 'SAML 2.0 federation role for profile admin, managed by connect-saml-federation',
    });
    const journal = s3Mock.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(journal.Key).toBe('journal/exec-0001/role.json');
    expect(JSON.parse(String(journal.Body))).toMatchObject({ step: 'role', details: { roleName: 'ConnectAdminFederation' } });
    expect(JSON.parse(String(journal.Body))).not.toHaveProperty('previous');
    expect(s3Mock.commandCalls(PutObjectCommand)[0]!.calledBefore(iamMock.commandCalls(CreateRoleCommand)[0]! as never)).toBe(true);
  });

  it('sends no permissions boundary when the profile sets none', async () => {
    await applyRole(doc(), deps());

    expect(iamMock.commandCalls(CreateRoleCommand)[0]!.args[0].input).not.toHaveProperty('PermissionsBoundary');
  });

  it('retries while IAM does not yet see the new provider as a principal, then succeeds', async () => {
    iamMock
      .on(CreateRoleCommand)
      .rejectsOnce(invalidPrincipal())
      .rejectsOnce(invalidPrincipal())
      .resolves({ Role: { RoleName: 'ConnectAdminFederation', RoleId: 'AROANEW00000000000001', Arn: ROLE_ARN, Path: '/', CreateDate: new Date(0) } });

    await expect(applyRole(doc(), deps())).resolves.toMatchObject({ action: 'created' });

    expect(iamMock).toHaveReceivedCommandTimes(CreateRoleCommand, 3);
    expect(sleeps).toEqual([1000, 2000]);
  });

  it('gives up after about 23 s of retries and rethrows IAM error as it came', async () => {
    iamMock.on(CreateRoleCommand).rejects(invalidPrincipal());

    await expect(applyRole(doc(), deps())).rejects.toMatchObject({
      name: 'MalformedPolicyDocumentException',
      message: expect.stringMatching(/Invalid principal/),
    });

    expect(iamMock).toHaveReceivedCommandTimes(CreateRoleCommand, PRINCIPAL_RETRY_DELAYS_MS.length + 1);
    expect(sleeps).toEqual([...PRINCIPAL_RETRY_DELAYS_MS]);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThan(30_000);
  });

  it('does not retry a malformed policy that is not about the principal', async () => {
    iamMock.on(CreateRoleCommand).rejects(new MalformedPolicyDocumentException({ ...meta, message: 'Syntax errors in policy.' }));

    await expect(applyRole(doc(), deps())).rejects.toMatchObject({ name: 'MalformedPolicyDocumentException' });
    expect(iamMock).toHaveReceivedCommandTimes(CreateRoleCommand, 1);
    expect(sleeps).toEqual([]);
  });

  it('plans the creation in a dry run with GetRole only, using the provider ARN the profile names', async () => {
    const receipt = await applyRole(doc({ dryRun: true, providerReceipt: false }), deps());

    expect(receipt).toMatchObject({
      action: 'planned',
      arn: ROLE_ARN,
      changes: [`would create role ConnectAdminFederation trusting ${PROVIDER} (max session 43200 s)`],
      details: { plannedAction: 'create' },
    });
    expect(commandNames(iamMock)).toEqual(['GetRoleCommand']);
    expect(s3Mock.calls()).toHaveLength(0);
  });
});

describe('applyRole when the role exists', () => {
  it('changes nothing and writes nothing when it already matches (URL-encoded trust policy from IAM)', async () => {
    existingRole();

    const receipt = await applyRole(doc(), deps());

    expect(receipt).toEqual({
      step: 'role',
      action: 'unchanged',
      arn: ROLE_ARN,
      changes: [],
      details: { roleName: 'ConnectAdminFederation', roleId: 'AROAEXISTING000000001', providerArn: PROVIDER },
    });
    expect(commandNames(iamMock)).toEqual(['GetRoleCommand']);
    // The only S3 call reads this execution's (absent) journal entry.
    expect(s3Mock.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Key)).toEqual([JOURNAL_KEY]);
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('replaces a different trust policy in place, keeping the previous one, and never re-creates the role', async () => {
    existingRole({ AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(OLD_TRUST)) });

    const receipt = await applyRole(doc(), deps());

    expect(receipt).toMatchObject({
      action: 'updated',
      arn: ROLE_ARN,
      previous: { trustPolicy: JSON.stringify(OLD_TRUST) },
      details: { roleId: 'AROAEXISTING000000001' },
    });
    expect(iamMock).toHaveReceivedCommandWith(UpdateAssumeRolePolicyCommand, {
      RoleName: 'ConnectAdminFederation',
      PolicyDocument: JSON.stringify(federationTrustPolicy(PROVIDER)),
    });
    expect(commandNames(iamMock)).toEqual(['GetRoleCommand', 'UpdateAssumeRolePolicyCommand']);
    expect(iamMock).not.toHaveReceivedCommand(CreateRoleCommand);
    expect(iamMock).not.toHaveReceivedCommand(DeleteRoleCommand);
    const journal = JSON.parse(String(s3Mock.commandCalls(PutObjectCommand)[0]!.args[0].input.Body));
    expect(journal.previous).toEqual({ trustPolicy: JSON.stringify(OLD_TRUST) });
    expect(s3Mock.commandCalls(PutObjectCommand)[0]!.calledBefore(iamMock.commandCalls(UpdateAssumeRolePolicyCommand)[0]! as never)).toBe(true);
  });

  it('retries the trust policy update while the new provider is not visible yet', async () => {
    existingRole({ AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(OLD_TRUST)) });
    iamMock.on(UpdateAssumeRolePolicyCommand).rejectsOnce(invalidPrincipal()).resolves({});

    await expect(applyRole(doc(), deps())).resolves.toMatchObject({ action: 'updated' });
    expect(iamMock).toHaveReceivedCommandTimes(UpdateAssumeRolePolicyCommand, 2);
  });

  it('changes the max session duration and the permissions boundary, journaling only the fields it changes', async () => {
    existingRole({
      MaxSessionDuration: 3600,
      PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: OLD_BOUNDARY },
    });

    const receipt = await applyRole(doc({ boundary: BOUNDARY }), deps());

    expect(receipt.previous).toEqual({ maxSessionDuration: 3600, permissionsBoundaryArn: OLD_BOUNDARY });
    expect(receipt.changes).toEqual([
      'changed the max session duration of role ConnectAdminFederation from 3600 s to 43200 s',
      `set the permissions boundary of role ConnectAdminFederation to ${BOUNDARY} (was ${OLD_BOUNDARY})`,
    ]);
    expect(iamMock).toHaveReceivedCommandWith(UpdateRoleCommand, { RoleName: 'ConnectAdminFederation', MaxSessionDuration: 43200 });
    expect(iamMock).toHaveReceivedCommandWith(PutRolePermissionsBoundaryCommand, {
      RoleName: 'ConnectAdminFederation',
      PermissionsBoundary: BOUNDARY,
    });
    expect(iamMock).not.toHaveReceivedCommand(UpdateAssumeRolePolicyCommand);
  });

  it('records that the role had no boundary before, so the revert can take the new one off', async () => {
    existingRole();

    await expect(applyRole(doc({ boundary: BOUNDARY }), deps())).resolves.toMatchObject({
      action: 'updated',
      previous: { permissionsBoundaryArn: null },
    });
  });

  it('keeps an existing boundary the profile does not mention, and says so', async () => {
    existingRole({ PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: OLD_BOUNDARY } });

    const receipt = await applyRole(doc(), deps());

    expect(receipt.action).toBe('unchanged');
    expect(receipt.changes).toEqual([expect.stringMatching(new RegExp(`^kept the permissions boundary ${OLD_BOUNDARY} .* never removes one`))]);
    expect(commandNames(iamMock)).toEqual(['GetRoleCommand']);
  });

  it('keeps a role found at another path rather than re-creating it, and says so', async () => {
    existingRole({ Path: '/legacy/', Arn: 'arn:aws:iam::111122223333:role/legacy/ConnectAdminFederation' });

    const receipt = await applyRole(doc(), deps());

    expect(receipt).toMatchObject({ action: 'unchanged', arn: 'arn:aws:iam::111122223333:role/legacy/ConnectAdminFederation' });
    expect(receipt.changes).toEqual([expect.stringMatching(/^kept role ConnectAdminFederation at path \/legacy\//)]);
  });

  it('plans every difference in a dry run with GetRole only', async () => {
    existingRole({ AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(OLD_TRUST)), MaxSessionDuration: 3600 });

    const receipt = await applyRole(doc({ dryRun: true, boundary: BOUNDARY }), deps());

    expect(receipt).toMatchObject({ action: 'planned', details: { plannedAction: 'update' } });
    expect(receipt.changes).toEqual([
      `would replace the trust policy of role ConnectAdminFederation with SAML federation through ${PROVIDER}`,
      'would change the max session duration of role ConnectAdminFederation from 3600 s to 43200 s',
      `would set the permissions boundary of role ConnectAdminFederation to ${BOUNDARY}`,
    ]);
    expect(commandNames(iamMock)).toEqual(['GetRoleCommand']);
    expect(s3Mock.calls()).toHaveLength(0);
  });
});

describe('applyRole retried by the state machine after an earlier attempt of this execution', () => {
  const created = (overrides: Partial<Role> = {}) =>
    existingRole({ RoleId: 'AROANEW00000000000001', Tags: pipelineTags(doc().request), ...overrides });

  it('reports the role its earlier attempt created as created, with no write, so the revert deletes it', async () => {
    earlierAttempt({ intent: ['create role ConnectAdminFederation'] });
    created();

    const receipt = await applyRole(doc(), deps());

    expect(receipt).toEqual({
      step: 'role',
      action: 'created',
      arn: ROLE_ARN,
      changes: [`created role ConnectAdminFederation trusting ${PROVIDER} (max session 43200 s)`],
      details: { roleName: 'ConnectAdminFederation', roleId: 'AROANEW00000000000001', providerArn: PROVIDER },
    });
    expect(commandNames(iamMock)).toEqual(['GetRoleCommand']);
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('creates the role when the earlier attempt journaled the creation but never made it, without journaling again', async () => {
    earlierAttempt({ intent: ['create role ConnectAdminFederation'] });

    await expect(applyRole(doc(), deps())).resolves.toMatchObject({ action: 'created', details: { roleId: 'AROANEW00000000000001' } });
    expect(commandNames(iamMock)).toEqual(['GetRoleCommand', 'CreateRoleCommand']);
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('reports the update its earlier attempt made as updated, with the settings from before the execution as previous', async () => {
    earlierAttempt({ previous: { trustPolicy: JSON.stringify(OLD_TRUST), maxSessionDuration: 3600 } });
    existingRole();

    const receipt = await applyRole(doc(), deps());

    expect(receipt).toMatchObject({
      action: 'updated',
      arn: ROLE_ARN,
      previous: { trustPolicy: JSON.stringify(OLD_TRUST), maxSessionDuration: 3600 },
      changes: [
        `replaced the trust policy of role ConnectAdminFederation with SAML federation through ${PROVIDER}`,
        'changed the max session duration of role ConnectAdminFederation from 3600 s to 43200 s',
      ],
    });
    expect(commandNames(iamMock)).toEqual(['GetRoleCommand']);
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('finishes the writes the earlier attempt did not get to, keeping the journaled previous settings', async () => {
    // The trust policy was replaced before the answer was lost; the session duration was not changed yet.
    earlierAttempt({ previous: { trustPolicy: JSON.stringify(OLD_TRUST), maxSessionDuration: 3600 } });
    existingRole({ MaxSessionDuration: 3600 });

    const receipt = await applyRole(doc(), deps());

    expect(receipt).toMatchObject({ action: 'updated', previous: { trustPolicy: JSON.stringify(OLD_TRUST), maxSessionDuration: 3600 } });
    expect(commandNames(iamMock)).toEqual(['GetRoleCommand', 'UpdateRoleCommand']);
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('does not claim a matching role that another execution created since the journaled creation', async () => {
    earlierAttempt({ intent: ['create role ConnectAdminFederation'] });
    created({ Tags: pipelineTags(makeDocument({ request: { executionName: 'exec-other' } }).request) });

    await expect(applyRole(doc(), deps())).resolves.toMatchObject({ action: 'unchanged' });
    expect(commandNames(iamMock)).toEqual(['GetRoleCommand']);
  });
});
