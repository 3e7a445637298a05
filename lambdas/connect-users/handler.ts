import { lambdaHandler } from '../runtime/handler';
import { connectUsersStep } from './step';

export const apply = lambdaHandler(connectUsersStep.apply);
export const revert = lambdaHandler(connectUsersStep.revert);
