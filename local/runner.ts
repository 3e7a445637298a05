import { randomUUID } from 'node:crypto';
import { ExecutionAbortedError, ExecutionError, type RunOptions, type StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { PipelineEnvironment } from '../lambdas/runtime/function';
import type { ExecutionDocument } from '../lambdas/shared/document';
import { localSubstitutions } from '../statemachine/definition';
import { compiledStateMachine, LOCAL_TIMEOUT_FIELD, taskStates, transitions } from './compiled-workflow';
import type { LocalExecutionResult, RunLocalExecutionOptions, TimelineEntry } from './execution-options';
import { type Handler, integrationHandlers, isRecord, type JsonValue, jsonRoundTrip, lambdaHandlers } from './integrations';

export { endStateNames } from './compiled-workflow';
export type { LocalExecutionResult, LocalServices, RunLocalExecutionOptions, StopAt, TimelineEntry } from './execution-options';
export { functionContext } from './integrations';

/** The state machine's name in local runs: execution ids read `arn:aws:states:<region>:<account>:execution:saml-federation:<name>`. */
const LOCAL_STATE_MACHINE_NAME = 'saml-federation';

export function localStateMachineArn(environment: Pick<PipelineEnvironment, 'region' | 'account'>): string {
  return `arn:aws:states:${environment.region}:${environment.account}:stateMachine:${LOCAL_STATE_MACHINE_NAME}`;
}

/**
 * What a task of a stopped execution answers: nothing the execution will act on. It fails with a name no retrier
 * matches; the runner stops at the next state boundary either way, so no Catch target runs. (A promise that never
 * settled would keep aws-local-stepfunctions' execution timer, and with it the process, alive.)
 */
function stopped<T>(): Promise<T> {
  return Promise.reject(Object.assign(new Error('the execution was stopped'), { name: 'Local.ExecutionStopped' }));
}

type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;

/**
 * Each Task state's local handler: the payload crosses as JSON, as it does to Lambda; a stop asked for at the state
 * ends the execution before the task runs or once it has ('after': a Lambda keeps running when its execution stops).
 */
function taskHandlers(
  options: RunLocalExecutionOptions,
  definition: StateMachineDefinition,
  timeoutShimmed: Set<string>,
  byResource: Record<string, Handler>,
  stop: { requested: boolean; request: () => void },
): { taskResourceLocalHandlers: TaskHandlers; retryIntervalOverrides: Record<string, number> } {
  const taskResourceLocalHandlers: TaskHandlers = {};
  const retryIntervalOverrides: Record<string, number> = {};
  const taskRuns = new Map<string, number>();
  const stopNow = (): Promise<JsonValue> => {
    stop.request();
    return stopped();
  };
  for (const { name, resource } of taskStates(definition)) {
    const handler = byResource[resource];
    if (!handler) throw new Error(`state "${name}" uses ${resource}, which the local runner cannot run`);
    taskResourceLocalHandlers[name] = async (input) => {
      // A stop already asked for ends the execution before this task starts, as Step Functions would.
      if (stop.requested) return stopped();
      const event = jsonRoundTrip(input);
      if (timeoutShimmed.has(name) && isRecord(event)) delete event[LOCAL_TIMEOUT_FIELD];
      const stopHere = options.stop?.state === name && (taskRuns.set(name, (taskRuns.get(name) ?? 0) + 1).get(name) ?? 0) === (options.stop.nth ?? 1);
      if (stopHere && options.stop?.when !== 'after') return stopNow();
      let output: JsonValue;
      try {
        output = jsonRoundTrip(await handler(event)) as JsonValue;
      } catch (error) {
        // Stopped while the task ran: its failure, like its answer, reaches no one.
        if (stopHere) return stopNow();
        throw error;
      }
      return stopHere ? stopNow() : output;
    };
    if (options.retryIntervalMs !== undefined) retryIntervalOverrides[name] = options.retryIntervalMs;
  }
  return { taskResourceLocalHandlers, retryIntervalOverrides };
}

/** The execution's history as the timeline records it, entry by entry as the run goes. */
async function collectTimeline(events: ReturnType<StateMachine['run']>['eventLogs'], record: (entry: TimelineEntry) => void): Promise<void> {
  for await (const event of events) {
    if (event.type === 'StateEntered') record({ state: event.state.name, event: 'entered', input: event.state.input });
    else if (event.type === 'StateExited') record({ state: event.state.name, event: 'exited', output: event.state.output });
    else if (event.type === 'StateFailed') record({ state: event.state.name, event: 'failed', error: event.Error, cause: String(event.Cause ?? '') });
    else if (event.type === 'StateRetried') record({ state: event.state.name, event: 'retried', attempt: event.retry.attempt });
    else if (event.type === 'StateCaught') record({ state: event.state.name, event: 'caught' });
  }
}

/**
 * Executes statemachine/federation.asl.json, unchanged, with aws-local-stepfunctions: each Lambda Task runs the
 * step's own function in process, and the DynamoDB and SNS integrations reach `services`.
 */
export async function runLocalExecution(options: RunLocalExecutionOptions): Promise<LocalExecutionResult> {
  const { account, region } = options.services.environment;
  const substitutions = localSubstitutions(account, region, options.workflow?.functions);
  const { definition, stateMachine, timeoutShimmed } = compiledStateMachine(
    substitutions,
    options.pathTimeoutSeconds,
    options.redrive?.from,
    options.workflow,
  );
  const executionName = options.executionName ?? `local-${randomUUID()}`;
  const taskToken = `local-task-token-${executionName}`;
  const byResource: Record<string, Handler> = { ...integrationHandlers(options, taskToken), ...lambdaHandlers(options, substitutions) };

  // The execution is defined below; a stop reaches it through this.
  let abort: () => void = () => undefined;
  const stop = {
    requested: false,
    request: () => {
      stop.requested = true;
      abort();
    },
  };
  const { taskResourceLocalHandlers, retryIntervalOverrides } = taskHandlers(options, definition, timeoutShimmed, byResource, stop);
  const taskNames = new Set(Object.keys(taskResourceLocalHandlers));
  const clock = options.clock ?? (() => new Date());
  const executionArn = `arn:aws:states:${options.services.environment.region}:${options.services.environment.account}:execution:${LOCAL_STATE_MACHINE_NAME}:${executionName}`;
  const entries = new Map<string, number>();
  const onTransition = (state: string): void => {
    const count = (entries.get(state) ?? 0) + 1;
    entries.set(state, count);
    if (options.stop?.state === state && !taskNames.has(state) && count === (options.stop.nth ?? 1)) stop.request();
  };
  const execution = transitions.run(onTransition, () =>
    stateMachine.run(options.input as never, {
      overrides: { taskResourceLocalHandlers, retryIntervalOverrides },
      context: {
        Execution: { Id: executionArn, Name: executionName, RedriveCount: options.redrive?.count ?? 0 },
        // A live getter: the lock's expiry check compares with the time each state is entered.
        State: {
          get EnteredTime() {
            return clock().toISOString();
          },
        },
        Task: { Token: taskToken },
      } as never,
    }),
  );

  abort = execution.abort;
  // A stop at the first state is asked for while `run` starts, before its abort can be reached.
  if (stop.requested) abort();
  const timeline: TimelineEntry[] = [];
  const collecting = collectTimeline(execution.eventLogs, (entry) => {
    timeline.push(entry);
    options.onEvent?.(entry);
  });

  let result: LocalExecutionResult;
  try {
    const output = (await execution.result) as unknown as ExecutionDocument;
    result = { executionName, executionArn, status: 'SUCCEEDED', output, timeline, stateTransitions: 0 };
  } catch (error) {
    if (error instanceof ExecutionAbortedError) {
      result = { executionName, executionArn, status: options.stop?.status ?? 'ABORTED', timeline, stateTransitions: 0 };
    } else {
      if (!(error instanceof ExecutionError)) throw error;
      const cause = error.cause as Error;
      result = { executionName, executionArn, status: 'FAILED', error: cause.name, cause: cause.message, timeline, stateTransitions: 0 };
    }
  }
  await collecting;
  result.stateTransitions = timeline.filter((entry) => entry.event === 'entered').length;
  return result;
}
