import { CreateApplicationAssignmentCommand } from '@aws-sdk/client-sso-admin';
import { translateSsoAdminError } from '../attribute-mapping/errors';
import { applicationArnOf } from '../attribute-mapping/locate';
import type { ExecutionDocument, Receipt } from '../shared/document';
import { readJournal, writeJournal } from '../shared/journal';
import { logger } from '../shared/logger';
import type { StepDeps } from '../shared/pipeline-function';
import { currentAssignments, describePrincipal, type Principal, principalKey, resolvePrincipals, wantedNames } from './assignments';

const STEP = 'assignments' as const;

/** The receipt's and the journal's `details`. */
export interface AssignmentsDetails {
  applicationArn?: string;
  /** Principals this execution assigned (receipt), or set out to assign, before each call (journal). */
  added: Principal[];
  /** Principals found already assigned when this execution tried (by hand meanwhile): not this execution's. */
  notAdded?: string[];
}

export type AssignmentsReceipt = Receipt & { step: 'assignments'; details: AssignmentsDetails };

/**
 * Assigns the profile's groups and users to its IAM Identity Center application (public sso-admin
 * CreateApplicationAssignment), those not assigned yet only. Each assignment is journalled before it is made, so a
 * revert removes exactly the ones this execution added, never one made by hand.
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
  const receipt = (action: AssignmentsReceipt['action'], changes: string[], added: Principal[]): AssignmentsReceipt => ({
    step: STEP,
    action,
    arn: applicationArn,
    changes,
    details: { applicationArn, added },
  });
  if (request.dryRun) {
    return receipt('planned', missing.length === 0 ? [] : missing.map((p) => `would assign ${describePrincipal(p)} to the application`), []);
  }
  // A retry of this execution (its earlier attempt assigned someone, then failed or lost the answer) finds them
  // assigned already: the journal says they are this execution's, so the receipt names them and a revert removes them.
  const journal = await readJournal(deps.records, request, STEP);
  const journalled = (journal?.details as AssignmentsDetails | undefined) ?? { added: [] };
  const notOurs = new Set(journalled.notAdded ?? []);
  const earlier = (journalled.added ?? []).filter((principal) => assigned.has(principalKey(principal)) && !notOurs.has(principalKey(principal)));
  if (missing.length === 0) {
    return earlier.length === 0
      ? receipt('unchanged', [], [])
      : receipt(
          'updated',
          earlier.map((p) => `assigned ${describePrincipal(p)} (${p.principalId})`),
          earlier,
        );
  }

  const added: Principal[] = [...earlier];
  const changes: string[] = earlier.map((p) => `assigned ${describePrincipal(p)} (${p.principalId})`);
  for (const principal of missing) {
    const intent = [`assign ${describePrincipal(principal)} (${principal.principalId}) to ${applicationArn}`];
    await writeJournal(deps.records, request, { step: STEP, intent, details: { applicationArn, added: [principal] } }, now);
    try {
      await deps.ssoAdmin.send(
        new CreateApplicationAssignmentCommand({
          ApplicationArn: applicationArn,
          PrincipalId: principal.principalId,
          PrincipalType: principal.principalType,
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConflictException')
        throw translateSsoAdminError(error, `CreateApplicationAssignment ${describePrincipal(principal)}`);
      // Assigned by someone else between the listing and this call: theirs, so a revert must leave it.
      await writeJournal(deps.records, request, { step: STEP, intent: [], details: { notAdded: [principalKey(principal)] } }, now);
      changes.push(`${describePrincipal(principal)} was assigned meanwhile by someone else; left as it is`);
      continue;
    }
    added.push(principal);
    changes.push(`assigned ${describePrincipal(principal)} (${principal.principalId})`);
  }
  logger.info('application assignments added', { applicationArn, added: added.map(principalKey) });
  return receipt(added.length > 0 ? 'updated' : 'unchanged', changes, added);
}
