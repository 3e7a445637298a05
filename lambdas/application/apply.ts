import { DescribeApplicationCommand } from '@aws-sdk/client-sso-admin';
import { createdApplication, recordCreatedApplication } from '../identity-center/created-application';
import { applicationArnOfInstance, locateInstance } from '../identity-center/locate';
import type { StepDeps } from '../runtime/function';
import type { ExecutionDocument, Receipt } from '../shared/document';
import { ABSENT, type StepFootprint } from '../shared/footprint';
import { type JournalEntry, readJournal, writeJournal } from '../shared/journal';
import { logger } from '../shared/logger';
import { CONNECT_TEMPLATE_NAME, connectServiceProvider, connectTemplate, createdUnderCreationName, creationName } from './application';
import { ApplicationCreationUnknownError } from './errors';
import { applicationLeaves } from './footprint';

const STEP = 'application' as const;

function description(profile: string, pipelineName: string): string {
  return `Amazon Connect single sign-on for profile ${profile} (created by ${pipelineName})`;
}

/**
 * What creating the application leaves: the application, under its display name, with no one assigned. Before, there
 * was none; the name it shows until its display data is set (`shownAtCreation`) is this execution's own too, so a
 * revert that finds it there, the display data never set, still deletes it.
 */
function createdFootprint(applicationArn: string, displayName: string, shownAtCreation?: string): StepFootprint {
  const name = `application ${applicationArn}`;
  return {
    before: { [name]: ABSENT, ...(shownAtCreation === undefined ? {} : { [`${name}: display name`]: shownAtCreation }) },
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
  /** The name it is created under (journal, with `creating`): creationName(), a UUID the display name replaces. */
  creationName?: string;
  /** The template it is created from, and when the creation was asked for: where a person looks after a lost answer. */
  templateId?: string;
  creatingSince?: string;
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

  // A retry after a lost answer: this execution's application is the instance its journal recorded, or the one listed
  // under the name it was created with; never just any application of the display name.
  if (journalled?.creating && !request.dryRun) {
    const resumed = await resumeCreation(doc, deps, journal, journalled);
    if (resumed) return resumed;
  }
  const existing = await createdApplication(deps.ssoAdmin, deps.records, profile, scope);
  if (existing) return receipt(request.dryRun ? 'planned' : 'unchanged', existing, []);
  if (request.dryRun) {
    return receipt('planned', create.displayName, [
      `would create application "${create.displayName}" from the ${CONNECT_TEMPLATE_NAME} template, set its service provider (AWS sign-in) and enable it, then take its metadata`,
    ]);
  }

  const instanceArn = await locateInstance(deps.ssoAdmin, profile.application.instanceArn, scope);
  const template = await connectTemplate(deps.swb, profile.name, create.displayName);
  const intent = creationIntent(create.displayName, template.templateId);
  const createdAs = creationName();
  await writeJournal(
    deps.records,
    request,
    {
      step: STEP,
      intent,
      details: {
        displayName: create.displayName,
        creating: true,
        creationName: createdAs,
        templateId: template.templateId,
        creatingSince: deps.now().toISOString(),
      },
    },
    deps.now,
  );
  const instanceId = await deps.swb.createApplicationInstance(template.templateId, createdAs);
  const arn = applicationArnOfInstance(instanceArn, request.account, instanceId);
  const footprint = createdFootprint(arn, create.displayName, await shownAtCreation(deps, arn));
  await writeJournal(deps.records, request, { step: STEP, intent: [], details: { createdInstanceId: instanceId }, footprint }, deps.now);
  // Before it gets the profile's display name: from then on, the name alone would not tell it from a squatter's.
  await recordCreatedApplication(deps.records, request, arn, deps.now);
  await setUp(doc, deps, instanceId);
  logger.info('application created', { applicationArn: arn, instanceId });
  return {
    ...receipt(
      'created',
      arn,
      intent.map((line) => line.replace(/^create /, 'created ').replace(/^enable /, 'enabled ')),
      { displayName: create.displayName, createdInstanceId: instanceId },
    ),
    footprint,
  };
}

function creationIntent(displayName: string, templateId: string): string[] {
  return [
    `create application "${displayName}" from the ${CONNECT_TEMPLATE_NAME} template (${templateId})`,
    `set its service provider: ACS URL of AWS sign-in, audience urn:amazon:webservices`,
    'enable it',
  ];
}

/**
 * The display name a new application shows before its display data is set: not documented (the creation's name is
 * not it), so read from the public API; when the new application is not visible there yet (eventual consistency),
 * the catalog's name, which is our guess at what it shows.
 */
async function shownAtCreation(deps: StepDeps, applicationArn: string): Promise<string> {
  try {
    return (await deps.ssoAdmin.send(new DescribeApplicationCommand({ ApplicationArn: applicationArn }))).Name ?? CONNECT_TEMPLATE_NAME;
  } catch {
    return CONNECT_TEMPLATE_NAME;
  }
}

/**
 * What a created instance needs to work, as every public creation flow does it: its display name, its service
 * provider (Amazon Connect's, per AWS's instructions) and its status. Each call sets a value, so a retry repeats them.
 */
async function setUp(doc: ExecutionDocument, deps: StepDeps, instanceId: string): Promise<void> {
  const create = doc.profile.application.create;
  if (!create) return;
  await deps.swb.updateApplicationInstanceDisplayData(instanceId, create.displayName, description(doc.profile.name, doc.request.pipelineName));
  await deps.swb.updateApplicationInstanceServiceProviderConfiguration(instanceId, connectServiceProvider(doc.request.partition));
  await deps.swb.updateApplicationInstanceStatus(instanceId, 'ENABLED');
}

/**
 * A retry of a creation this execution journalled: the instance the journal names, or the one listed under the name
 * it was created with, is set up and taken as created. When the listing shows no names, nobody but a person can tell
 * whether the creation took effect (Application.CreationUnknown, and the rollback says where to look).
 */
async function resumeCreation(
  doc: ExecutionDocument,
  deps: StepDeps,
  journal: JournalEntry | undefined,
  journalled: ApplicationDetails,
): Promise<ApplicationReceipt | undefined> {
  const { profile, request } = doc;
  const create = profile.application.create;
  if (!create) return undefined;
  let instanceId = journalled.createdInstanceId;
  if (!instanceId && journalled.creationName) {
    const found = await createdUnderCreationName(deps.swb, journalled.creationName);
    if (found === 'unknown') {
      throw new ApplicationCreationUnknownError(
        `an earlier attempt of this execution asked IAM Identity Center to create application "${create.displayName}" (template ${journalled.templateId ?? CONNECT_TEMPLATE_NAME}, name ${journalled.creationName}, at ${journalled.creatingSince ?? 'an unknown time'}) and its answer was lost; the console API's instance list shows no names, so whether it was created cannot be told. Nothing more is created.`,
      );
    }
    if (found !== 'not-created') instanceId = found.instanceId;
  }
  if (!instanceId) return undefined;
  const scope = { account: request.account, region: request.region, profile: profile.name };
  const instanceArn = await locateInstance(deps.ssoAdmin, profile.application.instanceArn, scope);
  const details = { displayName: create.displayName, createdInstanceId: instanceId };
  const arn = applicationArnOfInstance(instanceArn, request.account, instanceId);
  const footprint = journal?.footprint ?? createdFootprint(arn, create.displayName, await shownAtCreation(deps, arn));
  await writeJournal(deps.records, request, { step: STEP, intent: [], details, footprint }, deps.now);
  await recordCreatedApplication(deps.records, request, arn, deps.now);
  await setUp(doc, deps, instanceId);
  return {
    step: STEP,
    action: 'created',
    arn,
    changes: [`created application "${create.displayName}" from the ${CONNECT_TEMPLATE_NAME} template, set up and enabled`],
    details,
    footprint,
  };
}
