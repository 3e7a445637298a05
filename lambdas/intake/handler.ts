import { lambdaHandler } from '../runtime/handler';
import { intakeFunction } from './step';

export const handler = lambdaHandler(intakeFunction);
