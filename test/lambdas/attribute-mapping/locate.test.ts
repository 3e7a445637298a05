import { DescribeApplicationCommand, ListApplicationsCommand, ListInstancesCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { mockClient } from 'aws-sdk-client-mock';
import { locateApplication, locateInstance } from '../../../lambdas/attribute-mapping/locate';

const INSTANCE = 'arn:aws:sso:::instance/ssoins-72236f2e1c0a9b84';
const OTHER_INSTANCE = 'arn:aws:sso:::instance/ssoins-0000111122223333';
const APP = 'arn:aws:sso::111122223333:application/ssoins-72236f2e1c0a9b84/apl-5a1e0c9f3b7d2e46';
const OTHER_APP = 'arn:aws:sso::111122223333:application/ssoins-72236f2e1c0a9b84/apl-00001111aaaabbbb';
const scope = { account: '111122223333', region: 'us-east-1', profile: 'agent' };
const sdkError = (name: string) => Object.assign(new Error(`${name} from sso-admin`), { name });

describe('locating the IAM Identity Center application', () => {
  const ssoAdmin = new SSOAdminClient({ region: 'us-east-1' });
  const mock = mockClient(ssoAdmin);
  beforeEach(() => {
    mock.reset();
    mock
      .on(DescribeApplicationCommand, { ApplicationArn: APP })
      .resolves({ ApplicationArn: APP, Name: 'Amazon Connect agents', InstanceArn: INSTANCE, Status: 'ENABLED' });
  });

  it('uses the configured ARN without listing instances or applications', async () => {
    await expect(locateApplication(ssoAdmin, { arn: APP }, scope)).resolves.toEqual({
      applicationArn: APP,
      applicationName: 'Amazon Connect agents',
      instanceArn: INSTANCE,
    });
    expect(mock.commandCalls(ListInstancesCommand)).toHaveLength(0);
    expect(mock.commandCalls(ListApplicationsCommand)).toHaveLength(0);
  });

  it('finds an application by display name on a later page of ListApplications', async () => {
    mock
      .on(ListApplicationsCommand, { InstanceArn: INSTANCE, NextToken: undefined })
      .resolves({ Applications: [{ ApplicationArn: OTHER_APP, Name: 'Amazon Connect admins' }], NextToken: 'page-2' })
      .on(ListApplicationsCommand, { InstanceArn: INSTANCE, NextToken: 'page-2' })
      .resolves({ Applications: [{ ApplicationArn: APP, Name: 'Amazon Connect agents' }] });
    const located = await locateApplication(ssoAdmin, { displayName: 'Amazon Connect agents', instanceArn: INSTANCE }, scope);
    expect(located.applicationArn).toBe(APP);
    expect(mock.commandCalls(ListApplicationsCommand).map((call) => call.args[0].input.NextToken)).toEqual([undefined, 'page-2']);
  });

  it('names the display name and the instance it searched when no application matches', async () => {
    mock.on(ListApplicationsCommand).resolves({ Applications: [{ ApplicationArn: OTHER_APP, Name: 'Amazon Connect admins' }] });
    const failure = locateApplication(ssoAdmin, { displayName: 'Amazon Connect agents', instanceArn: INSTANCE }, scope);
    await expect(failure).rejects.toMatchObject({ name: 'Mapping.ApplicationNotFound' });
    await expect(failure).rejects.toThrow(/"Amazon Connect agents".*1 applications.*ssoins-72236f2e1c0a9b84.*account 111122223333, region us-east-1/);
  });

  it('refuses to guess between two applications with the same display name', async () => {
    mock.on(ListApplicationsCommand).resolves({
      Applications: [
        { ApplicationArn: APP, Name: 'Amazon Connect agents' },
        { ApplicationArn: OTHER_APP, Name: 'Amazon Connect agents' },
      ],
    });
    const failure = locateApplication(ssoAdmin, { displayName: 'Amazon Connect agents', instanceArn: INSTANCE }, scope);
    await expect(failure).rejects.toMatchObject({ name: 'Mapping.ApplicationAmbiguous' });
    await expect(failure).rejects.toThrow(/apl-5a1e0c9f3b7d2e46.*apl-00001111aaaabbbb.*set application\.arn/);
  });

  it('refuses an application that is not enabled', async () => {
    mock.on(DescribeApplicationCommand).resolves({ ApplicationArn: APP, Name: 'Amazon Connect agents', InstanceArn: INSTANCE, Status: 'DISABLED' });
    const failure = locateApplication(ssoAdmin, { arn: APP }, scope);
    await expect(failure).rejects.toMatchObject({ name: 'Mapping.ApplicationDisabled' });
    await expect(failure).rejects.toThrow(/"Amazon Connect agents".*is DISABLED, not ENABLED/);
  });

  it('reports a configured ARN that DescribeApplication does not know', async () => {
    mock.on(DescribeApplicationCommand).rejects(sdkError('ResourceNotFoundException'));
    const failure = locateApplication(ssoAdmin, { arn: APP }, scope);
    await expect(failure).rejects.toMatchObject({ name: 'Mapping.ApplicationNotFound' });
    await expect(failure).rejects.toThrow(/apl-5a1e0c9f3b7d2e46.*account 111122223333, region us-east-1/);
  });

  it('reports an application that belongs to another instance than the configured one', async () => {
    await expect(locateApplication(ssoAdmin, { arn: APP, instanceArn: OTHER_INSTANCE }, scope)).rejects.toMatchObject({
      name: 'Mapping.ApplicationNotFound',
      message: expect.stringContaining(`belongs to instance ${INSTANCE}`),
    });
  });

  it("uses the account's only instance when none is configured", async () => {
    mock.on(ListInstancesCommand).resolves({ Instances: [{ InstanceArn: INSTANCE }] });
    mock.on(ListApplicationsCommand, { InstanceArn: INSTANCE }).resolves({ Applications: [{ ApplicationArn: APP, Name: 'Amazon Connect agents' }] });
    await expect(locateApplication(ssoAdmin, { displayName: 'Amazon Connect agents' }, scope)).resolves.toMatchObject({ applicationArn: APP });
  });

  it('surfaces sso-admin throttling with the name the state machine retries', async () => {
    mock.on(DescribeApplicationCommand).rejects(sdkError('ThrottlingException'));
    await expect(locateApplication(ssoAdmin, { arn: APP }, scope)).rejects.toMatchObject({ name: 'Mapping.Throttled' });
  });
});

describe('locating the IAM Identity Center instance', () => {
  const ssoAdmin = new SSOAdminClient({ region: 'us-east-1' });
  const mock = mockClient(ssoAdmin);
  beforeEach(() => mock.reset());

  it('takes the configured instance as it is', async () => {
    await expect(locateInstance(ssoAdmin, INSTANCE, scope)).resolves.toBe(INSTANCE);
    expect(mock.commandCalls(ListInstancesCommand)).toHaveLength(0);
  });

  it('fails with Mapping.InstanceNotFound when the account has none', async () => {
    mock.on(ListInstancesCommand).resolves({ Instances: [] });
    await expect(locateInstance(ssoAdmin, undefined, scope)).rejects.toMatchObject({
      name: 'Mapping.InstanceNotFound',
      message: expect.stringMatching(/no IAM Identity Center instance in account 111122223333, region us-east-1/),
    });
  });

  it('fails with Mapping.InstanceNotFound listing every instance when there are several, across pages', async () => {
    mock
      .on(ListInstancesCommand, { NextToken: undefined })
      .resolves({ Instances: [{ InstanceArn: INSTANCE }], NextToken: 'more' })
      .on(ListInstancesCommand, { NextToken: 'more' })
      .resolves({ Instances: [{ InstanceArn: OTHER_INSTANCE }] });
    const failure = locateInstance(ssoAdmin, undefined, scope);
    await expect(failure).rejects.toMatchObject({ name: 'Mapping.InstanceNotFound' });
    await expect(failure).rejects.toThrow(/found 2 .*ssoins-72236f2e1c0a9b84, .*ssoins-0000111122223333.*set application\.instanceArn/);
  });
});
