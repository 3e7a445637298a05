import type { Tag as SdkTag } from '@aws-sdk/client-iam';
import { awsError } from './errors';

/** A tag as stored, once validated: both parts present. */
export interface Tag {
  Key: string;
  Value: string;
}

/** IAM's quotas that the pipeline can run into. */
export const IAM_LIMITS = {
  samlProvidersPerAccount: 100,
  samlMetadataMin: 1000,
  samlMetadataMax: 10_000_000,
  tagsPerResource: 50,
  managedPoliciesPerRole: 10,
  versionsPerPolicy: 5,
  trustPolicySize: 2048,
  managedPolicySize: 6144,
  inlinePoliciesSizePerRole: 10240,
  maxSessionMin: 3600,
  maxSessionMax: 43200,
} as const;

export function invalidInput(message: string): Error {
  return awsError('InvalidInputException', message, 'iam');
}

function malformed(message: string): Error {
  return awsError('MalformedPolicyDocumentException', message, 'iam');
}

/**
 * IAM's answer to a request that breaks a model constraint (a name too long or off its pattern, a value out of range):
 * the unmodelled `ValidationError` with IAM's own wording, which the SDK raises by that code (iam-errors.ts).
 */
export function constraint(field: string, value: unknown, rule: string): Error {
  return awsError(
    'ValidationError',
    `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${rule}`,
    'iam',
  );
}

export function checkName(field: string, value: unknown, max: number, pattern = /^[\w+=,.@-]+$/): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > max) {
    throw constraint(field, value, `Member must have length between 1 and ${max}`);
  }
  if (!pattern.test(value)) throw constraint(field, value, `Member must satisfy regular expression pattern: ${pattern.source.slice(1, -1)}`);
  return value;
}

export function checkPath(value: unknown): string {
  if (value === undefined) return '/';
  if (typeof value !== 'string' || value.length > 512 || !/^(\/|\/[\u0021-\u007E]+\/)$/.test(value)) {
    throw constraint('path', value, 'Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)');
  }
  return value;
}

const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Validates tags as IAM does: key 1-128, value 0-256, the allowed characters, no `aws:` keys, no duplicate keys. */
export function checkTags(tags: readonly SdkTag[] | undefined): Tag[] {
  const out: Tag[] = [];
  const seen = new Set<string>();
  for (const tag of tags ?? []) {
    const key = tag.Key;
    const value = tag.Value ?? '';
    if (typeof key !== 'string' || key.length < 1 || key.length > 128 || !TAG_CHARS.test(key))
      throw constraint('tags.member.key', key, 'Member must have length between 1 and 128 and satisfy the tag key pattern');
    if (value.length > 256 || !TAG_CHARS.test(value))
      throw constraint('tags.member.value', value, 'Member must have length less than or equal to 256 and satisfy the tag value pattern');
    if (key.toLowerCase().startsWith('aws:')) throw invalidInput(`Tag keys starting with 'aws:' are reserved for AWS use: ${key}`);
    // IAM compares tag keys without case.
    if (seen.has(key.toLowerCase())) throw invalidInput('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(key.toLowerCase());
    out.push({ Key: key, Value: value });
  }
  return out;
}

/** `existing` with `added` merged in (a key already present takes the new value), within the tag quota. */
export function mergeTags(existing: readonly Tag[], added: readonly Tag[], what: string): Tag[] {
  const merged = existing.map((tag) => ({ ...tag }));
  for (const tag of added) {
    const index = merged.findIndex((current) => current.Key.toLowerCase() === tag.Key.toLowerCase());
    if (index === -1) merged.push({ ...tag });
    else merged[index] = { ...tag };
  }
  if (merged.length > IAM_LIMITS.tagsPerResource) {
    throw awsError('LimitExceededException', `Cannot exceed quota for TagsPer${what}: ${IAM_LIMITS.tagsPerResource}`, 'iam');
  }
  return merged;
}

export function removeTags(existing: readonly Tag[], keys: readonly string[] | undefined): Tag[] {
  const drop = new Set((keys ?? []).map((key) => key.toLowerCase()));
  return existing.filter((tag) => !drop.has(tag.Key.toLowerCase())).map((tag) => ({ ...tag }));
}

export function tagRecord(tags: readonly Tag[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of [...tags].sort((a, b) => a.Key.localeCompare(b.Key))) out[tag.Key] = tag.Value;
  return out;
}

type Statement = Record<string, unknown>;
export interface PolicyDocument {
  Version?: string;
  Statement: Statement | Statement[];
  [key: string]: unknown;
}

/** Characters that count towards IAM's policy size quotas: whitespace is not counted. */
export function policySize(text: string): number {
  return text.replace(/\s/g, '').length;
}

/**
 * Parses a policy as IAM's validator does, far enough to refuse what IAM refuses with MalformedPolicyDocument:
 * invalid JSON, no statements, a bad Effect, an identity policy that names a principal or lacks actions/resources,
 * a trust policy that lacks a principal or names a resource.
 */
/** A policy document parameter, which IAM requires as non-empty text. */
export function policyText(text: unknown): string {
  if (typeof text !== 'string' || text.length === 0) throw constraint('policyDocument', text, 'Member must have length greater than or equal to 1');
  return text;
}

export function parsePolicy(input: unknown, kind: 'identity' | 'trust'): PolicyDocument {
  const text = policyText(input);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw malformed('This policy contains invalid Json');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw malformed('This policy contains invalid Json');
  const document = parsed as PolicyDocument;
  if (document.Version !== undefined && document.Version !== '2012-10-17' && document.Version !== '2008-10-17') {
    throw malformed('The policy failed legacy parsing');
  }
  if (document.Statement === undefined) throw malformed('Syntax errors in policy.');
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  if (statements.length === 0) throw malformed('Syntax errors in policy.');
  for (const statement of statements) {
    if (statement === null || typeof statement !== 'object' || Array.isArray(statement)) throw malformed('Syntax errors in policy.');
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') throw malformed('Syntax errors in policy.');
    const hasAction = statement.Action !== undefined || statement.NotAction !== undefined;
    const hasPrincipal = statement.Principal !== undefined || statement.NotPrincipal !== undefined;
    const hasResource = statement.Resource !== undefined || statement.NotResource !== undefined;
    if (kind === 'identity') {
      if (hasPrincipal) throw malformed('Policy document should not specify a principal.');
      if (!hasAction) throw malformed('Policy statement must contain actions.');
      if (!hasResource) throw malformed('Policy statement must contain resources.');
    } else {
      if (!hasPrincipal) throw malformed('Missing required field Principal');
      if (!hasAction) throw malformed('Missing required field Action');
      if (hasResource) throw malformed('Has prohibited field Resource');
    }
  }
  return document;
}

/** Every principal the trust policy names, as `[type, value]` ('Federated', 'arn:aws:iam::...:saml-provider/X'). */
export function principalsOf(document: PolicyDocument): Array<[string, string]> {
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  const out: Array<[string, string]> = [];
  for (const statement of statements) {
    const principal = statement.Principal ?? statement.NotPrincipal;
    if (principal === '*') continue;
    if (principal === null || typeof principal !== 'object' || Array.isArray(principal)) {
      throw malformed(`Invalid principal in policy: ${JSON.stringify(principal)}`);
    }
    for (const [type, values] of Object.entries(principal as Record<string, unknown>)) {
      if (!['AWS', 'Service', 'Federated', 'CanonicalUser'].includes(type)) throw malformed(`Invalid principal in policy: "${type}"`);
      for (const value of Array.isArray(values) ? values : [values]) {
        if (typeof value !== 'string') throw malformed(`Invalid principal in policy: "${type}":${JSON.stringify(value)}`);
        out.push([type, value]);
      }
    }
  }
  return out;
}

export function invalidPrincipal(type: string, value: string): Error {
  return malformed(`Invalid principal in policy: "${type}":"${value}"`);
}

/** IAM returns stored policy documents URL-encoded (RFC 3986). */
export function encodeDocument(text: string): string {
  return encodeURIComponent(text);
}
