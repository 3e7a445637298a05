import { X509Certificate } from 'node:crypto';
import type { CertificateSummary } from '../shared/document';
import { MetadataBadCertificateError, MetadataCertificateExpiredError } from './errors';
import type { CertificateText } from './metadata-scan';

/** A certificate (or validUntil) that ends within this many days gets a warning in the output. */
export const EXPIRY_WARNING_DAYS = 30;
export const DAY_MS = 86_400_000;
/** Subjects go into the execution document; a certificate can carry a very long one. */
const SUBJECT_MAX_LENGTH = 256;

export function summarizeCertificates(signing: CertificateText[], nowMs: number): { certificates: CertificateSummary[]; warnings: string[] } {
  const warnings: string[] = [];
  const certificates: CertificateSummary[] = [];
  const expired: CertificateSummary[] = [];
  signing.forEach((text, index) => {
    const certificate = parseCertificate(text, index, signing.length);
    const notBefore = certificateDate(certificate, 'validFrom');
    const notAfter = certificateDate(certificate, 'validTo');
    const summary: CertificateSummary = {
      sha256Fingerprint: certificate.fingerprint256,
      notBefore: notBefore.toISOString(),
      notAfter: notAfter.toISOString(),
      subject: certificate.subject.split('\n').join(', ').slice(0, SUBJECT_MAX_LENGTH),
    };
    certificates.push(summary);
    const label = `signing certificate ${summary.subject || '(no subject)'} (SHA-256 ${summary.sha256Fingerprint})`;
    if (notAfter.getTime() <= nowMs) {
      expired.push(summary);
    } else if (notAfter.getTime() - nowMs <= EXPIRY_WARNING_DAYS * DAY_MS) {
      warnings.push(
        `${label} expires on ${summary.notAfter}, within ${EXPIRY_WARNING_DAYS} days: rotate it in the identity provider and upload the new metadata.`,
      );
    }
    if (notBefore.getTime() > nowMs) warnings.push(`${label} is not valid before ${summary.notBefore}.`);
  });
  if (expired.length === certificates.length) {
    throw new MetadataCertificateExpiredError(
      `every signing certificate has expired (${expired.map((c) => `${c.subject || c.sha256Fingerprint}: notAfter ${c.notAfter}`).join('; ')}); ` +
        'IAM would refuse every sign-in. Rotate the certificate in the identity provider and upload its new metadata.',
    );
  }
  for (const c of expired) {
    warnings.push(
      `signing certificate ${c.subject || '(no subject)'} (SHA-256 ${c.sha256Fingerprint}) expired on ${c.notAfter}; another one is still valid. Remove it from the metadata when the rotation is done.`,
    );
  }
  return { certificates, warnings };
}

function parseCertificate(text: CertificateText, index: number, count: number): X509Certificate {
  const which = count === 1 ? 'the signing certificate' : `signing certificate ${index + 1} of ${count}`;
  const where = `line ${text.position.line}`;
  if (text.base64.length === 0 || text.base64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text.base64)) {
    throw new MetadataBadCertificateError(
      `${where}: ${which} is not base64 (X509Certificate must hold the DER certificate in base64; whitespace is allowed). Export the metadata again.`,
    );
  }
  try {
    return new X509Certificate(Buffer.from(text.base64, 'base64'));
  } catch (error) {
    throw new MetadataBadCertificateError(
      `${where}: ${which} is base64 but not an X.509 certificate (${(error as Error).message}). Export the metadata again.`,
      { cause: error },
    );
  }
}

function certificateDate(certificate: X509Certificate, field: 'validFrom' | 'validTo'): Date {
  // Node 22.10+ has validFromDate/validToDate; the strings ("Jan  1 00:00:00 2031 GMT") parse everywhere.
  const precise = (certificate as unknown as Record<string, unknown>)[`${field}Date`];
  return precise instanceof Date ? precise : new Date(certificate[field]);
}
