import { type Principal, principalKey } from '../identity-center/assignments';

/**
 * What became of one assignment this execution set out to make, as the journal records it:
 * - `attempted`: written before the call; alone, the call's answer was never recorded (the function was stopped);
 * - `made`: the call succeeded (or, after an ambiguous failure, a listing showed it there);
 * - `not-made`: the call failed without effect (or a listing after an ambiguous failure showed it absent);
 * - `someone-else`: ConflictException: assigned by someone else between this execution's listing and its call.
 * Each carries a sequence number, because the journal unites what every attempt wrote: the latest outcome per
 * principal decides (a principal another execution held in one attempt may be this execution's in the next).
 */
export type Outcome = 'attempted' | 'made' | 'not-made' | 'someone-else';

export interface OutcomeRecord {
  principal: Principal;
  outcome: Outcome;
  seq: number;
}

/** The latest outcome of each principal, in the order first attempted. */
export function latestOutcomes(records: readonly OutcomeRecord[] = []): Map<string, OutcomeRecord> {
  const latest = new Map<string, OutcomeRecord>();
  for (const record of records) {
    const key = principalKey(record.principal);
    const seen = latest.get(key);
    if (!seen || record.seq >= seen.seq) latest.set(key, record);
  }
  return latest;
}

/**
 * The principals this execution assigned, from its journal: those whose latest outcome is `made`, and those only
 * `attempted` (the answer was lost with the function) that `isAssigned` says are there now, since nobody else assigned
 * them between this execution's listing and its call as far as anything recorded says.
 */
export function ownedFromJournal(records: readonly OutcomeRecord[] | undefined, isAssigned: (key: string) => boolean): Principal[] {
  return [...latestOutcomes(records).values()]
    .filter((record) => record.outcome === 'made' || (record.outcome === 'attempted' && isAssigned(principalKey(record.principal))))
    .map((record) => record.principal);
}
