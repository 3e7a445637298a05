import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type PipelineFunction, type StepDefinition, substitutionName } from '../lambdas/runtime/function';
import { STEPS } from '../lambdas/steps';
import { FUNCTIONS } from '../lambdas/workflow-functions';
import { WORKFLOW_STATES } from './asl';

/** The state machine definition: the one file both the deployed stack and the local runner execute. */
export const ASL_PATH = join(__dirname, 'federation.asl.json');

/** The placeholders of the service integrations: the lock table (DynamoDB) and the notification topic (SNS). */
const INTEGRATION_SUBSTITUTIONS = ['LockTableName', 'NotificationTopicArn'] as const;

/** Every `${Name}` placeholder the definition may use: one per registered function, and the integrations'. */
export const SUBSTITUTION_NAMES: readonly string[] = [...FUNCTIONS.map(substitutionName), ...INTEGRATION_SUBSTITUTIONS];

export type Substitutions = Readonly<Record<string, string>>;

export function readAslText(): string {
  return readFileSync(ASL_PATH, 'utf-8');
}

/** Replaces `${Name}` as Step Functions does with definition substitutions; refuses a missing name. */
export function substitute(text: string, values: Substitutions): string {
  return text.replace(/\$\{(\w+)\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no substitution for \${${name}} in ${ASL_PATH}`);
    return value;
  });
}

/** Placeholders as names of local functions, so the file parses and validates without a deployment. */
export function localSubstitutions(
  account = '111122223333',
  region = 'us-east-1',
  functions: readonly PipelineFunction[] = FUNCTIONS,
): Substitutions {
  const values: Record<string, string> = {
    LockTableName: 'saml-federation-locks',
    NotificationTopicArn: `arn:aws:sns:${region}:${account}:saml-federation`,
  };
  for (const fn of functions) values[substitutionName(fn)] = `arn:aws:lambda:${region}:${account}:function:saml-federation-${fn.key}`;
  return values;
}

/** The definition as written, placeholders and all (they sit inside JSON strings, so the file parses as it is). */
export function rawDefinition(): { States?: Record<string, AslState> } {
  return JSON.parse(readAslText()) as { States?: Record<string, AslState> };
}

export function loadDefinition(values: Substitutions = localSubstitutions()): Record<string, unknown> {
  return JSON.parse(substitute(readAslText(), values)) as Record<string, unknown>;
}

type AslState = {
  Type?: string;
  Parameters?: Record<string, unknown>;
  Resource?: string;
  Next?: string;
  Default?: string;
  ResultPath?: string | null;
  Choices?: Array<{ Next?: string }>;
  Catch?: Array<{ ErrorEquals?: string[]; Next?: string }>;
};

/** The service integrations the workflow may call besides its own functions (the local runner implements exactly these). */
const INTEGRATION_RESOURCES = [
  'arn:aws:states:::dynamodb:putItem',
  'arn:aws:states:::dynamodb:deleteItem',
  'arn:aws:states:::dynamodb:getItem',
  'arn:aws:states:::sns:publish',
  'arn:aws:states:::sns:publish.waitForTaskToken',
] as const;

/** States reachable from `start` when every state succeeds (Next, a Choice's branches), without following any Catch. */
function reachableOnSuccess(states: Readonly<Record<string, AslState>>, start: string): Set<string> {
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const state = states[name];
    if (!state) continue;
    for (const next of [state.Next, state.Default, ...(state.Choices ?? []).map((choice) => choice.Next)]) if (next) queue.push(next);
  }
  return seen;
}

/**
 * Where the definition and the step registry disagree, one sentence each; empty when they agree. Checked by the
 * stack at synth, by the local runner before it runs the file, and by the tests:
 * - every Task state invokes a registered function (by its placeholder) or a known service integration;
 * - every registered function is invoked by exactly one Task state, the one its registry entry names;
 * - each step's apply writes `$.receipts.<step>`, its revert `$.reverts.<step>`;
 * - a failure of any step's apply reaches, through reverts that succeed, the revert of that step and of every
 *   earlier one.
 */
export function registryProblems(
  definition: { States?: Record<string, AslState> },
  steps: readonly StepDefinition[] = STEPS,
  functions: readonly PipelineFunction[] = FUNCTIONS,
): string[] {
  const states = definition.States ?? {};
  const problems: string[] = [];
  const byPlaceholder = new Map(functions.map((fn) => [`\${${substitutionName(fn)}}`, fn]));
  const invokedBy = new Map<string, string[]>();
  for (const [name, state] of Object.entries(states)) {
    if (state.Type !== 'Task') continue;
    const fn = byPlaceholder.get(state.Resource ?? '');
    if (fn) invokedBy.set(fn.key, [...(invokedBy.get(fn.key) ?? []), name]);
    else if (!(INTEGRATION_RESOURCES as readonly string[]).includes(state.Resource ?? '')) {
      problems.push(`Task state "${name}" invokes ${state.Resource}, which is neither a registered function nor a known integration`);
    }
  }
  for (const fn of functions) {
    const invoking = invokedBy.get(fn.key) ?? [];
    if (invoking.length === 0) problems.push(`function ${fn.key} is registered but no Task state invokes \${${substitutionName(fn)}}`);
    else if (invoking.length > 1 || invoking[0] !== fn.state) {
      problems.push(
        `function ${fn.key} should be invoked by state "${fn.state}" alone, but is invoked by ${invoking.map((n) => `"${n}"`).join(', ')}`,
      );
    }
  }
  steps.forEach((step, index) => {
    const apply = states[step.apply.state];
    const revert = states[step.revert.state];
    if (apply?.ResultPath !== `$.receipts.${step.name}`)
      problems.push(`state "${step.apply.state}" should write its receipt to $.receipts.${step.name}`);
    if (revert?.ResultPath !== `$.reverts.${step.name}`)
      problems.push(`state "${step.revert.state}" should write its report to $.reverts.${step.name}`);
    const onFailure = apply?.Catch?.find((handler) => handler.ErrorEquals?.includes('States.ALL'))?.Next;
    if (step.readOnly) {
      // A step that changes nothing never starts a rollback: its failure leads on to the outcome, past no revert.
      const reached = onFailure ? reachableOnSuccess(states, onFailure) : new Set<string>();
      for (const earlier of steps.slice(0, index))
        if (reached.has(earlier.revert.state)) problems.push(`a failure of read-only "${step.apply.state}" reaches "${earlier.revert.state}"`);
      if (!reached.has(WORKFLOW_STATES.provisionedOrPlanned)) problems.push(`a failure of read-only "${step.apply.state}" never reaches its outcome`);
      return;
    }
    if (!onFailure) {
      problems.push(`state "${step.apply.state}" does not catch States.ALL into the rollback`);
      return;
    }
    const reached = reachableOnSuccess(states, onFailure);
    for (const earlier of steps.slice(0, index + 1)) {
      if (!reached.has(earlier.revert.state)) problems.push(`a failure of "${step.apply.state}" never reaches "${earlier.revert.state}"`);
    }
    // A revert that fails for good names itself and every earlier step as left to undo, newest first.
    const stopped = states[revert?.Catch?.find((handler) => handler.ErrorEquals?.includes('States.ALL'))?.Next ?? '']?.Parameters;
    const leftToUndo = steps
      .slice(0, index + 1)
      .map((earlier) => earlier.name)
      .reverse();
    if (stopped?.failedRevert !== step.name || JSON.stringify(stopped?.stillToUndo) !== JSON.stringify(leftToUndo)) {
      problems.push(`a failure of "${step.revert.state}" should record failedRevert "${step.name}" and stillToUndo ${JSON.stringify(leftToUndo)}`);
    }
  });
  return problems;
}

/** Throws when the definition file and the step registry disagree, so neither a synth nor a local run uses a drifted pair. */
export function assertDefinitionMatchesRegistry(): void {
  const problems = registryProblems(rawDefinition());
  if (problems.length > 0) throw new Error(`${ASL_PATH} and the step registry (lambdas/steps.ts) disagree:\n- ${problems.join('\n- ')}`);
}
