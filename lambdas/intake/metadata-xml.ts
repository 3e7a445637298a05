import { type DocumentPosition, MetadataEncodingError, MetadataMalformedError, MetadataUnsafeXmlError } from './errors';

export const SAML_METADATA_NS = 'urn:oasis:names:tc:SAML:2.0:metadata';
export const XMLDSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
export const SAML2_PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
export const XINCLUDE_NS = 'http://www.w3.org/2001/XInclude';

/**
 * The namespace bindings in scope: one Map, and an undo log so that closing an element restores what its declarations
 * changed. Most elements declare nothing, and then opening and closing one costs a push and a pop.
 */
export class NamespaceScopes {
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

export function checkDeclaredEncoding(encoding: string | undefined): void {
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
export function characterData(raw: string): string {
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

export function malformed(message: string, position: DocumentPosition, cause?: unknown): MetadataMalformedError {
  return new MetadataMalformedError(message, position, cause === undefined ? undefined : { cause });
}

export function unsafeDoctype(position: DocumentPosition): MetadataUnsafeXmlError {
  return new MetadataUnsafeXmlError(
    `line ${position.line}: the document has a DOCTYPE declaration. A DOCTYPE can declare entities that read local files or URLs (XXE) ` +
      'or expand exponentially (billion laughs); SAML metadata never needs one, so it is refused without being read. Remove the <!DOCTYPE ...> ' +
      'and upload the document again.',
  );
}

/** xs:dateTime; SAML requires UTC, so a value without a zone is read as UTC. */
export function parseDateTime(value: string, what: string, position: DocumentPosition): number {
  const match = /^(\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:\d{2})?$/.exec(value.trim());
  const time = match ? Date.parse(`${match[1]}${match[2] ?? 'Z'}`) : NaN;
  if (Number.isNaN(time)) throw malformed(`${what} is "${value}", not an xs:dateTime such as 2030-01-31T00:00:00Z`, position);
  return time;
}
