import { UpdateRoleCommand } from '@aws-sdk/client-iam';
import type { FederationConfig } from '../../lambdas/shared/profile';
import { profileNamed } from '../../lambdas/shared/profile';
import { profileStatus } from '../../local/status';
import { undoExecution } from '../../local/undo';
import type { SimulatedAccount } from '../../simulated-account';
import { config, connectUsersConfig, execute, resources, startingAccount, undoDeps } from './workflow-harness';

const env = (account: SimulatedAccount) => ({ account: account.account, region: account.region, partition: account.partition });

function statusOf(account: SimulatedAccount, configuration: FederationConfig = config) {
  const clients = account.clients();
  return profileStatus(profileNamed(configuration, 'admin'), { ...clients, environment: env(account), now: () => new Date() });
}

describe('status', () => {
  it('says what is missing before the first run, and nothing drifts after it', async () => {
    const account = await startingAccount('empty account');
    expect((await statusOf(account)).drift).toEqual(
      expect.arrayContaining([expect.stringContaining('the SAML provider'), expect.stringContaining('the role')]),
    );
    expect((await execute(account, { fromApplication: true })).status).toBe('SUCCEEDED');
    const status = await statusOf(account);
    expect(status.drift).toEqual([]);
    expect(status.provider.exists).toBe(true);
    expect(status.provider.certificates?.[0]?.notAfter).toMatch(/^\d{4}-/);
    expect(status.role).toMatchObject({ exists: true, trustsProvider: true, maxSessionDuration: 43200 });
    expect(status.policy).toMatchObject({ exists: true, matchesInstance: true, defaultVersionId: 'v1' });
    expect(status.mapping.roleAttribute).toEqual([`${status.role.arn},${status.provider.arn}`]);
    expect(status.signIn).toEqual({ ready: true, line: 'sign-in ready: 9 of 9 checks', details: [] });
  });

  it('names a change made by hand since (drift)', async () => {
    const account = await startingAccount('empty account');
    await execute(account, { fromApplication: true });
    await account.seed(({ iam }) => iam.send(new UpdateRoleCommand({ RoleName: 'AmazonConnectAdminAccessRole', MaxSessionDuration: 3600 })));
    expect((await statusOf(account)).drift).toEqual(["the role's maximum session is 3600 s, the profile asks for 43200 s"]);
  });

  it('names each person the profile assigns who has no Connect user, and counts them as drift when the profile creates users', async () => {
    const account = await startingAccount('empty account');
    await execute(account, { fromApplication: true });
    account.addIdentityStoreUser('late.joiner@example.com');
    account.addIdentityStoreMember('Amazon Connect administrators', 'late.joiner@example.com');
    const status = await statusOf(account);
    expect(status.connectUsers?.present).toEqual(['admin@example.com']);
    expect(status.connectUsers?.lines.join('\n')).toMatch(/1 of 2 people.*\n.*no Connect user "late\.joiner@example\.com"/);
    expect(status.drift).toEqual([]);
    expect((await statusOf(account, connectUsersConfig)).drift).toEqual([
      'no Connect user "late.joiner@example.com" for late.joiner@example.com (group "Amazon Connect administrators")',
    ]);
  });
});

describe('undo', () => {
  it("puts the account back as it was before a past execution, under the profile's lock", async () => {
    const account = await startingAccount('empty account');
    const before = resources(account);
    const done = await execute(account, { fromApplication: true });
    expect(done.status).toBe('SUCCEEDED');
    const result = await undoExecution(done.output!, undoDeps(account));
    expect(result.action).toBe('undone');
    expect(result.reports.map((r) => r.step)).toEqual(['attributeMapping', 'assignments', 'policy', 'role', 'identityProvider']);
    expect(resources(account)).toEqual(before);
  });

  it('refuses, changing nothing, when a later execution changed the role', async () => {
    const account = await startingAccount('empty account');
    const first = await execute(account, { fromApplication: true });
    // A later execution with another maximum session updates the role in place.
    const later: FederationConfig = {
      ...config,
      profiles: { ...config.profiles, admin: { ...config.profiles.admin!, role: { ...config.profiles.admin!.role, maxSessionDuration: 3600 } } },
    };
    expect((await execute(account, { fromApplication: true, config: later })).status).toBe('SUCCEEDED');
    const between = resources(account);
    account.clearCalls();
    const result = await undoExecution(first.output!, undoDeps(account));
    expect(result).toEqual({
      action: 'refused',
      changedSince: ['role AmazonConnectAdminAccessRole: maximum session is now 3600 s, not 43200 s as this execution left it'],
      reports: [],
    });
    expect(resources(account)).toEqual(between);
    expect(account.mutatingCalls()).toEqual([]);
  });

  it('refuses a dry run, which changed nothing', async () => {
    const account = await startingAccount('empty account');
    const planned = await execute(account, { fromApplication: true, dryRun: true });
    expect((await undoExecution(planned.output!, undoDeps(account))).action).toBe('refused');
  });
});
