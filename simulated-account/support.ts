import { createHash } from 'node:crypto';

/**
 * Identifiers in AWS's formats, derived from a seed and a counter rather than randomness: the same sequence of calls
 * yields the same role ids and version ids, so a failing run can be replayed exactly.
 */
export class IdGenerator {
  private counter = 0;

  public constructor(private readonly seed: string) {}

  /** `length` characters drawn from `alphabet`. */
  public next(alphabet: string, length: number): string {
    let out = '';
    while (out.length < length) {
      const digest = createHash('sha256')
        .update(`${this.seed}:${this.counter++}`)
        .digest();
      for (const byte of digest) {
        if (out.length === length) break;
        out += alphabet[byte % alphabet.length];
      }
    }
    return out;
  }

  public hex(length: number): string {
    return this.next('0123456789abcdef', length);
  }

  /** IAM unique ids: a 4-letter prefix (AROA role, ANPA policy) and 17 upper-case letters and digits. */
  public iamId(prefix: string): string {
    return prefix + this.next('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 17);
  }

  public uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
  }

  /** S3 version ids: 32 URL-safe characters. */
  public s3VersionId(): string {
    return this.next('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._', 32);
  }
}

/** Adds the response metadata every SDK v3 output carries. */
export function ok<T extends object>(output: T, httpStatusCode = 200): T & { $metadata: { httpStatusCode: number } } {
  return { ...output, $metadata: { httpStatusCode } };
}

export interface Page<T> {
  items: T[];
  /** Opaque token for the next page; absent on the last page. */
  next?: string;
}

/**
 * One page of `items` after `token`. Tokens are opaque to callers (as AWS's Markers are); a token this simulation did
 * not issue returns undefined so the caller can answer with the service's own validation error.
 */
export function paginate<T>(items: readonly T[], token: string | undefined, pageSize: number): Page<T> | undefined {
  let offset = 0;
  if (token !== undefined) {
    const match = /^sim-page-(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf-8'));
    if (!match) return undefined;
    offset = Number(match[1]);
  }
  const end = offset + pageSize;
  const page: Page<T> = { items: items.slice(offset, end) };
  if (end < items.length) page.next = Buffer.from(`sim-page-${end}`, 'utf-8').toString('base64url');
  return page;
}

export function clone<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}

/** Removes keys whose value is undefined, so outputs and snapshots hold only what AWS would send. */
export function compact<T extends Record<string, unknown>>(value: T): T {
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
  return value;
}
