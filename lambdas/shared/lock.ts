import type { ResolvedProfile } from './profile';

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

export function lockLease(now: Date, executionName: string, profile: Pick<ResolvedProfile, 'attributeMapping'>): LockLease {
  const leaseSeconds = (profile.attributeMapping.mode === 'manual' ? profile.attributeMapping.manualTimeoutSeconds : 0) + LOCK_MARGIN_SECONDS;
  const expires = new Date(now.getTime() + leaseSeconds * 1000);
  return { owner: executionName, expiresAt: expires.toISOString(), ttl: String(Math.floor(expires.getTime() / 1000)) };
}
