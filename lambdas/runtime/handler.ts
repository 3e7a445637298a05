import { ConfigInvalidError } from '../shared/errors';
import { parseFederationConfig } from '../shared/profile';
import { awsClients } from './clients';
import type { FunctionContext, PipelineEnvironment, PipelineFunction } from './function';

/** The deployment's facts, from the function's environment; a missing variable fails the container's start with a named error. */
export function readPipelineEnvironment(env: NodeJS.ProcessEnv): PipelineEnvironment {
  const required = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '') throw new ConfigInvalidError(`${name}: the pipeline's functions need this environment variable`);
    return value;
  };
  return {
    bucket: required('METADATA_BUCKET'),
    account: required('ACCOUNT_ID'),
    region: required('AWS_REGION'),
    partition: env.PARTITION || 'aws',
  };
}

/** What a deployed function runs with, read from its environment; the profiles are validated here, at start. */
export function deployedContext(env: NodeJS.ProcessEnv): FunctionContext {
  if (env.PROFILES === undefined)
    throw new ConfigInvalidError("PROFILES: the pipeline's functions need the federation configuration (JSON) in this environment variable");
  const environment = readPipelineEnvironment(env);
  return {
    config: parseFederationConfig(env.PROFILES, 'PROFILES'),
    environment,
    clients: awsClients({
      region: environment.region,
      identityCenterRegion: env.IDENTITY_CENTER_REGION,
      recordTable: env.RECORD_TABLE || undefined,
      lockTable: env.LOCK_TABLE || undefined,
    }),
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

/**
 * A Lambda handler for one of the workflow's functions: its context is built once, when the handler module loads (a
 * container's start), and each invocation runs the function's plain code with it.
 */
export function lambdaHandler<Result>(fn: PipelineFunction<Result>, env: NodeJS.ProcessEnv = process.env): (event: unknown) => Promise<Result> {
  const context: FunctionContext = { ...deployedContext(env), targetAccess: fn.targetAccess };
  return async (event) => fn.run(event, context);
}
