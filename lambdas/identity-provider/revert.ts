import { DeleteSAMLProviderCommand, type IAMClient, UpdateSAMLProviderCommand } from '@aws-sdk/client-iam';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { iamAt, samlProviderArn } from '../shared/arns';
import type { ExecutionDocument, Receipt, RevertReport } from '../shared/document';
import { laterChanges, type StepFootprint } from '../shared/footprint';
import { journalRevert, objectText, readJournal } from '../shared/journal';
import { logger } from '../shared/logger';
import type { RecordStore } from '../shared/records';
import { taggedExecution } from '../shared/tags';
import { IdentityProviderVanishedError } from './errors';
import { providerFootprint } from './footprint';
import { getSamlProvider, type IdentityProviderPrevious, type MetadataBackup, sameMetadataDocument, sha256 } from './provider';

/**
 * IAM actions: iam:GetSAMLProvider, iam:UpdateSAMLProvider, iam:DeleteSAMLProvider on the profiles' providers.
 * S3 on the metadata bucket: s3:GetObject + s3:GetObjectVersion on backups/* (the replaced metadata it puts back).
 * The record table: this execution's journal (step.ts grants exactly these).
 */
export interface IdentityProviderRevertDeps {
  /** The pipeline's record table: this execution's journal. */
  records: RecordStore;
  iam: IAMClient;
  s3: S3Client;
}

/** What apply did, and whether the execution's own state (its receipt) says so or only its journal (what it set out to do). */
type WhatApplyDid = ({ kind: 'created'; arn: string } | { kind: 'updated'; arn: string; previous: IdentityProviderPrevious }) & {
  from: 'receipt' | 'journal';
  /** What the step found and left (lambdas/shared/footprint.ts), when it recorded it. */
  footprint?: StepFootprint;
};

/**
 * Undoes what the IdentityProvider step of this execution did, working from its receipt or, when the step threw or
 * reported no change, from its journal entry. Deletes only a provider whose tags say this execution created it;
 * restores the backed-up document of a provider that existed before. Safe to run twice.
 */
export async function revertIdentityProvider(doc: ExecutionDocument, deps: IdentityProviderRevertDeps): Promise<RevertReport> {
  const found = await whatApplyDid(doc, deps.records);
  if (typeof found === 'string') return nothingToDo(found);
  const name = doc.profile.identityProvider.name;
  const current = await getSamlProvider(deps.iam, found.arn);
  // Only over what this execution left: a later change (a person's, another execution's) stays, and is reported.
  const later = current === undefined ? [] : laterChanges(found.footprint, providerFootprint(doc, current));
  if (later.length > 0) {
    logger.warn('SAML provider changed since this execution left it; left in place', { arn: found.arn, later });
    return { step: 'identityProvider', action: 'left-in-place', changes: [], leftInPlace: later };
  }

  if (found.kind === 'created') {
    if (current === undefined) return nothingToDo(`SAML provider ${name} does not exist (never created, or already deleted)`);
    const owner = taggedExecution(
      current.Tags?.map((tag) => ({ Key: tag.Key ?? '', Value: tag.Value ?? '' })),
      doc.request,
    );
    // Tags naming another execution mean the provider was re-created since; without its receipt, this execution only
    // knows it set out to create one, and a provider without its tags may be someone else's.
    if (owner === 'other' || (owner === 'none' && found.from === 'journal')) {
      logger.warn('SAML provider not tagged as created by this execution; left in place', { arn: found.arn, tags: current.Tags });
      return leftInPlace(
        `SAML provider ${name} (${found.arn}): ${owner === 'other' ? 'its tags name another execution, so it was re-created since' : 'this execution set out to create it, but its tags do not name this execution'}; ` +
          "it was not deleted: check it and delete it by hand if it is this execution's",
      );
    }
    await journalRevert(deps.records, doc.request, 'identityProvider', [`delete SAML provider ${name}, created by this execution`]);
    await deps.iam.send(new DeleteSAMLProviderCommand({ SAMLProviderArn: found.arn }));
    logger.info('deleted SAML provider created by this execution', { arn: found.arn });
    // The receipt is the execution's own record; tags that disagree with it are reported, not trusted.
    const note =
      owner === 'this' ? [] : [`its tags did not name execution ${doc.request.executionName} (the receipt says this execution created it)`];
    return { step: 'identityProvider', action: 'deleted', changes: [`deleted SAML provider ${name}, created by this execution`, ...note] };
  }

  const location = `s3://${found.previous.backup.bucket}/${found.previous.backup.key}`;
  if (current === undefined) {
    throw new IdentityProviderVanishedError(
      `SAML provider ${name} was updated by execution ${doc.request.executionName} but no longer exists, so its previous metadata cannot be restored. ` +
        `The previous document is at ${location}; re-create the provider from it (aws iam create-saml-provider) if it is still needed.`,
    );
  }
  const backup = await readBackup(deps.s3, found.previous.backup);
  // The record of the replaced document (its SHA-256) lives where only the pipeline writes; the backup's bytes live in
  // the bucket. A backup that no longer hashes to the record is not what apply read from IAM: restoring it could install
  // an identity provider of someone else's choosing, so the provider keeps this execution's metadata and the rollback
  // says why.
  const hash = sha256(backup);
  if (hash !== found.previous.sha256) {
    logger.warn('metadata backup does not match its recorded SHA-256; not restored', { arn: found.arn, backup: found.previous.backup });
    return leftInPlace(
      `SAML provider ${name} (${found.arn}) keeps this execution's metadata: its backup at ${location} has SHA-256 ${hash}, not the ${found.previous.sha256} recorded when it was taken, ` +
        'so it was not restored. Find the previous document (the bucket keeps earlier versions) and restore it by hand (aws iam update-saml-provider).',
    );
  }
  if (sameMetadataDocument(current.SAMLMetadataDocument ?? '', backup)) {
    return nothingToDo(`SAML provider ${name} already has its previous metadata`);
  }
  await journalRevert(deps.records, doc.request, 'identityProvider', [`restore the previous metadata of SAML provider ${name} from ${location}`]);
  await deps.iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: found.arn, SAMLMetadataDocument: backup }));
  logger.info('restored SAML provider metadata', { arn: found.arn, backup: found.previous.backup });
  return { step: 'identityProvider', action: 'restored', changes: [`restored the previous metadata of SAML provider ${name} from ${location}`] };
}

/** What the apply step changed, or a sentence saying why there is nothing to undo. */
async function whatApplyDid(doc: ExecutionDocument, records: RecordStore): Promise<WhatApplyDid | string> {
  const receipt = doc.receipts?.identityProvider as Receipt<IdentityProviderPrevious> | undefined;
  if (receipt !== undefined) {
    const footprint = receipt.footprint ? { footprint: receipt.footprint } : {};
    if (receipt.action === 'created') return { kind: 'created', arn: receipt.arn, from: 'receipt', ...footprint };
    if (receipt.action === 'updated' && receipt.previous !== undefined)
      return { kind: 'updated', arn: receipt.arn, previous: receipt.previous, from: 'receipt', ...footprint };
    // A dry run never journals; anything else may have been preceded by an attempt that changed the provider.
    if (receipt.action !== 'unchanged') return `the IdentityProvider step changed nothing (${receipt.action})`;
  }
  // No receipt (the step threw, possibly after its first change), or an 'unchanged' one from a retried attempt that
  // found an earlier attempt's change already made: the journal says what this execution was about to change.
  const entry = await readJournal<IdentityProviderPrevious>(records, doc.request, 'identityProvider');
  if (entry === undefined) {
    return receipt === undefined
      ? 'the IdentityProvider step made no change (no receipt, no journal entry)'
      : `the IdentityProvider step changed nothing (${receipt.action})`;
  }
  const arn = typeof entry.details?.arn === 'string' ? entry.details.arn : samlProviderArn(iamAt(doc), doc.profile.identityProvider.name);
  const footprint = entry.footprint ? { footprint: entry.footprint } : {};
  return entry.previous === undefined
    ? { kind: 'created', arn, from: 'journal', ...footprint }
    : { kind: 'updated', arn, previous: entry.previous, from: 'journal', ...footprint };
}

/** The backup as apply stored it: the recorded object version when the bucket keeps versions (the pipeline's does). */
async function readBackup(s3: S3Client, backup: MetadataBackup): Promise<string> {
  const response = await s3.send(new GetObjectCommand({ Bucket: backup.bucket, Key: backup.key, VersionId: backup.versionId }));
  return objectText(response, `s3://${backup.bucket}/${backup.key}${backup.versionId ? `?versionId=${backup.versionId}` : ''}`);
}

function nothingToDo(reason: string): RevertReport {
  return { step: 'identityProvider', action: 'nothing-to-do', changes: [reason] };
}

function leftInPlace(reason: string): RevertReport {
  return { step: 'identityProvider', action: 'left-in-place', changes: [], leftInPlace: [reason] };
}
