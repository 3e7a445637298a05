import { outcomeFunction } from '../lambdas/outcome/step';
import { WORKFLOW_ERRORS } from '../lambdas/workflow-errors';
import { type AslState, catchAll, RETRY, RUN_LEASE, resource, WORKFLOW_STATES } from './asl';
import { releaseLock } from './lock-states';

const ending = (kind: string, comment: string): AslState => ({
  Type: 'Pass',
  Comment: comment,
  Parameters: { kind },
  ResultPath: '$.ending',
  Next: outcomeFunction.state,
});

/** How every execution ends: the outcome put in words, one notification, the lock released, success or failure. */
export function afterTheSteps(): Record<string, AslState> {
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
