import { lambdaHandler } from '../runtime/handler';
import { outcomeFunction } from './step';

export const handler = lambdaHandler(outcomeFunction);
