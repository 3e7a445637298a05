import { lambdaHandler } from '../runtime/handler';
import { attributeMappingStep } from './step';

export const apply = lambdaHandler(attributeMappingStep.apply);
export const revert = lambdaHandler(attributeMappingStep.revert);
