import type { ExecutionRequest } from './document';

export const TAG_PREFIX = 'saml-federation:';
export const TAG_KEYS = {
  pipeline: `${TAG_PREFIX}pipeline`,
  profile: `${TAG_PREFIX}profile`,
  source: `${TAG_PREFIX}source`,
  sourceVersion: `${TAG_PREFIX}source-version`,
  execution: `${TAG_PREFIX}execution`,
} as const;

export interface Tag {
  Key: string;
  Value: string;
}

/**
 * IAM tag values allow only letters, digits, spaces and `_ . : / = + - @`, up to 256 characters. An S3 key or an
 * execution name may hold other characters (`?` in particular), so the source is split into the object URI and its
 * version id, and anything else IAM refuses becomes `_`.
 */
export function iamTagValue(value: string): string {
  return value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_').slice(0, 256);
}

/** Tags that name the pipeline, the profile, the source object and the execution (invariant 6). */
export function pipelineTags(request: ExecutionRequest): Tag[] {
  return [
    { Key: TAG_KEYS.pipeline, Value: iamTagValue(request.pipelineName) },
    { Key: TAG_KEYS.profile, Value: iamTagValue(request.profile) },
    { Key: TAG_KEYS.source, Value: iamTagValue(`s3://${request.bucket}/${request.key}`) },
    { Key: TAG_KEYS.sourceVersion, Value: iamTagValue(request.versionId) },
    { Key: TAG_KEYS.execution, Value: iamTagValue(request.executionName) },
  ];
}

/**
 * Whose the tags say the resource is: this execution's, another execution's (of any pipeline), or nobody's (no
 * execution tag: created by hand, or by an IAM that kept no tags).
 */
export function taggedExecution(tags: readonly Tag[] | undefined, request: ExecutionRequest): 'this' | 'other' | 'none' {
  const execution = tags?.find((tag) => tag.Key === TAG_KEYS.execution)?.Value;
  if (execution === undefined) return 'none';
  return execution === iamTagValue(request.executionName) ? 'this' : 'other';
}

/** True when the tags say this execution created the resource. */
export function createdByExecution(tags: readonly Tag[] | undefined, request: ExecutionRequest): boolean {
  const execution = tags?.find((tag) => tag.Key === TAG_KEYS.execution)?.Value;
  return execution !== undefined && execution === iamTagValue(request.executionName);
}
