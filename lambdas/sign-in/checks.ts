/**
 * The checks that prove a sign-in to Amazon Connect would go through, link by link, as AWS sign-in, STS and Connect
 * judge it: one engine, so a fault reads the same wherever it is reported (the check after every execution; a report
 * on a failed sign-in). Each check is a pure function of what was read; what could not be read is said, not guessed.
 */

type SignInCheckId =
  | 'provider'
  | 'service-provider'
  | 'trust'
  | 'role-attribute'
  | 'session-name'
  | 'session-duration'
  | 'relay-state'
  | 'permissions'
  | 'connect-user';

export interface CheckResult {
  check: SignInCheckId;
  /** true: holds; false: a sign-in would fail (or land elsewhere); undefined: could not be checked (`message` says why). */
  ok: boolean | undefined;
  message: string;
  /** What to change, for a check that failed. */
  fix?: string;
}

/** What the check reads of the account, the configuration and the execution's own results. */
export interface SignInFacts {
  providerArn: string;
  /** The provider's signing certificates (absent: no provider). */
  providerCertificates?: Array<{ sha256Fingerprint: string; notAfter: string }>;
  /** Why the provider's metadata no longer validates (AWS then refuses its assertions), if it does not. */
  providerProblem?: string;
  /** The provider or the role could not be read (not: does not exist). */
  providerUnread?: boolean;
  roleUnread?: boolean;
  /** The SessionDuration the profile maps, as configured (checked when the application's mapping is not read). */
  configuredSessionDuration?: string;
  roleArn: string;
  /** The role's trust policy (absent: no role). */
  trustPolicy?: unknown;
  maxSessionDuration?: number;
  /** The sign-in endpoints the application posts its assertions to (its ACS URLs, else the partition's endpoint). */
  signinEndpoints: string[];
  /** The application's service provider settings as the console API shows them (absent: not shown). */
  serviceProvider?: { audience?: string; acsUrls: string[] };
  /** The partition's sign-in endpoint, which the regional ones (https://<region>.signin.aws.amazon.com/saml) mirror. */
  partitionEndpoint?: string;
  /** The mapping as the application holds it (or as the execution wrote it). */
  mapping?: { role?: string[]; sessionName?: string; sessionDuration?: string; relayState?: string };
  /** The relay state the profile asks for (its Connect instance's federation URL). */
  expectedRelayState?: string;
  /** connect:GetFederationToken on the instance's users, as IAM's policy simulator decides it for the role. */
  federationToken?: 'allowed' | 'denied';
  /** The Connect users check's result: how many people have a user, and who has none. */
  connectUsers?: { checked: number; missing: string[] };
  /** What could not be read, and why (access denied, say): the checks that needed it are counted as not made. */
  unreadable: string[];
  now: Date;
}

/** Manual mode does not call the console API; otherwise the console API did not return the mapping. */
const MAPPING_UNREAD = "the application's mapping was not read (manual mode, or the console API did not return it): check it in IAM Identity Center";

const HELD = (check: SignInCheckId, message: string): CheckResult => ({ check, ok: true, message });
const FAILED = (check: SignInCheckId, message: string, fix: string): CheckResult => ({ check, ok: false, message, fix });
const UNKNOWN = (check: SignInCheckId, message: string): CheckResult => ({ check, ok: undefined, message });

function providerCheck(f: SignInFacts): CheckResult {
  if (f.providerUnread) return UNKNOWN('provider', `the SAML provider ${f.providerArn} could not be read`);
  if (!f.providerCertificates) return FAILED('provider', `the SAML provider ${f.providerArn} does not exist`, 'run the pipeline for this profile');
  if (f.providerProblem)
    return FAILED(
      'provider',
      `the metadata of ${f.providerArn} no longer validates (${f.providerProblem}): AWS answers "Your request included an invalid SAML response"`,
      "rotate the application's certificate in IAM Identity Center and run the pipeline with its new metadata",
    );
  const expired = f.providerCertificates.filter((c) => new Date(c.notAfter) <= f.now);
  if (f.providerCertificates.length === 0)
    return FAILED('provider', `the SAML provider ${f.providerArn} holds no signing certificate`, "upload the application's metadata again");
  if (expired.length === f.providerCertificates.length)
    return FAILED(
      'provider',
      `every signing certificate of ${f.providerArn} has expired (${expired.map((c) => c.notAfter).join(', ')}): AWS answers "Your request included an invalid SAML response"`,
      "rotate the application's certificate in IAM Identity Center and run the pipeline with its new metadata",
    );
  return HELD(
    'provider',
    `${f.providerArn} holds ${f.providerCertificates.length} signing certificate(s), one valid until ${f.providerCertificates
      .map((c) => c.notAfter)
      .sort()
      .at(-1)}`,
  );
}

/** The statements of a trust policy that let the provider's assertions assume the role. */
function samlStatements(trust: unknown, providerArn: string): Array<Record<string, unknown>> {
  const statements = (trust as { Statement?: unknown } | undefined)?.Statement;
  const list = (Array.isArray(statements) ? statements : [statements]).filter(
    (s): s is Record<string, unknown> => typeof s === 'object' && s !== null,
  );
  const values = (v: unknown) => (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
  return list.filter(
    (s) =>
      s.Effect === 'Allow' &&
      values(s.Action).some((a) => a === 'sts:AssumeRoleWithSAML' || a === 'sts:*') &&
      values((s.Principal as { Federated?: unknown } | undefined)?.Federated).includes(providerArn),
  );
}

/** A SAML:aud condition's values and whether they are patterns (StringLike), from one statement. */
function audiencesOf(statement: Record<string, unknown>): { values: string[]; like: boolean } | undefined {
  const condition = statement.Condition as Record<string, Record<string, unknown>> | undefined;
  for (const [operator, like] of [
    ['StringEquals', false],
    ['StringLike', true],
  ] as const) {
    const aud = condition?.[operator]?.['SAML:aud'];
    if (aud !== undefined) return { values: (Array.isArray(aud) ? aud : [aud]).map(String), like };
  }
  return undefined;
}

/** Whether `value` matches an IAM StringLike pattern (`*` any run of characters, `?` one character). */
function like(pattern: string, value: string): boolean {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  ).test(value);
}

/** Conditions of a statement this check does not evaluate (anything but SAML:aud): it then cannot say the trust holds. */
function otherConditions(statement: Record<string, unknown>): string[] {
  const condition = (statement.Condition ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(condition).flatMap(([operator, keys]) =>
    Object.keys(keys)
      .filter((key) => key !== 'SAML:aud' || !['StringEquals', 'StringLike'].includes(operator))
      .map((key) => `${operator} ${key}`),
  );
}

function trustCheck(f: SignInFacts): CheckResult {
  if (f.roleUnread) return UNKNOWN('trust', `the role ${f.roleArn} could not be read`);
  if (f.trustPolicy === undefined) return FAILED('trust', `the role ${f.roleArn} does not exist`, 'run the pipeline for this profile');
  const allowing = samlStatements(f.trustPolicy, f.providerArn);
  if (allowing.length === 0)
    return FAILED(
      'trust',
      `the role ${f.roleArn} does not let ${f.providerArn} assume it (sts:AssumeRoleWithSAML): AWS answers "Not authorized to perform sts:AssumeRoleWithSAML"`,
      'run the pipeline for this profile: it writes the trust policy',
    );
  const statements = (f.trustPolicy as { Statement?: unknown }).Statement;
  const denies = (Array.isArray(statements) ? statements : [statements]).some(
    (statement) => (statement as { Effect?: unknown } | undefined)?.Effect === 'Deny',
  );
  if (denies)
    return UNKNOWN(
      'trust',
      `the role's trust policy holds a Deny statement, which this check does not evaluate: check that it does not refuse ${f.providerArn}`,
    );
  const covering = allowing.filter((statement) => {
    const aud = audiencesOf(statement);
    return (
      aud === undefined || f.signinEndpoints.every((endpoint) => aud.values.some((value) => (aud.like ? like(value, endpoint) : value === endpoint)))
    );
  });
  if (covering.length === 0)
    return FAILED(
      'trust',
      `the role's trust limits SAML:aud to ${JSON.stringify(allowing.flatMap((statement) => audiencesOf(statement)?.values ?? []))}, which does not name ${f.signinEndpoints.join(', ')}, where the assertion is posted`,
      `put ${f.signinEndpoints.join(', ')} in the trust policy's SAML:aud (the pipeline writes it)`,
    );
  const unevaluated = covering.every((statement) => otherConditions(statement).length > 0);
  if (unevaluated)
    return UNKNOWN('trust', `the role's trust also requires ${otherConditions(covering[0] ?? {}).join(', ')}, which this check does not evaluate`);
  return HELD('trust', `${f.roleArn} trusts ${f.providerArn} for sts:AssumeRoleWithSAML at ${f.signinEndpoints.join(', ')}`);
}

function roleAttributeCheck(f: SignInFacts): CheckResult {
  const values = f.mapping?.role;
  if (!f.mapping) return UNKNOWN('role-attribute', MAPPING_UNREAD);
  if (!values?.length)
    return FAILED('role-attribute', 'the application maps no Role attribute', 'run the pipeline (or map it by hand as the notification says)');
  const pair = (value: string) => value.split(',');
  const good = values.find((value) => {
    const parts = pair(value);
    return parts.length === 2 && parts.includes(f.roleArn) && parts.includes(f.providerArn);
  });
  if (good) return HELD('role-attribute', `the Role attribute names ${f.roleArn} and ${f.providerArn}`);
  const spaced = values.find((value) => /\s/.test(value));
  if (spaced)
    return FAILED(
      'role-attribute',
      `the Role attribute "${spaced}" holds a space: AWS reads it as another ARN`,
      `set it to exactly ${f.roleArn},${f.providerArn}`,
    );
  return FAILED(
    'role-attribute',
    `the Role attribute is ${JSON.stringify(values)}, not this profile's role and provider`,
    `set it to ${f.roleArn},${f.providerArn}`,
  );
}

function sessionNameCheck(f: SignInFacts): CheckResult {
  if (!f.mapping) return UNKNOWN('session-name', MAPPING_UNREAD);
  if (!f.mapping.sessionName)
    return FAILED(
      'session-name',
      'the application maps no RoleSessionName: AWS refuses the assertion and Amazon Connect has no user name',
      'map https://aws.amazon.com/SAML/Attributes/RoleSessionName (attributeMapping.attributes), by default ${user:email}',
    );
  return HELD('session-name', `RoleSessionName is ${f.mapping.sessionName}`);
}

function sessionDurationCheck(f: SignInFacts): CheckResult {
  if (f.maxSessionDuration === undefined) return UNKNOWN('session-duration', `the role ${f.roleArn} could not be read`);
  // The application's mapping when it was read; else what the profile configures (manual mode: what the operator set).
  const asked = f.mapping ? f.mapping.sessionDuration : f.configuredSessionDuration;
  const source = f.mapping ? '' : ' (as configured; the mapping itself was not read)';
  if (asked === undefined) {
    if (!f.mapping) return UNKNOWN('session-duration', MAPPING_UNREAD);
    return HELD('session-duration', `no SessionDuration is mapped: sessions last 1 hour, within the role's ${f.maxSessionDuration} s`);
  }
  const seconds = /^[0-9]+$/.test(asked) ? Number(asked) : Number.NaN;
  if (!Number.isInteger(seconds) || seconds < 900 || seconds > f.maxSessionDuration)
    return FAILED(
      'session-duration',
      `SessionDuration ${asked}${source} is not a whole number of seconds from 900 to the role's maximum ${f.maxSessionDuration}: AWS refuses the assertion`,
      `map a SessionDuration of at most ${f.maxSessionDuration}, or raise role.maxSessionDuration`,
    );
  return HELD('session-duration', `SessionDuration ${seconds} s${source} is within the role's ${f.maxSessionDuration} s`);
}

function relayStateCheck(f: SignInFacts): CheckResult {
  if (!f.expectedRelayState)
    return UNKNOWN('relay-state', 'the profile names no relay state to check (no Connect instance, or a partition without a console host)');
  if (!f.mapping) return UNKNOWN('relay-state', MAPPING_UNREAD);
  if (f.mapping.relayState === undefined)
    return UNKNOWN('relay-state', `the console API does not show the relay state: check it is ${f.expectedRelayState} in IAM Identity Center`);
  if (f.mapping.relayState !== f.expectedRelayState)
    return FAILED(
      'relay-state',
      `the relay state is ${f.mapping.relayState}, not ${f.expectedRelayState}: sign-in lands elsewhere`,
      `set it to ${f.expectedRelayState}`,
    );
  return HELD('relay-state', `the relay state opens ${f.expectedRelayState}`);
}

function permissionsCheck(f: SignInFacts): CheckResult {
  if (f.federationToken === undefined) return UNKNOWN('permissions', "the role's permissions could not be simulated");
  if (f.federationToken === 'denied')
    return FAILED(
      'permissions',
      `the role's policies do not allow connect:GetFederationToken on the instance's users: Amazon Connect refuses the sign-in`,
      'attach the generated policy (policy.connectInstanceArn) or one that allows it',
    );
  return HELD('permissions', "the role's policies allow connect:GetFederationToken on the instance's users");
}

function connectUserCheck(f: SignInFacts): CheckResult {
  if (!f.connectUsers) return UNKNOWN('connect-user', 'the Connect users were not checked (no instance, or no one assigned)');
  if (f.connectUsers.missing.length > 0)
    return FAILED(
      'connect-user',
      `${f.connectUsers.missing.length} of ${f.connectUsers.checked} people have no Connect user: ${f.connectUsers.missing.join(', ')}`,
      'add them in Amazon Connect, or set connectUsers.create',
    );
  return HELD('connect-user', `all ${f.connectUsers.checked} people the profile assigns have a Connect user`);
}

/** The checks that could not be made: said once each, with what could not be read. */
export function unreadableLines(facts: Pick<SignInFacts, 'unreadable'>): string[] {
  return facts.unreadable.map((what) => `could not read ${what}`);
}

/** Amazon Connect's catalog instructions: audience urn:amazon:webservices, ACS URL an AWS sign-in endpoint. */
const CONNECT_AUDIENCE = 'urn:amazon:webservices';

function isSigninEndpoint(url: string, partitionEndpoint: string): boolean {
  const host = new URL(partitionEndpoint).host;
  return url === partitionEndpoint || new RegExp(`^https://[a-z0-9-]+\\.${host.replace(/\./g, '\\.')}/saml$`).test(url);
}

function serviceProviderCheck(f: SignInFacts): CheckResult {
  const sp = f.serviceProvider;
  if (!sp)
    return UNKNOWN('service-provider', "the console API did not show the application's ACS URL and audience: check them in IAM Identity Center");
  const endpoint = f.partitionEndpoint ?? 'https://signin.aws.amazon.com/saml';
  if (sp.audience !== CONNECT_AUDIENCE)
    return FAILED(
      'service-provider',
      `the application's audience is ${JSON.stringify(sp.audience ?? null)}, not ${CONNECT_AUDIENCE}: AWS sign-in refuses the assertion`,
      `set the application's SAML audience to ${CONNECT_AUDIENCE}`,
    );
  const elsewhere = sp.acsUrls.filter((url) => !isSigninEndpoint(url, endpoint));
  if (sp.acsUrls.length === 0 || elsewhere.length > 0)
    return FAILED(
      'service-provider',
      `the application posts its assertions to ${JSON.stringify(sp.acsUrls)}, not an AWS sign-in endpoint`,
      `set the application's ACS URL to ${endpoint}`,
    );
  return HELD('service-provider', `the application posts to ${sp.acsUrls.join(', ')} with audience ${CONNECT_AUDIENCE}`);
}

/** Every check, in the order a sign-in meets them. */
export function signInChecks(facts: SignInFacts): CheckResult[] {
  return [
    providerCheck(facts),
    serviceProviderCheck(facts),
    trustCheck(facts),
    roleAttributeCheck(facts),
    sessionNameCheck(facts),
    sessionDurationCheck(facts),
    relayStateCheck(facts),
    permissionsCheck(facts),
    connectUserCheck(facts),
  ];
}

/** One line for people: "sign-in ready: N of N checks", or what fails; checks that could not be made are counted apart. */
export function signInVerdict(results: readonly CheckResult[]): { ready: boolean; line: string; details: string[] } {
  const made = results.filter((r) => r.ok !== undefined);
  const failed = made.filter((r) => r.ok === false);
  const unknown = results.filter((r) => r.ok === undefined);
  const counted = `${made.length - failed.length} of ${made.length} checks`;
  const details = [...failed.map((r) => `${r.check}: ${r.message}; fix: ${r.fix}`), ...unknown.map((r) => `${r.check} not checked: ${r.message}`)];
  const notChecked = unknown.length > 0 ? `, ${unknown.length} not checked` : '';
  if (failed.length > 0) return { ready: false, line: `sign-in NOT ready: ${counted} hold${notChecked}`, details };
  // Ready only when every check was made and holds: one not made leaves the sign-in unconfirmed.
  if (unknown.length > 0) return { ready: false, line: `sign-in not confirmed: ${counted} hold${notChecked}`, details };
  return { ready: true, line: `sign-in ready: ${counted}`, details };
}
