import type { AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import type { Operations } from './context';
import { awsError } from './errors';
import type { SimulatedIam } from './iam';
import { actionMatches, conditionsHold, list, type PolicyStatement, statementsOf } from './policy-evaluation';
import type { IdGenerator } from './support';

/**
 * STS AssumeRole across the accounts of a simulated organization, with the checks AWS makes that the pipeline relies
 * on: the role exists, its trust policy allows the caller (principal and conditions), a source identity needs
 * sts:SetSourceIdentity, and the session can do only what the role's policies (and a session policy) allow.
 *
 * The policy evaluation is deliberately small: Allow and Deny statements, Action and Resource with `*` and `?`
 * wildcards, and the condition operators the pipeline's trust policies use (StringEquals, StringLike, ArnEquals,
 * ArnLike, Null). A condition it does not know is not satisfied, so an unfamiliar policy fails closed. Conditions in
 * a role's permission policies (iam:PermissionsBoundary, iam:PolicyARN) are not evaluated: the stack tests assert
 * them on the template. Nor is the caller's own identity policy (a function role's sts:AssumeRole grant): the
 * function roles exist only in the template, whose tests check that grant.
 */

/** Whether a role's trust policy lets `caller` (a role ARN) take `action` with these request context keys. */
function trustAllows(trustPolicy: string, caller: string, action: string, context: Record<string, string | undefined>): boolean {
  const callerAccount = caller.split(':')[4];
  const principalMatches = (principal: PolicyStatement['Principal']): boolean => {
    if (principal === '*') return true;
    if (principal === undefined || typeof principal === 'string') return false;
    return list(principal.AWS).some(
      (value) => value === '*' || value === caller || value === callerAccount || value === `arn:${caller.split(':')[1]}:iam::${callerAccount}:root`,
    );
  };
  const applies = (statement: PolicyStatement) =>
    actionMatches(statement, action) && principalMatches(statement.Principal) && conditionsHold(statement.Condition, context);
  const statements = statementsOf(trustPolicy);
  if (statements.some((statement) => statement.Effect === 'Deny' && applies(statement))) return false;
  return statements.some((statement) => statement.Effect === 'Allow' && applies(statement));
}

/** A session STS handed out: which role in which account, and what it may do. */
export interface AssumedSession {
  account: string;
  roleArn: string;
  roleName: string;
  sessionName: string;
  sourceIdentity?: string;
  /** A session policy: the session may do only what both it and the role allow. */
  policy?: string;
}

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/**
 * The resource an IAM call acts on, as IAM authorizes it: the SAML provider, role or policy ARN the input names (a
 * role's path is the one it has, or the one CreateRole gives it). AttachRolePolicy and DetachRolePolicy act on the role.
 */
export function iamResourceOf(operation: string, input: Record<string, unknown>, iam: SimulatedIam): string {
  const { partition, account } = iam.context;
  if (typeof input.SAMLProviderArn === 'string') return input.SAMLProviderArn;
  if (typeof input.PolicySourceArn === 'string') return input.PolicySourceArn;
  if (operation === 'CreateSAMLProvider') return `arn:${partition}:iam::${account}:saml-provider/${String(input.Name)}`;
  if (typeof input.RoleName === 'string') {
    const path = operation === 'CreateRole' ? String(input.Path ?? '/') : (iam.roles.get(input.RoleName.toLowerCase())?.path ?? '/');
    return `arn:${partition}:iam::${account}:role${path}${input.RoleName}`;
  }
  if (typeof input.PolicyArn === 'string') return input.PolicyArn;
  if (operation === 'CreatePolicy') return `arn:${partition}:iam::${account}:policy${String(input.Path ?? '/')}${String(input.PolicyName)}`;
  return '*';
}

/**
 * The IAM condition keys a call carries that the pipeline's policies test: iam:PolicyARN (the policy an attach or
 * detach names) and iam:PermissionsBoundary (the boundary a create or put sets, or that a delete removes: the role's).
 */
export function iamConditionKeys(operation: string, input: Record<string, unknown>, iam: SimulatedIam): Record<string, string | undefined> {
  const boundary =
    operation === 'DeleteRolePermissionsBoundary' && typeof input.RoleName === 'string'
      ? iam.roles.get(input.RoleName.toLowerCase())?.permissionsBoundary
      : typeof input.PermissionsBoundary === 'string'
        ? input.PermissionsBoundary
        : undefined;
  const policy =
    (operation === 'AttachRolePolicy' || operation === 'DetachRolePolicy') && typeof input.PolicyArn === 'string' ? input.PolicyArn : undefined;
  return { 'iam:PolicyARN': policy, 'iam:PermissionsBoundary': boundary };
}

/** The IAM actions a call needs: its own, and for a Create with tags the Tag action of the same resource (as IAM requires). */
export function iamActionsOf(operation: string, input: Record<string, unknown>): string[] {
  const actions = [`iam:${operation}`];
  if (operation.startsWith('Create') && Array.isArray(input.Tags) && input.Tags.length > 0) {
    const kind =
      operation === 'CreateSAMLProvider' ? 'SAMLProvider' : operation === 'CreateRole' ? 'Role' : operation === 'CreatePolicy' ? 'Policy' : '';
    if (kind) actions.push(`iam:Tag${kind}`);
  }
  return actions;
}

/** The AssumeRole operation as `caller` (a function role's ARN, or none) calls it, over the organization's IAM. */
export function stsOperations(options: {
  caller: string | undefined;
  iamOf: (account: string) => SimulatedIam | undefined;
  ids: IdGenerator;
  sessions: Map<string, AssumedSession>;
}): Operations {
  return {
    AssumeRole: (input: AssumeRoleCommandInput) => {
      const roleArn = String(input.RoleArn ?? '');
      const denied = () =>
        awsError(
          'AccessDenied',
          `User: ${options.caller ?? 'anonymous'} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
          'sts',
        );
      if (!SESSION_NAME.test(input.RoleSessionName ?? ''))
        throw awsError('ValidationError', `RoleSessionName must be 2-64 characters of [\\w+=,.@-]: ${input.RoleSessionName}`, 'sts');
      if (input.SourceIdentity !== undefined && !SESSION_NAME.test(input.SourceIdentity))
        throw awsError('ValidationError', `SourceIdentity must be 2-64 characters of [\\w+=,.@-]: ${input.SourceIdentity}`, 'sts');
      const match = /^arn:[^:]+:iam::(\d{12}):role(\/(?:.*\/)?)([\w+=,.@-]+)$/.exec(roleArn);
      const iam = match ? options.iamOf(match[1] as string) : undefined;
      const role = match ? iam?.roles.get((match[3] as string).toLowerCase()) : undefined;
      if (!options.caller || !match || !iam || !role || role.arn !== roleArn) throw denied();
      const context = { 'aws:PrincipalArn': options.caller, 'sts:SourceIdentity': input.SourceIdentity };
      if (!trustAllows(role.trustPolicy, options.caller, 'sts:AssumeRole', context)) throw denied();
      if (input.SourceIdentity !== undefined && !trustAllows(role.trustPolicy, options.caller, 'sts:SetSourceIdentity', context)) throw denied();
      const accessKeyId = options.ids.iamId('ASIA');
      options.sessions.set(accessKeyId, {
        account: match[1] as string,
        roleArn,
        roleName: role.name,
        sessionName: input.RoleSessionName as string,
        ...(input.SourceIdentity === undefined ? {} : { sourceIdentity: input.SourceIdentity }),
        ...(input.Policy === undefined ? {} : { policy: input.Policy }),
      });
      return {
        Credentials: {
          AccessKeyId: accessKeyId,
          SecretAccessKey: 'simulated',
          SessionToken: 'simulated',
          Expiration: new Date(Date.now() + 900_000),
        },
        AssumedRoleUser: {
          Arn: `arn:${roleArn.split(':')[1]}:sts::${match[1]}:assumed-role/${role.name}/${input.RoleSessionName}`,
          AssumedRoleId: `${role.roleId}:${input.RoleSessionName}`,
        },
        SourceIdentity: input.SourceIdentity,
      };
    },
  };
}
