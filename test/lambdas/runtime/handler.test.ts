import { join } from 'node:path';
import * as connectModule from '@aws-sdk/client-connect';
import { ConnectClient, DescribeInstanceCommand } from '@aws-sdk/client-connect';
import * as dynamodbModule from '@aws-sdk/client-dynamodb';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import * as iamModule from '@aws-sdk/client-iam';
import { IAMClient } from '@aws-sdk/client-iam';
import * as s3Module from '@aws-sdk/client-s3';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import * as ssoAdminModule from '@aws-sdk/client-sso-admin';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { mockClient } from 'aws-sdk-client-mock';
import { assumeRoleParams, awsClients } from '../../../lambdas/runtime/clients';
import { readPipelineEnvironment } from '../../../lambdas/runtime/handler';
import type { ExecutionDocument } from '../../../lambdas/shared/document';
import { FUNCTIONS } from '../../../lambdas/workflow-functions';
import { exampleConfig, makeDocument } from '../../helpers/document';
import { identityCenterXml } from '../intake/fixtures';

const REPOSITORY_ROOT = join(__dirname, '..', '..', '..');
const BUCKET = 'federation-metadata-bucket';
const VERSION_ID = 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e';
/** The environment the stack gives every function. */
const ENV = {
  PROFILES: JSON.stringify({ pipelineName: exampleConfig.pipelineName, profiles: exampleConfig.profiles }),
  METADATA_BUCKET: BUCKET,
  ACCOUNT_ID: '111122223333',
  AWS_REGION: 'eu-west-1',
  RECORD_TABLE: 'federation-records',
  LOCK_TABLE: 'federation-locks',
};

const s3Mock = mockClient(S3Client);
const iamMock = mockClient(IAMClient);
const dynamodbMock = mockClient(DynamoDBClient);
const connectMock = mockClient(ConnectClient);
beforeEach(() => {
  s3Mock.reset();
  iamMock.reset();
  dynamodbMock.reset();
  connectMock.reset();
  // Intake reads the profile's Connect instance before anything else.
  connectMock.on(DescribeInstanceCommand).resolves({ Instance: { IdentityManagementType: 'SAML', InstanceStatus: 'ACTIVE' } });
  dynamodbMock.on(GetItemCommand).resolves({});
  // The profile's lock, held by the runs these tests invoke the steps as.
  dynamodbMock
    .on(GetItemCommand, { TableName: 'federation-locks' })
    .resolves({ Item: { profile: { S: 'admin' }, lease: { S: 'e#0' }, expiresAt: { S: '2999-01-01T00:00:00.000Z' } } });
});

type Handler = (event: unknown) => Promise<unknown>;

/** Loads a handler module afresh with this environment, as a new container would: it reads its configuration once, at load. */
function loadHandlers(entry: string, env: Record<string, string | undefined>): Record<string, Handler> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete process.env[name];
  try {
    let loaded: Record<string, Handler> | undefined;
    jest.isolateModules(() => {
      // The test's own SDK modules, so the clients the handler creates are of the mocked classes.
      jest.doMock('@aws-sdk/client-s3', () => s3Module);
      jest.doMock('@aws-sdk/client-iam', () => iamModule);
      jest.doMock('@aws-sdk/client-sso-admin', () => ssoAdminModule);
      jest.doMock('@aws-sdk/client-dynamodb', () => dynamodbModule);
      jest.doMock('@aws-sdk/client-connect', () => connectModule);
      loaded = require(join(REPOSITORY_ROOT, entry)) as Record<string, Handler>;
    });
    if (!loaded) throw new Error(`${entry} did not load`);
    return loaded;
  } finally {
    process.env = saved;
  }
}

function handlerOf(key: string, env: Record<string, string | undefined> = ENV): Handler {
  const fn = FUNCTIONS.find((candidate) => candidate.key === key);
  if (!fn) throw new Error(`no function ${key}`);
  const handler = loadHandlers(fn.handler.entry, env)[fn.handler.export];
  if (!handler) throw new Error(`${fn.handler.entry} exports no ${fn.handler.export}`);
  return handler;
}

function serveMetadata(bytes: Buffer): void {
  s3Mock.on(HeadObjectCommand).resolves({ ContentLength: bytes.length, VersionId: VERSION_ID, ContentType: 'application/xml' });
  s3Mock.on(GetObjectCommand).resolves({
    Body: { transformToByteArray: async () => new Uint8Array(bytes), transformToString: async () => bytes.toString('utf8') } as never,
    ContentLength: bytes.length,
    VersionId: VERSION_ID,
  });
}

/**
 * IAM Identity Center as Intake reaches it over HTTPS: the console API answers GetApplicationInstance with the
 * application's metadata URL, and the portal serves `xml` there (Intake checks an upload against it). The requests are
 * signed with stand-in credentials, as the function's role would sign them.
 */
function identityCenterServes(xml: string): void {
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'secret';
  jest.spyOn(globalThis, 'fetch').mockImplementation(async (url) => {
    const target = new URL(String(url));
    if (target.pathname === '/control/') {
      const metadataUrl = `https://portal.sso.${target.hostname.split('.')[1]}.amazonaws.com/saml/metadata/MTExMTIyMjIzMzMzX2lucy01YTFlMGM5ZjNiN2QyZTQ2`;
      return new Response(JSON.stringify({ applicationInstance: { instanceId: 'ins-5a1e0c9f3b7d2e46', identityProviderConfig: { metadataUrl } } }));
    }
    return new Response(xml, { headers: { 'content-type': 'application/xml' } });
  });
}

afterEach(() => {
  jest.restoreAllMocks();
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
});

describe("the deployed functions' handlers", () => {
  it.each(FUNCTIONS.map((fn) => [fn.key, fn.handler.entry, fn.handler.export]))('%s: %s exports %s', (_key, entry, name) => {
    expect(typeof loadHandlers(entry, ENV)[name]).toBe('function');
  });

  it.each(FUNCTIONS.filter((fn) => fn.kind === 'apply' || fn.kind === 'revert').map((fn) => fn.key))(
    '%s refuses a state input that is not the execution document, before any AWS call',
    async (key) => {
      await expect(handlerOf(key)({ bucket: BUCKET, key: 'metadata/admin/idp.xml' })).rejects.toMatchObject({ name: 'Document.Invalid' });
      expect([...s3Mock.calls(), ...iamMock.calls()]).toHaveLength(0);
    },
  );

  it('Intake turns the state machine payload into the execution document, reading the object pinned to its version', async () => {
    const xml = identityCenterXml();
    serveMetadata(Buffer.from(xml));
    identityCenterServes(xml);
    const document = (await handlerOf('intake')({
      input: { bucket: BUCKET, key: 'metadata/admin/idp.xml', dryRun: true },
      executionName: 'manual-1',
    })) as ExecutionDocument;
    expect(document.request).toMatchObject({
      bucket: BUCKET,
      versionId: VERSION_ID,
      dryRun: true,
      account: '111122223333',
      region: 'eu-west-1',
      partition: 'aws',
    });
    expect(s3Mock.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({ Bucket: BUCKET, Key: 'metadata/admin/idp.xml', VersionId: VERSION_ID });
    expect(s3Mock.calls().map((call) => (call.args[0] as object).constructor.name)).toEqual(['HeadObjectCommand', 'GetObjectCommand']);
  });

  it.each([
    ['Connect.NotSamlInstance', { Instance: { IdentityManagementType: 'CONNECT_MANAGED' as const, InstanceStatus: 'ACTIVE' as const } }],
    ['Connect.InstanceNotActive', { Instance: { IdentityManagementType: 'SAML' as const, InstanceStatus: 'CREATION_IN_PROGRESS' as const } }],
  ])('the deployed Intake refuses %s before reading the upload', async (error, answer) => {
    connectMock.on(DescribeInstanceCommand).resolves(answer);
    const refused = handlerOf('intake')({ input: { bucket: BUCKET, key: 'metadata/admin/idp.xml' }, executionName: 'manual-1' });
    await expect(refused).rejects.toMatchObject({ name: error });
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it('the deployed Intake refuses an instance Amazon Connect does not have (Connect.InstanceNotFound)', async () => {
    connectMock.on(DescribeInstanceCommand).rejects(new connectModule.ResourceNotFoundException({ message: 'Instance not found', $metadata: {} }));
    const refused = handlerOf('intake')({ input: { bucket: BUCKET, key: 'metadata/admin/idp.xml' }, executionName: 'manual-1' });
    await expect(refused).rejects.toMatchObject({ name: 'Connect.InstanceNotFound' });
    expect(connectMock.commandCalls(DescribeInstanceCommand)[0]?.args[0].input).toEqual({ InstanceId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' });
  });

  it('a step handler runs its step with the clients it built', async () => {
    iamMock.onAnyCommand().rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    const doc = {
      request: {
        bucket: BUCKET,
        key: 'metadata/admin/idp.xml',
        versionId: VERSION_ID,
        sha256: 'a'.repeat(64),
        profile: 'admin',
        dryRun: false,
        executionName: 'e',
        account: '111122223333',
        partition: 'aws',
      },
      profile: { ...exampleConfig.profiles.admin, name: 'admin' },
      metadata: { entityId: 'https://example.com/idp', certificates: [], warnings: [] },
    };
    serveMetadata(Buffer.from(identityCenterXml()));
    await expect(handlerOf('identityProviderApply')({ document: doc, lease: 'e#0' })).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(iamMock.calls().map((call) => (call.args[0] as object).constructor.name)).toContain('GetSAMLProviderCommand');
    // The lease first, then this execution's journal, read from the tables the environment names, with consistent reads.
    expect(dynamodbMock.commandCalls(GetItemCommand)[0]?.args[0].input).toEqual({
      TableName: 'federation-locks',
      Key: { profile: { S: 'admin' } },
      ConsistentRead: true,
    });
    expect(dynamodbMock.commandCalls(GetItemCommand)[1]?.args[0].input).toEqual({
      TableName: 'federation-records',
      Key: { pk: { S: 'journal#e' }, sk: { S: 'identityProvider' } },
      ConsistentRead: true,
    });
  });

  it('a step without RECORD_TABLE in its environment fails with Config.Invalid naming it, before any change', async () => {
    const doc = makeDocument();
    await expect(handlerOf('roleApply', { ...ENV, RECORD_TABLE: undefined })({ document: doc, lease: 'exec-0001#0' })).rejects.toMatchObject({
      name: 'Config.Invalid',
      message: expect.stringMatching(/^RECORD_TABLE/),
    });
    expect(iamMock.calls().filter((call) => !(call.args[0] as object).constructor.name.startsWith('Get'))).toEqual([]);
  });

  it('uses the partition it is configured with', async () => {
    const xml = identityCenterXml();
    serveMetadata(Buffer.from(xml));
    identityCenterServes(xml);
    const document = (await handlerOf('intake', { ...ENV, PARTITION: 'aws-us-gov', AWS_REGION: 'us-gov-west-1' })({
      input: { bucket: BUCKET, key: 'metadata/admin/idp.xml' },
      executionName: 'manual-2',
    })) as ExecutionDocument;
    expect(document.request.partition).toBe('aws-us-gov');
  });

  it.each(FUNCTIONS.map((fn) => fn.key))('%s fails its start with Config.Invalid naming the field when PROFILES is invalid', (key) => {
    const bad = JSON.parse(ENV.PROFILES);
    bad.profiles.admin.role.maxSessionDuration = 10;
    expect(() => handlerOf(key, { ...ENV, PROFILES: JSON.stringify(bad) })).toThrow(/PROFILES\.profiles\.admin\.role\.maxSessionDuration/);
  });

  it('fails its start with Config.Invalid when PROFILES is missing', () => {
    expect(() => handlerOf('roleApply', { ...ENV, PROFILES: undefined })).toThrow(
      expect.objectContaining({ name: 'Config.Invalid', message: expect.stringMatching(/^PROFILES/) }),
    );
  });

  it('Intake refuses a wrong bucket before calling S3', async () => {
    await expect(handlerOf('intake')({ input: { bucket: 'elsewhere', key: 'metadata/admin/idp.xml' }, executionName: 'x' })).rejects.toMatchObject({
      name: 'Request.Invalid',
    });
    expect(s3Mock.commandCalls(HeadObjectCommand)).toHaveLength(0);
  });
});

describe('readPipelineEnvironment', () => {
  it('defaults the partition to aws', () => {
    expect(readPipelineEnvironment({ METADATA_BUCKET: 'b', ACCOUNT_ID: '111122223333', AWS_REGION: 'us-east-1' })).toEqual({
      bucket: 'b',
      account: '111122223333',
      region: 'us-east-1',
      partition: 'aws',
    });
  });

  it.each(['METADATA_BUCKET', 'ACCOUNT_ID', 'AWS_REGION'])('names a missing %s', (name) => {
    const env: Record<string, string> = { METADATA_BUCKET: 'b', ACCOUNT_ID: '111122223333', AWS_REGION: 'us-east-1' };
    delete env[name];
    expect(() => readPipelineEnvironment(env)).toThrow(expect.objectContaining({ name: 'Config.Invalid', message: expect.stringContaining(name) }));
  });
});

describe('awsClients', () => {
  it("sends IAM Identity Center calls to the Identity Center region and the rest to the pipeline's", async () => {
    const clients = awsClients({ region: 'eu-west-1', identityCenterRegion: 'us-east-1' });
    expect(clients.s3).toBeInstanceOf(S3Client);
    expect(await clients.s3.config.region()).toBe('eu-west-1');
    expect(await clients.iam.config.region()).toBe('eu-west-1');
    expect(clients.ssoAdmin).toBeInstanceOf(SSOAdminClient);
    expect(await clients.ssoAdmin.config.region()).toBe('us-east-1');
  });

  it('creates each client once, on first use', () => {
    const clients = awsClients({ region: 'eu-west-1' });
    expect(clients.iam).toBe(clients.iam);
    expect(clients.ssoAdmin).toBe(clients.ssoAdmin);
  });

  it('reaches a target account with one client per session, assuming the role with the execution as session name and source identity', () => {
    const clients = awsClients({ region: 'eu-west-1' });
    const session = { roleArn: 'arn:aws:iam::222222222222:role/connect-saml-federation-target-apply', sessionName: 'exec-1' };
    const iam = clients.iamIn(session);
    expect(iam).toBeInstanceOf(IAMClient);
    expect(clients.iamIn({ ...session })).toBe(iam);
    expect(clients.iamIn({ ...session, sessionName: 'exec-2' })).not.toBe(iam);
    expect(iam).not.toBe(clients.iam);
    // The SDK's temporary-credentials provider sends exactly this AssumeRole on the session's first call.
    expect(assumeRoleParams(session)).toEqual({
      RoleArn: session.roleArn,
      RoleSessionName: 'exec-1',
      SourceIdentity: 'exec-1',
      DurationSeconds: 900,
    });
    expect(assumeRoleParams({ ...session, policy: '{}' }).Policy).toBe('{}');
  });
});
