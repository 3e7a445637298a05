import { createHash } from 'node:crypto';
import type { ConnectClient } from '@aws-sdk/client-connect';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createdApplication } from '../identity-center/created-application';
import { type ApplicationMetadataDeps, fetchApplicationMetadata } from '../identity-center/portal';
import type { PipelineEnvironment } from '../runtime/function';
import type { ExecutionDocument, MetadataSummary } from '../shared/document';
import { LockNotHeldError, lockLease } from '../shared/lock';
import { logger } from '../shared/logger';
import { type FederationConfig, profileNamed, type ResolvedProfile } from '../shared/profile';
import type { RecordStore } from '../shared/records';
import { checkConnectInstance } from './connect-instance';
import { RequestInvalidError, RequestNotCurrentVersionError, RequestObjectNotFoundError } from './errors';
import { checkIssuer } from './issuer';
import { checkMetadataSize, validateMetadata } from './metadata';
import { type MetadataObjectRequest, normalizeRequest, versioningRequired } from './request';
import { type ApplicationScope, checkVouchedByApplication, profileApplication } from './vouch';

/** What the state machine passes: `{"input.$": "$.input", "executionName.$": "$$.Execution.Name", "executionStartTime.$": "$$.Execution.StartTime"}`. */
export interface IntakeEvent {
  input: unknown;
  executionName: string;
  executionStartTime?: string;
  /** `$$.Execution.RedriveCount`: 0 for a run that was never redriven. */
  redriveCount?: number;
}

export interface IntakeDeps {
  s3: S3Client;
  /** IAM Identity Center, for an input that names only the profile (the metadata is fetched from its application). */
  identityCenter?: ApplicationMetadataDeps;
  /** The pipeline's record table, read only: which application it created for a profile that sets application.create. */
  records?: RecordStore;
  config: FederationConfig;
  environment: PipelineEnvironment;
  now: () => Date;
  /** Amazon Connect of the account of the profile's instance (absent: the instance is not checked, as in unit tests of the metadata). */
  connectOf?: (profile: ResolvedProfile, executionName: string) => ConnectClient;
}

/** S3's names for "no such object or version" where a response body names the error (GetObject). */
const NOT_FOUND = new Set(['NotFound', 'NoSuchKey', 'NoSuchVersion']);

/**
 * What S3 answered, as SDK v3 reports it. A HEAD response has no body, so the SDK names its 404 `NotFound` and any
 * other status `Unknown`; the status and the response headers (kept on the error's hidden `$response`) are what
 * tell a delete marker (`x-amz-delete-marker: true`, 405 when named by version) from a refusal.
 */
function s3Answer(error: unknown): { name: string; status?: number; deleteMarker: boolean } {
  const answer = error as
    | { name?: unknown; $metadata?: { httpStatusCode?: number }; $response?: { headers?: Record<string, string | undefined> } }
    | undefined;
  return {
    name: typeof answer?.name === 'string' ? answer.name : '',
    status: answer?.$metadata?.httpStatusCode,
    deleteMarker: answer?.$response?.headers?.['x-amz-delete-marker'] === 'true',
  };
}

/**
 * Intake: turns the execution input into the execution document, or fails with a Request.* or Metadata.* error before
 * anything in the account changes (invariant 1). It reads the object twice at most (HeadObject, GetObject), both pinned
 * to one version, and calls nothing else.
 */
function isIntakeEvent(event: unknown): event is IntakeEvent {
  if (typeof event !== 'object' || event === null || !('input' in event) || !('executionName' in event)) return false;
  return typeof event.executionName === 'string' && event.executionName !== '';
}

export async function intake(event: unknown, deps: IntakeDeps): Promise<ExecutionDocument> {
  const { s3, config, environment } = deps;
  const now = deps.now();
  if (!isIntakeEvent(event)) {
    throw new RequestInvalidError(
      'Intake expects {"input": <execution input>, "executionName": <execution name>} as the state machine passes it ' +
        '(Parameters {"input.$": "$", "executionName.$": "$$.Execution.Name"}); start an execution of the state machine instead of invoking the function.',
    );
  }
  // A redriven execution resumes under its old name long after its document was made, possibly after its cleanup ran
  // and a newer execution changed the profile: it is never given a lease (every change is conditional on one).
  if (typeof event.redriveCount === 'number' && event.redriveCount > 0) {
    throw new LockNotHeldError(
      `execution ${event.executionName} was redriven (${event.redriveCount} time(s)): a redriven execution takes no lease on its profile, so it changes nothing. ` +
        'Start a new execution with the same input instead.',
    );
  }
  const named = normalizeRequest(event.input, { bucket: environment.bucket, profiles: Object.keys(config.profiles) });
  if (deps.connectOf) {
    const profile = profileNamed(config, named.profile);
    await checkConnectInstance(profile, environment.account, deps.connectOf(profile, event.executionName));
  }
  const creating = await applicationToCreate(named, deps);
  if (creating === 'missing') {
    if (!named.fromApplication) {
      throw new RequestInvalidError(
        `profile ${named.profile} creates its IAM Identity Center application (application.create) and it does not exist yet, so no uploaded document can be its metadata. ` +
          `Start an execution with {"profile": "${named.profile}"}: the pipeline creates the application, then takes and validates its metadata.`,
      );
    }
    if (!named.applicationCreated) return pendingApplication(named, deps, event, now);
  }
  const stored = named.fromApplication ? await storeApplicationMetadata(named, deps, event.executionName) : undefined;
  const request = stored?.request ?? named;
  const location = `s3://${request.bucket}/${request.key}`;

  const head = await s3
    .send(new HeadObjectCommand({ Bucket: request.bucket, Key: request.key, ...(request.versionId ? { VersionId: request.versionId } : {}) }))
    .catch((error: unknown) => {
      throw translateReadError(error, request);
    });
  // Pin the version now: everything after reads this exact version, even if someone uploads again meanwhile.
  const versionId = request.versionId ?? head.VersionId;
  if (versionId === undefined || versionId === '' || versionId === 'null') throw versioningRequired(request.bucket);
  // Judged from the object's size before a byte of it is read, so a huge upload cannot exhaust the function's memory.
  // IAM counts characters; the limits are applied to bytes, which are never fewer than characters in UTF-8. A document
  // within 10,000,000 bytes is always within IAM's limit; one over it could only fit IAM with many multi-byte
  // characters, which metadata (ASCII but for display names) never has, so refusing it costs nothing real.
  if (head.ContentLength !== undefined) checkMetadataSize(head.ContentLength);

  // Whatever the input looks like: an operator can shape a manual start like an S3 event, and EventBridge may deliver
  // an upload's event after a newer upload (it retries for up to two hours).
  const olderVersion =
    request.versionId !== undefined && !request.fromApplication ? await olderThanCurrent(s3, { ...request, versionId }) : undefined;

  const object = await s3.send(new GetObjectCommand({ Bucket: request.bucket, Key: request.key, VersionId: versionId })).catch((error: unknown) => {
    throw translateReadError(error, { ...request, versionId });
  });
  if (!object.Body) throw new Error(`GetObject ${location} (version ${versionId}) returned no body`);
  const bytes = await object.Body.transformToByteArray();
  const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkMetadataSize(body.length);
  const sha256 = createHash('sha256').update(body).digest('hex');

  const validated = validateMetadata(body, now);
  const profile = profileNamed(config, request.profile);
  // The document must be exactly the profile's application's, whatever URL served it or whoever uploaded it: the one a
  // fetch took it from, the one the profile creates (found existing), or, for an upload, the one a fetch would use.
  const vouching = stored === undefined && profile.identityProvider.expectedEntityId === undefined;
  const located =
    stored?.applicationArn ??
    (typeof creating === 'string' && creating !== 'missing' ? creating : undefined) ??
    (vouching ? await profileApplication(profile, identityCenterOf(deps), applicationScope(deps)) : undefined);
  const issuerWarnings = checkIssuer(validated, profile, config, profile.application.account ?? environment.account, located);
  // An upload names the application by its entityID, which anyone can copy: its certificates must be the application's.
  if (vouching && located !== undefined)
    await checkVouchedByApplication(validated, profile, located, identityCenterOf(deps), applicationScope(deps), now);
  const metadata = { ...validated, warnings: [...(olderVersion ? [olderVersion] : []), ...validated.warnings, ...issuerWarnings] };
  logger.info('metadata accepted', {
    profile: request.profile,
    source: `${location}?versionId=${versionId}`,
    sha256,
    entityId: metadata.entityId,
    certificates: metadata.certificates.map((c) => ({ sha256Fingerprint: c.sha256Fingerprint, notAfter: c.notAfter })),
    warnings: metadata.warnings,
    dryRun: request.dryRun,
  });
  return executionDocument(request, deps, event, now, { versionId, sha256, size: body.length }, profile, metadata);
}

function identityCenterOf(deps: IntakeDeps): ApplicationMetadataDeps {
  if (!deps.identityCenter) throw new Error('Intake was given no IAM Identity Center clients, so it cannot check the profile application');
  return deps.identityCenter;
}

/** Where the profile's application lives: the pipeline's account, in IAM Identity Center's region. */
function applicationScope(deps: IntakeDeps): ApplicationScope {
  return { account: deps.environment.account, region: deps.identityCenter?.swb.region ?? deps.environment.region };
}

/**
 * A profile that sets application.create, whose application does not exist yet: there is no metadata to validate
 * until the workflow has created it, under the profile's lock. The document says so (`request.applicationPending`);
 * the state machine validates the new application's metadata, with this function, right after creating it.
 */
/**
 * For a profile that sets application.create: its application's ARN when it exists, 'missing' when it does not;
 * undefined for any other profile (nothing to look up).
 */
async function applicationToCreate(request: MetadataObjectRequest, deps: IntakeDeps): Promise<string | 'missing' | undefined> {
  const profile = profileNamed(deps.config, request.profile);
  if (!profile.application.create) return undefined;
  if (!deps.identityCenter) throw new Error('Intake was given no IAM Identity Center clients, so it cannot look up the application to create');
  if (!deps.records) throw new Error('Intake was given no record table, so it cannot tell the application the pipeline created');
  const scope = { account: deps.environment.account, region: deps.environment.region, profile: profile.name };
  return (await createdApplication(deps.identityCenter.ssoAdmin, deps.records, profile, scope)) ?? 'missing';
}

function pendingApplication(request: MetadataObjectRequest, deps: IntakeDeps, event: IntakeEvent, now: Date): ExecutionDocument {
  const profile = profileNamed(deps.config, request.profile);
  const create = profile.application.create;
  if (!create) throw new Error(`profile ${profile.name} creates no application`);
  logger.info('application to be created before its metadata is taken', {
    profile: profile.name,
    displayName: create.displayName,
  });
  const metadata = {
    entityId: PENDING,
    certificates: [],
    warnings: [
      `IAM Identity Center application "${create.displayName}" does not exist yet: this execution creates it from the Amazon Connect template, then takes and validates its metadata`,
    ],
  };
  return executionDocument(request, deps, event, now, { versionId: PENDING, sha256: PENDING, size: 0, applicationPending: true }, profile, metadata);
}

/** The document Intake hands the state machine: the request as read (the object pinned), the profile, the metadata, the lock's lease. */
function executionDocument(
  request: MetadataObjectRequest,
  deps: IntakeDeps,
  event: IntakeEvent,
  now: Date,
  object: Pick<ExecutionDocument['request'], 'versionId' | 'sha256' | 'size' | 'applicationPending'>,
  profile: ResolvedProfile,
  metadata: MetadataSummary,
): ExecutionDocument {
  const { config, environment } = deps;
  return {
    request: {
      bucket: request.bucket,
      key: request.key,
      ...object,
      profile: request.profile,
      dryRun: request.dryRun,
      executionName: event.executionName,
      ...(typeof event.executionStartTime === 'string' && event.executionStartTime !== '' ? { executionStartTime: event.executionStartTime } : {}),
      pipelineName: config.pipelineName,
      account: environment.account,
      region: environment.region,
      partition: environment.partition,
      source: request.source,
    },
    profile,
    metadata,
    lock: lockLease(now, event.executionName, profile),
    receipts: {},
  };
}

/** What the document holds in place of the metadata's facts until the application exists. */
const PENDING = 'pending: the application is created first';

/**
 * Fetches the profile's application's IdP metadata and stores it as a new version of `metadata/<profile>/
 * identity-center.metadata`, so that the execution is pinned to an object version as for an upload, and the document
 * stays in the bucket's audit trail. Validated afterwards exactly as an upload is.
 */
async function storeApplicationMetadata(
  request: MetadataObjectRequest,
  deps: IntakeDeps,
  executionName: string,
): Promise<{ request: MetadataObjectRequest; applicationArn: string }> {
  if (!deps.identityCenter) throw new Error('Intake was given no IAM Identity Center clients, so it cannot fetch metadata from an application');
  const profile = profileNamed(deps.config, request.profile);
  const fetched = await fetchApplicationMetadata(profile, deps.identityCenter, applicationScope(deps));
  checkMetadataSize(fetched.body.length);
  // The same document as the current version: pin that version rather than write another (a second run writes nothing).
  // Compared by the bytes read back, never by anything an uploader could set beside them.
  const current = await currentVersionIfSame(deps.s3, request, fetched.body);
  if (current) {
    logger.info('metadata fetched from the application is already stored', { url: fetched.url, versionId: current });
    return { request: { ...request, versionId: current }, applicationArn: fetched.applicationArn };
  }
  const put = await deps.s3.send(
    new PutObjectCommand({
      Bucket: request.bucket,
      Key: request.key,
      Body: fetched.body,
      ContentType: 'application/samlmetadata+xml',
      // Said for people reading the bucket; nothing reads it back (it is the uploader's to write, too).
      Metadata: { 'fetched-from': fetched.url, 'fetched-by': executionName },
    }),
  );
  if (!put.VersionId || put.VersionId === 'null') throw versioningRequired(request.bucket);
  logger.info('metadata fetched from the application', {
    applicationArn: fetched.applicationArn,
    url: fetched.url,
    urlSource: fetched.urlSource,
    versionId: put.VersionId,
  });
  return { request: { ...request, versionId: put.VersionId }, applicationArn: fetched.applicationArn };
}

async function currentVersionIfSame(s3: S3Client, request: MetadataObjectRequest, body: Buffer): Promise<string | undefined> {
  const missing = (error: unknown) => {
    const { name, status, deleteMarker } = s3Answer(error);
    if (NOT_FOUND.has(name) || status === 404 || deleteMarker) return undefined;
    throw translateReadError(error, request);
  };
  // Sized first: anyone who may upload can put a huge object at this key, and it is read only when it could match.
  const head = await s3.send(new HeadObjectCommand({ Bucket: request.bucket, Key: request.key })).catch(missing);
  if (!head?.VersionId || head.VersionId === 'null' || head.ContentLength !== body.length) return undefined;
  const current = await s3.send(new GetObjectCommand({ Bucket: request.bucket, Key: request.key, VersionId: head.VersionId })).catch(missing);
  if (!current?.Body || !current.VersionId || current.VersionId === 'null') return undefined;
  const bytes = await current.Body.transformToByteArray();
  const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
  return sha256(bytes) === sha256(body) ? current.VersionId : undefined;
}

/**
 * An input that names a version may install older metadata than the bucket's current one (a rotated-out certificate,
 * say): refused unless a manual input says `"allowOlderVersion": true`, and then said in the notification.
 * Undefined when the version is the current one.
 */
async function olderThanCurrent(s3: S3Client, request: MetadataObjectRequest & { versionId: string }): Promise<string | undefined> {
  const where = `s3://${request.bucket}/${request.key}`;
  const current = await s3.send(new HeadObjectCommand({ Bucket: request.bucket, Key: request.key })).then(
    (answer) => answer.VersionId,
    (error: unknown) => {
      // The object was deleted since (its latest version is a delete marker): every version is an older one.
      const { status, deleteMarker } = s3Answer(error);
      if (status === 404 || deleteMarker) return undefined;
      throw translateReadError(error, request);
    },
  );
  if (current === request.versionId) return undefined;
  const currently = current ? `its current version is ${current}` : 'the object has been deleted since';
  if (!request.allowOlderVersion) {
    throw new RequestNotCurrentVersionError(
      request.source === 'eventbridge'
        ? `the upload event names version ${request.versionId} of ${where}, but ${currently}: a newer upload superseded this one, and its own execution installs it. Nothing was changed.`
        : `the input names version ${request.versionId} of ${where}, but ${currently}. Installing older metadata rolls the identity provider back ` +
            '(to a rotated-out certificate, say); leave versionId out to use the current version, or add "allowOlderVersion": true to the input if that is what you want.',
    );
  }
  return `this execution installs version ${request.versionId} of ${where}, older than the current one (${currently}): a rollback to older metadata was asked for ("allowOlderVersion": true)`;
}

function translateReadError(error: unknown, request: Pick<MetadataObjectRequest, 'bucket' | 'key' | 'versionId'>): unknown {
  const { name, status, deleteMarker } = s3Answer(error);
  const where = `s3://${request.bucket}/${request.key}${request.versionId ? ` at version ${request.versionId}` : ''}`;
  if (deleteMarker || name === 'MethodNotAllowed') {
    return new RequestObjectNotFoundError(
      request.versionId
        ? `${where} is a delete marker, not a metadata document. Name a version that holds the file.`
        : `${where} was deleted (its current version is a delete marker). Upload the file again, or name the version that holds it.`,
      { cause: error },
    );
  }
  // A malformed version id: S3 answers 400 (InvalidArgument in a GET's body; a HEAD carries no name).
  const badVersion = request.versionId !== undefined && (status === 400 || name === 'BadRequest' || name === 'InvalidArgument');
  if (NOT_FOUND.has(name) || status === 404 || badVersion) {
    return new RequestObjectNotFoundError(
      `${where} does not exist (S3: ${status === undefined ? name : `${status} ${name}`}). Check the key${request.versionId ? ' and the version id (or leave versionId out to use the current version)' : ''}, ` +
        'and that the object was not deleted before the execution read it.',
      { cause: error },
    );
  }
  // A HEAD error carries no code, only its status: name it as S3 would have, so the state machine retries a throttled
  // or failing S3 (SlowDown, InternalError are in its retriers) and a refusal reads as one.
  const named = name === 'Unknown' && status !== undefined ? HEAD_STATUS_NAMES[status] : undefined;
  if (named) return Object.assign(new Error(`S3 answered HeadObject for ${where} with HTTP ${status} (${named})`, { cause: error }), { name: named });
  return error;
}

/** S3's error codes for the statuses a HeadObject may answer with (S3 API reference, "Error responses"). */
const HEAD_STATUS_NAMES: Readonly<Record<number, string>> = { 403: 'AccessDenied', 500: 'InternalError', 503: 'SlowDown' };
