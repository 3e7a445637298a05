import { readProfileProviders } from './daily-check/function';
import type { PipelineFunction } from './runtime/function';
import { type FunctionPermissions, grants, type PermissionScope, type Statement, type WildcardGrant } from './shared/permissions';
import type { FederationConfig } from './shared/profile';
import { DAILY_CHECK_KEY, functionRoleArn, profilesIn, type TargetAccess, targetTrustPolicy } from './shared/target-account';
import { FUNCTIONS } from './workflow-functions';

/**
 * The two sides of a target account's trust, derived from the registered functions: which function roles may assume
 * each target role, what each target role may do there, and the AssumeRole grant each function's own role holds.
 * The pipeline stack, the target stack and the simulated organization all take them from here.
 */

/** The registered functions that work in target accounts through the target role of this kind (none for read). */
export function functionsWith(access: TargetAccess): PipelineFunction[] {
  return FUNCTIONS.filter((fn) => fn.targetAccess === access);
}

/**
 * The keys of the functions a target role of this kind trusts: the step functions of its kind; for read, the daily
 * check and Intake (which reads the profile's Connect instance before anything changes).
 */
export function trustedFunctionKeys(access: TargetAccess): string[] {
  const steps = functionsWith(access).map((fn) => fn.key);
  if (access === 'read') return [DAILY_CHECK_KEY, ...FUNCTIONS.filter((fn) => fn.kind === 'intake').map((fn) => fn.key), ...steps];
  return steps;
}

/** The AssumeRole grant of a function's own role: on the target role of its kind in every account the profiles name. */
function assumeTargetRoleGrant(scope: PermissionScope, access: TargetAccess | undefined): Statement[] {
  return access === undefined ? [] : grants(scope).assumeTargetRoles(access).result().statements;
}

/** A function's own role: its declared statements, plus AssumeRole on the target roles when it works in target accounts. */
export function functionPermissions(fn: PipelineFunction, scope: PermissionScope): FunctionPermissions {
  const own = fn.permissions(scope);
  return { statements: [...own.statements, ...assumeTargetRoleGrant(scope, fn.targetAccess)], wildcards: own.wildcards };
}

/**
 * What the target role of this kind may do in `account`: the IAM and Connect statements of the functions of its kind,
 * built over the profiles whose resources live there, exactly as their own roles would hold them in the pipeline's
 * account; and the wildcard resources among them, each with the reason its function gives.
 */
export function targetRolePermissions(config: FederationConfig, partition: string, account: string, access: TargetAccess): FunctionPermissions {
  const scope: PermissionScope = {
    partition,
    account,
    targetAccount: account,
    config: profilesIn(config, account),
    // A target role reaches neither the bucket nor the record table: the statements on them are dropped below.
    bucketArn: 'unused',
    recordTableArn: 'unused',
    lockTableArn: 'unused',
  };
  const statements: Statement[] = [];
  const wildcards: WildcardGrant[] = [];
  if (access === 'read') {
    // The daily check's and Intake's reads; a read-only step's (the sign-in check) follow, as every kind's.
    const describe = grants(scope)
      .allow('DescribeProfileConnectInstances', ['connect:DescribeInstance'], (arns) => arns.connectInstances)
      .result();
    statements.push(...readProfileProviders(grants(scope)), ...describe.statements);
  }
  for (const fn of functionsWith(access)) {
    const own = fn.permissions(scope);
    // What the functions do in the profile's account: IAM, and Amazon Connect (the instance lives beside the role).
    const kept = own.statements.filter((statement) => statement.Action.every((action) => action.startsWith('iam:') || action.startsWith('connect:')));
    statements.push(...kept.map((statement) => ({ ...statement, Sid: `${fn.key.charAt(0).toUpperCase()}${fn.key.slice(1)}${statement.Sid}` })));
    const resources = new Set(kept.flatMap((statement) => statement.Resource));
    wildcards.push(...own.wildcards.filter((wildcard) => resources.has(wildcard.resource)));
  }
  return { statements, wildcards };
}

/** The statements of the target role of this kind in `account` (targetRolePermissions). */
export function targetRoleStatements(config: FederationConfig, partition: string, account: string, access: TargetAccess): Statement[] {
  return targetRolePermissions(config, partition, account, access).statements;
}

/** The trust policy of the target role of this kind: the pipeline's function roles of that kind, nothing else. */
export function targetRoleTrust(config: FederationConfig, partition: string, pipelineAccount: string, access: TargetAccess): Record<string, unknown> {
  return targetTrustPolicy({
    partition,
    pipelineAccount,
    functionRoleArns: trustedFunctionKeys(access).map((key) => functionRoleArn(partition, pipelineAccount, config.pipelineName, key)),
  });
}
