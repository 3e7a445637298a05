import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { MAPPING_ERROR_NAMES } from '../lambdas/identity-center/errors';

/** Step Functions' limit on SendTaskFailure's cause. */
const MAX_CAUSE_LENGTH = 32_768;

function checkToken(token: string): string {
  const trimmed = token.trim();
  if (trimmed === '') throw new Error('task token: empty; copy the token from the notification that asked for confirmation');
  return trimmed;
}

/**
 * An operator set the mapping by hand: let the waiting execution go on. `output` becomes the wait state's result
 * (a string is sent as it is, anything else as JSON).
 */
export async function confirmMapping(sfn: SFNClient, token: string, output: unknown = { confirmed: true }): Promise<void> {
  await sfn.send(new SendTaskSuccessCommand({ taskToken: checkToken(token), output: typeof output === 'string' ? output : JSON.stringify(output) }));
}

/** An operator refused the mapping: the waiting execution fails with Mapping.RejectedByOperator and rolls back. */
export async function rejectMapping(sfn: SFNClient, token: string, reason: string): Promise<void> {
  const cause = reason.trim() === '' ? 'rejected by an operator (no reason given)' : reason;
  await sfn.send(
    new SendTaskFailureCommand({
      taskToken: checkToken(token),
      error: MAPPING_ERROR_NAMES.rejectedByOperator,
      cause: cause.slice(0, MAX_CAUSE_LENGTH),
    }),
  );
}
