import { lambdaHandler } from '../runtime/handler';
import { identityProviderStep } from './step';

export const apply = lambdaHandler(identityProviderStep.apply);
export const revert = lambdaHandler(identityProviderStep.revert);
