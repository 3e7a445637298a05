import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  type IAMClient,
  ListEntitiesForPolicyCommand,
  ListPolicyTagsCommand,
  ListPolicyVersionsCommand,
  type Policy,
  type PolicyVersion,
} from '@aws-sdk/client-iam';
import type { ExecutionDocument } from '../shared/document';
import { decodePolicyDocument } from '../shared/policy-json';
import type { Tag } from '../shared/tags';

/** IAM keeps at most this many versions of a managed policy. */
export const MAX_POLICY_VERSIONS = 5;

/** A policy version this execution deleted to make room for its own: enough to re-create an equivalent one. */
export interface DeletedPolicyVersion {
  versionId: string;
  /** The version's document as JSON text (decoded from IAM's URL encoding). */
  document: string;
  createDate?: string;
}

/** What was there before the Policy step changed anything: the receipt's and the journal's `previous`. */
export interface PolicyPrevious {
  /** Whether the generated customer managed policy existed; absent when the profile generates none. */
  policyExisted?: boolean;
  /** The policy's default version before this execution made a new one. */
  defaultVersionId?: string;
  /** Every version id the policy had, so a revert can tell a version this execution made from an older one. */
  versionIds?: string[];
  deletedVersion?: DeletedPolicyVersion;
  /** Managed policies attached to the role before. */
  attachedPolicyArns: string[];
}

/**
 * What this execution does (receipt) or is about to do (journal). A revert treats "about to" as "may have", and checks
 * the account before undoing anything.
 */
export type PolicyDetails = {
  roleName: string;
  /** The generated customer managed policy, when the profile has a Connect instance. */
  policyArn?: string;
  /** The document this execution wants the generated policy to have. */
  document?: string;
  createPolicy: boolean;
  createVersion: boolean;
  /** Known once CreatePolicyVersion answered. */
  createdVersionId?: string;
  /** Policies this execution attaches to the role: none of them was attached before. */
  attach: string[];
  /**
   * The generated policy as the step found it when it appeared after the step's first read: another execution (the
   * profiles `admin` and `agent` share the policy name, and each holds only its own profile's lock) created it first.
   * The journal keeps the first attempt's `previous` ("no policy"), so this is where a revert learns the default
   * version to go back to, should this execution change the policy it did not create.
   */
  foundPolicy?: Pick<PolicyPrevious, 'defaultVersionId' | 'versionIds' | 'deletedVersion'>;
};

/** The state the step's changes are relative to: `previous`, with the policy found later standing in for "no policy". */
export function effectivePrevious(previous: PolicyPrevious, details: Pick<PolicyDetails, 'foundPolicy'>): PolicyPrevious {
  if (!details.foundPolicy || previous.policyExisted !== false) return previous;
  return { ...previous, policyExisted: true, ...details.foundPolicy };
}

export function isNamed(error: unknown, name: string): boolean {
  return (error as { name?: unknown } | null)?.name === name;
}

/**
 * The role is the one the Role step created or fixed; its receipt's ARN wins over the profile in case the two ever
 * disagree, because the receipt names the role that actually exists.
 */
export function roleNameOf(doc: Pick<ExecutionDocument, 'profile' | 'receipts'>): string {
  const fromReceipt = doc.receipts?.role?.arn?.match(/:role\/(?:.*\/)?([^/]+)$/)?.[1];
  return fromReceipt ?? doc.profile.role.name;
}

/** The policy, or undefined when IAM says it does not exist. */
export async function findPolicy(iam: IAMClient, policyArn: string): Promise<Policy | undefined> {
  try {
    return (await iam.send(new GetPolicyCommand({ PolicyArn: policyArn }))).Policy;
  } catch (error) {
    if (isNamed(error, 'NoSuchEntityException')) return undefined;
    throw error;
  }
}

/** A policy version's document as plain JSON text. */
export async function policyVersionDocument(iam: IAMClient, policyArn: string, versionId: string): Promise<string> {
  const response = await iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: versionId }));
  return JSON.stringify(decodePolicyDocument(response.PolicyVersion?.Document ?? '{}'));
}

export async function listPolicyVersions(iam: IAMClient, policyArn: string): Promise<PolicyVersion[]> {
  const versions: PolicyVersion[] = [];
  let marker: string | undefined;
  do {
    const page = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: policyArn, Marker: marker }));
    versions.push(...(page.Versions ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return versions;
}

export async function listPolicyTags(iam: IAMClient, policyArn: string): Promise<Tag[]> {
  const tags: Tag[] = [];
  let marker: string | undefined;
  do {
    const page = await iam.send(new ListPolicyTagsCommand({ PolicyArn: policyArn, Marker: marker }));
    tags.push(...(page.Tags ?? []).map((tag) => ({ Key: tag.Key ?? '', Value: tag.Value ?? '' })));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return tags;
}

/** Every user, group and role the policy is attached to, as `role/<name>`, `user/<name>`, `group/<name>`. */
export async function listPolicyAttachments(iam: IAMClient, policyArn: string): Promise<string[]> {
  const entities: string[] = [];
  let marker: string | undefined;
  do {
    const page = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: policyArn, Marker: marker }));
    entities.push(
      ...(page.PolicyRoles ?? []).map((role) => `role/${role.RoleName}`),
      ...(page.PolicyUsers ?? []).map((user) => `user/${user.UserName}`),
      ...(page.PolicyGroups ?? []).map((group) => `group/${group.GroupName}`),
    );
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return entities;
}

function versionNumber(versionId: string | undefined): number {
  return Number(/^v(\d+)$/.exec(versionId ?? '')?.[1] ?? Number.MAX_SAFE_INTEGER);
}

function createTime(version: PolicyVersion): number {
  return version.CreateDate === undefined ? 0 : new Date(version.CreateDate).getTime();
}

/** The non-default version IAM made first: version ids count up and are never reused. */
export function oldestNonDefaultVersion(versions: readonly PolicyVersion[]): PolicyVersion | undefined {
  return versions
    .filter((version) => !version.IsDefaultVersion)
    .sort((a, b) => versionNumber(a.VersionId) - versionNumber(b.VersionId) || createTime(a) - createTime(b))[0];
}
