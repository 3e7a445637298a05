import { X509Certificate } from 'node:crypto';
import { MetadataMalformedError } from '../../../lambdas/intake/errors';
import { validateMetadata } from '../../../lambdas/intake/metadata';
import { MAX_SIGNING_CERTIFICATES } from '../../../lambdas/intake/metadata-scan';
import {
  adfsXml,
  certificate,
  daysFromNow,
  entraIdXml,
  identityCenterXml,
  keycloakXml,
  NOW,
  oktaXml,
  shibbolethXml,
  withBom,
  withCrlf,
} from './fixtures';
import { hostileFiles } from './hostile-files';

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error, but the document was accepted');
}

describe('validateMetadata: documents identity providers really export', () => {
  it.each([
    [
      'IAM Identity Center',
      () => identityCenterXml(),
      'https://portal.sso.us-east-1.amazonaws.com/saml/assertion/MTExMTIyMjIzMzMzX2lucy01YTFlMGM5ZjNiN2QyZTQ2',
      'signing',
    ],
    ['Okta (one line, md: prefix)', () => oktaXml(), 'http://www.okta.com/exk8f3k2d9QWERTYx5d7', 'okta'],
    [
      'Entra ID (default namespace, enveloped signature, WS-Federation roles)',
      () => entraIdXml(),
      'https://sts.windows.net/9188040d-6c67-4c5b-b112-36a304b66dad/',
      'entra',
    ],
    ['AD FS (SP and IdP roles in one entity, encryption key first)', () => adfsXml(), 'http://adfs.example.com/adfs/services/trust', 'adfs'],
    ['Keycloak (EntitiesDescriptor wrapper)', () => keycloakXml(), 'https://keycloak.example.com/realms/connect', 'keycloak'],
    [
      'Shibboleth (saml2md: prefix, KeyDescriptor without use, wrapped base64, SP beside IdP)',
      () => shibbolethXml(),
      'https://idp.example.org/idp/shibboleth',
      'shibboleth',
    ],
  ])('accepts %s and reports its entityID and signing certificate', (_name, make, entityId, commonName) => {
    const summary = validateMetadata(make(), NOW);
    expect(summary.entityId).toBe(entityId);
    expect(summary.certificates).toHaveLength(1);
    const expected = new X509Certificate(certificate(commonName).der);
    expect(summary.certificates[0]).toEqual({
      sha256Fingerprint: expected.fingerprint256,
      notBefore: daysFromNow(-365).toISOString(),
      notAfter: daysFromNow(730).toISOString(),
      subject: `CN=${commonName}`,
    });
    expect(summary.warnings).toEqual([]);
  });

  it('accepts the bytes with a UTF-8 byte order mark, and gives the same summary as without', () => {
    expect(validateMetadata(withBom(identityCenterXml()), NOW)).toEqual(validateMetadata(identityCenterXml(), NOW));
  });

  it('accepts CRLF line ends, including inside a wrapped certificate', () => {
    const crlf = withCrlf(shibbolethXml());
    expect(crlf).toContain('\r\n');
    expect(validateMetadata(Buffer.from(crlf), NOW)).toEqual(validateMetadata(shibbolethXml(), NOW));
  });

  it('ignores the certificates of the enveloped signature and of other roles (Entra ID signs with an expired one here)', () => {
    const summary = validateMetadata(entraIdXml(), NOW);
    expect(summary.certificates.map((c) => c.subject)).toEqual(['CN=entra']);
  });

  it('lists only signing keys: the encryption key of AD FS is left out', () => {
    expect(validateMetadata(adfsXml(), NOW).certificates.map((c) => c.subject)).toEqual(['CN=adfs']);
  });

  it('reports the earliest validUntil that applies to the identity provider', () => {
    const validUntil = daysFromNow(180).toISOString();
    expect(validateMetadata(shibbolethXml(validUntil), NOW).validUntil).toBe(validUntil);
    expect(validateMetadata(identityCenterXml(), NOW)).not.toHaveProperty('validUntil');
  });

  it('does not let an SP entity in an aggregate make the document expire', () => {
    const xml = shibbolethXml().replace(
      '<saml2md:EntityDescriptor entityID="https://sp.example.org/shibboleth">',
      `<saml2md:EntityDescriptor entityID="https://sp.example.org/shibboleth" validUntil="${daysFromNow(-5).toISOString()}">`,
    );
    expect(validateMetadata(xml, NOW).entityId).toBe('https://idp.example.org/idp/shibboleth');
  });

  it('reads a certificate split by character references, a CDATA section and a comment', () => {
    const base64 = certificate().base64;
    const tricky = `${base64.slice(0, 40)}&#13;&#x0A;<![CDATA[${base64.slice(40, 90)}]]><!-- a comment </ds:X509Certificate> -->${base64.slice(90)}`;
    const xml = identityCenterXml().replace(/<ds:X509Certificate>[^<]*/, `<ds:X509Certificate>${tricky}`);
    expect(validateMetadata(xml, NOW)).toEqual(validateMetadata(identityCenterXml(), NOW));
  });

  it('refuses an empty, self-closing X509Certificate as a bad certificate', () => {
    const xml = identityCenterXml().replace(/<ds:X509Certificate>[^<]*<\/ds:X509Certificate>/, '<ds:X509Certificate/>');
    expect(() => validateMetadata(xml, NOW)).toThrow(expect.objectContaining({ name: 'Metadata.BadCertificate' }));
  });

  it('accepts a validUntil without a time zone as UTC', () => {
    expect(validateMetadata(identityCenterXml({ validUntil: '2031-06-01T00:00:00' }), NOW).validUntil).toBe('2031-06-01T00:00:00.000Z');
  });
});

describe('validateMetadata: warnings a person should act on', () => {
  it('warns about a signing certificate that expires within 30 days, and still accepts it', () => {
    const summary = validateMetadata(identityCenterXml({ certificates: [certificate('soon', 20)] }), NOW);
    expect(summary.certificates).toHaveLength(1);
    expect(summary.warnings).toEqual([expect.stringMatching(/CN=soon .*expires on 2031-04-04T12:00:00.000Z, within 30 days/)]);
  });

  it('does not warn about a certificate that expires in 31 days', () => {
    expect(validateMetadata(identityCenterXml({ certificates: [certificate('later', 31)] }), NOW).warnings).toEqual([]);
  });

  it('accepts a rotation in progress (one expired, one valid certificate) and says which one expired', () => {
    const summary = validateMetadata(identityCenterXml({ certificates: [certificate('old', -3), certificate('new', 700)] }), NOW);
    expect(summary.certificates.map((c) => c.subject)).toEqual(['CN=old', 'CN=new']);
    expect(summary.warnings).toEqual([expect.stringMatching(/CN=old .*expired on/)]);
  });

  it('warns when validUntil is within 30 days', () => {
    expect(validateMetadata(identityCenterXml({ validUntil: daysFromNow(10).toISOString() }), NOW).warnings).toEqual([
      expect.stringMatching(/validUntil is 2031-03-25T12:00:00.000Z, within 30 days/),
    ]);
  });

  it('lists a certificate repeated in two KeyDescriptors once', () => {
    const c = certificate();
    expect(validateMetadata(identityCenterXml({ certificates: [c, c] }), NOW).certificates).toHaveLength(1);
  });

  it(`accepts exactly ${MAX_SIGNING_CERTIFICATES} signing certificates`, () => {
    const certificates = Array.from({ length: MAX_SIGNING_CERTIFICATES }, (_, i) => certificate(`many-${i}`));
    expect(validateMetadata(identityCenterXml({ certificates }), NOW).certificates).toHaveLength(MAX_SIGNING_CERTIFICATES);
  });
});

describe('validateMetadata: hostile and broken documents', () => {
  it.each(
    hostileFiles()
      .filter((file) => file.contentLength === undefined)
      .map((file) => [file.name, file] as const),
  )('refuses %s', (_name, file) => {
    const error = errorOf(() => validateMetadata(file.body, NOW));
    expect(error.name).toBe(file.error);
    if (file.message) expect(error.message).toMatch(file.message);
  });

  it('gives the line and column of a well-formedness error', () => {
    const xml = identityCenterXml();
    const broken = xml.replace('<md:NameIDFormat>', '<md:NameIDFormat a="1" a="2">');
    const error = errorOf(() => validateMetadata(broken, NOW)) as MetadataMalformedError;
    expect(error).toBeInstanceOf(MetadataMalformedError);
    const lineOfEdit = broken.slice(0, broken.indexOf('a="1" a="2"')).split('\n').length;
    expect(error.line).toBe(lineOfEdit);
    expect(error.column).toBeGreaterThan(0);
    expect(error.message).toMatch(new RegExp(`^line ${lineOfEdit}, column ${error.column}: .*duplicate attribute`));
  });

  it('never expands an entity, even one declared harmlessly: the DOCTYPE alone is refused', () => {
    const xml = identityCenterXml()
      .replace('standalone="no"?>', 'standalone="no"?><!DOCTYPE md:EntityDescriptor [<!ENTITY org "Example">]>')
      .replace('<md:NameIDFormat>', '<md:NameIDFormat>&org;');
    expect(errorOf(() => validateMetadata(xml, NOW)).name).toBe('Metadata.UnsafeXml');
  });

  it('accepts a string as well as bytes, with the same verdicts', () => {
    const text = identityCenterXml({ certificates: [certificate('expired', -1)] });
    expect(errorOf(() => validateMetadata(text, NOW)).name).toBe('Metadata.CertificateExpired');
  });
});
