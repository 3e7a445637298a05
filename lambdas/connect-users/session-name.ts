/**
 * The session name the mapping sends for a person, as IAM Identity Center evaluates the RoleSessionName attribute's
 * value: literal text with `${user:<attribute>}` references. Amazon Connect takes the session name as the user name
 * to sign in, so each person needs a Connect user of exactly that name.
 */

/** A person as the identity store describes them (DescribeUser). */
export interface Person {
  userId: string;
  userName: string;
  givenName?: string;
  familyName?: string;
  /** The primary email (or the only one). */
  email?: string;
  /** How the profile assigns them: `user "<name>"` or `group "<name>"`. */
  via: string;
}

/**
 * The Identity Center attributes this product evaluates, and where the identity store keeps each (IAM Identity
 * Center's "Attribute mappings" table: email is emails[primary].value, givenName name.givenName, familyName
 * name.familyName). Others (such as ${user:subject}, an id only Identity Center knows) cannot be checked.
 */
export const SESSION_NAME_ATTRIBUTES = {
  email: 'email',
  givenName: 'givenName',
  familyName: 'familyName',
} as const satisfies Record<string, keyof Person>;

const REFERENCE = /\$\{user:([A-Za-z_]+)\}/g;

/** The references an expression makes that this product cannot evaluate (empty when it can). */
export function unsupportedReferences(expression: string): string[] {
  return [...expression.matchAll(REFERENCE)]
    .map((m) => m[1] ?? '')
    .filter((name) => !(name in SESSION_NAME_ATTRIBUTES))
    .map((name) => `\${user:${name}}`);
}

/** The person's session name, or the identity-store field it needs and the person lacks. */
export function sessionNameFor(expression: string, person: Person): { name: string } | { missing: string } {
  let missing: string | undefined;
  const name = expression.replace(REFERENCE, (_, attribute: keyof typeof SESSION_NAME_ATTRIBUTES) => {
    const value = person[SESSION_NAME_ATTRIBUTES[attribute]];
    if (!value) missing ??= SESSION_NAME_ATTRIBUTES[attribute];
    return value ?? '';
  });
  return missing ? { missing } : { name };
}

/**
 * Why Amazon Connect (or STS, which takes the same name as the session name) would refuse `name` as a user name on an
 * instance using SAML, or undefined. CreateUser's
 * reference: "up to 64 characters from [a-zA-Z0-9_-.\@]+", with @ "only if used in an email format" (testuser@example
 * is refused). Narrower than STS's session-name rule ([\w+=,.@-]{2,64}): a + or = or , passes STS and not Connect.
 */
export function connectUserNameProblem(name: string): string | undefined {
  // Connect takes 1 to 64; STS, which receives the same name as RoleSessionName, at least 2.
  if (name.length < 2 || name.length > 64) return `is ${name.length} characters; a session name and Connect user name take 2 to 64`;
  const bad = [...new Set(name.replace(/[a-zA-Z0-9_\-.@]/g, ''))];
  if (bad.length > 0) return `contains ${bad.map((c) => JSON.stringify(c)).join(', ')}; Amazon Connect takes only a-z, A-Z, 0-9, _, -, . and @`;
  if (name.includes('@') && !/^[^@]+@[^@.]+(\.[^@.]+)+$/.test(name))
    return 'contains @ outside an email format (name@domain.tld), which Amazon Connect refuses';
  return undefined;
}
