import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  CreateSAMLProviderCommand,
  DeleteSAMLProviderCommand,
  GetSAMLProviderCommand,
} from '@aws-sdk/client-iam';
import { functionRoleArn, sessionNameOf, targetRoleArn } from '../../lambdas/shared/target-account';
import { accountForConfig } from '../../local/simulated-services';
import { makeMetadataXml } from '../../simulated-account/example-metadata';
import { crossAccountConfig, TARGET_ACCOUNT } from '../local/workflow-harness';

const PIPELINE = '111122223333';
const name = crossAccountConfig.pipelineName;
const caller = (key: string) => functionRoleArn('aws', PIPELINE, name, key);
const session = (access: 'apply' | 'revert' | 'read') => ({
  roleArn: targetRoleArn('aws', TARGET_ACCOUNT, name, access),
  sessionName: sessionNameOf('exec-1'),
});
const createProvider = new CreateSAMLProviderCommand({ Name: 'AmazonConnectAdminAccess', SAMLMetadataDocument: makeMetadataXml() });

describe('the simulated organization', () => {
  it('lets a function role assume the target role of its kind, and logs the calls in the target account', async () => {
    const org = accountForConfig(crossAccountConfig);
    const iam = org.clients(caller('identityProviderApply')).iamIn(session('apply'));
    await iam.send(createProvider);
    expect(Object.keys(org.snapshot().accounts[TARGET_ACCOUNT]!.samlProviders)).toEqual([
      `arn:aws:iam::${TARGET_ACCOUNT}:saml-provider/AmazonConnectAdminAccess`,
    ]);
    expect(org.snapshot().iam.samlProviders).toEqual({});
    expect(org.calls.map((c) => `${c.account} ${c.service}:${c.operation} ${c.outcome}`)).toEqual([
      `${PIPELINE} sts:AssumeRole ok`,
      `${TARGET_ACCOUNT} iam:CreateSAMLProvider ok`,
    ]);
    expect(org.calls[0]!.input).toMatchObject({ RoleSessionName: 'exec-1', SourceIdentity: 'exec-1' });
  });

  it('refuses AssumeRole to a function the target role does not trust, and to an apply function on the revert role', async () => {
    const org = accountForConfig(crossAccountConfig);
    for (const [key, access] of [
      ['intake', 'apply'],
      ['attributeMappingApply', 'apply'],
      ['identityProviderApply', 'revert'],
    ] as const) {
      await expect(org.clients(caller(key)).iamIn(session(access)).send(createProvider)).rejects.toMatchObject({ name: 'AccessDenied' });
    }
    await expect(org.clients().iamIn(session('apply')).send(createProvider)).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(org.snapshot().accounts[TARGET_ACCOUNT]!.samlProviders).toEqual({});
  });

  it('lets an apply session create but not delete, and a revert session delete', async () => {
    const org = accountForConfig(crossAccountConfig);
    const apply = org.clients(caller('identityProviderApply')).iamIn(session('apply'));
    const { SAMLProviderArn } = await apply.send(createProvider);
    await expect(apply.send(new DeleteSAMLProviderCommand({ SAMLProviderArn }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining('iam:DeleteSAMLProvider'),
    });
    const revert = org.clients(caller('identityProviderRevert')).iamIn(session('revert'));
    await revert.send(new DeleteSAMLProviderCommand({ SAMLProviderArn }));
    expect(org.snapshot().accounts[TARGET_ACCOUNT]!.samlProviders).toEqual({});
  });

  it("keeps a session to the names the account's profiles allow, and a session policy narrows it further", async () => {
    const org = accountForConfig(crossAccountConfig);
    const apply = org.clients(caller('identityProviderApply')).iamIn(session('apply'));
    await expect(
      apply.send(new CreateSAMLProviderCommand({ Name: 'AmazonConnectAgentAccess', SAMLMetadataDocument: makeMetadataXml() })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    const narrowed = org.clients(caller('identityProviderApply')).iamIn({
      ...session('apply'),
      sessionName: 'exec-2',
      policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetSAMLProvider', Resource: '*' }] }),
    });
    await expect(narrowed.send(createProvider)).rejects.toMatchObject({ name: 'AccessDenied' });
    // The daily check reads through the read role, and may not assume the apply role.
    await expect(org.clients(caller('dailyCheck')).iamIn(session('apply')).send(createProvider)).rejects.toMatchObject({ name: 'AccessDenied' });
    const reader = org.clients(caller('dailyCheck')).iamIn(session('read'));
    await expect(reader.send(createProvider)).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(
      reader.send(new GetSAMLProviderCommand({ SAMLProviderArn: `arn:aws:iam::${TARGET_ACCOUNT}:saml-provider/AmazonConnectAdminAccess` })),
    ).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  it("holds a session to its policies' conditions: the apply role attaches only the policies the profile names", async () => {
    const org = accountForConfig(crossAccountConfig);
    const apply = org.clients(caller('roleApply')).iamIn(session('apply'));
    await org.clients(caller('identityProviderApply')).iamIn(session('apply')).send(createProvider);
    await apply.send(
      new CreateRoleCommand({
        RoleName: 'AmazonConnectAdminAccessRole',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Federated: `arn:aws:iam::${TARGET_ACCOUNT}:saml-provider/AmazonConnectAdminAccess` },
              Action: 'sts:AssumeRoleWithSAML',
            },
          ],
        }),
      }),
    );
    org.addAwsManagedPolicy('AdministratorAccess');
    const attach = org.clients(caller('policyApply')).iamIn(session('apply'));
    await expect(
      attach.send(
        new AttachRolePolicyCommand({ RoleName: 'AmazonConnectAdminAccessRole', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied', message: expect.stringContaining('iam:AttachRolePolicy') });
  });

  it('throttles each account on its own', async () => {
    const org = accountForConfig(crossAccountConfig, { mutatingCallsPerSecond: 1 });
    const apply = org.clients(caller('identityProviderApply')).iamIn(session('apply'));
    await apply.send(createProvider);
    // The second write within the second is over the target account's rate (checked before the call is applied).
    await expect(apply.send(createProvider)).rejects.toMatchObject({ name: 'Throttling' });
    // The pipeline's own account still has its write.
    await org.clients().iam.send(new CreateSAMLProviderCommand({ Name: 'AmazonConnectAgentAccess', SAMLMetadataDocument: makeMetadataXml() }));
    expect(Object.keys(org.snapshot().iam.samlProviders)).toHaveLength(1);
  });
});
