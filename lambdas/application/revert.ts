import type { StepDeps } from '../runtime/function';
import type { ExecutionDocument, RevertReport } from '../shared/document';
import { laterChanges, recordedResources } from '../shared/footprint';
import { journalRevert, readJournal } from '../shared/journal';
import { logger } from '../shared/logger';
import { createdUnderCreationName } from './application';
import type { ApplicationDetails, ApplicationReceipt } from './apply';
import { readApplicationFootprint } from './footprint';

const STEP = 'application' as const;

/** The console API's answer for an instance that is not there: Mapping.Rejected carrying ResourceNotFoundException. */
function goneAlready(error: unknown): boolean {
  return (error as Error).name === 'Mapping.Rejected' && /ResourceNotFound/.test((error as Error).message);
}

/** A creation whose answer was lost and that the instance list cannot confirm or deny: a person looks for it. */
function creationUnknown(displayName: string, journalled: ApplicationDetails): RevertReport {
  return {
    step: STEP,
    action: 'left-in-place',
    changes: [],
    leftInPlace: [
      `an application "${displayName}" may have been created from template ${journalled.templateId ?? '(unknown)'} under the name ${journalled.creationName} after ${journalled.creatingSince ?? 'this execution started'}: ` +
        "the console API's instance list shows no names, so it could not be found. Look for an application created then in the IAM Identity Center console and delete it if it is there.",
    ],
  };
}

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

  // Only the instance this execution's record names, or the one listed under the name it created it with (the
  // create's answer was lost before the id was recorded): never an application found by the profile's display name.
  let instanceId = receipt?.details.createdInstanceId ?? journalled?.createdInstanceId;
  if (!instanceId && journalled?.creationName) {
    const found = await createdUnderCreationName(deps.swb, journalled.creationName);
    if (found === 'unknown') return creationUnknown(profile.application.create?.displayName ?? '', journalled);
    if (found !== 'not-created') instanceId = found.instanceId;
  }
  if (!instanceId) return nothing("the creation never took effect: no application instance carries this execution's creation name");
  // Only what this execution left: an application someone assigned people to, or renamed, since is theirs now too.
  const footprint = receipt?.footprint ?? journal?.footprint;
  const [applicationArn] = footprint ? recordedResources(footprint.left, 'application') : [];
  const later = applicationArn ? laterChanges(footprint, await readApplicationFootprint(doc, deps.ssoAdmin, applicationArn)) : [];
  if (later.length > 0) {
    logger.warn('application changed since this execution created it; left in place', { instanceId, later });
    return { step: STEP, action: 'left-in-place', changes: [], leftInPlace: later };
  }
  let profiles: Array<{ profileId: string }>;
  try {
    profiles = await deps.swb.listProfiles(instanceId);
  } catch (error) {
    if (!goneAlready(error)) throw error;
    return nothing(`application instance ${instanceId}, which this execution created, no longer exists`);
  }
  try {
    await journalRevert(
      deps.records,
      request,
      STEP,
      [`delete the application this execution created (console instance ${instanceId}) and its profiles`],
      deps.now,
    );
    // The instance goes only once its profiles have (assigning people made them; the assignments revert ran first).
    for (const { profileId } of profiles) await deps.swb.deleteProfile(instanceId, profileId);
    await deps.swb.deleteApplicationInstance(instanceId);
  } catch (error) {
    // Already gone (deleted by hand, or by an earlier attempt of this revert whose answer was lost).
    if (!goneAlready(error)) throw error;
    return nothing(`application instance ${instanceId}, which this execution created, no longer exists`);
  }
  logger.info('application deleted', { instanceId });
  return {
    step: STEP,
    action: 'deleted',
    changes: [
      `deleted the application this execution created (console instance ${instanceId})${profiles.length > 0 ? ` and its ${profiles.length} profile(s)` : ''}`,
    ],
  };
}
