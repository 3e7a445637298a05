/**
 * Comparing IAM policy documents (identity policies and trust policies) the way IAM evaluates them, and JSON values
 * without regard to key order. The one place these rules live: the role and policy steps compare with it, and so do
 * the tests.
 */

/** An IAM policy document as IAM returns it (URL-encoded JSON text, RFC 3986), as plain JSON text, or parsed. */
export type PolicyDocumentInput = string | object;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** JSON with object keys sorted at every level and undefined members left out; arrays keep their order. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${stableStringify(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** True when two JSON values are equal but for the order of object keys. */
export function sameJson(a: unknown, b: unknown): boolean {
  return stableStringify(a) === stableStringify(b);
}

/**
 * Parses a policy document given as JSON text, as IAM's URL-encoded text (GetRole, GetPolicyVersion) or already
 * parsed. Undefined when it is none of these.
 */
export function decodePolicyDocument(document: PolicyDocumentInput): unknown {
  if (typeof document !== 'string') return document;
  for (const text of [document, safeDecode(document.trim())]) {
    if (text === undefined) continue;
    try {
      return JSON.parse(text);
    } catch {
      // Not JSON in this form; try the next.
    }
  }
  return undefined;
}

function toArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** A value IAM accepts as one string or a list meaning the same: a sorted set. */
function valueSet(value: unknown, normalize: (value: string) => string = (v) => v): string[] {
  return [...new Set(toArray(value).map((item) => normalize(typeof item === 'string' ? item : stableStringify(item))))].sort();
}

function mapValues(value: unknown, map: (value: unknown) => unknown): unknown {
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, map(inner)]));
}

function canonicalStatement(statement: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(statement)) {
    switch (key) {
      case 'Sid':
        // A Sid only names the statement (the runbook's policy says "Statement1"): renaming it grants nothing new.
        break;
      case 'Action':
      case 'NotAction':
        // Action names are case-insensitive in IAM; resources are not.
        result[key] = valueSet(value, (action) => action.toLowerCase());
        break;
      case 'Resource':
      case 'NotResource':
        result[key] = valueSet(value);
        break;
      case 'Principal':
      case 'NotPrincipal':
        result[key] = value === '*' ? { AWS: ['*'] } : mapValues(value, (principals) => valueSet(principals));
        break;
      case 'Condition':
        // Condition keys are case-insensitive; each key's value may be one value or a list of alternatives.
        result[key] = mapValues(value, (block) =>
          Object.fromEntries(
            Object.entries(isObject(block) ? block : {}).map(([conditionKey, values]) => [conditionKey.toLowerCase(), valueSet(values)]),
          ),
        );
        break;
      default:
        result[key] = value;
    }
  }
  return result;
}

/**
 * The document in a form where what IAM does not evaluate no longer matters: key order, statement order and
 * duplicates, a single value versus a one-element list, value order in a list, `Sid` and `Id` (labels only), the
 * letter case of actions and condition keys, and `"Principal": "*"` versus `{"AWS": "*"}`. A missing `Version` means
 * 2008-10-17, as in IAM. Undefined for a document that cannot be read.
 */
export function canonicalPolicyDocument(document: PolicyDocumentInput): string | undefined {
  const parsed = decodePolicyDocument(document);
  if (!isObject(parsed) || parsed.Statement === undefined) return undefined;
  const statements = toArray(parsed.Statement);
  if (!statements.every(isObject)) return undefined;
  const canonicalStatements = [...new Set(statements.map((statement) => stableStringify(canonicalStatement(statement))))].sort();
  return stableStringify({ Version: parsed.Version ?? '2008-10-17', Statement: canonicalStatements });
}

/**
 * True when both documents grant the same thing. IAM hands documents back URL-encoded and may reorder keys, and a
 * person may have written a single action as a list or named the statement differently: none of that is a change.
 * A document that cannot be read equals nothing.
 */
export function samePolicyDocument(a: PolicyDocumentInput, b: PolicyDocumentInput): boolean {
  const left = canonicalPolicyDocument(a);
  return left !== undefined && left === canonicalPolicyDocument(b);
}
