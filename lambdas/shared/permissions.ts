import { customerPolicyArn, roleArn, samlProviderArn } from './arns';
import type { FederationConfig } from './profile';
import type { Profile } from './profile-schema';
import { type TargetAccess, targetAccounts, targetRoleArn } from './target-account';

/**
 * What a function's role may do, as plain IAM statements (the CDK stack turns them into its PolicyStatements). Each
 * step declares its own beside its code; IAM resources are built only from the names in the profiles, and every S3
 * grant is limited to one key prefix of the metadata bucket.
 */

/** Where the statements point: the account and bucket of the deployment (CDK tokens are fine). */
export interface PermissionScope {
  readonly partition: string;
  readonly account: string;
  readonly bucketArn: string;
  /** The record table's ARN (journal entries, saved mappings). */
  readonly recordTableArn: string;
  /** The lock table's ARN: every record write is conditional on the profile's lease in it. */
  readonly lockTableArn: string;
  readonly config: FederationConfig;
  /**
   * Unset: the grants of a function's own role, over the profiles whose IAM resources are in the pipeline's account.
   * Set: the grants of a target role in that account (`account` is then the same), over the profiles there.
   */
  readonly targetAccount?: string;
}

/** The profiles whose IAM resources the scope's statements cover: those in its account (lambdas/shared/target-account.ts). */
export function profilesInScope(scope: Pick<PermissionScope, 'config' | 'targetAccount'>): Profile[] {
  return Object.values(scope.config.profiles).filter((profile) => profile.account === scope.targetAccount);
}

export interface Statement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: string[];
  readonly Resource: string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** A resource pattern with a `*` in it, and why it cannot be narrower (becomes a cdk-nag IAM5 acknowledgement). */
export interface WildcardGrant {
  readonly resource: string;
  readonly reason: string;
}

export interface FunctionPermissions {
  readonly statements: Statement[];
  readonly wildcards: WildcardGrant[];
}

export const unique = <T>(values: T[]): T[] => [...new Set(values)];

/** The IAM names the profiles allow, as ARNs. */
export interface ProfileArns {
  readonly samlProviders: string[];
  readonly roles: string[];
  /** Customer managed policies the pipeline generates (profiles with `policy.connectInstanceArn`). */
  readonly customerPolicies: string[];
  /** For each role ARN, the policy ARNs its profiles attach (generated and `managedPolicyArns`). */
  readonly attachableByRole: ReadonlyMap<string, string[]>;
  /** The profiles' Amazon Connect instances (`policy.connectInstanceArn`). */
  readonly connectInstances: string[];
}

function profileArns(scope: Pick<PermissionScope, 'partition' | 'account' | 'config' | 'targetAccount'>): ProfileArns {
  const at = { partition: scope.partition, account: scope.account };
  const profiles = profilesInScope(scope);
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
    connectInstances: unique(profiles.flatMap((profile) => (profile.policy.connectInstanceArn ? [profile.policy.connectInstanceArn] : []))),
  };
}

/** One Allow statement, or none: a profile set without (say) a generated policy leaves nothing to grant, and an empty Resource list is invalid IAM. */
export function allow(sid: string, actions: string[], resources: string[], condition?: Statement['Condition']): Statement[] {
  if (resources.length === 0) return [];
  return [{ Sid: sid, Effect: 'Allow', Action: actions, Resource: resources, ...(condition ? { Condition: condition } : {}) }];
}

const OBJECT_REASONS = {
  metadata:
    'Uploaded metadata documents are named by the people who upload them (metadata/<profile>/<any name>.xml); the grant is read-only and limited to the metadata/ prefix of the pipeline bucket.',
  backups:
    'Backups of replaced provider metadata are keyed by execution name (backups/<execution>/...), unknown until an execution starts; the grant is limited to the backups/ prefix of the pipeline bucket.',
} as const;
export type BucketPrefix = keyof typeof OBJECT_REASONS;

/** Collects a function's statements and the wildcards they carry. */
export class Grants {
  public readonly arns: ProfileArns;
  private readonly statements: Statement[] = [];
  private readonly wildcards: WildcardGrant[] = [];

  public constructor(public readonly scope: PermissionScope) {
    this.arns = profileArns(scope);
  }

  public add(statements: Statement[]): this {
    this.statements.push(...statements);
    return this;
  }

  /** Allows `actions` on `resources` (or the profile names it picks), when there is any. */
  public allow(sid: string, actions: string[], resources: string[] | ((arns: ProfileArns) => string[]), condition?: Statement['Condition']): this {
    return this.add(allow(sid, actions, typeof resources === 'function' ? resources(this.arns) : resources, condition));
  }

  /** Object actions on some prefixes of the metadata bucket. */
  public objects(sid: string, actions: string[], prefixes: BucketPrefix[]): this {
    for (const prefix of prefixes) this.wildcards.push({ resource: `${this.scope.bucketArn}/${prefix}/*`, reason: OBJECT_REASONS[prefix] });
    return this.add(
      allow(
        sid,
        actions,
        prefixes.map((prefix) => `${this.scope.bucketArn}/${prefix}/*`),
      ),
    );
  }

  /**
   * Without s3:ListBucket, S3 answers a GET for a missing key with AccessDenied instead of NoSuchKey, and Intake must
   * tell an uploader that a key or version does not exist. The bucket holds only pipeline data (metadata documents and
   * backups of replaced provider metadata), so listing its key names is low risk.
   */
  public listBucket(): this {
    return this.add(allow('ListBucketSoMissingKeysReadAsNoSuchKey', ['s3:ListBucket'], [this.scope.bucketArn]));
  }

  /**
   * Reads and conditional writes of the record table, limited by partition key (condition key dynamodb:LeadingKeys):
   * 'journal' is this execution's journal (`journal#<execution>`, known only at run time, hence the wildcard), 'state'
   * the profiles' saved state (`state#<profile>`, exact: the mapping last written, the application created). No function may delete a record.
   */
  public records(sid: string, kinds: Array<'journal' | 'state'>): this {
    return this.add(
      allow(sid, ['dynamodb:GetItem', 'dynamodb:PutItem'], [this.scope.recordTableArn], {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': this.recordKeys(kinds) },
      }),
    ).lease(['dynamodb:GetItem', 'dynamodb:ConditionCheckItem']);
  }

  /** GetItem only, on the profiles' saved state (`state#<profile>`): a function that reads what the pipeline recorded and writes none of it. */
  public readRecords(sid: string, kind: 'state'): this {
    return this.add(
      allow(sid, ['dynamodb:GetItem'], [this.scope.recordTableArn], {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': this.recordKeys([kind]) },
      }),
    );
  }

  private recordKeys(kinds: Array<'journal' | 'state'>): string[] {
    return kinds.flatMap((kind) => (kind === 'journal' ? ['journal#*'] : Object.keys(this.scope.config.profiles).map((name) => `state#${name}`)));
  }

  /**
   * The profiles' lock items, by their key (the profile's name): GetItem to check the lease as a function starts,
   * ConditionCheckItem for the lease condition of a record write (TransactWriteItems authorizes each item's action).
   * Never a write: only the state machine, the cleanup and undo take or free the lock.
   */
  public lease(actions: Array<'dynamodb:GetItem' | 'dynamodb:ConditionCheckItem'>): this {
    return this.add(
      allow('CheckTheProfileLease', actions, [this.scope.lockTableArn], {
        'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': Object.keys(this.scope.config.profiles) },
      }),
    );
  }

  /**
   * AssumeRole (with the execution's name as source identity) on the target role of this kind in every account the
   * profiles name; nothing when every profile is in the pipeline's account.
   */
  public assumeTargetRoles(access: TargetAccess): this {
    if (this.scope.targetAccount !== undefined) return this;
    const { partition, config } = this.scope;
    return this.allow(
      `AssumeTargetAccountRoles${access.charAt(0).toUpperCase()}${access.slice(1)}`,
      ['sts:AssumeRole', 'sts:SetSourceIdentity'],
      targetAccounts(config).map((account) => targetRoleArn(partition, account, config.pipelineName, access)),
    );
  }

  public wildcard(sid: string, actions: string[], resource: string, reason: string, condition?: Statement['Condition']): this {
    this.wildcards.push({ resource, reason });
    return this.add(allow(sid, actions, [resource], condition));
  }

  public result(): FunctionPermissions {
    return { statements: [...this.statements], wildcards: [...this.wildcards] };
  }
}

/** Starts the grants of one function. */
export function grants(scope: PermissionScope): Grants {
  return new Grants(scope);
}
