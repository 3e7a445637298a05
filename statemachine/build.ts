import { intakeFunction, newApplicationIntakeFunction } from '../lambdas/intake/step';
import { outcomeFunction } from '../lambdas/outcome/step';
import { type PipelineFunction, type StepDefinition, substitutionName } from '../lambdas/runtime/function';
import { LOCK_CONDITIONS, MAX_EXECUTION_SECONDS } from '../lambdas/shared/lock';
import { STEPS } from '../lambdas/steps';
import {
  ANY_ERROR,
  DYNAMODB_TRANSIENT_ERRORS,
  INTAKE_TRANSIENT_ERRORS,
  LAMBDA_SERVICE_ERRORS,
  LOCK_HELD,
  SNS_TRANSIENT_ERRORS,
  TRANSIENT_AWS_ERRORS,
  WORKFLOW_ERRORS,
} from '../lambdas/workflow-errors';

/**
 * The builder of statemachine/federation.asl.json: the workflow's states, derived from the step registry. Each step
 * gets its Task, its revert and its rollback record, wired in the registry's order (a failure reverts the step and
 * then every earlier one, newest first); around them sit the lock, the outcome and the operator's wait. `npm run
 * build:asl` writes the file, which stays checked in (the stack deploys it, the local runner executes it, and a
 * reader of a SAM-style project looks for it there); a test fails when the file and this builder's output differ.
 */

type AslState = Record<string, unknown>;
export type AslDefinition = { Comment: string; StartAt: string; TimeoutSeconds: number; States: Record<string, AslState> };

/** A retrier: the errors it matches, with capped, fully jittered exponential backoff. */
function retry(errors: readonly string[], intervalSeconds: number, maxAttempts: number, maxDelaySeconds: number, backoffRate = 2): AslState {
  return {
    ErrorEquals: [...errors],
    IntervalSeconds: intervalSeconds,
    BackoffRate: backoffRate,
    MaxAttempts: maxAttempts,
    MaxDelaySeconds: maxDelaySeconds,
    JitterStrategy: 'FULL',
  };
}

const RETRY = {
  lambdaService: retry(LAMBDA_SERVICE_ERRORS, 1, 6, 30),
  transientAws: retry(TRANSIENT_AWS_ERRORS, 2, 6, 60),
  transientIntake: retry(INTAKE_TRANSIENT_ERRORS, 2, 6, 60),
  /** A revert is retried a few times more, whatever failed, before a person is asked to finish. */
  anyInRevert: retry([ANY_ERROR], 5, 3, 60),
  /** A revert that lost the profile's lease stays refused: no attempt. */
  leaseLost: { ErrorEquals: [WORKFLOW_ERRORS.lockNotHeld], MaxAttempts: 0 },
  lockHeld: retry([LOCK_HELD], 10, 12, 90, 1.5),
  dynamoDb: (maxAttempts: number, maxDelaySeconds: number) => retry(DYNAMODB_TRANSIENT_ERRORS, 1, maxAttempts, maxDelaySeconds),
  sns: retry(SNS_TRANSIENT_ERRORS, 2, 5, 60),
  notify: retry([ANY_ERROR], 2, 3, 30),
} as const;

/**
 * The lease of the run that enters a state: the execution's name and its redrive count. The lock is taken and released
 * under it, and every step function is handed it: a redriven run's differs from the one its document was validated
 * under (`$.lock.lease`), so it neither acts nor frees a lock it does not hold (lambdas/shared/lock.ts).
 */
const RUN_LEASE = "States.Format('{}#{}', $$.Execution.Name, $$.Execution.RedriveCount)";

/** What every step function is handed: the execution document, and the lease of the run that invokes it. */
const STEP_PARAMETERS = { 'document.$': '$', 'lease.$': RUN_LEASE };

const catchAll = (next: string, resultPath: string | null = '$.failure'): AslState[] => [
  { ErrorEquals: [ANY_ERROR], ResultPath: resultPath, Next: next },
];
const resource = (fn: Pick<PipelineFunction, 'key'>): string => `\${${substitutionName(fn)}}`;

/** The workflow's own states that steps and their continuations lead to. */
const WORKFLOW_STATES = {
  plannedOutcome: 'Outcome: planned',
  provisionedOrPlanned: 'Provisioned or planned?',
  rolledBackOutcome: 'Outcome: rolled back',
} as const;

/** "Revert federation role" fails for good: "Rollback incomplete at federation role" records it. */
function rollbackIncomplete(step: StepDefinition): string {
  const reverting = /^Revert (.+)$/.exec(step.revert.state)?.[1];
  return reverting ? `Rollback incomplete at ${reverting}` : `Rollback incomplete after "${step.revert.state}"`;
}

/**
 * States a step's apply continues with before the next step, for the two steps whose apply may need more: an
 * application this execution created is validated by Intake again; a mapping left to an operator is waited for.
 */
type Continuation = (next: string, revert: string) => { first: string; states: Record<string, AslState> };

const pendingApplication = (also: AslState[] = []): AslState => ({
  And: [{ Variable: '$.request.applicationPending', IsPresent: true }, { Variable: '$.request.applicationPending', BooleanEquals: true }, ...also],
});

const CONTINUATIONS: Readonly<Record<string, Continuation>> = {
  application: (next, revert) => ({
    first: 'Metadata of the new application?',
    states: {
      'Metadata of the new application?': {
        Type: 'Choice',
        Comment:
          'An application created by this execution has metadata only now: validate it before the provider is made from it. A dry run plans the creation and stops there.',
        Choices: [
          { ...pendingApplication([{ Variable: '$.request.dryRun', BooleanEquals: true }]), Next: WORKFLOW_STATES.plannedOutcome },
          { ...pendingApplication(), Next: newApplicationIntakeFunction.state },
        ],
        Default: next,
      },
      [newApplicationIntakeFunction.state]: {
        Type: 'Task',
        Comment:
          'Intake again, now that the application exists: fetches its metadata, stores it as a new version and validates it (its entityID must name this application). Its request and metadata replace the placeholders; a refusal rolls back the application.',
        Resource: resource(newApplicationIntakeFunction),
        Parameters: {
          input: { 'profile.$': '$.request.profile', applicationCreated: true },
          'executionName.$': '$$.Execution.Name',
          'executionStartTime.$': '$$.Execution.StartTime',
          'redriveCount.$': '$$.Execution.RedriveCount',
        },
        ResultSelector: { 'request.$': '$.request', 'metadata.$': '$.metadata' },
        ResultPath: '$.fetched',
        Retry: [RETRY.lambdaService, RETRY.transientIntake],
        Catch: catchAll(revert),
        Next: "Take the new application's metadata",
      },
      "Take the new application's metadata": {
        Type: 'Pass',
        Comment: "The execution document with the new application's request and metadata in place of the placeholders.",
        Parameters: {
          'request.$': '$.fetched.request',
          'metadata.$': '$.fetched.metadata',
          'profile.$': '$.profile',
          'lock.$': '$.lock',
          'receipts.$': '$.receipts',
        },
        Next: next,
      },
    },
  }),
  attributeMapping: (next, revert) => ({
    first: 'Operator must map attributes?',
    states: {
      'Operator must map attributes?': {
        Type: 'Choice',
        Comment: 'Manual mode: the organisation does not allow the undocumented Identity Center API, so a person maps the attributes.',
        Choices: [
          { Variable: '$.receipts.attributeMapping.action', StringEquals: 'pending-confirmation', Next: 'Wait for operator to map attributes' },
        ],
        Default: next,
      },
      'Wait for operator to map attributes': {
        Type: 'Task',
        Comment:
          "Publishes the exact mapping with a task token and waits for `saml-federation confirm|reject <token>`. A rejection or the profile's timeout rolls everything back. A throttled or failing publish is retried: it only sends the message; the token waits for an answer.",
        Resource: 'arn:aws:states:::sns:publish.waitForTaskToken',
        Parameters: {
          TopicArn: '${NotificationTopicArn}',
          Subject: 'SAML federation: map the attributes, then confirm',
          'Message.$':
            'States.Format(\'Outcome: WAITING FOR AN OPERATOR\nProfile: {}\n\n{}\n\nWhen done, confirm:\n  npx saml-federation confirm {}\nTo roll back instead:\n  npx saml-federation reject {} --reason "..."\', $.request.profile, $.receipts.attributeMapping.details.manual.message, $$.Task.Token, $$.Task.Token)',
        },
        TimeoutSecondsPath: '$.profile.attributeMapping.manualTimeoutSeconds',
        ResultPath: '$.operatorConfirmation',
        Retry: [RETRY.sns],
        Catch: catchAll(revert),
        Next: next,
      },
    },
  }),
};

/** A step's Task, continuation, revert and rollback record; `next` is where its apply goes on, `earlier` where its revert does. */
function stepStates(step: StepDefinition, index: number, steps: readonly StepDefinition[], next: string, earlier: string): Record<string, AslState> {
  const continuation = CONTINUATIONS[step.name]?.(next, step.revert.state);
  const incomplete = rollbackIncomplete(step);
  return {
    [step.apply.state]: {
      Type: 'Task',
      Comment: `${step.comment} Transient Lambda and AWS errors are retried with capped, jittered backoff; anything else starts the rollback at this step's own revert, because a step that throws may already have changed something.`,
      Resource: resource(step.apply),
      Parameters: STEP_PARAMETERS,
      ResultPath: `$.receipts.${step.name}`,
      Retry: [RETRY.lambdaService, RETRY.transientAws],
      Catch: catchAll(step.revert.state),
      Next: continuation?.first ?? next,
    },
    ...continuation?.states,
    [step.revert.state]: {
      Type: 'Task',
      Comment:
        'Undoes only what this execution did at this step (receipt, journal and footprint agree), then walks back to the earlier steps. Retried, including non-transient errors a few times, before a person is asked to finish; never when the run lost its lease.',
      Resource: resource(step.revert),
      Parameters: STEP_PARAMETERS,
      ResultPath: `$.reverts.${step.name}`,
      Retry: [RETRY.leaseLost, RETRY.lambdaService, RETRY.transientAws, RETRY.anyInRevert],
      Catch: catchAll(incomplete, '$.revertFailure'),
      Next: earlier,
    },
    [incomplete]: {
      Type: 'Pass',
      Comment: 'Records which revert failed and what a person must still undo: this step and every earlier one, newest first.',
      Parameters: {
        failedRevert: step.name,
        stillToUndo: steps
          .slice(0, index + 1)
          .map((s) => s.name)
          .reverse(),
        'failure.$': '$.failure',
        'revertFailure.$': '$.revertFailure',
      },
      ResultPath: '$.rollbackIncomplete',
      Next: WORKFLOW_STATES.rolledBackOutcome,
    },
  };
}

const lockKey = { profile: { 'S.$': '$.request.profile' } };

function releaseLock(next: string): AslState {
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
function beforeTheSteps(firstStep: string): Record<string, AslState> {
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

const ending = (kind: string, comment: string): AslState => ({
  Type: 'Pass',
  Comment: comment,
  Parameters: { kind },
  ResultPath: '$.ending',
  Next: outcomeFunction.state,
});

/** How every execution ends: the outcome put in words, one notification, the lock released, success or failure. */
function afterTheSteps(): Record<string, AslState> {
  return {
    [WORKFLOW_STATES.provisionedOrPlanned]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.request.dryRun', BooleanEquals: true, Next: WORKFLOW_STATES.plannedOutcome }],
      Default: 'Outcome: provisioned',
    },
    Planned: { Type: 'Succeed', Comment: "A dry run's output is the plan: each receipt says what would be created or changed." },
    'Release profile lock': releaseLock('Provisioned'),
    Provisioned: { Type: 'Succeed' },
    'Release lock after rollback': {
      Type: 'Choice',
      Comment: 'A dry run never took the lock.',
      Choices: [{ Variable: '$.request.dryRun', BooleanEquals: true, Next: 'Failed' }],
      Default: 'Release profile lock after rollback',
    },
    'Release profile lock after rollback': releaseLock('Failed'),
    Failed: {
      Type: 'Fail',
      Comment: 'Provisioning.RolledBack (cause: the original error), Rollback.Incomplete (cause: what is left to do) or Lock.NotHeld.',
      ErrorPath: '$.outcome.Error',
      CausePath: '$.outcome.Cause',
    },
    'Outcome: metadata rejected': ending('rejected', 'Intake refused the input or the document: nothing changed, nothing to revert.'),
    'Outcome: lock not taken': ending('lockNotTaken', 'Another execution held the profile: nothing changed.'),
    [WORKFLOW_STATES.plannedOutcome]: ending('planned', 'A dry run: the receipts are the plan.'),
    'Outcome: provisioned': ending('provisioned', 'Every step is done.'),
    [WORKFLOW_STATES.rolledBackOutcome]: ending(
      'rolledBack',
      'The revert chain ran (or stopped at a revert that failed for good); the outcome function judges what it achieved.',
    ),
    [outcomeFunction.state]: {
      Type: 'Task',
      Comment:
        'Every execution ends through here: the outcome function puts the notification in words and, after a rollback, judges it from what each revert reported (Provisioning.RolledBack only when every revert ran and none left anything in place); a run that lost its lease is told as such.',
      Resource: resource(outcomeFunction),
      Parameters: { 'ending.$': '$.ending.kind', 'document.$': '$', 'executionId.$': '$$.Execution.Id', 'lease.$': RUN_LEASE },
      ResultPath: '$.outcome',
      Retry: [RETRY.lambdaService],
      Catch: catchAll('Outcome not described', '$.outcomeFailure'),
      Next: 'Notify outcome',
    },
    'Outcome not described': {
      Type: 'Pass',
      Comment: 'The outcome function failed for good: say so plainly, and never claim a rollback restored the account.',
      Parameters: {
        subject: 'SAML federation: outcome unknown, see the execution',
        'message.$':
          "States.Format('The execution {} ended ({}), but its outcome could not be put in words. Read its history in the Step Functions console; if a rollback ran, check what its reverts reported.', $$.Execution.Id, $.ending.kind)",
        Error: WORKFLOW_ERRORS.rollbackIncomplete,
        Cause: "The rollback ran, but its outcome could not be judged from the reverts' reports; see the execution history.",
      },
      ResultPath: '$.outcome',
      Next: 'Notify outcome',
    },
    'Notify outcome': {
      Type: 'Task',
      Resource: 'arn:aws:states:::sns:publish',
      Parameters: { TopicArn: '${NotificationTopicArn}', 'Subject.$': '$.outcome.subject', 'Message.$': '$.outcome.message' },
      ResultPath: null,
      Retry: [RETRY.notify],
      Catch: catchAll('Where does it end?', null),
      Next: 'Where does it end?',
    },
    'Where does it end?': {
      Type: 'Choice',
      Comment:
        "After the one notification, each ending goes its own way: a lock to release, success or failure. A run that provisioned without holding the profile's lease (redriven after its cleanup) fails with the outcome's Lock.NotHeld.",
      Choices: [
        { Variable: '$.ending.kind', StringEquals: 'rejected', Next: 'Metadata rejected' },
        { Variable: '$.ending.kind', StringEquals: 'lockNotTaken', Next: 'Lock not taken' },
        { Variable: '$.ending.kind', StringEquals: 'planned', Next: 'Planned' },
        {
          And: [
            { Variable: '$.ending.kind', StringEquals: 'provisioned' },
            { Variable: '$.outcome.Error', IsPresent: true },
            { Variable: '$.outcome.Error', StringEquals: WORKFLOW_ERRORS.lockNotHeld },
          ],
          Next: 'Release lock after rollback',
        },
        { Variable: '$.ending.kind', StringEquals: 'provisioned', Next: 'Release profile lock' },
      ],
      Default: 'Release lock after rollback',
    },
  };
}

/** The federation workflow for these steps, in apply order (the registry's by default). */
export function buildFederationDefinition(steps: readonly StepDefinition[] = STEPS): AslDefinition {
  const [first] = steps;
  if (!first) throw new Error('the workflow needs at least one step');
  const states: Record<string, AslState> = { ...beforeTheSteps(first.apply.state) };
  steps.forEach((step, index) => {
    const next = steps[index + 1]?.apply.state ?? WORKFLOW_STATES.provisionedOrPlanned;
    const earlier = steps[index - 1]?.revert.state ?? WORKFLOW_STATES.rolledBackOutcome;
    Object.assign(states, stepStates(step, index, steps, next, earlier));
  });
  Object.assign(states, afterTheSteps());
  return {
    Comment: `Sets up SAML federation for Amazon Connect from an IAM Identity Center metadata document, one step each: ${steps
      .map((step) => step.label.toLowerCase())
      .join(', ')}. Any failure reverts what this execution changed, and only that.`,
    StartAt: 'Receive input',
    TimeoutSeconds: MAX_EXECUTION_SECONDS,
    States: states,
  };
}

/** The definition as the checked-in file holds it: two-space JSON and a final newline. */
export function renderDefinition(definition: AslDefinition = buildFederationDefinition()): string {
  return `${JSON.stringify(definition, null, 2)}\n`;
}
