import { isUtf8 } from 'node:buffer';
import type { MetadataSummary } from '../shared/document';
import {
  MetadataEncodingError,
  MetadataExpiredError,
  MetadataInvalidEntityIdError,
  MetadataNoSigningCertificateError,
  MetadataNoSingleSignOnServiceError,
  MetadataNotIdentityProviderError,
  MetadataTooLargeError,
  MetadataTooSmallError,
} from './errors';
import { DAY_MS, EXPIRY_WARNING_DAYS, summarizeCertificates } from './metadata-certificates';
import { describeEntityId, type ScanResult, scanMetadata } from './metadata-scan';
import { SAML2_PROTOCOL } from './metadata-xml';

/** IAM's bounds for a SAML metadata document (CreateSAMLProvider / UpdateSAMLProvider). */
const METADATA_MIN_CHARACTERS = 1_000;
export const METADATA_MAX_CHARACTERS = 10_000_000;
/** SAML metadata schema, `entityIDType`: an anyURI of at most 1,024 characters. */
const ENTITY_ID_MAX_LENGTH = 1_024;

/**
 * Checks a size against IAM's bounds. Intake calls it with the object's size before reading the body; bytes are at
 * least as many as characters, so a document within the byte limit is always within IAM's character limit.
 */
export function checkMetadataSize(bytes: number, unit: 'bytes' | 'characters' = 'bytes'): void {
  if (bytes > METADATA_MAX_CHARACTERS) {
    throw new MetadataTooLargeError(
      `the document is ${bytes.toLocaleString('en-US')} ${unit}; IAM accepts SAML metadata up to ${METADATA_MAX_CHARACTERS.toLocaleString('en-US')} characters. ` +
        'Export the metadata of this one identity provider only, without aggregated or unrelated entities.',
    );
  }
  if (bytes < METADATA_MIN_CHARACTERS) {
    throw new MetadataTooSmallError(
      `the document is ${bytes.toLocaleString('en-US')} ${unit}; IAM requires SAML metadata of at least ${METADATA_MIN_CHARACTERS.toLocaleString('en-US')} characters, ` +
        "so this cannot be a complete metadata export (an empty upload, a truncated copy, or a service provider's metadata such as AWS's saml-metadata.xml?). " +
        'Download the identity provider\'s metadata XML again (the application\'s "IAM Identity Center SAML metadata file").',
    );
  }
}

/** Decodes the document as UTF-8, refusing what IAM (which reads UTF-8) would misread. A UTF-8 byte order mark is dropped. */
export function decodeMetadata(xml: Buffer | string): string {
  if (typeof xml === 'string') return xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  const b = xml;
  if ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff)) {
    const utf32 = b[0] === 0xff && b[2] === 0 && b[3] === 0;
    throw new MetadataEncodingError(
      `the document is ${utf32 ? 'UTF-32' : 'UTF-16'} (it starts with the byte order mark ${hex(b.subarray(0, utf32 ? 4 : 2))}); ` +
        'IAM needs UTF-8. Save the metadata as UTF-8 (for example: iconv -f UTF-16 -t UTF-8) and upload it again.',
    );
  }
  if (b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff) {
    throw new MetadataEncodingError('the document is UTF-32 (byte order mark 00 00 FE FF); IAM needs UTF-8. Save it as UTF-8 and upload it again.');
  }
  // '<' as UTF-16 without a byte order mark: the XML specification's own autodetection table.
  if ((b[0] === 0x3c && b[1] === 0x00) || (b[0] === 0x00 && b[1] === 0x3c)) {
    throw new MetadataEncodingError(
      'the document looks like UTF-16 without a byte order mark (every other byte is 00); IAM needs UTF-8. Save it as UTF-8 and upload it again.',
    );
  }
  const start = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  if (!isUtf8(b.subarray(start))) {
    const offset = firstInvalidUtf8(b, start);
    throw new MetadataEncodingError(
      `the document is not valid UTF-8: the bytes at offset ${offset} (${hex(b.subarray(offset, offset + 4))}) are not a UTF-8 character. ` +
        'It was probably saved in a legacy encoding (Latin-1, Windows-1252); save it as UTF-8 and upload it again.',
    );
  }
  return b.toString('utf8', start);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (x) => x.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

/** Only on the error path: where the first byte that does not start a valid UTF-8 sequence is. */
function firstInvalidUtf8(b: Uint8Array, start: number): number {
  let i = start;
  while (i < b.length) {
    const x = b[i] ?? 0;
    const length = x < 0x80 ? 1 : x >= 0xc2 && x <= 0xdf ? 2 : x >= 0xe0 && x <= 0xef ? 3 : x >= 0xf0 && x <= 0xf4 ? 4 : 0;
    if (length === 0 || !isUtf8(b.subarray(i, i + length))) return i;
    i += length;
  }
  return i;
}

/**
 * Validates SAML 2.0 identity provider metadata as IAM will need it, and summarizes it for the execution document.
 *
 * One pass of a SAX parser over the text, keeping only the identity provider's entityID, its single sign-on count and
 * the text of its signing certificates: a 10 MB document never becomes a tree. Namespaces are resolved here rather than
 * by saxes (`xmlns: false`), because saxes' namespace mode builds an object per attribute and doubles the time on
 * element-heavy documents; unbound prefixes and misuse of the reserved prefixes are still refused.
 *
 * Any DOCTYPE is refused before the parser could use it, so no entity is ever declared, resolved or expanded.
 */
export function validateMetadata(xml: Buffer | string, now: Date): MetadataSummary {
  // Too large is refused before decoding; too small after, so that a small document can be told for what it is.
  if (typeof xml !== 'string' && xml.length > METADATA_MAX_CHARACTERS) checkMetadataSize(xml.length);
  const text = decodeMetadata(xml);
  if (text.length > METADATA_MAX_CHARACTERS) checkMetadataSize(text.length, 'characters');
  if (text.length < METADATA_MIN_CHARACTERS * 2 && [...text].length < METADATA_MIN_CHARACTERS) {
    // A small document is cheap to read: say what it is when it is the common mistake, a service provider's metadata.
    let small: ScanResult | undefined;
    try {
      small = scanMetadata(text);
    } catch {
      small = undefined;
    }
    if (small && small.serviceProviders > 0 && small.identityProvider === undefined) throw notIdentityProvider(small);
    throw new MetadataTooSmallError(
      `the document has ${[...text].length} characters; IAM requires SAML metadata of at least ${METADATA_MIN_CHARACTERS.toLocaleString('en-US')}. ` +
        'Download the complete metadata XML again.',
    );
  }
  const scan = scanMetadata(text);
  return summarize(scan, now);
}

function summarize(scan: ScanResult, now: Date): MetadataSummary {
  const idp = scan.identityProvider;
  if (idp === undefined) throw notIdentityProvider(scan);

  const entityId = idp.entityId?.trim();
  if (entityId === undefined || entityId === '') {
    throw new MetadataInvalidEntityIdError(
      `line ${idp.position.line}: the identity provider's EntityDescriptor has ${idp.entityId === undefined ? 'no entityID attribute' : 'an empty entityID'}; ` +
        'IAM identifies the identity provider by it. Export the metadata again from the identity provider.',
    );
  }
  if (entityId.length > ENTITY_ID_MAX_LENGTH) {
    throw new MetadataInvalidEntityIdError(
      `the entityID is ${entityId.length} characters long; SAML metadata allows at most ${ENTITY_ID_MAX_LENGTH}. Export the metadata again from the identity provider.`,
    );
  }
  if (idp.singleSignOnServices === 0) {
    throw new MetadataNoSingleSignOnServiceError(
      `the IDPSSODescriptor of ${describeEntityId(entityId)} has no SingleSignOnService${idp.singleSignOnWithoutLocation > 0 ? ' with a Location' : ''}; ` +
        'users could not sign in. Export the identity provider metadata (not a partial copy) and upload it again.',
    );
  }

  const nowMs = now.getTime();
  const warnings: string[] = [];
  let validUntil: string | undefined;
  if (idp.validUntil !== Infinity) {
    validUntil = new Date(idp.validUntil).toISOString();
    if (idp.validUntil <= nowMs) {
      throw new MetadataExpiredError(
        `the metadata was valid until ${validUntil} (its validUntil attribute), which is past; IAM would refuse it. Download current metadata from the identity provider.`,
      );
    }
    if (idp.validUntil - nowMs <= EXPIRY_WARNING_DAYS * DAY_MS) {
      warnings.push(`the metadata's validUntil is ${validUntil}, within ${EXPIRY_WARNING_DAYS} days: upload fresh metadata before then.`);
    }
  }

  if (idp.signing.length === 0) {
    throw new MetadataNoSigningCertificateError(
      `the IDPSSODescriptor of ${describeEntityId(entityId)} has no signing certificate (a KeyDescriptor with use="signing" or no use, holding ` +
        `ds:KeyInfo/ds:X509Data/ds:X509Certificate)${idp.encryptionKeys > 0 ? `; it has ${idp.encryptionKeys} encryption-only KeyDescriptor(s), which cannot verify sign-ins` : ''}. ` +
        'IAM needs the certificate that signs SAML assertions.',
    );
  }

  const { certificates, warnings: certificateWarnings } = summarizeCertificates(idp.signing, nowMs);
  warnings.push(...certificateWarnings);

  return { entityId, certificates, ...(validUntil === undefined ? {} : { validUntil }), warnings };
}

function notIdentityProvider(scan: ScanResult): MetadataNotIdentityProviderError {
  const what =
    scan.otherProtocols.length > 0
      ? `its IDPSSODescriptor supports ${scan.otherProtocols.join(', ')}, not ${SAML2_PROTOCOL}`
      : scan.serviceProviders > 0
        ? "this is a service provider's metadata (SPSSODescriptor: AWS's own https://signin.aws.amazon.com/static/saml-metadata.xml is one), not the identity provider's"
        : scan.entities === 0
          ? 'it holds no EntityDescriptor'
          : 'it has no IDPSSODescriptor';
  return new MetadataNotIdentityProviderError(
    `the document does not describe a SAML 2.0 identity provider: ${what}. Upload the identity provider's metadata ` +
      '(in IAM Identity Center: the application\'s "IAM Identity Center SAML metadata file"), not the service provider\'s.',
  );
}
