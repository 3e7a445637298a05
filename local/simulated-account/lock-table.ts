import type { Operations } from './context';
import { conditionalCheckFailed } from './errors';
import { ok } from './support';

/** One item of the lock table, as the state machine's DynamoDB PutItem writes it. */
export interface LockItem {
  profile: string;
  owner: string;
  /** ISO-8601; string order is time order. */
  expiresAt: string;
  /** Epoch seconds, for the table's TTL. */
  ttl?: string;
}

export interface LockPutInput extends LockItem {
  /** The condition's `:now` (the state's EnteredTime); defaults to the account's clock. */
  now?: string;
}

/**
 * The per-profile lock table with DynamoDB's conditional semantics, as the ASL states them:
 * put succeeds when `attribute_not_exists(profile) OR expiresAt < :now OR owner = :owner`;
 * delete succeeds when `owner = :owner` (a missing item fails the condition, as in DynamoDB).
 */
export class SimulatedLockTable {
  private readonly items = new Map<string, LockItem>();

  public constructor(private readonly clock: () => Date) {}

  public readonly operations: Operations = {
    PutItem: (input: LockPutInput) => {
      const now = input.now ?? this.clock().toISOString();
      const held = this.items.get(input.profile);
      if (held && !(held.expiresAt < now) && held.owner !== input.owner) {
        throw conditionalCheckFailed(`The conditional request failed: profile ${input.profile} is locked by ${held.owner} until ${held.expiresAt}`);
      }
      const item: LockItem = { profile: input.profile, owner: input.owner, expiresAt: input.expiresAt };
      if (input.ttl !== undefined) item.ttl = input.ttl;
      this.items.set(input.profile, item);
      return ok({});
    },
    DeleteItem: (input: { profile: string; owner: string }) => {
      const held = this.items.get(input.profile);
      if (!held || held.owner !== input.owner) {
        throw conditionalCheckFailed(`The conditional request failed: profile ${input.profile} is not locked by ${input.owner}`);
      }
      this.items.delete(input.profile);
      return ok({});
    },
    GetItem: (input: { profile: string }) => {
      const held = this.items.get(input.profile);
      return ok(held ? { Item: { ...held } } : {});
    },
  };

  public snapshot(): Record<string, LockItem> {
    const out: Record<string, LockItem> = {};
    for (const [profile, item] of [...this.items.entries()].sort(([a], [b]) => a.localeCompare(b))) out[profile] = { ...item };
    return out;
  }
}
