import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { SimulatedAccount } from '../../simulated-account';
import { rejection } from './fixtures';

describe('simulated S3 (versioned buckets)', () => {
  function setup() {
    const account = new SimulatedAccount();
    account.createBucket('metadata-bucket');
    return { account, s3: account.clients().s3 };
  }

  it('gives every put a new version id and reads any version back', async () => {
    const { s3 } = setup();
    const first = await s3.send(new PutObjectCommand({ Bucket: 'metadata-bucket', Key: 'metadata/admin/idp.xml', Body: 'first' }));
    const second = await s3.send(new PutObjectCommand({ Bucket: 'metadata-bucket', Key: 'metadata/admin/idp.xml', Body: Buffer.from('second!') }));
    expect(first.VersionId).toBeDefined();
    expect(second.VersionId).not.toEqual(first.VersionId);
    expect(first.$metadata.httpStatusCode).toBe(200);

    const latest = await s3.send(new GetObjectCommand({ Bucket: 'metadata-bucket', Key: 'metadata/admin/idp.xml' }));
    expect(await latest.Body!.transformToString('utf-8')).toBe('second!');
    expect(latest.VersionId).toBe(second.VersionId);
    expect(latest.ContentLength).toBe(7);

    const old = await s3.send(new GetObjectCommand({ Bucket: 'metadata-bucket', Key: 'metadata/admin/idp.xml', VersionId: first.VersionId }));
    expect(Buffer.from(await old.Body!.transformToByteArray()).toString()).toBe('first');
    expect(old.VersionId).toBe(first.VersionId);
  });

  it('answers a missing key with the SDK NoSuchKey and a missing version with NoSuchVersion', async () => {
    const { account, s3 } = setup();
    const missingKey = await rejection(s3.send(new GetObjectCommand({ Bucket: 'metadata-bucket', Key: 'nothing' })));
    expect(missingKey).toBeInstanceOf(NoSuchKey);
    expect(missingKey.$metadata?.httpStatusCode).toBe(404);

    account.putObject('metadata-bucket', 'k', 'v');
    const missingVersion = await rejection(s3.send(new GetObjectCommand({ Bucket: 'metadata-bucket', Key: 'k', VersionId: 'no-such-version' })));
    expect(missingVersion.name).toBe('NoSuchVersion');
    expect(missingVersion.$metadata?.httpStatusCode).toBe(404);
  });

  it('answers HeadObject with size and version, and NotFound for a missing key', async () => {
    const { account, s3 } = setup();
    const versionId = account.putObject('metadata-bucket', 'k', 'hello');
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'metadata-bucket', Key: 'k' }));
    expect(head).toMatchObject({ ContentLength: 5, VersionId: versionId });
    expect(await rejection(s3.send(new HeadObjectCommand({ Bucket: 'metadata-bucket', Key: 'missing' })))).toBeInstanceOf(NotFound);
  });

  it('a delete without a version hides the object behind a delete marker; deleting the marker restores it', async () => {
    const { account, s3 } = setup();
    const versionId = account.putObject('metadata-bucket', 'k', 'kept');
    const deleted = await s3.send(new DeleteObjectCommand({ Bucket: 'metadata-bucket', Key: 'k' }));
    expect(deleted.DeleteMarker).toBe(true);
    expect((await rejection(s3.send(new GetObjectCommand({ Bucket: 'metadata-bucket', Key: 'k' })))).name).toBe('NoSuchKey');
    expect(account.getObjectText('metadata-bucket', 'k', versionId)).toBe('kept');

    await s3.send(new DeleteObjectCommand({ Bucket: 'metadata-bucket', Key: 'k', VersionId: deleted.VersionId }));
    expect(account.getObjectText('metadata-bucket', 'k')).toBe('kept');
  });

  it('answers HeadObject errors as the SDK reports them: NotFound for a 404, Unknown for any other status, the headers kept', async () => {
    const { account, s3 } = setup();
    account.putObject('metadata-bucket', 'k', 'kept');
    const deleted = await s3.send(new DeleteObjectCommand({ Bucket: 'metadata-bucket', Key: 'k' }));
    const marker = await rejection(s3.send(new HeadObjectCommand({ Bucket: 'metadata-bucket', Key: 'k', VersionId: deleted.VersionId })));
    expect({ name: marker.name, message: marker.message, status: marker.$metadata?.httpStatusCode }).toEqual({
      name: 'Unknown',
      message: 'UnknownError',
      status: 405,
    });
    expect((marker as { $response?: { headers: Record<string, string> } }).$response?.headers['x-amz-delete-marker']).toBe('true');
    const latest = await rejection(s3.send(new HeadObjectCommand({ Bucket: 'metadata-bucket', Key: 'k' })));
    expect(latest).toBeInstanceOf(NotFound);
    expect((latest as { $response?: { headers: Record<string, string> } }).$response?.headers['x-amz-delete-marker']).toBe('true');

    account.faults.inject({ operation: 'HeadObject', error: 'SlowDown' });
    const throttled = await rejection(s3.send(new HeadObjectCommand({ Bucket: 'metadata-bucket', Key: 'k' })));
    expect({ name: throttled.name, status: throttled.$metadata?.httpStatusCode }).toEqual({ name: 'Unknown', status: 503 });
  });

  it('a bucket without versioning keeps one object per key and reports no version id', async () => {
    const { account, s3 } = setup();
    account.createBucket('plain-bucket', { versioned: false });
    const put = await s3.send(new PutObjectCommand({ Bucket: 'plain-bucket', Key: 'k', Body: 'one' }));
    await s3.send(new PutObjectCommand({ Bucket: 'plain-bucket', Key: 'k', Body: 'two' }));
    expect(put.VersionId).toBeUndefined();
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'plain-bucket', Key: 'k' }));
    expect(head.VersionId).toBeUndefined();
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: 'plain-bucket' }));
    expect(versions.Versions?.map((version) => version.VersionId)).toEqual(['null']);
  });

  it('refuses a missing bucket with NoSuchBucket', async () => {
    const { s3 } = setup();
    expect((await rejection(s3.send(new PutObjectCommand({ Bucket: 'other', Key: 'k', Body: 'x' })))).name).toBe('NoSuchBucket');
  });

  it('lists current objects and versions, page by page', async () => {
    const { account, s3 } = setup();
    for (const key of ['journal/e/a.json', 'journal/e/b.json', 'journal/e/c.json', 'metadata/x.xml']) account.putObject('metadata-bucket', key, key);
    account.putObject('metadata-bucket', 'journal/e/a.json', 'again');

    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: 'metadata-bucket', Prefix: 'journal/', MaxKeys: 2, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((item) => item.Key!));
      token = page.NextContinuationToken;
    } while (token);
    expect(keys).toEqual(['journal/e/a.json', 'journal/e/b.json', 'journal/e/c.json']);

    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: 'metadata-bucket', Prefix: 'journal/e/a.json' }));
    expect(versions.Versions!.map((version) => version.IsLatest)).toEqual([true, false]);
  });

  it('copies a pinned version', async () => {
    const { account, s3 } = setup();
    const versionId = account.putObject('metadata-bucket', 'metadata/a.xml', 'original');
    account.putObject('metadata-bucket', 'metadata/a.xml', 'newer');
    const copy = await s3.send(
      new CopyObjectCommand({ Bucket: 'metadata-bucket', Key: 'backups/a.xml', CopySource: `metadata-bucket/metadata/a.xml?versionId=${versionId}` }),
    );
    expect(copy.CopySourceVersionId).toBe(versionId);
    expect(account.getObjectText('metadata-bucket', 'backups/a.xml')).toBe('original');
  });
});
