import { join } from 'node:path';
import { Duration, type RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel as BundlingLogLevel, NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { constructId, type DeployedFunction } from '../../lambdas/runtime/function';
import { ConfigInvalidError } from '../../lambdas/shared/errors';
import type { FunctionPermissions, PermissionScope } from '../../lambdas/shared/permissions';
import type { FederationConfig } from '../../lambdas/shared/profile';
import { functionRoleName, TARGET_ACCESS, targetAccounts } from '../../lambdas/shared/target-account';
import { functionPermissions, trustedFunctionKeys } from '../../lambdas/target-roles';
import { FUNCTIONS } from '../../lambdas/workflow-functions';
import { acknowledge, acknowledgeWildcards } from '../nag';

/** Where the handlers' entries (repository-relative paths) and the lockfile are. */
export const REPOSITORY_ROOT = join(__dirname, '..', '..');

/** Lambda refuses a function whose environment variables exceed 4 KB in total (keys and values). */
const LAMBDA_ENVIRONMENT_LIMIT = 4096;
/**
 * Room for values that are tokens at synth time: a bucket name (63), an account id (12), a partition (10) and the
 * record table's generated name (<stack>-<construct path>-<suffix>; 128 covers stack names up to about 60 characters).
 */
const TOKEN_ALLOWANCE = 63 + 12 + 10 + 128;

/** The acknowledgement every traced role needs: CDK's X-Ray grant has no resource-level permissions. */
const XRAY_WILDCARD = {
  resource: '*',
  reason: 'X-Ray active tracing: CDK grants xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions.',
} as const;
/** The acknowledgement of a publisher to the encrypted topic (the grant is on the topic's key only). */
export const PUBLISHER_KMS_REASON =
  "SNS documents kms:GenerateDataKey* (with kms:Decrypt) for publishers to an encrypted topic; the grant is on the topic's own key only.";

/** What every function of the pipeline is built with: the scope that names it, its configuration, its logs' lifetime. */
export interface FunctionSite {
  readonly scope: Construct;
  readonly config: FederationConfig;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * A function role that target accounts trust gets a fixed name (lambdas/shared/target-account.ts), since the target
 * stack names it before the pipeline exists there; only when a profile names an account, so a single-account
 * deployment keeps generated names.
 */
function trustedRoleName(config: FederationConfig, key: string | undefined): { roleName?: string } {
  return key !== undefined && targetAccounts(config).length > 0 ? { roleName: functionRoleName(config.pipelineName, key) } : {};
}

/**
 * One role per function, written out rather than created by the Function: that one would carry the AWS managed
 * AWSLambdaBasicExecutionRole (logs on every log group). It holds exactly the statements given. Construct id `<id>Role`.
 */
function functionRole(site: FunctionSite, id: string, description: string, permissions: FunctionPermissions, trustedAs: string | undefined): Role {
  const role = new Role(site.scope, `${id}Role`, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: `${description} (${site.config.pipelineName})`,
    ...trustedRoleName(site.config, trustedAs),
  });
  for (const statement of permissions.statements) role.addToPrincipalPolicy(PolicyStatement.fromJson(statement));
  acknowledgeWildcards(role, [...permissions.wildcards, XRAY_WILDCARD]);
  return role;
}

/** The function's own log group, which only its role may write. Construct id `<id>Logs`. */
function functionLogs(site: FunctionSite, id: string, role: Role): LogGroup {
  const logGroup = new LogGroup(site.scope, `${id}Logs`, { retention: site.logRetention, removalPolicy: site.removalPolicy });
  logGroup.grantWrite(role);
  return logGroup;
}

/** A function bundled with the local esbuild, every dependency inside (the AWS SDK the tests ran against, too). */
function bundledFunction(
  site: FunctionSite,
  id: string,
  spec: DeployedFunction,
  role: Role,
  logGroup: LogGroup,
  environment: Record<string, string>,
) {
  return new NodejsFunction(site.scope, id, {
    entry: join(REPOSITORY_ROOT, spec.handler.entry),
    handler: spec.handler.export,
    projectRoot: REPOSITORY_ROOT,
    depsLockFilePath: join(REPOSITORY_ROOT, 'package-lock.json'),
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    memorySize: spec.memorySize,
    timeout: Duration.seconds(spec.timeoutSeconds),
    description: spec.description,
    role,
    logGroup,
    tracing: Tracing.ACTIVE,
    environment,
    bundling: {
      minify: true,
      sourceMap: true,
      forceDockerBundling: false,
      // esbuild's per-file size report is noise in synth output; warnings and errors still show.
      logLevel: BundlingLogLevel.WARNING,
      // Bundle the AWS SDK too, so the deployed functions run the client versions the tests ran against rather than
      // whatever the runtime ships.
      externalModules: [],
    },
  });
}

/**
 * A function outside the workflow (the cleanup, the daily check, the fleet's): its own role with its statements, the
 * topic's publish grant when it publishes, its log group. Construct ids: `<id>`, `<id>Role`, `<id>Logs`.
 */
export function operationsFunction(
  site: FunctionSite,
  id: string,
  spec: DeployedFunction,
  permissions: FunctionPermissions,
  environment: Record<string, string>,
  options: { publishesTo?: Topic; trustedAs?: string } = {},
): NodejsFunction {
  const role = functionRole(site, id, spec.description, permissions, options.trustedAs);
  if (options.publishesTo) {
    options.publishesTo.grantPublish(role);
    acknowledge(role, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', PUBLISHER_KMS_REASON);
  }
  return bundledFunction(site, id, spec, role, functionLogs(site, id, role), environment);
}

/** The workflow's functions (every step's apply and revert, Intake, the outcome), by their registry key. */
export function workflowFunctions(
  site: FunctionSite,
  resources: Pick<PermissionScope, 'bucketArn' | 'recordTableArn' | 'lockTableArn'>,
  environment: Record<string, string>,
): Record<string, NodejsFunction> {
  checkEnvironmentSize(environment);
  const stack = Stack.of(site.scope);
  const scope: PermissionScope = { partition: stack.partition, account: stack.account, ...resources, config: site.config };
  const functions: Record<string, NodejsFunction> = {};
  for (const fn of FUNCTIONS) {
    const id = constructId(fn);
    // A function some target role trusts (its kind's steps; Intake, through the read role) gets the fixed name the trust names.
    const trusted = TARGET_ACCESS.some((access) => trustedFunctionKeys(access).includes(fn.key));
    const role = functionRole(site, id, fn.description, functionPermissions(fn, scope), trusted ? fn.key : undefined);
    functions[fn.key] = bundledFunction(site, id, fn, role, functionLogs(site, id, role), environment);
  }
  return functions;
}

function checkEnvironmentSize(environment: Record<string, string>): void {
  const size = Object.entries(environment).reduce(
    (total, [name, value]) => total + Buffer.byteLength(name) + (Token.isUnresolved(value) ? 0 : Buffer.byteLength(value)),
    TOKEN_ALLOWANCE,
  );
  if (size > LAMBDA_ENVIRONMENT_LIMIT) {
    throw new ConfigInvalidError(
      `samlFederation.profiles: the profiles take ${Buffer.byteLength(environment.PROFILES ?? '')} bytes of JSON, and Lambda allows ${LAMBDA_ENVIRONMENT_LIMIT} bytes of environment variables in total; deploy fewer profiles per stack`,
    );
  }
}
