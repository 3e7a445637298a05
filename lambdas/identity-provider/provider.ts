import { createHash } from 'node:crypto';
import { GetSAMLProviderCommand, type GetSAMLProviderCommandOutput, type IAMClient } from '@aws-sdk/client-iam';
import type { ExecutionRequest } from '../shared/document';

/** Where the apply step keeps the document it replaced; the receipt carries this location, never the XML. */
export interface MetadataBackup {
  bucket: string;
  key: string;
  /** Set when the bucket is versioned. */
  versionId?: string;
}

/** `previous` of an 'updated' receipt and journal entry. Absent (undefined) when the provider did not exist. */
export interface IdentityProviderPrevious {
  backup: MetadataBackup;
  /** Hex SHA-256 and length of the replaced document, so people can recognise it without downloading it. */
  sha256: string;
  characters: number;
}

/** Hex SHA-256 of a document's UTF-8 text: how a backup is recorded, and checked before it is restored. */
export function sha256(document: string): string {
  return createHash('sha256').update(document, 'utf8').digest('hex');
}

export function backupKey(request: Pick<ExecutionRequest, 'executionName'>): string {
  return `backups/${request.executionName}/identity-provider.xml`;
}

/** The provider, or undefined when IAM has none with that ARN. */
export async function getSamlProvider(iam: IAMClient, arn: string): Promise<GetSAMLProviderCommandOutput | undefined> {
  try {
    return await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arn }));
  } catch (error) {
    if ((error as Error).name === 'NoSuchEntityException') return undefined;
    throw error;
  }
}

/**
 * True when both metadata documents are the same document.
 *
 * Compared byte for byte except for whitespace at the very end: editors and download tools add or drop a final
 * newline, and whitespace after the root element's end tag is not part of the XML content, so it cannot change what
 * IAM trusts. Anything else (attribute order, indentation, namespace prefixes) counts as a difference: the certificates
 * and signature live in those bytes, and a needless UpdateSAMLProvider is harmless while a missed rotation is not.
 */
export function sameMetadataDocument(a: string, b: string): boolean {
  return a.trimEnd() === b.trimEnd();
}
