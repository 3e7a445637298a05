/** An IAM policy document, as JSON text or parsed. IAM returns policy version documents URL-encoded (RFC 3986). */
export type PolicyDocumentInput = string | Record<string, unknown>;

/**
 * The Amazon Connect federation policy (DESIGN.md, "AWS facts"): lets a federated user get a Connect federation token
 * for the Connect user whose name is their role session, on this one instance only.
 */
export function connectFederationPolicy(connectInstanceArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AmazonConnectFederation',
        Effect: 'Allow',
        Action: 'connect:GetFederationToken',
        Resource: `${connectInstanceArn}/user/\${aws:userid}`,
      },
    ],
  });
}

/** Parses a policy document whether it is JSON text, URL-encoded JSON text (as IAM returns it) or already an object. */
export function parsePolicyDocument(document: PolicyDocumentInput): Record<string, unknown> {
  if (typeof document !== 'string') return document;
  const text = document.trim();
  return JSON.parse(text.startsWith('{') ? text : decodeURIComponent(text)) as Record<string, unknown>;
}

/** Keys whose value IAM accepts as one string or a list of strings meaning the same thing. */
const LIST_KEYS = new Set(['Action', 'NotAction', 'Resource', 'NotResource']);
/** Action names are case-insensitive in IAM; resources and conditions are not. */
const CASE_INSENSITIVE_KEYS = new Set(['Action', 'NotAction']);

function asSortedList(value: unknown, lowerCase: boolean): unknown[] {
  const list = Array.isArray(value) ? value : [value];
  const items = list.map((item) => (lowerCase && typeof item === 'string' ? item.toLowerCase() : canonical(item)));
  return dedupeSorted(items);
}

function dedupeSorted(items: unknown[]): unknown[] {
  const byText = new Map(items.map((item) => [JSON.stringify(item), item]));
  return [...byText.keys()].sort().map((key) => byText.get(key));
}

function sortedObject(entries: [string, unknown][]): Record<string, unknown> {
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Sorts keys and set-like lists so that JSON text equality means semantic equality. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return dedupeSorted(value.map(canonical));
  if (value === null || typeof value !== 'object') return value;
  return sortedObject(Object.entries(value as Record<string, unknown>).map(([key, inner]) => [key, canonical(inner)]));
}

function canonicalStatement(statement: unknown): unknown {
  if (statement === null || typeof statement !== 'object' || Array.isArray(statement)) return canonical(statement);
  // A Sid only names the statement (the runbook's policy says "Statement1"): renaming it grants nothing new.
  const named = Object.entries(statement as Record<string, unknown>).filter(([key]) => key !== 'Sid');
  const entries = named.map(([key, value]): [string, unknown] => {
    if (LIST_KEYS.has(key)) return [key, asSortedList(value, CASE_INSENSITIVE_KEYS.has(key))];
    if ((key === 'Principal' || key === 'NotPrincipal') && value !== null && typeof value === 'object') {
      // { AWS: "arn" } and { AWS: ["arn"] } name the same principal.
      return [key, sortedObject(Object.entries(value as Record<string, unknown>).map(([type, ids]) => [type, asSortedList(ids, false)]))];
    }
    if (key === 'Condition' && value !== null && typeof value === 'object') {
      // Each condition key's value may likewise be a single value or a list of alternatives.
      const operators = Object.entries(value as Record<string, unknown>).map(([operator, keys]): [string, unknown] => [
        operator,
        keys !== null && typeof keys === 'object' && !Array.isArray(keys)
          ? sortedObject(Object.entries(keys as Record<string, unknown>).map(([conditionKey, v]) => [conditionKey, asSortedList(v, false)]))
          : canonical(keys),
      ]);
      return [key, sortedObject(operators)];
    }
    return [key, canonical(value)];
  });
  return sortedObject(entries);
}

/** The document in a form where key order, statement order, statement ids and one-value-versus-list no longer matter. */
export function canonicalPolicyDocument(document: PolicyDocumentInput): string {
  const parsed = parsePolicyDocument(document);
  const statements = parsed.Statement === undefined ? [] : Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  const { Statement: _statement, ...rest } = parsed;
  return JSON.stringify(sortedObject([...Object.entries(canonical(rest) as Record<string, unknown>), ['Statement', dedupeSorted(statements.map(canonicalStatement))]]));
}

/**
 * True when both documents grant the same thing. IAM hands policy versions back URL-encoded and may reorder keys, and
 * a person may have written a single action as a list or named the statement differently: none of that is a change
 * worth a new policy version.
 */
export function samePolicyDocument(a: PolicyDocumentInput, b: PolicyDocumentInput): boolean {
  return canonicalPolicyDocument(a) === canonicalPolicyDocument(b);
}
