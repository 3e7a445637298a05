import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type {
  CopyObjectCommandInput,
  CreateBucketCommandInput,
  DeleteObjectCommandInput,
  GetObjectCommandInput,
  HeadObjectCommandInput,
  ListObjectsV2CommandInput,
  ListObjectVersionsCommandInput,
  PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import type { AccountContext, Operations } from './context';
import { awsError, headObjectError } from './errors';
import { compact, ok, paginate } from './support';

interface ObjectVersion {
  versionId: string;
  deleteMarker: boolean;
  body: Buffer;
  contentType?: string;
  metadata?: Record<string, string>;
  etag: string;
  lastModified: Date;
}

/** The version id S3 gives objects written while the bucket does not keep versions. */
const NULL_VERSION = 'null';

/** The prefixes the pipeline writes for its own bookkeeping; snapshots leave them out. */
export const BOOKKEEPING_PREFIXES: readonly string[] = ['journal/', 'backups/', 'state/'];

export interface S3ObjectSnapshot {
  versionId: string;
  size: number;
  sha256: string;
  contentType?: string;
}

/** A body as the SDK accepts it: string, bytes, a Blob or a stream. */
export async function bodyBytes(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf-8');
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof ArrayBuffer) return Buffer.from(new Uint8Array(body));
  if (typeof (body as Blob).arrayBuffer === 'function') return Buffer.from(await (body as Blob).arrayBuffer());
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<string | Uint8Array>)
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
    return Buffer.concat(chunks);
  }
  throw new TypeError(`Unsupported S3 Body type: ${Object.prototype.toString.call(body)}`);
}

/** A GetObject Body as SDK v3 returns it in Node: a Readable with the `transformTo*` helpers mixed in. */
function responseBody(bytes: Buffer): Readable & {
  transformToString(encoding?: string): Promise<string>;
  transformToByteArray(): Promise<Uint8Array>;
  transformToWebStream(): ReadableStream;
} {
  const copy = Buffer.from(bytes);
  return Object.assign(Readable.from([copy]), {
    transformToString: async (encoding: string = 'utf-8') => copy.toString(encoding as BufferEncoding),
    transformToByteArray: async () => new Uint8Array(copy),
    transformToWebStream: () => new Blob([new Uint8Array(copy)]).stream(),
  });
}

/** What GetObject and HeadObject both answer about a stored version (an unversioned bucket's "null" version has no id header). */
function objectHeaders(version: ObjectVersion) {
  return {
    ContentLength: version.body.length,
    ContentType: version.contentType,
    ETag: version.etag,
    LastModified: new Date(version.lastModified),
    VersionId: version.versionId === NULL_VERSION ? undefined : version.versionId,
    Metadata: { ...(version.metadata ?? {}) },
    ServerSideEncryption: 'AES256' as const,
  };
}

/** Versioned buckets: every put adds a version, a delete without a version id adds a delete marker. */
export class SimulatedS3 {
  /** bucket -> key -> versions, newest first. */
  private readonly buckets = new Map<string, Map<string, ObjectVersion[]>>();
  /** Buckets without versioning: a put replaces the object, whose version id is "null" and never reported. */
  private readonly unversioned = new Set<string>();

  public constructor(private readonly context: AccountContext) {}

  public createBucket(name: string, options: { versioned?: boolean } = {}): void {
    if (!this.buckets.has(name)) this.buckets.set(name, new Map());
    if (options.versioned === false) this.unversioned.add(name);
  }

  /** Seeds an object without going through a client; returns its version id. */
  public put(bucket: string, key: string, body: Buffer, options: { contentType?: string; metadata?: Record<string, string> } = {}): string {
    this.createBucket(bucket);
    return this.addVersion(bucket, key, body, options.contentType, options.metadata);
  }

  /** The object's current bytes (or a given version's), or undefined when absent. */
  public read(bucket: string, key: string, versionId?: string): Buffer | undefined {
    const version = this.findVersion(bucket, key, versionId, false);
    return version && !version.deleteMarker ? Buffer.from(version.body) : undefined;
  }

  public readonly operations: Operations = {
    CreateBucket: (input: CreateBucketCommandInput) => {
      if (this.buckets.has(input.Bucket!)) {
        throw awsError('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', 's3');
      }
      this.createBucket(input.Bucket!);
      return ok({ Location: `/${input.Bucket}` });
    },
    PutObject: (input: PutObjectCommandInput & { Body?: Buffer }) => {
      this.bucket(input.Bucket!);
      const versionId = this.addVersion(input.Bucket!, input.Key!, input.Body ?? Buffer.alloc(0), input.ContentType, input.Metadata);
      const version = this.findVersion(input.Bucket!, input.Key!, versionId, false)!;
      return ok(compact({ ETag: version.etag, VersionId: versionId === NULL_VERSION ? undefined : versionId, ServerSideEncryption: 'AES256' }));
    },
    GetObject: (input: GetObjectCommandInput) => {
      const version = this.readable(input.Bucket!, input.Key!, input.VersionId);
      return ok(compact({ Body: responseBody(version.body), ...objectHeaders(version) }));
    },
    HeadObject: (input: HeadObjectCommandInput) => {
      // A HEAD response has no body: the SDK reports only its status (and keeps its headers on the hidden $response).
      const version = this.findVersion(input.Bucket!, input.Key!, input.VersionId, true);
      if (!version) throw headObjectError(404);
      if (version.deleteMarker) {
        // S3 answers 405 for a delete marker named by its version, 404 when it is merely the latest; both say what it is.
        const headers = { 'x-amz-delete-marker': 'true', 'x-amz-version-id': version.versionId };
        throw headObjectError(input.VersionId === undefined ? 404 : 405, headers);
      }
      return ok(compact(objectHeaders(version)));
    },
    DeleteObject: (input: DeleteObjectCommandInput) => {
      const objects = this.bucket(input.Bucket!);
      if (input.VersionId !== undefined) {
        const versions = objects.get(input.Key!) ?? [];
        const index = versions.findIndex((version) => version.versionId === input.VersionId);
        if (index === -1) return ok({ VersionId: input.VersionId }, 204);
        const [removed] = versions.splice(index, 1);
        if (versions.length === 0) objects.delete(input.Key!);
        return ok(compact({ VersionId: input.VersionId, DeleteMarker: removed!.deleteMarker ? true : undefined }), 204);
      }
      const versionId = this.context.ids.s3VersionId();
      const versions = objects.get(input.Key!) ?? [];
      versions.unshift({ versionId, deleteMarker: true, body: Buffer.alloc(0), etag: '', lastModified: this.context.clock() });
      objects.set(input.Key!, versions);
      return ok({ DeleteMarker: true, VersionId: versionId }, 204);
    },
    CopyObject: (input: CopyObjectCommandInput) => {
      const source = /^\/?([^/]+)\/([^?]+)(?:\?versionId=(.+))?$/.exec(input.CopySource ?? '');
      if (!source) throw awsError('InvalidArgument', `Invalid copy source: ${input.CopySource}`, 's3');
      const [, sourceBucket, encodedKey, sourceVersion] = source;
      const version = this.readable(sourceBucket!, decodeURIComponent(encodedKey!), sourceVersion);
      this.bucket(input.Bucket!);
      const replace = input.MetadataDirective === 'REPLACE';
      const versionId = this.addVersion(
        input.Bucket!,
        input.Key!,
        version.body,
        replace ? input.ContentType : version.contentType,
        replace ? input.Metadata : version.metadata,
      );
      const copy = this.findVersion(input.Bucket!, input.Key!, versionId, false)!;
      return ok({
        CopyObjectResult: { ETag: copy.etag, LastModified: new Date(copy.lastModified) },
        VersionId: versionId,
        CopySourceVersionId: version.versionId,
      });
    },
    ListObjectsV2: (input: ListObjectsV2CommandInput) => {
      const objects = this.bucket(input.Bucket!);
      const prefix = input.Prefix ?? '';
      const keys = [...objects.entries()]
        .filter(
          ([key, versions]) => key.startsWith(prefix) && !versions[0]!.deleteMarker && (input.StartAfter === undefined || key > input.StartAfter),
        )
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const page = paginate(keys, input.ContinuationToken, input.MaxKeys ?? 1000);
      if (!page) throw awsError('InvalidArgument', 'The continuation token provided is incorrect', 's3');
      return ok(
        compact({
          Name: input.Bucket,
          Prefix: input.Prefix,
          MaxKeys: input.MaxKeys ?? 1000,
          KeyCount: page.items.length,
          IsTruncated: page.next !== undefined,
          ContinuationToken: input.ContinuationToken,
          NextContinuationToken: page.next,
          Contents: page.items.map(([key, versions]) => ({
            Key: key,
            Size: versions[0]!.body.length,
            ETag: versions[0]!.etag,
            LastModified: new Date(versions[0]!.lastModified),
            StorageClass: 'STANDARD',
          })),
        }),
      );
    },
    ListObjectVersions: (input: ListObjectVersionsCommandInput) => {
      const objects = this.bucket(input.Bucket!);
      const prefix = input.Prefix ?? '';
      const entries = [...objects.entries()]
        .filter(([key]) => key.startsWith(prefix))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .flatMap(([key, versions]) => versions.map((version, index) => ({ key, version, isLatest: index === 0 })));
      let start = 0;
      if (input.KeyMarker !== undefined) {
        const afterMarker = entries.findIndex((entry) =>
          input.VersionIdMarker ? entry.key === input.KeyMarker && entry.version.versionId === input.VersionIdMarker : entry.key > input.KeyMarker!,
        );
        start = afterMarker === -1 ? entries.length : input.VersionIdMarker ? afterMarker + 1 : afterMarker;
      }
      const maxKeys = input.MaxKeys ?? 1000;
      const page = entries.slice(start, start + maxKeys);
      const truncated = start + maxKeys < entries.length;
      const last = page[page.length - 1];
      return ok(
        compact({
          Name: input.Bucket,
          Prefix: input.Prefix,
          KeyMarker: input.KeyMarker,
          VersionIdMarker: input.VersionIdMarker,
          MaxKeys: maxKeys,
          IsTruncated: truncated,
          NextKeyMarker: truncated ? last?.key : undefined,
          NextVersionIdMarker: truncated ? last?.version.versionId : undefined,
          Versions: page
            .filter((entry) => !entry.version.deleteMarker)
            .map((entry) => ({
              Key: entry.key,
              VersionId: entry.version.versionId,
              IsLatest: entry.isLatest,
              Size: entry.version.body.length,
              ETag: entry.version.etag,
              LastModified: new Date(entry.version.lastModified),
              StorageClass: 'STANDARD',
            })),
          DeleteMarkers: page
            .filter((entry) => entry.version.deleteMarker)
            .map((entry) => ({
              Key: entry.key,
              VersionId: entry.version.versionId,
              IsLatest: entry.isLatest,
              LastModified: new Date(entry.version.lastModified),
            })),
        }),
      );
    },
  };

  /** Current objects, leaving out keys under `excludePrefixes` and keys whose latest version is a delete marker. */
  public snapshot(excludePrefixes: readonly string[]): Record<string, Record<string, S3ObjectSnapshot>> {
    const out: Record<string, Record<string, S3ObjectSnapshot>> = {};
    for (const [bucket, objects] of [...this.buckets.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const view: Record<string, S3ObjectSnapshot> = {};
      for (const [key, versions] of [...objects.entries()].sort(([a], [b]) => a.localeCompare(b))) {
        const latest = versions[0]!;
        if (latest.deleteMarker || excludePrefixes.some((prefix) => key.startsWith(prefix))) continue;
        view[key] = compact({
          versionId: latest.versionId,
          size: latest.body.length,
          sha256: createHash('sha256').update(latest.body).digest('hex'),
          contentType: latest.contentType,
        });
      }
      out[bucket] = view;
    }
    return out;
  }

  private bucket(name: string): Map<string, ObjectVersion[]> {
    const objects = this.buckets.get(name);
    if (!objects) throw awsError('NoSuchBucket', 'The specified bucket does not exist', 's3');
    return objects;
  }

  private addVersion(bucket: string, key: string, body: Buffer, contentType?: string, metadata?: Record<string, string>): string {
    const objects = this.bucket(bucket);
    const unversioned = this.unversioned.has(bucket);
    if (unversioned) objects.delete(key);
    const versionId = unversioned ? NULL_VERSION : this.context.ids.s3VersionId();
    const version: ObjectVersion = compact({
      versionId,
      deleteMarker: false,
      body: Buffer.from(body),
      contentType,
      metadata: metadata ? { ...metadata } : undefined,
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
      lastModified: this.context.clock(),
    });
    objects.set(key, [version, ...(objects.get(key) ?? [])]);
    return versionId;
  }

  private findVersion(bucket: string, key: string, versionId: string | undefined, strict: boolean): ObjectVersion | undefined {
    const objects = strict ? this.bucket(bucket) : this.buckets.get(bucket);
    const versions = objects?.get(key);
    if (!versions) return undefined;
    return versionId === undefined ? versions[0] : versions.find((version) => version.versionId === versionId);
  }

  /** The version a GET (or CopyObject's source) reads, or the error S3 answers with (its XML body names it). */
  private readable(bucket: string, key: string, versionId: string | undefined): ObjectVersion {
    const version = this.findVersion(bucket, key, versionId, true);
    if (!version) {
      if (versionId !== undefined) throw awsError('NoSuchVersion', 'The specified version does not exist.', 's3');
      throw awsError('NoSuchKey', 'The specified key does not exist.', 's3');
    }
    if (version.deleteMarker) {
      const error =
        versionId !== undefined
          ? awsError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 's3')
          : awsError('NoSuchKey', 'The specified key does not exist.', 's3');
      Object.defineProperty(error, '$response', {
        value: { statusCode: error.$metadata.httpStatusCode, headers: { 'x-amz-delete-marker': 'true' } },
        enumerable: false,
      });
      throw error;
    }
    return version;
  }
}
