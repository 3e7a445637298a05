import type { StepDefinition } from '../lambdas/runtime/function';
import { MAX_EXECUTION_SECONDS } from '../lambdas/shared/lock';
import { STEPS } from '../lambdas/steps';
import { type AslDefinition, type AslState, WORKFLOW_STATES } from './asl';
import { beforeTheSteps } from './lock-states';
import { afterTheSteps } from './outcome-states';
import { stepStates } from './step-states';

export type { AslDefinition } from './asl';

/**
 * The builder of statemachine/federation.asl.json: the workflow's states, derived from the step registry. Each step
 * gets its Task, its revert and its rollback record, wired in the registry's order (a failure reverts the step and
 * then every earlier one, newest first); around them sit the lock, the outcome and the operator's wait. `npm run
 * build:asl` writes the file, which stays checked in (the stack deploys it, the local runner executes it, and a
 * reader of a SAM-style project looks for it there); a test fails when the file and this builder's output differ.
 */

export function buildFederationDefinition(steps: readonly StepDefinition[] = STEPS): AslDefinition {
  const [first] = steps;
  if (!first) throw new Error('the workflow needs at least one step');
  const states: Record<string, AslState> = { ...beforeTheSteps(first.apply.state) };
  steps.forEach((step, index) => {
    const next = steps[index + 1]?.apply.state ?? WORKFLOW_STATES.provisionedOrPlanned;
    const earlier = steps[index - 1]?.revert.state ?? WORKFLOW_STATES.rolledBackOutcome;
    Object.assign(states, stepStates(step, index, steps, next, earlier));
  });
  Object.assign(states, afterTheSteps());
  return {
    Comment: `Sets up SAML federation for Amazon Connect from an IAM Identity Center metadata document, one step each: ${steps
      .map((step) => step.label.toLowerCase())
      .join(', ')}. Any failure reverts what this execution changed, and only that.`,
    StartAt: 'Receive input',
    TimeoutSeconds: MAX_EXECUTION_SECONDS,
    States: states,
  };
}

/** The definition as the checked-in file holds it: two-space JSON and a final newline. */
export function renderDefinition(definition: AslDefinition = buildFederationDefinition()): string {
  return `${JSON.stringify(definition, null, 2)}\n`;
}
