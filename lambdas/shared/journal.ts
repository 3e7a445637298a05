import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import type { ExecutionRequest, StepName } from './document';
import type { StepFootprint } from './footprint';
import type { RecordKey, RecordStore } from './records';

/**
 * A step that throws returns no receipt, yet may already have changed something (the role created, then tagging
 * failed). So before its first change a step writes down what was there, and its revert reads this entry when the
 * receipt is missing. One entry per execution and step, in the pipeline's record table (lambdas/shared/records.ts),
 * which only the pipeline's functions can write: an uploader of metadata cannot forge what a revert restores.
 */
export interface JournalEntry<Previous = unknown> {
  step: StepName;
  executionName: string;
  /** The execution's start time: an entry of an earlier execution with the same name is not this one's. */
  executionStartTime?: string;
  writtenAt: string;
  /** What the step was about to do, for people reading the bucket. */
  intent: string[];
  /** The state before the change, in the same shape as the receipt's `previous` (undefined: nothing existed). */
  previous?: Previous;
  /** Step-specific facts the revert needs (ARNs, version ids). */
  details?: Record<string, unknown>;
  /** The step's resources as it found them and as it is about to leave them (the first attempt's, carried by the retries). */
  footprint?: StepFootprint;
}

export function journalKey(request: Pick<ExecutionRequest, 'executionName'>, step: StepName): RecordKey {
  return { pk: `journal#${request.executionName}`, sk: step };
}

/**
 * Writes the step's journal entry before a change. A step the state machine retries (its first attempt changed
 * something, then failed or lost the answer) writes again: the entry keeps the first attempt's `previous`, which is
 * the state before this execution, and gathers the intents and details of every attempt (arrays are united), so a
 * revert undoes what any attempt did.
 */
export async function writeJournal<Previous>(
  records: RecordStore,
  request: ExecutionRequest,
  entry: Omit<JournalEntry<Previous>, 'executionName' | 'writtenAt' | 'step'> & { step: StepName },
  now: () => Date = () => new Date(),
): Promise<JournalEntry<Previous>> {
  const key = journalKey(request, entry.step);
  const stored = await records.get(key);
  // Another execution's entry under the same name is replaced, never merged.
  const earlier = stored ? ownEntry<Previous>(stored.body, request) : undefined;
  const body: JournalEntry<Previous> = earlier
    ? {
        ...entry,
        previous: earlier.previous,
        // A step passes the footprint its first attempt journalled, amended only by what it learns (a policy found).
        ...(earlier.footprint || entry.footprint ? { footprint: entry.footprint ?? earlier.footprint } : {}),
        intent: unite(earlier.intent, entry.intent),
        details: mergeDetails(earlier.details, entry.details),
        ...stamp(request),
        writtenAt: now().toISOString(),
      }
    : { ...entry, ...stamp(request), writtenAt: now().toISOString() };
  if (body.details === undefined) delete body.details;
  if (earlier && !('previous' in earlier)) delete body.previous;
  await records.put(key, JSON.stringify(body), stored?.revision);
  return body;
}

/** `a` followed by the items of `b` it lacks (compared as JSON). */
export function unite<T>(a: readonly T[] = [], b: readonly T[] = []): T[] {
  const seen = new Set(a.map((item) => JSON.stringify(item)));
  return [...a, ...b.filter((item) => !seen.has(JSON.stringify(item)))];
}

function mergeDetails(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!a) return b;
  if (!b) return a;
  const merged: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const before = merged[key];
    merged[key] = Array.isArray(before) && Array.isArray(value) ? unite(before, value) : value === undefined ? before : value;
  }
  return merged;
}

/** An object's text; S3 always sends a body with a GetObject answer, so one without is refused rather than read as empty. */
export async function objectText(response: GetObjectCommandOutput, location: string): Promise<string> {
  if (!response.Body) throw new Error(`GetObject ${location} answered without a body`);
  return response.Body.transformToString('utf-8');
}

/** The step's journal entry, or undefined when this execution never got as far as writing one. */
export async function readJournal<Previous>(
  records: RecordStore,
  request: Pick<ExecutionRequest, 'executionName' | 'executionStartTime'>,
  step: StepName,
): Promise<JournalEntry<Previous> | undefined> {
  const stored = await records.get(journalKey(request, step));
  return stored ? ownEntry<Previous>(stored.body, request) : undefined;
}

function stamp(request: Pick<ExecutionRequest, 'executionName' | 'executionStartTime'>): Pick<JournalEntry, 'executionName' | 'executionStartTime'> {
  return { executionName: request.executionName, ...(request.executionStartTime ? { executionStartTime: request.executionStartTime } : {}) };
}

/** The entry, if it is this execution's: written by an execution of this name that started when this one did. */
function ownEntry<Previous>(body: string, request: Pick<ExecutionRequest, 'executionStartTime'>): JournalEntry<Previous> | undefined {
  const entry = JSON.parse(body) as JournalEntry<Previous>;
  return entry.executionStartTime === request.executionStartTime ? entry : undefined;
}

/** The steps that wrote a journal entry for this execution, in the registry's order. */
export async function journalledSteps(
  records: RecordStore,
  request: Pick<ExecutionRequest, 'executionName' | 'executionStartTime'>,
  steps: readonly StepName[],
): Promise<StepName[]> {
  const found = await Promise.all(steps.map(async (step) => ((await readJournal(records, request, step)) ? [step] : [])));
  return found.flat();
}

/** Reads the metadata document this execution was started for, pinned to its version. */
export async function readMetadataDocument(s3: S3Client, request: ExecutionRequest): Promise<string> {
  const response = await s3.send(new GetObjectCommand({ Bucket: request.bucket, Key: request.key, VersionId: request.versionId }));
  return objectText(response, `s3://${request.bucket}/${request.key}?versionId=${request.versionId}`);
}

/**
 * Writes down, right before a revert's first change, what it is about to undo: the revert's own entry beside the
 * step's (`<step>#revert`). Written under the lease of whoever runs the revert (the execution, its cleanup, undo), it
 * is the write a revert without the profile's lease cannot make, so such a revert changes nothing (Lock.NotHeld).
 */
export async function journalRevert(
  records: RecordStore,
  request: Pick<ExecutionRequest, 'executionName' | 'executionStartTime'>,
  step: StepName,
  intent: string[],
  now: () => Date = () => new Date(),
): Promise<void> {
  const key = { pk: `journal#${request.executionName}`, sk: `${step}#revert` };
  const stored = await records.get(key);
  const earlier = stored ? ownEntry(stored.body, request) : undefined;
  const body = { step, ...stamp(request), writtenAt: now().toISOString(), intent: unite(earlier?.intent, intent) };
  await records.put(key, JSON.stringify(body), stored?.revision);
}

/** `journalRevert` once, before the first of a revert's changes, however many it makes. */
export function revertClaim(
  records: RecordStore,
  request: Pick<ExecutionRequest, 'executionName' | 'executionStartTime'>,
  step: StepName,
  intent: string[],
  now?: () => Date,
): () => Promise<void> {
  let claimed: Promise<void> | undefined;
  return () => {
    claimed ??= journalRevert(records, request, step, intent, now);
    return claimed;
  };
}
