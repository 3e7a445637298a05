import { z } from 'zod';
import { STEP_NAMES, type StepName } from '../steps';

/** How an execution can end, as the state machine tells the outcome function. */
export const ENDINGS = ['rejected', 'lockNotTaken', 'planned', 'provisioned', 'rolledBack'] as const;
export type Ending = (typeof ENDINGS)[number];

/** The notification for an ending, and for a rollback the error and cause the execution fails with. */
export interface Outcome {
  subject: string;
  message: string;
  Error?: string;
  Cause?: string;
}

export interface StateError {
  Error: string;
  Cause: string;
}

const stepName = z.custom<StepName>((value) => typeof value === 'string' && (STEP_NAMES as readonly string[]).includes(value), {
  message: `must be one of the steps ${STEP_NAMES.join(', ')}`,
});
const stateError = z.object({ Error: z.string(), Cause: z.string() });

/**
 * The cause of Rollback.Incomplete (JSON): the failure that started the rollback; the revert that failed for good and
 * how, with what a person must still undo (that step and every earlier one, newest first); and what reverts that ran
 * left in place (declined, could not confirm), each with why. Built by one function (`rollbackVerdict`).
 */
const RollbackIncompleteCauseSchema = z.object({
  failure: stateError,
  failedRevert: stepName.optional(),
  revertFailure: stateError.optional(),
  stillToUndo: z.array(stepName),
  leftInPlace: z.array(z.object({ step: stepName, what: z.string() })),
});
export type RollbackIncompleteCause = z.infer<typeof RollbackIncompleteCauseSchema>;

/** Reads a Rollback.Incomplete cause; throws when it is not the structured shape (an older execution, a person). */
export function parseRollbackIncompleteCause(cause: string | undefined): RollbackIncompleteCause {
  let json: unknown;
  try {
    json = JSON.parse(cause ?? '');
  } catch {
    throw new TypeError(`a Rollback.Incomplete cause is JSON, got ${JSON.stringify(cause)}`);
  }
  return RollbackIncompleteCauseSchema.parse(json);
}
