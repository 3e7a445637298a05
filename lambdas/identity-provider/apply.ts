import { CreateSAMLProviderCommand, type IAMClient, UpdateSAMLProviderCommand } from '@aws-sdk/client-iam';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { iamAt, samlProviderArn, sourceUri } from '../shared/arns';
import type { ExecutionDocument, Receipt } from '../shared/document';
import type { StepFootprint } from '../shared/footprint';
import { type JournalEntry, readJournal, readMetadataDocument, writeJournal } from '../shared/journal';
import { logger } from '../shared/logger';
import type { RecordStore } from '../shared/records';
import { createdByExecution, pipelineTags } from '../shared/tags';
import { IdentityProviderQuotaExceededError } from './errors';
import { providerFootprint, providerLeaves } from './footprint';
import { backupKey, getSamlProvider, type IdentityProviderPrevious, sameMetadataDocument, sha256 } from './provider';

/**
 * IAM actions: iam:GetSAMLProvider, iam:CreateSAMLProvider, iam:TagSAMLProvider (CreateSAMLProvider with Tags),
 * iam:UpdateSAMLProvider on arn:<partition>:iam::<account>:saml-provider/<profile provider names>.
 * S3 on the metadata bucket: s3:GetObject + s3:GetObjectVersion on metadata/* (the validated document, by version),
 * s3:PutObject on backups/* (the metadata it replaces). The record table: this execution's journal (step.ts grants
 * exactly these).
 */
export interface IdentityProviderDeps {
  /** The pipeline's record table: this execution's journal. */
  records: RecordStore;
  iam: IAMClient;
  s3: S3Client;
  now?: () => Date;
}

export type IdentityProviderReceipt = Receipt<IdentityProviderPrevious>;

const IAM_SAML_PROVIDER_QUOTA = 100;

/**
 * Creates the profile's SAML provider from the execution's metadata, or brings an existing one up to date.
 *
 * The state machine retries this step on transient errors, and an attempt whose write went through may still have
 * failed (its answer lost). So the receipt describes the change against the account as it was before the execution:
 * when this execution's journal entry exists, an earlier attempt began the change, and its `previous` is that state.
 */
export async function applyIdentityProvider(doc: ExecutionDocument, deps: IdentityProviderDeps): Promise<IdentityProviderReceipt> {
  const { request, profile } = doc;
  const name = profile.identityProvider.name;
  const arn = samlProviderArn(iamAt(doc), name);
  const source = sourceUri(request);
  // A dry run never journals, so it has no earlier attempt to read about.
  const [current, desired, earlier] = await Promise.all([
    getSamlProvider(deps.iam, arn),
    readMetadataDocument(deps.s3, request),
    request.dryRun ? undefined : readJournal<IdentityProviderPrevious>(deps.records, request, 'identityProvider'),
  ]);
  // What this execution found and leaves (the first attempt's, when an earlier one journalled it).
  const before = providerFootprint(doc, current);
  const footprint: StepFootprint = earlier?.footprint ?? { before, left: providerLeaves(doc, before, desired) };
  const receipt = (
    action: Receipt['action'],
    changes: string[],
    plannedAction: 'create' | 'update' | 'none',
    previous?: IdentityProviderPrevious,
  ): IdentityProviderReceipt => ({
    step: 'identityProvider',
    action,
    arn,
    ...(previous === undefined ? {} : { previous }),
    changes,
    details: { name, ...(request.dryRun ? { plannedAction } : {}) },
    ...(action === 'created' || action === 'updated' ? { footprint } : {}),
  });
  const createdChanges = [`created SAML provider ${name} from ${source}`];

  if (current === undefined) {
    if (request.dryRun) return receipt('planned', [`would create SAML provider ${name} from ${source}`], 'create');
    // Every attempt journals before it creates (a retry's entry keeps the first attempt's), under its lease.
    await writeJournal(
      deps.records,
      request,
      { step: 'identityProvider', intent: [`create SAML provider ${name}`], details: { arn, name }, footprint },
      deps.now,
    );
    await createProvider(deps.iam, doc, desired);
    logger.info('created SAML provider', { arn });
    return receipt('created', createdChanges, 'create');
  }

  const currentDocument = current.SAMLMetadataDocument ?? '';
  const matches = sameMetadataDocument(currentDocument, desired);
  const retried = earlier === undefined ? undefined : earlierChange(earlier, current.Tags, doc);
  if (retried !== undefined) {
    // An earlier attempt of this execution created or updated the provider; only a write it did not get to is left,
    // journalled again first (under this attempt's lease, as every change).
    if (!matches) {
      await writeJournal(
        deps.records,
        request,
        { step: 'identityProvider', intent: [`write the metadata of SAML provider ${name}`], footprint },
        deps.now,
      );
      await deps.iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: arn, SAMLMetadataDocument: desired }));
    }
    logger.info('SAML provider changed by an earlier attempt of this execution', { arn, change: retried.kind, wroteNow: !matches });
    return retried.kind === 'created'
      ? receipt('created', createdChanges, 'create')
      : receipt('updated', updatedChanges(name, source, retried.previous), 'update', retried.previous);
  }
  if (matches) return request.dryRun ? receipt('planned', [], 'none') : receipt('unchanged', [], 'none');

  const backup = { bucket: request.bucket, key: backupKey(request) };
  if (request.dryRun) {
    return receipt(
      'planned',
      [`would replace the metadata of SAML provider ${name} with ${source}, after backing the current one up to s3://${backup.bucket}/${backup.key}`],
      'update',
    );
  }
  // The backup comes first so that a journal entry never points at a backup that does not exist.
  const stored = await deps.s3.send(
    new PutObjectCommand({ Bucket: backup.bucket, Key: backup.key, Body: currentDocument, ContentType: 'application/samlmetadata+xml' }),
  );
  const previous: IdentityProviderPrevious = {
    backup: stored.VersionId === undefined ? backup : { ...backup, versionId: stored.VersionId },
    sha256: sha256(currentDocument),
    characters: currentDocument.length,
  };
  await writeJournal(
    deps.records,
    request,
    { step: 'identityProvider', intent: [`replace the metadata of SAML provider ${name}`], previous, details: { arn, name }, footprint },
    deps.now,
  );
  await deps.iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: arn, SAMLMetadataDocument: desired }));
  logger.info('updated SAML provider metadata', { arn, backup: previous.backup });
  return receipt('updated', updatedChanges(name, source, previous), 'update', previous);
}

async function createProvider(iam: IAMClient, doc: ExecutionDocument, desired: string): Promise<void> {
  const { request } = doc;
  const name = doc.profile.identityProvider.name;
  try {
    await iam.send(new CreateSAMLProviderCommand({ Name: name, SAMLMetadataDocument: desired, Tags: pipelineTags(request) }));
  } catch (error) {
    if ((error as Error).name === 'LimitExceededException') {
      throw new IdentityProviderQuotaExceededError(
        `cannot create SAML provider ${name}: account ${iamAt(doc).account} has reached IAM's quota of ${IAM_SAML_PROVIDER_QUOTA} SAML providers. ` +
          'Delete providers no longer in use (aws iam list-saml-providers), or point the profile at an existing provider, then start the execution again.',
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * What an earlier attempt of this execution did to the provider that now exists, from its journal entry: it created
 * it (the entry holds no previous document and the provider's tags name this execution), or it replaced the document
 * backed up in the entry. Undefined when the provider is not this execution's doing (created by someone else since).
 */
function earlierChange(
  entry: JournalEntry<IdentityProviderPrevious>,
  tags: { Key?: string; Value?: string }[] | undefined,
  doc: ExecutionDocument,
): { kind: 'created' } | { kind: 'updated'; previous: IdentityProviderPrevious } | undefined {
  if (entry.previous !== undefined) return { kind: 'updated', previous: entry.previous };
  const ours = createdByExecution(
    tags?.map((tag) => ({ Key: tag.Key ?? '', Value: tag.Value ?? '' })),
    doc.request,
  );
  return ours ? { kind: 'created' } : undefined;
}

function updatedChanges(name: string, source: string, previous: IdentityProviderPrevious): string[] {
  return [
    `replaced the metadata of SAML provider ${name} with ${source}; the previous document is backed up at s3://${previous.backup.bucket}/${previous.backup.key}`,
  ];
}
