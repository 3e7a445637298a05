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

/** The prefix the pipeline writes for its own bookkeeping in the bucket (backups of replaced provider metadata); snapshots leave it out. */
export const BOOKKEEPING_PREFIXES: readonly string[] = ['backups/'];

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

/** Each key with its latest version, in key order (a key exists only while it has a version). */
function latestVersions(objects: Map<string, ObjectVersion[]>): Array<[string, ObjectVersion]> {
  return [...objects.entries()]
    .flatMap(([key, versions]): Array<[string, ObjectVersion]> => (versions[0] ? [[key, versions[0]]] : []))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A parameter the S3 API requires; the SDK refuses to send a request without it, so its absence is the caller's bug. */
function required(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw awsError('InvalidRequest', `Missing required parameter ${name}`, 's3');
  return value;
}

function target(input: { Bucket?: string; Key?: string }): { bucket: string; key: string } {
  return { bucket: required(input.Bucket, 'Bucket'), key: required(input.Key, 'Key') };
}

/** The version id S3 reports: none for an unversioned bucket's "null" version. */
function reportedVersionId(version: ObjectVersion): string | undefined {
  return version.versionId === NULL_VERSION ? undefined : version.versionId;
}

/** What GetObject and HeadObject both answer about a stored version (an unversioned bucket's "null" version has no id header). */
function objectHeaders(version: ObjectVersion) {
  return {
    ContentLength: version.body.length,
    ContentType: version.contentType,
    ETag: version.etag,
    LastModified: new Date(version.lastModified),
    VersionId: reportedVersionId(version),
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
    return this.addVersion(bucket, key, body, options.contentType, options.metadata).versionId;
  }

  /** The object's current bytes (or a given version's), or undefined when absent. */
  public read(bucket: string, key: string, versionId?: string): Buffer | undefined {
    const version = this.findVersion(bucket, key, versionId, false);
    return version && !version.deleteMarker ? Buffer.from(version.body) : undefined;
  }

  public readonly operations: Operations = {
    CreateBucket: (input: CreateBucketCommandInput) => {
      const bucket = required(input.Bucket, 'Bucket');
      if (this.buckets.has(bucket)) {
        throw awsError('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', 's3');
      }
      this.createBucket(bucket);
      return ok({ Location: `/${bucket}` });
    },
    PutObject: (input: PutObjectCommandInput & { Body?: Buffer }) => {
      const { bucket, key } = target(input);
      const version = this.addVersion(bucket, key, input.Body ?? Buffer.alloc(0), input.ContentType, input.Metadata);
      return ok(compact({ ETag: version.etag, VersionId: reportedVersionId(version), ServerSideEncryption: 'AES256' }));
    },
    GetObject: (input: GetObjectCommandInput) => {
      const { bucket, key } = target(input);
      const version = this.readable(bucket, key, input.VersionId);
      return ok(compact({ Body: responseBody(version.body), ...objectHeaders(version) }));
    },
    HeadObject: (input: HeadObjectCommandInput) => {
      const { bucket, key } = target(input);
      // A HEAD response has no body: the SDK reports only its status (and keeps its headers on the hidden $response),
      // so even a missing bucket reads as a 404.
      const version = this.buckets.has(bucket) ? this.findVersion(bucket, key, input.VersionId, true) : undefined;
      if (!version) throw headObjectError(404);
      if (version.deleteMarker) {
        // S3 answers 405 for a delete marker named by its version, 404 when it is merely the latest; both say what it is.
        const headers = { 'x-amz-delete-marker': 'true', 'x-amz-version-id': version.versionId };
        throw headObjectError(input.VersionId === undefined ? 404 : 405, headers);
      }
      return ok(compact(objectHeaders(version)));
    },
    DeleteObject: (input: DeleteObjectCommandInput) => {
      const { bucket, key } = target(input);
      const objects = this.bucket(bucket);
      const versions = objects.get(key) ?? [];
      if (input.VersionId !== undefined) {
        const index = versions.findIndex((version) => version.versionId === input.VersionId);
        if (index === -1) return ok({ VersionId: input.VersionId }, 204);
        const [removed] = versions.splice(index, 1);
        if (versions.length === 0) objects.delete(key);
        return ok(compact({ VersionId: input.VersionId, DeleteMarker: removed?.deleteMarker ? true : undefined }), 204);
      }
      const versionId = this.context.ids.s3VersionId();
      versions.unshift({ versionId, deleteMarker: true, body: Buffer.alloc(0), etag: '', lastModified: this.context.clock() });
      objects.set(key, versions);
      return ok({ DeleteMarker: true, VersionId: versionId }, 204);
    },
    CopyObject: (input: CopyObjectCommandInput) => {
      const { bucket, key } = target(input);
      const source = /^\/?([^/]+)\/([^?]+)(?:\?versionId=(.+))?$/.exec(input.CopySource ?? '');
      if (!source?.[1] || !source[2]) throw awsError('InvalidArgument', `Invalid copy source: ${input.CopySource}`, 's3');
      const original = this.readable(source[1], decodeURIComponent(source[2]), source[3]);
      this.bucket(bucket);
      const replace = input.MetadataDirective === 'REPLACE';
      const copy = this.addVersion(
        bucket,
        key,
        original.body,
        replace ? input.ContentType : original.contentType,
        replace ? input.Metadata : original.metadata,
      );
      return ok(
        compact({
          CopyObjectResult: { ETag: copy.etag, LastModified: new Date(copy.lastModified) },
          VersionId: reportedVersionId(copy),
          CopySourceVersionId: reportedVersionId(original),
        }),
      );
    },
    ListObjectsV2: (input: ListObjectsV2CommandInput) => {
      const objects = this.bucket(required(input.Bucket, 'Bucket'));
      const prefix = input.Prefix ?? '';
      const keys = latestVersions(objects).filter(
        ([key, latest]) => key.startsWith(prefix) && !latest.deleteMarker && (input.StartAfter === undefined || key > input.StartAfter),
      );
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
          Contents: page.items.map(([key, latest]) => ({
            Key: key,
            Size: latest.body.length,
            ETag: latest.etag,
            LastModified: new Date(latest.lastModified),
            StorageClass: 'STANDARD',
          })),
        }),
      );
    },
    ListObjectVersions: (input: ListObjectVersionsCommandInput) => {
      const objects = this.bucket(required(input.Bucket, 'Bucket'));
      const prefix = input.Prefix ?? '';
      const entries = [...objects.entries()]
        .filter(([key]) => key.startsWith(prefix))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .flatMap(([key, versions]) => versions.map((version, index) => ({ key, version, isLatest: index === 0 })));
      let start = 0;
      const keyMarker = input.KeyMarker;
      if (keyMarker !== undefined) {
        const afterMarker = entries.findIndex((entry) =>
          input.VersionIdMarker ? entry.key === keyMarker && entry.version.versionId === input.VersionIdMarker : entry.key > keyMarker,
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
      for (const [key, latest] of latestVersions(objects)) {
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

  private addVersion(bucket: string, key: string, body: Buffer, contentType?: string, metadata?: Record<string, string>): ObjectVersion {
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
    return version;
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
