import { CreateApplicationAssignmentCommand } from '@aws-sdk/client-sso-admin';
import { currentAssignments, type Principal, principalKey } from '../identity-center/assignments';
import { translateSsoAdminError } from '../identity-center/errors';
import { applicationArnOf } from '../identity-center/locate';
import type { StepDeps } from '../runtime/function';
import type { ExecutionDocument, Receipt } from '../shared/document';
import type { Footprint } from '../shared/footprint';
import { readJournal, writeJournal } from '../shared/journal';
import { logger } from '../shared/logger';
import { describePrincipal, resolvePrincipals, wantedNames } from './assignments';
import { assignmentsFootprintOf, assignmentsLeave } from './footprint';
import { type Outcome, type OutcomeRecord, ownedFromJournal } from './outcomes';

const STEP = 'assignments' as const;

/** The receipt's and the journal's `details`. */
export interface AssignmentsDetails {
  applicationArn?: string;
  /** Principals this execution assigned (receipt). */
  added: Principal[];
  /** What became of each assignment this execution set out to make (journal; see outcomes.ts). */
  outcomes?: OutcomeRecord[];
}

export type AssignmentsReceipt = Receipt & { step: 'assignments'; details: AssignmentsDetails };

/** An error that says the call had no effect: a client fault other than a conflict (refused, invalid, not found). */
function surelyNotMade(error: unknown): boolean {
  const { name, $fault } = error as { name?: string; $fault?: string };
  return $fault === 'client' && name !== 'ConflictException' && name !== 'ThrottlingException';
}

/**
 * Assigns the profile's groups and users to its IAM Identity Center application (public sso-admin
 * CreateApplicationAssignment), those not assigned yet only. Each assignment is journalled before it is made and its
 * outcome after, so a revert removes exactly the ones this execution made, never one made by hand.
 */
export async function applyAssignments(doc: ExecutionDocument, deps: StepDeps): Promise<AssignmentsReceipt> {
  const { profile, request } = doc;
  const now = deps.now;
  const named = profile.application.arn ?? profile.application.displayName ?? '';
  if (wantedNames(profile).length === 0) {
    return { step: STEP, action: request.dryRun ? 'planned' : 'unchanged', arn: named, changes: [], details: { added: [] } };
  }
  const { applicationArn } = await applicationArnOf(deps.ssoAdmin, profile.application, {
    account: request.account,
    region: request.region,
    profile: profile.name,
  });
  const principals = await resolvePrincipals(deps, profile, applicationArn);
  const assigned = await currentAssignments(deps.ssoAdmin, applicationArn);
  const missing = principals.filter((principal) => !assigned.has(principalKey(principal)));
  const receipt = (action: AssignmentsReceipt['action'], changes: string[], added: Principal[], before?: Footprint): AssignmentsReceipt => ({
    step: STEP,
    action,
    arn: applicationArn,
    changes,
    details: { applicationArn, added },
    // For undo: who this execution found assigned and whom it added. The revert needs no comparison: it removes
    // exactly the assignments it made, one by one, and one removed since is simply gone already.
    ...(before && added.length > 0 ? { footprint: { before, left: assignmentsLeave(before, applicationArn, added) } } : {}),
  });
  if (request.dryRun) {
    return receipt('planned', missing.length === 0 ? [] : missing.map((p) => `would assign ${describePrincipal(p)} to the application`), []);
  }

  // A retry of this execution (an earlier attempt assigned someone, then failed or lost the answer) finds them
  // assigned already: the journal's outcomes say which are this execution's, for the receipt and the revert.
  const journal = await readJournal(deps.records, request, STEP);
  const journalled = journal?.details as AssignmentsDetails | undefined;
  const sameApplication = journalled?.applicationArn === undefined || journalled.applicationArn === applicationArn;
  const earlier = sameApplication ? ownedFromJournal(journalled?.outcomes, (key) => assigned.has(key)) : [];
  let seq = journalled?.outcomes?.length ?? 0;
  const record = async (principal: Principal, outcome: Outcome, intent: string[] = []) => {
    seq += 1;
    await writeJournal(deps.records, request, { step: STEP, intent, details: { applicationArn, outcomes: [{ principal, outcome, seq }] } }, now);
  };

  const added: Principal[] = [...earlier];
  const changes: string[] = earlier.map((p) => `assigned ${describePrincipal(p)} (${p.principalId})`);
  for (const principal of missing) {
    await record(principal, 'attempted', [`assign ${describePrincipal(principal)} (${principal.principalId}) to ${applicationArn}`]);
    try {
      await deps.ssoAdmin.send(
        new CreateApplicationAssignmentCommand({
          ApplicationArn: applicationArn,
          PrincipalId: principal.principalId,
          PrincipalType: principal.principalType,
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'ConflictException') {
        // Assigned by someone else between the listing and this call (the client does not resend a request, so it
        // cannot be this call's own earlier try): theirs, and a revert leaves it.
        await record(principal, 'someone-else');
        changes.push(`${describePrincipal(principal)} was assigned meanwhile by someone else; left as it is`);
        continue;
      }
      if (surelyNotMade(error)) {
        await record(principal, 'not-made');
      } else {
        // The call may or may not have taken effect (a 5xx, a lost connection): look now, while nobody else is
        // likely to have acted, rather than leave the question to a retry minutes later.
        const now_ = await currentAssignments(deps.ssoAdmin, applicationArn).catch(() => undefined);
        if (now_) await record(principal, now_.has(principalKey(principal)) ? 'made' : 'not-made');
      }
      throw translateSsoAdminError(error, `CreateApplicationAssignment ${describePrincipal(principal)}`);
    }
    await record(principal, 'made');
    added.push(principal);
    changes.push(`assigned ${describePrincipal(principal)} (${principal.principalId})`);
  }
  logger.info('application assignments added', { applicationArn, added: added.map(principalKey) });
  const ours = new Set(earlier.map(principalKey));
  const before = assignmentsFootprintOf(
    applicationArn,
    [...assigned].filter((key) => !ours.has(key)),
  );
  return receipt(added.length > 0 ? 'updated' : 'unchanged', changes, added, before);
}
