import { readProfileProviders } from './daily-check/function';
import type { PipelineFunction } from './runtime/function';
import { type FunctionPermissions, grants, type PermissionScope, type Statement } from './shared/permissions';
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

/** The keys of the functions a target role of this kind trusts: the step functions of its kind; the daily check alone for read. */
export function trustedFunctionKeys(access: TargetAccess): string[] {
  return access === 'read' ? [DAILY_CHECK_KEY] : functionsWith(access).map((fn) => fn.key);
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
 * What the target role of this kind may do in `account`: the IAM statements of the functions of its kind, built over
 * the profiles whose resources live there, exactly as their own roles would hold them in the pipeline's account.
 */
export function targetRoleStatements(config: FederationConfig, partition: string, account: string, access: TargetAccess): Statement[] {
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
  if (access === 'read') return readProfileProviders(grants(scope));
  return functionsWith(access).flatMap((fn) =>
    fn
      .permissions(scope)
      .statements.filter((statement) => statement.Action.every((action) => action.startsWith('iam:')))
      .map((statement) => ({ ...statement, Sid: `${fn.key.charAt(0).toUpperCase()}${fn.key.slice(1)}${statement.Sid}` })),
  );
}

/** The trust policy of the target role of this kind: the pipeline's function roles of that kind, nothing else. */
export function targetRoleTrust(config: FederationConfig, partition: string, pipelineAccount: string, access: TargetAccess): Record<string, unknown> {
  return targetTrustPolicy({
    partition,
    pipelineAccount,
    functionRoleArns: trustedFunctionKeys(access).map((key) => functionRoleArn(partition, pipelineAccount, config.pipelineName, key)),
  });
}
