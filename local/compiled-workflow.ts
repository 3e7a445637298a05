import { AsyncLocalStorage } from 'node:async_hooks';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { assertDefinitionMatchesRegistry, loadDefinition, type Substitutions, substitute } from '../statemachine/definition';
import type { RunLocalExecutionOptions } from './execution-options';
import { isRecord } from './integrations';

/** Every Task state of the definition, with its Resource, so each can be routed to its local implementation. */
export function taskStates(definition: StateMachineDefinition): Array<{ name: string; resource: string }> {
  return Object.entries(definition.States)
    .filter(([, state]) => state.Type === 'Task')
    .map(([name, state]) => ({ name, resource: (state as { Resource: string }).Resource }));
}

export const LOCAL_TIMEOUT_FIELD = 'localTimeoutSeconds';

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
export const transitions = new AsyncLocalStorage<(state: string) => void>();

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
export function compiledStateMachine(
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
