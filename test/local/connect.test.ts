import type { FederationConfig } from '../../lambdas/shared/profile';
import type { SimulatedAccount } from '../../simulated-account';
import { admin, config, connectUsersConfig, crossAccountConfig, execute, resources, startingAccount, TARGET_ACCOUNT } from './workflow-harness';

/**
 * The profile's Amazon Connect instance is read before anything changes, in the pipeline's account or, for a profile
 * in another account, through that account's read role: an instance that is missing, not ACTIVE or not SAML, or in
 * another account than the profile's role, fails the execution at Intake with a named error, and nothing changes.
 */
async function refused(configuration: FederationConfig, arrange: (account: SimulatedAccount, instanceArn: string) => void, error: string) {
  const account = await startingAccount('empty account', {}, configuration);
  const instanceArn = configuration.profiles.admin!.policy.connectInstanceArn!;
  arrange(account, instanceArn);
  const before = resources(account);
  const result = await execute(account, { config: configuration });
  expect({ status: result.status, error: result.error }).toEqual({ status: 'FAILED', error });
  expect(account.mutatingCalls({ service: ['iam', 'swb', 'sso-admin', 'connect'] })).toEqual([]);
  expect(resources(account)).toEqual(before);
  return String(result.cause);
}

describe.each([
  ['in the pipeline account', config],
  ['in another account, through its read role', crossAccountConfig],
] as const)("the profile's Connect instance %s", (_where, configuration) => {
  it('must exist: Connect.InstanceNotFound says where to copy its ARN from', async () => {
    const cause = await refused(configuration, (account, arn) => account.reshapeConnectInstance(arn, undefined), 'Connect.InstanceNotFound');
    expect(cause).toMatch(/Instance ARN/);
  });

  it('must use SAML identity management: Connect.NotSamlInstance says it cannot be changed', async () => {
    const cause = await refused(
      configuration,
      (account, arn) => account.reshapeConnectInstance(arn, { identityManagementType: 'CONNECT_MANAGED' }),
      'Connect.NotSamlInstance',
    );
    expect(cause).toMatch(/cannot be changed/);
  });

  it('must be ACTIVE: Connect.InstanceNotActive', async () => {
    await refused(
      configuration,
      (account, arn) => account.reshapeConnectInstance(arn, { status: 'CREATION_IN_PROGRESS' }),
      'Connect.InstanceNotActive',
    );
  });
});

it("refuses an instance in another account than the profile's role, naming the fields (Connect.WrongAccount)", async () => {
  const elsewhere: FederationConfig = {
    ...config,
    profiles: {
      ...config.profiles,
      admin: {
        ...admin,
        policy: { ...admin.policy, connectInstanceArn: admin.policy.connectInstanceArn!.replace(':111122223333:', `:${TARGET_ACCOUNT}:`) },
      },
    },
  };
  const cause = await refused(elsewhere, () => undefined, 'Connect.WrongAccount');
  expect(cause).toMatch(/policy\.connectInstanceArn.*account 222222222222.*set the profile's account to 222222222222/);
});

describe('Connect users, through the state machine', () => {
  it('names in the result and the notification each person the profile assigns who has no Connect user, and provisions anyway', async () => {
    const account = await startingAccount('empty account');
    account.addIdentityStoreUser('late.joiner@example.com');
    account.addIdentityStoreMember('Amazon Connect administrators', 'late.joiner@example.com');
    const result = await execute(account);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output?.receipts?.connectUsers?.notices).toEqual([
      '1 of 2 people the profile assigns have a Connect user',
      'no Connect user "late.joiner@example.com" for late.joiner@example.com (group "Amazon Connect administrators"): add it in Amazon Connect (Users > User management), or set connectUsers.create',
    ]);
    expect(account.notifications.messages.at(-1)?.message).toContain('! no Connect user "late.joiner@example.com"');
  });

  it('with connectUsers.create, creates the missing user, and a later failure deletes it again', async () => {
    const account = await startingAccount('empty account', {}, connectUsersConfig);
    const before = resources(account);
    account.faults.inject({ service: 'swb', operation: 'UpdateApplicationInstanceResponseConfiguration', error: 'Mapping.AccessDenied' });
    const result = await execute(account, { config: connectUsersConfig });
    expect({ status: result.status, error: result.error }).toEqual({ status: 'FAILED', error: 'Provisioning.RolledBack' });
    expect(resources(account)).toEqual(before);
    expect(account.mutatingCalls({ service: 'connect' }).map((call) => `${call.operation} ${call.outcome}`)).toEqual([
      'CreateUser ok',
      'DeleteUser ok',
    ]);
  });
});
