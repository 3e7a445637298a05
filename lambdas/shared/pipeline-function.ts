import type { IAMClient } from '@aws-sdk/client-iam';
import type { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { SwbApi } from '../attribute-mapping/swb-api';
import type { ExecutionDocument, Receipt, RevertReport } from './document';
import { parseExecutionDocument } from './document-parse';
import type { FunctionPermissions, PermissionScope } from './permissions';
import type { FederationConfig } from './profile';
import type { RecordStore } from './records';

/** Where the pipeline runs: its metadata bucket and the account it changes. */
export interface PipelineEnvironment {
  bucket: string;
  account: string;
  region: string;
  partition: string;
}

/**
 * Reads an IAM Identity Center metadata URL (already checked to be the portal's): HTTPS GET, unauthenticated. The
 * deployed functions use `httpsMetadataFetcher` (lambdas/intake/from-application.ts); the simulated account its portal.
 */
export type MetadataFetcher = (url: URL) => Promise<Buffer>;

/** The AWS clients a step uses. A deployed function builds them from its environment (handler modules only). */
export interface StepClients {
  s3: S3Client;
  /** The pipeline's record table (journal, saved mapping), which only its functions write. */
  records: RecordStore;
  iam: IAMClient;
  ssoAdmin: SSOAdminClient;
  /** The Identity Center instance's users and groups, to resolve the names a profile assigns. */
  identityStore: IdentitystoreClient;
  swb: SwbApi;
  fetchMetadata: MetadataFetcher;
}

/** Everything a pipeline function runs with; the Lambda handler, the local runner and tests each build one. */
export interface FunctionContext {
  clients: StepClients;
  config: FederationConfig;
  environment: PipelineEnvironment;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

export type FunctionKind = 'intake' | 'apply' | 'revert' | 'outcome';

/**
 * One Lambda function of the workflow: the Task state that invokes it, how it is deployed, what it may do, and the
 * plain function it runs. The function's key names everything derived from it: the ASL placeholder
 * `${<Key>FunctionArn}`, the construct id `<Key>Function`.
 */
export interface PipelineFunction<Result = unknown> {
  /** camelCase, e.g. 'identityProviderApply'. */
  readonly key: string;
  readonly kind: FunctionKind;
  /** The name of the Task state in statemachine/federation.asl.json that invokes it. */
  readonly state: string;
  /** Handler module, relative to the repository root, and the name it exports. */
  readonly handler: { readonly entry: string; readonly export: string };
  readonly description: string;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  /** The IAM statements the function's role holds, built from the profiles' names. */
  permissions(scope: PermissionScope): FunctionPermissions;
  /** Parses the state's input and runs the step; the handler and the local runner both call this. */
  run(event: unknown, context: FunctionContext): Promise<Result>;
}

/** A runbook step: its name in receipts and journal keys, the label people read, and its apply and revert functions. */
export interface StepDefinition<Name extends string = string> {
  readonly name: Name;
  /** How the CLI and messages name the step, e.g. 'Federation role'. */
  readonly label: string;
  readonly apply: PipelineFunction<Receipt>;
  readonly revert: PipelineFunction<RevertReport>;
}

function pascal(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}

/** The `${Name}` placeholder of the ASL that receives the function's ARN. */
export function substitutionName(fn: Pick<PipelineFunction, 'key'>): string {
  return `${pascal(fn.key)}FunctionArn`;
}

/** The CDK construct id of the function (and the start of its logical id). */
export function constructId(fn: Pick<PipelineFunction, 'key'>): string {
  return `${pascal(fn.key)}Function`;
}

/** What a step's apply or revert takes besides the execution document. */
export type StepDeps = StepClients & Pick<FunctionContext, 'now' | 'sleep'>;

/** Runs a step on the execution document in the state's input, checked first (Document.Invalid names the field). */
export function onExecutionDocument<Result>(step: (doc: ExecutionDocument, deps: StepDeps) => Promise<Result>): PipelineFunction<Result>['run'] {
  return async (event, context) => step(parseExecutionDocument(event), { ...context.clients, now: context.now, sleep: context.sleep });
}
