import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { S3Client } from '@aws-sdk/client-s3';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { SwbClient } from '../attribute-mapping/swb-client';
import { httpsMetadataFetcher } from '../intake/from-application';
import { ConfigInvalidError } from './errors';
import type { FunctionContext, IamSession, PipelineEnvironment, PipelineFunction, StepClients } from './pipeline-function';
import { parseFederationConfig } from './profile';
import { DynamoDbRecordStore, type RecordStore } from './records';

export interface ClientOptions {
  region?: string;
  identityCenterRegion?: string;
  /**
   * The record table's name (a deployed function), or a store to use instead (a live local run keeps its records in
   * its own process). Without it, a step that reads or writes a record fails with a named error.
   */
  recordTable?: string | RecordStore;
  /** The lock table a step's writes are conditional on (LOCK_TABLE), with the record table's name. */
  lockTable?: string;
}

/**
 * The one place that creates AWS clients for the pipeline's steps: the deployed functions (through `lambdaHandler`)
 * and a live local run. Each client is created on first use, so a function builds only those its step calls, once
 * per container, and reuses their connections across invocations as AWS recommends.
 */
export function awsClients(regions: ClientOptions = {}): StepClients {
  // Without a region the SDK finds one itself (AWS_REGION, then the shared config file's profile).
  const at = regions.region ? { region: regions.region } : {};
  // IAM Identity Center may live in another region than the pipeline.
  const identityCenterRegion = regions.identityCenterRegion || regions.region;
  const identityCenter = identityCenterRegion ? { region: identityCenterRegion } : {};
  let s3: S3Client | undefined;
  let iam: IAMClient | undefined;
  let ssoAdmin: SSOAdminClient | undefined;
  let swb: SwbClient | undefined;
  let identityStore: IdentitystoreClient | undefined;
  // One client per session (an execution's, in one target account), kept while the container lives; the SDK's provider
  // calls AssumeRole on the first request and again only when the credentials near expiry.
  const sessions = new Map<string, IAMClient>();
  let records = typeof regions.recordTable === 'object' ? regions.recordTable : undefined;
  const table = typeof regions.recordTable === 'string' ? regions.recordTable : undefined;
  return {
    get records() {
      if (!records && !table) throw new ConfigInvalidError("RECORD_TABLE: this function keeps the pipeline's records but was given no table");
      records ??= new DynamoDbRecordStore(new DynamoDBClient(at), table ?? '', regions.lockTable);
      return records;
    },
    get s3() {
      s3 ??= new S3Client(at);
      return s3;
    },
    get iam() {
      iam ??= new IAMClient(at);
      return iam;
    },
    iamIn(session: IamSession) {
      const key = JSON.stringify(session);
      let client = sessions.get(key);
      if (!client) {
        // A warm container serves many executions: keep the newest few sessions only.
        if (sessions.size >= 16) sessions.delete(sessions.keys().next().value as string);
        client = new IAMClient({
          ...at,
          credentials: fromTemporaryCredentials({ params: assumeRoleParams(session), clientConfig: at }),
        });
        sessions.set(key, client);
      }
      return client;
    },
    get ssoAdmin() {
      // No resend by the SDK: a CreateApplicationAssignment whose first answer was lost would come back
      // ConflictException, indistinguishable from someone else's assignment. The state machine retries transient
      // errors itself, after the step has recorded what it knows.
      ssoAdmin ??= new SSOAdminClient({ ...identityCenter, maxAttempts: 1 });
      return ssoAdmin;
    },
    get swb() {
      swb ??= new SwbClient({ region: identityCenterRegion ?? '' });
      return swb;
    },
    get identityStore() {
      identityStore ??= new IdentitystoreClient(identityCenter);
      return identityStore;
    },
    fetchMetadata: httpsMetadataFetcher,
  };
}

/**
 * What a target-account session asks STS for: the execution's name as session name and source identity (CloudTrail in
 * the target account shows it on every call), 15 minutes (longer than any step function runs), and the session policy
 * if any.
 */
export function assumeRoleParams(session: IamSession) {
  return {
    RoleArn: session.roleArn,
    RoleSessionName: session.sessionName,
    SourceIdentity: session.sessionName,
    DurationSeconds: 900,
    ...(session.policy ? { Policy: session.policy } : {}),
  };
}

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
