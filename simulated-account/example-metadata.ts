import { generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import * as path from 'node:path';

/**
 * Example identity provider metadata, shaped exactly like IAM Identity Center's "IAM Identity Center SAML metadata
 * file", with certificates made on the spot. Used by the CLI (a fresh document for a local run, a rotated one to show
 * an update) and by tests, which must never depend on the calendar: they pass their own "now" and validity dates.
 */

/** The bundled example of a profile: examples/metadata/<profile>/idp.xml (certificate valid for 50 years). */
export function exampleMetadataPath(profile: string): string {
  return path.join(__dirname, '..', 'examples', 'metadata', profile, 'idp.xml');
}

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

let sharedKeyPair: KeyPair | undefined;

/** An RSA-2048 key pair, made once per process: key generation costs far more than signing a certificate. */
export function sharedRsaKeyPair(): KeyPair {
  sharedKeyPair ??= generateRsaKeyPair();
  return sharedKeyPair;
}

function generateRsaKeyPair(): KeyPair {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

export interface CertificateOptions {
  commonName?: string;
  organization?: string;
  notBefore?: Date;
  notAfter?: Date;
  /** Defaults to one RSA key pair shared by the process; pass another for a certificate with a new key. */
  keyPair?: KeyPair;
  /** 16 bytes; random by default. A simulated account passes its own, so that the same seed makes the same certificate. */
  serial?: Buffer;
}

export interface GeneratedCertificate {
  /** PEM, "-----BEGIN CERTIFICATE-----" ... */
  certificatePem: string;
  /** The DER bytes in base64 on one line, as ds:X509Certificate holds them. */
  base64: string;
  der: Buffer;
  privateKey: KeyObject;
}

// Just enough DER to write an X.509 v3 certificate: node:crypto parses certificates but does not make them, and the
// openssl CLI cannot back-date one, which tests of expired certificates need.
function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

function derOid(oid: string): Buffer {
  const [a, b, ...rest] = oid.split('.').map(Number);
  const bytes = [(a ?? 0) * 40 + (b ?? 0)];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift((n & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

function derTime(date: Date): Buffer {
  // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050.
  const iso = date.toISOString();
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050 ? der(0x17, Buffer.from(digits.slice(2), 'ascii')) : der(0x18, Buffer.from(digits, 'ascii'));
}

function derName(commonName: string, organization?: string): Buffer {
  const rdn = (oid: string, value: string) => der(0x31, der(0x30, derOid(oid), der(0x0c, Buffer.from(value, 'utf8'))));
  return der(0x30, ...(organization ? [rdn('2.5.4.10', organization)] : []), rdn('2.5.4.3', commonName));
}

/** A self-signed RSA/SHA-256 certificate with exactly the validity asked for (back-dated or expired if need be). */
export function makeSelfSignedCertificate(options: CertificateOptions = {}): GeneratedCertificate {
  const now = Date.now();
  const notBefore = options.notBefore ?? new Date(now - 86_400_000);
  const notAfter = options.notAfter ?? new Date(now + 5 * 365 * 86_400_000);
  const { privateKey, publicKey } = options.keyPair ?? sharedRsaKeyPair();
  const serial = Buffer.from(options.serial ?? randomBytes(16));
  // Positive and minimally encoded (DER): the first byte neither has the sign bit nor is a leading zero.
  serial[0] = 0x40 | ((serial[0] ?? 0) & 0x3f);
  const sha256WithRsa = der(0x30, derOid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));
  const name = derName(options.commonName ?? 'Example identity provider', options.organization);
  const tbs = der(
    0x30,
    der(0xa0, der(0x02, Buffer.from([2]))), // v3
    der(0x02, serial),
    sha256WithRsa,
    name,
    der(0x30, derTime(notBefore), derTime(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    // basicConstraints: not a CA, as identity providers' signing certificates are.
    der(0xa3, der(0x30, der(0x30, derOid('2.5.29.19'), der(0x04, der(0x30))))),
  );
  const signature = sign('sha256', tbs, privateKey);
  const certificate = der(0x30, tbs, sha256WithRsa, der(0x03, Buffer.from([0]), signature));
  const base64 = certificate.toString('base64');
  const lines = (base64.match(/.{1,64}/g) ?? []).join('\n');
  return { certificatePem: `-----BEGIN CERTIFICATE-----\n${lines}\n-----END CERTIFICATE-----\n`, base64, der: certificate, privateKey };
}

/** The base64 body of a PEM certificate, on one line. */
function pemToBase64(pem: string): string {
  return pem.replace(/-----(?:BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

/** The signing certificates a metadata document of this shape carries, each as PEM (the simulator's own reading). */
export function certificatesInMetadata(xml: string): string[] {
  return [...xml.matchAll(/<(?:ds:)?X509Certificate>([^<]+)<\/(?:ds:)?X509Certificate>/g)].map(
    (match) => `-----BEGIN CERTIFICATE-----\n${(match[1] ?? '').replace(/\s+/g, '')}\n-----END CERTIFICATE-----\n`,
  );
}

/** IAM Identity Center's entity and endpoint URLs carry base64("<account>_ins-<application id>"). */
export function identityCenterApplicationToken(account: string, applicationInstanceId: string): string {
  return Buffer.from(`${account}_${applicationInstanceId}`, 'utf8').toString('base64').replace(/=+$/, '');
}

export interface MetadataXmlOptions {
  /** Defaults to https://portal.sso.<region>.amazonaws.com/saml/assertion/<token>. */
  entityId?: string;
  region?: string;
  account?: string;
  /** IAM Identity Center's application instance id, ins-<16 hex>. */
  applicationInstanceId?: string;
  /** PEM or bare base64 of the signing certificate; made fresh (valid 5 years from now) when absent. */
  certificatePem?: string;
  /** Further signing certificates, for a rotation in progress (PEM or base64). */
  additionalCertificates?: string[];
  /** Adds validUntil to the EntityDescriptor (IAM Identity Center's export has none). */
  validUntil?: Date | string;
}

/**
 * Metadata as IAM Identity Center exports it (element order, prefixes, the line breaks inside X509Certificate, the
 * two logout and two sign-on bindings). The result is always over IAM's 1,000-character minimum.
 */
export function makeMetadataXml(options: MetadataXmlOptions = {}): string {
  const region = options.region ?? 'us-east-1';
  const token = identityCenterApplicationToken(options.account ?? '111122223333', options.applicationInstanceId ?? 'ins-5a1e0c9f3b7d2e46');
  const portal = `https://portal.sso.${region}.amazonaws.com/saml`;
  const entityId = options.entityId ?? `${portal}/assertion/${token}`;
  const certificates = [
    options.certificatePem ?? makeSelfSignedCertificate({ commonName: 'amazonaws.com' }).certificatePem,
    ...(options.additionalCertificates ?? []),
  ];
  const validUntil =
    options.validUntil === undefined
      ? ''
      : ` validUntil="${typeof options.validUntil === 'string' ? options.validUntil : options.validUntil.toISOString()}"`;
  const keyDescriptors = certificates
    .map(
      (certificate) => `        <md:KeyDescriptor use="signing">
            <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
                <ds:X509Data>
                    <ds:X509Certificate>${pemToBase64(certificate)}
                    </ds:X509Certificate>
                </ds:X509Data>
            </ds:KeyInfo>
        </md:KeyDescriptor>
`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="no"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${escapeXml(entityId)}"${validUntil}>
    <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
${keyDescriptors}        <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${portal}/logout/${token}"/>
        <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${portal}/logout/${token}"/>
        <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
        <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${portal}/assertion/${token}"/>
        <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${portal}/assertion/${token}"/>
    </md:IDPSSODescriptor>
</md:EntityDescriptor>
`;
}

/**
 * The same identity provider after a certificate rotation: a new key and certificate, everything else unchanged.
 * With `keepPrevious`, both certificates are listed, as during the overlap of a rotation.
 */
export function makeRotatedMetadataXml(
  options: MetadataXmlOptions & { keepPrevious?: boolean; rotatedCertificate?: Omit<CertificateOptions, 'keyPair'> } = {},
): string {
  const { keepPrevious, certificatePem, rotatedCertificate, ...rest } = options;
  const rotated = makeSelfSignedCertificate({ commonName: 'amazonaws.com', ...rotatedCertificate, keyPair: generateRsaKeyPair() });
  return makeMetadataXml({
    ...rest,
    certificatePem: rotated.certificatePem,
    additionalCertificates: keepPrevious && certificatePem ? [certificatePem] : [],
  });
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
