import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { FederationError } from '../shared/errors';
import {
  type DocumentPosition,
  MetadataBadCertificateError,
  MetadataMultipleIdentityProvidersError,
  MetadataNotSamlMetadataError,
  MetadataTooManyCertificatesError,
  MetadataUnsafeXmlError,
} from './errors';
import {
  characterData,
  checkDeclaredEncoding,
  malformed,
  NamespaceScopes,
  parseDateTime,
  SAML_METADATA_NS,
  SAML2_PROTOCOL,
  unsafeDoctype,
  XINCLUDE_NS,
  XMLDSIG_NS,
} from './metadata-xml';

/**
 * Identity providers list one signing certificate, two while they rotate. Each certificate adds about 250 bytes to the
 * execution document, which every state carries and Step Functions caps at 256 KiB; a cap keeps a hostile document from
 * filling it (and from making Intake parse thousands of certificates).
 */
export const MAX_SIGNING_CERTIFICATES = 20;

// What an open element means to us, decided from its parent's meaning and its own namespace and name.
const OTHER = 0;
const ENTITIES = 1;
const ENTITY = 2;
const IDP = 3;
const SIGNING_KEY = 4;
const KEY_INFO = 5;
const X509_DATA = 6;
const X509_CERTIFICATE = 7;

export interface CertificateText {
  base64: string;
  position: DocumentPosition;
}

/** What the scan keeps of one EntityDescriptor: only what the summary and the checks need, never the tree. */
interface EntityState {
  entityId: string | undefined;
  position: DocumentPosition;
  /** Number of IDPSSODescriptors that support SAML 2.0. */
  idpDescriptors: number;
  singleSignOnServices: number;
  singleSignOnWithoutLocation: number;
  signing: CertificateText[];
  signingSeen: Set<string>;
  encryptionKeys: number;
  /** The earliest validUntil (ms) that applies to the IdP role: its own, its entity's, enclosing EntitiesDescriptors'. */
  validUntil: number;
}

export interface ScanResult {
  identityProvider: EntityState | undefined;
  entities: number;
  serviceProviders: number;
  /** protocolSupportEnumeration values of IDPSSODescriptors without SAML 2.0. */
  otherProtocols: string[];
}

export function scanMetadata(text: string): ScanResult {
  return new MetadataScan(text).run();
}

/**
 * One pass over the document. saxes calls back per XML event; this class keeps, per open element, only a number saying
 * what the element means here (`kinds`) and, for the entity levels, the validUntil limit in force; of an entity, only
 * what the checks need.
 */
class MetadataScan {
  private readonly parser = new SaxesParser({ xmlns: false, position: true });
  /** One number per open element; the validUntil limits only for the entity levels (ENTITIES, ENTITY, IDP). */
  private readonly kinds: number[] = [];
  private readonly limits: number[] = [];
  private readonly namespaces = new NamespaceScopes();
  /** Attributes arrive one by one before their element's opentag; the few that matter to namespaces, as name, value. */
  private readonly pending: string[] = [];
  private readonly result: ScanResult = { identityProvider: undefined, entities: 0, serviceProviders: 0, otherProtocols: [] };
  private rootSeen = false;
  private entity: EntityState | undefined;
  /** Where the open X509Certificate's content starts in the text; -1 when it is self-closing. */
  private certificateStart = -1;

  public constructor(private readonly text: string) {
    const parser = this.parser;
    parser.on('xmldecl', (declaration) => checkDeclaredEncoding(declaration.encoding));
    parser.on('doctype', () => {
      throw unsafeDoctype(this.here());
    });
    parser.on('processinginstruction', (pi) => {
      throw new MetadataUnsafeXmlError(
        `line ${this.here().line}: the processing instruction <?${pi.target} ...?> is not allowed; SAML metadata needs none, and some ` +
          '(xml-stylesheet) make other parsers fetch external resources. Remove it.',
      );
    });
    parser.on('attribute', (attribute) => {
      const name = attribute.name;
      if (name.indexOf(':') >= 0 || name === 'xmlns') this.pending.push(name, attribute.value);
    });
    parser.on('opentag', (tag) => this.open(tag));
    parser.on('closetag', () => this.close());
  }

  public run(): ScanResult {
    try {
      this.parser.write(this.text).close();
    } catch (error) {
      if (error instanceof FederationError) throw error;
      const position = this.here();
      const reason = (error as Error).message.replace(/^\d+:\d+: /, '');
      // A DOCTYPE the parser could not even finish reading (an unclosed internal subset) is still a DOCTYPE.
      if (!this.rootSeen && this.text.slice(0, this.parser.position).includes('<!DOCTYPE')) throw unsafeDoctype(position);
      throw malformed(`${reason} The document is not well-formed XML; was it truncated or edited by hand? Download it again.`, position, error);
    }
    return this.result;
  }

  private here(): DocumentPosition {
    return { line: this.parser.line, column: this.parser.column };
  }

  /** The entity being read; the element kinds only lead below ENTITY inside one. */
  private currentEntity(): EntityState {
    if (!this.entity) throw new Error('metadata scan: an entity-level element outside an EntityDescriptor');
    return this.entity;
  }

  private open(tag: SaxesTagPlain): void {
    this.namespaces.open();
    if (this.pending.length > 0) this.declarePending();
    const { uri, local } = this.elementName(tag.name);
    const depth = this.kinds.length;
    const kind = depth === 0 ? this.rootKind(tag.name, uri, local) : this.childKind(this.kinds[depth - 1] ?? OTHER, tag, uri, local);
    if (kind === ENTITIES || kind === ENTITY || kind === IDP) this.enterEntityLevel(kind, tag);
    this.kinds.push(kind);
  }

  /** Applies the namespace declarations among the element's attributes, then checks its prefixed attributes. */
  private declarePending(): void {
    const pending = this.pending;
    let prefixed = false;
    for (let i = 0; i < pending.length; i += 2) {
      const name = pending[i];
      const value = pending[i + 1] ?? '';
      if (name === 'xmlns') this.namespaces.declare('', value, this.here());
      else if (name?.startsWith('xmlns:')) this.namespaces.declare(name.slice(6), value, this.here());
      else if (!name?.startsWith('xml:')) prefixed = true;
    }
    if (prefixed) {
      for (let i = 0; i < pending.length; i += 2) {
        const name = pending[i] ?? '';
        if (name === 'xmlns' || name.startsWith('xml:') || name.startsWith('xmlns:')) continue;
        const colon = name.indexOf(':');
        const prefix = name.slice(0, colon);
        if (colon === 0 || name.indexOf(':', colon + 1) >= 0) throw malformed(`${name} is not a valid namespaced attribute name`, this.here());
        if (this.namespaces.resolve(prefix) === undefined) {
          throw malformed(`the attribute ${name} uses the undeclared namespace prefix "${prefix}"`, this.here());
        }
      }
    }
    pending.length = 0;
  }

  /** The element's namespace and local name; an unbound prefix or an XInclude is refused. */
  private elementName(qname: string): { uri: string; local: string } {
    const colon = qname.indexOf(':');
    let uri: string | undefined;
    let local: string;
    if (colon < 0) {
      uri = this.namespaces.resolve('');
      local = qname;
    } else {
      const prefix = qname.slice(0, colon);
      local = qname.slice(colon + 1);
      uri = prefix === 'xmlns' ? undefined : this.namespaces.resolve(prefix);
      if (uri === undefined) throw malformed(`the element <${qname}> uses the undeclared namespace prefix "${prefix}"`, this.here());
      if (colon === 0 || local.length === 0 || local.includes(':')) throw malformed(`<${qname}> is not a valid namespaced element name`, this.here());
    }
    if (uri === XINCLUDE_NS) {
      throw new MetadataUnsafeXmlError(
        `line ${this.here().line}: <${qname}> is an XInclude, which makes other parsers read files or URLs. SAML metadata never needs one; remove it.`,
      );
    }
    return { uri: uri ?? '', local };
  }

  private rootKind(qname: string, uri: string, local: string): number {
    this.rootSeen = true;
    if (uri === SAML_METADATA_NS && (local === 'EntityDescriptor' || local === 'EntitiesDescriptor'))
      return local === 'EntityDescriptor' ? ENTITY : ENTITIES;
    throw new MetadataNotSamlMetadataError(
      `the root element is <${qname}>${uri ? ` in namespace ${uri}` : ' in no namespace'}; SAML 2.0 metadata starts with <EntityDescriptor> or ` +
        `<EntitiesDescriptor> in namespace ${SAML_METADATA_NS}. Upload the identity provider's SAML metadata XML.`,
    );
  }

  /** What an element means, from its parent's meaning and its own name; counts what the checks need on the way. */
  private childKind(parent: number, tag: SaxesTagPlain, uri: string, local: string): number {
    const attributes = tag.attributes;
    const metadata = uri === SAML_METADATA_NS;
    const signature = uri === XMLDSIG_NS;
    switch (parent) {
      case ENTITIES:
        return metadata && local === 'EntitiesDescriptor' ? ENTITIES : metadata && local === 'EntityDescriptor' ? ENTITY : OTHER;
      case ENTITY:
        if (metadata && local === 'IDPSSODescriptor') {
          const protocols = attributes.protocolSupportEnumeration ?? '';
          if (protocols.split(/\s+/).includes(SAML2_PROTOCOL)) {
            this.currentEntity().idpDescriptors += 1;
            return IDP;
          }
          this.result.otherProtocols.push(protocols.trim() || '(none)');
        } else if (metadata && local === 'SPSSODescriptor') {
          this.result.serviceProviders += 1;
        }
        return OTHER;
      case IDP:
        return this.identityProviderChild(tag, metadata, local);
      case SIGNING_KEY:
        return signature && local === 'KeyInfo' ? KEY_INFO : OTHER;
      case KEY_INFO:
        if (signature && local === 'X509Data') return X509_DATA;
        // A signing key is a certificate, which the application's own metadata must carry: any other carrier of key
        // material (KeyValue, DEREncodedKeyValue, RetrievalMethod, PGPData, ...) names a key no certificate vouches
        // for, and SAML libraries accept some of them as signing credentials. A KeyName is only a label.
        if (signature && local === 'KeyName') return OTHER;
        throw new MetadataBadCertificateError(
          `line ${this.here().line}: <${tag.name}> in the KeyInfo of a signing KeyDescriptor: a signing key must be given as ds:X509Data/ds:X509Certificate only (a ds:KeyName may label it); remove the <${tag.name}>.`,
        );
      case X509_DATA:
        if (signature && local === 'X509Certificate') {
          // The content is cut out of the document at the close tag: saxes hands out text only to a text handler, and
          // one set for every text node (or set and unset around certificates) costs more than the whole validation.
          this.certificateStart = tag.isSelfClosing ? -1 : this.parser.position;
          return X509_CERTIFICATE;
        }
        return OTHER;
      case X509_CERTIFICATE:
        throw new MetadataBadCertificateError(
          `line ${this.here().line}: <${tag.name}> inside an X509Certificate; it must hold only the certificate in base64.`,
        );
      default:
        return OTHER;
    }
  }

  /** A child of the IdP role: a signing key (or one for both uses), an encryption key, a single sign-on service. */
  private identityProviderChild(tag: SaxesTagPlain, metadata: boolean, local: string): number {
    const attributes = tag.attributes;
    const entity = this.currentEntity();
    if (metadata && local === 'KeyDescriptor') {
      const use = attributes.use;
      if (use === undefined || use === 'signing') return SIGNING_KEY;
      if (use !== 'encryption')
        throw malformed(`<${tag.name} use="${use}">: use must be "signing" or "encryption" (or absent, meaning both)`, this.here());
      entity.encryptionKeys += 1;
    } else if (metadata && local === 'SingleSignOnService') {
      if ((attributes.Location ?? '').trim() !== '') entity.singleSignOnServices += 1;
      else entity.singleSignOnWithoutLocation += 1;
    }
    return OTHER;
  }

  /** ENTITIES, ENTITY and IDP only nest in one another, so the innermost validUntil limit is the parent's. */
  private enterEntityLevel(kind: number, tag: SaxesTagPlain): void {
    let limit = this.limits.at(-1) ?? Infinity;
    const validUntil = tag.attributes.validUntil;
    if (validUntil !== undefined) limit = Math.min(limit, parseDateTime(validUntil, `<${tag.name} validUntil>`, this.here()));
    if (kind === ENTITY) {
      this.result.entities += 1;
      this.entity = {
        entityId: tag.attributes.entityID,
        position: this.here(),
        idpDescriptors: 0,
        singleSignOnServices: 0,
        singleSignOnWithoutLocation: 0,
        signing: [],
        signingSeen: new Set(),
        encryptionKeys: 0,
        validUntil: limit,
      };
    } else if (kind === IDP) {
      const entity = this.currentEntity();
      entity.validUntil = Math.min(entity.validUntil, limit);
    }
    this.limits.push(limit);
  }

  private close(): void {
    const kind = this.kinds.pop();
    this.namespaces.close();
    if (kind === ENTITIES || kind === ENTITY || kind === IDP) this.limits.pop();
    if (kind === X509_CERTIFICATE) {
      // Searching back from the end of the close tag finds its own "</" first, even after a CDATA section holding one.
      const end = this.text.lastIndexOf('</', this.parser.position - 1);
      const content = this.certificateStart < 0 ? '' : this.text.slice(this.certificateStart, end);
      addSigningCertificate(this.currentEntity(), characterData(content), this.here());
    } else if (kind === ENTITY) {
      const finished = this.currentEntity();
      this.entity = undefined;
      if (finished.idpDescriptors === 0) return;
      if (this.result.identityProvider !== undefined) {
        throw new MetadataMultipleIdentityProvidersError(
          `the document holds more than one SAML 2.0 identity provider (${describeEntityId(this.result.identityProvider.entityId)} and ` +
            `${describeEntityId(finished.entityId)}); an IAM SAML provider trusts exactly one. Upload the metadata of the one identity provider this profile uses.`,
        );
      }
      this.result.identityProvider = finished;
    }
  }
}

function addSigningCertificate(entity: EntityState, text: string, position: DocumentPosition): void {
  const base64 = text.replace(/\s+/g, '');
  if (entity.signingSeen.has(base64)) return;
  entity.signingSeen.add(base64);
  if (entity.signing.length >= MAX_SIGNING_CERTIFICATES) {
    throw new MetadataTooManyCertificatesError(
      `${describeEntityId(entity.entityId)} lists more than ${MAX_SIGNING_CERTIFICATES} distinct signing certificates; identity providers list one, ` +
        'or two while they rotate. Remove the old ones and upload the document again.',
    );
  }
  entity.signing.push({ base64, position });
}

export function describeEntityId(entityId: string | undefined): string {
  if (entityId === undefined) return 'an entity without entityID';
  return JSON.stringify(entityId.length > 120 ? `${entityId.slice(0, 120)}...` : entityId);
}
