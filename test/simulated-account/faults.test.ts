import {
  CreateRoleCommand,
  CreateSAMLProviderCommand,
  GetRoleCommand,
  IAMServiceException,
  ListUsersCommand,
  ServiceFailureException,
  TagRoleCommand,
} from '@aws-sdk/client-iam';
import { GetObjectCommand, PutObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { ListInstancesCommand, ThrottlingException } from '@aws-sdk/client-sso-admin';
import { SimulatedAccount, swbInstanceId } from '../../simulated-account';
import { accountWithClock, metadataXml, rejection, trustPolicy } from './fixtures';

const SERVICE_TRUST = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

describe('fault injection', () => {
  it('with afterEffect, applies the call and then loses its answer: the caller sees the error, the change is made', async () => {
    const account = new SimulatedAccount();
    const { iam } = account.clients();
    account.faults.inject({ service: 'iam', operation: 'CreateRole', error: 'ServiceFailure', afterEffect: true });
    const error = await rejection(iam.send(new CreateRoleCommand({ RoleName: 'Lost', AssumeRolePolicyDocument: SERVICE_TRUST })));
    expect(error).toBeInstanceOf(ServiceFailureException);
    expect(Object.keys(account.snapshot().iam.roles)).toEqual(['Lost']);
    expect(account.calls.at(-1)).toMatchObject({ operation: 'CreateRole', outcome: 'ServiceFailureException' });
  });

  it("interleave runs another actor's action just before the nth matching call, which then sees its effect", async () => {
    const account = new SimulatedAccount();
    const { iam } = account.clients();
    account.interleave({ operation: 'CreateRole', nth: 2 }, (clients) =>
      clients.iam.send(new CreateRoleCommand({ RoleName: 'Second', AssumeRolePolicyDocument: SERVICE_TRUST })),
    );
    await iam.send(new CreateRoleCommand({ RoleName: 'First', AssumeRolePolicyDocument: SERVICE_TRUST }));
    expect(Object.keys(account.snapshot().iam.roles)).toEqual(['First']);
    const error = await rejection(iam.send(new CreateRoleCommand({ RoleName: 'Second', AssumeRolePolicyDocument: SERVICE_TRUST })));
    expect(error.name).toBe('EntityAlreadyExistsException');
    // The other actor's call is not the code's: only the code's two calls are logged.
    expect(account.calls.map((call) => `${call.operation}:${call.outcome}`)).toEqual(['CreateRole:ok', 'CreateRole:EntityAlreadyExistsException']);
  });

  it('fails the nth matching call with the SDK class, leaves the account unchanged, and lets later calls through', async () => {
    const account = new SimulatedAccount();
    const { iam } = account.clients();
    const fault = account.faults.inject({ service: 'iam', operation: 'CreateRole', nth: 2, error: 'ServiceFailure' });

    await iam.send(new CreateRoleCommand({ RoleName: 'First', AssumeRolePolicyDocument: SERVICE_TRUST }));
    const before = account.snapshot();
    const error = await rejection(iam.send(new CreateRoleCommand({ RoleName: 'Second', AssumeRolePolicyDocument: SERVICE_TRUST })));
    expect(error).toBeInstanceOf(ServiceFailureException);
    expect(error.$metadata?.httpStatusCode).toBe(500);
    expect(account.snapshot()).toEqual(before);
    expect(fault).toMatchObject({ matched: 2, fired: 1, exhausted: true });

    await iam.send(new CreateRoleCommand({ RoleName: 'Second', AssumeRolePolicyDocument: SERVICE_TRUST }));
    expect(Object.keys(account.snapshot().iam.roles)).toEqual(['First', 'Second']);
    expect(account.calls.map((call) => call.outcome)).toEqual(['ok', 'ServiceFailureException', 'ok']);
  });

  it('a failure at any mutating call position changes nothing', async () => {
    // A small provisioning path with reads in between; each position N fails in turn.
    const script = async (account: SimulatedAccount) => {
      const { iam, s3 } = account.clients();
      await s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'metadata/idp.xml' }));
      await s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'journal/e/identityProvider.json', Body: '{}' }));
      const { SAMLProviderArn } = await iam.send(new CreateSAMLProviderCommand({ Name: 'IdP', SAMLMetadataDocument: metadataXml() }));
      await iam.send(new GetRoleCommand({ RoleName: 'R' })).catch(() => undefined);
      await iam.send(new CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: trustPolicy(SAMLProviderArn!) }));
      await iam.send(new TagRoleCommand({ RoleName: 'R', Tags: [{ Key: 'k', Value: 'v' }] }));
    };
    const clean = new SimulatedAccount();
    clean.putObject('b', 'metadata/idp.xml', metadataXml());
    await script(clean);
    const positions = clean.mutatingCalls().length;
    expect(positions).toBe(4);

    for (let n = 1; n <= positions; n += 1) {
      const account = new SimulatedAccount();
      account.putObject('b', 'metadata/idp.xml', metadataXml());
      let beforeCall: unknown;
      // `when` runs as each mutating call arrives, before it is applied: the last view taken is the state before call n.
      const fault = account.faults.inject({
        mutatingOnly: true,
        nth: n,
        error: 'InternalError',
        when: () => {
          beforeCall = account.snapshot({ excludePrefixes: [] });
          return true;
        },
      });
      await expect(script(account)).rejects.toMatchObject({ name: 'InternalError' });
      expect(fault.fired).toBe(1);
      expect(account.snapshot({ excludePrefixes: [] })).toEqual(beforeCall);
      expect(account.mutatingCalls().map((call) => call.outcome)).toEqual([...Array<string>(n - 1).fill('ok'), 'InternalError']);
    }
  });

  it('a failed call leaves no trace in the state: the nth-mutating-call fault on CreateSAMLProvider leaves no provider', async () => {
    const account = new SimulatedAccount();
    const { iam } = account.clients();
    account.failAtMutatingCall(1, 'ConcurrentModification');
    const error = await rejection(iam.send(new CreateSAMLProviderCommand({ Name: 'IdP', SAMLMetadataDocument: metadataXml() })));
    expect(error.name).toBe('ConcurrentModificationException');
    expect(account.snapshot().iam.samlProviders).toEqual({});
  });

  it("resolves fault names per service: SDK classes where modelled, the service's base exception named by the code where not", async () => {
    const account = new SimulatedAccount();
    const applicationArn = account.addApplication({ name: 'a', instanceArn: account.addIdentityCenterInstance() });
    const { iam, s3, ssoAdmin, swb } = account.clients();
    account.faults.inject({ service: 'iam', error: 'Throttling' });
    account.faults.inject({ service: 's3', error: 'SlowDown' });
    account.faults.inject({ service: 'sso-admin', error: 'Throttling' });
    account.faults.inject({ service: 'swb', error: 'ThrottlingException' });

    const iamError = await rejection(iam.send(new GetRoleCommand({ RoleName: 'R' })));
    // IAM's model lists no Throttling error: the SDK throws its base exception with the code as the name.
    expect(iamError.name).toBe('Throttling');
    expect(iamError).toBeInstanceOf(IAMServiceException);
    expect(iamError.$metadata).toEqual({ httpStatusCode: 400 });

    const s3Error = await rejection(s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' })));
    expect([s3Error.name, s3Error.$metadata?.httpStatusCode]).toEqual(['SlowDown', 503]);
    expect(s3Error).toBeInstanceOf(S3ServiceException);

    expect(await rejection(ssoAdmin.send(new ListInstancesCommand({})))).toBeInstanceOf(ThrottlingException);
    expect((await rejection(swb.getApplicationInstance(swbInstanceId(applicationArn)))).name).toBe('Mapping.Throttled');
  });

  it('throws a given Error as is, `times` consecutive times, only on calls that `when` accepts', async () => {
    const account = new SimulatedAccount();
    account.createBucket('b');
    const { s3 } = account.clients();
    const custom = new Error('disk on fire');
    const fault = account.faults.inject({
      service: 's3',
      operation: 'PutObject',
      times: 2,
      error: custom,
      when: (call) => (call.input as { Key: string }).Key.startsWith('journal/'),
    });
    await s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'metadata/x', Body: 'x' }));
    expect(await rejection(s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'journal/1', Body: 'x' })))).toBe(custom);
    expect(await rejection(s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'journal/2', Body: 'x' })))).toBe(custom);
    await s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'journal/3', Body: 'x' }));
    expect(fault.fired).toBe(2);
    expect(Object.keys(account.snapshot({ excludePrefixes: [] }).s3.b!)).toEqual(['journal/3', 'metadata/x']);
  });

  it('mutatingOnly faults skip reads; clear() removes every fault', async () => {
    const account = new SimulatedAccount();
    const { iam } = account.clients();
    account.faults.inject({ mutatingOnly: true, error: 'ServiceFailure', times: Infinity });
    await expect(iam.send(new GetRoleCommand({ RoleName: 'R' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    await expect(iam.send(new CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: SERVICE_TRUST }))).rejects.toMatchObject({
      name: 'ServiceFailureException',
    });
    account.faults.clear();
    await expect(iam.send(new CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: SERVICE_TRUST }))).resolves.toBeDefined();
  });

  it('failAtMutatingCall counts lock-table writes too, and can be limited to a service', async () => {
    const account = new SimulatedAccount();
    const { iam } = account.clients();
    account.failAtMutatingCall(1, 'ServiceFailure', { service: 'iam' });
    await account.lock.put({ profile: 'admin', owner: 'e1', lease: 'e1#0', expiresAt: '2999-01-01T00:00:00.000Z' });
    await expect(iam.send(new CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: SERVICE_TRUST }))).rejects.toMatchObject({
      name: 'ServiceFailureException',
    });
  });
});

describe('IAM rate limit (token bucket)', () => {
  it('throttles mutating IAM calls beyond the rate, changing nothing, and refills with time', async () => {
    const { account, advance } = accountWithClock({ mutatingCallsPerSecond: 2 });
    account.createBucket('b');
    const { iam, s3 } = account.clients();
    const tag = (value: string) => iam.send(new TagRoleCommand({ RoleName: 'R', Tags: [{ Key: 'k', Value: value }] }));
    await account.seed(() => iam.send(new CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: SERVICE_TRUST })));

    await tag('1');
    await tag('2');
    const throttled = await rejection(tag('3'));
    expect(throttled.name).toBe('Throttling');
    expect(account.snapshot().iam.roles.R!.tags).toEqual({ k: '2' });

    // Reads and other services are not limited.
    await iam.send(new GetRoleCommand({ RoleName: 'R' }));
    await s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'x' }));

    advance(500);
    await tag('4');
    expect((await rejection(tag('5'))).name).toBe('Throttling');
    advance(5000);
    await tag('6');
    await tag('7');
    expect((await rejection(tag('8'))).name).toBe('Throttling');
    expect(account.calls.filter((call) => call.outcome === 'Throttling')).toHaveLength(3);
  });
});

describe('clients and the call log', () => {
  it('names an unsupported command in the error and the log', async () => {
    const account = new SimulatedAccount();
    const error = await rejection(account.clients().iam.send(new ListUsersCommand({})));
    expect(error.name).toBe('SimulatedAccount.UnsupportedCommand');
    expect(error.message).toContain('ListUsers');
    expect(account.calls).toEqual([
      {
        account: account.account,
        service: 'iam',
        operation: 'ListUsers',
        input: {},
        mutating: false,
        outcome: 'SimulatedAccount.UnsupportedCommand',
      },
    ]);
  });

  it('logs each call with its input, whether it writes, and its outcome; seeding is not logged', async () => {
    const account = new SimulatedAccount();
    account.createBucket('b');
    const { s3 } = account.clients();
    await account.seed(() => s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'seeded', Body: 'x' })));
    await s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'journal/e/role.json', Body: Buffer.from('{"a":1}') }));
    await s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'missing' })).catch(() => undefined);
    await account.notifications.publish('subject', 'message');
    expect(account.calls).toEqual([
      {
        account: account.account,
        service: 's3',
        operation: 'PutObject',
        input: { Bucket: 'b', Key: 'journal/e/role.json', Body: '{"a":1}' },
        mutating: true,
        outcome: 'ok',
      },
      {
        account: account.account,
        service: 's3',
        operation: 'GetObject',
        input: { Bucket: 'b', Key: 'missing' },
        mutating: false,
        outcome: 'NoSuchKey',
      },
      {
        account: account.account,
        service: 'sns',
        operation: 'Publish',
        input: { subject: 'subject', message: 'message' },
        mutating: false,
        outcome: 'ok',
      },
    ]);
    expect(account.mutatingCalls()).toHaveLength(1);
    expect(account.mutatingCalls({ service: 'iam' })).toHaveLength(0);
    account.clearCalls();
    expect(account.calls).toEqual([]);
  });

  it('asks the latency option for each call by service and operation', async () => {
    const asked: string[] = [];
    const account = new SimulatedAccount({
      latencyMs: (service, operation) => {
        asked.push(`${service}:${operation}`);
        return 0;
      },
    });
    await account
      .clients()
      .iam.send(new GetRoleCommand({ RoleName: 'R' }))
      .catch(() => undefined);
    await account.lock.get('admin');
    expect(asked).toEqual(['iam:GetRole', 'dynamodb:GetItem']);
  });
});
