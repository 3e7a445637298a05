import { type PipelineFunction, substitutionName } from '../lambdas/runtime/function';
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

/** The pieces every part of the federation workflow's builder (build.ts) is made of: states, retriers, the lease. */

export type AslState = Record<string, unknown>;
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

export const RETRY = {
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
export const RUN_LEASE = "States.Format('{}#{}', $$.Execution.Name, $$.Execution.RedriveCount)";

/** What every step function is handed: the execution document, and the lease of the run that invokes it. */
export const STEP_PARAMETERS = { 'document.$': '$', 'lease.$': RUN_LEASE };

export const catchAll = (next: string, resultPath: string | null = '$.failure'): AslState[] => [
  { ErrorEquals: [ANY_ERROR], ResultPath: resultPath, Next: next },
];
export const resource = (fn: Pick<PipelineFunction, 'key'>): string => `\${${substitutionName(fn)}}`;

/** The workflow's own states that steps and their continuations lead to. */
export const WORKFLOW_STATES = {
  plannedOutcome: 'Outcome: planned',
  provisionedOrPlanned: 'Provisioned or planned?',
  rolledBackOutcome: 'Outcome: rolled back',
} as const;
