import type { PipelineEnvironment, PipelineFunction, StepClients } from '../lambdas/runtime/function';
import type { ExecutionDocument } from '../lambdas/shared/document';
import type { FederationConfig } from '../lambdas/shared/profile';
import type { HeldLock } from '../lambdas/shared/records';

/** What a local execution is given and what it answers (local/runner.ts). */

/** What the state machine's non-Lambda integrations (DynamoDB lock, SNS) and the steps' clients reach locally. */
export interface LocalServices {
  clients: StepClients;
  /** The clients of one function, calling as its role (a target account's trust is checked against it). */
  clientsOf?: (callerRoleArn: string) => StepClients;
  environment: PipelineEnvironment;
  /**
   * Conditional put of the profile's lock item (LOCK_CONDITIONS.take): free, expired, held by the same lease or by the
   * lease `replacing` (default: the same); throws an error named DynamoDB.ConditionalCheckFailedException otherwise.
   */
  takeLock(item: LockItem, now: string, replacing?: string): void | Promise<void>;
  /** Conditional delete; throws DynamoDB.ConditionalCheckFailedException when another lease holds it. */
  releaseLock(profile: string, lease: string): void | Promise<void>;
  /** The profile's lock item, if any (a consistent read). */
  readLock(profile: string): HeldLock | undefined | Promise<HeldLock | undefined>;
  publish(subject: string, message: string): void | Promise<void>;
}

/** The profile's lock item as the state machine writes it: its holder for people, the lease every change checks. */
interface LockItem {
  profile: string;
  owner: string;
  lease: string;
  expiresAt: string;
}

/**
 * Answers the manual attribute-mapping wait, as an operator would with `saml-federation confirm|reject`.
 * Returning normally confirms; throwing rejects (the error's name becomes the state's error).
 */
type OperatorDecision = (message: string, taskToken: string) => Promise<unknown>;

export interface TimelineEntry {
  state: string;
  event: 'entered' | 'exited' | 'failed' | 'retried' | 'caught';
  error?: string;
  cause?: string;
  /** For a retry: how many times this retrier had already retried. */
  attempt?: number;
  output?: unknown;
  /** For an 'entered' entry: the state's input, as Step Functions records it (what a redrive resumes with). */
  input?: unknown;
}

export interface LocalExecutionResult {
  executionName: string;
  /** ARN-shaped id of the execution, as `$$.Execution.Id` gives it. */
  executionArn: string;
  status: 'SUCCEEDED' | 'FAILED' | StopStatus;
  output?: ExecutionDocument;
  error?: string;
  cause?: string;
  timeline: TimelineEntry[];
  stateTransitions: number;
}

/** How a stopped execution ends: stopped from the console or the API, or past the state machine's TimeoutSeconds. */
type StopStatus = 'ABORTED' | 'TIMED_OUT';

/**
 * Stops the execution at a state, as StopExecution or the state machine's timeout would. At a Task state, `when` says
 * whether the task's work was done first ('after': a Lambda keeps running when its execution is stopped, so its change
 * is made) or not at all ('before'). At any other state, the execution stops as it enters it.
 */
export interface StopAt {
  state: string;
  /** Which time the execution is at that state (1-based; states on a retry path are entered more than once). */
  nth?: number;
  when?: 'before' | 'after';
  status?: StopStatus;
}

export interface RunLocalExecutionOptions {
  services: LocalServices;
  config: FederationConfig;
  input: unknown;
  executionName?: string;
  /** Milliseconds to wait before each retry instead of the ASL's backoff (tests use 0). Undefined keeps the ASL's. */
  retryIntervalMs?: number;
  /** Seconds that a task whose timeout comes from a path (the operator's wait) waits at most. Undefined keeps the path's. */
  pathTimeoutSeconds?: number;
  clock?: () => Date;
  operator?: OperatorDecision;
  /** Extra pause before every step, for sleep/ sleep-free role propagation retries. */
  sleep?: (ms: number) => Promise<void>;
  onEvent?: (entry: TimelineEntry) => void;
  stop?: StopAt;
  /**
   * Resume a failed, stopped or timed-out execution as Step Functions' RedriveExecution does: from the state that did
   * not succeed (`from`), with the input recorded there (`input`), the same name, and `$$.Execution.RedriveCount` set
   * to `count` (1 for the first redrive). The states before `from` do not run again.
   */
  redrive?: { from: string; count: number };
  /**
   * Another workflow than the registry's, for a test of the builder: a definition built from other steps
   * (statemachine/build.ts) and the functions its Tasks invoke. Default: statemachine/federation.asl.json and FUNCTIONS.
   */
  workflow?: { definition: object; functions: readonly PipelineFunction[] };
}
