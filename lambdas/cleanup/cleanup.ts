import { z } from 'zod';
import { describeOutcome, rollbackVerdict, SUBJECTS } from '../outcome/outcome';
import type { ExecutionDocument, RevertReport, StepName } from '../shared/document';
import { parseExecutionDocument } from '../shared/document-parse';
import { leaseOf } from '../shared/lock';
import { logger } from '../shared/logger';
import type { RecordKey, RecordStore } from '../shared/records';
import { STEP_NAMES } from '../steps';
import { LOCK_HELD, TRANSIENT_AWS_ERRORS } from '../workflow-errors';

/**
 * An execution can end without its own rollback path: stopped from the console (ABORTED), past the state machine's
 * TimeoutSeconds (TIMED_OUT), or failed where no Catch sees it (States.Runtime, a Lambda platform failure). Its changes
 * would stay and its profile lock would stay until the lease ends. EventBridge reports each such end; this cleanup runs
 * the revert chain for that execution from its own record, frees the lock only if that execution still holds it, and
 * notifies.
 */

/** The statuses the status-change rule forwards (SUCCEEDED never needs a cleanup). */
export const STOPPED_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/** The part of EventBridge's "Step Functions Execution Status Change" event the cleanup reads. */
const StatusChangeSchema = z.object({
  detail: z.object({
    executionArn: z.string().min(1),
    stateMachineArn: z.string().min(1),
    name: z.string().min(1),
    status: z.enum(STOPPED_STATUSES),
    /** Epoch milliseconds. */
    stopDate: z.number().nullish(),
  }),
});
type StatusChange = z.infer<typeof StatusChangeSchema>['detail'];

/** Step Functions' own record of the stopped execution: nobody but Step Functions writes it. */
export interface StoppedExecutionRecord {
  status: string;
  error?: string;
  cause?: string;
  /** Whether the execution reached one of its own end states (Fail or Succeed): its own path ran the reverts and freed the lock. */
  reachedEndState: boolean;
  /** The execution's state as the last state that completed left it: its request, profile and receipts. Undefined before Intake finished. */
  document?: unknown;
}

/** What the cleanup reaches: the execution's record, the lock table, each step's revert and the topic. */
export interface CleanupServices {
  /** The state machine whose executions this cleanup serves; an event about another is refused. */
  stateMachineArn: string;
  readExecution(executionArn: string): Promise<StoppedExecutionRecord>;
  /**
   * Conditional put, as the state machine takes the lock, that may also take over the lease `replacing`; throws an
   * error named LOCK_HELD while another lease runs.
   */
  takeLock(item: { profile: string; owner: string; lease: string; expiresAt: string }, now: string, replacing: string): Promise<void>;
  /** Conditional delete on the lease; throws an error named LOCK_HELD when `lease` does not hold it. */
  releaseLock(profile: string, lease: string): Promise<void>;
  /** The pipeline's record table: the cleanup records what it decided for each stopped execution, so it decides once. */
  records: RecordStore;
  /** The steps that wrote a journal entry for this execution (the pipeline's record table). */
  journalledSteps(request: ExecutionDocument['request']): Promise<StepName[]>;
  /** Runs the step's revert function on the document under `lease` (the deployed one, with its own role). */
  revert(step: StepName, document: ExecutionDocument, lease: string): Promise<RevertReport>;
  publish(subject: string, message: string): Promise<void>;
  now(): Date;
  sleep(ms: number): Promise<void>;
}

export interface CleanupResult {
  execution: string;
  status: string;
  /** `none`: the execution ran its own end; `nothing-changed`: it stopped before any change; `profile-busy`: another execution holds the profile, so nothing was reverted. */
  action: 'none' | 'nothing-changed' | 'profile-busy' | 'rolled-back' | 'rollback-incomplete' | 'already-cleaned';
  reverts: Partial<Record<StepName, RevertReport>>;
  lockReleased: boolean;
  message?: string;
}

/**
 * How long after the stop the cleanup waits before it reverts: a Lambda the stopped execution invoked keeps running to
 * its end (Step Functions does not stop it), so every step function's timeout, and a margin for its last call.
 */
export function settleMilliseconds(functionTimeoutsSeconds: readonly number[]): number {
  return (Math.max(0, ...functionTimeoutsSeconds) + 30) * 1000;
}

/** Attempts of each revert, and the wait before the first retry (doubling): the state machine's revert retriers, shortened. */
const REVERT_ATTEMPTS = 4;
const REVERT_BACKOFF_MS = 2000;

/** How long the cleanup holds the profile's lock: long enough for the reverts and their retries. */
const CLEANUP_LEASE_SECONDS = 3600;

function chain(): StepName[] {
  return [...STEP_NAMES].reverse();
}

function parseStatusChange(event: unknown, stateMachineArn: string): StatusChange {
  const parsed = StatusChangeSchema.safeParse(event);
  if (!parsed.success) {
    throw Object.assign(new Error(`cleanup: not a Step Functions status-change event of a stopped execution: ${parsed.error.issues[0]?.message}`), {
      name: 'Cleanup.InvalidEvent',
    });
  }
  const { detail } = parsed.data;
  if (detail.stateMachineArn !== stateMachineArn) {
    throw Object.assign(new Error(`cleanup: the event is about state machine ${detail.stateMachineArn}, not ${stateMachineArn}`), {
      name: 'Cleanup.InvalidEvent',
    });
  }
  return detail;
}

/** Runs one revert as the state machine would: transient errors are retried with backoff; anything else stops the chain. */
async function revertWithRetries(step: StepName, document: ExecutionDocument, lease: string, services: CleanupServices): Promise<RevertReport> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await services.revert(step, document, lease);
    } catch (error) {
      const name = (error as Error).name;
      const transient = TRANSIENT_AWS_ERRORS.includes(name) || name.startsWith('Lambda.');
      if (!transient || attempt >= REVERT_ATTEMPTS) throw error;
      await services.sleep(REVERT_BACKOFF_MS * 2 ** (attempt - 1));
    }
  }
}

function failureOf(change: StatusChange, record: StoppedExecutionRecord): { Error: string; Cause: string } {
  if (record.status === 'ABORTED') return { Error: 'Execution.Aborted', Cause: `execution ${change.name} was stopped before it ended` };
  if (record.status === 'TIMED_OUT')
    return { Error: 'States.Timeout', Cause: `execution ${change.name} ran past the state machine's TimeoutSeconds` };
  return { Error: record.error ?? 'States.Runtime', Cause: record.cause ?? `execution ${change.name} failed outside its own rollback path` };
}

/**
 * The reverts of every step, newest first, each under the cleanup's lease. The execution may have been stopped inside
 * its own rollback: the chain and its verdict start afresh. A revert that fails for good stops the chain; what is left
 * is that step and every earlier one that changed something.
 */
async function revertChain(
  document: ExecutionDocument,
  failure: { Error: string; Cause: string },
  lease: string,
  changed: readonly StepName[],
  services: CleanupServices,
): Promise<{
  started: ExecutionDocument;
  reverts: Partial<Record<StepName, RevertReport>>;
  stopped?: { failedRevert: StepName; stillToUndo: StepName[]; revertFailure: { Error: string; Cause: string } };
}> {
  const {
    reverts: _reverts,
    failure: _failure,
    rollbackIncomplete: _stopped,
    outcome: _outcome,
    ...started
  } = document as ExecutionDocument & { rollbackIncomplete?: unknown; outcome?: unknown };
  const reverts: Partial<Record<StepName, RevertReport>> = {};
  const steps = chain();
  for (const [index, step] of steps.entries()) {
    try {
      // The document runs under the cleanup's lease now: its reverts act under it, and only under it.
      reverts[step] = await revertWithRetries(step, { ...started, ...underLease(started, lease), failure, reverts }, lease, services);
    } catch (error) {
      const stillToUndo = steps.slice(index).filter((left) => left === step || changed.includes(left));
      return {
        started,
        reverts,
        stopped: { failedRevert: step, stillToUndo, revertFailure: { Error: (error as Error).name, Cause: (error as Error).message } },
      };
    }
  }
  return { started, reverts };
}

/**
 * Cleans up after a stopped execution: from Step Functions' record of it (never from anything a bucket writer can
 * touch), with the profile locked in that execution's name so no other execution works on the profile meanwhile.
 */
export async function cleanUpStoppedExecution(event: unknown, services: CleanupServices, settleMs: number): Promise<CleanupResult> {
  const change = parseStatusChange(event, services.stateMachineArn);
  const record = await services.readExecution(change.executionArn);
  const base = { execution: change.executionArn, status: record.status, reverts: {}, lockReleased: false };
  if (!(STOPPED_STATUSES as readonly string[]).includes(record.status) || record.reachedEndState) {
    logger.info('execution ended through its own path; nothing to clean up', { execution: change.executionArn, status: record.status });
    return { ...base, action: 'none' };
  }
  const document = record.document === undefined ? undefined : tryParse(record.document);
  if (!document || document.request.dryRun) {
    // Before Intake's document there is no lock and no change; a dry run takes no lock and changes nothing.
    return { ...base, action: 'nothing-changed' };
  }

  // A function the execution invoked may still be running; let it finish before undoing what it does.
  const stoppedAt = change.stopDate ?? services.now().getTime();
  const wait = stoppedAt + settleMs - services.now().getTime();
  if (wait > 0) await services.sleep(wait);

  const { profile, executionName } = document.request;
  // The stopped execution's lease (an earlier version's document has none: its name under redrive count 0), and the
  // cleanup's own, the same on every run of the cleanup for this execution so that a retried cleanup holds it again.
  const stoppedLease = document.lock?.lease ?? leaseOf(executionName, 0);
  const lease = cleanupLease(document.request);
  const changed = await changedSteps(document, services);
  if (changed.length === 0) {
    // Stopped before its first change (waiting for the lock, or just after taking it): only the lock may be left.
    const lockReleased = await release(profile, stoppedLease, services);
    const message = [
      `The execution ended ${record.status} before it changed anything${lockReleased ? '; this cleanup freed the profile lock it held' : ''}.`,
      `Profile: ${profile}`,
      `Execution: ${change.executionArn}`,
    ].join('\n');
    if (lockReleased) await services.publish(SUBJECTS.stoppedUnchanged, message);
    return { ...base, action: 'nothing-changed', lockReleased, message };
  }

  // EventBridge may deliver the event twice, and Lambda retries a cleanup that failed: whatever was decided for this
  // execution stands, so a second run never reverts over work done since (another execution's, after the lock was freed).
  const markerKey = cleanupKey(document.request);
  const marker = await services.records.get(markerKey);
  const earlier = marker ? (JSON.parse(marker.body) as CleanupMarker) : undefined;
  if (earlier?.stage === 'decided' || earlier?.stage === 'notified') {
    const lockReleased = earlier.action === 'profile-busy' ? false : await release(profile, lease, services);
    if (earlier.stage === 'decided') await notify(services, markerKey, earlier, marker?.revision);
    return { ...base, action: 'already-cleaned', lockReleased, message: earlier.message };
  }
  // Claimed before anything else, so that two runs at once never both revert (the second fails, and is retried later).
  const claimed = earlier ? (marker?.revision ?? 0) : await claim(services, markerKey);

  const now = services.now();
  const expiresAt = new Date(now.getTime() + CLEANUP_LEASE_SECONDS * 1000).toISOString();
  try {
    // Under the cleanup's own lease, taken over from the stopped execution's, or on a free profile; never one another
    // execution holds. From here on a redrive of the stopped execution no longer holds the profile.
    await services.takeLock({ profile, owner: `${executionName} (cleanup)`, lease, expiresAt }, now.toISOString(), stoppedLease);
  } catch (error) {
    if ((error as Error).name !== LOCK_HELD) throw error;
    // Another execution took the profile after this one's lease ended: undoing now could undo its work.
    const message = [
      'Outcome: ROLLBACK INCOMPLETE, action needed',
      `Profile: ${profile}`,
      `Execution: ${change.executionArn} (${record.status})`,
      `The execution stopped outside its own rollback path after changing the ${changed.join(', ')} step(s), and another execution now holds profile ${profile}, so nothing was reverted: its receipts (in the execution's history) and its journal list the changes. Revert them by hand once the profile is free.`,
    ].join('\n');
    const decided = await decide(
      services,
      markerKey,
      { stage: 'decided', action: 'profile-busy', subject: SUBJECTS.rollbackIncomplete, message },
      claimed,
    );
    await notify(services, markerKey, decided.marker, decided.revision);
    return { ...base, action: 'profile-busy', message };
  }

  const failure = failureOf(change, record);
  const { started, reverts, stopped } = await revertChain(document, failure, lease, changed, services);
  const state = { ...started, failure, reverts, ...(stopped ? { rollbackIncomplete: stopped } : {}) };
  const verdict = rollbackVerdict(state);
  const outcome = describeOutcome({ ending: 'rolledBack', document: state, executionId: change.executionArn });
  const message = [
    `The execution ended ${record.status} outside its own rollback path; this cleanup ran its reverts and freed the profile lock it held.`,
    outcome.message,
  ].join('\n');
  const action = verdict.incomplete ? 'rollback-incomplete' : 'rolled-back';
  // Recorded before the lock is freed: once another execution can take the profile, no run of this cleanup reverts again.
  const decided = await decide(services, markerKey, { stage: 'decided', action, subject: outcome.subject, message }, claimed);
  const lockReleased = await release(profile, lease, services);
  await notify(services, markerKey, decided.marker, decided.revision);
  logger.info('cleaned up a stopped execution', { execution: change.executionArn, verdict: verdict.Error, lockReleased });
  return { ...base, action, reverts, lockReleased, message };
}

/** What the cleanup decided for a stopped execution, in the record table (`cleanup#<execution>` / its start time). */
interface CleanupMarker {
  stage: 'started' | 'decided' | 'notified';
  action?: CleanupResult['action'];
  subject?: string;
  message?: string;
}

function cleanupKey(request: ExecutionDocument['request']): RecordKey {
  return { pk: `cleanup#${request.executionName}`, sk: request.executionStartTime ?? 'start time unknown' };
}

async function claim(services: CleanupServices, key: RecordKey): Promise<number> {
  await services.records.put(key, JSON.stringify({ stage: 'started' } satisfies CleanupMarker), undefined);
  return 1;
}

async function decide(
  services: CleanupServices,
  key: RecordKey,
  marker: CleanupMarker,
  replaces: number,
): Promise<{ marker: CleanupMarker; revision: number }> {
  await services.records.put(key, JSON.stringify(marker), replaces);
  return { marker, revision: replaces + 1 };
}

async function notify(services: CleanupServices, key: RecordKey, marker: CleanupMarker, revision: number | undefined): Promise<void> {
  if (marker.subject && marker.message) await services.publish(marker.subject, marker.message);
  await services.records.put(key, JSON.stringify({ ...marker, stage: 'notified' } satisfies CleanupMarker), revision);
}

/** The document as a holder of `lease` runs it (the cleanup, undo): its lock names that lease. */
export function underLease(document: ExecutionDocument, lease: string): Pick<ExecutionDocument, 'lock'> {
  return document.lock ? { lock: { ...document.lock, lease } } : {};
}

/** The cleanup's lease on a stopped execution's profile: one per execution (its name and start time). */
export function cleanupLease(request: Pick<ExecutionDocument['request'], 'executionName' | 'executionStartTime'>): string {
  return `cleanup#${request.executionName}#${request.executionStartTime ?? ''}`;
}

/** Frees the profile's lock only if `lease` holds it. */
async function release(profile: string, lease: string, services: CleanupServices): Promise<boolean> {
  try {
    await services.releaseLock(profile, lease);
    return true;
  } catch (error) {
    if ((error as Error).name !== LOCK_HELD) throw error;
    return false;
  }
}

/** The steps this execution changed or set out to change: by its receipts, or by its journal when a step threw or was stopped. */
async function changedSteps(document: ExecutionDocument, services: CleanupServices): Promise<StepName[]> {
  const journalled = await services.journalledSteps(document.request);
  return STEP_NAMES.filter((step) => {
    const action = document.receipts?.[step]?.action;
    return action === 'created' || action === 'updated' || journalled.includes(step);
  });
}

function tryParse(document: unknown): ExecutionDocument | undefined {
  try {
    return parseExecutionDocument(document);
  } catch {
    return undefined;
  }
}
