import { DescribeExecutionCommand, GetExecutionHistoryCommand, type HistoryEvent, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { parseRollbackIncompleteCause } from '../lambdas/outcome/cause';
import { describeRollbackIncomplete, readableCause } from '../lambdas/outcome/outcome';
import { returned } from '../lambdas/shared/errors';
import { WORKFLOW_ERRORS } from '../lambdas/workflow-errors';

export interface FollowedExecution {
  executionArn: string;
  status: string;
  output?: unknown;
  error?: string;
  cause?: string;
}

/**
 * An execution's failure in words: a Rollback.Incomplete cause is structured (what failed, what is left to undo), so
 * it is read as data and told step by step; any other cause as `readableCause` shows it.
 */
export function describeFailure(error: string | undefined, cause: string | undefined): string[] {
  if (error === WORKFLOW_ERRORS.rollbackIncomplete) {
    try {
      return describeRollbackIncomplete(parseRollbackIncompleteCause(cause));
    } catch {
      // Not the structured shape (an execution of an older definition): show it as it is.
    }
  }
  return [readableCause(cause)];
}

/** One line per state entered, retried or failed, as the console's event history shows them. */
function describeHistoryEvent(event: HistoryEvent): string | undefined {
  if (event.stateEnteredEventDetails) return `→ ${event.stateEnteredEventDetails.name}`;
  if (event.taskFailedEventDetails) return `  ✗ ${event.taskFailedEventDetails.error}: ${readableCause(event.taskFailedEventDetails.cause)}`;
  if (event.lambdaFunctionFailedEventDetails)
    return `  ✗ ${event.lambdaFunctionFailedEventDetails.error}: ${readableCause(event.lambdaFunctionFailedEventDetails.cause)}`;
  if (event.executionFailedEventDetails) {
    const { error, cause } = event.executionFailedEventDetails;
    return `✗ ${error}: ${describeFailure(error, cause).join(' ')}`;
  }
  if (event.type === 'ExecutionSucceeded') return '✓ execution succeeded';
  return undefined;
}

/** Starts the deployed state machine on an object of the metadata bucket and prints its history until it ends. */
export async function startAndFollow(
  sfn: SFNClient,
  stateMachineArn: string,
  input: Record<string, unknown>,
  print: (line: string) => void,
  pollMs = 2000,
): Promise<FollowedExecution> {
  const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));
  const executionArn = returned(started.executionArn, 'the execution ARN (StartExecution)');
  print(`started ${executionArn}`);
  let seen = 0;
  for (;;) {
    // The status first, then the history: once the status is final, the history read after it holds every event.
    const description = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    for (const event of events.slice(seen)) {
      const line = describeHistoryEvent(event);
      if (line) print(line);
    }
    seen = events.length;
    if (description.status !== 'RUNNING' && description.status !== 'PENDING_REDRIVE') {
      return {
        executionArn,
        status: description.status ?? 'UNKNOWN',
        output: description.output ? JSON.parse(description.output) : undefined,
        error: description.error,
        cause: description.cause,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
