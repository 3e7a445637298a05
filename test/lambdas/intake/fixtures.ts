import { type GeneratedCertificate, makeMetadataXml, makeSelfSignedCertificate } from '../../../simulated-account/example-metadata';

/**
 * Metadata documents for Intake's tests, made at test time. "Now" is a fixed instant unrelated to the real clock, and
 * every certificate's validity is set relative to it, so no test changes its verdict with the calendar.
 */
export const NOW = new Date('2031-03-15T12:00:00.000Z');
const DAY = 86_400_000;
export const daysFromNow = (days: number): Date => new Date(NOW.getTime() + days * DAY);

const cache = new Map<string, GeneratedCertificate>();

/** A certificate valid from a year before NOW, for `days` days after NOW (negative: already expired). */
export function certificate(name = 'signing', days = 730): GeneratedCertificate {
  const key = `${name}/${days}`;
  let made = cache.get(key);
  if (!made) {
    made = makeSelfSignedCertificate({ commonName: name, notBefore: daysFromNow(-365), notAfter: daysFromNow(days) });
    cache.set(key, made);
  }
  return made;
}

/** The base64 body as identity providers print it: 64 characters a line. */
function wrapped(base64: string, indent = ''): string {
  return base64
    .match(/.{1,64}/g)!
    .map((line) => `${indent}${line}`)
    .join('\n');
}

const ENTRA_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

/** The example agent application's console instance id (the admin one, ins-5a1e0c9f3b7d2e46, is the default). */
export const AGENT_INSTANCE_ID = 'ins-3f8d6b2a9c1e7054';

/** IAM Identity Center's export, the shape the pipeline is built for; by default the example admin application's. */
export function identityCenterXml(
  options: { validUntil?: string; certificates?: GeneratedCertificate[]; applicationInstanceId?: string; account?: string } = {},
): string {
  const [first, ...rest] = options.certificates ?? [certificate()];
  return makeMetadataXml({
    certificatePem: first!.certificatePem,
    additionalCertificates: rest.map((c) => c.certificatePem),
    ...(options.validUntil ? { validUntil: options.validUntil } : {}),
    ...(options.applicationInstanceId ? { applicationInstanceId: options.applicationInstanceId } : {}),
    ...(options.account ? { account: options.account } : {}),
  });
}

/** Okta: one line, md: prefix, several NameIDFormats. */
export function oktaXml(): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="http://www.okta.com/exk8f3k2d9QWERTYx5d7">' +
    '<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">' +
    `<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${certificate('okta').base64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
    '<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat><md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>' +
    '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://example.okta.com/app/example_connect_1/exk8f3k2d9QWERTYx5d7/sso/saml"/>' +
    '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://example.okta.com/app/example_connect_1/exk8f3k2d9QWERTYx5d7/sso/saml"/>' +
    '</md:IDPSSODescriptor></md:EntityDescriptor>'
  );
}

function enveloped(id: string, signer: GeneratedCertificate, prefix = ''): string {
  const p = prefix ? `${prefix}:` : '';
  const ns = prefix ? `xmlns:${prefix}="http://www.w3.org/2000/09/xmldsig#"` : 'xmlns="http://www.w3.org/2000/09/xmldsig#"';
  return (
    `<${p}Signature ${ns}><${p}SignedInfo><${p}CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>` +
    `<${p}SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><${p}Reference URI="#${id}"><${p}Transforms>` +
    `<${p}Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><${p}Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></${p}Transforms>` +
    `<${p}DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><${p}DigestValue>q5+2VdK1nH0bA0w0Yc4pS6vAx1+0i8o0cT3hO0uN0kM=</${p}DigestValue></${p}Reference></${p}SignedInfo>` +
    `<${p}SignatureValue>${'QUJD'.repeat(86)}</${p}SignatureValue><${p}KeyInfo><${p}X509Data><${p}X509Certificate>${signer.base64}</${p}X509Certificate></${p}X509Data></${p}KeyInfo></${p}Signature>`
  );
}

/**
 * Entra ID (federationmetadata.xml): the metadata namespace as default, an enveloped Signature whose KeyInfo certificate
 * is NOT a signing certificate of the IdP role (here it has expired), WS-Federation RoleDescriptors with their own keys.
 */
export function entraIdXml(): string {
  const id = '_a3b3f0e2-7c4f-4b0e-9d6b-2b5b4a3c9e11';
  const roleKey = `<KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${certificate('entra-old', -400).base64}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>`;
  return (
    `<?xml version="1.0" encoding="utf-8"?><EntityDescriptor ID="${id}" entityID="https://sts.windows.net/${ENTRA_TENANT}/" xmlns="urn:oasis:names:tc:SAML:2.0:metadata">` +
    enveloped(id, certificate('entra-old', -400)) +
    `<RoleDescriptor xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706">${roleKey}` +
    '<fed:ClaimTypesOffered><auth:ClaimType Uri="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name" xmlns:auth="http://docs.oasis-open.org/wsfed/authorization/200706"><auth:DisplayName>Name</auth:DisplayName></auth:ClaimType></fed:ClaimTypesOffered>' +
    `<fed:SecurityTokenServiceEndpoint><wsa:EndpointReference xmlns:wsa="http://www.w3.org/2005/08/addressing"><wsa:Address>https://login.microsoftonline.com/${ENTRA_TENANT}/wsfed</wsa:Address></wsa:EndpointReference></fed:SecurityTokenServiceEndpoint></RoleDescriptor>` +
    `<IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${certificate('entra').base64}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>` +
    `<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://login.microsoftonline.com/${ENTRA_TENANT}/saml2"/>` +
    `<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://login.microsoftonline.com/${ENTRA_TENANT}/saml2"/>` +
    `<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://login.microsoftonline.com/${ENTRA_TENANT}/saml2"/></IDPSSODescriptor></EntityDescriptor>`
  );
}

/**
 * AD FS: ds:-prefixed signature, two WS-Federation roles, an SP role and the IdP role in one entity, an encryption key
 * before the signing key, SAML assertion Attributes inside the IdP role, Organization and ContactPerson.
 */
export function adfsXml(): string {
  const id = '_2c5e0d4a-6f0b-4b9e-8d1e-1f2a3b4c5d6e';
  const key = (use: string, c: GeneratedCertificate) =>
    `<KeyDescriptor use="${use}"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${c.base64}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>`;
  return (
    `<?xml version="1.0" encoding="utf-8"?><EntityDescriptor ID="${id}" entityID="http://adfs.example.com/adfs/services/trust" xmlns="urn:oasis:names:tc:SAML:2.0:metadata">` +
    enveloped(id, certificate('adfs'), 'ds') +
    `<RoleDescriptor xsi:type="fed:ApplicationServiceType" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" protocolSupportEnumeration="http://docs.oasis-open.org/ws-sx/ws-trust/200512 http://schemas.xmlsoap.org/ws/2005/02/trust http://docs.oasis-open.org/wsfed/federation/200706" ServiceDisplayName="ADFS" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706">` +
    `${key('encryption', certificate('adfs-encryption'))}<fed:TargetScopes><wsa:EndpointReference xmlns:wsa="http://www.w3.org/2005/08/addressing"><wsa:Address>https://adfs.example.com/adfs/services/trust/2005/issuedtokenmixedasymmetricbasic256</wsa:Address></wsa:EndpointReference></fed:TargetScopes>` +
    '<fed:PassiveRequestorEndpoint><wsa:EndpointReference xmlns:wsa="http://www.w3.org/2005/08/addressing"><wsa:Address>https://adfs.example.com/adfs/ls/</wsa:Address></wsa:EndpointReference></fed:PassiveRequestorEndpoint></RoleDescriptor>' +
    `<SPSSODescriptor WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${key('encryption', certificate('adfs-encryption'))}${key('signing', certificate('adfs'))}` +
    '<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://adfs.example.com/adfs/ls/"/><NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</NameIDFormat>' +
    '<AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://adfs.example.com/adfs/ls/" index="0" isDefault="true"/></SPSSODescriptor>' +
    `<IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${key('encryption', certificate('adfs-encryption'))}${key('signing', certificate('adfs'))}` +
    '<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://adfs.example.com/adfs/ls/"/>' +
    '<NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</NameIDFormat><NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</NameIDFormat>' +
    '<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://adfs.example.com/adfs/ls/"/>' +
    '<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://adfs.example.com/adfs/ls/"/>' +
    '<Attribute Name="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri" FriendlyName="E-Mail Address" xmlns="urn:oasis:names:tc:SAML:2.0:assertion"/>' +
    '</IDPSSODescriptor><Organization><OrganizationName xml:lang="en">Example</OrganizationName><OrganizationDisplayName xml:lang="en">Example</OrganizationDisplayName>' +
    '<OrganizationURL xml:lang="en">https://www.example.com/</OrganizationURL></Organization><ContactPerson contactType="support"><EmailAddress>it@example.com</EmailAddress></ContactPerson></EntityDescriptor>'
  );
}

/** Keycloak: an EntitiesDescriptor wrapper, md: and ds: declared on it, ds:KeyName beside the certificate. */
export function keycloakXml(): string {
  return `<md:EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Name="urn:keycloak">
\t<md:EntityDescriptor entityID="https://keycloak.example.com/realms/connect">
\t\t<md:IDPSSODescriptor WantAuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
\t\t\t<md:KeyDescriptor use="signing">
\t\t\t\t<ds:KeyInfo>
\t\t\t\t\t<ds:KeyName>0mQ3kT7oQ2x0bK1vZ8lN5s9yR4uE6wA2cD1fG3hJ5kL</ds:KeyName>
\t\t\t\t\t<ds:X509Data>
\t\t\t\t\t\t<ds:X509Certificate>${certificate('keycloak').base64}</ds:X509Certificate>
\t\t\t\t\t</ds:X509Data>
\t\t\t\t</ds:KeyInfo>
\t\t\t</md:KeyDescriptor>
\t\t\t<md:ArtifactResolutionService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="https://keycloak.example.com/realms/connect/protocol/saml/resolve" index="0"></md:ArtifactResolutionService>
\t\t\t<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://keycloak.example.com/realms/connect/protocol/saml"></md:SingleLogoutService>
\t\t\t<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
\t\t\t<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
\t\t\t<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://keycloak.example.com/realms/connect/protocol/saml"></md:SingleSignOnService>
\t\t\t<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://keycloak.example.com/realms/connect/protocol/saml"></md:SingleSignOnService>
\t\t</md:IDPSSODescriptor>
\t</md:EntityDescriptor>
</md:EntitiesDescriptor>`;
}

/**
 * Shibboleth-style: an unusual prefix (saml2md), KeyDescriptors without `use` (signing and encryption both), the
 * certificate wrapped at 64 columns, mdui/shibmd Extensions, a validUntil in the future, and an SP entity beside the IdP
 * in an EntitiesDescriptor.
 */
export function shibbolethXml(validUntil = daysFromNow(180).toISOString()): string {
  const c = certificate('shibboleth');
  return `<?xml version="1.0" encoding="UTF-8"?>
<saml2md:EntitiesDescriptor xmlns:saml2md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:dsig="http://www.w3.org/2000/09/xmldsig#" validUntil="${validUntil}">
  <!-- Aggregate with one identity provider and one service provider. -->
  <saml2md:EntityDescriptor entityID="https://sp.example.org/shibboleth">
    <saml2md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
      <saml2md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sp.example.org/Shibboleth.sso/SAML2/POST" index="1"/>
    </saml2md:SPSSODescriptor>
  </saml2md:EntityDescriptor>
  <saml2md:EntityDescriptor entityID="https://idp.example.org/idp/shibboleth">
    <saml2md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol urn:oasis:names:tc:SAML:1.1:protocol urn:mace:shibboleth:1.0">
      <saml2md:Extensions>
        <shibmd:Scope xmlns:shibmd="urn:mace:shibboleth:metadata:1.0" regexp="false">example.org</shibmd:Scope>
        <mdui:UIInfo xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui">
          <mdui:DisplayName xml:lang="en">Example &amp; Co. &#x2014; Identity</mdui:DisplayName>
          <mdui:Description xml:lang="fr">Fournisseur d’identité</mdui:Description>
        </mdui:UIInfo>
      </saml2md:Extensions>
      <saml2md:KeyDescriptor>
        <dsig:KeyInfo>
          <dsig:X509Data>
            <dsig:X509Certificate>
${wrapped(c.base64, '              ')}
            </dsig:X509Certificate>
          </dsig:X509Data>
        </dsig:KeyInfo>
      </saml2md:KeyDescriptor>
      <saml2md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.org/idp/profile/SAML2/Redirect/SSO"/>
    </saml2md:IDPSSODescriptor>
  </saml2md:EntityDescriptor>
</saml2md:EntitiesDescriptor>
`;
}

export const withBom = (xml: string): Buffer => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml, 'utf8')]);
export const withCrlf = (xml: string): string => xml.replace(/\r?\n/g, '\r\n');
