import { applicationArnOf } from '../identity-center/locate';
import { type ApplicationMetadataDeps, fetchApplicationMetadata } from '../identity-center/portal';
import type { MetadataSummary } from '../shared/document';
import { FederationError } from '../shared/errors';
import type { ResolvedProfile } from '../shared/profile';
import { MetadataUnknownSigningCertificateError, MetadataWrongApplicationError } from './errors';
import { namesApplication } from './issuer';
import { validateMetadata } from './metadata';

/** Where the profile's application lives: the pipeline's account and IAM Identity Center's region. */
export interface ApplicationScope {
  account: string;
  region: string;
}

/**
 * The profile's application, located for an upload exactly as a fetch locates it: by ARN when the profile names one,
 * else by display name in the configured (or the account's only) IAM Identity Center instance.
 */
export async function profileApplication(profile: ResolvedProfile, deps: ApplicationMetadataDeps, scope: ApplicationScope): Promise<string> {
  return (await applicationArnOf(deps.ssoAdmin, profile.application, { ...scope, profile: profile.name })).applicationArn;
}

/**
 * An entityID is a string anyone can copy; the certificate an application signs with is not. So an uploaded document
 * is installed only when every one of its signing certificates is one the application's own metadata carries, read
 * as the fetch reads it (the console API's certificate list has no certificate body, and its shape is unconfirmed).
 * After a rotation the daily check's fetch installs the application's new document; an upload made before the
 * application has the new certificate is refused, naming both sides.
 */
export async function checkVouchedByApplication(
  metadata: MetadataSummary,
  profile: ResolvedProfile,
  applicationArn: string,
  deps: ApplicationMetadataDeps,
  scope: ApplicationScope,
  now: Date,
): Promise<void> {
  const fetched = await fetchApplicationMetadata(profile, deps, scope, applicationArn);
  let own: MetadataSummary;
  try {
    own = validateMetadata(fetched.body, now);
  } catch (error) {
    if (!(error instanceof FederationError)) throw error;
    throw new MetadataUnknownSigningCertificateError(
      `profile ${profile.name}: the own metadata of IAM Identity Center application ${applicationArn} (${fetched.url}) was refused (${error.name}: ${error.message}), ` +
        'so no certificate of the uploaded document can be vouched for. Fix the application in the IAM Identity Center console, then upload again.',
      { cause: error },
    );
  }
  // The URL comes back from IAM Identity Center, so it is input too: what it served must be this application's document.
  if (!namesApplication(own.entityId, applicationArn)) {
    throw new MetadataWrongApplicationError(
      `profile ${profile.name}: the metadata served for IAM Identity Center application ${applicationArn} (${fetched.url}) names ${own.entityId}, not that application, ` +
        'so it cannot vouch for the uploaded document. Check the application in the IAM Identity Center console. Nothing was changed.',
    );
  }
  const known = new Set(own.certificates.map((certificate) => certificate.sha256Fingerprint.toUpperCase()));
  const unknown = metadata.certificates.filter((certificate) => !known.has(certificate.sha256Fingerprint.toUpperCase()));
  if (unknown.length === 0) return;
  throw new MetadataUnknownSigningCertificateError(
    `profile ${profile.name}: signing certificate(s) ${unknown.map((c) => `SHA-256 ${c.sha256Fingerprint} (${c.subject || 'no subject'})`).join(', ')} ` +
      `of the uploaded document are not among those IAM Identity Center application ${applicationArn} signs with ` +
      `(its own metadata at ${fetched.url} carries ${own.certificates.map((c) => `SHA-256 ${c.sha256Fingerprint}`).join(', ') || 'none'}). ` +
      `Upload the application's own metadata file (download it again from the console), or start an execution with {"profile": "${profile.name}"} to take it from the application. Nothing was changed.`,
  );
}
