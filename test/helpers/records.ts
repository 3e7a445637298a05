/**
 * The pipeline's record table in a simulated account (lambdas/shared/records.ts): what a step journalled or saved, as
 * a test reads it, and records a test plants as an earlier execution (or an attacker with table access) would.
 */
import type { StepName } from '../../lambdas/shared/document';
import { journalKey } from '../../lambdas/shared/journal';
import type { RecordKey } from '../../lambdas/shared/records';
import type { SimulatedAccount } from '../../simulated-account';

/** A record's body as JSON, or undefined when the table has none under `key`. */
export function recordJson<T = any>(account: SimulatedAccount, key: RecordKey): T | undefined {
  const item = account.records().find((record) => record.pk === key.pk && record.sk === key.sk);
  return item === undefined ? undefined : (JSON.parse(item.body) as T);
}

/** An execution's journal entry for a step, or undefined when the step wrote none. */
export function journalJson<T = any>(account: SimulatedAccount, executionName: string, step: StepName): T | undefined {
  return recordJson<T>(account, journalKey({ executionName }, step));
}

/** Writes a record (unlogged), replacing whatever was there. */
export async function plantRecord(account: SimulatedAccount, key: RecordKey, body: unknown): Promise<void> {
  await account.seed(async ({ records }) => {
    const held = await records.get(key);
    await records.put(key, JSON.stringify(body), held?.revision);
  });
}
