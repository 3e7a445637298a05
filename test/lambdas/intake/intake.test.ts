import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type IntakeDeps, type IntakeEvent, intake } from '../../../lambdas/intake/intake';
import { exampleConfig, exampleProfile } from '../../helpers/document';
import { identityCenterXml, NOW } from './fixtures';
import { hostileFiles } from './hostile-files';
import { awsCalls, awsError, resetMocks, s3Mock, serveObject, VERSION_ID } from './s3-mock';

const BUCKET = 'federation-metadata-bucket';
const environment = { bucket: BUCKET, account: '111122223333', region: 'us-east-1', partition: 'aws' };

/** A real client: aws-sdk-client-mock replaces `send` on S3Client's prototype, so every instance is mocked. */
function deps(): IntakeDeps {
  return { s3: new S3Client({ region: 'us-east-1' }), config: exampleConfig, environment, now: () => NOW };
}

function manual(input: Record<string, unknown>, executionName = 'exec-0001'): IntakeEvent {
  return { input: { bucket: BUCKET, key: 'metadata/admin/idp.xml', ...input }, executionName };
}

/** `versionId: null`: the event of an unversioned bucket, which has no version-id. */
function objectCreated(key = 'metadata/agent/idp.xml', versionId: string | null = VERSION_ID): IntakeEvent {
  return {
    input: {
      version: '0',
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: '111122223333',
      region: 'us-east-1',
      detail: { bucket: { name: BUCKET }, object: { key, size: 2598, ...(versionId ? { 'version-id': versionId } : {}) }, reason: 'PutObject' },
    },
    executionName: 'a1b2c3d4-from-eventbridge',
  };
}

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected Intake to fail');
}

const headCalls = () => s3Mock.commandCalls(HeadObjectCommand).map((call) => call.args[0].input);
const getCalls = () => s3Mock.commandCalls(GetObjectCommand).map((call) => call.args[0].input);

beforeEach(resetMocks);

describe('intake: the execution document', () => {
  it('turns an S3 upload into the execution document every later step reads', async () => {
    const body = Buffer.from(identityCenterXml());
    serveObject(body);
    const document = await intake(objectCreated(), deps());
    expect(document.request).toEqual({
      bucket: BUCKET,
      key: 'metadata/agent/idp.xml',
      versionId: VERSION_ID,
      sha256: createHash('sha256').update(body).digest('hex'),
      size: body.length,
      profile: 'agent',
      dryRun: false,
      executionName: 'a1b2c3d4-from-eventbridge',
      pipelineName: exampleConfig.pipelineName,
      account: '111122223333',
      region: 'us-east-1',
      partition: 'aws',
      source: 'eventbridge',
    });
    expect(document.profile).toEqual(exampleProfile('agent'));
    expect(document.metadata.entityId).toBe('https://portal.sso.us-east-1.amazonaws.com/saml/assertion/MTExMTIyMjIzMzMzX2lucy01YTFlMGM5ZjNiN2QyZTQ2');
    expect(document.metadata.certificates).toHaveLength(1);
    expect(document.receipts).toEqual({});
    expect(document.lock).toEqual({
      owner: 'a1b2c3d4-from-eventbridge',
      expiresAt: '2031-03-15T13:00:00.000Z',
      ttl: String(Date.parse('2031-03-15T13:00:00Z') / 1000),
    });
    expect(awsCalls()).toEqual(['HeadObjectCommand', 'GetObjectCommand']);
  });

  it('survives a JSON round trip unchanged, as Step Functions passes it on', async () => {
    serveObject(Buffer.from(identityCenterXml()));
    const document = await intake(manual({}), deps());
    expect(JSON.parse(JSON.stringify(document))).toEqual(document);
  });

  it('reads the exact version named by the event, with HeadObject and GetObject', async () => {
    serveObject(Buffer.from(identityCenterXml()));
    await intake(objectCreated('metadata/agent/idp.xml', 'event-version'), deps());
    expect(headCalls()).toEqual([{ Bucket: BUCKET, Key: 'metadata/agent/idp.xml', VersionId: 'event-version' }]);
    expect(getCalls()).toEqual([{ Bucket: BUCKET, Key: 'metadata/agent/idp.xml', VersionId: 'event-version' }]);
  });

  it('pins a manual input without versionId to the version current at HeadObject', async () => {
    serveObject(Buffer.from(identityCenterXml()), { versionId: 'current-at-head' });
    const document = await intake(manual({}), deps());
    expect(headCalls()).toEqual([{ Bucket: BUCKET, Key: 'metadata/admin/idp.xml' }]);
    expect(getCalls()).toEqual([{ Bucket: BUCKET, Key: 'metadata/admin/idp.xml', VersionId: 'current-at-head' }]);
    expect(document.request.versionId).toBe('current-at-head');
    expect(document.request.source).toBe('manual');
  });

  it('reads the version a manual input names', async () => {
    serveObject(Buffer.from(identityCenterXml()), { versionId: 'older-version' });
    const document = await intake(manual({ versionId: 'older-version' }), deps());
    expect(headCalls()[0]).toEqual({ Bucket: BUCKET, Key: 'metadata/admin/idp.xml', VersionId: 'older-version' });
    expect(getCalls()[0]?.VersionId).toBe('older-version');
    expect(document.request.versionId).toBe('older-version');
  });

  it('carries a dry run into the document', async () => {
    serveObject(Buffer.from(identityCenterXml()));
    expect((await intake(manual({ dryRun: true }), deps())).request.dryRun).toBe(true);
  });

  it('passes the validation warnings on', async () => {
    const { certificate } = await import('./fixtures');
    serveObject(Buffer.from(identityCenterXml({ certificates: [certificate('soon', 10)] })));
    expect((await intake(manual({}), deps())).metadata.warnings).toEqual([expect.stringMatching(/within 30 days/)]);
  });
});

describe('intake: the object', () => {
  it('refuses an unversioned bucket, explaining that versioning is required, before reading the body', async () => {
    serveObject(Buffer.from(identityCenterXml()), { versionId: undefined });
    const error = await errorOf(intake(manual({}), deps()));
    expect(error.name).toBe('Request.Invalid');
    expect(error.message).toMatch(/versioning enabled/);
    expect(awsCalls()).toEqual(['HeadObjectCommand']);
  });

  it('refuses an event without version-id from an unversioned bucket', async () => {
    serveObject(Buffer.from(identityCenterXml()), { versionId: 'null' });
    expect((await errorOf(intake(objectCreated('metadata/admin/idp.xml', null), deps()))).name).toBe('Request.Invalid');
  });

  it.each([
    ['a missing object (HeadObject 404)', 'NotFound', {}],
    ['a missing version', 'NoSuchVersion', { versionId: 'gone' }],
    ['a malformed version id', 'BadRequest', { versionId: '???' }],
    ['a missing key', 'NoSuchKey', {}],
    ['a version that is a delete marker', 'MethodNotAllowed', { versionId: 'delete-marker' }],
  ])('answers %s with Request.ObjectNotFound and reads nothing more', async (_name, sdkName, input) => {
    s3Mock.on(HeadObjectCommand).rejects(awsError(sdkName));
    const error = await errorOf(intake(manual(input), deps()));
    expect(error.name).toBe('Request.ObjectNotFound');
    expect(error.message).toContain(`s3://${BUCKET}/metadata/admin/idp.xml`);
    expect(awsCalls()).toEqual(['HeadObjectCommand']);
  });

  it('answers an object deleted between HeadObject and GetObject with Request.ObjectNotFound', async () => {
    serveObject(Buffer.from(identityCenterXml()));
    s3Mock.on(GetObjectCommand).rejects(awsError('NoSuchVersion'));
    expect((await errorOf(intake(manual({}), deps()))).name).toBe('Request.ObjectNotFound');
  });

  it('lets access and throttling errors through with their S3 names, for the state machine to retry or report', async () => {
    s3Mock.on(HeadObjectCommand).rejects(awsError('Forbidden'));
    expect((await errorOf(intake(manual({}), deps()))).name).toBe('Forbidden');
    s3Mock.reset();
    serveObject(Buffer.from(identityCenterXml()));
    s3Mock.on(GetObjectCommand).rejects(awsError('SlowDown'));
    expect((await errorOf(intake(manual({}), deps()))).name).toBe('SlowDown');
  });

  it('refuses more than 10,000,000 bytes from HeadObject, without reading the body', async () => {
    serveObject(Buffer.from(identityCenterXml()), { contentLength: 10_000_001 });
    expect((await errorOf(intake(manual({}), deps()))).name).toBe('Metadata.TooLarge');
    expect(awsCalls()).toEqual(['HeadObjectCommand']);
  });

  it('accepts exactly 10,000,000 bytes as far as the size goes', async () => {
    serveObject(Buffer.from(identityCenterXml()), { contentLength: 10_000_000 });
    await intake(manual({}), deps());
    expect(awsCalls()).toEqual(['HeadObjectCommand', 'GetObjectCommand']);
  });

  it('refuses fewer than 1,000 bytes from HeadObject, without reading the body', async () => {
    serveObject(Buffer.from(identityCenterXml()), { contentLength: 999 });
    expect((await errorOf(intake(manual({}), deps()))).name).toBe('Metadata.TooSmall');
    expect(awsCalls()).toEqual(['HeadObjectCommand']);
  });

  it('checks the size of the body it read as well (a HeadObject without ContentLength)', async () => {
    serveObject(Buffer.alloc(12), { contentLength: undefined as never });
    s3Mock.on(HeadObjectCommand).resolves({ VersionId: VERSION_ID });
    expect((await errorOf(intake(manual({}), deps()))).name).toBe('Metadata.TooSmall');
  });
});

describe('intake: the request', () => {
  it.each([
    ['another bucket', manual({ bucket: 'other-bucket' }), 'Request.Invalid'],
    ['an unknown profile', manual({ key: 'metadata/supervisor/idp.xml' }), 'Request.UnknownProfile'],
    ['a key outside metadata/<profile>/', manual({ key: 'idp.xml' }), 'Request.Invalid'],
    ['an input of neither shape', { input: { hello: 'world' }, executionName: 'x' }, 'Request.Invalid'],
    ['an invocation without the state machine wrapper', { bucket: BUCKET, key: 'metadata/admin/idp.xml' } as never, 'Request.Invalid'],
  ])('refuses %s without any AWS call', async (_name, event, name) => {
    expect((await errorOf(intake(event, deps()))).name).toBe(name);
    expect(awsCalls()).toEqual([]);
  });
});

describe('intake: hostile and broken files', () => {
  const files = hostileFiles();

  it('covers at least 20 of them', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it.each(files.map((file) => [file.name, file] as const))('refuses %s with its own error name, and only reads the object', async (_name, file) => {
    serveObject(file.body, file.contentLength === undefined ? {} : { contentLength: file.contentLength });
    const error = await errorOf(intake(objectCreated('metadata/admin/idp.xml'), deps()));
    expect(error.name).toBe(file.error);
    if (file.message) expect(error.message).toMatch(file.message);
    const calls = awsCalls();
    expect(calls.every((call) => call === 'HeadObjectCommand' || call === 'GetObjectCommand')).toBe(true);
    // A size refused from HeadObject leaves the body unread.
    if (file.error === 'Metadata.TooLarge' || file.body.length < 1000) expect(calls).toEqual(['HeadObjectCommand']);
    else expect(calls).toEqual(['HeadObjectCommand', 'GetObjectCommand']);
  });
});
