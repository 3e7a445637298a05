import {
  CreateUserCommand,
  type CreateUserCommandInput,
  DescribeInstanceCommand,
  ListRoutingProfilesCommand,
  ListSecurityProfilesCommand,
} from '@aws-sdk/client-connect';
import { SimulatedAccount } from '../../simulated-account';

const INSTANCE_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const INSTANCE = `arn:aws:connect:us-east-1:111122223333:instance/${INSTANCE_ID}`;

async function world(identityManagementType: 'SAML' | 'CONNECT_MANAGED' = 'SAML') {
  const account = new SimulatedAccount();
  account.addConnectInstance(INSTANCE, { identityManagementType });
  const { connect } = account.clients();
  const profiles = (await connect.send(new ListSecurityProfilesCommand({ InstanceId: INSTANCE_ID }))).SecurityProfileSummaryList ?? [];
  const { RoutingProfileSummaryList = [] } = await connect.send(new ListRoutingProfilesCommand({ InstanceId: INSTANCE_ID }));
  const valid: CreateUserCommandInput = {
    InstanceId: INSTANCE_ID,
    Username: 'jane@example.com',
    IdentityInfo: { FirstName: 'Jane', LastName: 'Doe', Email: 'jane@example.com' },
    PhoneConfig: { PhoneType: 'SOFT_PHONE' },
    SecurityProfileIds: [profiles.find((p) => p.Name === 'Agent')?.Id ?? ''],
    RoutingProfileId: RoutingProfileSummaryList[0]?.Id ?? '',
  };
  return { account, connect, valid };
}

describe('the simulated Amazon Connect', () => {
  it('describes an instance with its identity management type and status, and answers another account as not found', async () => {
    const { account, connect } = await world();
    await expect(connect.send(new DescribeInstanceCommand({ InstanceId: INSTANCE_ID }))).resolves.toMatchObject({
      Instance: { Id: INSTANCE_ID, Arn: INSTANCE, IdentityManagementType: 'SAML', InstanceStatus: 'ACTIVE' },
    });
    account.addConnectInstance(INSTANCE.replace('111122223333', '222222222222'));
    const other = new SimulatedAccount({ account: '333333333333' }).clients().connect;
    await expect(other.send(new DescribeInstanceCommand({ InstanceId: INSTANCE_ID }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('creates a SAML user only with first name, last name and email, no password, and a user name within the SAML rules', async () => {
    const { account, connect, valid } = await world();
    const refusals: Array<[Partial<CreateUserCommandInput>, RegExp]> = [
      [{ Username: 'jane+connect@example.com' }, /Username/],
      [{ Username: 'jane@example' }, /email format/],
      [{ Username: 'x'.repeat(65) }, /64/],
      [{ Password: 'Secret-123' }, /Password/],
      [{ IdentityInfo: { FirstName: 'Jane', Email: 'jane@example.com' } }, /LastName/],
      [{ IdentityInfo: { FirstName: 'Jane', LastName: 'Doe' } }, /Email/],
      [{ PhoneConfig: { PhoneType: 'DESK_PHONE' } }, /DeskPhoneNumber/],
      [{ SecurityProfileIds: [] }, /SecurityProfileIds/],
    ];
    for (const [change, message] of refusals) {
      await expect(connect.send(new CreateUserCommand({ ...valid, ...change }))).rejects.toMatchObject({
        name: 'InvalidParameterException',
        message: expect.stringMatching(message),
      });
    }
    await expect(connect.send(new CreateUserCommand({ ...valid, RoutingProfileId: 'nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    const created = await connect.send(new CreateUserCommand(valid));
    expect(created.UserArn).toBe(`${INSTANCE}/agent/${created.UserId}`);
    await expect(connect.send(new CreateUserCommand(valid))).rejects.toMatchObject({ name: 'DuplicateResourceException' });
    expect(Object.keys(account.snapshot().connect[INSTANCE] ?? {})).toEqual(['jane@example.com']);
  });

  it('holds an instance that manages its own identities to its rules instead: a password, no SAML user name rules', async () => {
    const { connect, valid } = await world('CONNECT_MANAGED');
    await expect(connect.send(new CreateUserCommand({ ...valid, Username: 'jane+connect' }))).rejects.toMatchObject({
      message: expect.stringMatching(/Password/),
    });
    await expect(connect.send(new CreateUserCommand({ ...valid, Username: 'jane+connect', Password: 'Secret-123' }))).resolves.toHaveProperty(
      'UserId',
    );
  });
});
