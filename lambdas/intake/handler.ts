import { lambdaHandler } from '../shared/handler';
import { intakeFunction } from './step';

export const handler = lambdaHandler(intakeFunction);
