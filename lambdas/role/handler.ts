import { lambdaHandler } from '../runtime/handler';
import { roleStep } from './step';

export const apply = lambdaHandler(roleStep.apply);
export const revert = lambdaHandler(roleStep.revert);
