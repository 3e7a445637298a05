import { accountForConfig, simulatedServices } from '../../local/simulated-services';
import { runLocalCleanup } from '../helpers/cleanup';
import { crossAccountConfig, execute, mappedAttributes, ROLE_ATTRIBUTE, resources, TARGET_ACCOUNT } from './workflow-harness';

describe('a profile whose IAM resources live in another account', () => {
  it('creates the provider, role and policy in the target account only, and maps the target ARNs', async () => {
    const account = accountForConfig(crossAccountConfig);
    const before = account.snapshot();
    const result = await execute(account, { config: crossAccountConfig });
    expect({ status: result.status, error: result.error, cause: result.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    const after = account.snapshot();
    expect(after.iam).toEqual(before.iam);
    const target = after.accounts[TARGET_ACCOUNT]!;
    expect(Object.keys(target.samlProviders)).toEqual([`arn:aws:iam::${TARGET_ACCOUNT}:saml-provider/AmazonConnectAdminAccess`]);
    expect(Object.keys(target.roles)).toContain('AmazonConnectAdminAccessRole');
    expect(Object.keys(target.policies)).toEqual([`arn:aws:iam::${TARGET_ACCOUNT}:policy/AmazonConnectSSOPolicy`]);
    expect(mappedAttributes(account)[ROLE_ATTRIBUTE]).toEqual([
      `arn:aws:iam::${TARGET_ACCOUNT}:role/AmazonConnectAdminAccessRole,arn:aws:iam::${TARGET_ACCOUNT}:saml-provider/AmazonConnectAdminAccess`,
    ]);
  });

  it('a stopped execution is cleaned up in the target account, as the deployed cleanup invokes the revert functions', async () => {
    const account = accountForConfig(crossAccountConfig);
    const before = resources(account);
    const stopped = await execute(account, {
      config: crossAccountConfig,
      stop: { state: 'Attach permissions policy', when: 'after', status: 'ABORTED' },
    });
    expect(stopped.status).toBe('ABORTED');
    expect(Object.keys(account.snapshot().accounts[TARGET_ACCOUNT]!.samlProviders)).toHaveLength(1);
    const cleanup = await runLocalCleanup(stopped, { services: simulatedServices(account), config: crossAccountConfig });
    expect(cleanup.action).toBe('rolled-back');
    const { lockTable: _after, ...after } = resources(account);
    const { lockTable: _before, ...expected } = before;
    expect(after).toEqual(expected);
    // The reverts worked through the revert role, each session named after the execution.
    expect(
      account.calls.filter((c) => c.service === 'sts').map((c) => (c.input as { RoleArn: string; RoleSessionName: string }).RoleArn.split('/')[1]),
    ).toEqual(expect.arrayContaining(['connect-saml-federation-target-revert']));
  });
});
