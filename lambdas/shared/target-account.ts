import { createHash } from 'node:crypto';
import { ConfigInvalidError } from './errors';
import type { FederationConfig } from './profile';
import type { Profile } from './profile-schema';

/**
 * A profile whose `account` is set keeps its IAM provider, role and policy in that account: the identity-provider,
 * role and policy steps reach it through one of two roles the target stack (infra/target-account-roles.ts) creates
 * there. The apply role may create and update, the revert role may also delete, as the function roles do in the
 * pipeline's own account. Both trust only the pipeline's own function roles of that kind (condition key
 * aws:PrincipalArn), and every session carries the execution's name as session name and source identity, so
 * CloudTrail in the target account says which execution made each change.
 *
 * Every name on both sides of that trust comes from here, so the pipeline stack, the target stack and the simulated
 * organization cannot disagree about them.
 */

/**
 * Which target role a session uses: apply (creates, updates), revert (may also delete), or read (the daily check:
 * GetSAMLProvider only). A step's functions use apply or revert.
 */
export type TargetAccess = 'apply' | 'revert' | 'read';
export const TARGET_ACCESS: readonly TargetAccess[] = ['apply', 'revert', 'read'];

/** Role names allow [\w+=,.@-]; a pipeline name may also hold : / which become '-'. Kept short so every name fits IAM's 64. */
function namePrefix(pipelineName: string): string {
  return pipelineName.replace(/[^\w+=,.@-]/g, '-').slice(0, 36);
}

/** `saml-federation-target-apply`: the role a target account holds for the pipeline's apply functions. */
export function targetRoleName(pipelineName: string, access: TargetAccess): string {
  return `${namePrefix(pipelineName)}-target-${access}`;
}

export function targetRoleArn(partition: string, account: string, pipelineName: string, access: TargetAccess): string {
  return `arn:${partition}:iam::${account}:role/${targetRoleName(pipelineName, access)}`;
}

/**
 * The fixed name of a pipeline function's role (`saml-federation-roleApply`) for the functions a target account
 * trusts: the target stack is deployed apart from the pipeline (by StackSets, to accounts that do not exist yet) and
 * must name them in advance, which a generated role name would not allow.
 */
export function functionRoleName(pipelineName: string, functionKey: string): string {
  return `${namePrefix(pipelineName)}-${functionKey}`;
}

export function functionRoleArn(partition: string, account: string, pipelineName: string, functionKey: string): string {
  return `arn:${partition}:iam::${account}:role/${functionRoleName(pipelineName, functionKey)}`;
}

/**
 * AssumeRole's RoleSessionName and SourceIdentity: 2-64 characters of [\w+=,.@-]. An execution name made only of
 * those characters but the comma passes unchanged (Step Functions names generated for uploads are UUIDs). Any other
 * (up to 80 characters of a wider set, e.g. accented letters) keeps its first 55 characters, each outside the set (or
 * a comma) as '-', and adds '.' and 8 hex digits of its SHA-256, so two names that would read alike stay apart in
 * CloudTrail. No execution's session name holds a comma: the daily check's do (checkSessionNameOf).
 */
export function sessionNameOf(executionName: string): string {
  if (/^[\w+=.@-]{2,64}$/.test(executionName)) return executionName;
  const digest = createHash('sha256').update(executionName, 'utf-8').digest('hex').slice(0, 8);
  return `${executionName.replace(/[^\w+=.@-]/g, '-').slice(0, 55)}.${digest}`;
}

/** The daily check's session name for a profile: with a comma, which sessionNameOf never leaves in a name. */
export function checkSessionNameOf(profile: string): string {
  return `daily-check,${profile}`;
}

/** The daily check reads a target account's providers through the read role, which it alone may assume. */
export const DAILY_CHECK_KEY = 'dailyCheck';

/** The account a profile's IAM resources live in: its `account`, or the pipeline's own. */
export function iamAccountOf(profile: Pick<Profile, 'account'>, pipelineAccount: string): string {
  return profile.account ?? pipelineAccount;
}

/** The target accounts the profiles name, each once, in the order first named. */
export function targetAccounts(config: FederationConfig): string[] {
  return [...new Set(Object.values(config.profiles).flatMap((profile) => (profile.account === undefined ? [] : [profile.account])))];
}

/** The configuration of one target account: only the profiles whose IAM resources live there. */
export function profilesIn(config: FederationConfig, account: string): FederationConfig {
  const profiles = Object.fromEntries(Object.entries(config.profiles).filter(([, profile]) => profile.account === account));
  if (Object.keys(profiles).length === 0) throw new ConfigInvalidError(`no profile names account ${account} (profiles.<name>.account)`);
  return { ...config, profiles };
}

/**
 * The trust policy of a target role: this account's root as principal (so the policy stays valid while a function
 * role is replaced), narrowed by aws:PrincipalArn to exactly the pipeline's function roles of that kind, and only with
 * a source identity set (the execution's name). sts:SetSourceIdentity must be allowed for a session to carry one.
 */
export function targetTrustPolicy(options: {
  partition: string;
  pipelineAccount: string;
  functionRoleArns: readonly string[];
}): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OnlyThePipelineFunctions',
        Effect: 'Allow',
        Principal: { AWS: `arn:${options.partition}:iam::${options.pipelineAccount}:root` },
        Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
        Condition: {
          ArnEquals: { 'aws:PrincipalArn': [...options.functionRoleArns] },
          Null: { 'sts:SourceIdentity': 'false' },
        },
      },
    ],
  };
}
