/** The pipeline stack's name: the CDK app creates it, the CLI finds its outputs and resources by it. */
export const STACK_NAME = 'SamlFederationStack';

/**
 * A deployed output of the pipeline construct by its id (`StateMachineArn`, `BucketName`): CloudFormation names it
 * `Pipeline<id><hash>`, the construct's path and a hash CDK adds.
 */
export function stackOutput(outputs: ReadonlyArray<{ OutputKey?: string; OutputValue?: string }> | undefined, id: string): string | undefined {
  return outputs?.find((output) => output.OutputKey?.startsWith(`Pipeline${id}`))?.OutputValue;
}
