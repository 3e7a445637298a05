import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Match, Rule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { substitutionName } from '../../lambdas/runtime/function';
import { assertDefinitionMatchesRegistry, readAslText } from '../../statemachine/definition';
import { acknowledge } from '../nag';
import { PUBLISHER_KMS_REASON } from './functions';

/** The acknowledgement every state machine role needs for what CDK adds for logging and tracing. */
const STATE_MACHINE_LOGGING_REASON =
  "Added by CDK for the state machine's logging and tracing: CloudWatch Logs log-delivery actions (logs:CreateLogDelivery, PutResourcePolicy, DescribeLogGroups, ...) and X-Ray PutTraceSegments/PutTelemetryRecords/GetSampling* support no resource-level permissions.";

/** A standard state machine, logged to a log group of its own and traced; `logs` is its log group's construct id. */
export function loggedStateMachine(
  scope: Construct,
  id: string,
  definition: { text: string; substitutions: Record<string, string> },
  logs: { id: string; retention: RetentionDays; removalPolicy: RemovalPolicy; includeExecutionData: boolean },
): StateMachine {
  const stateMachine = new StateMachine(scope, id, {
    // Inline rather than an S3 asset, so the template a reviewer reads holds the whole definition (its TimeoutSeconds,
    // its Retry and Catch); still the very file the local runner executes.
    definitionBody: DefinitionBody.fromString(definition.text),
    definitionSubstitutions: definition.substitutions,
    stateMachineType: StateMachineType.STANDARD,
    logs: {
      destination: new LogGroup(scope, logs.id, { retention: logs.retention, removalPolicy: logs.removalPolicy }),
      level: LogLevel.ALL,
      includeExecutionData: logs.includeExecutionData,
    },
    tracingEnabled: true,
  });
  acknowledge(stateMachine.role, 'AwsSolutions-IAM5[Resource::*]', STATE_MACHINE_LOGGING_REASON);
  return stateMachine;
}

export interface WorkflowProps {
  /** The workflow's functions by registry key. */
  readonly functions: Readonly<Record<string, NodejsFunction>>;
  readonly lockTable: Table;
  readonly topic: Topic;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly includeExecutionData: boolean;
}

/** The federation state machine: the very file the local runner executes; CloudFormation fills the ${Name} placeholders. */
export function createStateMachine(scope: Construct, props: WorkflowProps): StateMachine {
  assertDefinitionMatchesRegistry();
  const substitutions: Record<string, string> = { LockTableName: props.lockTable.tableName, NotificationTopicArn: props.topic.topicArn };
  const functions = Object.entries(props.functions);
  for (const [key, fn] of functions) substitutions[substitutionName({ key })] = fn.functionArn;
  const stateMachine = loggedStateMachine(
    scope,
    'StateMachine',
    { text: readAslText(), substitutions },
    { id: 'StateMachineLogs', retention: props.logRetention, removalPolicy: props.removalPolicy, includeExecutionData: props.includeExecutionData },
  );
  // The ASL invokes each function by its unqualified ARN, so exactly those ARNs, no versions or aliases.
  stateMachine.addToRolePolicy(
    new PolicyStatement({ sid: 'InvokeStepFunctions', actions: ['lambda:InvokeFunction'], resources: functions.map(([, fn]) => fn.functionArn) }),
  );
  // The lock is taken, read (to name its holder) and released through the DynamoDB service integration.
  stateMachine.addToRolePolicy(
    new PolicyStatement({
      sid: 'TakeReadAndReleaseProfileLock',
      actions: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:DeleteItem'],
      resources: [props.lockTable.tableArn],
    }),
  );
  props.topic.grantPublish(stateMachine);
  acknowledge(stateMachine.role, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', PUBLISHER_KMS_REASON);
  return stateMachine;
}

/** How long EventBridge retries starting an execution for an upload, and how often. */
export interface StartRetry {
  readonly maxEventAge?: Duration;
  readonly retryAttempts?: number;
}

/** Starts an execution for every upload under metadata/; events that cannot start one go to a dead-letter queue. */
export function createStartRule(scope: Construct, bucket: Bucket, stateMachine: StateMachine, startRetry: StartRetry): Queue {
  const deadLetterQueue = new Queue(scope, 'StartExecutionDeadLetterQueue', {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledge(
    deadLetterQueue,
    'AwsSolutions-SQS3',
    'This queue is itself the dead-letter queue of the EventBridge rule target (uploads whose execution could not be started); cdk-nag only recognises SQS-to-SQS redrive.',
  );
  new Rule(scope, 'MetadataUploadedRule', {
    description: 'Starts the SAML federation workflow when an IdP metadata XML is uploaded under metadata/<profile>/',
    eventPattern: {
      source: ['aws.s3'],
      detailType: ['Object Created'],
      detail: {
        bucket: { name: [bucket.bucketName] },
        // Wildcards are case-sensitive; Intake accepts the extension in any case, so the two usual spellings.
        object: { key: [...Match.wildcard('metadata/*.xml'), ...Match.wildcard('metadata/*.XML')] },
      },
    },
    targets: [
      new SfnStateMachine(stateMachine, {
        deadLetterQueue,
        maxEventAge: startRetry.maxEventAge ?? Duration.hours(2),
        retryAttempts: startRetry.retryAttempts ?? 8,
      }),
    ],
  });
  return deadLetterQueue;
}
