import { accountForConfig } from '../../local/simulated-services';
import { crossAccountConfig, execute, mappedAttributes, ROLE_ATTRIBUTE, TARGET_ACCOUNT } from './workflow-harness';

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
});
