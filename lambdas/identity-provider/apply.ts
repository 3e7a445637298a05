import { createHash } from 'node:crypto';
import { CreateSAMLProviderCommand, IAMClient, UpdateSAMLProviderCommand } from '@aws-sdk/client-iam';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { samlProviderArn, sourceUri } from '../shared/arns';
import type { ExecutionDocument, Receipt } from '../shared/document';
import { parseExecutionDocument } from '../shared/document-parse';
import { readMetadataDocument, writeJournal } from '../shared/journal';
import { logger } from '../shared/logger';
import { pipelineTags } from '../shared/tags';
import { IdentityProviderQuotaExceededError } from './errors';
import { backupKey, getSamlProvider, sameMetadataDocument, type IdentityProviderPrevious } from './provider';

/**
 * IAM actions: iam:GetSAMLProvider, iam:CreateSAMLProvider, iam:TagSAMLProvider (CreateSAMLProvider with Tags),
 * iam:UpdateSAMLProvider on arn:<partition>:iam::<account>:saml-provider/<profile provider names>.
 * S3 on the metadata bucket: s3:GetObject + s3:GetObjectVersion on metadata/*, s3:PutObject on journal/* and backups/*.
 */
export interface IdentityProviderDeps {
  iam: IAMClient;
  s3: S3Client;
  now?: () => Date;
}

export type IdentityProviderReceipt = Receipt<IdentityProviderPrevious>;

const IAM_SAML_PROVIDER_QUOTA = 100;

/** Creates the profile's SAML provider from the execution's metadata, or brings an existing one up to date. */
export async function applyIdentityProvider(doc: ExecutionDocument, deps: IdentityProviderDeps): Promise<IdentityProviderReceipt> {
  const { request, profile } = doc;
  const name = profile.identityProvider.name;
  const arn = samlProviderArn(request, name);
  const source = sourceUri(request);
  const [current, desired] = await Promise.all([getSamlProvider(deps.iam, arn), readMetadataDocument(deps.s3, request)]);
  const receipt = (action: Receipt['action'], changes: string[], plannedAction: 'create' | 'update' | 'none', previous?: IdentityProviderPrevious): IdentityProviderReceipt => ({
    step: 'identityProvider',
    action,
    arn,
    ...(previous === undefined ? {} : { previous }),
    changes,
    details: { name, ...(request.dryRun ? { plannedAction } : {}) },
  });

  if (current === undefined) {
    if (request.dryRun) return receipt('planned', [`would create SAML provider ${name} from ${source}`], 'create');
    const changes = [`created SAML provider ${name} from ${source}`];
    await writeJournal(deps.s3, request, { step: 'identityProvider', intent: [`create SAML provider ${name}`], details: { arn, name } }, deps.now);
    try {
      await deps.iam.send(new CreateSAMLProviderCommand({ Name: name, SAMLMetadataDocument: desired, Tags: pipelineTags(request) }));
    } catch (error) {
      if ((error as Error).name === 'LimitExceededException') {
        throw new IdentityProviderQuotaExceededError(
          `cannot create SAML provider ${name}: account ${request.account} has reached IAM's quota of ${IAM_SAML_PROVIDER_QUOTA} SAML providers. ` +
            'Delete providers no longer in use (aws iam list-saml-providers), or point the profile at an existing provider, then start the execution again.',
          { cause: error },
        );
      }
      throw error;
    }
    logger.info('created SAML provider', { arn });
    return receipt('created', changes, 'create');
  }

  const currentDocument = current.SAMLMetadataDocument ?? '';
  if (sameMetadataDocument(currentDocument, desired)) {
    return request.dryRun ? receipt('planned', [], 'none') : receipt('unchanged', [], 'none');
  }

  const backup = { bucket: request.bucket, key: backupKey(request) };
  if (request.dryRun) {
    return receipt('planned', [`would replace the metadata of SAML provider ${name} with ${source}, after backing the current one up to s3://${backup.bucket}/${backup.key}`], 'update');
  }
  // The backup comes first so that a journal entry never points at a backup that does not exist.
  const stored = await deps.s3.send(
    new PutObjectCommand({ Bucket: backup.bucket, Key: backup.key, Body: currentDocument, ContentType: 'application/samlmetadata+xml' }),
  );
  const previous: IdentityProviderPrevious = {
    backup: stored.VersionId === undefined ? backup : { ...backup, versionId: stored.VersionId },
    sha256: createHash('sha256').update(currentDocument, 'utf8').digest('hex'),
    characters: currentDocument.length,
  };
  await writeJournal(deps.s3, request, { step: 'identityProvider', intent: [`replace the metadata of SAML provider ${name}`], previous, details: { arn, name } }, deps.now);
  await deps.iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: arn, SAMLMetadataDocument: desired }));
  logger.info('updated SAML provider metadata', { arn, backup: previous.backup });
  return receipt('updated', [`replaced the metadata of SAML provider ${name} with ${source}; the previous document is backed up at s3://${backup.bucket}/${backup.key}`], 'update', previous);
}

const iam = new IAMClient({});
const s3 = new S3Client({});

export const handler = async (event: unknown): Promise<IdentityProviderReceipt> =>
  applyIdentityProvider(parseExecutionDocument(event), { iam, s3 });
