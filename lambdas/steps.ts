import { applicationStep } from './application/step';
import { assignmentsStep } from './assignments/step';
import { attributeMappingStep } from './attribute-mapping/step';
import { connectUsersStep } from './connect-users/step';
import { identityProviderStep } from './identity-provider/step';
import { policyStep } from './policy/step';
import { roleStep } from './role/step';
import type { StepName } from './shared/document';
import { signInStep } from './sign-in/step';

/**
 * The runbook's steps, in the order the workflow applies them; each is reverted in the reverse order. This is the one
 * list of steps: statemachine/build.ts generates statemachine/federation.asl.json from it (`npm run build:asl`), and the
 * CDK stack, the local runner, the CLI and the tests derive theirs from it. Adding a step is one entry here and its folder.
 */
// The Connect users come right after the application: a person Connect could not take is refused before IAM changes.
export const STEPS = [
  applicationStep,
  connectUsersStep,
  identityProviderStep,
  roleStep,
  policyStep,
  assignmentsStep,
  attributeMappingStep,
  // Read only, last: whether people can now sign in.
  signInStep,
] as const;

export type Step = (typeof STEPS)[number];
export type { StepName } from './shared/document';

/** The step names in apply order. */
export const STEP_NAMES: readonly StepName[] = STEPS.map((step) => step.name);

export function stepNamed(name: StepName): Step {
  const step = STEPS.find((candidate) => candidate.name === name);
  if (!step) throw new RangeError(`no step named ${name}`);
  return step;
}
