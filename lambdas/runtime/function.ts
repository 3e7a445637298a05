import type { ConnectClient } from '@aws-sdk/client-connect';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { ConsoleApi } from '../identity-center/console-api';
import type { MetadataFetcher } from '../identity-center/portal';
import type { ExecutionDocument, Receipt, RevertReport } from '../shared/document';
import { parseExecutionDocument } from '../shared/document-parse';
import { ConfigInvalidError, DocumentInvalidError } from '../shared/errors';
import type { Footprint } from '../shared/footprint';
import { LockNotHeldError } from '../shared/lock';
import type { FunctionPermissions, PermissionScope } from '../shared/permissions';
import type { FederationConfig } from '../shared/profile';
import { leasedRecords, type RecordStore } from '../shared/records';
import { sessionNameOf, type TargetAccess, targetRoleArn } from '../shared/target-account';
import { retryingThrottles } from './throttle';

/** Where the pipeline runs: its metadata bucket and the account it changes. */
export interface PipelineEnvironment {
  bucket: string;
  account: string;
  region: string;
  partition: string;
}

/** A session in a profile's target account: the target role to assume, and the execution's name for CloudTrail. */
export interface IamSession {
  roleArn: string;
  /** RoleSessionName and SourceIdentity. */
  sessionName: string;
  /** A session policy narrowing the role further (a reader that needs one action of the apply role). */
  policy?: string;
}

/** The AWS clients a step uses. A deployed function builds them from its environment (handler modules only). */
export interface StepClients {
  s3: S3Client;
  /** The pipeline's record table (journal, saved mapping), which only its functions write. */
  records: RecordStore;
  /** IAM of the pipeline's own account, with the function's own role. */
  iam: IAMClient;
  /** IAM of another account, through a role assumed there (lambdas/shared/target-account.ts). */
  iamIn(session: IamSession): IAMClient;
  ssoAdmin: SSOAdminClient;
  /** The Identity Center instance's users and groups, to resolve the names a profile assigns. */
  identityStore: IdentitystoreClient;
  swb: ConsoleApi;
  fetchMetadata: MetadataFetcher;
  /** Amazon Connect of the pipeline's own account; a step reaches the profile's instance through `connect` of StepDeps. */
  connect: ConnectClient;
  /** Amazon Connect of another account, through the target role assumed there (as `iamIn`). */
  connectIn(session: IamSession): ConnectClient;
}

/** Everything a pipeline function runs with; the Lambda handler, the local runner and tests each build one. */
export interface FunctionContext {
  clients: StepClients;
  config: FederationConfig;
  environment: PipelineEnvironment;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** The target role the running function assumes for a profile in another account (its PipelineFunction's). */
  targetAccess?: TargetAccess;
}

type FunctionKind = 'intake' | 'apply' | 'revert' | 'outcome';

/**
 * How any Lambda function of the pipeline is deployed (a workflow step's, the cleanup, the daily check, the fleet's):
 * its handler, its description, its size and time. The stack builds every function from this one shape
 * (infra/pipeline/functions.ts).
 */
export interface DeployedFunction {
  /** Handler module, relative to the repository root, and the name it exports. */
  readonly handler: { readonly entry: string; readonly export: string };
  readonly description: string;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
}

/**
 * One Lambda function of the workflow: the Task state that invokes it, how it is deployed, what it may do, and the
 * plain function it runs. The function's key names everything derived from it: the ASL placeholder
 * `${<Key>FunctionArn}`, the construct id `<Key>Function`.
 */
export interface PipelineFunction<Result = unknown> extends DeployedFunction {
  /** camelCase, e.g. 'identityProviderApply'. */
  readonly key: string;
  readonly kind: FunctionKind;
  /** The name of the Task state in statemachine/federation.asl.json that invokes it. */
  readonly state: string;
  /**
   * Set for the functions that change IAM: for a profile with an `account`, they work there through the target role
   * of this kind, and their own role gets a fixed name the target account trusts.
   */
  readonly targetAccess?: TargetAccess;
  /** The IAM statements the function's role holds, built from the profiles' names. */
  permissions(scope: PermissionScope): FunctionPermissions;
  /** Parses the state's input and runs the step; the handler and the local runner both call this. */
  run(event: unknown, context: FunctionContext): Promise<Result>;
}

/** The clients a footprint is read with: IAM of the profile's account, and IAM Identity Center. */
type FootprintClients = Pick<StepClients, 'iam' | 'ssoAdmin' | 'swb' | 'connect'>;

/** A runbook step: its name in receipts and journal keys, the label people read, and its apply and revert functions. */
export interface StepDefinition<Name extends string = string> {
  readonly name: Name;
  /** How the CLI and messages name the step, e.g. 'Federation role'. */
  readonly label: string;
  /** What the step does in the workflow, one sentence: the comment of its Task in the state machine. */
  readonly comment: string;
  readonly apply: PipelineFunction<Receipt>;
  readonly revert: PipelineFunction<RevertReport>;
  /**
   * The step's resources as they are now, as its footprint records them (lambdas/shared/footprint.ts), for a step
   * whose receipt recorded one: what `undo` compares with what the execution left.
   */
  readonly readFootprint: (doc: ExecutionDocument, clients: FootprintClients) => Promise<Footprint>;
  /**
   * A step that changes nothing (the sign-in check): a failure of its function ends the run as it is, with what it
   * found missing ($.checkFailure), never a rollback of what the earlier steps did.
   */
  readonly readOnly?: boolean;
}

/** A construct or placeholder name from a function key (camelCase) or a profile name (lowercase, digits, hyphens). */
export function pascal(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
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

/**
 * A client for the execution's profile: the function's own in the pipeline's account, or, for a profile in a target
 * account, a session of the target role of the function's kind named after the execution. One rule for every service
 * the steps reach there (IAM, Amazon Connect).
 */
function inProfileAccount<Client>(
  doc: Pick<ExecutionDocument, 'request' | 'profile'>,
  context: FunctionContext,
  own: Client,
  inSession: (session: IamSession) => Client,
): Client {
  const account = doc.profile.account;
  if (account === undefined) return own;
  // A function with no target role never reaches the profile's account, and must not fall back to the pipeline's.
  if (context.targetAccess === undefined) return noIamIn(account) as unknown as Client;
  return inSession({
    roleArn: targetRoleArn(doc.request.partition, account, context.config.pipelineName, context.targetAccess),
    sessionName: sessionNameOf(doc.request.executionName),
  });
}

/** The IAM client for the execution's profile (inProfileAccount). */
export function iamFor(doc: Pick<ExecutionDocument, 'request' | 'profile'>, context: FunctionContext): IAMClient {
  return inProfileAccount(doc, context, context.clients.iam, (session) => context.clients.iamIn(session));
}

/** An IAM client for a function that has no role in `account`: every call fails, naming why. */
function noIamIn(account: string): IAMClient {
  const refuse = async (): Promise<never> => {
    throw new ConfigInvalidError(`this function has no role in account ${account} (only the identity provider, role and policy steps work there)`);
  };
  return { send: refuse, destroy: () => undefined } as unknown as IAMClient;
}

/**
 * What a step function is invoked with: the execution document, and the lease of whoever runs the step (the state
 * machine passes `States.Format('{}#{}', $$.Execution.Name, $$.Execution.RedriveCount)`; the cleanup and undo, their
 * own). Every record the step writes, and so every change it makes (each journals first), is conditional on the
 * profile's lock holding that lease.
 */
export interface StepEvent {
  document: unknown;
  lease: string;
}

function parseStepEvent(event: unknown): StepEvent {
  const value = event as Partial<StepEvent> | null;
  if (value === null || typeof value !== 'object' || !('document' in value)) {
    throw new DocumentInvalidError(
      'the step input must be {"document": <execution document>, "lease": <lease>} as the state machine passes it; start the execution at Intake',
    );
  }
  if (typeof value.lease !== 'string' || value.lease === '') {
    throw new DocumentInvalidError(`lease: expected the lease of whoever runs the step (a non-empty string), got ${JSON.stringify(value.lease)}`);
  }
  return { document: value.document, lease: value.lease };
}

/** Runs a step on the execution document in the state's input, checked first (Document.Invalid names the field). */
export function onExecutionDocument<Result>(step: (doc: ExecutionDocument, deps: StepDeps) => Promise<Result>): PipelineFunction<Result>['run'] {
  return async (event, context) => {
    const { document, lease } = parseStepEvent(event);
    const doc = parseExecutionDocument(document);
    // One throttle budget per invocation: the wrapper is made here, as the function starts.
    const iam = retryingThrottles(iamFor(doc, context), context);
    const under = () => ({ profile: doc.request.profile, lease, now: context.now().toISOString() });
    // A run that does not hold the profile's lease (a redrive, a lease run out) does nothing at all, not even report
    // what it would find; every write it could make is refused again by its lease condition (a dry run holds no lock).
    // The lease must also be the one the document runs under: a redrive that took the lock itself (resumed at "Take
    // profile lock") holds a lease of its own, not the one Intake validated the document under. The cleanup and undo
    // hand their reverts the document under their own leases.
    const runsUnder = doc.lock?.lease === undefined || doc.lock.lease === lease;
    if (!doc.request.dryRun && (!runsUnder || !(await context.clients.records.leaseHeld(under())))) {
      throw new LockNotHeldError(
        `this run of execution ${doc.request.executionName} does not hold profile ${doc.request.profile}'s lock (lease ${lease}): it was redriven after its cleanup, ` +
          'or its lease ran out and another execution took the profile. Nothing was changed; start a new execution instead.',
      );
    }
    return step(doc, {
      ...context.clients,
      records: leasedRecords(context.clients.records, under),
      iam,
      connect: retryingThrottles(
        inProfileAccount(doc, context, context.clients.connect, (session) => context.clients.connectIn(session)),
        context,
      ),
      now: context.now,
      sleep: context.sleep,
    });
  };
}
