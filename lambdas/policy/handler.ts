import { lambdaHandler } from '../runtime/handler';
import { policyStep } from './step';

export const apply = lambdaHandler(policyStep.apply);
export const revert = lambdaHandler(policyStep.revert);
