import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ConnectClient, DescribeInstanceCommand, type DirectoryType, type InstanceStatus, ResourceNotFoundException } from '@aws-sdk/client-connect';
import { S3Client } from '@aws-sdk/client-s3';
import { DescribeApplicationCommand, ListInstancesCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { doctor } from '../../cli/doctor';
import type { FederationConfig } from '../../lambdas/shared/profile';
import { exampleConfig } from '../helpers/document';
import { crossAccountConfig } from '../local/workflow-harness';

const INSTANCE_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

function clients(instance: { IdentityManagementType?: DirectoryType; InstanceStatus?: InstanceStatus } | 'missing') {
  const sts = new STSClient({ region: 'us-east-1' });
  mockClient(sts).on(GetCallerIdentityCommand).resolves({ Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/admin' });
  const ssoAdmin = new SSOAdminClient({ region: 'us-east-1' });
  const sso = mockClient(ssoAdmin);
  sso.on(ListInstancesCommand).resolves({ Instances: [{ InstanceArn: exampleConfig.profiles.admin!.application.instanceArn }] });
  sso.on(DescribeApplicationCommand).resolves({ Name: 'Amazon Connect - Admin', Status: 'ENABLED' });
  const connect = new ConnectClient({ region: 'us-east-1' });
  const describe = mockClient(connect).on(DescribeInstanceCommand, { InstanceId: INSTANCE_ID });
  if (instance === 'missing') describe.rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));
  else describe.resolves({ Instance: { Id: INSTANCE_ID, IdentityManagementType: 'SAML', InstanceStatus: 'ACTIVE', ...instance } });
  const cloudFormation = new CloudFormationClient({ region: 'us-east-1' });
  mockClient(cloudFormation).rejects(new Error('no stack'));
  return { sts, ssoAdmin, connect, cloudFormation, s3: new S3Client({ region: 'us-east-1' }) };
}

const connectCheck = async (config: FederationConfig, instance: Parameters<typeof clients>[0]) =>
  (await doctor(config, clients(instance), { AWS_REGION: 'us-east-1' })).find((check) => check.name === 'Connect instances');

describe('doctor, on the Connect instances', () => {
  it('reads each instance of the current account: SAML and ACTIVE is fine', async () => {
    await expect(connectCheck(exampleConfig, {})).resolves.toMatchObject({ status: 'ok', detail: expect.stringContaining('SAML, ACTIVE') });
  });

  it.each([
    [{ IdentityManagementType: 'CONNECT_MANAGED' }, 'Connect.NotSamlInstance'],
    [{ InstanceStatus: 'CREATION_FAILED' }, 'Connect.InstanceNotActive'],
    ['missing', 'Connect.InstanceNotFound'],
  ] as const)('says what Intake would refuse: %j is %s', async (instance, error) => {
    await expect(connectCheck(exampleConfig, instance)).resolves.toMatchObject({ status: 'failed', detail: expect.stringContaining(error) });
  });

  it("refuses an instance in another account than the profile's role, and leaves one the pipeline reads in its own account to it", async () => {
    const moved = structuredClone(exampleConfig);
    moved.profiles.agent!.policy.connectInstanceArn = `arn:aws:connect:us-east-1:222222222222:instance/${INSTANCE_ID}`;
    await expect(connectCheck(moved, {})).resolves.toMatchObject({
      status: 'failed',
      detail: expect.stringMatching(/Connect\.WrongAccount: profile agent/),
    });
    await expect(connectCheck(crossAccountConfig, {})).resolves.toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('admin: in account 222222222222, read there by the pipeline'),
    });
  });
});
