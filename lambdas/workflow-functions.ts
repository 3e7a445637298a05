import { intakeFunction, newApplicationIntakeFunction } from './intake/step';
import { outcomeFunction } from './outcome/step';
import type { PipelineFunction } from './runtime/function';
import { STEPS } from './steps';

/**
 * Every Lambda function of the workflow: Intake, each step's apply and revert (from the step registry), and the
 * function that describes how an execution ends. The stack deploys these, the local runner runs them, and the ASL
 * check holds the state machine file to them.
 */
export const FUNCTIONS: readonly PipelineFunction[] = [
  intakeFunction,
  newApplicationIntakeFunction,
  ...STEPS.flatMap((step) => [step.apply, step.revert]),
  outcomeFunction,
];
