import { GetRoleCommand, type IAMClient, ListAttachedRolePoliciesCommand, ListRoleTagsCommand, type Role } from '@aws-sdk/client-iam';
import { logger } from '../shared/logger';
import type { Tag } from '../shared/tags';

/**
 * `previous` of an 'updated' receipt and journal entry: the values of the fields the step changed (or was about to
 * change), and only those. `permissionsBoundaryArn: null` means the role had no boundary. Absent (undefined) when
 * the role did not exist.
 */
export interface RolePrevious {
  /** The trust policy as IAM held it, URL-decoded JSON text. */
  trustPolicy?: string;
  maxSessionDuration?: number;
  permissionsBoundaryArn?: string | null;
}

/** The role, or undefined when IAM has none with that name. */
export async function getRole(iam: IAMClient, roleName: string): Promise<Role | undefined> {
  try {
    return (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
  } catch (error) {
    if ((error as Error).name === 'NoSuchEntityException') return undefined;
    throw error;
  }
}

/** The role's tags: GetRole returns them, ListRoleTags is the fallback for a response without them. */
export async function roleTags(iam: IAMClient, role: Role): Promise<Tag[]> {
  const toTags = (tags: { Key?: string; Value?: string }[]) => tags.map((tag) => ({ Key: tag.Key ?? '', Value: tag.Value ?? '' }));
  if (role.Tags !== undefined) return toTags(role.Tags);
  const tags: Tag[] = [];
  let marker: string | undefined;
  do {
    const page = await iam.send(new ListRoleTagsCommand({ RoleName: role.RoleName, Marker: marker }));
    tags.push(...toTags(page.Tags ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker !== undefined);
  return tags;
}

/**
 * Waits before each retry of a trust policy IAM refused because the provider it names is not visible yet: 6 attempts
 * over 23 s, well inside the function's timeout, longer than the few seconds IAM usually needs.
 */
export const PRINCIPAL_RETRY_DELAYS_MS: readonly number[] = [1000, 2000, 4000, 8000, 8000];

/** IAM's answer to a trust policy naming a principal it does not know (yet): "Invalid principal in policy: ...". */
function isInvalidPrincipal(error: unknown): boolean {
  return (error as Error)?.name === 'MalformedPolicyDocumentException' && /invalid principal/i.test((error as Error).message ?? '');
}

/**
 * Runs a call that sends the federation trust policy, retrying IAM's refusal of a SAML provider created moments ago
 * (IAM is eventually consistent). Any other error, or the refusal after the last attempt, is rethrown as IAM sent it.
 */
export async function retryInvalidPrincipal<T>(call: () => Promise<T>, sleep: (ms: number) => Promise<void>): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const delay = PRINCIPAL_RETRY_DELAYS_MS[attempt];
      if (!isInvalidPrincipal(error) || delay === undefined) throw error;
      logger.warn('IAM refused the provider as principal; it may not be visible yet, retrying', { attempt: attempt + 1, delayMs: delay });
      await sleep(delay);
    }
  }
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The managed policies attached to the role. `roleMayBeAbsent`: a dry run plans against a role the Role step would
 * only create, and a revert may find the role already gone; both read "no role" as "nothing attached".
 */
export async function listAttachedPolicyArns(iam: IAMClient, roleName: string, roleMayBeAbsent = false): Promise<string[]> {
  const arns: string[] = [];
  let marker: string | undefined;
  try {
    do {
      const page = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker: marker }));
      arns.push(...(page.AttachedPolicies ?? []).flatMap((policy) => (policy.PolicyArn ? [policy.PolicyArn] : [])));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
  } catch (error) {
    if (roleMayBeAbsent && (error as Error).name === 'NoSuchEntityException') return [];
    throw error;
  }
  return arns;
}
