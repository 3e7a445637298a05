import type { ExecutionRequest } from '../shared/document';
import { RequestInvalidError, RequestUnknownProfileError } from './errors';

/** Where and what to read, as the execution input names it; the version is pinned later if the input has none. */
export interface MetadataObjectRequest {
  source: ExecutionRequest['source'];
  bucket: string;
  key: string;
  /** Absent when a manual input names none (Intake pins the current version) or the bucket is not versioned. */
  versionId?: string;
  dryRun: boolean;
  /** A manual start may install a version older than the current one only when it says so. */
  allowOlderVersion: boolean;
  profile: string;
  /** Set when the input named only the profile: Intake fetches the metadata from its application and stores it here. */
  fromApplication?: true;
  /**
   * Set by the state machine when it runs Intake again after creating the application: the application must exist
   * now, so a missing one is an error, never a placeholder document again.
   */
  applicationCreated?: true;
}

export interface RequestContext {
  /** The pipeline's own metadata bucket: the only one it reads. */
  bucket: string;
  /** Names of the configured profiles. */
  profiles: readonly string[];
}

const MANUAL_FIELDS = new Set(['bucket', 'key', 'versionId', 'dryRun', 'allowOlderVersion']);
/**
 * A parent execution (the fleet) names itself in its child's input under this field, which Step Functions documents
 * for linking the two in the console; Intake accepts it beside the profile and reads nothing from it.
 */
export const STARTED_BY_FIELD = 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID';
const APPLICATION_FIELDS = new Set(['profile', 'dryRun', 'applicationCreated', STARTED_BY_FIELD]);

const ACCEPTED_SHAPES =
  'Intake accepts either the S3 "Object Created" event that EventBridge delivers ' +
  '({"source": "aws.s3", "detail-type": "Object Created", "detail": {"bucket": {"name": "..."}, "object": {"key": "metadata/<profile>/<name>.xml", "version-id": "..."}}}), ' +
  'an input naming only the profile, {"profile": "<name>", "dryRun": true|false (optional)}, to fetch the metadata from its IAM Identity Center application, ' +
  'or a manual input {"bucket": "...", "key": "metadata/<profile>/<name>.xml", "versionId": "... (optional)", "dryRun": true|false (optional), "allowOlderVersion": true|false (optional)}';

/** Matches `metadata/<profile>/<name>.xml`: one folder level, the profile's. Keys are case-sensitive; the extension is not. */
const KEY_PATTERN = /^metadata\/([^/]+)\/[^/]+\.[xX][mM][lL]$/;

function invalid(problem: string): RequestInvalidError {
  return new RequestInvalidError(`${problem}. ${ACCEPTED_SHAPES}.`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}

/**
 * Turns the execution input into the object to read and the profile it selects. Pure: the object itself is read by
 * Intake afterwards.
 *
 * EventBridge delivers S3 keys as they are (unlike S3's own event notifications to SNS, SQS or Lambda, which
 * URL-encode them and turn spaces into "+"), so the key is used unchanged.
 */
export function normalizeRequest(input: unknown, context: RequestContext): MetadataObjectRequest {
  if (!isObject(input)) throw invalid(`the input is ${describe(input)}, not a JSON object`);
  if (Array.isArray(input.Records)) {
    throw invalid(
      'the input is an S3 event notification ("Records"), which this pipeline does not use; route the bucket\'s events through EventBridge',
    );
  }
  if ('profile' in input && !('key' in input)) return fromProfileInput(input, context);
  const parsed = input.source === 'aws.s3' || 'detail-type' in input || 'detail' in input ? fromEventBridge(input) : fromManualInput(input);
  if (parsed.bucket !== context.bucket) {
    throw new RequestInvalidError(
      `the object is in bucket "${parsed.bucket}", but this pipeline reads metadata only from its own bucket "${context.bucket}". ` +
        `Upload the file to s3://${context.bucket}/metadata/<profile>/<name>.xml, or name that bucket in the manual input.`,
    );
  }
  return { ...parsed, profile: profileFromKey(parsed.key, context) };
}

/** `{"profile": "admin"}`: no object yet; Intake fetches the application's metadata and stores it in the pipeline's bucket. */
function fromProfileInput(input: Record<string, unknown>, context: RequestContext): MetadataObjectRequest {
  const unknown = Object.keys(input).filter((field) => !APPLICATION_FIELDS.has(field));
  if (unknown.length > 0) {
    throw invalid(
      `an input naming the profile takes only "profile" and "dryRun", not ${unknown.map((f) => `"${f}"`).join(', ')} (to install an uploaded file, name its "bucket" and "key" instead)`,
    );
  }
  if (typeof input.profile !== 'string' || input.profile === '') throw invalid(`"profile" is ${describe(input.profile)}; give a profile name`);
  const parent = input[STARTED_BY_FIELD];
  if (parent !== undefined && (typeof parent !== 'string' || !/^arn:[\w-]+:states:[a-z0-9-]+:\d{12}:execution:[^:]+:[^:]+$/.test(parent)))
    throw invalid(`"${STARTED_BY_FIELD}" is ${describe(parent)}; Step Functions sets it to the parent execution's ARN`);
  if (input.dryRun !== undefined && typeof input.dryRun !== 'boolean')
    throw invalid(`"dryRun" is ${describe(input.dryRun)}; it must be true or false`);
  if (!context.profiles.includes(input.profile)) {
    throw new RequestUnknownProfileError(`profile "${input.profile}" is not configured; known profiles: ${context.profiles.join(', ')}.`);
  }
  return {
    source: 'application',
    bucket: context.bucket,
    key: fetchedMetadataKey(input.profile),
    dryRun: input.dryRun === true,
    allowOlderVersion: false,
    profile: input.profile,
    fromApplication: true,
    ...(input.applicationCreated === true ? { applicationCreated: true as const } : {}),
  };
}

function fromEventBridge(input: Record<string, unknown>): Omit<MetadataObjectRequest, 'profile'> {
  if (input.source !== 'aws.s3' || input['detail-type'] !== 'Object Created') {
    throw invalid(
      `the input looks like an EventBridge event, but its source is ${describe(input.source)} and detail-type ${describe(input['detail-type'])}; ` +
        'only S3 "Object Created" events start this pipeline',
    );
  }
  const detail = input.detail;
  const bucket = isObject(detail) && isObject(detail.bucket) ? detail.bucket.name : undefined;
  const object = isObject(detail) ? detail.object : undefined;
  const key = isObject(object) ? object.key : undefined;
  if (typeof bucket !== 'string' || bucket === '' || typeof key !== 'string' || key === '') {
    throw invalid('the S3 "Object Created" event has no detail.bucket.name or detail.object.key');
  }
  const versionId = isObject(object) ? object['version-id'] : undefined;
  if (versionId !== undefined && typeof versionId !== 'string') throw invalid(`detail.object.version-id is ${describe(versionId)}, not a string`);
  return { source: 'eventbridge', bucket, key, ...versionField(versionId), dryRun: false, allowOlderVersion: false };
}

function fromManualInput(input: Record<string, unknown>): Omit<MetadataObjectRequest, 'profile'> {
  const unknown = Object.keys(input).filter((field) => !MANUAL_FIELDS.has(field));
  if (typeof input.bucket !== 'string' || typeof input.key !== 'string') {
    throw invalid(`the input ${describe(input)} has no "bucket" and "key" strings`);
  }
  if (unknown.length > 0) {
    throw invalid(`the manual input has unexpected field(s) ${unknown.map((f) => `"${f}"`).join(', ')} (a misspelt "dryRun" or "versionId"?)`);
  }
  if (input.bucket === '' || input.key === '') throw invalid('"bucket" and "key" must not be empty');
  if (input.versionId !== undefined && (typeof input.versionId !== 'string' || input.versionId === '')) {
    throw invalid(`"versionId" is ${describe(input.versionId)}; give a version id string, or leave it out to use the current version`);
  }
  for (const flag of ['dryRun', 'allowOlderVersion'] as const) {
    if (input[flag] !== undefined && typeof input[flag] !== 'boolean')
      throw invalid(`"${flag}" is ${describe(input[flag])}; it must be true or false (not a string)`);
  }
  return {
    source: 'manual',
    bucket: input.bucket,
    key: input.key,
    ...versionField(input.versionId as string | undefined),
    dryRun: input.dryRun === true,
    allowOlderVersion: input.allowOlderVersion === true,
  };
}

function versionField(versionId: string | undefined): { versionId?: string } {
  if (versionId === undefined || versionId === '') return {};
  if (versionId === 'null') throw versioningRequired();
  return { versionId };
}

/** The "null" version is what S3 gives objects written while versioning is off or suspended: it can be overwritten. */
export function versioningRequired(bucket?: string): RequestInvalidError {
  return new RequestInvalidError(
    `the object has no version id${bucket ? ` (bucket "${bucket}" does not keep versions)` : ' (its version is "null")'}. ` +
      'The pipeline reads the exact version it validated in every later step, and rolls the identity provider back to a previous version, ' +
      'so the metadata bucket must have versioning enabled. Enable versioning on the bucket and upload the file again.',
  );
}

/** The profile named by `metadata/<profile>/<name>.xml`. */
export function profileFromKey(key: string, context: Pick<RequestContext, 'profiles'>): string {
  const profile = KEY_PATTERN.exec(key)?.[1];
  if (profile === undefined) {
    throw new RequestInvalidError(
      `the key "${key}" is not of the form metadata/<profile>/<name>.xml; the folder under metadata/ selects the profile ` +
        `(${context.profiles.map((p) => `metadata/${p}/`).join(', ')}).`,
    );
  }
  if (!context.profiles.includes(profile)) {
    throw new RequestUnknownProfileError(
      `the key "${key}" selects profile "${profile}", which is not configured; known profiles: ${context.profiles.join(', ')}. ` +
        `Upload the file under ${context.profiles.map((p) => `metadata/${p}/`).join(' or ')}, or add the profile to the configuration and deploy.`,
    );
  }
  return profile;
}

/** The S3 key a fetched document is stored under (see `fetchedMetadataKey`). */
const FETCHED_METADATA_NAME = 'identity-center.metadata';

/**
 * Where Intake stores the document it fetched, as a new version: inside the profile's folder, so the audit trail and
 * the version pinning work as for an upload, but not ending in .xml, so that the upload rule (metadata/*.xml) does
 * not start a second execution for it.
 */
export function fetchedMetadataKey(profile: string): string {
  return `metadata/${profile}/${FETCHED_METADATA_NAME}`;
}
