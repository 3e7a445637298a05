import { instanceIdFromApplicationArn } from '../identity-center/locate';
import type { StepDeps } from '../runtime/function';
import type { ExecutionDocument, RevertReport } from '../shared/document';
import { laterChanges, recordedResources } from '../shared/footprint';
import { journalRevert, readJournal } from '../shared/journal';
import { logger } from '../shared/logger';
import { createdUnderCreationName } from './application';
import type { ApplicationDetails, ApplicationReceipt } from './apply';
import { readApplicationFootprint } from './footprint';

const STEP = 'application' as const;

/**
 * Deletes the application only when this execution created it (its receipt, or its journal: the instance id it got,
 * or, when the answer was lost, the application of the name it set out to create), and only the profile's.
 */
export async function revertApplication(doc: ExecutionDocument, deps: StepDeps): Promise<RevertReport> {
  const { request, profile } = doc;
  const nothing = (line: string): RevertReport => ({ step: STEP, action: 'nothing-to-do', changes: [line] });
  if (request.dryRun) return nothing('dry run: no application was created');
  const receipt = doc.receipts?.application as ApplicationReceipt | undefined;
  const journal = receipt ? undefined : await readJournal(deps.records, request, STEP);
  const journalled = journal?.details as ApplicationDetails | undefined;
  if (receipt && receipt.action !== 'created') return nothing(`the step's action was ${receipt.action}: it created no application`);
  if (!receipt && !journalled?.creating) return nothing('this execution created no application');

  const scope = { account: request.account, region: request.region, profile: profile.name };
  // Only the instance this execution's record names, or the one under its own creation name (the create's answer was
  // lost before the id was recorded): never an application found by the profile's display name alone.
  const recorded = receipt?.details.createdInstanceId ?? journalled?.createdInstanceId;
  const createdAs = journalled?.creationName;
  const underCreationName = recorded || !createdAs ? undefined : await createdUnderCreationName(deps.ssoAdmin, profile, createdAs, scope);
  const instanceId = recorded ?? (underCreationName ? instanceIdFromApplicationArn(underCreationName) : undefined);
  if (!instanceId) return nothing("the creation never took effect: no application is under this execution's creation name");
  const existing = underCreationName ?? instanceId;
  // Only what this execution left: an application someone assigned people to, or renamed, since is theirs now too.
  const footprint = receipt?.footprint ?? journal?.footprint;
  const [applicationArn] = footprint ? recordedResources(footprint.left, 'application') : [];
  const later = applicationArn ? laterChanges(footprint, await readApplicationFootprint(doc, deps.ssoAdmin, applicationArn)) : [];
  if (later.length > 0) {
    logger.warn('application changed since this execution created it; left in place', { instanceId, later });
    return { step: STEP, action: 'left-in-place', changes: [], leftInPlace: later };
  }
  try {
    await journalRevert(deps.records, request, STEP, [`delete the application this execution created (console instance ${instanceId})`], deps.now);
    await deps.swb.deleteApplicationInstance(instanceId);
  } catch (error) {
    // Already gone (deleted by hand, or by an earlier attempt of this revert whose answer was lost).
    if ((error as Error).name !== 'Mapping.Rejected' || !/ResourceNotFound/.test((error as Error).message)) throw error;
    return nothing(`application instance ${instanceId}, which this execution created, no longer exists`);
  }
  logger.info('application deleted', { instanceId });
  return {
    step: STEP,
    action: 'deleted',
    changes: [`deleted the application this execution created (console instance ${instanceId}${existing === instanceId ? '' : `, ${existing}`})`],
  };
}
