import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { ConsoleApi } from '../identity-center/console-api';
import { MappingCurrentUnreadableError } from '../identity-center/errors';
import { instanceIdFromApplicationArn, locateApplication } from '../identity-center/locate';
import type { ExecutionDocument } from '../shared/document';
import type { StepFootprint } from '../shared/footprint';
import { readJournal, writeJournal } from '../shared/journal';
import { logger } from '../shared/logger';
import type { RecordStore } from '../shared/records';
import { partsToWrite, readCurrentConfiguration, writePart } from './current';
import { mappingFootprintOf, mappingLeaves } from './footprint';
import { describeChanges, desiredMapping, managedAttributeNames, manualInstructions, mappingEquals, mergeMapping, relayStateResult } from './mapping';
import type { AttributeMappingDetails, AttributeMappingReceipt, MappingPart, PreviousMapping } from './receipt';
import { readSavedState, saveState } from './state';

export interface AttributeMappingDeps {
  /** The pipeline's record table: this execution's journal and the mapping the pipeline last wrote. */
  records: RecordStore;
  ssoAdmin: SSOAdminClient;
  swb: ConsoleApi;
  now?: () => Date;
}

const STEP = 'attributeMapping' as const;

/** The console API's answer when it has one, else what the pipeline last wrote, else unknown. */
async function readPrevious(deps: AttributeMappingDeps, doc: ExecutionDocument, instanceId: string): Promise<PreviousMapping> {
  const fromApi = await readCurrentConfiguration(deps.swb, instanceId);
  if (fromApi) return { source: 'api', configuration: fromApi };
  const saved = await readSavedState(deps.records, doc.request, instanceId);
  if (saved) return { source: 'pipeline-state', configuration: saved.configuration };
  return { source: 'unknown' };
}

function previousNote(previous: PreviousMapping): string[] {
  if (previous.source === 'pipeline-state') {
    return [
      'the console API did not return the current mapping: compared with the mapping this pipeline last wrote (changes made in the console since then are not seen)',
    ];
  }
  if (previous.source === 'unknown') {
    return [
      'the console API did not return the current mapping and this pipeline never wrote one: the previous values are unknown, so a rollback can only remove the attributes set here',
    ];
  }
  return [];
}

/** What the profile can choose when the current configuration cannot be read. */
const ON_UNREADABLE_CHOICES = [
  'Set attributeMapping.onUnreadable to "manual" to have an operator set the mapping by hand (the execution publishes it and waits),',
  'or to "overwrite" to write the pipeline\'s configuration whole, accepting the loss of what the console held.',
];

/** What a write would replace, when the console API does not return the configuration. */
function unreadableLine(applicationName: string, applicationArn: string, previous: PreviousMapping): string {
  const known =
    previous.source === 'pipeline-state'
      ? 'only the mapping this pipeline last wrote is known, so changes made in the console since then'
      : 'this pipeline never wrote one, so whatever the console holds';
  return (
    `the console API did not return the current response configuration of "${applicationName}" (${applicationArn}); a write replaces it whole, ` +
    `and ${known} (the subject, every other attribute, the session duration, the relay state) would be lost`
  );
}

/**
 * Manual mode (or an unreadable mapping the profile leaves to a person): the exact mapping goes to an operator in the
 * receipt, and the execution waits for their confirmation.
 */
function handedToOperator(
  doc: ExecutionDocument,
  located: { applicationArn: string; applicationName: string },
  desired: ReturnType<typeof desiredMapping>,
  details: AttributeMappingDetails,
  receipt: (action: AttributeMappingReceipt['action'], changes: string[]) => AttributeMappingReceipt,
  why?: string,
): AttributeMappingReceipt {
  const relayState = desired.relayState ? { relayState: desired.relayState } : {};
  details.manual = {
    applicationName: located.applicationName,
    applicationArn: located.applicationArn,
    attributes: desired.attributes,
    subject: desired.subject,
    ...relayState,
    message: manualInstructions(located.applicationName, located.applicationArn, desired, doc.profile.name),
  };
  const lines = [
    ...Object.entries(desired.attributes).map(([name, value]) => `attribute ${name} = ${value}`),
    ...(desired.relayState ? [`relay state = ${desired.relayState}`] : []),
  ];
  const because = why ? [why] : [];
  if (doc.request.dryRun) {
    return receipt('planned', [
      `would ask an operator to set the mapping of "${located.applicationName}" by hand and wait for confirmation`,
      ...because,
      ...lines,
    ]);
  }
  logger.info('attribute mapping left to an operator', { applicationArn: located.applicationArn, why });
  return receipt('pending-confirmation', [
    `waiting for an operator to set the mapping of "${located.applicationName}" by hand and confirm`,
    ...because,
    ...lines,
  ]);
}

/**
 * Sets the profile's attribute mapping on its IAM Identity Center application (docs/design.md), or in
 * manual mode hands the exact mapping to an operator through the receipt.
 */
export async function applyAttributeMapping(doc: ExecutionDocument, deps: AttributeMappingDeps): Promise<AttributeMappingReceipt> {
  const { request, profile } = doc;
  const now = deps.now ?? (() => new Date());
  const located = await locateApplication(deps.ssoAdmin, profile.application, {
    account: request.account,
    region: request.region,
    profile: profile.name,
  });
  const instanceId = instanceIdFromApplicationArn(located.applicationArn);
  const desired = desiredMapping(doc);
  const relayState = desired.relayState ? { relayState: desired.relayState } : {};
  const details: AttributeMappingDetails = {
    mode: profile.attributeMapping.mode,
    applicationArn: located.applicationArn,
    applicationName: located.applicationName,
    instanceArn: located.instanceArn,
    instanceId,
    managedAttributes: managedAttributeNames(profile),
    ...relayState,
  };
  const receipt = (action: AttributeMappingReceipt['action'], changes: string[], previous?: PreviousMapping): AttributeMappingReceipt => ({
    step: STEP,
    action,
    arn: located.applicationArn,
    ...(previous ? { previous } : {}),
    changes,
    details,
  });

  const handToOperator = (why?: string) => handedToOperator(doc, located, desired, details, receipt, why);
  if (profile.attributeMapping.mode === 'manual') return handToOperator();

  const current = await readPrevious(deps, doc, instanceId);
  // A write replaces the whole configuration: one that cannot be read is not written over unless the profile says so.
  const createdHere = doc.receipts?.application?.action === 'created' && doc.receipts.application.arn === located.applicationArn;
  if (current.source !== 'api' && !createdHere) {
    const unreadable = unreadableLine(located.applicationName, located.applicationArn, current);
    const onUnreadable = profile.attributeMapping.onUnreadable;
    if (onUnreadable === 'manual') return handToOperator(`${unreadable} (attributeMapping.onUnreadable is "manual")`);
    if (onUnreadable === 'fail') {
      if (request.dryRun) return receipt('planned', [`would stop before writing: ${unreadable}`, ...ON_UNREADABLE_CHOICES], current);
      throw new MappingCurrentUnreadableError(`${unreadable}. Nothing was written. ${ON_UNREADABLE_CHOICES.join(' ')}`);
    }
  }
  const next = mergeMapping(current.configuration, desired);
  details.configuration = next;
  const alreadyEqual = current.configuration !== undefined && mappingEquals(current.configuration, next);

  if (request.dryRun) {
    const planned = alreadyEqual
      ? [`no change: the mapping of "${located.applicationName}" already matches`]
      : [...describeChanges(current.configuration, next), ...previousNote(current)];
    return receipt('planned', planned, current);
  }

  // A retry of this execution must keep the configuration from before its first attempt, not a half-written one.
  const journaled = await readJournal<PreviousMapping>(deps.records, request, STEP);
  if (alreadyEqual && !journaled) {
    logger.info('attribute mapping already matches', { applicationArn: located.applicationArn, source: current.source });
    const relay = desired.relayState
      ? relayStateResult(desired.relayState, current.source === 'api' ? current.configuration : undefined, false)
      : undefined;
    if (relay) details.relayStateStatus = relay.status;
    return receipt('unchanged', relay?.status === 'not confirmed' ? [relay.line] : [], current);
  }
  const previous = journaled?.previous ?? current;
  const changes = [...describeChanges(previous.configuration, next), ...previousNote(previous)];
  const attempted = new Set<MappingPart>((journaled?.details as AttributeMappingDetails | undefined)?.attempted ?? []);
  // What this execution found and leaves: the first attempt's, once journalled.
  const footprint: StepFootprint = journaled?.footprint ?? {
    before: mappingFootprintOf(located.applicationArn, current.source === 'api' ? current.configuration : undefined),
    left: mappingLeaves(located.applicationArn, next),
  };

  for (const part of partsToWrite(current.configuration, next)) {
    attempted.add(part);
    details.attempted = [...attempted];
    await writeJournal<PreviousMapping>(deps.records, request, { step: STEP, intent: changes, previous, details: { ...details }, footprint }, now);
    await writePart(deps.swb, instanceId, part, next);
  }
  details.attempted = [...attempted];
  await saveState(deps.records, request, { applicationArn: located.applicationArn, instanceId, configuration: next, writtenBy: 'apply' }, now);
  const relayLines: string[] = [];
  if (desired.relayState) {
    // Read after writing: the relay state's field is not documented, so only what the API shows back is claimed.
    const relay = relayStateResult(desired.relayState, await readCurrentConfiguration(deps.swb, instanceId), true);
    details.relayStateStatus = relay.status;
    relayLines.push(relay.line);
  }
  logger.info('attribute mapping written', { applicationArn: located.applicationArn, parts: details.attempted, previousSource: previous.source });
  return { ...receipt('updated', [...changes.filter((line) => !line.startsWith('relay state:')), ...relayLines], previous), footprint };
}
