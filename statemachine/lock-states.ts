import { intakeFunction } from '../lambdas/intake/step';
import { LOCK_CONDITIONS } from '../lambdas/shared/lock';
import { ANY_ERROR, LOCK_HELD, WORKFLOW_ERRORS } from '../lambdas/workflow-errors';
import { type AslState, catchAll, RETRY, RUN_LEASE, resource } from './asl';

const lockKey = { profile: { 'S.$': '$.request.profile' } };

export function releaseLock(next: string): AslState {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::dynamodb:deleteItem',
    Parameters: {
      TableName: '${LockTableName}',
      Key: lockKey,
      ConditionExpression: LOCK_CONDITIONS.release,
      ExpressionAttributeNames: { '#lease': 'lease' },
      ExpressionAttributeValues: { ':lease': { 'S.$': RUN_LEASE } },
    },
    ResultPath: null,
    Retry: [RETRY.dynamoDb(5, 20)],
    Catch: [
      {
        ErrorEquals: [ANY_ERROR],
        Comment: 'Not ours any more (expired and taken over) or unreachable: the item expires on its own.',
        ResultPath: null,
        Next: next,
      },
    ],
    Next: next,
  };
}

/** Receiving the input, Intake and the profile's lock: everything before the first step. */
export function beforeTheSteps(firstStep: string): Record<string, AslState> {
  return { ...intakeStates(firstStep), ...takeLockStates(firstStep) };
}

/** The input held under one field, Intake, and the way around the lock for a dry run. */
function intakeStates(firstStep: string): Record<string, AslState> {
  return {
    'Receive input': {
      Type: 'Pass',
      Comment:
        'Holds the input, whatever it is (a string, a list), under one field, so that a refusal can be recorded beside it and Intake names what is wrong (Request.Invalid) instead of the execution failing at its first path.',
      Parameters: { 'input.$': '$' },
      Next: intakeFunction.state,
    },
    [intakeFunction.state]: {
      Type: 'Task',
      Comment:
        'Intake: normalizes the S3 event or the manual input, reads the object at its version and validates the metadata. Nothing in the account changes before this succeeds (invariant 1). A redriven run is refused here: it would need a new lease.',
      Resource: resource(intakeFunction),
      Parameters: {
        'input.$': '$.input',
        'executionName.$': '$$.Execution.Name',
        'executionStartTime.$': '$$.Execution.StartTime',
        'redriveCount.$': '$$.Execution.RedriveCount',
      },
      Retry: [RETRY.lambdaService, RETRY.transientIntake],
      Catch: catchAll('Outcome: metadata rejected'),
      Next: 'Dry run?',
    },
    'Metadata rejected': {
      Type: 'Fail',
      Comment: "Fails with Intake's own error name (Request.*, Metadata.*).",
      ErrorPath: '$.failure.Error',
      CausePath: '$.failure.Cause',
    },
    'Dry run?': {
      Type: 'Choice',
      Comment: 'A dry run changes nothing, so it needs no lock.',
      Choices: [{ Variable: '$.request.dryRun', BooleanEquals: true, Next: firstStep }],
      Default: 'Take profile lock',
    },
  };
}

/** The profile's lock, taken under the run's lease; when another execution holds it too long, who and until when. */
function takeLockStates(firstStep: string): Record<string, AslState> {
  return {
    'Take profile lock': {
      Type: 'Task',
      Comment:
        'Two executions for one profile never interleave (EventBridge may deliver twice; people re-upload). The item expires so a stopped execution cannot hold it for ever; it carries the lease every change is conditional on. A held lock is retried with backoff for a bounded time (about 10 minutes).',
      Resource: 'arn:aws:states:::dynamodb:putItem',
      Parameters: {
        TableName: '${LockTableName}',
        Item: {
          profile: { 'S.$': '$.request.profile' },
          owner: { 'S.$': '$.lock.owner' },
          lease: { 'S.$': RUN_LEASE },
          expiresAt: { 'S.$': '$.lock.expiresAt' },
          ttl: { 'N.$': '$.lock.ttl' },
        },
        ConditionExpression: LOCK_CONDITIONS.take,
        ExpressionAttributeNames: { '#profile': 'profile', '#expiresAt': 'expiresAt', '#lease': 'lease' },
        ExpressionAttributeValues: {
          ':now': { 'S.$': '$$.State.EnteredTime' },
          ':lease': { 'S.$': RUN_LEASE },
          ':replacing': { 'S.$': RUN_LEASE },
        },
      },
      ResultPath: null,
      Retry: [RETRY.lockHeld, RETRY.dynamoDb(5, 20)],
      Catch: [
        { ErrorEquals: [LOCK_HELD], ResultPath: '$.failure', Next: 'Find lock holder' },
        { ErrorEquals: [ANY_ERROR], ResultPath: '$.failure', Next: 'Outcome: lock not taken' },
      ],
      Next: firstStep,
    },
    'Find lock holder': {
      Type: 'Task',
      Comment: 'Reads who holds the lock, so that the message names the execution and when its lease ends.',
      Resource: 'arn:aws:states:::dynamodb:getItem',
      Parameters: { TableName: '${LockTableName}', Key: lockKey, ConsistentRead: true },
      ResultPath: '$.lockHolder',
      Retry: [RETRY.dynamoDb(3, 10)],
      Catch: catchAll('Lock holder unknown', null),
      Next: 'Lock holder known?',
    },
    'Lock holder known?': {
      Type: 'Choice',
      Comment: 'The holder may have released the lock since the last attempt.',
      Choices: [{ Variable: '$.lockHolder.Item.owner.S', IsPresent: true, Next: 'Lock timed out' }],
      Default: 'Lock holder unknown',
    },
    'Lock timed out': {
      Type: 'Pass',
      Comment: 'The stable name the outcome is matched on, and who holds the profile until when.',
      Parameters: {
        Error: WORKFLOW_ERRORS.lockTimeout,
        'Cause.$':
          "States.Format('Execution {} holds the lock of profile {} until {} (its lease), longer than this execution waits. Wait for it to end, or stop it (its cleanup reverts it and frees the lock), then start this one again. Nothing was changed.', $.lockHolder.Item.owner.S, $.request.profile, $.lockHolder.Item.expiresAt.S)",
      },
      ResultPath: '$.failure',
      Next: 'Outcome: lock not taken',
    },
    'Lock holder unknown': {
      Type: 'Pass',
      Comment: 'The lock was held at every attempt, but who held it could not be read (or it was released just now).',
      Parameters: {
        Error: WORKFLOW_ERRORS.lockTimeout,
        'Cause.$':
          "States.Format('Another execution held the lock of profile {} at every attempt, for longer than this execution waits; it may have ended since. Start this one again. Nothing was changed.', $.request.profile)",
      },
      ResultPath: '$.failure',
      Next: 'Outcome: lock not taken',
    },
    'Lock not taken': { Type: 'Fail', ErrorPath: '$.failure.Error', CausePath: '$.failure.Cause' },
  };
}
