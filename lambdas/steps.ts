import { attributeMappingStep } from './attribute-mapping/step';
import { identityProviderStep } from './identity-provider/step';
import { intakeFunction } from './intake/step';
import { policyStep } from './policy/step';
import { roleStep } from './role/step';
import type { PipelineFunction } from './shared/pipeline-function';

/**
 * The runbook's steps, in the order the workflow applies them; each is reverted in the reverse order. This is the one
 * list of steps: the CDK stack, the local runner, the CLI and the tests derive theirs from it, and a test holds
 * statemachine/federation.asl.json to it. Adding a step is one entry here and its folder (step.ts, handler.ts).
 */
export const STEPS = [identityProviderStep, roleStep, policyStep, attributeMappingStep] as const;

export type Step = (typeof STEPS)[number];
export type StepName = Step['name'];

/** The step names in apply order. */
export const STEP_NAMES: readonly StepName[] = STEPS.map((step) => step.name);

/** Every Lambda function of the workflow: Intake, then each step's apply and revert. */
export const FUNCTIONS: readonly PipelineFunction[] = [intakeFunction, ...STEPS.flatMap((step) => [step.apply, step.revert])];

export function stepNamed(name: StepName): Step {
  const step = STEPS.find((candidate) => candidate.name === name);
  if (!step) throw new RangeError(`no step named ${name}`);
  return step;
}
