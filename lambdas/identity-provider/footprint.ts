import type { GetSAMLProviderCommandOutput, IAMClient } from '@aws-sdk/client-iam';
import { iamAt, samlProviderArn } from '../shared/arns';
import type { ExecutionDocument } from '../shared/document';
import { ABSENT, digest, type Footprint, PRESENT, tagsValue } from '../shared/footprint';
import { getSamlProvider } from './provider';

function label(doc: Pick<ExecutionDocument, 'profile'>): string {
  return `SAML provider ${doc.profile.identityProvider.name}`;
}

/** A metadata document as the provider's footprint keeps it: trailing whitespace is not part of it (sameMetadataDocument). */
function documentDigest(xml: string): string {
  return digest(xml.trimEnd());
}

/** The profile's provider as it is now: whether it exists, its document and its tags. */
export async function readProviderFootprint(doc: ExecutionDocument, iam: IAMClient): Promise<Footprint> {
  return providerFootprint(doc, await getSamlProvider(iam, samlProviderArn(iamAt(doc), doc.profile.identityProvider.name)));
}

/** The footprint of the provider as GetSAMLProvider answered (undefined: there is none). */
export function providerFootprint(doc: ExecutionDocument, provider: GetSAMLProviderCommandOutput | undefined): Footprint {
  const name = label(doc);
  if (!provider) return { [name]: ABSENT };
  return {
    [name]: PRESENT,
    [`${name}: metadata document`]: documentDigest(provider.SAMLMetadataDocument ?? ''),
    [`${name}: tags`]: tagsValue(provider.Tags),
  };
}

/** What the step leaves: the execution's document, on the provider it found (tags unchanged) or on one it creates (tagged). */
export function providerLeaves(doc: ExecutionDocument, before: Footprint, desiredXml: string): Footprint {
  const name = label(doc);
  return before[name] === PRESENT
    ? { ...before, [`${name}: metadata document`]: documentDigest(desiredXml) }
    : { [name]: PRESENT, [`${name}: metadata document`]: documentDigest(desiredXml), [`${name}: tags`]: tagsValue([]) };
}
