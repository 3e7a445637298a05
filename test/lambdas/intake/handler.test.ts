import * as s3Module from '@aws-sdk/client-s3';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { handler as Handler } from '../../../lambdas/intake/handler';
import { readIntakeEnvironment } from '../../../lambdas/intake/intake';
import type { ExecutionDocument } from '../../../lambdas/shared/document';
import { exampleConfig } from '../../helpers/document';
import { identityCenterXml } from './fixtures';
import { awsCalls, resetMocks, s3Mock, serveObject, VERSION_ID } from './s3-mock';

const BUCKET = 'federation-metadata-bucket';
const ENV = {
  PROFILES: JSON.stringify({ pipelineName: exampleConfig.pipelineName, profiles: exampleConfig.profiles }),
  METADATA_BUCKET: BUCKET,
  ACCOUNT_ID: '111122223333',
  AWS_REGION: 'eu-west-1',
};

/** Loads the handler module afresh with this environment: it reads its configuration once, at load. */
function loadHandler(env: Record<string, string | undefined>): typeof Handler {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete process.env[name];
  try {
    let loaded: typeof Handler | undefined;
    jest.isolateModules(() => {
      // The same SDK module as the test's, so the module-level client is the mocked S3Client class.
      jest.doMock('@aws-sdk/client-s3', () => s3Module);
      loaded = (require('../../../lambdas/intake/handler') as { handler: typeof Handler }).handler;
    });
    return loaded!;
  } finally {
    process.env = saved;
  }
}

beforeEach(resetMocks);

describe('intake handler', () => {
  it('turns the state machine payload into the execution document', async () => {
    const handler = loadHandler(ENV);
    serveObject(Buffer.from(identityCenterXml()));
    const document: ExecutionDocument = await handler({ input: { bucket: BUCKET, key: 'metadata/admin/idp.xml', dryRun: true }, executionName: 'manual-1' });
    expect(document.request).toMatchObject({ bucket: BUCKET, versionId: VERSION_ID, dryRun: true, account: '111122223333', region: 'eu-west-1', partition: 'aws', profile: 'admin' });
    expect(s3Mock.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({ Bucket: BUCKET, Key: 'metadata/admin/idp.xml', VersionId: VERSION_ID });
    expect(awsCalls()).toEqual(['HeadObjectCommand', 'GetObjectCommand']);
  });

  it('uses the partition it is configured with', async () => {
    const handler = loadHandler({ ...ENV, PARTITION: 'aws-us-gov', AWS_REGION: 'us-gov-west-1' });
    serveObject(Buffer.from(identityCenterXml()));
    const document = await handler({ input: { bucket: BUCKET, key: 'metadata/agent/idp.xml' }, executionName: 'manual-2' });
    expect(document.request.partition).toBe('aws-us-gov');
  });

  it('fails its start with Config.Invalid naming the field when PROFILES is invalid', () => {
    const bad = JSON.parse(ENV.PROFILES);
    bad.profiles.admin.role.maxSessionDuration = 10;
    expect(() => loadHandler({ ...ENV, PROFILES: JSON.stringify(bad) })).toThrow(/PROFILES\.profiles\.admin\.role\.maxSessionDuration/);
  });

  it('fails its start with Config.Invalid when PROFILES is missing', () => {
    expect(() => loadHandler({ ...ENV, PROFILES: undefined })).toThrow(expect.objectContaining({ name: 'Config.Invalid', message: expect.stringMatching(/^PROFILES/) }));
  });

  it('refuses a wrong bucket before calling S3', async () => {
    const handler = loadHandler(ENV);
    await expect(handler({ input: { bucket: 'elsewhere', key: 'metadata/admin/idp.xml' }, executionName: 'x' })).rejects.toMatchObject({ name: 'Request.Invalid' });
    expect(s3Mock.commandCalls(HeadObjectCommand)).toHaveLength(0);
  });
});

describe('readIntakeEnvironment', () => {
  it('defaults the partition to aws', () => {
    expect(readIntakeEnvironment({ METADATA_BUCKET: 'b', ACCOUNT_ID: '111122223333', AWS_REGION: 'us-east-1' })).toEqual({
      bucket: 'b',
      account: '111122223333',
      region: 'us-east-1',
      partition: 'aws',
    });
  });

  it.each(['METADATA_BUCKET', 'ACCOUNT_ID', 'AWS_REGION'])('names a missing %s', (name) => {
    const env: Record<string, string> = { METADATA_BUCKET: 'b', ACCOUNT_ID: '111122223333', AWS_REGION: 'us-east-1' };
    delete env[name];
    expect(() => readIntakeEnvironment(env)).toThrow(expect.objectContaining({ name: 'Config.Invalid', message: expect.stringContaining(name) }));
  });
});
