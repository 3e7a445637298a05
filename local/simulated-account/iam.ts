import type {
  AttachRolePolicyCommandInput,
  CreatePolicyCommandInput,
  CreatePolicyVersionCommandInput,
  CreateRoleCommandInput,
  CreateSAMLProviderCommandInput,
  DeletePolicyCommandInput,
  DeletePolicyVersionCommandInput,
  DeleteRoleCommandInput,
  DeleteRolePermissionsBoundaryCommandInput,
  DeleteRolePolicyCommandInput,
  DeleteSAMLProviderCommandInput,
  DetachRolePolicyCommandInput,
  GetPolicyCommandInput,
  GetPolicyVersionCommandInput,
  GetRoleCommandInput,
  GetRolePolicyCommandInput,
  GetSAMLProviderCommandInput,
  ListAttachedRolePoliciesCommandInput,
  ListEntitiesForPolicyCommandInput,
  ListPoliciesCommandInput,
  ListPolicyTagsCommandInput,
  ListPolicyVersionsCommandInput,
  ListRolePoliciesCommandInput,
  ListRoleTagsCommandInput,
  ListSAMLProviderTagsCommandInput,
  PutRolePermissionsBoundaryCommandInput,
  PutRolePolicyCommandInput,
  SetDefaultPolicyVersionCommandInput,
  TagPolicyCommandInput,
  TagRoleCommandInput,
  TagSAMLProviderCommandInput,
  UntagPolicyCommandInput,
  UntagRoleCommandInput,
  UntagSAMLProviderCommandInput,
  UpdateAssumeRolePolicyCommandInput,
  UpdateRoleCommandInput,
  UpdateSAMLProviderCommandInput,
} from '@aws-sdk/client-iam';
import type { AccountContext, Operations } from './context';
import { awsError } from './errors';
import {
  checkName,
  checkPath,
  checkTags,
  constraint,
  encodeDocument,
  IAM_LIMITS,
  invalidInput,
  invalidPrincipal,
  mergeTags,
  type PolicyDocument,
  parsePolicy,
  policySize,
  policyText,
  principalsOf,
  removeTags,
  type Tag,
  tagRecord,
} from './iam-documents';
import { compact, ok, paginate } from './support';

interface SamlProvider {
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

interface Role {
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

interface PolicyVersion {
  document: string;
  createDate: Date;
}

interface ManagedPolicy {
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

function noSuchEntity(message: string): Error {
  return awsError('NoSuchEntityException', message, 'iam');
}

function deleteConflict(message: string): Error {
  return awsError('DeleteConflictException', message, 'iam');
}

function limitExceeded(message: string): Error {
  return awsError('LimitExceededException', message, 'iam');
}

function parseJson(text: string): unknown {
  return JSON.parse(text) as unknown;
}

function copyTags(tags: readonly Tag[]): Tag[] {
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

function pageOutput<K extends string, T>(
  key: K,
  page: { items: T[]; IsTruncated: boolean; Marker?: string },
): Record<K, T[]> & { IsTruncated: boolean; Marker?: string } {
  return compact({ [key]: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker } as Record<K, T[]> & {
    IsTruncated: boolean;
    Marker?: string;
  });
}

/**
 * IAM's SAML providers, roles and managed policies, with the validation, quotas and conflicts IAM documents.
 * Every operation validates fully before it changes anything, so a refused call leaves the state as it was.
 */
export class SimulatedIam {
  private readonly providers = new Map<string, SamlProvider>();
  private readonly roles = new Map<string, Role>();
  /** Customer managed policies by lower-case name (names are unique in an account, whatever the path). */
  private readonly policies = new Map<string, ManagedPolicy>();
  private readonly awsPolicies = new Map<string, ManagedPolicy>();

  public constructor(
    private readonly context: AccountContext,
    private readonly options: IamOptions = {},
  ) {}

  /** Seeds an AWS managed policy (arn:<partition>:iam::aws:policy/<path><name>) that roles can attach. */
  public addAwsManagedPolicy(name: string, document: string, path = '/'): string {
    const arn = `arn:${this.context.partition}:iam::aws:policy${path}${name}`;
    if (!this.awsPolicies.has(arn)) {
      const now = this.context.clock();
      this.awsPolicies.set(arn, {
        name,
        path,
        arn,
        policyId: this.context.ids.iamId('ANPA'),
        createDate: now,
        updateDate: now,
        defaultVersionId: 'v1',
        versions: new Map([['v1', { document, createDate: now }]]),
        nextVersion: 2,
        tags: [],
        awsManaged: true,
      });
    }
    return arn;
  }

  public readonly operations: Operations = {
    // ---- SAML providers ----
    CreateSAMLProvider: (input: CreateSAMLProviderCommandInput) => {
      const name = checkName('name', input.Name, 128, /^[\w._-]+$/);
      const document = this.checkMetadata(input.SAMLMetadataDocument);
      const tags = checkTags(input.Tags);
      if (tags.length > IAM_LIMITS.tagsPerResource) throw limitExceeded(`Cannot exceed quota for TagsPerSAMLProvider: ${IAM_LIMITS.tagsPerResource}`);
      if (this.providers.has(name.toLowerCase())) throw awsError('EntityAlreadyExistsException', `SAMLProvider ${name} already exists.`, 'iam');
      if (this.providers.size >= IAM_LIMITS.samlProvidersPerAccount) {
        throw limitExceeded(`Cannot exceed quota for SAMLProvidersPerAccount: ${IAM_LIMITS.samlProvidersPerAccount}`);
      }
      const now = this.context.clock();
      const provider: SamlProvider = {
        name,
        arn: `arn:${this.context.partition}:iam::${this.context.account}:saml-provider/${name}`,
        uuid: this.context.ids.uuid(),
        document,
        createDate: now,
        validUntil: this.validUntil(document, now),
        tags,
        // A provider in the starting state has long been visible to IAM as a principal.
        unpropagatedCalls: this.context.seeding() ? 0 : (this.options.principalPropagationDelayCalls ?? 0),
      };
      this.providers.set(name.toLowerCase(), provider);
      return ok(compact({ SAMLProviderArn: provider.arn, Tags: tags.length > 0 ? copyTags(tags) : undefined }));
    },
    GetSAMLProvider: (input: GetSAMLProviderCommandInput) => {
      const provider = this.provider(input.SAMLProviderArn);
      return ok(
        compact({
          SAMLProviderUUID: provider.uuid,
          SAMLMetadataDocument: provider.document,
          CreateDate: new Date(provider.createDate),
          ValidUntil: new Date(provider.validUntil),
          Tags: provider.tags.length > 0 ? copyTags(provider.tags) : undefined,
        }),
      );
    },
    UpdateSAMLProvider: (input: UpdateSAMLProviderCommandInput) => {
      const provider = this.provider(input.SAMLProviderArn);
      if (input.SAMLMetadataDocument !== undefined) {
        const document = this.checkMetadata(input.SAMLMetadataDocument);
        provider.document = document;
        provider.validUntil = this.validUntil(document, this.context.clock());
      }
      return ok({ SAMLProviderArn: provider.arn });
    },
    DeleteSAMLProvider: (input: DeleteSAMLProviderCommandInput) => {
      const provider = this.provider(input.SAMLProviderArn);
      this.providers.delete(provider.name.toLowerCase());
      return ok({});
    },
    ListSAMLProviders: () =>
      ok({
        SAMLProviderList: [...this.providers.values()]
          .sort((a, b) => a.arn.localeCompare(b.arn))
          .map((provider) => ({ Arn: provider.arn, ValidUntil: new Date(provider.validUntil), CreateDate: new Date(provider.createDate) })),
      }),
    TagSAMLProvider: (input: TagSAMLProviderCommandInput) => {
      const provider = this.provider(input.SAMLProviderArn);
      provider.tags = mergeTags(provider.tags, checkTags(input.Tags), 'SAMLProvider');
      return ok({});
    },
    UntagSAMLProvider: (input: UntagSAMLProviderCommandInput) => {
      const provider = this.provider(input.SAMLProviderArn);
      provider.tags = removeTags(provider.tags, input.TagKeys);
      return ok({});
    },
    ListSAMLProviderTags: (input: ListSAMLProviderTagsCommandInput) =>
      ok(pageOutput('Tags', listPage(copyTags(this.provider(input.SAMLProviderArn).tags), input, this.options.pageSize))),

    // ---- Roles ----
    CreateRole: (input: CreateRoleCommandInput) => {
      const name = checkName('roleName', input.RoleName, 64);
      const path = checkPath(input.Path);
      const maxSessionDuration = this.checkMaxSession(input.MaxSessionDuration ?? 3600);
      const description = this.checkDescription(input.Description);
      const tags = checkTags(input.Tags);
      if (tags.length > IAM_LIMITS.tagsPerResource) throw limitExceeded(`Cannot exceed quota for TagsPerRole: ${IAM_LIMITS.tagsPerResource}`);
      const boundary = input.PermissionsBoundary === undefined ? undefined : this.attachablePolicy(input.PermissionsBoundary, true).arn;
      if (this.roles.has(name.toLowerCase())) throw awsError('EntityAlreadyExistsException', `Role with name ${name} already exists.`, 'iam');
      const trustPolicy = this.checkTrustPolicy(input.AssumeRolePolicyDocument);
      const role: Role = compact({
        name,
        path,
        arn: `arn:${this.context.partition}:iam::${this.context.account}:role${path}${name}`,
        roleId: this.context.ids.iamId('AROA'),
        createDate: this.context.clock(),
        trustPolicy,
        description,
        maxSessionDuration,
        permissionsBoundary: boundary,
        tags,
        attached: [],
        inline: new Map<string, string>(),
      });
      this.roles.set(name.toLowerCase(), role);
      return ok({ Role: this.roleView(role, false) });
    },
    GetRole: (input: GetRoleCommandInput) => ok({ Role: this.roleView(this.role(input.RoleName), true) }),
    UpdateAssumeRolePolicy: (input: UpdateAssumeRolePolicyCommandInput) => {
      const role = this.role(input.RoleName);
      role.trustPolicy = this.checkTrustPolicy(input.PolicyDocument);
      return ok({});
    },
    UpdateRole: (input: UpdateRoleCommandInput) => {
      const role = this.role(input.RoleName);
      const maxSessionDuration = input.MaxSessionDuration === undefined ? undefined : this.checkMaxSession(input.MaxSessionDuration);
      const description = this.checkDescription(input.Description);
      if (maxSessionDuration !== undefined) role.maxSessionDuration = maxSessionDuration;
      if (description !== undefined) role.description = description;
      return ok({});
    },
    PutRolePermissionsBoundary: (input: PutRolePermissionsBoundaryCommandInput) => {
      const role = this.role(input.RoleName);
      role.permissionsBoundary = this.attachablePolicy(input.PermissionsBoundary, true).arn;
      return ok({});
    },
    DeleteRolePermissionsBoundary: (input: DeleteRolePermissionsBoundaryCommandInput) => {
      const role = this.role(input.RoleName);
      delete role.permissionsBoundary;
      return ok({});
    },
    DeleteRole: (input: DeleteRoleCommandInput) => {
      const role = this.role(input.RoleName);
      if (role.attached.length > 0) throw deleteConflict('Cannot delete entity, must detach all policies first.');
      if (role.inline.size > 0) throw deleteConflict('Cannot delete entity, must delete policies first.');
      this.roles.delete(role.name.toLowerCase());
      return ok({});
    },
    ListRoleTags: (input: ListRoleTagsCommandInput) =>
      ok(pageOutput('Tags', listPage(copyTags(this.role(input.RoleName).tags), input, this.options.pageSize))),
    TagRole: (input: TagRoleCommandInput) => {
      const role = this.role(input.RoleName);
      role.tags = mergeTags(role.tags, checkTags(input.Tags), 'Role');
      return ok({});
    },
    UntagRole: (input: UntagRoleCommandInput) => {
      const role = this.role(input.RoleName);
      role.tags = removeTags(role.tags, input.TagKeys);
      return ok({});
    },
    ListAttachedRolePolicies: (input: ListAttachedRolePoliciesCommandInput) => {
      const role = this.role(input.RoleName);
      const attached = role.attached
        .flatMap((arn) => this.policyByArn(arn) ?? [])
        .filter((policy) => input.PathPrefix === undefined || policy.path.startsWith(input.PathPrefix))
        .map((policy) => ({ PolicyName: policy.name, PolicyArn: policy.arn }));
      return ok(pageOutput('AttachedPolicies', listPage(attached, input, this.options.pageSize)));
    },
    AttachRolePolicy: (input: AttachRolePolicyCommandInput) => {
      const role = this.role(input.RoleName);
      const policy = this.attachablePolicy(input.PolicyArn, false);
      if (role.attached.includes(policy.arn)) return ok({});
      if (role.attached.length >= IAM_LIMITS.managedPoliciesPerRole) {
        throw limitExceeded(`Cannot exceed quota for PoliciesPerRole: ${IAM_LIMITS.managedPoliciesPerRole}`);
      }
      role.attached.push(policy.arn);
      return ok({});
    },
    DetachRolePolicy: (input: DetachRolePolicyCommandInput) => {
      const role = this.role(input.RoleName);
      const index = role.attached.indexOf(input.PolicyArn ?? '');
      if (index === -1) throw noSuchEntity(`Policy ${input.PolicyArn} was not found.`);
      role.attached.splice(index, 1);
      return ok({});
    },
    ListRolePolicies: (input: ListRolePoliciesCommandInput) => {
      const role = this.role(input.RoleName);
      return ok(pageOutput('PolicyNames', listPage([...role.inline.keys()].sort(), input, this.options.pageSize)));
    },
    GetRolePolicy: (input: GetRolePolicyCommandInput) => {
      const role = this.role(input.RoleName);
      const document = role.inline.get(input.PolicyName ?? '');
      if (document === undefined) throw noSuchEntity(`The role policy with name ${input.PolicyName} cannot be found.`);
      return ok({ RoleName: role.name, PolicyName: input.PolicyName, PolicyDocument: encodeDocument(document) });
    },
    PutRolePolicy: (input: PutRolePolicyCommandInput) => {
      const role = this.role(input.RoleName);
      const name = checkName('policyName', input.PolicyName, 128);
      const document = policyText(input.PolicyDocument);
      parsePolicy(document, 'identity');
      const sizes = [...role.inline.entries()].filter(([other]) => other !== name).map(([, text]) => policySize(text));
      const total = sizes.reduce((sum, size) => sum + size, 0) + policySize(document);
      if (total > IAM_LIMITS.inlinePoliciesSizePerRole) {
        throw limitExceeded(`Maximum policy size of ${IAM_LIMITS.inlinePoliciesSizePerRole} bytes exceeded for role ${role.name}`);
      }
      role.inline.set(name, document);
      return ok({});
    },
    DeleteRolePolicy: (input: DeleteRolePolicyCommandInput) => {
      const role = this.role(input.RoleName);
      if (!role.inline.delete(input.PolicyName ?? '')) throw noSuchEntity(`The role policy with name ${input.PolicyName} cannot be found.`);
      return ok({});
    },

    // ---- Managed policies ----
    CreatePolicy: (input: CreatePolicyCommandInput) => {
      const name = checkName('policyName', input.PolicyName, 128);
      const path = checkPath(input.Path);
      const description = this.checkDescription(input.Description);
      const tags = checkTags(input.Tags);
      if (tags.length > IAM_LIMITS.tagsPerResource) throw limitExceeded(`Cannot exceed quota for TagsPerPolicy: ${IAM_LIMITS.tagsPerResource}`);
      const document = this.checkManagedDocument(input.PolicyDocument);
      if (this.policies.has(name.toLowerCase())) {
        throw awsError('EntityAlreadyExistsException', `A policy called ${name} already exists. Duplicate names are not allowed.`, 'iam');
      }
      const now = this.context.clock();
      const policy: ManagedPolicy = compact({
        name,
        path,
        arn: `arn:${this.context.partition}:iam::${this.context.account}:policy${path}${name}`,
        policyId: this.context.ids.iamId('ANPA'),
        description,
        createDate: now,
        updateDate: now,
        defaultVersionId: 'v1',
        versions: new Map([['v1', { document, createDate: now }]]),
        nextVersion: 2,
        tags,
        awsManaged: false,
      });
      this.policies.set(name.toLowerCase(), policy);
      const view = this.policyView(policy);
      delete view.Description;
      return ok({ Policy: view });
    },
    GetPolicy: (input: GetPolicyCommandInput) => ok({ Policy: this.policyView(this.policy(input.PolicyArn)) }),
    ListPolicies: (input: ListPoliciesCommandInput) => {
      const scope = input.Scope ?? 'All';
      const all = [...(scope === 'Local' ? [] : this.awsPolicies.values()), ...(scope === 'AWS' ? [] : this.policies.values())];
      const matching = all
        .filter((policy) => input.PathPrefix === undefined || policy.path.startsWith(input.PathPrefix))
        .filter((policy) => !input.OnlyAttached || this.attachmentCount(policy.arn) > 0)
        .sort((a, b) => a.arn.localeCompare(b.arn))
        .map((policy) => {
          const view = this.policyView(policy);
          delete view.Description;
          delete view.Tags;
          return view;
        });
      return ok(pageOutput('Policies', listPage(matching, input, this.options.pageSize)));
    },
    GetPolicyVersion: (input: GetPolicyVersionCommandInput) => {
      const policy = this.policy(input.PolicyArn);
      const [, version] = this.version(policy, input.VersionId);
      return ok({
        PolicyVersion: {
          Document: encodeDocument(version.document),
          VersionId: input.VersionId,
          IsDefaultVersion: policy.defaultVersionId === input.VersionId,
          CreateDate: new Date(version.createDate),
        },
      });
    },
    ListPolicyVersions: (input: ListPolicyVersionsCommandInput) => {
      const policy = this.policy(input.PolicyArn);
      const versions = [...policy.versions.entries()]
        .sort(([a], [b]) => Number(b.slice(1)) - Number(a.slice(1)))
        .map(([versionId, version]) => ({
          VersionId: versionId,
          IsDefaultVersion: versionId === policy.defaultVersionId,
          CreateDate: new Date(version.createDate),
        }));
      return ok(pageOutput('Versions', listPage(versions, input, this.options.pageSize)));
    },
    CreatePolicyVersion: (input: CreatePolicyVersionCommandInput) => {
      const policy = this.customerPolicy(input.PolicyArn);
      const document = this.checkManagedDocument(input.PolicyDocument);
      if (policy.versions.size >= IAM_LIMITS.versionsPerPolicy) {
        throw limitExceeded(
          `A managed policy can have up to ${IAM_LIMITS.versionsPerPolicy} versions. Before you create a new version, you must delete an existing version.`,
        );
      }
      const versionId = `v${policy.nextVersion}`;
      const now = this.context.clock();
      policy.nextVersion += 1;
      policy.versions.set(versionId, { document, createDate: now });
      if (input.SetAsDefault) {
        policy.defaultVersionId = versionId;
        policy.updateDate = now;
      }
      return ok({ PolicyVersion: { VersionId: versionId, IsDefaultVersion: policy.defaultVersionId === versionId, CreateDate: new Date(now) } });
    },
    SetDefaultPolicyVersion: (input: SetDefaultPolicyVersionCommandInput) => {
      const policy = this.customerPolicy(input.PolicyArn);
      const [versionId] = this.version(policy, input.VersionId);
      policy.defaultVersionId = versionId;
      policy.updateDate = this.context.clock();
      return ok({});
    },
    DeletePolicyVersion: (input: DeletePolicyVersionCommandInput) => {
      const policy = this.customerPolicy(input.PolicyArn);
      const [versionId] = this.version(policy, input.VersionId);
      if (policy.defaultVersionId === versionId) throw deleteConflict('Cannot delete the default version of a policy.');
      policy.versions.delete(versionId);
      return ok({});
    },
    DeletePolicy: (input: DeletePolicyCommandInput) => {
      const policy = this.customerPolicy(input.PolicyArn);
      if (this.attachmentCount(policy.arn) > 0 || this.boundaryUsageCount(policy.arn) > 0) {
        throw deleteConflict('Cannot delete a policy attached to entities.');
      }
      if (policy.versions.size > 1) {
        throw deleteConflict(
          "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
        );
      }
      this.policies.delete(policy.name.toLowerCase());
      return ok({});
    },
    ListPolicyTags: (input: ListPolicyTagsCommandInput) =>
      ok(pageOutput('Tags', listPage(copyTags(this.policy(input.PolicyArn).tags), input, this.options.pageSize))),
    TagPolicy: (input: TagPolicyCommandInput) => {
      const policy = this.customerPolicy(input.PolicyArn);
      policy.tags = mergeTags(policy.tags, checkTags(input.Tags), 'Policy');
      return ok({});
    },
    UntagPolicy: (input: UntagPolicyCommandInput) => {
      const policy = this.customerPolicy(input.PolicyArn);
      policy.tags = removeTags(policy.tags, input.TagKeys);
      return ok({});
    },
    ListEntitiesForPolicy: (input: ListEntitiesForPolicyCommandInput) => {
      const policy = this.policy(input.PolicyArn);
      const usage = input.PolicyUsageFilter;
      const roles =
        input.EntityFilter === undefined ||
        input.EntityFilter === 'Role' ||
        input.EntityFilter === 'LocalManagedPolicy' ||
        input.EntityFilter === 'AWSManagedPolicy'
          ? [...this.roles.values()]
              .filter((role) => input.PathPrefix === undefined || role.path.startsWith(input.PathPrefix))
              .filter(
                (role) =>
                  (usage !== 'PermissionsBoundary' && role.attached.includes(policy.arn)) ||
                  (usage !== 'PermissionsPolicy' && role.permissionsBoundary === policy.arn),
              )
              .sort((a, b) => a.name.localeCompare(b.name))
              .map((role) => ({ RoleName: role.name, RoleId: role.roleId }))
          : [];
      const page = listPage(roles, input, this.options.pageSize);
      return ok(compact({ PolicyGroups: [], PolicyUsers: [], PolicyRoles: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker }));
    },
  };

  public snapshot(): IamSnapshot {
    const samlProviders: Record<string, SamlProviderSnapshot> = {};
    for (const provider of [...this.providers.values()].sort((a, b) => a.arn.localeCompare(b.arn))) {
      samlProviders[provider.arn] = {
        name: provider.name,
        providerId: provider.uuid,
        metadataDocument: provider.document,
        tags: tagRecord(provider.tags),
      };
    }
    const roles: Record<string, RoleSnapshot> = {};
    for (const role of [...this.roles.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      const inlinePolicies: Record<string, unknown> = {};
      for (const [name, text] of [...role.inline.entries()].sort(([a], [b]) => a.localeCompare(b))) inlinePolicies[name] = parseJson(text);
      roles[role.name] = compact({
        arn: role.arn,
        roleId: role.roleId,
        path: role.path,
        description: role.description,
        maxSessionDuration: role.maxSessionDuration,
        permissionsBoundary: role.permissionsBoundary,
        trustPolicy: parseJson(role.trustPolicy),
        tags: tagRecord(role.tags),
        attachedPolicies: [...role.attached].sort(),
        inlinePolicies,
      });
    }
    const policies: Record<string, PolicySnapshot> = {};
    for (const policy of [...this.policies.values()].sort((a, b) => a.arn.localeCompare(b.arn))) {
      const versions: Record<string, unknown> = {};
      for (const [versionId, version] of [...policy.versions.entries()].sort(([a], [b]) => a.localeCompare(b)))
        versions[versionId] = parseJson(version.document);
      policies[policy.arn] = compact({
        name: policy.name,
        path: policy.path,
        policyId: policy.policyId,
        description: policy.description,
        defaultVersionId: policy.defaultVersionId,
        versions,
        tags: tagRecord(policy.tags),
      });
    }
    return { samlProviders, roles, policies };
  }

  // ---- lookups and checks ----

  private provider(arn: string | undefined): SamlProvider {
    const match = /^arn:([^:]+):iam::(\d{12}):saml-provider\/([\w._-]{1,128})$/.exec(arn ?? '');
    if (!match) throw invalidInput(`ARN ${String(arn)} is not valid.`);
    const provider =
      match[1] === this.context.partition && match[2] === this.context.account ? this.providers.get(match[3].toLowerCase()) : undefined;
    if (!provider) throw noSuchEntity(`Manifest not found for arn ${arn}`);
    return provider;
  }

  private role(name: string | undefined): Role {
    const roleName = checkName('roleName', name, 64);
    const role = this.roles.get(roleName.toLowerCase());
    if (!role) throw noSuchEntity(`The role with name ${name} cannot be found.`);
    return role;
  }

  private policyByArn(arn: string): ManagedPolicy | undefined {
    const aws = this.awsPolicies.get(arn);
    if (aws) return aws;
    const match = /^arn:([^:]+):iam::(\d{12}):policy(\/(?:[\u0021-\u007E]*\/)?)([\w+=,.@-]+)$/.exec(arn);
    if (!match || match[1] !== this.context.partition || match[2] !== this.context.account) return undefined;
    const policy = this.policies.get(match[4].toLowerCase());
    return policy && policy.arn === arn ? policy : undefined;
  }

  private policy(arn: string | undefined): ManagedPolicy {
    if (typeof arn !== 'string' || !/^arn:[^:]+:iam::(\d{12}|aws):policy\//.test(arn)) throw invalidInput(`ARN ${String(arn)} is not valid.`);
    const policy = this.policyByArn(arn);
    if (!policy) throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
    return policy;
  }

  /** A policy this account may change: AWS managed policies are read-only. */
  private customerPolicy(arn: string | undefined): ManagedPolicy {
    const policy = this.policy(arn);
    if (policy.awsManaged) throw awsError('AccessDenied', `Cannot modify AWS managed policy ${arn}`, 'iam');
    return policy;
  }

  private attachablePolicy(arn: string | undefined, asBoundary: boolean): ManagedPolicy {
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
  private version(policy: ManagedPolicy, versionId: string | undefined): [string, PolicyVersion] {
    if (typeof versionId !== 'string' || !/^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/.test(versionId)) {
      throw constraint('versionId', versionId, 'Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?');
    }
    const version = policy.versions.get(versionId);
    if (!version) throw noSuchEntity(`Policy ${policy.arn} version ${versionId} does not exist or is not attachable.`);
    return [versionId, version];
  }

  private attachmentCount(arn: string): number {
    return [...this.roles.values()].filter((role) => role.attached.includes(arn)).length;
  }

  private boundaryUsageCount(arn: string): number {
    return [...this.roles.values()].filter((role) => role.permissionsBoundary === arn).length;
  }

  private checkMetadata(document: unknown): string {
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
  private validUntil(document: string, now: Date): Date {
    const match = /<(?:[\w-]+:)?EntityDescriptor\b[^>]*\bvalidUntil="([^"]+)"/.exec(document);
    const parsed = match ? new Date(match[1]) : undefined;
    if (parsed && !Number.isNaN(parsed.getTime())) return parsed;
    const far = new Date(now);
    far.setUTCFullYear(far.getUTCFullYear() + 100);
    return far;
  }

  private checkMaxSession(value: unknown): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < IAM_LIMITS.maxSessionMin || value > IAM_LIMITS.maxSessionMax) {
      throw constraint('maxSessionDuration', value, `Member must have value between ${IAM_LIMITS.maxSessionMin} and ${IAM_LIMITS.maxSessionMax}`);
    }
    return value;
  }

  private checkDescription(value: unknown): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.length > 1000)
      throw constraint('description', value, 'Member must have length less than or equal to 1000');
    return value;
  }

  private checkManagedDocument(text: unknown): string {
    parsePolicy(text, 'identity');
    if (policySize(text as string) > IAM_LIMITS.managedPolicySize)
      throw limitExceeded(`Cannot exceed quota for PolicySize: ${IAM_LIMITS.managedPolicySize}`);
    return text as string;
  }

  /**
   * A trust policy IAM accepts: valid, within ACLSizePerRole, and naming only principals that exist. A SAML provider
   * created moments ago may still be refused (IAM's eventual consistency), modelled by `principalPropagationDelayCalls`.
   */
  private checkTrustPolicy(text: unknown): string {
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

  private roleView(role: Role, withLastUsed: boolean): Record<string, unknown> {
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

  private policyView(policy: ManagedPolicy): Record<string, unknown> {
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
