import { lambdaHandler } from '../runtime/handler';
import { signInStep } from './step';

export const apply = lambdaHandler(signInStep.apply);
export const revert = lambdaHandler(signInStep.revert);
