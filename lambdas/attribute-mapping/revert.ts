import { instanceIdFromApplicationArn, notTheProfileApplication } from '../identity-center/locate';
import type { ExecutionDocument, RevertReport } from '../shared/document';
import { laterChanges, type StepFootprint } from '../shared/footprint';
import { journalRevert, readJournal } from '../shared/journal';
import { logger } from '../shared/logger';
import { sameJson } from '../shared/policy-json';
import type { AttributeMappingDeps } from './apply';
import { partsToWrite, readCurrentConfiguration, writePart } from './current';
import { mappingFootprintOf } from './footprint';
import { describeChanges, type MappingConfiguration, withoutAttributes } from './mapping';
import type { AttributeMappingDetails, AttributeMappingReceipt, MappingPart, PreviousMapping } from './receipt';
import { readSavedState, saveState } from './state';

const STEP = 'attributeMapping' as const;

function nothing(changes: string[]): RevertReport {
  return { step: STEP, action: 'nothing-to-do', changes };
}

/** What the apply did, from its receipt, or from its journal when it threw before returning one. */
async function findApplied(
  doc: ExecutionDocument,
  deps: AttributeMappingDeps,
): Promise<{ previous: PreviousMapping; details: AttributeMappingDetails; footprint?: StepFootprint } | RevertReport> {
  const receipt = doc.receipts?.attributeMapping as AttributeMappingReceipt | undefined;
  if (receipt) {
    if (receipt.action === 'pending-confirmation') {
      const manual = receipt.details?.manual;
      return nothing([
        'manual mode: the pipeline wrote no mapping.',
        ...(manual
          ? [
              `If an operator already changed the mapping of "${manual.applicationName}" (${manual.applicationArn}) by hand, set it back in the IAM Identity Center console.`,
            ]
          : []),
      ]);
    }
    if (receipt.action !== 'updated' && receipt.action !== 'created')
      return nothing([`the apply step's action was ${receipt.action}: no mapping was written`]);
    const footprint = receipt.footprint ? { footprint: receipt.footprint } : {};
    return { previous: receipt.previous ?? { source: 'unknown' }, details: receipt.details, ...footprint };
  }
  const journal = await readJournal<PreviousMapping>(deps.records, doc.request, STEP);
  if (!journal) return nothing(['the apply step wrote no mapping (no receipt, no journal entry)']);
  const footprint = journal.footprint ? { footprint: journal.footprint } : {};
  return { previous: journal.previous ?? { source: 'unknown' }, details: journal.details as AttributeMappingDetails, ...footprint };
}

/** The pipeline's attributes that no longer hold what this execution wrote (none when the mapping cannot be read). */
function changedAttributes(current: MappingConfiguration | undefined, details: AttributeMappingDetails): string[] {
  const written = details.configuration;
  if (!current || !written) return [];
  // Absent is what the revert leaves (an earlier attempt of it took the attribute out already).
  return details.managedAttributes
    .filter((name) => {
      const now = current.responseConfig.properties[name];
      return now !== undefined && !sameJson(now, written.responseConfig.properties[name]);
    })
    .map(
      (name) =>
        `application ${details.applicationArn}: attribute ${name} changed since this execution wrote it: left in place, since taking it out would undo that later change`,
    );
}

/**
 * A revert writes only to the profile's own application, whatever a record names: the mapping functions may call the
 * console API for any application (it has no resource-level permissions), so this check is the boundary. The
 * application is the one the step recorded, checked by describing it: never looked up again by display name.
 */
async function notProfileApplication(
  doc: ExecutionDocument,
  deps: AttributeMappingDeps,
  details: { applicationArn: string; instanceId: string },
): Promise<RevertReport | undefined> {
  const { request } = doc;
  const { applicationArn, instanceId } = details;
  const scope = { account: request.account, region: request.region, profile: doc.profile.name };
  const foreign =
    instanceIdFromApplicationArn(applicationArn) === instanceId
      ? await notTheProfileApplication(deps.ssoAdmin, doc.profile.application, applicationArn, scope)
      : `the record names console instance ${instanceId}, which is not application ${applicationArn}`;
  if (foreign === undefined) return undefined;
  logger.warn('recorded application is not the profile application; mapping not restored', { recorded: applicationArn, instanceId, foreign });
  return {
    step: STEP,
    action: 'left-in-place',
    changes: [],
    leftInPlace: [`the mapping was not restored: ${foreign}; check the application in the IAM Identity Center console`],
  };
}

/**
 * Puts the application's mapping back as it was before this execution (invariant 2), only over its own write: it
 * writes only what differs from what it reads now, so a second revert writes nothing; when the console API does not
 * return the current mapping it writes nothing and says what to put back.
 */
export async function revertAttributeMapping(doc: ExecutionDocument, deps: AttributeMappingDeps): Promise<RevertReport> {
  const { request } = doc;
  if (request.dryRun) return nothing(['dry run: nothing was written']);
  const now = deps.now ?? (() => new Date());
  const found = await findApplied(doc, deps);
  if ('action' in found) return found;
  const { previous, details } = found;
  const { instanceId } = details;

  const foreign = await notProfileApplication(doc, deps, details);
  if (foreign) return foreign;

  const current = await readCurrentConfiguration(deps.swb, instanceId);
  // Only over what this execution wrote: a later change (a person's in the console, another execution's) stays. With
  // the previous mapping unknown, the revert takes out only the pipeline's attributes from what is there now, so only
  // a later change to those stops it.
  const later = previous.configuration
    ? laterChanges(found.footprint, mappingFootprintOf(details.applicationArn, current))
    : changedAttributes(current, details);
  if (later.length > 0) {
    logger.warn('mapping changed since this execution wrote it; left in place', { applicationArn: details.applicationArn, later });
    return { step: STEP, action: 'left-in-place', changes: [], leftInPlace: later };
  }
  const notes: string[] = [];
  let target: MappingConfiguration;
  if (previous.configuration) {
    target = previous.configuration;
  } else {
    const base = current ?? details.configuration;
    if (!base) return nothing(['the previous mapping is unknown and no written mapping was recorded: nothing to restore']);
    target = withoutAttributes(base, details.managedAttributes);
    notes.push(
      `the previous mapping of "${details.applicationName}" was unknown (the console API did not return it and this pipeline had not written one): removed the pipeline's attributes ${details.managedAttributes.join(', ')}; the subject (${target.responseConfig.subject.source.join(' | ')}, ${target.responseSchemaConfig.subject.nameIdFormat}) and any attribute the console held before could not be restored: check them in the IAM Identity Center console`,
    );
  }

  let parts: MappingPart[];
  if (current) {
    parts = partsToWrite(current, target);
    if (parts.length === 0) return nothing([`the mapping of "${details.applicationName}" already is the previous one`, ...notes]);
  } else {
    const saved = await readSavedState(deps.records, request, instanceId);
    if (saved?.writtenBy === 'revert' && saved.executionName === request.executionName) {
      return nothing([`this execution already restored the mapping of "${details.applicationName}"`]);
    }
    // Unreadable: only the halves the apply began to write changed; another half still holds its old values.
    parts = details.attempted ?? ['responseConfig', 'responseSchemaConfig'];
    if (parts.length === 0) return nothing(['the apply step wrote no mapping']);
  }
  // A revert restores only over its own write, and an unreadable mapping hides whether someone changed it since (the
  // console is open to people while an execution runs): it writes nothing and says what to put back, from the record
  // (`undo` refuses the same case). An application this execution created is its own, as the apply treats it.
  const createdHere = doc.receipts?.application?.action === 'created' && doc.receipts.application.arn === details.applicationArn;
  if (!current && !createdHere) {
    logger.warn('current mapping unreadable: previous mapping not written back', { applicationArn: details.applicationArn, parts });
    return {
      step: STEP,
      action: 'left-in-place',
      changes: [],
      leftInPlace: [
        `application ${details.applicationArn}: the console API does not return its current mapping, so a change made since this execution wrote it (${parts.join(', ')}) cannot be told apart: left as it is. ` +
          `To put back what was there before, set in the IAM Identity Center console: ${describeChanges(details.configuration, target).join('; ') || 'the mapping this execution wrote'}`,
      ],
    };
  }

  await journalRevert(deps.records, request, STEP, [`restore the mapping of "${details.applicationName}" (${parts.join(', ')})`], now);
  for (const part of parts) await writePart(deps.swb, instanceId, part, target);
  await saveState(deps.records, request, { applicationArn: details.applicationArn, instanceId, configuration: target, writtenBy: 'revert' }, now);
  logger.info('attribute mapping restored', { applicationArn: details.applicationArn, parts, previousSource: previous.source });
  const restoredFrom =
    previous.source === 'api'
      ? 'as the console API returned it'
      : previous.source === 'pipeline-state'
        ? 'as this pipeline last wrote it'
        : 'without the pipeline attributes';
  return {
    step: STEP,
    action: 'restored',
    changes: [
      `restored the mapping of "${details.applicationName}" (${details.applicationArn}) ${restoredFrom}`,
      ...describeChanges(current ?? details.configuration, target),
      ...notes,
    ],
  };
}
