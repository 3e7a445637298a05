import { FederationError } from './errors';
import type { ResolvedProfile } from './profile';
import { MAX_MANUAL_TIMEOUT_SECONDS } from './profile-schema';

/**
 * The per-profile lock item the state machine writes with a conditional put. It expires so that an execution that
 * was stopped (aborted, timed out: paths no Catch sees) cannot hold its profile for ever. The lease covers the longest
 * wait an execution can make (the operator's confirmation in manual mode) plus an hour for the steps themselves.
 * Step Functions cannot do date arithmetic, so Intake computes the expiry; `expiresAt` is an ISO-8601 string that the
 * condition compares with `$$.State.EnteredTime` (same format, so string order is time order).
 *
 * The item names its holder twice: `owner`, the execution's name, for people; and `lease`, which every change is made
 * conditional on. An execution's lease is its name and the redrive count it was validated in: Step Functions can
 * redrive a failed or stopped execution under the same name for 14 days, and that run must not pass for the one that
 * took the lock (nor for the cleanup, which takes the profile with a lease of its own after a stop).
 */
export interface LockLease {
  owner: string;
  /** `<execution name>#<redrive count>`: what the lock item and every change's condition carry. */
  lease: string;
  expiresAt: string;
  /** Epoch seconds, for the table's TTL attribute, which removes stale items. */
  ttl: string;
}

export const LOCK_MARGIN_SECONDS = 3600;

/** The longest an execution can run: the longest operator wait and the margin. The state machine's TimeoutSeconds. */
export const MAX_EXECUTION_SECONDS = MAX_MANUAL_TIMEOUT_SECONDS + LOCK_MARGIN_SECONDS;

/**
 * An execution's lease: what `States.Format('{}#{}', $$.Execution.Name, $$.Execution.RedriveCount)` gives each of its
 * states (the ASL passes it to every step function). `$$.Execution.RedriveCount` is 0 until the execution is redriven
 * (Step Functions developer guide, "Context object").
 */
export function leaseOf(executionName: string, redriveCount: number): string {
  return `${executionName}#${redriveCount}`;
}

/**
 * A manual-mode execution waits on a person, who can make the wait start again (a task failure named like one of the
 * publish errors the wait retries): its lease lasts as long as any execution can, so it never lapses while the
 * execution is still alive. An API-mode execution has no wait and runs within the margin.
 */
export function lockLease(now: Date, executionName: string, profile: Pick<ResolvedProfile, 'attributeMapping'>, redriveCount = 0): LockLease {
  const leaseSeconds = profile.attributeMapping.mode === 'manual' ? MAX_EXECUTION_SECONDS : LOCK_MARGIN_SECONDS;
  const expires = new Date(now.getTime() + leaseSeconds * 1000);
  return {
    owner: executionName,
    lease: leaseOf(executionName, redriveCount),
    expiresAt: expires.toISOString(),
    ttl: String(Math.floor(expires.getTime() / 1000)),
  };
}

/** What a change is made conditional on: the profile's lock item holds this lease and has not expired at `now`. */
export interface LeaseCondition {
  profile: string;
  lease: string;
  /** ISO-8601, compared with the item's `expiresAt`. */
  now: string;
}

/**
 * The lock table's conditions, written once: the state machine's "Take profile lock" and "Release profile lock" states
 * use the same expressions (a test holds statemachine/federation.asl.json to them), and so do the cleanup and undo.
 * Taking succeeds on a free or expired item, or one held by the same lease (a retry) or by the lease being replaced
 * (the cleanup taking over a stopped execution's profile).
 */
export const LOCK_CONDITIONS = {
  take: 'attribute_not_exists(#profile) OR #expiresAt < :now OR #lease = :lease OR #lease = :replacing',
  release: '#lease = :lease',
  held: '#lease = :lease AND #expiresAt > :now',
} as const;

/**
 * Thrown when a change would be made without the profile's lease: the lock item no longer holds this lease (the
 * execution was redriven after its cleanup, or its lease ran out and another execution took the profile). Nothing was
 * changed. Not retried: waiting does not give the lease back.
 */
export class LockNotHeldError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Lock.NotHeld';
  }
}
