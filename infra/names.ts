/** The pipeline stack's name: the CDK app creates it, the CLI finds its outputs and resources by it. */
export const STACK_NAME = 'SamlFederationStack';
