import type { LockLease } from './lock';
import type { ResolvedProfile } from './profile';

/**
 * The execution document: the JSON that passes from state to state.
 * The metadata XML itself never travels in it; a step that needs the XML reads `bucket/key` at `versionId` again.
 */
export interface ExecutionRequest {
  bucket: string;
  key: string;
  versionId: string;
  /** Hex SHA-256 of the metadata document's bytes. */
  sha256: string;
  /** Size of the object in bytes. */
  size: number;
  /** Name of the profile selected by the key prefix `metadata/<profile>/`. */
  profile: string;
  dryRun: boolean;
  /** The Step Functions execution name: keys the journal, backups and the `execution` tag. */
  executionName: string;
  /**
   * When the execution started (`$$.Execution.StartTime`). Step Functions lets a name be used again 90 days after its
   * execution closed: the journal keeps the start time so a later execution of the same name never reads the earlier
   * one's entries as its own.
   */
  executionStartTime?: string;
  /** Pipeline name, from the configuration; used in tags. */
  pipelineName: string;
  account: string;
  region: string;
  partition: string;
  /**
   * How the execution was started: an upload's event, a manual input naming an object, or a manual or scheduled input
   * naming only the profile, for which Intake fetched the metadata from the profile's IAM Identity Center application.
   */
  source: 'eventbridge' | 'manual' | 'application';
  /**
   * The profile's application is to be created first (application.create, and it did not exist at Intake): the
   * metadata is taken from it after the application step, and until then `versionId`, `sha256` and the metadata are
   * placeholders no step reads.
   */
  applicationPending?: boolean;
}

export interface CertificateSummary {
  sha256Fingerprint: string;
  notBefore: string;
  notAfter: string;
  subject: string;
}

export interface MetadataSummary {
  entityId: string;
  certificates: CertificateSummary[];
  validUntil?: string;
  /** Human-readable warnings, e.g. a certificate that expires within 30 days. */
  warnings: string[];
}

/**
 * A step's name as the registry gives it (lambdas/steps.ts, `STEP_NAMES`): the key of its receipt, its revert's
 * report and its journal entries. The ground floor knows no step, so any name is one here; the registry's own type
 * (`RegisteredStep`) narrows it where the steps are known.
 */
export type StepName = string;

type ReceiptAction = 'created' | 'updated' | 'unchanged' | 'planned' | 'pending-confirmation';

/** What a step did, so that its revert undoes exactly that and nothing else. */
export interface Receipt<Previous = unknown> {
  step: StepName;
  action: ReceiptAction;
  /** The resource the step manages (provider, role, policy, application). */
  arn: string;
  /** What was there before: enough for the revert to restore it. Absent when the resource did not exist. */
  previous?: Previous;
  /** One line per change made (or, in a dry run, planned), for people. */
  changes: string[];
  /** Step-specific facts a later step or the revert needs. */
  details?: Record<string, unknown>;
  /** What the step found that a person should act on and that is not a change (a Connect user missing), one line each. */
  notices?: string[];
  /**
   * For a step that changed something: its resources as it found them and as it left them (lambdas/shared/footprint.ts).
   * A revert restores only over what the step left; `undo` refuses whatever differs from it now.
   */
  footprint?: StepFootprint;
}

/** A step's resources field by field: what lambdas/shared/footprint.ts compares. */
export type Footprint = Record<string, string>;

export interface StepFootprint {
  before: Footprint;
  left: Footprint;
  /**
   * Fields of a resource another step owns, as this step leaves them (the policy step's attachments change the role's
   * list of attached policies): what `undo` expects to find, never what this step's own revert guards.
   */
  shared?: Footprint;
}

/** What a revert did. */
export interface RevertReport {
  step: StepName;
  /** `left-in-place`: something this execution created or changed is still there; `leftInPlace` says what and why. */
  action: 'deleted' | 'restored' | 'nothing-to-do' | 'left-in-place';
  changes: string[];
  /** What the revert could not undo or could not confirm was this execution's, one sentence each, for a person. */
  leftInPlace?: string[];
}

export interface ExecutionDocument {
  request: ExecutionRequest;
  profile: ResolvedProfile;
  metadata: MetadataSummary;
  /** The per-profile lock this execution takes (lambdas/shared/lock.ts). */
  lock?: LockLease;
  receipts?: Partial<Record<StepName, Receipt>>;
  reverts?: Partial<Record<StepName, RevertReport>>;
  /** Set by the state machine's Catch on the rollback path. */
  failure?: { Error: string; Cause: string };
}
