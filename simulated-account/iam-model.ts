import type { AccountContext } from './context';
import { awsError } from './errors';
import {
  checkName,
  constraint,
  encodeDocument,
  IAM_LIMITS,
  invalidInput,
  invalidPrincipal,
  type PolicyDocument,
  parsePolicy,
  policySize,
  principalsOf,
  type Tag,
} from './iam-documents';
import { compact, paginate } from './support';

export interface SamlProvider {
  name: string;
  arn: string;
  uuid: string;
  document: string;
  createDate: Date;
  validUntil: Date;
  tags: Tag[];
  /** CreateRole/UpdateAssumeRolePolicy calls naming this provider that IAM still refuses (eventual consistency). */
  unpropagatedCalls: number;
}

export interface Role {
  name: string;
  path: string;
  arn: string;
  roleId: string;
  createDate: Date;
  trustPolicy: string;
  description?: string;
  maxSessionDuration: number;
  permissionsBoundary?: string;
  tags: Tag[];
  /** Attached managed policy ARNs, in attachment order. */
  attached: string[];
  inline: Map<string, string>;
}

export interface PolicyVersion {
  document: string;
  createDate: Date;
}

export interface ManagedPolicy {
  name: string;
  path: string;
  arn: string;
  policyId: string;
  description?: string;
  createDate: Date;
  updateDate: Date;
  defaultVersionId: string;
  versions: Map<string, PolicyVersion>;
  /** IAM never reuses a version number, even after deleting a version. */
  nextVersion: number;
  tags: Tag[];
  awsManaged: boolean;
}

export interface IamOptions {
  /** The first N CreateRole/UpdateAssumeRolePolicy calls that name a newly created SAML provider are refused. */
  principalPropagationDelayCalls?: number;
  /** The most items a List* page holds whatever MaxItems asks (IAM may return fewer); default IAM's 100. */
  pageSize?: number;
}

export interface SamlProviderSnapshot {
  name: string;
  providerId: string;
  metadataDocument: string;
  tags: Record<string, string>;
}

export interface RoleSnapshot {
  arn: string;
  roleId: string;
  path: string;
  description?: string;
  maxSessionDuration: number;
  permissionsBoundary?: string;
  trustPolicy: unknown;
  tags: Record<string, string>;
  attachedPolicies: string[];
  inlinePolicies: Record<string, unknown>;
}

export interface PolicySnapshot {
  name: string;
  path: string;
  policyId: string;
  description?: string;
  defaultVersionId: string;
  versions: Record<string, unknown>;
  tags: Record<string, string>;
}

export interface IamSnapshot {
  samlProviders: Record<string, SamlProviderSnapshot>;
  roles: Record<string, RoleSnapshot>;
  policies: Record<string, PolicySnapshot>;
}

const DEFAULT_MAX_ITEMS = 100;

export function noSuchEntity(message: string): Error {
  return awsError('NoSuchEntityException', message, 'iam');
}

export function deleteConflict(message: string): Error {
  return awsError('DeleteConflictException', message, 'iam');
}

export function limitExceeded(message: string): Error {
  return awsError('LimitExceededException', message, 'iam');
}

export function parseJson(text: string): unknown {
  return JSON.parse(text) as unknown;
}

export function copyTags(tags: readonly Tag[]): Tag[] {
  return tags.map((tag) => ({ Key: tag.Key, Value: tag.Value }));
}

/**
 * A list page in IAM's shape: `IsTruncated`, and `Marker` only when there is more. IAM documents that a page may hold
 * fewer than `MaxItems` even when more remain; `pageSize` makes it so, so that callers' pagination is exercised.
 */
function listPage<T>(
  items: readonly T[],
  input: { Marker?: string; MaxItems?: number },
  pageSize = DEFAULT_MAX_ITEMS,
): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const maxItems = input.MaxItems ?? DEFAULT_MAX_ITEMS;
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 1000)
    throw constraint('maxItems', maxItems, 'Member must have value between 1 and 1000');
  const page = paginate(items, input.Marker, Math.min(maxItems, pageSize));
  if (!page) throw invalidInput('Invalid Marker.');
  return compact({ items: page.items, IsTruncated: page.next !== undefined, Marker: page.next });
}

export function pageOutput<K extends string, T>(
  key: K,
  page: { items: T[]; IsTruncated: boolean; Marker?: string },
): Record<K, T[]> & { IsTruncated: boolean; Marker?: string } {
  return compact({ [key]: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker } as Record<K, T[]> & {
    IsTruncated: boolean;
    Marker?: string;
  });
}

/**
 * IAM's state in the simulated account, with the lookups, checks and views its operations share. The operations
 * themselves live by resource kind: iam-saml-providers.ts, iam-roles.ts, iam-policies.ts. Every operation validates
 * fully before it changes anything, so a refused call leaves the state as it was.
 */
export class IamState {
  public readonly providers = new Map<string, SamlProvider>();
  public readonly roles = new Map<string, Role>();
  /** Customer managed policies by lower-case name (names are unique in an account, whatever the path). */
  public readonly policies = new Map<string, ManagedPolicy>();
  public readonly awsPolicies = new Map<string, ManagedPolicy>();

  public constructor(
    public readonly context: AccountContext,
    public readonly options: IamOptions = {},
  ) {}

  /** A list page of at most the account's IAM page size (IAM may return fewer items than MaxItems asks). */
  public page<T>(items: readonly T[], input: { Marker?: string; MaxItems?: number }): { items: T[]; IsTruncated: boolean; Marker?: string } {
    return listPage(items, input, this.options.pageSize);
  }

  public provider(arn: string | undefined): SamlProvider {
    const match = /^arn:([^:]+):iam::(\d{12}):saml-provider\/([\w._-]{1,128})$/.exec(arn ?? '');
    if (!match) throw invalidInput(`ARN ${String(arn)} is not valid.`);
    const provider =
      match[1] === this.context.partition && match[2] === this.context.account ? this.providers.get(match[3].toLowerCase()) : undefined;
    if (!provider) throw noSuchEntity(`Manifest not found for arn ${arn}`);
    return provider;
  }

  public role(name: string | undefined): Role {
    const roleName = checkName('roleName', name, 64);
    const role = this.roles.get(roleName.toLowerCase());
    if (!role) throw noSuchEntity(`The role with name ${name} cannot be found.`);
    return role;
  }

  public policyByArn(arn: string): ManagedPolicy | undefined {
    const aws = this.awsPolicies.get(arn);
    if (aws) return aws;
    const match = /^arn:([^:]+):iam::(\d{12}):policy(\/(?:[\u0021-\u007E]*\/)?)([\w+=,.@-]+)$/.exec(arn);
    if (!match || match[1] !== this.context.partition || match[2] !== this.context.account) return undefined;
    const policy = this.policies.get(match[4].toLowerCase());
    return policy && policy.arn === arn ? policy : undefined;
  }

  public policy(arn: string | undefined): ManagedPolicy {
    if (typeof arn !== 'string' || !/^arn:[^:]+:iam::(\d{12}|aws):policy\//.test(arn)) throw invalidInput(`ARN ${String(arn)} is not valid.`);
    const policy = this.policyByArn(arn);
    if (!policy) throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
    return policy;
  }

  /** A policy this account may change: AWS managed policies are read-only. */
  public customerPolicy(arn: string | undefined): ManagedPolicy {
    const policy = this.policy(arn);
    if (policy.awsManaged) throw awsError('AccessDenied', `Cannot modify AWS managed policy ${arn}`, 'iam');
    return policy;
  }

  public attachablePolicy(arn: string | undefined, asBoundary: boolean): ManagedPolicy {
    try {
      return this.policy(arn);
    } catch (error) {
      if ((error as Error).name !== 'NoSuchEntityException') throw error;
      throw noSuchEntity(
        asBoundary ? `Scope ARN: ${arn} does not exist or is not attachable.` : `Policy ${arn} does not exist or is not attachable.`,
      );
    }
  }

  /** The version and its id, or IAM's error for a malformed or unknown id. */
  public version(policy: ManagedPolicy, versionId: string | undefined): [string, PolicyVersion] {
    if (typeof versionId !== 'string' || !/^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/.test(versionId)) {
      throw constraint('versionId', versionId, 'Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?');
    }
    const version = policy.versions.get(versionId);
    if (!version) throw noSuchEntity(`Policy ${policy.arn} version ${versionId} does not exist or is not attachable.`);
    return [versionId, version];
  }

  public attachmentCount(arn: string): number {
    return [...this.roles.values()].filter((role) => role.attached.includes(arn)).length;
  }

  public boundaryUsageCount(arn: string): number {
    return [...this.roles.values()].filter((role) => role.permissionsBoundary === arn).length;
  }

  public checkMetadata(document: unknown): string {
    if (typeof document !== 'string' || document.length < IAM_LIMITS.samlMetadataMin || document.length > IAM_LIMITS.samlMetadataMax) {
      throw constraint(
        'SAMLMetadataDocument',
        typeof document === 'string' ? `${document.length} characters` : document,
        `Member must have length between ${IAM_LIMITS.samlMetadataMin} and ${IAM_LIMITS.samlMetadataMax}`,
      );
    }
    // IAM parses the XML; this simulation only checks that it is SAML metadata at all.
    if (!/<(?:[\w-]+:)?EntityDescriptor[\s>]/.test(document)) throw invalidInput('Could not parse metadata');
    return document;
  }

  /** The metadata's `validUntil`, or (when it has none) a date far enough ahead never to matter. */
  public validUntil(document: string, now: Date): Date {
    const match = /<(?:[\w-]+:)?EntityDescriptor\b[^>]*\bvalidUntil="([^"]+)"/.exec(document);
    const parsed = match ? new Date(match[1]) : undefined;
    if (parsed && !Number.isNaN(parsed.getTime())) return parsed;
    const far = new Date(now);
    far.setUTCFullYear(far.getUTCFullYear() + 100);
    return far;
  }

  public checkMaxSession(value: unknown): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < IAM_LIMITS.maxSessionMin || value > IAM_LIMITS.maxSessionMax) {
      throw constraint('maxSessionDuration', value, `Member must have value between ${IAM_LIMITS.maxSessionMin} and ${IAM_LIMITS.maxSessionMax}`);
    }
    return value;
  }

  public checkDescription(value: unknown): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.length > 1000)
      throw constraint('description', value, 'Member must have length less than or equal to 1000');
    return value;
  }

  public checkManagedDocument(text: unknown): string {
    parsePolicy(text, 'identity');
    if (policySize(text as string) > IAM_LIMITS.managedPolicySize)
      throw limitExceeded(`Cannot exceed quota for PolicySize: ${IAM_LIMITS.managedPolicySize}`);
    return text as string;
  }

  /**
   * A trust policy IAM accepts: valid, within ACLSizePerRole, and naming only principals that exist. A SAML provider
   * created moments ago may still be refused (IAM's eventual consistency), modelled by `principalPropagationDelayCalls`.
   */
  public checkTrustPolicy(text: unknown): string {
    const document: PolicyDocument = parsePolicy(text, 'trust');
    if (policySize(text as string) > IAM_LIMITS.trustPolicySize)
      throw limitExceeded(`Cannot exceed quota for ACLSizePerRole: ${IAM_LIMITS.trustPolicySize}`);
    const unpropagated: SamlProvider[] = [];
    for (const [type, value] of principalsOf(document)) {
      if (type === 'Federated' && value.startsWith('arn:')) {
        const match = /^arn:([^:]+):iam::(\d{12}):saml-provider\/(.+)$/.exec(value);
        if (!match) continue;
        const provider =
          match[1] === this.context.partition && match[2] === this.context.account ? this.providers.get(match[3].toLowerCase()) : undefined;
        if (!provider || provider.arn !== value) throw invalidPrincipal(type, value);
        if (provider.unpropagatedCalls > 0) unpropagated.push(provider);
      }
      if (type === 'AWS') {
        const match = /^arn:([^:]+):iam::(\d{12}):role(\/.*\/|\/)([^/]+)$/.exec(value);
        if (match && match[2] === this.context.account && this.roles.get(match[4].toLowerCase())?.arn !== value) throw invalidPrincipal(type, value);
      }
    }
    if (unpropagated.length > 0 && !this.context.seeding()) {
      for (const provider of unpropagated) provider.unpropagatedCalls -= 1;
      throw invalidPrincipal('Federated', unpropagated.map((provider) => provider.arn).join(', '));
    }
    return text as string;
  }

  public roleView(role: Role, withLastUsed: boolean): Record<string, unknown> {
    return compact({
      Path: role.path,
      RoleName: role.name,
      RoleId: role.roleId,
      Arn: role.arn,
      CreateDate: new Date(role.createDate),
      AssumeRolePolicyDocument: encodeDocument(role.trustPolicy),
      Description: role.description,
      MaxSessionDuration: role.maxSessionDuration,
      PermissionsBoundary: role.permissionsBoundary
        ? { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: role.permissionsBoundary }
        : undefined,
      Tags: role.tags.length > 0 ? copyTags(role.tags) : undefined,
      RoleLastUsed: withLastUsed ? {} : undefined,
    });
  }

  public policyView(policy: ManagedPolicy): Record<string, unknown> {
    return compact({
      PolicyName: policy.name,
      PolicyId: policy.policyId,
      Arn: policy.arn,
      Path: policy.path,
      DefaultVersionId: policy.defaultVersionId,
      AttachmentCount: this.attachmentCount(policy.arn),
      PermissionsBoundaryUsageCount: this.boundaryUsageCount(policy.arn),
      IsAttachable: true,
      Description: policy.description,
      CreateDate: new Date(policy.createDate),
      UpdateDate: new Date(policy.updateDate),
      Tags: policy.tags.length > 0 ? copyTags(policy.tags) : undefined,
    });
  }
}
