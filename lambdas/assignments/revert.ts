import { DeleteApplicationAssignmentCommand } from '@aws-sdk/client-sso-admin';
import { currentAssignments, type Principal, principalKey } from '../identity-center/assignments';
import { translateSsoAdminError } from '../identity-center/errors';
import { notTheProfileApplication } from '../identity-center/locate';
import type { StepDeps } from '../runtime/function';
import type { ExecutionDocument, RevertReport } from '../shared/document';
import { journalRevert, readJournal } from '../shared/journal';
import { logger } from '../shared/logger';
import type { AssignmentsDetails, AssignmentsReceipt } from './apply';
import { describePrincipal } from './assignments';
import { latestOutcomes, ownedFromJournal } from './outcomes';

const STEP = 'assignments' as const;

/** What this execution assigned: from its receipt, or from its journal when the apply threw before returning one. */
async function addedByThisExecution(doc: ExecutionDocument, deps: StepDeps): Promise<{ applicationArn?: string; added: Principal[] }> {
  const receipt = doc.receipts?.assignments as AssignmentsReceipt | undefined;
  if (receipt) return { applicationArn: receipt.details.applicationArn, added: receipt.action === 'updated' ? receipt.details.added : [] };
  const journal = await readJournal(deps.records, doc.request, STEP);
  const details = journal?.details as AssignmentsDetails | undefined;
  if (!details?.applicationArn || !details.outcomes) return { added: [] };
  // Only attempts whose answer was never recorded need the application's current assignments.
  const unsettled = [...latestOutcomes(details.outcomes).values()].some((record) => record.outcome === 'attempted');
  const assigned = unsettled ? await currentAssignments(deps.ssoAdmin, details.applicationArn) : new Set<string>();
  return { applicationArn: details.applicationArn, added: ownedFromJournal(details.outcomes, (key) => assigned.has(key)) };
}

/**
 * Removes the assignments this execution added, and only those: an assignment made by hand, before or meanwhile, is
 * never this execution's record. Only on the profile's own application, whatever a record names.
 */
export async function revertAssignments(doc: ExecutionDocument, deps: StepDeps): Promise<RevertReport> {
  const { request, profile } = doc;
  if (request.dryRun) return { step: STEP, action: 'nothing-to-do', changes: ['dry run: nothing was assigned'] };
  const { applicationArn, added } = await addedByThisExecution(doc, deps);
  if (added.length === 0 || !applicationArn) return { step: STEP, action: 'nothing-to-do', changes: ['this execution assigned no one'] };
  // The application the step recorded, checked by describing it: never looked up again by display name.
  const scope = { account: request.account, region: request.region, profile: profile.name };
  const foreign = await notTheProfileApplication(deps.ssoAdmin, profile.application, applicationArn, scope);
  if (foreign !== undefined) {
    return {
      step: STEP,
      action: 'left-in-place',
      changes: [],
      leftInPlace: [`the assignments were not removed: ${foreign}; check the application's assignments in the IAM Identity Center console`],
    };
  }
  const changes: string[] = [];
  await journalRevert(
    deps.records,
    request,
    STEP,
    added.map((principal) => `remove the assignment of ${describePrincipal(principal)}`),
    deps.now,
  );
  for (const principal of added) {
    try {
      await deps.ssoAdmin.send(
        new DeleteApplicationAssignmentCommand({
          ApplicationArn: applicationArn,
          PrincipalId: principal.principalId,
          PrincipalType: principal.principalType,
        }),
      );
      changes.push(`removed the assignment of ${describePrincipal(principal)}`);
    } catch (error) {
      if ((error as Error).name !== 'ResourceNotFoundException')
        throw translateSsoAdminError(error, `DeleteApplicationAssignment ${describePrincipal(principal)}`);
      changes.push(`${describePrincipal(principal)} was not assigned (already removed, or never made)`);
    }
  }
  logger.info('application assignments removed', { applicationArn, removed: added.map(principalKey) });
  return { step: STEP, action: 'deleted', changes };
}
