import type { Operations } from './context';
import { conditionalCheckFailed } from './errors';
import { ok } from './support';

/** One item of the lock table, as the state machine's DynamoDB PutItem writes it. */
export interface LockItem {
  profile: string;
  owner: string;
  /** What every change is conditional on (lambdas/shared/lock.ts). */
  lease: string;
  /** ISO-8601; string order is time order. */
  expiresAt: string;
  /** Epoch seconds, for the table's TTL. */
  ttl?: string;
}

export interface LockPutInput extends LockItem {
  /** The condition's `:now` (the state's EnteredTime); defaults to the account's clock. */
  now?: string;
  /** The condition's `:replacing`: a lease the put may take over (the cleanup's, of a stopped execution); default `lease`. */
  replacing?: string;
}

/**
 * The per-profile lock table with DynamoDB's conditional semantics, as lambdas/shared/lock.ts states them
 * (LOCK_CONDITIONS): put succeeds when `attribute_not_exists(profile) OR expiresAt < :now OR lease = :lease OR
 * lease = :replacing`; delete succeeds when `lease = :lease` (a missing item fails the condition, as in DynamoDB); a
 * transaction's ConditionCheck (`lease = :lease AND expiresAt > :now`) is answered by `holds`.
 */
export class SimulatedLockTable {
  private readonly items = new Map<string, LockItem>();

  public constructor(private readonly clock: () => Date) {}

  public readonly operations: Operations = {
    PutItem: (input: LockPutInput) => {
      const now = input.now ?? this.clock().toISOString();
      const held = this.items.get(input.profile);
      const replacing = input.replacing ?? input.lease;
      if (held && !(held.expiresAt < now) && held.lease !== input.lease && held.lease !== replacing) {
        throw conditionalCheckFailed(`The conditional request failed: profile ${input.profile} is locked by ${held.owner} until ${held.expiresAt}`);
      }
      const item: LockItem = { profile: input.profile, owner: input.owner, lease: input.lease, expiresAt: input.expiresAt };
      if (input.ttl !== undefined) item.ttl = input.ttl;
      this.items.set(input.profile, item);
      return ok({});
    },
    DeleteItem: (input: { profile: string; lease: string }) => {
      const held = this.items.get(input.profile);
      if (!held || held.lease !== input.lease) {
        throw conditionalCheckFailed(`The conditional request failed: profile ${input.profile} is not locked under lease ${input.lease}`);
      }
      this.items.delete(input.profile);
      return ok({});
    },
    GetItem: (input: { profile: string }) => {
      const held = this.items.get(input.profile);
      return ok(held ? { Item: { ...held } } : {});
    },
  };

  /** The profile's lock item as it is (unlogged): what a record write's ConditionCheck and a lease check read. */
  public item(profile: string): LockItem | undefined {
    const held = this.items.get(profile);
    return held ? { ...held } : undefined;
  }

  public snapshot(): Record<string, LockItem> {
    const out: Record<string, LockItem> = {};
    for (const [profile, item] of [...this.items.entries()].sort(([a], [b]) => a.localeCompare(b))) out[profile] = { ...item };
    return out;
  }
}
