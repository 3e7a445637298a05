import { instanceIdFromApplicationArn } from '../attribute-mapping/mapping';
import type { ExecutionDocument, RevertReport } from '../shared/document';
import { readJournal } from '../shared/journal';
import { logger } from '../shared/logger';
import type { StepDeps } from '../shared/pipeline-function';
import { existingApplication } from './application';
import type { ApplicationDetails, ApplicationReceipt } from './apply';

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
  const journalled = receipt ? undefined : ((await readJournal(deps.records, request, STEP))?.details as ApplicationDetails | undefined);
  if (receipt && receipt.action !== 'created') return nothing(`the step's action was ${receipt.action}: it created no application`);
  if (!receipt && !journalled?.creating) return nothing('this execution created no application');

  const scope = { account: request.account, region: request.region, profile: profile.name };
  const existing = await existingApplication(deps.ssoAdmin, profile, scope);
  const recorded = receipt?.details.createdInstanceId ?? journalled?.createdInstanceId;
  if (!existing) return nothing(`application "${profile.application.displayName}" does not exist (any more)`);
  const instanceId = instanceIdFromApplicationArn(existing);
  if (recorded !== undefined && recorded !== instanceId) {
    return {
      step: STEP,
      action: 'left-in-place',
      changes: [],
      leftInPlace: [
        `application "${profile.application.displayName}" (${existing}) is not the one this execution created (console instance ${recorded}); delete it by hand only if it should not be there`,
      ],
    };
  }
  await deps.swb.deleteApplicationInstance(instanceId);
  logger.info('application deleted', { applicationArn: existing });
  return {
    step: STEP,
    action: 'deleted',
    changes: [`deleted application "${profile.application.displayName}" (${existing}), which this execution created`],
  };
}
