import { createHash, X509Certificate } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, type GetObjectCommandInput, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { type IntakeDeps, type IntakeEvent, intake } from '../../../lambdas/intake/intake';
import { TRANSIENT_AWS_ERRORS } from '../../../lambdas/workflow-errors';
import { accountForConfig, holdDocument } from '../../../local/simulated-services';
import type { CallRecord, SimulatedAccount } from '../../../simulated-account';
import { exampleConfig, exampleProfile } from '../../helpers/document';
import { AGENT_INSTANCE_ID, certificate, identityCenterXml, NOW, oktaXml } from './fixtures';
import { hostileFiles } from './hostile-files';

/*
 * Intake against the shared simulated account: the tests upload real objects to the pipeline's bucket and read the
 * account's call log, so what is checked is what Intake asked S3 and what S3 (as SDK v3 reports it) answered. The two
 * answers the account cannot give are stubbed with aws-sdk-client-mock inside their tests, each saying why.
 */

const BUCKET = 'federation-metadata-bucket';
const ADMIN_KEY = 'metadata/admin/idp.xml';
const AGENT_KEY = 'metadata/agent/idp.xml';
const environment = { bucket: BUCKET, account: '111122223333', region: 'us-east-1', partition: 'aws' };

let account: SimulatedAccount;

beforeEach(() => {
  // The example's applications (the agent one at the id its document names), and the metadata bucket, versioned as
  // the stack creates it.
  account = accountForConfig(exampleConfig, {
    bucket: BUCKET,
    documents: { agent: identityCenterXml({ applicationInstanceId: AGENT_INSTANCE_ID }) },
  });
});

function deps(s3: S3Client = account.clients().s3): IntakeDeps {
  const { ssoAdmin, swb, fetchMetadata } = account.clients();
  return { s3, identityCenter: { ssoAdmin, swb, fetchMetadata }, config: exampleConfig, environment, now: () => NOW };
}

/** What Intake asked S3: its reads of the metadata object (it also reads the profile's application, checked apart). */
function s3Calls(): CallRecord[] {
  return account.calls.filter((call) => call.service === 's3');
}

interface Uploaded {
  key: string;
  versionId: string;
  body: Buffer;
}

/** Uploads `body` as a new version of `key` (unlogged, as the uploader is not Intake). */
function upload(key: string, body: string | Buffer = identityCenterXml()): Uploaded {
  const bytes = Buffer.from(body);
  // Downloaded from the profile's application: it serves this document as its own (when its entityID names it).
  holdDocument(account, exampleConfig, key.split('/')[1] ?? '', bytes.toString('utf-8'));
  return { key, versionId: account.putObject(BUCKET, key, bytes), body: bytes };
}

/** Makes the key's latest version a delete marker, as `aws s3 rm` does on a versioned bucket; returns the marker's version id. */
async function deleteKey(key: string): Promise<string> {
  const deleted = await account.seed((clients) => clients.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key })));
  return deleted.VersionId!;
}

function manual(input: Record<string, unknown>, executionName = 'exec-0001'): IntakeEvent {
  return { input: { bucket: BUCKET, key: ADMIN_KEY, ...input }, executionName };
}

/** The EventBridge event of an upload; an unversioned bucket's event has no version-id. */
function objectCreated(object: { key: string; versionId?: string; body: Buffer }): IntakeEvent {
  return {
    input: {
      version: '0',
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: '111122223333',
      region: 'us-east-1',
      detail: {
        bucket: { name: BUCKET },
        object: { key: object.key, size: object.body.length, ...(object.versionId === undefined ? {} : { 'version-id': object.versionId }) },
        reason: 'PutObject',
      },
    },
    executionName: 'a1b2c3d4-from-eventbridge',
  };
}

/** One read of the metadata object as the account logs it. Intake reads only; nothing it calls may write. */
function read(operation: 'HeadObject' | 'GetObject', key: string, versionId: string | undefined, outcome = 'ok'): CallRecord {
  return {
    account: '111122223333',
    service: 's3',
    operation,
    input: { Bucket: BUCKET, Key: key, ...(versionId === undefined ? {} : { VersionId: versionId }) },
    mutating: false,
    outcome,
  };
}

/**
 * HeadObject, then GetObject pinned to the object's version, both answered: the whole of a successful Intake's AWS
 * traffic. HeadObject names the version when the input does ('named'), else reads the current one ('current').
 */
/**
 * The reads of an accepted object: its HeadObject (at the version the input names, then the current one, to refuse a
 * superseded version; or the current one alone), then one GetObject pinned to that version.
 */
function headThenPinnedGet(object: Uploaded, head: 'named' | 'current' = 'named'): CallRecord[] {
  const heads =
    head === 'named'
      ? [read('HeadObject', object.key, object.versionId), read('HeadObject', object.key, undefined)]
      : [read('HeadObject', object.key, undefined)];
  return [...heads, read('GetObject', object.key, object.versionId)];
}

const sha256 = (body: Buffer) => createHash('sha256').update(body).digest('hex');

/** IAM Identity Center's document grown to exactly `bytes` with whitespace inside its root element, where XML allows it. */
function validDocumentOf(bytes: number): Buffer {
  const xml = identityCenterXml();
  const close = xml.lastIndexOf('</md:EntityDescriptor>');
  return Buffer.from(`${xml.slice(0, close)}${' '.repeat(bytes - Buffer.byteLength(xml))}${xml.slice(close)}`);
}

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected Intake to fail');
}

describe('intake: the execution document', () => {
  it('turns an S3 upload into the execution document every later step reads, reading only that object', async () => {
    const uploaded = upload(AGENT_KEY, identityCenterXml({ applicationInstanceId: AGENT_INSTANCE_ID }));
    const document = await intake(objectCreated(uploaded), deps());
    expect(document.request).toEqual({
      bucket: BUCKET,
      key: AGENT_KEY,
      versionId: uploaded.versionId,
      sha256: sha256(uploaded.body),
      size: uploaded.body.length,
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
    expect(document.metadata.entityId).toBe('https://portal.sso.us-east-1.amazonaws.com/saml/assertion/MTExMTIyMjIzMzMzX2lucy0zZjhkNmIyYTljMWU3MDU0');
    expect(document.metadata.certificates).toHaveLength(1);
    expect(document.receipts).toEqual({});
    expect(document.lock).toEqual({
      owner: 'a1b2c3d4-from-eventbridge',
      // The lease every change of the execution is made under: its name, in the run Intake validated (never redriven).
      lease: 'a1b2c3d4-from-eventbridge#0',
      expiresAt: '2031-03-15T13:00:00.000Z',
      ttl: String(Date.parse('2031-03-15T13:00:00Z') / 1000),
    });
    expect(s3Calls()).toEqual(headThenPinnedGet(uploaded));
  });

  it('survives a JSON round trip unchanged, as Step Functions passes it on', async () => {
    upload(ADMIN_KEY);
    const document = await intake(manual({}), deps());
    expect(JSON.parse(JSON.stringify(document))).toEqual(document);
  });

  it('carries a dry run into the document', async () => {
    upload(ADMIN_KEY);
    expect((await intake(manual({ dryRun: true }), deps())).request.dryRun).toBe(true);
  });

  it('passes the validation warnings on', async () => {
    upload(ADMIN_KEY, identityCenterXml({ certificates: [certificate('soon', 10)] }));
    expect((await intake(manual({}), deps())).metadata.warnings).toEqual([
      expect.stringMatching(/within 30 days/),
      expect.stringMatching(
        /^profile admin pins no signing certificate .* the provider trusts SHA-256 [0-9A-F:]{95}, which the application.s own metadata carries/,
      ),
    ]);
  });
});

describe("intake: the profile's application vouches for an upload", () => {
  it("reads the application's own metadata, as a fetch does (its URL from the console API, then the portal), and stores nothing", async () => {
    const uploaded = upload(ADMIN_KEY);
    await intake(manual({}), deps());
    expect(account.calls.filter((call) => call.service !== 's3').map((call) => `${call.service}:${call.operation}`)).toEqual([
      'swb:GetApplicationInstance',
      'portal:GET',
    ]);
    expect(account.mutatingCalls()).toEqual([]);
    expect(uploaded.versionId).toBeDefined();
  });

  it('refuses a signing certificate the application does not sign with, naming it and the application’s own, before any change', async () => {
    const theirs = identityCenterXml();
    holdDocument(account, exampleConfig, 'admin', theirs);
    account.putObject(BUCKET, ADMIN_KEY, identityCenterXml({ certificates: [certificate('uploader')] }));
    const error = await errorOf(intake(manual({}), deps()));
    expect(error.name).toBe('Metadata.UnknownSigningCertificate');
    expect(error.message).toContain(`SHA-256 ${new X509Certificate(certificate('uploader').certificatePem).fingerprint256} (CN=uploader)`);
    expect(error.message).toContain(`carries SHA-256 ${new X509Certificate(certificate().certificatePem).fingerprint256}`);
    expect(error.message).toContain('{"profile": "admin"}');
    expect(account.mutatingCalls()).toEqual([]);
  });

  it('accepts a document that carries the application’s certificate beside others only when the application carries them all', async () => {
    const both = identityCenterXml({ certificates: [certificate(), certificate('next')] });
    account.putObject(BUCKET, ADMIN_KEY, both);
    holdDocument(account, exampleConfig, 'admin', identityCenterXml());
    expect((await errorOf(intake(manual({}), deps()))).name).toBe('Metadata.UnknownSigningCertificate');
    holdDocument(account, exampleConfig, 'admin', both);
    expect((await intake(manual({}), deps())).metadata.certificates).toHaveLength(2);
  });

  it('in manual mode, computes the metadata URL instead of calling the console API', async () => {
    const manualConfig = {
      ...exampleConfig,
      profiles: {
        ...exampleConfig.profiles,
        admin: { ...exampleConfig.profiles.admin!, attributeMapping: { ...exampleConfig.profiles.admin!.attributeMapping, mode: 'manual' as const } },
      },
    };
    upload(ADMIN_KEY);
    await intake(manual({}), { ...deps(), config: manualConfig });
    expect(account.calls.filter((call) => call.service === 'swb')).toEqual([]);
    expect(account.calls.filter((call) => call.service === 'portal')).toHaveLength(1);
  });

  it('for a profile pinned to another issuer (identityProvider.expectedEntityId), trusts the pin and reads no application', async () => {
    const okta = oktaXml();
    const pinned = {
      ...exampleConfig,
      profiles: {
        ...exampleConfig.profiles,
        admin: {
          ...exampleConfig.profiles.admin!,
          identityProvider: { ...exampleConfig.profiles.admin!.identityProvider, expectedEntityId: 'http://www.okta.com/exk8f3k2d9QWERTYx5d7' },
        },
      },
    };
    upload(ADMIN_KEY, okta);
    expect((await intake(manual({}), { ...deps(), config: pinned })).metadata.entityId).toBe('http://www.okta.com/exk8f3k2d9QWERTYx5d7');
    expect(account.calls.filter((call) => call.service !== 's3')).toEqual([]);
  });
});

describe('intake: the version it reads', () => {
  it('refuses an upload event that a newer upload superseded (Request.NotCurrentVersion), reading no body: the newer one has its own execution', async () => {
    const uploaded = upload(AGENT_KEY, identityCenterXml({ applicationInstanceId: AGENT_INSTANCE_ID }));
    const newer = upload(AGENT_KEY, identityCenterXml({ applicationInstanceId: AGENT_INSTANCE_ID, certificates: [certificate('newer upload')] }));
    const error = await errorOf(intake(objectCreated(uploaded), deps()));
    expect(error).toMatchObject({
      name: 'Request.NotCurrentVersion',
      message: expect.stringContaining(`its current version is ${newer.versionId}: a newer upload superseded this one`),
    });
    expect(s3Calls().map((call) => call.operation)).toEqual(['HeadObject', 'HeadObject']);
  });

  it('refuses a manual start shaped like an upload event that names an older version, as it refuses any manual start', async () => {
    const older = upload(ADMIN_KEY);
    upload(ADMIN_KEY, identityCenterXml({ certificates: [certificate('current')] }));
    await expect(intake(objectCreated(older), deps())).rejects.toMatchObject({ name: 'Request.NotCurrentVersion' });
  });

  it('refuses a manual start that names an older version (a rotated-out certificate) with Request.NotCurrentVersion, reading no body', async () => {
    const older = upload(ADMIN_KEY);
    const current = upload(ADMIN_KEY, identityCenterXml({ certificates: [certificate('current')] }));
    const error = await errorOf(intake(manual({ versionId: older.versionId }), deps()));
    expect(error.name).toBe('Request.NotCurrentVersion');
    expect(error.message).toContain(`its current version is ${current.versionId}`);
    expect(error.message).toContain('"allowOlderVersion": true');
    expect(s3Calls()).toEqual([read('HeadObject', ADMIN_KEY, older.versionId), read('HeadObject', ADMIN_KEY, undefined)]);
  });

  it('with "allowOlderVersion": true, reads the older version the input names and says so in the warnings', async () => {
    const older = upload(ADMIN_KEY);
    const current = upload(ADMIN_KEY, identityCenterXml({ certificates: [certificate('current')] }));
    // The application signs with the older certificate again (set active again in the console), so it vouches for it.
    holdDocument(account, exampleConfig, 'admin', older.body.toString('utf-8'));
    const document = await intake(manual({ versionId: older.versionId, allowOlderVersion: true }), deps());
    expect(document.request).toMatchObject({ versionId: older.versionId, sha256: sha256(older.body), source: 'manual' });
    expect(document.metadata.warnings[0]).toMatch(
      new RegExp(
        `installs version ${older.versionId} .*older than the current one \\(its current version is ${current.versionId}\\): a rollback to older metadata was asked for`,
      ),
    );
    expect(s3Calls()).toEqual([
      read('HeadObject', ADMIN_KEY, older.versionId),
      read('HeadObject', ADMIN_KEY, undefined),
      read('GetObject', ADMIN_KEY, older.versionId),
    ]);
  });

  it('accepts a manual start that names the current version, checking that it is current', async () => {
    const current = upload(ADMIN_KEY);
    const document = await intake(manual({ versionId: current.versionId }), deps());
    expect(document.request.versionId).toBe(current.versionId);
    // No word of an older version: the one named is the current one.
    expect(document.metadata.warnings).toEqual([expect.stringContaining('pins no signing certificate')]);
    expect(s3Calls()).toEqual([
      read('HeadObject', ADMIN_KEY, current.versionId),
      read('HeadObject', ADMIN_KEY, undefined),
      read('GetObject', ADMIN_KEY, current.versionId),
    ]);
  });

  it('pins a manual input without versionId to the version current at HeadObject, so an upload meanwhile cannot mix in', async () => {
    const current = upload(ADMIN_KEY);
    account.interleave({ operation: 'GetObject' }, (clients) =>
      clients.s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: ADMIN_KEY, Body: identityCenterXml({ certificates: [certificate('meanwhile')] }) }),
      ),
    );
    const document = await intake(manual({}), deps());
    expect(document.request).toMatchObject({ versionId: current.versionId, sha256: sha256(current.body), source: 'manual' });
    expect(s3Calls()).toEqual(headThenPinnedGet(current, 'current'));
  });

  it('still reads the pinned version when the key is deleted (a delete marker added) between HeadObject and GetObject', async () => {
    const current = upload(ADMIN_KEY);
    account.interleave({ operation: 'GetObject' }, (clients) => clients.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: ADMIN_KEY })));
    const document = await intake(manual({}), deps());
    expect(document.request.versionId).toBe(current.versionId);
    expect(s3Calls()).toEqual(headThenPinnedGet(current, 'current'));
  });
});

describe('intake: a missing or deleted object', () => {
  it('answers a key never uploaded with Request.ObjectNotFound, after one HeadObject', async () => {
    const error = await errorOf(intake(manual({}), deps()));
    expect(error.name).toBe('Request.ObjectNotFound');
    expect(error.message).toContain(`s3://${BUCKET}/${ADMIN_KEY} does not exist`);
    expect(s3Calls()).toEqual([read('HeadObject', ADMIN_KEY, undefined, 'NotFound')]);
  });

  it('answers a version that no longer exists (permanently deleted) with Request.ObjectNotFound, after one HeadObject', async () => {
    const gone = upload(ADMIN_KEY);
    upload(ADMIN_KEY, identityCenterXml({ certificates: [certificate('current')] }));
    await account.seed((clients) => clients.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: ADMIN_KEY, VersionId: gone.versionId })));
    const error = await errorOf(intake(manual({ versionId: gone.versionId }), deps()));
    expect(error.name).toBe('Request.ObjectNotFound');
    expect(error.message).toContain(`s3://${BUCKET}/${ADMIN_KEY} at version ${gone.versionId} does not exist`);
    expect(error.message).toMatch(/leave versionId out/);
    expect(s3Calls()).toEqual([read('HeadObject', ADMIN_KEY, gone.versionId, 'NotFound')]);
  });

  it('answers a malformed version id (HeadObject 400) with Request.ObjectNotFound', async () => {
    upload(ADMIN_KEY);
    // S3 answers a version id it cannot parse with 400 (a HEAD: status only); the simulated account accepts any
    // version id and would answer 404, so the 400 is injected as S3 sends it.
    account.faults.inject({ service: 's3', operation: 'HeadObject', error: 'InvalidArgument' });
    const error = await errorOf(intake(manual({ versionId: '???' }), deps()));
    expect(error.name).toBe('Request.ObjectNotFound');
    expect(error.message).toContain('S3: 400 Unknown');
    expect(s3Calls()).toEqual([read('HeadObject', ADMIN_KEY, '???', 'Unknown')]);
  });

  it('answers a version that is a delete marker with Request.ObjectNotFound saying so (HeadObject 405)', async () => {
    upload(ADMIN_KEY);
    const marker = await deleteKey(ADMIN_KEY);
    const error = await errorOf(intake(manual({ versionId: marker }), deps()));
    expect(error.name).toBe('Request.ObjectNotFound');
    expect(error.message).toBe(
      `s3://${BUCKET}/${ADMIN_KEY} at version ${marker} is a delete marker, not a metadata document. Name a version that holds the file.`,
    );
    expect(s3Calls()).toEqual([read('HeadObject', ADMIN_KEY, marker, 'Unknown')]);
  });

  it('answers a key whose latest version is a delete marker with Request.ObjectNotFound saying it was deleted (HeadObject 404)', async () => {
    upload(ADMIN_KEY);
    await deleteKey(ADMIN_KEY);
    const error = await errorOf(intake(manual({}), deps()));
    expect(error.name).toBe('Request.ObjectNotFound');
    expect(error.message).toMatch(
      /was deleted \(its current version is a delete marker\)\. Upload the file again, or name the version that holds it/,
    );
    expect(s3Calls()).toEqual([read('HeadObject', ADMIN_KEY, undefined, 'NotFound')]);
  });

  it('answers an object permanently deleted between HeadObject and GetObject with Request.ObjectNotFound', async () => {
    const current = upload(ADMIN_KEY);
    account.interleave({ operation: 'GetObject' }, (clients) =>
      clients.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: ADMIN_KEY, VersionId: current.versionId })),
    );
    const error = await errorOf(intake(manual({}), deps()));
    expect(error.name).toBe('Request.ObjectNotFound');
    expect(error.message).toContain(`at version ${current.versionId} does not exist`);
    expect(s3Calls()).toEqual([read('HeadObject', ADMIN_KEY, undefined), read('GetObject', ADMIN_KEY, current.versionId, 'NoSuchVersion')]);
  });

  it('answers a GetObject NoSuchKey with Request.ObjectNotFound as well', async () => {
    const current = upload(ADMIN_KEY);
    // A GET naming a version is answered NoSuchVersion when the key is gone; NoSuchKey is S3's name for a GET without
    // one, injected here so that either name of "not there" reads the same to the person starting the execution.
    account.faults.inject({ service: 's3', operation: 'GetObject', error: 'NoSuchKey' });
    const error = await errorOf(intake(manual({}), deps()));
    expect(error.name).toBe('Request.ObjectNotFound');
    expect(s3Calls()).toEqual([read('HeadObject', ADMIN_KEY, undefined), read('GetObject', ADMIN_KEY, current.versionId, 'NoSuchKey')]);
  });
});

describe('intake: S3 refusing or throttling the read', () => {
  // A HeadObject error reaches Intake as the SDK reports it, status only ('Unknown'); Intake names it as S3 would, so
  // that the state machine's retrier (TRANSIENT_AWS_ERRORS) retries throttling and S3's own failures and reports a refusal.
  it.each([
    ['HeadObject', 'AccessDenied', false],
    ['HeadObject', 'SlowDown', true],
    ['HeadObject', 'InternalError', true],
    ['GetObject', 'AccessDenied', false],
    ['GetObject', 'SlowDown', true],
    ['GetObject', 'InternalError', true],
  ] as const)('fails %s answered %s with that S3 name (retried by the state machine: %s)', async (operation, s3Error, retried) => {
    const current = upload(ADMIN_KEY);
    const fault = account.faults.inject({ service: 's3', operation, error: s3Error });
    const error = await errorOf(intake(manual({}), deps()));
    expect(error.name).toBe(s3Error);
    expect(TRANSIENT_AWS_ERRORS.includes(error.name)).toBe(retried);
    expect(fault.fired).toBe(1);
    expect(s3Calls()).toEqual(
      operation === 'HeadObject'
        ? [read('HeadObject', ADMIN_KEY, undefined, 'Unknown')]
        : [read('HeadObject', ADMIN_KEY, undefined), read('GetObject', ADMIN_KEY, current.versionId, s3Error)],
    );
  });

  it('says which status HeadObject answered, since the SDK gives it no name', async () => {
    upload(ADMIN_KEY);
    account.faults.inject({ service: 's3', operation: 'HeadObject', error: 'AccessDenied' });
    expect((await errorOf(intake(manual({}), deps()))).message).toBe(
      `S3 answered HeadObject for s3://${BUCKET}/${ADMIN_KEY} with HTTP 403 (AccessDenied)`,
    );
  });
});

describe('intake: the size, judged from HeadObject before the body is read', () => {
  it('refuses a 10,000,001-byte object without reading its body', async () => {
    const huge = upload(ADMIN_KEY, validDocumentOf(10_000_001));
    expect(huge.body.length).toBe(10_000_001);
    expect((await errorOf(intake(manual({}), deps()))).name).toBe('Metadata.TooLarge');
    expect(s3Calls()).toEqual([read('HeadObject', ADMIN_KEY, undefined)]);
  });

  it('accepts a valid document of exactly 10,000,000 bytes', async () => {
    const largest = upload(ADMIN_KEY, validDocumentOf(10_000_000));
    const document = await intake(manual({}), deps());
    expect(document.request.size).toBe(10_000_000);
    expect(s3Calls()).toEqual(headThenPinnedGet(largest, 'current'));
  });

  it('refuses a 999-byte object without reading its body', async () => {
    upload(ADMIN_KEY, Buffer.from(identityCenterXml()).subarray(0, 999));
    expect((await errorOf(intake(manual({}), deps()))).name).toBe('Metadata.TooSmall');
    expect(s3Calls()).toEqual([read('HeadObject', ADMIN_KEY, undefined)]);
  });

  it('checks the size of the body it read as well, when HeadObject reports no ContentLength', async () => {
    const tiny = upload(ADMIN_KEY, Buffer.alloc(12, 0x20));
    // aws-sdk-client-mock, because S3 always sends Content-Length on a HEAD: neither S3 nor the simulated account can
    // answer without it. Only that answer is stubbed; GetObject is served by the account, from the uploaded object.
    const s3Mock = mockClient(S3Client);
    try {
      s3Mock.on(HeadObjectCommand).resolves({ VersionId: tiny.versionId });
      s3Mock.on(GetObjectCommand).callsFake((input: GetObjectCommandInput) => account.clients().s3.send(new GetObjectCommand(input)));
      expect((await errorOf(intake(manual({}), deps(new S3Client({ region: 'us-east-1' }))))).name).toBe('Metadata.TooSmall');
      expect(s3Calls()).toEqual([read('GetObject', ADMIN_KEY, tiny.versionId)]);
    } finally {
      s3Mock.restore();
    }
  });
});

describe('intake: a bucket without versioning', () => {
  beforeEach(() => {
    account = accountForConfig(exampleConfig, { bucket: 'another-bucket' });
    account.createBucket(BUCKET, { versioned: false });
  });

  it('refuses a manual input, explaining that versioning is required, before reading the body', async () => {
    upload(ADMIN_KEY);
    const error = await errorOf(intake(manual({}), deps()));
    expect(error.name).toBe('Request.Invalid');
    expect(error.message).toMatch(/bucket "federation-metadata-bucket" does not keep versions.*versioning enabled/);
    expect(s3Calls()).toEqual([read('HeadObject', ADMIN_KEY, undefined)]);
  });

  it('refuses the upload event, which has no version-id, before reading the body', async () => {
    const { body } = upload(ADMIN_KEY);
    const error = await errorOf(intake(objectCreated({ key: ADMIN_KEY, body }), deps()));
    expect(error.name).toBe('Request.Invalid');
    expect(error.message).toMatch(/versioning enabled/);
    expect(s3Calls()).toEqual([read('HeadObject', ADMIN_KEY, undefined)]);
  });

  it('refuses an object whose version is "null" (written while versioning was suspended), before reading the body', async () => {
    // aws-sdk-client-mock, because the simulated account has no suspended versioning (no PutBucketVersioning): its
    // unversioned buckets never report a version, whereas S3 reports the version "null" for an object written while
    // versioning was suspended.
    const s3Mock = mockClient(S3Client);
    try {
      s3Mock.on(HeadObjectCommand).resolves({ ContentLength: 2598, VersionId: 'null' });
      const error = await errorOf(intake(manual({}), deps(new S3Client({ region: 'us-east-1' }))));
      expect(error.name).toBe('Request.Invalid');
      expect(error.message).toMatch(/versioning enabled/);
      expect(s3Mock.commandCalls(GetObjectCommand)).toEqual([]);
    } finally {
      s3Mock.restore();
    }
  });
});

describe('intake: the request', () => {
  it.each([
    ['another bucket', manual({ bucket: 'other-bucket' }), 'Request.Invalid'],
    ['an unknown profile', manual({ key: 'metadata/supervisor/idp.xml' }), 'Request.UnknownProfile'],
    ['a key outside metadata/<profile>/', manual({ key: 'idp.xml' }), 'Request.Invalid'],
    ['a manual input naming the "null" version of an unversioned bucket', manual({ versionId: 'null' }), 'Request.Invalid'],
    ['an input of neither shape', { input: { hello: 'world' }, executionName: 'x' }, 'Request.Invalid'],
    ['an invocation without the state machine wrapper', { bucket: BUCKET, key: ADMIN_KEY } as never, 'Request.Invalid'],
  ])('refuses %s without any AWS call', async (_name, event, name) => {
    upload(ADMIN_KEY);
    expect((await errorOf(intake(event, deps()))).name).toBe(name);
    expect(s3Calls()).toEqual([]);
  });
});

describe('intake: hostile and broken files', () => {
  const files = hostileFiles();

  it('covers at least 20 of them', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it.each(files.map((file) => [file.name, file] as const))('refuses %s with its own error name, and only reads the object', async (_name, file) => {
    // A file described by its size is stored at that size: padded with spaces after the document.
    const stored =
      file.contentLength !== undefined && file.contentLength > file.body.length
        ? Buffer.concat([file.body, Buffer.alloc(file.contentLength - file.body.length, 0x20)])
        : file.body;
    const uploaded = upload(ADMIN_KEY, stored);
    const error = await errorOf(intake(objectCreated(uploaded), deps()));
    expect(error.name).toBe(file.error);
    if (file.message) expect(error.message).toMatch(file.message);
    // A size refused from HeadObject leaves the body unread; anything else is read once, at the event's version.
    const refusedBySize = stored.length > 10_000_000 || stored.length < 1_000;
    expect(s3Calls()).toEqual(refusedBySize ? [read('HeadObject', ADMIN_KEY, uploaded.versionId)] : headThenPinnedGet(uploaded));
  });
});
