import {
  type Application,
  DescribeApplicationCommand,
  ListApplicationsCommand,
  ListInstancesCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-sso-admin';
import { SimulatedAccount, swbInstanceId } from '../../simulated-account';
import { ACCOUNT, rejection } from './fixtures';

const RESPONSE_CONFIG = {
  subject: { source: ['${user:email}'] },
  properties: {
    'https://aws.amazon.com/SAML/Attributes/Role': { source: ['arn:aws:iam::111122223333:role/R,arn:aws:iam::111122223333:saml-provider/P'] },
  },
  ttl: 'PT1H',
};
const SCHEMA_CONFIG = {
  subject: { include: 'REQUIRED', nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress' },
  properties: {
    'https://aws.amazon.com/SAML/Attributes/Role': { attrNameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified', include: 'YES' },
  },
};

describe('simulated IAM Identity Center (sso-admin)', () => {
  it('creates instance and application ARNs in the real formats', () => {
    const account = new SimulatedAccount();
    const instanceArn = account.addIdentityCenterInstance();
    const applicationArn = account.addApplication({ name: 'Amazon Connect admins', instanceArn });
    expect(instanceArn).toMatch(/^arn:aws:sso:::instance\/ssoins-[0-9a-f]{16}$/);
    const instanceId = instanceArn.split('/')[1];
    expect(applicationArn).toMatch(new RegExp(`^arn:aws:sso::${ACCOUNT}:application/${instanceId}/apl-[0-9a-f]{16}$`));
    expect(swbInstanceId(applicationArn)).toBe(`ins-${applicationArn.split('/apl-')[1]}`);
  });

  it('accepts pinned ARNs, so a profile from cdk.json can be matched', () => {
    const account = new SimulatedAccount();
    const instanceArn = account.addIdentityCenterInstance({ arn: 'arn:aws:sso:::instance/ssoins-72236f2e1c0a9b84' });
    const arn = 'arn:aws:sso::111122223333:application/ssoins-72236f2e1c0a9b84/apl-5a1e0c9f3b7d2e46';
    expect(account.addApplication({ name: 'admins', instanceArn, arn })).toBe(arn);
    expect(() => account.addApplication({ name: 'twice', instanceArn, arn })).toThrow(/already exists/);
  });

  it('lists applications in small pages by default, so callers must follow NextToken', async () => {
    const account = new SimulatedAccount();
    const instanceArn = account.addIdentityCenterInstance();
    const names = ['one', 'two', 'three', 'four', 'five'];
    for (const name of names) account.addApplication({ name, instanceArn });
    const { ssoAdmin } = account.clients();

    const first = await ssoAdmin.send(new ListApplicationsCommand({ InstanceArn: instanceArn }));
    expect(first.Applications).toHaveLength(2);
    expect(first.NextToken).toBeDefined();

    const all: Application[] = [];
    let token: string | undefined;
    do {
      const page = await ssoAdmin.send(new ListApplicationsCommand({ InstanceArn: instanceArn, NextToken: token }));
      all.push(...(page.Applications ?? []));
      token = page.NextToken;
    } while (token);
    expect(all.map((application) => application.Name)).toEqual(names);
    expect(all[0]).toMatchObject({ Status: 'ENABLED', InstanceArn: instanceArn, ApplicationAccount: ACCOUNT });
  });

  it('lists instances', async () => {
    const account = new SimulatedAccount();
    const instanceArn = account.addIdentityCenterInstance();
    const { Instances } = await account.clients().ssoAdmin.send(new ListInstancesCommand({}));
    expect(Instances).toEqual([expect.objectContaining({ InstanceArn: instanceArn, Status: 'ACTIVE', OwnerAccountId: ACCOUNT })]);
  });

  it('describes an application, and answers an unknown one with ResourceNotFoundException', async () => {
    const account = new SimulatedAccount();
    const instanceArn = account.addIdentityCenterInstance();
    const ApplicationArn = account.addApplication({ name: 'agents', status: 'DISABLED', instanceArn });
    const { ssoAdmin } = account.clients();
    expect(await ssoAdmin.send(new DescribeApplicationCommand({ ApplicationArn }))).toMatchObject({ Name: 'agents', Status: 'DISABLED' });

    const unknown = ApplicationArn.replace(/apl-[0-9a-f]{16}$/, 'apl-0000000000000000');
    const error = await rejection(ssoAdmin.send(new DescribeApplicationCommand({ ApplicationArn: unknown })));
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.$metadata?.httpStatusCode).toBe(404);
  });
});

describe('simulated SWBService (attribute mapping)', () => {
  function setup(options: { swbReturnsConfiguration?: boolean } = {}) {
    const account = new SimulatedAccount(options);
    const applicationArn = account.addApplication({ name: 'admins', instanceArn: account.addIdentityCenterInstance() });
    return { account, swb: account.clients().swb, instanceId: swbInstanceId(applicationArn), applicationArn };
  }

  it('starts with no mapping (set up for AWS sign-in, as the console sets up the catalog entry) and returns what was written', async () => {
    const { swb, instanceId } = setup();
    expect(await swb.getApplicationInstance(instanceId)).toEqual({
      instanceId,
      metadataUrl: expect.stringContaining('https://portal.sso.us-east-1.amazonaws.com/saml/metadata/'),
      serviceProvider: { audience: 'urn:amazon:webservices', acsUrls: ['https://signin.aws.amazon.com/saml'] },
    });
    await swb.updateApplicationInstanceResponseConfiguration(instanceId, RESPONSE_CONFIG);
    await swb.updateApplicationInstanceResponseSchemaConfiguration(instanceId, SCHEMA_CONFIG);
    expect(await swb.getApplicationInstance(instanceId)).toEqual({
      instanceId,
      metadataUrl: expect.any(String),
      responseConfig: RESPONSE_CONFIG,
      responseSchemaConfig: SCHEMA_CONFIG,
      serviceProvider: expect.any(Object),
    });
  });

  it('returns copies, so a caller cannot change the stored configuration by mutating a result', async () => {
    const { account, swb, instanceId, applicationArn } = setup();
    account.setApplicationConfiguration(applicationArn, { responseConfig: RESPONSE_CONFIG });
    const read = await swb.getApplicationInstance(instanceId);
    read.responseConfig!.properties = {};
    expect((await swb.getApplicationInstance(instanceId)).responseConfig).toEqual(RESPONSE_CONFIG);
  });

  it('fails an unknown instance as the HTTP adapter does: Mapping.Rejected with awsType ResourceNotFoundException', async () => {
    const { swb } = setup();
    const error = (await rejection(swb.getApplicationInstance('ins-0000000000000000'))) as Error & { awsType?: string };
    expect(error.name).toBe('Mapping.Rejected');
    expect(error.awsType).toBe('ResourceNotFoundException');
  });

  it('can hide the stored configuration, as the real read may (unconfirmed)', async () => {
    const { account, swb, instanceId, applicationArn } = setup({ swbReturnsConfiguration: false });
    account.setApplicationConfiguration(applicationArn, { responseConfig: RESPONSE_CONFIG });
    expect(await swb.getApplicationInstance(instanceId)).toEqual({
      instanceId,
      metadataUrl: expect.stringContaining('https://portal.sso.us-east-1.amazonaws.com/saml/metadata/'),
      serviceProvider: expect.any(Object),
    });
    expect(account.snapshot().swb[instanceId]).toEqual({ responseConfig: RESPONSE_CONFIG });
  });

  it('records SWB updates as mutating calls', async () => {
    const { account, swb, instanceId } = setup();
    await swb.getApplicationInstance(instanceId);
    await swb.updateApplicationInstanceResponseConfiguration(instanceId, RESPONSE_CONFIG);
    expect(account.calls.map((call) => [call.service, call.operation, call.mutating])).toEqual([
      ['swb', 'GetApplicationInstance', false],
      ['swb', 'UpdateApplicationInstanceResponseConfiguration', true],
    ]);
  });
});
