import { createdApplication, recordCreatedApplication } from '../identity-center/created-application';
import { applicationArnOfInstance, instanceIdFromApplicationArn, locateInstance } from '../identity-center/locate';
import type { StepDeps } from '../runtime/function';
import type { ExecutionDocument, Receipt } from '../shared/document';
import { ABSENT, type StepFootprint } from '../shared/footprint';
import { readJournal, writeJournal } from '../shared/journal';
import { logger } from '../shared/logger';
import { CONNECT_TEMPLATE_NAME, createdUnderCreationName, creationName } from './application';
import { ApplicationTemplateNotFoundError } from './errors';
import { applicationLeaves } from './footprint';

const STEP = 'application' as const;

function description(profile: string, pipelineName: string): string {
  return `Amazon Connect single sign-on for profile ${profile} (created by ${pipelineName})`;
}

/**
 * What creating the application leaves: the application, under its display name, with no one assigned. Before it,
 * there was none; the creation name it has until its display data is set is this execution's own, and a revert
 * that finds it there may delete the application all the same.
 */
function createdFootprint(applicationArn: string, displayName: string, createdAs: string): StepFootprint {
  const name = `application ${applicationArn}`;
  return {
    before: { [name]: ABSENT, [`${name}: display name`]: createdAs },
    left: applicationLeaves(applicationArn, displayName),
  };
}

/** The receipt's and the journal's `details`. */
export type ApplicationDetails = {
  displayName?: string;
  /** The console instance id of the application this execution created (journal: as soon as it is known). */
  createdInstanceId?: string;
  /** Set in the journal before CreateApplicationInstance: this execution set out to create an application of that name. */
  creating?: boolean;
  /** The name it is created under until its display data is set (journal, with `creating`): creationName(). */
  creationName?: string;
};

export type ApplicationReceipt = Receipt & { step: 'application'; details: ApplicationDetails };

/**
 * With `application.create`, finds the profile's application by its display name and, when there is none, creates it
 * from the "Amazon Connect" catalog template (console API: ListApplicationTemplates, CreateApplicationInstance,
 * UpdateApplicationInstanceDisplayData). Journalled before the creation and again with the new instance's id, so a
 * revert deletes it only when this execution created it. Without `create`, a no-op.
 */
export async function applyApplication(doc: ExecutionDocument, deps: StepDeps): Promise<ApplicationReceipt> {
  const { profile, request } = doc;
  const create = profile.application.create;
  const named = profile.application.arn ?? profile.application.displayName ?? '';
  const receipt = (action: ApplicationReceipt['action'], arn: string, changes: string[], details: ApplicationDetails = {}): ApplicationReceipt => ({
    step: STEP,
    action,
    arn,
    changes,
    details,
  });
  if (!create) return receipt(request.dryRun ? 'planned' : 'unchanged', named, []);
  const scope = { account: request.account, region: request.region, profile: profile.name };
  const journal = await readJournal(deps.records, request, STEP);
  const journalled = journal?.details as ApplicationDetails | undefined;

  // A retry after a lost answer: this execution's application is the one under its creation name (if the display
  // name was not set yet) or the instance its journal recorded; never just any application of the display name.
  if (journalled?.creating && !request.dryRun) {
    const recorded = journalled.createdInstanceId;
    const createdAs = journalled.creationName;
    const underCreationName = recorded || !createdAs ? undefined : await createdUnderCreationName(deps.ssoAdmin, profile, createdAs, scope);
    const instanceId = recorded ?? (underCreationName ? instanceIdFromApplicationArn(underCreationName) : undefined);
    if (instanceId) {
      const instanceArn = await locateInstance(deps.ssoAdmin, profile.application.instanceArn, scope);
      const details = { displayName: create.displayName, createdInstanceId: instanceId };
      const arn = applicationArnOfInstance(instanceArn, request.account, instanceId);
      const footprint = journal?.footprint ?? createdFootprint(arn, create.displayName, createdAs ?? '');
      await writeJournal(deps.records, request, { step: STEP, intent: [], details, footprint }, deps.now);
      await recordCreatedApplication(deps.records, request, arn, deps.now);
      await deps.swb.updateApplicationInstanceDisplayData(instanceId, create.displayName, description(profile.name, request.pipelineName));
      return {
        ...receipt('created', arn, [`created application "${create.displayName}" from the ${CONNECT_TEMPLATE_NAME} template`], details),
        footprint,
      };
    }
  }
  const existing = await createdApplication(deps.ssoAdmin, deps.records, profile, scope);
  if (existing) return receipt(request.dryRun ? 'planned' : 'unchanged', existing, []);
  if (request.dryRun) {
    return receipt('planned', create.displayName, [
      `would create application "${create.displayName}" from the ${CONNECT_TEMPLATE_NAME} template, then take its metadata`,
    ]);
  }

  const instanceArn = await locateInstance(deps.ssoAdmin, profile.application.instanceArn, scope);
  const template = (await deps.swb.listApplicationTemplates()).find((candidate) => candidate.name === CONNECT_TEMPLATE_NAME);
  if (!template) {
    throw new ApplicationTemplateNotFoundError(
      `profile ${profile.name}: IAM Identity Center's catalog lists no "${CONNECT_TEMPLATE_NAME}" template, so application "${create.displayName}" cannot be created; add it in the console and name it there, or remove application.create`,
    );
  }
  const intent = [`create application "${create.displayName}" from the ${CONNECT_TEMPLATE_NAME} template`];
  const createdAs = creationName(create.displayName, request.executionName);
  await writeJournal(
    deps.records,
    request,
    { step: STEP, intent, details: { displayName: create.displayName, creating: true, creationName: createdAs } },
    deps.now,
  );
  const instanceId = await deps.swb.createApplicationInstance(template.templateId, createdAs);
  const arn = applicationArnOfInstance(instanceArn, request.account, instanceId);
  const footprint = createdFootprint(arn, create.displayName, createdAs);
  await writeJournal(deps.records, request, { step: STEP, intent: [], details: { createdInstanceId: instanceId }, footprint }, deps.now);
  // Before it gets the profile's display name: from then on, the name alone would not tell it from a squatter's.
  await recordCreatedApplication(deps.records, request, arn, deps.now);
  await deps.swb.updateApplicationInstanceDisplayData(instanceId, create.displayName, description(profile.name, request.pipelineName));
  logger.info('application created', { applicationArn: arn, instanceId });
  return {
    ...receipt(
      'created',
      arn,
      intent.map((line) => line.replace(/^create/, 'created')),
      {
        displayName: create.displayName,
        createdInstanceId: instanceId,
      },
    ),
    footprint,
  };
}
