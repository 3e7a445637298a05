import 'aws-sdk-client-mock-jest';
import {
  DeleteRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  NoSuchEntityException,
  PutRolePermissionsBoundaryCommand,
  type Role,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { applyRole } from '../../../lambdas/role/apply';
import { revertRole } from '../../../lambdas/role/revert';
import type { RolePrevious } from '../../../lambdas/role/role';
import { federationTrustPolicy } from '../../../lambdas/role/trust-policy';
import type { ExecutionDocument, Receipt } from '../../../lambdas/shared/document';
import { pipelineTags } from '../../../lambdas/shared/tags';
import { exampleProfile, makeDocument } from '../../helpers/document';
import { commandNames, serveObject } from '../identity-provider/fixtures';
import { FakeAccount } from './fake-account';

const iamMock = mockClient(IAMClient);
const s3Mock = mockClient(S3Client);
const meta = { $metadata: {} };
const deps = () => ({ iam: new IAMClient({}), s3: new S3Client({}) });
const ROLE = 'ConnectAdminFederation';
const ROLE_ARN = `arn:aws:iam::111122223333:role/${ROLE}`;
const PROVIDER = 'arn:aws:iam::111122223333:saml-provider/ConnectAdminIdP';
const OLD_PROVIDER = 'arn:aws:iam::111122223333:saml-provider/OldIdP';
const BOUNDARY = 'arn:aws:iam::111122223333:policy/FederationBoundary';
const CONNECT_POLICY = 'arn:aws:iam::111122223333:policy/AmazonConnectSSOPolicy';
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const NEW_TRUST = JSON.stringify(federationTrustPolicy(PROVIDER));
const OLD_TRUST = JSON.stringify(federationTrustPolicy(OLD_PROVIDER));
const JOURNAL_KEY = 'journal/exec-0001/role.json';

const ourTags = () => pipelineTags(makeDocument().request);
const earlierExecutionTags = () => pipelineTags(makeDocument({ request: { executionName: 'exec-earlier' } }).request);

function withReceipt(receipt: Partial<Receipt<RolePrevious>>): ExecutionDocument {
  return makeDocument({
    receipts: {
      role: { step: 'role', action: 'created', arn: ROLE_ARN, changes: [], details: { roleName: ROLE, roleId: 'AROANEW00000000000001' }, ...receipt },
    },
    failure: { Error: 'States.TaskFailed', Cause: 'a later step failed' },
  });
}

function role(overrides: Partial<Role> = {}): void {
  iamMock.on(GetRoleCommand, { RoleName: ROLE }).resolves({
    Role: {
      RoleName: ROLE,
      RoleId: 'AROANEW00000000000001',
      Arn: ROLE_ARN,
      Path: '/',
      CreateDate: new Date(0),
      AssumeRolePolicyDocument: encodeURIComponent(NEW_TRUST),
      MaxSessionDuration: 43200,
      Tags: ourTags(),
      ...overrides,
    },
  });
}

function journal(entry: object): void {
  serveObject(
    s3Mock,
    JOURNAL_KEY,
    JSON.stringify({
      step: 'role',
      executionName: 'exec-0001',
      writtenAt: '2026-03-01T12:00:00.000Z',
      intent: [],
      details: { roleName: ROLE },
      ...entry,
    }),
  );
}

const MUTATING = /^(Create|Delete|Detach|Put|Update|Attach|Tag|Untag)/;
const mutations = () => commandNames(iamMock).filter((name) => MUTATING.test(name));

beforeEach(() => {
  iamMock.reset();
  s3Mock.reset();
  s3Mock.on(GetObjectCommand).rejects(new NoSuchKey({ ...meta, message: 'The specified key does not exist.' }));
  iamMock.on(GetRoleCommand).rejects(new NoSuchEntityException({ ...meta, message: 'not found' }));
  iamMock.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [], IsTruncated: false });
  iamMock.on(ListRolePoliciesCommand).resolves({ PolicyNames: [], IsTruncated: false });
  for (const command of [
    DeleteRoleCommand,
    DetachRolePolicyCommand,
    DeleteRolePolicyCommand,
    UpdateAssumeRolePolicyCommand,
    UpdateRoleCommand,
    PutRolePermissionsBoundaryCommand,
    DeleteRolePermissionsBoundaryCommand,
  ]) {
    iamMock.on(command as never).resolves({} as never);
  }
});

describe('revertRole for a role this execution created', () => {
  it('detaches every managed policy (all pages), deletes inline policies, then deletes the role', async () => {
    role();
    iamMock
      .on(ListAttachedRolePoliciesCommand, { RoleName: ROLE })
      .resolvesOnce({ AttachedPolicies: [{ PolicyArn: CONNECT_POLICY }], IsTruncated: true, Marker: 'm1' })
      .resolvesOnce({ AttachedPolicies: [{ PolicyArn: READ_ONLY }], IsTruncated: false });
    iamMock.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['inline-extra'], IsTruncated: false });

    const report = await revertRole(withReceipt({ action: 'created' }), deps());

    expect(report.action).toBe('deleted');
    expect(iamMock).toHaveReceivedNthCommandWith(3, ListAttachedRolePoliciesCommand, { RoleName: ROLE, Marker: 'm1' });
    expect(mutations()).toEqual(['DetachRolePolicyCommand', 'DetachRolePolicyCommand', 'DeleteRolePolicyCommand', 'DeleteRoleCommand']);
    expect(iamMock.commandCalls(DetachRolePolicyCommand).map((call) => call.args[0].input.PolicyArn)).toEqual([CONNECT_POLICY, READ_ONLY]);
    expect(iamMock).toHaveReceivedCommandWith(DeleteRolePolicyCommand, { RoleName: ROLE, PolicyName: 'inline-extra' });
    expect(iamMock).toHaveReceivedCommandWith(DeleteRoleCommand, { RoleName: ROLE });
  });

  it('reads the tags with ListRoleTags when GetRole does not return them', async () => {
    role({ Tags: undefined });
    iamMock.on(ListRoleTagsCommand).resolves({ Tags: ourTags(), IsTruncated: false });

    await expect(revertRole(withReceipt({ action: 'created' }), deps())).resolves.toMatchObject({ action: 'deleted' });
    expect(iamMock).toHaveReceivedCommandWith(ListRoleTagsCommand, { RoleName: ROLE });
  });

  it('never deletes a role whose tags name another execution', async () => {
    role({ Tags: earlierExecutionTags() });

    const report = await revertRole(withReceipt({ action: 'created' }), deps());

    expect(report).toMatchObject({ action: 'nothing-to-do', changes: [expect.stringMatching(/its tags do not name execution exec-0001/)] });
    expect(mutations()).toEqual([]);
  });

  it('never deletes a role with another role ID than the one it created', async () => {
    role({ RoleId: 'AROASOMEONEELSE000001' });

    await expect(revertRole(withReceipt({ action: 'created' }), deps())).resolves.toMatchObject({ action: 'nothing-to-do' });
    expect(mutations()).toEqual([]);
  });

  it('has nothing to do when the role is already gone', async () => {
    await expect(revertRole(withReceipt({ action: 'created' }), deps())).resolves.toMatchObject({ action: 'nothing-to-do' });
    expect(commandNames(iamMock)).toEqual(['GetRoleCommand']);
  });
});

describe('revertRole for a role that existed before', () => {
  it('puts back the previous trust policy, max session duration and boundary, never deleting the role', async () => {
    role({ Tags: [], PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: BOUNDARY } });
    const previous = { trustPolicy: OLD_TRUST, maxSessionDuration: 3600, permissionsBoundaryArn: 'arn:aws:iam::111122223333:policy/OldBoundary' };

    const report = await revertRole(withReceipt({ action: 'updated', previous }), deps());

    expect(report.action).toBe('restored');
    expect(iamMock).toHaveReceivedCommandWith(UpdateAssumeRolePolicyCommand, { RoleName: ROLE, PolicyDocument: OLD_TRUST });
    expect(iamMock).toHaveReceivedCommandWith(UpdateRoleCommand, { RoleName: ROLE, MaxSessionDuration: 3600 });
    expect(iamMock).toHaveReceivedCommandWith(PutRolePermissionsBoundaryCommand, {
      RoleName: ROLE,
      PermissionsBoundary: previous.permissionsBoundaryArn,
    });
    expect(iamMock).not.toHaveReceivedCommand(DeleteRoleCommand);
  });

  it('takes off a boundary the role did not have before', async () => {
    role({ Tags: [], PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: BOUNDARY } });

    await revertRole(withReceipt({ action: 'updated', previous: { permissionsBoundaryArn: null } }), deps());

    expect(mutations()).toEqual(['DeleteRolePermissionsBoundaryCommand']);
  });

  it('writes nothing when the role already has its previous settings (second revert), comparing the URL-encoded trust policy', async () => {
    role({ Tags: [], AssumeRolePolicyDocument: encodeURIComponent(OLD_TRUST), MaxSessionDuration: 3600 });

    const report = await revertRole(
      withReceipt({ action: 'updated', previous: { trustPolicy: OLD_TRUST, maxSessionDuration: 3600, permissionsBoundaryArn: null } }),
      deps(),
    );

    expect(report.action).toBe('nothing-to-do');
    expect(commandNames(iamMock)).toEqual(['GetRoleCommand']);
  });

  it('reports the settings it could not restore when the role has been deleted since', async () => {
    await expect(revertRole(withReceipt({ action: 'updated', previous: { trustPolicy: OLD_TRUST } }), deps())).rejects.toMatchObject({
      name: 'Role.Vanished',
      message: expect.stringContaining('OldIdP'),
    });
  });

  it('makes no call at all when the apply step only planned (a dry run never journals)', async () => {
    await expect(revertRole(withReceipt({ action: 'planned' }), deps())).resolves.toMatchObject({ action: 'nothing-to-do' });
    expect(iamMock.calls()).toHaveLength(0);
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it('touches no role when the apply step was unchanged and no attempt of it journaled a change', async () => {
    await expect(revertRole(withReceipt({ action: 'unchanged' }), deps())).resolves.toMatchObject({
      action: 'nothing-to-do',
      changes: ['the Role step changed nothing (unchanged)'],
    });
    expect(iamMock.calls()).toHaveLength(0);
    expect(commandNames(s3Mock)).toEqual(['GetObjectCommand']);
  });

  it('restores the journaled settings when the receipt says unchanged but an earlier attempt updated the role', async () => {
    journal({ previous: { trustPolicy: OLD_TRUST } });
    role({ Tags: [] });

    await expect(revertRole(withReceipt({ action: 'unchanged' }), deps())).resolves.toMatchObject({ action: 'restored' });
    expect(iamMock).toHaveReceivedCommandWith(UpdateAssumeRolePolicyCommand, { RoleName: ROLE, PolicyDocument: OLD_TRUST });
  });

  it('deletes the role an earlier attempt created when the receipt says unchanged but the journal says created', async () => {
    journal({});
    role();

    await expect(revertRole(withReceipt({ action: 'unchanged' }), deps())).resolves.toMatchObject({ action: 'deleted' });
    expect(mutations()).toEqual(['DeleteRoleCommand']);
  });
});

describe('revertRole without a receipt (the apply step threw)', () => {
  const failedDoc = () => makeDocument({ failure: { Error: 'ServiceFailureException', Cause: 'Role failed' } });

  it('has nothing to do when there is no journal entry either', async () => {
    await expect(revertRole(failedDoc(), deps())).resolves.toMatchObject({ action: 'nothing-to-do' });
    expect(iamMock.calls()).toHaveLength(0);
  });

  it('deletes exactly the role CreateRole made before the Lambda died', async () => {
    journal({});
    role();

    await expect(revertRole(failedDoc(), deps())).resolves.toMatchObject({ action: 'deleted' });
    expect(mutations()).toEqual(['DeleteRoleCommand']);
  });

  it('leaves a role someone else created meanwhile, though the journal says it was about to create one', async () => {
    journal({});
    role({ Tags: [] });

    await expect(revertRole(failedDoc(), deps())).resolves.toMatchObject({ action: 'nothing-to-do' });
    expect(mutations()).toEqual([]);
  });

  it('restores the trust policy from the journal when the update went through', async () => {
    journal({ previous: { trustPolicy: OLD_TRUST } });
    role({ Tags: [] });

    await expect(revertRole(failedDoc(), deps())).resolves.toMatchObject({ action: 'restored' });
    expect(mutations()).toEqual(['UpdateAssumeRolePolicyCommand']);
  });
});

describe('apply then revert leaves the account as it started', () => {
  const account = () => {
    const fake = new FakeAccount();
    fake.install(iamMock, s3Mock);
    fake.providers.set(PROVIDER, { document: '<md/>', tags: [] });
    fake.providers.set(OLD_PROVIDER, { document: '<md/>', tags: [] });
    return fake;
  };
  const preExisting = (fake: FakeAccount) =>
    fake.roles.set(ROLE, {
      roleId: 'AROAEXISTING000000001',
      path: '/',
      trustPolicy: OLD_TRUST,
      maxSessionDuration: 3600,
      tags: [{ Key: 'team', Value: 'cc' }],
      attached: [READ_ONLY],
      inline: {},
    });
  const matching = (fake: FakeAccount) =>
    fake.roles.set(ROLE, {
      roleId: 'AROAEXISTING000000001',
      path: '/',
      trustPolicy: NEW_TRUST,
      maxSessionDuration: 43200,
      permissionsBoundaryArn: BOUNDARY,
      tags: [],
      attached: [],
      inline: {},
    });
  const input = () => {
    const profile = exampleProfile('admin');
    profile.role = { ...profile.role, permissionsBoundaryArn: BOUNDARY };
    return makeDocument({ profile, receipts: { identityProvider: { step: 'identityProvider', action: 'created', arn: PROVIDER, changes: [] } } });
  };
  const applied = async (doc: ExecutionDocument) => {
    const receipt = await applyRole(doc, { ...deps(), sleep: async () => undefined }).catch(() => undefined);
    return { ...doc, receipts: { ...doc.receipts, ...(receipt ? { role: receipt } : {}) } };
  };

  beforeEach(() => {
    iamMock.reset();
    s3Mock.reset();
  });

  it.each([
    ['no role existed', () => undefined],
    ['a role with another trust policy, session length and no boundary existed', preExisting],
    ['a matching role existed', matching],
  ])('when %s, and a second revert is a no-op', async (_case, arrange) => {
    const fake = account();
    arrange(fake);
    const before = fake.iamState();

    const doc = await applied(input());
    expect(doc.receipts.role).toBeDefined();
    await revertRole(doc, deps());
    expect(fake.iamState()).toEqual(before);

    iamMock.resetHistory();
    await expect(revertRole(doc, deps())).resolves.toMatchObject({ action: 'nothing-to-do' });
    expect(mutations()).toEqual([]);
  });

  it('when the new provider was refused as principal twice before CreateRole went through', async () => {
    const fake = account();
    fake.refusePrincipal = 2;
    const before = fake.iamState();

    const doc = await applied(input());
    expect(doc.receipts.role).toMatchObject({ action: 'created' });
    await revertRole(doc, deps());

    expect(fake.iamState()).toEqual(before);
  });

  it('when the Policy step attached policies to the created role before a later failure', async () => {
    const fake = account();
    const before = fake.iamState();
    const doc = await applied(input());
    fake.roles.get(ROLE)!.attached.push(CONNECT_POLICY);

    await expect(revertRole(doc, deps())).resolves.toMatchObject({ action: 'deleted' });

    expect(fake.iamState()).toEqual(before);
  });

  it.each([
    ['CreateRole took effect but its response was lost', 'CreateRoleCommand', 'after', () => undefined],
    ['CreateRole failed', 'CreateRoleCommand', 'before', () => undefined],
    ['the trust policy update took effect but its response was lost', 'UpdateAssumeRolePolicyCommand', 'after', preExisting],
    ['UpdateRole failed after the trust policy was replaced', 'UpdateRoleCommand', 'before', preExisting],
    ['the boundary was set but its response was lost', 'PutRolePermissionsBoundaryCommand', 'after', preExisting],
    ['the journal write failed', 'PutObjectCommand', 'before', preExisting],
  ] as const)('when apply threw because %s', async (_case, command, when, arrange) => {
    const fake = account();
    arrange(fake);
    const before = fake.iamState();
    fake.failOnce(command, when);

    const doc = await applied(input());
    expect(doc.receipts.role).toBeUndefined();
    await revertRole(doc, deps());

    expect(fake.iamState()).toEqual(before);
  });

  it.each([
    ['CreateRole', 'no role existed', 'created', 'CreateRoleCommand', () => undefined, 'deleted'],
    ['the journal write before CreateRole', 'no role existed', 'created', 'PutObjectCommand', () => undefined, 'deleted'],
    ['the trust policy update', 'a role with other settings existed', 'updated', 'UpdateAssumeRolePolicyCommand', preExisting, 'restored'],
    [
      'UpdateRole (after the trust policy was replaced)',
      'a role with other settings existed',
      'updated',
      'UpdateRoleCommand',
      preExisting,
      'restored',
    ],
    [
      'the permissions boundary (the last write)',
      'a role with other settings existed',
      'updated',
      'PutRolePermissionsBoundaryCommand',
      preExisting,
      'restored',
    ],
  ] as const)(
    'when %s succeeded but its answer was lost (%s), the retried apply reports %s and the revert restores the account exactly',
    async (_write, _case, action, command, arrange, reverted) => {
      const fake = account();
      arrange(fake);
      const before = fake.iamState();
      fake.failOnce(command, 'after');

      await expect(applyRole(input(), { ...deps(), sleep: async () => undefined })).rejects.toMatchObject({ name: 'ServiceFailureException' });
      const receipt = await applyRole(input(), { ...deps(), sleep: async () => undefined });
      expect(receipt.action).toBe(action);
      if (action === 'updated') expect(receipt.previous).toEqual({ trustPolicy: OLD_TRUST, maxSessionDuration: 3600, permissionsBoundaryArn: null });

      const doc = {
        ...input(),
        receipts: { ...input().receipts, role: receipt },
        failure: { Error: 'States.TaskFailed', Cause: 'a later step failed' },
      };
      await expect(revertRole(doc, deps())).resolves.toMatchObject({ action: reverted });
      expect(fake.iamState()).toEqual(before);

      iamMock.resetHistory();
      await expect(revertRole(doc, deps())).resolves.toMatchObject({ action: 'nothing-to-do' });
      expect(mutations()).toEqual([]);
    },
  );

  it('when the revert itself fails half-way and the state machine retries it', async () => {
    const fake = account();
    const before = fake.iamState();
    const doc = await applied(input());
    fake.roles.get(ROLE)!.attached.push(CONNECT_POLICY);
    fake.failOnce('DetachRolePolicyCommand', 'after');

    await expect(revertRole(doc, deps())).rejects.toMatchObject({ name: 'ServiceFailureException' });
    await revertRole(doc, deps());

    expect(fake.iamState()).toEqual(before);
  });
});
