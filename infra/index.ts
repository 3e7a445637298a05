/**
 * What a CDK app imports from this project: the pipeline construct, the roles a target account holds (as a construct,
 * a stack or a StackSet), and the configuration's types. Everything else is the pipeline's own.
 */
export type { FederationConfigInput } from '../lambdas/shared/profile';
export type { ProfileInput } from '../lambdas/shared/profile-schema';
export { SamlFederationPipeline, type SamlFederationPipelineProps } from './saml-federation-pipeline';
export {
  TargetAccountRoles,
  type TargetAccountRolesProps,
  TargetAccountStack,
  TargetAccountStackSet,
  type TargetAccountStackSetProps,
} from './target-account-roles';
