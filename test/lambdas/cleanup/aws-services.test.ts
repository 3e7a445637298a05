import { ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { awsCleanupServices, readCleanupEnvironment, readExecutionRecord } from '../../../lambdas/cleanup/aws-services';
import { LOCK_CONDITIONS } from '../../../lambdas/shared/lock';
import { STEP_NAMES } from '../../../lambdas/steps';
import { LOCK_HELD } from '../../../lambdas/workflow-errors';
import { makeDocument } from '../../helpers/document';

const EXECUTION = 'arn:aws:states:us-east-1:111122223333:execution:federation:exec-0001';
const ENV = {
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111122223333:stateMachine:federation',
  LOCK_TABLE: 'locks',
  RECORD_TABLE: 'records',
  NOTIFICATION_TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:federation',
  // One deployed revert function per registered step.
  REVERT_FUNCTIONS: JSON.stringify(
    Object.fromEntries(STEP_NAMES.map((step) => [step, `arn:aws:lambda:us-east-1:111122223333:function:${step}-revert`])),
  ),
};

const sfn = mockClient(SFNClient);
const lambda = mockClient(LambdaClient);
const dynamodb = mockClient(DynamoDBClient);
beforeEach(() => {
  sfn.reset();
  lambda.reset();
  dynamodb.reset();
});

describe('readExecutionRecord', () => {
  it("takes the execution's latest document from its history, newest first, and sees whether it reached an end state", async () => {
    const older = makeDocument();
    const latest = makeDocument({ receipts: { role: { step: 'role', action: 'created', arn: 'arn:aws:iam::111122223333:role/R', changes: [] } } });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'FAILED', error: 'Provisioning.RolledBack', cause: 'x' } as never);
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        { id: 9, type: 'ExecutionFailed', timestamp: new Date() },
        { id: 8, type: 'FailStateEntered', timestamp: new Date() },
        {
          id: 7,
          type: 'TaskStateExited',
          timestamp: new Date(),
          stateExitedEventDetails: { name: 'Revert federation role', output: JSON.stringify(latest) },
        },
        {
          id: 6,
          type: 'TaskStateExited',
          timestamp: new Date(),
          stateExitedEventDetails: { name: 'Create or update federation role', output: JSON.stringify(older) },
        },
      ],
    });
    const record = await readExecutionRecord(new SFNClient({}), EXECUTION);
    expect(record).toEqual({ status: 'FAILED', error: 'Provisioning.RolledBack', cause: 'x', reachedEndState: true, document: latest });
    expect(sfn.commandCalls(GetExecutionHistoryCommand)[0]!.args[0].input).toMatchObject({
      executionArn: EXECUTION,
      reverseOrder: true,
      includeExecutionData: true,
    });
  });

  it('reads further pages until a state output carries the document, and reports none before Intake finished', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ status: 'ABORTED' } as never);
    sfn
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({ events: [{ id: 3, type: 'ExecutionAborted', timestamp: new Date() }], nextToken: 'page-2' })
      .resolvesOnce({
        events: [
          { id: 2, type: 'PassStateExited', timestamp: new Date(), stateExitedEventDetails: { name: 'Receive input', output: '{"input":{}}' } },
        ],
      });
    await expect(readExecutionRecord(new SFNClient({}), EXECUTION)).resolves.toEqual({
      status: 'ABORTED',
      reachedEndState: false,
      document: undefined,
    });
    expect(sfn.commandCalls(GetExecutionHistoryCommand)).toHaveLength(2);
  });
});

describe('awsCleanupServices', () => {
  const services = () => awsCleanupServices(readCleanupEnvironment(ENV));

  it('invokes the deployed revert of the step and returns its report', async () => {
    const report = { step: 'role', action: 'deleted', changes: ['deleted role R'] };
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: Buffer.from(JSON.stringify(report)) as never });
    const document = makeDocument();
    await expect(services().revert('role', document, 'cleanup#exec-0001#')).resolves.toEqual(report);
    const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ FunctionName: 'arn:aws:lambda:us-east-1:111122223333:function:role-revert', InvocationType: 'RequestResponse' });
    // As the state machine invokes it: the document, and the lease the revert changes things under (the cleanup's).
    expect(JSON.parse(Buffer.from(input.Payload as Uint8Array).toString('utf-8'))).toEqual({ document, lease: 'cleanup#exec-0001#' });
  });

  it("names a revert's failure as the function threw it, and Lambda's own failures as Step Functions does", async () => {
    lambda.on(InvokeCommand).resolvesOnce({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: Buffer.from(JSON.stringify({ errorType: 'Role.Vanished', errorMessage: 'role R no longer exists' })) as never,
    });
    await expect(services().revert('role', makeDocument(), 'cleanup#exec-0001#')).rejects.toMatchObject({
      name: 'Role.Vanished',
      message: 'role R no longer exists',
    });
    lambda.reset();
    lambda.on(InvokeCommand).rejects(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }));
    await expect(services().revert('role', makeDocument(), 'cleanup#exec-0001#')).rejects.toMatchObject({ name: 'Lambda.TooManyRequestsException' });
  });

  it("takes and frees the lock with the state machine's conditions, and names a held lock as the state machine does", async () => {
    dynamodb.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    dynamodb.on(DeleteItemCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    const item = { profile: 'admin', owner: 'exec-0001 (cleanup)', lease: 'cleanup#exec-0001#', expiresAt: '2030-01-01T01:00:00.000Z' };
    await expect(services().takeLock(item, '2030-01-01T00:00:00.000Z', 'exec-0001#0')).rejects.toMatchObject({ name: LOCK_HELD });
    await expect(services().releaseLock('admin', 'cleanup#exec-0001#')).rejects.toMatchObject({ name: LOCK_HELD });
    expect(dynamodb.commandCalls(PutItemCommand)[0]!.args[0].input).toMatchObject({
      Item: expect.objectContaining({ lease: { S: 'cleanup#exec-0001#' } }),
      ConditionExpression: LOCK_CONDITIONS.take,
      // Free, expired, its own lease again (a retried cleanup), or the stopped execution's lease it takes over.
      ExpressionAttributeValues: {
        ':now': { S: '2030-01-01T00:00:00.000Z' },
        ':lease': { S: 'cleanup#exec-0001#' },
        ':replacing': { S: 'exec-0001#0' },
      },
    });
    expect(dynamodb.commandCalls(DeleteItemCommand)[0]!.args[0].input).toMatchObject({
      TableName: 'locks',
      Key: { profile: { S: 'admin' } },
      ConditionExpression: LOCK_CONDITIONS.release,
      ExpressionAttributeValues: { ':lease': { S: 'cleanup#exec-0001#' } },
    });
  });
});

describe('readCleanupEnvironment', () => {
  it.each(Object.keys(ENV))('names a missing %s', (name) => {
    const env: Record<string, string> = { ...ENV };
    delete env[name];
    expect(() => readCleanupEnvironment(env)).toThrow(
      expect.objectContaining({ name: 'Config.Invalid', message: expect.stringMatching(new RegExp(`^${name}`)) }),
    );
  });

  it('refuses a REVERT_FUNCTIONS without a function for every step', () => {
    const revertFunctions = JSON.parse(ENV.REVERT_FUNCTIONS);
    delete revertFunctions.policy;
    expect(() => readCleanupEnvironment({ ...ENV, REVERT_FUNCTIONS: JSON.stringify(revertFunctions) })).toThrow(
      /REVERT_FUNCTIONS: no function for step policy/,
    );
  });
});
