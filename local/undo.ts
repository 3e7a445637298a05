import { randomUUID } from 'node:crypto';
import { desiredMapping } from '../lambdas/attribute-mapping/mapping';
import { underLease } from '../lambdas/cleanup/cleanup';
import type { ExecutionDocument, RevertReport, StepName } from '../lambdas/shared/document';
import { changedSince as footprintChangedSince, merged, UNREADABLE } from '../lambdas/shared/footprint';
import { ROLE_ATTRIBUTE } from '../lambdas/shared/profile-schema';
import { STEP_NAMES, STEPS } from '../lambdas/steps';
import { profileStatus, type StatusDeps } from './status';

/** What status reads with, and what an undo changes through. */
export interface UndoDeps extends StatusDeps {
  /** Runs a step's revert on the execution's document under `lease`, as the deployed revert function would. */
  revert(step: StepName, document: ExecutionDocument, lease: string): Promise<RevertReport>;
  /** Takes the profile's lock (free or expired only: undo never takes over another holder's lease). */
  takeLock(item: { profile: string; owner: string; lease: string; expiresAt: string }, now: string, replacing: string): Promise<void> | void;
  releaseLock(profile: string, lease: string): Promise<void> | void;
}

export interface UndoResult {
  action: 'undone' | 'refused';
  /** Why it refused: what changed since the execution, one sentence each. */
  changedSince: string[];
  reports: RevertReport[];
}

/** The actions after which a step left something of its own to undo. */
const UNDOABLE = new Set(['created', 'updated', 'pending-confirmation']);

/**
 * What the execution left that is no longer there as it left it: a later execution (or a person) changed it, and an
 * undo would overwrite that change with what was there before this execution. Every step's footprint (what it left,
 * field by field: lambdas/shared/footprint.ts) is compared with the account now, the later step's value winning where
 * two steps touched one field (the policy step's attachments on the role step's role).
 */
async function changedSince(doc: ExecutionDocument, deps: UndoDeps): Promise<string[]> {
  const receipts = doc.receipts ?? {};
  const undoable = STEPS.filter((step) => {
    const receipt = receipts[step.name];
    return receipt !== undefined && UNDOABLE.has(receipt.action);
  });
  const recorded = undoable.flatMap((step) => {
    const footprint = receipts[step.name]?.footprint;
    return footprint ? [{ step, footprint }] : [];
  });
  // An execution of an earlier version of the pipeline recorded no footprints: the checks it can still make.
  if (recorded.length < undoable.filter((step) => receipts[step.name]?.action !== 'pending-confirmation').length)
    return legacyChangedSince(doc, deps);
  const left = merged(recorded.flatMap(({ footprint }) => [footprint.left, footprint.shared]));
  const now = merged(await Promise.all(recorded.map(({ step }) => step.readFootprint(doc, deps))));
  // What the account will not show (the console API may not return a mapping) cannot be shown unchanged: refused.
  const unreadable = Object.keys(left)
    .filter((key) => now[key] === UNREADABLE)
    .map((key) => `${key} cannot be read (the console API does not return it), so whether it changed since is unknown: undo it by hand`);
  return [...footprintChangedSince(left, now), ...unreadable];
}

/** What an execution recorded without footprints let undo check: the provider's document, the role's settings, the policy's document and the Role attribute. */
async function legacyChangedSince(doc: ExecutionDocument, deps: UndoDeps): Promise<string[]> {
  const receipts = doc.receipts ?? {};
  const undoable = (step: StepName) => receipts[step] !== undefined && UNDOABLE.has(receipts[step].action);
  // The account as it is now, read once, as `status` reads it.
  const now = await profileStatus(doc.profile, deps);
  const changed: string[] = [];
  if (undoable('identityProvider') && now.provider.metadataSha256 !== doc.request.sha256)
    changed.push(`the SAML provider ${now.provider.arn} no longer holds the metadata this execution installed`);
  if (undoable('role')) {
    const arn = receipts.role?.arn ?? now.role.arn;
    if (!now.role.exists) changed.push(`the role ${arn} no longer exists`);
    else {
      if (!now.role.trustsProvider) changed.push(`the role ${arn} no longer has the trust policy this execution set`);
      if (now.role.maxSessionDuration !== doc.profile.role.maxSessionDuration)
        changed.push(
          `the role ${arn} has a maximum session of ${now.role.maxSessionDuration} s, not the ${doc.profile.role.maxSessionDuration} s this execution set`,
        );
    }
  }
  if (undoable('policy') && now.policy.matchesInstance === false)
    changed.push(`the policy ${now.policy.arn} no longer has the document this execution set`);
  const wrote = desiredMapping(doc).attributes[ROLE_ATTRIBUTE];
  if (undoable('attributeMapping') && wrote && !now.mapping.roleAttribute?.includes(wrote))
    changed.push(`the application's Role attribute is no longer the ${wrote} this execution wrote`);
  return changed;
}

/**
 * Undoes a past execution that succeeded: the revert of each step that changed something, newest first, from the
 * execution's own document and journal, under the profile's lock. It refuses, changing nothing, when what the
 * execution left has changed since (a later execution or a person), since the reverts would put back what was there
 * before this execution over that newer change.
 */
export async function undoExecution(doc: ExecutionDocument, deps: UndoDeps): Promise<UndoResult> {
  if (doc.request.dryRun) return { action: 'refused', changedSince: ['the execution was a dry run: it changed nothing'], reports: [] };
  const changed = await changedSince(doc, deps);
  if (changed.length > 0) return { action: 'refused', changedSince: changed, reports: [] };
  const owner = `undo-${doc.request.executionName}`;
  // A lease of its own, for this undo only: its reverts change nothing unless the lock still holds it.
  const lease = `undo#${doc.request.executionName}#${randomUUID()}`;
  const now = deps.now();
  await deps.takeLock(
    { profile: doc.profile.name, owner, lease, expiresAt: new Date(now.getTime() + 15 * 60_000).toISOString() },
    now.toISOString(),
    lease,
  );
  const reports: RevertReport[] = [];
  try {
    for (const step of [...STEP_NAMES].reverse()) {
      const receipt = doc.receipts?.[step];
      if (receipt && UNDOABLE.has(receipt.action)) reports.push(await deps.revert(step, { ...doc, ...underLease(doc, lease) }, lease));
    }
  } finally {
    await deps.releaseLock(doc.profile.name, lease);
  }
  return { action: 'undone', changedSince: [], reports };
}
