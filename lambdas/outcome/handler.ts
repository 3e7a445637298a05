import { lambdaHandler } from '../shared/handler';
import { outcomeFunction } from './step';

export const handler = lambdaHandler(outcomeFunction);
