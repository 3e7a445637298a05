import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { customerPolicyArn, roleArn, samlProviderArn } from '../lambdas/shared/arns';
import type { FederationConfig, Profile } from '../lambdas/shared/profile';
import type { FunctionKey } from './functions';

/**
 * What each step's function may do, and on what. One list of statements per function, so that a handler author's
 * report ("revert also calls X") becomes a one-line change here. IAM resources are built only from the names in the
 * profiles; every S3 grant is limited to one key prefix of the metadata bucket.
 */

/** Where the statements point: the account and bucket of the deployment (CDK tokens are fine). */
export interface PermissionScope {
  readonly partition: string;
  readonly account: string;
  readonly bucketArn: string;
  readonly config: FederationConfig;
}

/** A resource pattern with a `*` in it, and why it cannot be narrower (becomes a cdk-nag IAM5 acknowledgement). */
export interface WildcardGrant {
  readonly resource: string;
  readonly reason: string;
}

export interface FunctionPermissions {
  readonly statements: PolicyStatement[];
  readonly wildcards: WildcardGrant[];
}

const unique = <T>(values: T[]): T[] => [...new Set(values)];

/** The IAM names the profiles allow, as ARNs. */
export interface ProfileArns {
  readonly samlProviders: string[];
  readonly roles: string[];
  /** Customer managed policies the pipeline generates (profiles with `policy.connectInstanceArn`). */
  readonly customerPolicies: string[];
  /** For each role ARN, the policy ARNs its profiles attach (generated and `managedPolicyArns`). */
  readonly attachableByRole: ReadonlyMap<string, string[]>;
}

export function profileArns(scope: Pick<PermissionScope, 'partition' | 'account' | 'config'>): ProfileArns {
  const at = { partition: scope.partition, account: scope.account };
  const profiles = Object.values(scope.config.profiles);
  const generated = (profile: Profile): string[] =>
    profile.policy.connectInstanceArn === undefined ? [] : [customerPolicyArn(at, profile.policy.name)];
  const attachableByRole = new Map<string, string[]>();
  for (const profile of profiles) {
    const role = roleArn(at, profile.role.name, profile.role.path);
    attachableByRole.set(role, unique([...(attachableByRole.get(role) ?? []), ...generated(profile), ...profile.policy.managedPolicyArns]));
  }
  return {
    samlProviders: unique(profiles.map((profile) => samlProviderArn(at, profile.identityProvider.name))),
    roles: unique(profiles.map((profile) => roleArn(at, profile.role.name, profile.role.path))),
    customerPolicies: unique(profiles.flatMap(generated)),
    attachableByRole,
  };
}

function allow(sid: string, actions: string[], resources: string[], conditions?: Record<string, unknown>): PolicyStatement[] {
  // A profile set without (say) a generated policy leaves nothing to grant; an empty Resource list is invalid IAM.
  if (resources.length === 0) return [];
  return [new PolicyStatement({ sid, effect: Effect.ALLOW, actions, resources, ...(conditions ? { conditions } : {}) })];
}

const OBJECT_REASONS = {
  metadata: 'Uploaded metadata documents are named by the people who upload them (metadata/<profile>/<any name>.xml); the grant is read-only and limited to the metadata/ prefix of the pipeline bucket.',
  journal: 'Journal entries are keyed by execution name (journal/<execution>/<step>.json), unknown until an execution starts; the grant is limited to the journal/ prefix of the pipeline bucket.',
  backups: 'Backups of replaced provider metadata are keyed by execution name (backups/<execution>/...), unknown until an execution starts; the grant is limited to the backups/ prefix of the pipeline bucket.',
  state: 'The saved attribute mapping lives at state/<profile>/attribute-mapping.json; the grant is limited to the state/ prefix of the pipeline bucket.',
} as const;
type Prefix = keyof typeof OBJECT_REASONS;

class Builder {
  public readonly statements: PolicyStatement[] = [];
  public readonly wildcards: WildcardGrant[] = [];

  public constructor(private readonly scope: PermissionScope) {}

  public add(statements: PolicyStatement[]): this {
    this.statements.push(...statements);
    return this;
  }

  public objects(sid: string, actions: string[], prefixes: Prefix[]): this {
    const resources = prefixes.map((prefix) => `${this.scope.bucketArn}/${prefix}/*`);
    prefixes.forEach((prefix, i) => this.wildcards.push({ resource: resources[i]!, reason: OBJECT_REASONS[prefix] }));
    return this.add(allow(sid, actions, resources));
  }

  /**
   * Without s3:ListBucket, S3 answers a GET for a missing key with AccessDenied instead of NoSuchKey, and a step that
   * reads "the journal entry, if any" (every revert) or "the saved mapping, if any" would fail instead of carrying
   * on (Intake: a wrong key must read as "not found"). The bucket holds only pipeline data: metadata, journal,
   * backups and saved mappings, so listing its key names is low risk.
   */
  public listBucket(): this {
    return this.add(allow('ListBucketSoMissingKeysReadAsNoSuchKey', ['s3:ListBucket'], [this.scope.bucketArn]));
  }

  public wildcard(sid: string, actions: string[], resource: string, reason: string): this {
    this.wildcards.push({ resource, reason });
    return this.add(allow(sid, actions, [resource]));
  }

  public result(): FunctionPermissions {
    return { statements: this.statements, wildcards: this.wildcards };
  }
}

/** Role ARN -> the permissions boundaries its profiles require (undefined: a profile without a boundary). */
function boundariesByRole(scope: PermissionScope): Map<string, Set<string | undefined>> {
  const byRole = new Map<string, Set<string | undefined>>();
  for (const profile of Object.values(scope.config.profiles)) {
    const arn = roleArn(scope, profile.role.name, profile.role.path);
    const set = byRole.get(arn) ?? new Set<string | undefined>();
    set.add(profile.role.permissionsBoundaryArn);
    byRole.set(arn, set);
  }
  return byRole;
}

/**
 * CreateRole for every profile role. Where every profile of a role names a permissions boundary, CreateRole and
 * PutRolePermissionsBoundary only succeed with that boundary (condition key iam:PermissionsBoundary), so the
 * function cannot create the role without its boundary or with another one.
 */
function createRoleStatements(scope: PermissionScope): PolicyStatement[] {
  const unbounded: string[] = [];
  const bounded: PolicyStatement[] = [];
  let index = 0;
  for (const [arn, boundaries] of boundariesByRole(scope)) {
    if (boundaries.has(undefined)) {
      unbounded.push(arn);
      continue;
    }
    bounded.push(
      ...allow(`CreateRoleWithItsBoundary${index++}`, ['iam:CreateRole', 'iam:PutRolePermissionsBoundary'], [arn], {
        StringEquals: { 'iam:PermissionsBoundary': [...boundaries] },
      }),
    );
  }
  return [...allow('CreateProfileRoles', ['iam:CreateRole'], unbounded), ...bounded];
}

/** AttachRolePolicy / DetachRolePolicy on each profile role, only for the policies its profiles name. */
function rolePolicyAttachment(sid: string, action: 'iam:AttachRolePolicy' | 'iam:DetachRolePolicy', arns: ProfileArns): PolicyStatement[] {
  return [...arns.attachableByRole].flatMap(([role, policies], index) =>
    allow(`${sid}${index}`, [action], [role], { ArnEquals: { 'iam:PolicyARN': policies } }),
  );
}

/** DescribeApplication is resource-scoped (Application); a profile that names its application only by display name scopes to its instance. */
function applicationResources(scope: PermissionScope): { exact: string[]; patterns: string[] } {
  const exact: string[] = [];
  const patterns: string[] = [];
  for (const profile of Object.values(scope.config.profiles)) {
    if (profile.application.arn !== undefined) {
      exact.push(profile.application.arn);
    } else {
      const instanceId = profile.application.instanceArn?.split('/').pop() ?? '*';
      patterns.push(`arn:${scope.partition}:sso::${scope.account}:application/${instanceId}/*`);
    }
  }
  return { exact: unique(exact), patterns: unique(patterns) };
}

function attributeMapping(scope: PermissionScope, direction: 'apply' | 'revert'): FunctionPermissions {
  const builder = new Builder(scope);
  const applications = applicationResources(scope);
  builder
    .wildcard(
      'IdentityCenterCallsWithoutResourceTypes',
      [
        'sso:ListInstances',
        'sso:ListApplications',
        'sso:GetApplicationInstance',
        // The Service Authorization Reference lists it among the actions DescribeApplication authorizes.
        'sso:GetManagedApplicationInstance',
        'sso:UpdateApplicationInstanceResponseConfiguration',
        'sso:UpdateApplicationInstanceResponseSchemaConfiguration',
      ],
      '*',
      'The Service Authorization Reference for IAM Identity Center (sso) defines no resource type for ListInstances, ListApplications, GetApplicationInstance, GetManagedApplicationInstance, UpdateApplicationInstanceResponseConfiguration and UpdateApplicationInstanceResponseSchemaConfiguration, so they can only be granted on "*"; DescribeApplication, which is resource-scoped, is granted on the profiles\' applications only.',
    )
    .add(allow('DescribeProfileApplications', ['sso:DescribeApplication'], applications.exact));
  applications.patterns.forEach((pattern, index) =>
    builder.wildcard(
      `DescribeApplicationsByDisplayName${index}`,
      ['sso:DescribeApplication'],
      pattern,
      'A profile names its IAM Identity Center application by display name, so its ARN (application/<instance>/apl-<id>) is only known at run time; the grant is read-only and limited to the profile\'s instance where the profile names one.',
    ),
  );
  builder.objects(direction === 'apply' ? 'JournalAndSavedMapping' : 'ReadJournalRestoreSavedMapping', ['s3:GetObject', 's3:PutObject'], ['journal', 'state']).listBucket();
  return builder.result();
}

/** The statements for one function. Only revert functions delete, with the single exception documented on policyApply. */
export function functionPermissions(key: FunctionKey, scope: PermissionScope): FunctionPermissions {
  const arns = profileArns(scope);
  const builder = new Builder(scope);
  switch (key) {
    case 'intake':
      // HeadObject and GetObject (pinned to a version) are authorized by s3:GetObject / s3:GetObjectVersion. ListBucket
      // makes a wrong key in a manual input fail as Request.ObjectNotFound rather than as AccessDenied.
      return builder.objects('ReadUploadedMetadata', ['s3:GetObject', 's3:GetObjectVersion'], ['metadata']).listBucket().result();

    case 'identityProviderApply':
      return builder
        .add(
          allow(
            'CreateOrUpdateProfileSamlProviders',
            ['iam:GetSAMLProvider', 'iam:CreateSAMLProvider', 'iam:UpdateSAMLProvider', 'iam:TagSAMLProvider', 'iam:ListSAMLProviderTags'],
            arns.samlProviders,
          ),
        )
        .objects('ReadUploadedMetadata', ['s3:GetObject', 's3:GetObjectVersion'], ['metadata'])
        .objects('WriteJournalAndMetadataBackup', ['s3:GetObject', 's3:PutObject'], ['journal', 'backups'])
        // A retried apply reads this execution's journal entry, absent on the first attempt.
        .listBucket()
        .result();

    case 'identityProviderRevert':
      return builder
        .add(
          allow(
            'RestoreOrDeleteProfileSamlProviders',
            ['iam:GetSAMLProvider', 'iam:ListSAMLProviderTags', 'iam:UpdateSAMLProvider', 'iam:DeleteSAMLProvider'],
            arns.samlProviders,
          ),
        )
        .objects('ReadJournalAndMetadataBackup', ['s3:GetObject'], ['journal', 'backups'])
        .listBucket()
        .result();

    case 'roleApply':
      return builder
        .add(
          allow(
            'UpdateProfileRolesInPlace',
            ['iam:GetRole', 'iam:TagRole', 'iam:ListRoleTags', 'iam:UpdateAssumeRolePolicy', 'iam:UpdateRole'],
            arns.roles,
          ),
        )
        .add(createRoleStatements(scope))
        .objects('WriteJournal', ['s3:GetObject', 's3:PutObject'], ['journal'])
        // A retried apply reads this execution's journal entry, absent on the first attempt.
        .listBucket()
        .result();

    case 'roleRevert':
      return builder
        .add(
          allow(
            'RestoreOrDeleteProfileRoles',
            [
              'iam:GetRole',
              'iam:ListRoleTags',
              'iam:ListAttachedRolePolicies',
              'iam:DetachRolePolicy',
              'iam:ListRolePolicies',
              'iam:DeleteRolePolicy',
              'iam:DeleteRole',
              'iam:UpdateAssumeRolePolicy',
              'iam:UpdateRole',
              'iam:PutRolePermissionsBoundary',
              'iam:DeleteRolePermissionsBoundary',
            ],
            arns.roles,
          ),
        )
        .objects('ReadAndRecordJournal', ['s3:GetObject', 's3:PutObject'], ['journal'])
        .listBucket()
        .result();

    case 'policyApply':
      return builder
        .add(
          allow(
            'EnsureGeneratedPolicies',
            [
              'iam:GetPolicy',
              'iam:GetPolicyVersion',
              'iam:ListPolicyVersions',
              'iam:CreatePolicy',
              'iam:TagPolicy',
              'iam:ListPolicyTags',
              'iam:CreatePolicyVersion',
              // The one delete an apply function holds: IAM keeps at most 5 versions of a policy, and issue 3 has
              // apply delete the oldest non-default version to make room for the new one (journalled first, so the
              // revert recreates it). Limited to the profiles' own generated policies.
              'iam:DeletePolicyVersion',
            ],
            arns.customerPolicies,
          ),
        )
        .add(allow('ReadProfileRoleAttachments', ['iam:ListAttachedRolePolicies'], arns.roles))
        .add(rolePolicyAttachment('AttachOnlyProfilePolicies', 'iam:AttachRolePolicy', arns))
        .objects('WriteJournal', ['s3:GetObject', 's3:PutObject'], ['journal'])
        // A retried apply reads this execution's journal entry, absent on the first attempt.
        .listBucket()
        .result();

    case 'policyRevert':
      return builder
        .add(
          allow(
            'RestoreOrDeleteGeneratedPolicies',
            [
              'iam:GetPolicy',
              'iam:ListPolicyTags',
              'iam:GetPolicyVersion',
              'iam:ListPolicyVersions',
              'iam:SetDefaultPolicyVersion',
              'iam:CreatePolicyVersion',
              'iam:DeletePolicyVersion',
              'iam:DeletePolicy',
              'iam:ListEntitiesForPolicy',
            ],
            arns.customerPolicies,
          ),
        )
        .add(allow('ReadProfileRoleAttachments', ['iam:ListAttachedRolePolicies'], arns.roles))
        .add(rolePolicyAttachment('DetachOnlyProfilePolicies', 'iam:DetachRolePolicy', arns))
        .objects('ReadAndRecordJournal', ['s3:GetObject', 's3:PutObject'], ['journal'])
        .listBucket()
        .result();

    case 'attributeMappingApply':
      return attributeMapping(scope, 'apply');

    case 'attributeMappingRevert':
      return attributeMapping(scope, 'revert');
  }
}
