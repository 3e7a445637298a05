import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { STOPPED_STATUSES } from '../../lambdas/cleanup/cleanup';
import { CLEANUP_FUNCTION, cleanupPermissions } from '../../lambdas/cleanup/function';
import { CHECK_FUNCTION, checkPermissions } from '../../lambdas/daily-check/function';
import { pascal } from '../../lambdas/runtime/function';
import { DAILY_CHECK_KEY } from '../../lambdas/shared/target-account';
import { STEPS } from '../../lambdas/steps';
import { type FunctionSite, operationsFunction } from './functions';

/** What the cleanup and the daily check work on: the workflow and what it keeps. */
export interface OperationsProps {
  readonly stateMachine: StateMachine;
  /** The workflow's functions by registry key (the cleanup invokes the reverts). */
  readonly functions: Readonly<Record<string, NodejsFunction>>;
  readonly bucket: Bucket;
  readonly lockTable: Table;
  readonly recordTable: Table;
  readonly topic: Topic;
  readonly identityCenterRegion?: string;
}

/**
 * An execution stopped from the console, timed out, or failed where no Catch sees it ends without its revert chain:
 * EventBridge reports the status change, and the cleanup function reverts and frees the lock (lambdas/cleanup).
 */
export function createCleanup(site: FunctionSite, props: OperationsProps): NodejsFunction {
  const stack = Stack.of(site.scope);
  const revertFunctions = Object.fromEntries(
    STEPS.map((step) => {
      const revert = props.functions[step.revert.key];
      if (!revert) throw new Error(`function ${step.revert.key} was not created`);
      return [step.name, revert.functionArn];
    }),
  );
  const permissions = cleanupPermissions({
    executionsArn: stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${props.stateMachine.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
    revertFunctionArns: Object.values(revertFunctions),
    lockTableArn: props.lockTable.tableArn,
    recordTableArn: props.recordTable.tableArn,
  });
  const cleanup = operationsFunction(
    site,
    'CleanupFunction',
    CLEANUP_FUNCTION,
    permissions,
    {
      STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
      LOCK_TABLE: props.lockTable.tableName,
      RECORD_TABLE: props.recordTable.tableName,
      NOTIFICATION_TOPIC_ARN: props.topic.topicArn,
      REVERT_FUNCTIONS: stack.toJsonString(revertFunctions),
      POWERTOOLS_SERVICE_NAME: site.config.pipelineName,
      NODE_OPTIONS: '--enable-source-maps',
    },
    { publishesTo: props.topic },
  );
  new Rule(site.scope, 'ExecutionStoppedRule', {
    description:
      'Cleans up after a SAML federation execution that ended FAILED, TIMED_OUT or ABORTED (the cleanup skips those that ran their own rollback)',
    eventPattern: {
      source: ['aws.states'],
      detailType: ['Step Functions Execution Status Change'],
      detail: { status: [...STOPPED_STATUSES], stateMachineArn: [props.stateMachine.stateMachineArn] },
    },
    // EventBridge retries delivery; Lambda retries a failed asynchronous invocation twice. The cleanup is idempotent.
    targets: [new LambdaFunction(cleanup, { maxEventAge: Duration.hours(6), retryAttempts: 8 })],
  });
  return cleanup;
}

/**
 * The daily check (lambdas/daily-check): one function, one EventBridge Scheduler schedule per profile whose refresh is
 * enabled, each invoking it with `{"profile": "<name>"}` through a role that may invoke this function only.
 */
export function createDailyCheck(site: FunctionSite, props: OperationsProps): NodejsFunction {
  const stack = Stack.of(site.scope);
  const { config } = site;
  const permissions = checkPermissions(
    {
      partition: stack.partition,
      account: stack.account,
      bucketArn: props.bucket.bucketArn,
      recordTableArn: props.recordTable.tableArn,
      lockTableArn: props.lockTable.tableArn,
      config,
    },
    props.stateMachine.stateMachineArn,
  );
  const environment = {
    PROFILES: JSON.stringify(config),
    METADATA_BUCKET: props.bucket.bucketName,
    RECORD_TABLE: props.recordTable.tableName,
    ACCOUNT_ID: stack.account,
    PARTITION: stack.partition,
    STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
    TOPIC_ARN: props.topic.topicArn,
    POWERTOOLS_SERVICE_NAME: config.pipelineName,
    NODE_OPTIONS: '--enable-source-maps',
    ...(props.identityCenterRegion ? { IDENTITY_CENTER_REGION: props.identityCenterRegion } : {}),
  };
  const check = operationsFunction(site, 'DailyCheckFunction', CHECK_FUNCTION, permissions, environment, {
    publishesTo: props.topic,
    trustedAs: DAILY_CHECK_KEY,
  });
  const schedulerRole = new Role(site.scope, 'DailyCheckSchedulerRole', {
    // Only this account's schedules (the default group, where these live) may use it: the confused-deputy conditions.
    assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: 'default/*' }) },
      },
    }),
    description: `Lets the daily check schedules invoke the check function (${config.pipelineName})`,
  });
  schedulerRole.addToPrincipalPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [check.functionArn] }));
  for (const [name, profile] of Object.entries(config.profiles)) {
    if (!profile.refresh.enabled) continue;
    new CfnSchedule(site.scope, `DailyCheckSchedule${pascal(name)}`, {
      description: `Checks profile ${name}: its application's metadata against the IAM provider, and its certificate's expiry`,
      scheduleExpression: profile.refresh.schedule,
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: check.functionArn,
        roleArn: schedulerRole.roleArn,
        input: JSON.stringify({ profile: name }),
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
      },
    });
  }
  return check;
}
