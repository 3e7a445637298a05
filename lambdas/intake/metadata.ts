import { isUtf8 } from 'node:buffer';
import { X509Certificate } from 'node:crypto';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import type { CertificateSummary, MetadataSummary } from '../shared/document';
import { FederationError } from '../shared/errors';
import {
  type DocumentPosition,
  MetadataBadCertificateError,
  MetadataCertificateExpiredError,
  MetadataEncodingError,
  MetadataExpiredError,
  MetadataInvalidEntityIdError,
  MetadataMalformedError,
  MetadataMultipleIdentityProvidersError,
  MetadataNoSigningCertificateError,
  MetadataNoSingleSignOnServiceError,
  MetadataNotIdentityProviderError,
  MetadataNotSamlMetadataError,
  MetadataTooLargeError,
  MetadataTooManyCertificatesError,
  MetadataTooSmallError,
  MetadataUnsafeXmlError,
} from './errors';

const SAML_METADATA_NS = 'urn:oasis:names:tc:SAML:2.0:metadata';
const XMLDSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const SAML2_PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
const XINCLUDE_NS = 'http://www.w3.org/2001/XInclude';

/** IAM's bounds for a SAML metadata document (CreateSAMLProvider / UpdateSAMLProvider). */
const METADATA_MIN_CHARACTERS = 1_000;
export const METADATA_MAX_CHARACTERS = 10_000_000;
/** SAML metadata schema, `entityIDType`: an anyURI of at most 1,024 characters. */
const ENTITY_ID_MAX_LENGTH = 1_024;
/**
 * Identity providers list one signing certificate, two while they rotate. Each certificate adds about 250 bytes to the
 * execution document, which every state carries and Step Functions caps at 256 KiB; a cap keeps a hostile document from
 * filling it (and from making Intake parse thousands of certificates).
 */
export const MAX_SIGNING_CERTIFICATES = 20;
/** A certificate (or validUntil) that ends within this many days gets a warning in the output. */
const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;
/** Subjects go into the execution document; a certificate can carry a very long one. */
const SUBJECT_MAX_LENGTH = 256;

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

// What an open element means to us, decided from its parent's meaning and its own namespace and name.
const OTHER = 0;
const ENTITIES = 1;
const ENTITY = 2;
const IDP = 3;
const SIGNING_KEY = 4;
const KEY_INFO = 5;
const X509_DATA = 6;
const X509_CERTIFICATE = 7;

interface CertificateText {
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

interface ScanResult {
  identityProvider: EntityState | undefined;
  entities: number;
  serviceProviders: number;
  /** protocolSupportEnumeration values of IDPSSODescriptors without SAML 2.0. */
  otherProtocols: string[];
}

/**
 * The namespace bindings in scope: one Map, and an undo log so that closing an element restores what its declarations
 * changed. Most elements declare nothing, and then opening and closing one costs a push and a pop.
 */
class NamespaceScopes {
  private readonly bindings = new Map<string, string>([['xml', XML_NS]]);
  private readonly undo: Array<string | undefined> = [];
  private readonly marks: number[] = [];

  public open(): void {
    this.marks.push(this.undo.length);
  }

  /** Call after `open` for the element that carries the declaration. */
  public declare(prefix: string, uri: string, position: DocumentPosition): void {
    if (prefix === 'xmlns') throw malformed('the prefix xmlns cannot be declared', position);
    if (prefix === 'xml' ? uri !== XML_NS : uri === XML_NS || uri === XMLNS_NS) {
      throw malformed(`the namespace ${uri} can only be bound to its reserved prefix, not "${prefix}"`, position);
    }
    if (prefix !== '' && uri === '') throw malformed(`xmlns:${prefix}="" is not allowed: a prefix cannot be undeclared in XML 1.0`, position);
    this.undo.push(prefix, this.bindings.get(prefix));
    this.bindings.set(prefix, uri);
  }

  public close(): void {
    const mark = this.marks.pop() ?? 0;
    while (this.undo.length > mark) {
      const previous = this.undo.pop();
      const prefix = this.undo.pop() ?? '';
      if (previous === undefined) this.bindings.delete(prefix);
      else this.bindings.set(prefix, previous);
    }
  }

  /** The namespace of a prefix ('' for the default namespace: '' when none is in scope), undefined when unbound. */
  public resolve(prefix: string): string | undefined {
    const uri = this.bindings.get(prefix);
    return uri === undefined && prefix === '' ? '' : uri;
  }
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

function scanMetadata(text: string): ScanResult {
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

function checkDeclaredEncoding(encoding: string | undefined): void {
  if (encoding !== undefined && !/^(?:utf-?8|us-ascii|ascii)$/i.test(encoding)) {
    throw new MetadataEncodingError(
      `the XML declaration says encoding="${encoding}"; IAM reads metadata as UTF-8. Save the document as UTF-8 and change the declaration to encoding="UTF-8".`,
    );
  }
}

/**
 * The character data of an element's raw content, which saxes has already checked is well-formed and holds no element:
 * only comments, CDATA sections and character or predefined entity references need undoing.
 */
function characterData(raw: string): string {
  if (!raw.includes('<') && !raw.includes('&')) return raw;
  return raw.replace(
    /<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g,
    (_match, cdata: string | undefined, reference: string | undefined) => {
      if (cdata !== undefined) return cdata;
      if (reference === undefined) return '';
      if (reference.startsWith('#x')) return String.fromCodePoint(parseInt(reference.slice(2), 16));
      if (reference.startsWith('#')) return String.fromCodePoint(parseInt(reference.slice(1), 10));
      return PREDEFINED_ENTITIES[reference] ?? '';
    },
  );
}

const PREDEFINED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function malformed(message: string, position: DocumentPosition, cause?: unknown): MetadataMalformedError {
  return new MetadataMalformedError(message, position, cause === undefined ? undefined : { cause });
}

function unsafeDoctype(position: DocumentPosition): MetadataUnsafeXmlError {
  return new MetadataUnsafeXmlError(
    `line ${position.line}: the document has a DOCTYPE declaration. A DOCTYPE can declare entities that read local files or URLs (XXE) ` +
      'or expand exponentially (billion laughs); SAML metadata never needs one, so it is refused without being read. Remove the <!DOCTYPE ...> ' +
      'and upload the document again.',
  );
}

/** xs:dateTime; SAML requires UTC, so a value without a zone is read as UTC. */
function parseDateTime(value: string, what: string, position: DocumentPosition): number {
  const match = /^(\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:\d{2})?$/.exec(value.trim());
  const time = match ? Date.parse(`${match[1]}${match[2] ?? 'Z'}`) : NaN;
  if (Number.isNaN(time)) throw malformed(`${what} is "${value}", not an xs:dateTime such as 2030-01-31T00:00:00Z`, position);
  return time;
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

function describeEntityId(entityId: string | undefined): string {
  if (entityId === undefined) return 'an entity without entityID';
  return JSON.stringify(entityId.length > 120 ? `${entityId.slice(0, 120)}...` : entityId);
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

  const certificates: CertificateSummary[] = [];
  const expired: CertificateSummary[] = [];
  idp.signing.forEach((text, index) => {
    const certificate = parseCertificate(text, index, idp.signing.length);
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
