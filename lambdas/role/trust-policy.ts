/** The audience AWS sign-in expects in a SAML assertion for console federation. */
export const SAML_SIGNIN_AUDIENCE = 'https://signin.aws.amazon.com/saml';

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: '*' | Record<string, string | string[]>;
  Action?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
  [key: string]: unknown;
}

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

/** The trust policy of a SAML 2.0 federation role (DESIGN.md, "AWS facts"). */
export function federationTrustPolicy(providerArn: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: 'sts:AssumeRoleWithSAML',
        Condition: { StringEquals: { 'SAML:aud': SAML_SIGNIN_AUDIENCE } },
      },
    ],
  };
}

/**
 * Parses a policy document as IAM returns it (GetRole's AssumeRolePolicyDocument is URL-encoded) or as JSON text.
 * Returns undefined when it is neither.
 */
export function decodePolicyDocument(document: string): unknown {
  for (const text of [document, safeDecode(document)]) {
    if (text === undefined) continue;
    try {
      return JSON.parse(text);
    } catch {
      // Not JSON in this form; try the next.
    }
  }
  return undefined;
}

/**
 * True when two policy documents grant the same thing. Each side may be an object, JSON text or IAM's URL-encoded
 * text. Differences IAM does not evaluate are ignored: key order, statement order and duplicates, a single value
 * versus a one-element array, value order in a list, `Sid` and `Id` (labels only), the letter case of actions and
 * condition keys (IAM matches both case-insensitively), and `"Principal": "*"` versus `{"AWS": "*"}`. A missing
 * `Version` means 2008-10-17, as in IAM. A document that cannot be parsed equals nothing.
 */
export function sameTrustPolicy(a: string | PolicyDocument, b: string | PolicyDocument): boolean {
  const left = canonical(a);
  const right = canonical(b);
  return left !== undefined && left === right;
}

function canonical(document: string | PolicyDocument): string | undefined {
  const parsed = typeof document === 'string' ? decodePolicyDocument(document) : document;
  if (!isObject(parsed) || parsed.Statement === undefined) return undefined;
  const statements = toArray(parsed.Statement);
  if (!statements.every(isObject)) return undefined;
  const canonicalStatements = [...new Set(statements.map((statement) => stableStringify(canonicalStatement(statement))))].sort();
  return stableStringify({ Version: parsed.Version ?? '2008-10-17', Statement: canonicalStatements });
}

function canonicalStatement(statement: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(statement)) {
    switch (key) {
      case 'Sid':
        break;
      case 'Action':
      case 'NotAction':
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
        result[key] = mapValues(value, (block) => Object.fromEntries(
          Object.entries(isObject(block) ? block : {}).map(([conditionKey, values]) => [conditionKey.toLowerCase(), valueSet(values)]),
        ));
        break;
      default:
        result[key] = value;
    }
  }
  return result;
}

function valueSet(value: unknown, normalize: (value: string) => string = (v) => v): string[] {
  return [...new Set(toArray(value).map((item) => normalize(String(item))))].sort();
}

function mapValues(value: unknown, map: (value: unknown) => unknown): unknown {
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, map(inner)]));
}

function toArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with object keys sorted at every level, so that key order cannot make two documents differ. */
function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${stableStringify(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
