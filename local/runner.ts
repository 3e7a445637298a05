import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { ExecutionAbortedError, ExecutionError, type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { FUNCTIONS } from '../lambdas/functions';
import {
  type FunctionContext,
  type PipelineEnvironment,
  type PipelineFunction,
  type StepClients,
  substitutionName,
} from '../lambdas/runtime/function';
import type { ExecutionDocument } from '../lambdas/shared/document';
import type { FederationConfig } from '../lambdas/shared/profile';
import type { HeldLock } from '../lambdas/shared/records';
import { functionRoleArn } from '../lambdas/shared/target-account';
import { assertDefinitionMatchesRegistry, loadDefinition, localSubstitutions, type Substitutions, substitute } from '../statemachine/definition';

/** What the state machine's non-Lambda integrations (DynamoDB lock, SNS) and the steps' clients reach locally. */
export interface LocalServices {
  clients: StepClients;
  /** The clients of one function, calling as its role (a target account's trust is checked against it). */
  clientsOf?: (callerRoleArn: string) => StepClients;
  environment: PipelineEnvironment;
  /**
   * Conditional put of the profile's lock item (LOCK_CONDITIONS.take): free, expired, held by the same lease or by the
   * lease `replacing` (default: the same); throws an error named DynamoDB.ConditionalCheckFailedException otherwise.
   */
  takeLock(item: LockItem, now: string, replacing?: string): void | Promise<void>;
  /** Conditional delete; throws DynamoDB.ConditionalCheckFailedException when another lease holds it. */
  releaseLock(profile: string, lease: string): void | Promise<void>;
  /** The profile's lock item, if any (a consistent read). */
  readLock(profile: string): HeldLock | undefined | Promise<HeldLock | undefined>;
  publish(subject: string, message: string): void | Promise<void>;
}

/** The profile's lock item as the state machine writes it: its holder for people, the lease every change checks. */
interface LockItem {
  profile: string;
  owner: string;
  lease: string;
  expiresAt: string;
}

/**
 * Answers the manual attribute-mapping wait, as an operator would with `saml-federation confirm|reject`.
 * Returning normally confirms; throwing rejects (the error's name becomes the state's error).
 */
type OperatorDecision = (message: string, taskToken: string) => Promise<unknown>;

export interface TimelineEntry {
  state: string;
  event: 'entered' | 'exited' | 'failed' | 'retried' | 'caught';
  error?: string;
  cause?: string;
  /** For a retry: how many times this retrier had already retried. */
  attempt?: number;
  output?: unknown;
  /** For an 'entered' entry: the state's input, as Step Functions records it (what a redrive resumes with). */
  input?: unknown;
}

export interface LocalExecutionResult {
  executionName: string;
  /** ARN-shaped id of the execution, as `$$.Execution.Id` gives it. */
  executionArn: string;
  status: 'SUCCEEDED' | 'FAILED' | StopStatus;
  output?: ExecutionDocument;
  error?: string;
  cause?: string;
  timeline: TimelineEntry[];
  stateTransitions: number;
}

/** How a stopped execution ends: stopped from the console or the API, or past the state machine's TimeoutSeconds. */
type StopStatus = 'ABORTED' | 'TIMED_OUT';

/**
 * Stops the execution at a state, as StopExecution or the state machine's timeout would. At a Task state, `when` says
 * whether the task's work was done first ('after': a Lambda keeps running when its execution is stopped, so its change
 * is made) or not at all ('before'). At any other state, the execution stops as it enters it.
 */
export interface StopAt {
  state: string;
  /** Which time the execution is at that state (1-based; states on a retry path are entered more than once). */
  nth?: number;
  when?: 'before' | 'after';
  status?: StopStatus;
}

export interface RunLocalExecutionOptions {
  services: LocalServices;
  config: FederationConfig;
  input: unknown;
  executionName?: string;
  /** Milliseconds to wait before each retry instead of the ASL's backoff (tests use 0). Undefined keeps the ASL's. */
  retryIntervalMs?: number;
  /** Seconds that a task whose timeout comes from a path (the operator's wait) waits at most. Undefined keeps the path's. */
  pathTimeoutSeconds?: number;
  clock?: () => Date;
  operator?: OperatorDecision;
  /** Extra pause before every step, for sleep/ sleep-free role propagation retries. */
  sleep?: (ms: number) => Promise<void>;
  onEvent?: (entry: TimelineEntry) => void;
  stop?: StopAt;
  /**
   * Resume a failed, stopped or timed-out execution as Step Functions' RedriveExecution does: from the state that did
   * not succeed (`from`), with the input recorded there (`input`), the same name, and `$$.Execution.RedriveCount` set
   * to `count` (1 for the first redrive). The states before `from` do not run again.
   */
  redrive?: { from: string; count: number };
  /**
   * Another workflow than the registry's, for a test of the builder: a definition built from other steps
   * (statemachine/build.ts) and the functions its Tasks invoke. Default: statemachine/federation.asl.json and FUNCTIONS.
   */
  workflow?: { definition: object; functions: readonly PipelineFunction[] };
}

type Handler = (input: unknown) => Promise<unknown>;

/** A service integration's handler: its input is the state's Parameters, whose shape the ASL itself fixes. */
function integration<Params>(handler: (params: Params) => Promise<unknown>): Handler {
  return (input) => handler(input as Params);
}

type JsonValue = Parameters<NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>[string]>[0];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A Lambda sees JSON, not the caller's objects: anything a handler returns that is not JSON-safe shows up here too. */
function jsonRoundTrip<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * What one function runs with locally, as its Lambda would: its own role as the caller (a target account's trust is
 * checked against it) and its kind of target role. The runner and the local cleanup both build their contexts here.
 */
export function functionContext(
  fn: PipelineFunction,
  options: Pick<RunLocalExecutionOptions, 'services' | 'config' | 'clock' | 'sleep'>,
): FunctionContext {
  const { partition, account } = options.services.environment;
  const caller = functionRoleArn(partition, account, options.config.pipelineName, fn.key);
  return {
    clients: options.services.clientsOf?.(caller) ?? options.services.clients,
    config: options.config,
    environment: options.services.environment,
    now: options.clock ?? (() => new Date()),
    sleep: options.sleep ?? (async () => undefined),
    targetAccess: fn.targetAccess,
  };
}

/** Each registered function's plain code, by the ARN the definition invokes it with, run as its Lambda would be. */
function lambdaHandlers(options: RunLocalExecutionOptions, substitutions: Substitutions): Record<string, Handler> {
  const handlers: Record<string, Handler> = {};
  for (const fn of options.workflow?.functions ?? FUNCTIONS) {
    const arn = substitutions[substitutionName(fn)];
    if (arn === undefined) throw new Error(`no ARN for function ${fn.key}`);
    const context = functionContext(fn, options);
    handlers[arn] = (event) => fn.run(event, context);
  }
  return handlers;
}

function attributeValue(value: unknown): string {
  return (value as { S?: string; N?: string }).S ?? (value as { N?: string }).N ?? '';
}

function integrationHandlers(options: RunLocalExecutionOptions, taskToken: string): Record<string, Handler> {
  const { services } = options;
  return {
    'arn:aws:states:::dynamodb:putItem': integration(
      async (params: { Item: Record<string, unknown>; ExpressionAttributeValues: Record<string, unknown> }) => {
        await services.takeLock(
          {
            profile: attributeValue(params.Item.profile),
            owner: attributeValue(params.Item.owner),
            lease: attributeValue(params.Item.lease),
            expiresAt: attributeValue(params.Item.expiresAt),
          },
          attributeValue(params.ExpressionAttributeValues[':now']),
          attributeValue(params.ExpressionAttributeValues[':replacing']),
        );
        return {};
      },
    ),
    'arn:aws:states:::dynamodb:deleteItem': integration(
      async (params: { Key: Record<string, unknown>; ExpressionAttributeValues: Record<string, unknown> }) => {
        await services.releaseLock(attributeValue(params.Key.profile), attributeValue(params.ExpressionAttributeValues[':lease']));
        return {};
      },
    ),
    'arn:aws:states:::dynamodb:getItem': integration(async (params: { Key: Record<string, unknown> }) => {
      const profile = attributeValue(params.Key.profile);
      const held = await services.readLock(profile);
      // As the DynamoDB integration answers: the item in attribute-value form, or no Item at all.
      return held ? { Item: { profile: { S: profile }, owner: { S: held.owner }, lease: { S: held.lease }, expiresAt: { S: held.expiresAt } } } : {};
    }),
    'arn:aws:states:::sns:publish': integration(async (params: { Subject: string; Message: string }) => {
      await services.publish(params.Subject, params.Message);
      return { MessageId: randomUUID() };
    }),
    'arn:aws:states:::sns:publish.waitForTaskToken': integration(async (params: { Subject: string; Message: string }) => {
      await services.publish(params.Subject, params.Message);
      if (!options.operator) {
        throw Object.assign(new Error('no operator answers the manual attribute-mapping wait in this local run'), { name: 'States.Timeout' });
      }
      return options.operator(params.Message, taskToken);
    }),
  };
}

/** Every Task state of the definition, with its Resource, so each can be routed to its local implementation. */
function taskStates(definition: StateMachineDefinition): Array<{ name: string; resource: string }> {
  return Object.entries(definition.States)
    .filter(([, state]) => state.Type === 'Task')
    .map(([name, state]) => ({ name, resource: (state as { Resource: string }).Resource }));
}

const LOCAL_TIMEOUT_FIELD = 'localTimeoutSeconds';

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

/** The end states of the definition (Fail and Succeed): reaching one means the execution ran its own path to the end. */
export function endStateNames(): Set<string> {
  const definition = loadDefinition() as unknown as StateMachineDefinition;
  return new Set(
    Object.entries(definition.States)
      .filter(([, state]) => state.Type === 'Fail' || state.Type === 'Succeed')
      .map(([name]) => name),
  );
}

/**
 * AWS resolves TimeoutSecondsPath against the state's input; aws-local-stepfunctions resolves it against the
 * effective input after Parameters, where the path finds nothing and the run dies. So, in memory only, the runner
 * carries the value through Parameters under a field of its own, points the path there, and strips the field before
 * the task sees its input. The file itself is untouched.
 */
function alignTimeoutPaths(definition: StateMachineDefinition, overrideSeconds?: number): Set<string> {
  const shimmed = new Set<string>();
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Task' || typeof state.TimeoutSecondsPath !== 'string' || !isRecord(state.Parameters)) continue;
    const timeout =
      overrideSeconds === undefined ? { [`${LOCAL_TIMEOUT_FIELD}.$`]: state.TimeoutSecondsPath } : { [LOCAL_TIMEOUT_FIELD]: overrideSeconds };
    Object.assign(state, { Parameters: { ...state.Parameters, ...timeout }, TimeoutSecondsPath: `$.${LOCAL_TIMEOUT_FIELD}` });
    shimmed.add(name);
  }
  return shimmed;
}

interface CompiledStateMachine {
  definition: StateMachineDefinition;
  stateMachine: StateMachine;
  timeoutShimmed: Set<string>;
}

const compiled = new Map<string, CompiledStateMachine>();

/** The run a transition belongs to: executions of one compiled machine may run side by side. */
const transitions = new AsyncLocalStorage<(state: string) => void>();

/**
 * aws-local-stepfunctions looks each next state up in `States` as it moves to it, and ends a stopped execution before
 * entering that state. Watching the lookups is the one synchronous hook it offers (its event log is read later), so a
 * stop at a Pass or Choice state lands exactly there.
 */
function watchTransitions(definition: StateMachineDefinition): void {
  definition.States = new Proxy(definition.States, {
    get(target, key, receiver) {
      if (typeof key === 'string' && key in target) transitions.getStore()?.(key);
      return Reflect.get(target, key, receiver);
    },
  });
}

/**
 * The definition read, substituted and validated once per account, region and timeout override. Building a
 * StateMachine validates the definition against the ASL schema (asl-validator compiles it with ajv), which costs far
 * more than running an execution; everything that differs between executions (handlers, context, retry intervals)
 * is passed to `run`, so one instance serves every execution.
 */
function compiledStateMachine(
  substitutions: Substitutions,
  pathTimeoutSeconds: number | undefined,
  startAt?: string,
  workflow?: RunLocalExecutionOptions['workflow'],
): CompiledStateMachine {
  const cacheKey = JSON.stringify([substitutions, pathTimeoutSeconds ?? null, startAt ?? null, workflow?.definition ?? null]);
  let entry = compiled.get(cacheKey);
  if (!entry) {
    if (!workflow) assertDefinitionMatchesRegistry();
    const definition = (
      workflow ? JSON.parse(substitute(JSON.stringify(workflow.definition), substitutions)) : loadDefinition(substitutions)
    ) as StateMachineDefinition;
    // A redrive resumes at the state that did not succeed: the same definition, entered there.
    if (startAt !== undefined) {
      if (!(startAt in definition.States)) throw new Error(`no state named "${startAt}" to redrive from`);
      definition.StartAt = startAt;
    }
    const timeoutShimmed = alignTimeoutPaths(definition, pathTimeoutSeconds);
    // The file itself was validated whole; entered elsewhere, the states before the redrive's are unreachable.
    const stateMachine = new StateMachine(definition, { validationOptions: startAt === undefined ? { checkArn: false } : { noValidate: true } });
    watchTransitions(definition);
    entry = { definition, timeoutShimmed, stateMachine };
    compiled.set(cacheKey, entry);
  }
  return entry;
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

  const taskResourceLocalHandlers: NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']> = {};
  const taskNames = new Set(taskStates(definition).map((task) => task.name));
  const taskRuns = new Map<string, number>();
  // The execution is defined below; a stop reaches it through this.
  let abort: () => void = () => undefined;
  let stopping = false;
  const requestStop = (): void => {
    stopping = true;
    abort();
  };
  const stopNow = (): Promise<JsonValue> => {
    requestStop();
    return stopped();
  };
  const retryIntervalOverrides: Record<string, number> = {};
  for (const { name, resource } of taskStates(definition)) {
    const handler = byResource[resource];
    if (!handler) throw new Error(`state "${name}" uses ${resource}, which the local runner cannot run`);
    taskResourceLocalHandlers[name] = async (input) => {
      // A stop already asked for ends the execution before this task starts, as Step Functions would.
      if (stopping) return stopped();
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

  const clock = options.clock ?? (() => new Date());
  const executionArn = `arn:aws:states:${options.services.environment.region}:${options.services.environment.account}:execution:${LOCAL_STATE_MACHINE_NAME}:${executionName}`;
  const entries = new Map<string, number>();
  const onTransition = (state: string): void => {
    const count = (entries.get(state) ?? 0) + 1;
    entries.set(state, count);
    if (options.stop?.state === state && !taskNames.has(state) && count === (options.stop.nth ?? 1)) requestStop();
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
  if (stopping) abort();
  const timeline: TimelineEntry[] = [];
  const record = (entry: TimelineEntry) => {
    timeline.push(entry);
    options.onEvent?.(entry);
  };
  const collecting = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') {
        record({ state: event.state.name, event: 'entered', input: event.state.input });
      } else if (event.type === 'StateExited') record({ state: event.state.name, event: 'exited', output: event.state.output });
      else if (event.type === 'StateFailed')
        record({ state: event.state.name, event: 'failed', error: event.Error, cause: String(event.Cause ?? '') });
      else if (event.type === 'StateRetried') record({ state: event.state.name, event: 'retried', attempt: event.retry.attempt });
      else if (event.type === 'StateCaught') record({ state: event.state.name, event: 'caught' });
    }
  })();

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
