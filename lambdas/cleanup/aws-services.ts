import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, type InvokeCommandOutput, type LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand } from '@aws-sdk/client-sns';
import { operationsClients } from '../runtime/clients';
import type { StepEvent } from '../runtime/function';
import type { RevertReport, StepName } from '../shared/document';
import { ConfigInvalidError } from '../shared/errors';
import { journalledSteps } from '../shared/journal';
import { LOCK_CONDITIONS } from '../shared/lock';
import { DynamoDbRecordStore } from '../shared/records';
import { STEP_NAMES } from '../steps';
import { LAMBDA_SERVICE_ERRORS, LOCK_HELD } from '../workflow-errors';
import type { CleanupServices, StoppedExecutionRecord } from './cleanup';

/** What the cleanup function reads from its environment (infra/saml-federation-pipeline.ts sets each). */
export interface CleanupEnvironment {
  stateMachineArn: string;
  lockTable: string;
  recordTable: string;
  topicArn: string;
  /** Each step's deployed revert function. */
  revertFunctions: Record<StepName, string>;
}

export function readCleanupEnvironment(env: NodeJS.ProcessEnv): CleanupEnvironment {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new ConfigInvalidError(`${name}: the cleanup function needs this environment variable`);
    return value;
  };
  const revertFunctions = JSON.parse(required('REVERT_FUNCTIONS')) as Record<string, unknown>;
  for (const step of STEP_NAMES) {
    if (typeof revertFunctions[step] !== 'string') throw new ConfigInvalidError(`REVERT_FUNCTIONS: no function for step ${step}`);
  }
  return {
    stateMachineArn: required('STATE_MACHINE_ARN'),
    lockTable: required('LOCK_TABLE'),
    recordTable: required('RECORD_TABLE'),
    topicArn: required('NOTIFICATION_TOPIC_ARN'),
    revertFunctions: revertFunctions as Record<StepName, string>,
  };
}

/** Step Functions' record of an execution: its status, and from its history whether it reached an end state and its latest document. */
export async function readExecutionRecord(sfn: SFNClient, executionArn: string): Promise<StoppedExecutionRecord> {
  const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  let reachedEndState = false;
  let document: unknown;
  let nextToken: string | undefined;
  // Newest first: the end state (if any) comes before the last state that completed.
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, includeExecutionData: true, nextToken, maxResults: 200 }),
    );
    for (const event of page.events ?? []) {
      if (event.type === 'FailStateEntered' || event.type === 'SucceedStateEntered') reachedEndState = true;
      document ??= documentIn(event);
    }
    nextToken = document === undefined ? page.nextToken : undefined;
  } while (nextToken);
  return {
    status: described.status ?? 'UNKNOWN',
    ...(described.error ? { error: described.error } : {}),
    ...(described.cause ? { cause: described.cause } : {}),
    reachedEndState,
    document,
  };
}

/** A state's output that is the execution document (it has a request): every state after Intake passes one on. */
function documentIn(event: HistoryEvent): unknown {
  const output = event.stateExitedEventDetails?.output;
  if (!output) return undefined;
  try {
    const parsed = JSON.parse(output) as { request?: unknown };
    return parsed && typeof parsed === 'object' && parsed.request ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Invokes a deployed revert function and returns its report; a function error keeps its name, as Step Functions shows it. */
async function invokeRevert(lambda: LambdaClient, functionArn: string, event: StepEvent): Promise<RevertReport> {
  let answer: InvokeCommandOutput;
  try {
    answer = await lambda.send(new InvokeCommand({ FunctionName: functionArn, InvocationType: 'RequestResponse', Payload: JSON.stringify(event) }));
  } catch (error) {
    // The names Step Functions gives Lambda's own failures, so the same retry list applies.
    const name = `Lambda.${(error as Error).name}`;
    throw Object.assign(new Error((error as Error).message, { cause: error }), {
      name: LAMBDA_SERVICE_ERRORS.includes(name) ? name : (error as Error).name,
    });
  }
  const payload = answer.Payload ? JSON.parse(Buffer.from(answer.Payload).toString('utf-8')) : undefined;
  if (answer.FunctionError) {
    const failure = (payload ?? {}) as { errorType?: string; errorMessage?: string };
    throw Object.assign(new Error(failure.errorMessage ?? 'the revert function failed'), { name: failure.errorType ?? 'Lambda.Unknown' });
  }
  return payload as RevertReport;
}

function named(error: unknown, name: string): boolean {
  return (error as Error).name === name || (error as Error).name === 'ConditionalCheckFailedException';
}

/** The cleanup's services in a deployed stack; each client is created once per container. */
export function awsCleanupServices(environment: CleanupEnvironment): CleanupServices {
  const { sfn, dynamodb, lambda, sns } = operationsClients();
  const records = new DynamoDbRecordStore(dynamodb, environment.recordTable);
  const lockHeld = (error: unknown): Error =>
    named(error, LOCK_HELD) ? Object.assign(new Error((error as Error).message, { cause: error }), { name: LOCK_HELD }) : (error as Error);
  return {
    stateMachineArn: environment.stateMachineArn,
    readExecution: (executionArn) => readExecutionRecord(sfn, executionArn),
    async takeLock(item, now, replacing) {
      try {
        await dynamodb.send(
          new PutItemCommand({
            TableName: environment.lockTable,
            Item: {
              profile: { S: item.profile },
              owner: { S: item.owner },
              lease: { S: item.lease },
              expiresAt: { S: item.expiresAt },
              ttl: { N: String(Math.floor(Date.parse(item.expiresAt) / 1000)) },
            },
            // The state machine's own condition ("Take profile lock"), taking over the stopped execution's lease.
            ConditionExpression: LOCK_CONDITIONS.take,
            ExpressionAttributeNames: { '#profile': 'profile', '#expiresAt': 'expiresAt', '#lease': 'lease' },
            ExpressionAttributeValues: { ':now': { S: now }, ':lease': { S: item.lease }, ':replacing': { S: replacing } },
          }),
        );
      } catch (error) {
        throw lockHeld(error);
      }
    },
    async releaseLock(profile, lease) {
      try {
        await dynamodb.send(
          new DeleteItemCommand({
            TableName: environment.lockTable,
            Key: { profile: { S: profile } },
            ConditionExpression: LOCK_CONDITIONS.release,
            ExpressionAttributeNames: { '#lease': 'lease' },
            ExpressionAttributeValues: { ':lease': { S: lease } },
          }),
        );
      } catch (error) {
        throw lockHeld(error);
      }
    },
    records,
    journalledSteps: (request) => journalledSteps(records, request, STEP_NAMES),
    revert: (step, document, lease) => invokeRevert(lambda, environment.revertFunctions[step], { document, lease }),
    async publish(subject, message) {
      await sns.send(new PublishCommand({ TopicArn: environment.topicArn, Subject: subject.slice(0, 100), Message: message }));
    },
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}
