import { MAX_MANUAL_TIMEOUT_SECONDS, type ResolvedProfile } from './profile';

/**
 * The per-profile lock item the state machine writes with a conditional put. It expires so that an execution that
 * was stopped (aborted, timed out: paths no Catch sees) cannot hold its profile for ever. The lease covers the longest
 * wait an execution can make (the operator's confirmation in manual mode) plus an hour for the steps themselves.
 * Step Functions cannot do date arithmetic, so Intake computes the expiry; `expiresAt` is an ISO-8601 string that the
 * condition compares with `$$.State.EnteredTime` (same format, so string order is time order).
 */
export interface LockLease {
  owner: string;
  expiresAt: string;
  /** Epoch seconds, for the table's TTL attribute, which removes stale items. */
  ttl: string;
}

export const LOCK_MARGIN_SECONDS = 3600;

/** The longest an execution can run: the longest operator wait and the margin. The state machine's TimeoutSeconds. */
export const MAX_EXECUTION_SECONDS = MAX_MANUAL_TIMEOUT_SECONDS + LOCK_MARGIN_SECONDS;

/**
 * A manual-mode execution waits on a person, who can make the wait start again (a task failure named like one of the
 * publish errors the wait retries): its lease lasts as long as any execution can, so it never lapses while the
 * execution is still alive. An API-mode execution has no wait and runs within the margin.
 */
export function lockLease(now: Date, executionName: string, profile: Pick<ResolvedProfile, 'attributeMapping'>): LockLease {
  const leaseSeconds = profile.attributeMapping.mode === 'manual' ? MAX_EXECUTION_SECONDS : LOCK_MARGIN_SECONDS;
  const expires = new Date(now.getTime() + leaseSeconds * 1000);
  return { owner: executionName, expiresAt: expires.toISOString(), ttl: String(Math.floor(expires.getTime() / 1000)) };
}
