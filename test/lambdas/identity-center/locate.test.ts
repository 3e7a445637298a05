import { ResourceNotFoundException } from '@aws-sdk/client-sso-admin';
import { locateApplication, locateInstance } from '../../../lambdas/identity-center/locate';
import { CUSTOM_SAML_PROVIDER_ARN, DEFAULT_SSO_PAGE_SIZE, OAUTH_PROVIDER_ARN, SimulatedAccount } from '../../../simulated-account';

const INSTANCE = 'arn:aws:sso:::instance/ssoins-72236f2e1c0a9b84';
const OTHER_INSTANCE = 'arn:aws:sso:::instance/ssoins-0000111122223333';
const THIRD_INSTANCE = 'arn:aws:sso:::instance/ssoins-4444555566667777';
const APP = 'arn:aws:sso::111122223333:application/ssoins-72236f2e1c0a9b84/apl-5a1e0c9f3b7d2e46';
const OTHER_APP = 'arn:aws:sso::111122223333:application/ssoins-72236f2e1c0a9b84/apl-00001111aaaabbbb';
const scope = { account: '111122223333', region: 'us-east-1', profile: 'agent' };

/** An account with these instances (default: INSTANCE alone) and, in INSTANCE, these applications in this order. */
function accountWith(
  options: {
    instances?: string[];
    applications?: Array<{ name: string; arn?: string; status?: 'ENABLED' | 'DISABLED'; providerArn?: string; account?: string }>;
  } = {},
) {
  const account = new SimulatedAccount();
  for (const arn of options.instances ?? [INSTANCE]) account.addIdentityCenterInstance({ arn });
  for (const application of options.applications ?? []) account.addApplication({ ...application, instanceArn: INSTANCE });
  return { account, ssoAdmin: account.clients().ssoAdmin };
}

/** The sso-admin calls made, with the page token each one asked for. */
function ssoCalls(account: SimulatedAccount): Array<[string, string | undefined]> {
  return account.calls.map((call) => [call.operation, (call.input as { NextToken?: string }).NextToken]);
}

// The account answers ListApplications and ListInstances in pages of DEFAULT_SSO_PAGE_SIZE: FILLER fills the first page, so
// an application added after it is found only by following NextToken.
const FILLER = Array.from({ length: DEFAULT_SSO_PAGE_SIZE }, (_, index) => ({ name: `Another application ${index + 1}` }));

describe('locating the IAM Identity Center application', () => {
  it('uses the configured ARN without listing instances or applications', async () => {
    const { account, ssoAdmin } = accountWith({ applications: [{ name: 'Amazon Connect agents', arn: APP }] });
    await expect(locateApplication(ssoAdmin, { arn: APP }, scope)).resolves.toEqual({
      applicationArn: APP,
      applicationName: 'Amazon Connect agents',
      instanceArn: INSTANCE,
    });
    expect(ssoCalls(account)).toEqual([['DescribeApplication', undefined]]);
  });

  it('finds an application by display name on a later page of ListApplications', async () => {
    const { account, ssoAdmin } = accountWith({ applications: [...FILLER, { name: 'Amazon Connect agents', arn: APP }] });
    const located = await locateApplication(ssoAdmin, { displayName: 'Amazon Connect agents', instanceArn: INSTANCE }, scope);
    expect(located).toEqual({ applicationArn: APP, applicationName: 'Amazon Connect agents', instanceArn: INSTANCE });
    expect(ssoCalls(account)).toEqual([
      ['ListApplications', undefined],
      ['ListApplications', expect.any(String)],
      ['DescribeApplicationProvider', undefined],
      ['DescribeApplication', undefined],
    ]);
  });

  it('considers only SAML applications: an OAuth application with the same display name is neither found nor ambiguous', async () => {
    const { ssoAdmin } = accountWith({
      applications: [
        { name: 'Amazon Connect agents', arn: OTHER_APP, providerArn: OAUTH_PROVIDER_ARN },
        { name: 'Amazon Connect agents', arn: APP },
      ],
    });
    await expect(locateApplication(ssoAdmin, { displayName: 'Amazon Connect agents', instanceArn: INSTANCE }, scope)).resolves.toMatchObject({
      applicationArn: APP,
    });
    const { ssoAdmin: onlyOauth } = accountWith({
      applications: [{ name: 'Amazon Connect agents', arn: OTHER_APP, providerArn: OAUTH_PROVIDER_ARN }],
    });
    await expect(locateApplication(onlyOauth, { displayName: 'Amazon Connect agents', instanceArn: INSTANCE }, scope)).rejects.toThrow(
      /no SAML application named "Amazon Connect agents"/,
    );
  });

  it("lists the application account a delegated administrator names, and finds that account's application", async () => {
    const { account, ssoAdmin } = accountWith({ applications: [{ name: 'Amazon Connect agents', arn: APP, account: '999988887777' }] });
    await expect(locateApplication(ssoAdmin, { displayName: 'Amazon Connect agents', instanceArn: INSTANCE }, scope)).rejects.toMatchObject({
      name: 'Mapping.ApplicationNotFound',
    });
    await expect(
      locateApplication(ssoAdmin, { displayName: 'Amazon Connect agents', instanceArn: INSTANCE, account: '999988887777' }, scope),
    ).resolves.toMatchObject({ applicationArn: APP });
    expect(account.calls.filter((call) => call.operation === 'ListApplications').at(-1)?.input).toMatchObject({
      Filter: { ApplicationAccount: '999988887777' },
    });
  });

  it('names the display name and the instance it searched, and counts every page, when no application matches', async () => {
    const { ssoAdmin } = accountWith({ applications: [...FILLER, { name: 'Amazon Connect admins', arn: OTHER_APP }] });
    const failure = locateApplication(ssoAdmin, { displayName: 'Amazon Connect agents', instanceArn: INSTANCE }, scope);
    await expect(failure).rejects.toMatchObject({ name: 'Mapping.ApplicationNotFound' });
    await expect(failure).rejects.toThrow(
      new RegExp(
        `"Amazon Connect agents".*${DEFAULT_SSO_PAGE_SIZE + 1} applications.*ssoins-72236f2e1c0a9b84.*account 111122223333, region us-east-1`,
      ),
    );
  });

  it('refuses to guess between two applications with the same display name, even on different pages', async () => {
    const { ssoAdmin } = accountWith({
      applications: [{ name: 'Amazon Connect agents', arn: APP }, ...FILLER, { name: 'Amazon Connect agents', arn: OTHER_APP }],
    });
    const failure = locateApplication(ssoAdmin, { displayName: 'Amazon Connect agents', instanceArn: INSTANCE }, scope);
    await expect(failure).rejects.toMatchObject({ name: 'Mapping.ApplicationAmbiguous' });
    await expect(failure).rejects.toThrow(/apl-5a1e0c9f3b7d2e46.*apl-00001111aaaabbbb.*set application\.arn/);
  });

  it('refuses an application that is not enabled', async () => {
    const { ssoAdmin } = accountWith({ applications: [{ name: 'Amazon Connect agents', arn: APP, status: 'DISABLED' }] });
    const failure = locateApplication(ssoAdmin, { arn: APP }, scope);
    await expect(failure).rejects.toMatchObject({ name: 'Mapping.ApplicationDisabled' });
    await expect(failure).rejects.toThrow(/"Amazon Connect agents".*is DISABLED, not ENABLED/);
  });

  it('reports a configured ARN that DescribeApplication does not know', async () => {
    const { ssoAdmin } = accountWith({ applications: [{ name: 'Amazon Connect admins', arn: OTHER_APP }] });
    const failure = locateApplication(ssoAdmin, { arn: APP }, scope);
    await expect(failure).rejects.toMatchObject({ name: 'Mapping.ApplicationNotFound', cause: expect.any(ResourceNotFoundException) });
    await expect(failure).rejects.toThrow(/apl-5a1e0c9f3b7d2e46.*account 111122223333, region us-east-1/);
  });

  it('reports an application that belongs to another instance than the configured one', async () => {
    const { ssoAdmin } = accountWith({ instances: [INSTANCE, OTHER_INSTANCE], applications: [{ name: 'Amazon Connect agents', arn: APP }] });
    await expect(locateApplication(ssoAdmin, { arn: APP, instanceArn: OTHER_INSTANCE }, scope)).rejects.toMatchObject({
      name: 'Mapping.ApplicationNotFound',
      message: expect.stringContaining(`belongs to instance ${INSTANCE}`),
    });
  });

  it("uses the account's only instance when none is configured", async () => {
    const { account, ssoAdmin } = accountWith({ applications: [{ name: 'Amazon Connect agents', arn: APP }] });
    await expect(locateApplication(ssoAdmin, { displayName: 'Amazon Connect agents' }, scope)).resolves.toMatchObject({
      applicationArn: APP,
      instanceArn: INSTANCE,
    });
    expect(account.calls.map((call) => [call.operation, call.input])).toEqual([
      ['ListInstances', {}],
      ['ListApplications', { InstanceArn: INSTANCE }],
      ['DescribeApplicationProvider', { ApplicationProviderArn: CUSTOM_SAML_PROVIDER_ARN }],
      ['DescribeApplication', { ApplicationArn: APP }],
    ]);
  });

  it('surfaces sso-admin throttling with the name the state machine retries', async () => {
    const { account, ssoAdmin } = accountWith({ applications: [{ name: 'Amazon Connect agents', arn: APP }] });
    account.faults.inject({ service: 'sso-admin', operation: 'DescribeApplication', error: 'ThrottlingException' });
    await expect(locateApplication(ssoAdmin, { arn: APP }, scope)).rejects.toMatchObject({ name: 'Mapping.Throttled' });
  });
});

describe('locating the IAM Identity Center instance', () => {
  it('takes the configured instance as it is', async () => {
    // An account without any instance: the configured one is not even checked.
    const { account, ssoAdmin } = accountWith({ instances: [] });
    await expect(locateInstance(ssoAdmin, INSTANCE, scope)).resolves.toBe(INSTANCE);
    expect(account.calls).toEqual([]);
  });

  it('fails with Mapping.InstanceNotFound when the account has none', async () => {
    const { ssoAdmin } = accountWith({ instances: [] });
    await expect(locateInstance(ssoAdmin, undefined, scope)).rejects.toMatchObject({
      name: 'Mapping.InstanceNotFound',
      message: expect.stringMatching(/no IAM Identity Center instance in account 111122223333, region us-east-1/),
    });
  });

  it('fails with Mapping.InstanceNotFound listing every instance when there are several, across pages', async () => {
    // Three instances take two pages of DEFAULT_SSO_PAGE_SIZE.
    const { account, ssoAdmin } = accountWith({ instances: [INSTANCE, OTHER_INSTANCE, THIRD_INSTANCE] });
    const failure = locateInstance(ssoAdmin, undefined, scope);
    await expect(failure).rejects.toMatchObject({ name: 'Mapping.InstanceNotFound' });
    await expect(failure).rejects.toThrow(
      /found 3 .*ssoins-72236f2e1c0a9b84, .*ssoins-0000111122223333, .*ssoins-4444555566667777.*set application\.instanceArn/,
    );
    expect(ssoCalls(account)).toEqual([
      ['ListInstances', undefined],
      ['ListInstances', expect.any(String)],
    ]);
  });
});
