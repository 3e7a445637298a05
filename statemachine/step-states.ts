import { newApplicationIntakeFunction } from '../lambdas/intake/step';
import type { StepDefinition } from '../lambdas/runtime/function';
import { type AslState, catchAll, RETRY, resource, STEP_PARAMETERS, WORKFLOW_STATES } from './asl';

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
export function stepStates(
  step: StepDefinition,
  index: number,
  steps: readonly StepDefinition[],
  next: string,
  earlier: string,
): Record<string, AslState> {
  if (step.readOnly) return readOnlyStepStates(step, next);
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

/**
 * A step that changes nothing: its failure (a timeout of its function, say) is recorded in $.checkFailure and the run
 * goes on to its outcome as it is; its revert, which has nothing to undo, is reached only from there and leads on too.
 */
function readOnlyStepStates(step: StepDefinition, next: string): Record<string, AslState> {
  return {
    [step.apply.state]: {
      Type: 'Task',
      Comment: `${step.comment} It changes nothing: transient errors are retried, and anything else is recorded ($.checkFailure) and the run ends as it is, never rolled back.`,
      Resource: resource(step.apply),
      Parameters: STEP_PARAMETERS,
      ResultPath: `$.receipts.${step.name}`,
      Retry: [RETRY.lambdaService, RETRY.transientAws],
      Catch: catchAll(step.revert.state, '$.checkFailure'),
      Next: next,
    },
    [step.revert.state]: {
      Type: 'Task',
      Comment: 'Nothing to undo (the step changes nothing); the run goes on to its outcome.',
      Resource: resource(step.revert),
      Parameters: STEP_PARAMETERS,
      ResultPath: `$.reverts.${step.name}`,
      Retry: [RETRY.leaseLost, RETRY.lambdaService, RETRY.transientAws],
      Catch: catchAll(next, '$.checkFailure'),
      Next: next,
    },
  };
}
