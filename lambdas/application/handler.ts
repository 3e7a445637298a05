import { lambdaHandler } from '../runtime/handler';
import { applicationStep } from './step';

export const apply = lambdaHandler(applicationStep.apply);
export const revert = lambdaHandler(applicationStep.revert);
