import { lambdaHandler } from '../runtime/handler';
import { assignmentsStep } from './step';

export const apply = lambdaHandler(assignmentsStep.apply);
export const revert = lambdaHandler(assignmentsStep.revert);
