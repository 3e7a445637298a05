import type { MetadataSummary } from '../shared/document';
import type { FederationConfig, ResolvedProfile } from '../shared/profile';
import { MetadataUnpinnedCertificateError, MetadataWrongApplicationError } from './errors';

/**
 * IAM Identity Center's entityID: `https://portal.sso.<region>.amazonaws.com[.cn]/saml/assertion/<token>`, where the
 * token is base64 of `<account>_ins-<16 hex>`, the account and application instance that issue the assertions.
 */
const IDENTITY_CENTER_ENTITY_ID = /^https:\/\/portal\.sso\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/saml\/assertion\/([A-Za-z0-9+/_-]+={0,2})$/;
const APPLICATION_TOKEN = /^(\d{12})_(ins-[0-9a-f]{16})$/;
const APPLICATION_ARN = /^arn:[^:]+:sso::(\d{12}):application\/[^/]+\/apl-([0-9a-f]{16})$/;

/** The account and application instance an Identity Center entityID names, or undefined for any other issuer. */
export function identityCenterIssuer(entityId: string): { account: string; instanceId: string } | undefined {
  const token = IDENTITY_CENTER_ENTITY_ID.exec(entityId)?.[1];
  if (token === undefined) return undefined;
  const decoded = APPLICATION_TOKEN.exec(Buffer.from(token, 'base64').toString('utf-8'));
  return decoded?.[1] && decoded[2] ? { account: decoded[1], instanceId: decoded[2] } : undefined;
}

/**
 * Refuses metadata whose issuer is not the one the profile trusts, before anything changes: whoever may upload under
 * `metadata/<profile>/` must not decide which identity provider the profile's role trusts.
 *
 * - `identityProvider.expectedEntityId` pins the issuer exactly.
 * - Without it, the profile's IAM Identity Center application implies it: the entityID must encode the application
 *   (`<account>_ins-<id>`, the ARN's `apl-<id>`), named by ARN or located by display name (Intake locates it for an
 *   upload as for a fetch, and checks its certificates apart: lambdas/intake/vouch.ts).
 * - `identityProvider.signingCertificateFingerprints`, when set, must include every signing certificate; when not, the
 *   returned warning says which key the upload makes the provider trust.
 */
export function checkIssuer(
  metadata: MetadataSummary,
  profile: ResolvedProfile,
  config: FederationConfig,
  identityCenterAccount: string,
  /** The application the document was fetched for, when Intake found it: then the entityID must name exactly it. */
  locatedApplicationArn?: string,
): string[] {
  const { expectedEntityId, signingCertificateFingerprints } = profile.identityProvider;
  const where = `profile ${profile.name}`;
  if (expectedEntityId !== undefined) {
    if (metadata.entityId !== expectedEntityId) {
      throw new MetadataWrongApplicationError(
        `the document's entityID is ${metadata.entityId}, but ${where} trusts only ${expectedEntityId} (identityProvider.expectedEntityId). ` +
          "Upload that identity provider's metadata under this profile's prefix, or change the pin if the issuer really changed.",
      );
    }
  } else {
    checkImpliedIssuer(metadata.entityId, profile, config, identityCenterAccount, locatedApplicationArn);
  }
  if (signingCertificateFingerprints !== undefined) {
    const pinned = new Set(signingCertificateFingerprints.map((fingerprint) => fingerprint.toUpperCase()));
    const unpinned = metadata.certificates.filter((certificate) => !pinned.has(certificate.sha256Fingerprint.toUpperCase()));
    if (unpinned.length > 0) {
      throw new MetadataUnpinnedCertificateError(
        `signing certificate(s) ${unpinned.map((c) => `${c.subject || '(no subject)'} (SHA-256 ${c.sha256Fingerprint})`).join(', ')} ` +
          `are not among the fingerprints ${where} pins (identityProvider.signingCertificateFingerprints). After a certificate rotation, add the new fingerprint to the profile and deploy, then upload again.`,
      );
    }
    return [];
  }
  // Said wherever the plan or the result is, so that a change of key is seen. For an issuer implied by the application,
  // Intake holds the certificates to the application's own metadata (vouch.ts); for a pinned issuer, only a pinned
  // certificate proves whose document it is.
  const trusted = metadata.certificates.map((c) => `SHA-256 ${c.sha256Fingerprint}`).join(', ');
  return [
    expectedEntityId === undefined
      ? `${where} pins no signing certificate (identityProvider.signingCertificateFingerprints): the provider trusts ${trusted}, which the application's own metadata carries`
      : `${where} pins no signing certificate (identityProvider.signingCertificateFingerprints): the provider trusts ${trusted} because this document carries it; pin it if whoever supplies the metadata is not trusted to choose the key`,
  ];
}

/** The account and instance id an application ARN names (`apl-<id>` is `ins-<id>` to the console API and entityIDs). */
function applicationIssuer(arn: string | undefined): { account: string; instanceId: string } | undefined {
  const application = arn ? APPLICATION_ARN.exec(arn) : undefined;
  return application?.[1] && application[2] ? { account: application[1], instanceId: `ins-${application[2]}` } : undefined;
}

/** Whether an IAM Identity Center entityID names exactly this application (its account and `ins-<id>`). */
export function namesApplication(entityId: string, applicationArn: string): boolean {
  const issuer = identityCenterIssuer(entityId);
  const expected = applicationIssuer(applicationArn);
  return issuer !== undefined && expected !== undefined && issuer.account === expected.account && issuer.instanceId === expected.instanceId;
}

function checkImpliedIssuer(
  entityId: string,
  profile: ResolvedProfile,
  config: FederationConfig,
  identityCenterAccount: string,
  locatedApplicationArn: string | undefined,
): void {
  const issuer = identityCenterIssuer(entityId);
  const expected = applicationIssuer(profile.application.arn ?? locatedApplicationArn);
  const named =
    profile.application.arn ??
    `the application named "${profile.application.displayName}"${locatedApplicationArn ? ` (${locatedApplicationArn})` : ''}`;
  const refuse = (found: string) =>
    new MetadataWrongApplicationError(
      `the document is ${found}, not the metadata of profile ${profile.name}'s IAM Identity Center application (${named}). ` +
        `Download the IAM Identity Center SAML metadata file of that application and upload it under metadata/${profile.name}/, ` +
        'or pin another issuer with identityProvider.expectedEntityId.',
    );
  if (!issuer) throw refuse(`from the identity provider ${entityId}`);
  // Another profile's application is named as such: the likeliest mistake is a file dropped under the wrong prefix.
  const other = Object.entries(config.profiles).find(
    ([name, candidate]) => name !== profile.name && applicationIssuer(candidate.application.arn)?.instanceId === issuer.instanceId,
  );
  const describe = other
    ? `the metadata of profile ${other[0]}'s application (${other[1].application.arn})`
    : `the metadata of application instance ${issuer.instanceId} in account ${issuer.account}`;
  if (expected && (issuer.account !== expected.account || issuer.instanceId !== expected.instanceId)) throw refuse(describe);
  // Without a located application (a unit check of the issuer alone), the account and the other profiles are all it knows.
  if (!expected && (issuer.account !== identityCenterAccount || other)) throw refuse(describe);
}
