import { z } from 'zod';
import { ConfigInvalidError } from './errors';
import { partitionOfRegion } from './partitions';

/** The attribute Amazon Connect (and the AWS console) reads to pick the role and provider. */
export const ROLE_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/Role';
/** Amazon Connect reads this attribute as the Connect user name. */
export const ROLE_SESSION_NAME_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/RoleSessionName';
/** The longest an execution waits for an operator: 7 days. */
export const MAX_MANUAL_TIMEOUT_SECONDS = 7 * 86_400;
export const EMAIL_NAME_ID_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

const partition = 'arn:aws(?:-cn|-us-gov|-iso|-iso-b)?';
const managedPolicyArn = z.string().regex(new RegExp(`^${partition}:iam::(?:\\d{12}|aws):policy/(?:[\\x21-\\x7E]+/)?[\\w+=,.@-]{1,128}$`), {
  message: 'must be an IAM managed policy ARN, e.g. arn:aws:iam::aws:policy/ReadOnlyAccess',
});

/**
 * EventBridge Scheduler's recurring expressions: `rate(<value> <unit>)` with a positive value, the unit singular for 1
 * and plural above; `cron(<6 fields>)`. Checked at synth so a bad one fails there rather than at deploy.
 */
function isScheduleExpression(expression: string): boolean {
  const rate = /^rate\((\d+) (minute|hour|day)(s?)\)$/.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    return value >= 1 && (value === 1) === (rate[3] === '');
  }
  const cron = /^cron\((.+)\)$/.exec(expression);
  return cron !== null && (cron[1] ?? '').trim().split(/\s+/).length === 6;
}

const ProfileNameSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, { message: 'must be 1-32 lowercase letters, digits or hyphens' });

const ProfileSchema = z
  .object({
    /**
     * The AWS account the profile's IAM provider, role and policy live in, when it is not the pipeline's: the account
     * of its Amazon Connect instance. The steps reach it through the roles of the target stack deployed there
     * (infra/target-account-roles.ts); the application and its mapping stay with IAM Identity Center.
     */
    account: z
      .string()
      .regex(/^\d{12}$/, { message: 'must be a 12-digit AWS account id' })
      .optional(),
    identityProvider: z.object({
      /** Name of the IAM SAML identity provider (IAM: 1-128 characters of [\w._-]). */
      name: z.string().regex(/^[\w._-]{1,128}$/, { message: 'must be 1-128 characters of letters, digits, _ . -' }),
      /**
       * The entityID the profile's metadata must carry. Without it, the profile's IAM Identity Center application
       * implies one (its entityID encodes `<account>_ins-<id>`); with it, only this issuer is installed.
       */
      expectedEntityId: z.string().min(1).max(1024).optional(),
      /** SHA-256 fingerprints (AB:CD:...) the metadata's signing certificates must be among; none means any. */
      signingCertificateFingerprints: z
        .array(
          z.string().regex(/^(?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/, { message: 'must be a SHA-256 fingerprint, 32 hex pairs separated by colons' }),
        )
        .max(10)
        .optional(),
    }),
    role: z.object({
      /** Name of the SAML 2.0 federation role (IAM: 1-64 characters of [\w+=,.@-]). */
      name: z.string().regex(/^[\w+=,.@-]{1,64}$/, { message: 'must be 1-64 characters of letters, digits, + = , . @ _ -' }),
      path: z
        .string()
        .regex(/^\/(?:[\x21-\x7E]{1,510}\/)?$/, { message: 'must start and end with /' })
        .default('/'),
      /** Seconds; IAM allows 3,600-43,200. */
      maxSessionDuration: z.number().int().min(3600).max(43200).default(3600),
      permissionsBoundaryArn: managedPolicyArn.optional(),
    }),
    policy: z
      .object({
        /**
         * The Amazon Connect instance whose federation policy (connect:GetFederationToken on the instance's users) is
         * generated and attached. Region and account come from this ARN.
         */
        connectInstanceArn: z
          .string()
          .regex(new RegExp(`^${partition}:connect:[a-z0-9-]+:\\d{12}:instance/[0-9a-f-]{36}$`), {
            message: 'must be an Amazon Connect instance ARN, arn:aws:connect:<region>:<account>:instance/<uuid>',
          })
          .optional(),
        /** Name of the customer managed policy generated for `connectInstanceArn`. */
        name: z
          .string()
          .regex(/^[\w+=,.@-]{1,128}$/, { message: 'must be 1-128 characters of letters, digits, + = , . @ _ -' })
          .default('AmazonConnectSSOPolicy'),
        /** Existing managed policies to attach as they are. */
        managedPolicyArns: z.array(managedPolicyArn).max(10).default([]),
        /**
         * A customer managed policy named `name` that exists and that this pipeline did not create (no
         * `saml-federation:pipeline` tag naming it) is someone else's: the pipeline changes it only when this is true.
         */
        adopt: z.boolean().default(false),
      })
      .refine((p) => p.connectInstanceArn !== undefined || p.managedPolicyArns.length > 0, {
        message: 'set connectInstanceArn, or list at least one managedPolicyArns',
      }),
    application: z
      .object({
        /** IAM Identity Center application ARN, arn:aws:sso::<account>:application/ssoins-<id>/apl-<id>. */
        arn: z
          .string()
          .regex(new RegExp(`^${partition}:sso::\\d{12}:application/(?:sso)?ins-[a-zA-Z0-9-.]{16}/apl-[a-zA-Z0-9]{16}$`), {
            message: 'must be an IAM Identity Center application ARN, arn:aws:sso::<account>:application/ssoins-<16>/apl-<16>',
          })
          .optional(),
        /** Display name, looked up with ListApplications when no ARN is given. */
        displayName: z.string().min(1).max(255).optional(),
        /**
         * Opt-in: the pipeline finds the application by this display name and, when there is none, creates it from
         * IAM Identity Center's "Amazon Connect" catalog template; a rollback deletes it only when this execution
         * created it. The execution then takes the new application's metadata itself (start it with {"profile": ...}).
         */
        create: z
          .object({ displayName: z.string().min(1).max(255) })
          .strict()
          .optional(),
        /**
         * The account the application belongs to, when it is not the pipeline's: IAM Identity Center run from a
         * delegated administrator account lists the management account's applications too (ListApplications'
         * ApplicationAccount filter), and the application's entityID then names this account.
         */
        account: z
          .string()
          .regex(/^\d{12}$/, { message: 'must be a 12-digit AWS account id' })
          .optional(),
        /**
         * Who may use the application: groups by display name and users by user name in the instance's identity
         * store. The pipeline assigns those not yet assigned and a rollback removes only those it added; assignments
         * made by hand are left alone.
         */
        assignments: z
          .object({
            groups: z
              .array(z.string().min(1).max(1024))
              .max(50)
              .refine((names) => new Set(names).size === names.length, { message: 'names a group twice' })
              .default([]),
            users: z
              .array(z.string().min(1).max(128))
              .max(50)
              .refine((names) => new Set(names).size === names.length, { message: 'names a user twice' })
              .default([]),
          })
          .strict()
          .default({ groups: [], users: [] }),
        /** IAM Identity Center instance ARN; found with ListInstances when the account has exactly one. */
        instanceArn: z
          .string()
          .regex(new RegExp(`^${partition}:sso:::instance/(?:sso)?ins-[a-zA-Z0-9-.]{16}$`), {
            message: 'must be an IAM Identity Center instance ARN, arn:aws:sso:::instance/ssoins-<16>',
          })
          .optional(),
      })
      .refine((a) => a.arn !== undefined || a.displayName !== undefined, { message: 'set arn or displayName' })
      .refine((a) => a.create === undefined || (a.arn === undefined && a.displayName === a.create.displayName), {
        message: 'create names the application by display name: leave out arn, and displayName (if set) must equal create.displayName',
        path: ['create'],
      })
      // The assignments function may assign people only to the applications it is granted: an application named by
      // display name alone would need a grant on every application of the account.
      .refine((a) => a.assignments.groups.length + a.assignments.users.length === 0 || a.arn !== undefined || a.instanceArn !== undefined, {
        message: 'with assignments, set arn (or at least instanceArn), so the pipeline may assign people to this application only',
        path: ['assignments'],
      }),
    /**
     * Who signs in through this profile: "admin" opens the Amazon Connect admin website, "agent" the softphone (the
     * Contact Control Panel). Default: "agent" for a profile named agent (or agent-..., ...-agent), else "admin".
     */
    access: z.enum(['admin', 'agent']).default('admin'),
    /**
     * Where the application sends the user after sign-in. Default: derived from policy.connectInstanceArn and
     * `access` (see connectRelayState); set it for a partition whose console host is not published.
     */
    relayState: z.string().url().optional(),
    /**
     * The daily check (EventBridge Scheduler): fetches the application's metadata, starts an execution when the
     * provider holds another document, and watches the signing certificate's expiry.
     */
    refresh: z
      .object({
        enabled: z.boolean().default(true),
        /** An EventBridge Scheduler expression, rate(...) or cron(...). */
        schedule: z
          .string()
          .refine(isScheduleExpression, {
            message:
              'must be an EventBridge Scheduler expression: rate(1 day), rate(12 hours) (singular unit for 1, plural above) or cron with six fields, e.g. cron(0 6 * * ? *)',
          })
          .default('rate(1 day)'),
      })
      .default({ enabled: true, schedule: 'rate(1 day)' }),
    attributeMapping: z
      .object({
        /** "api": write the mapping through IAM Identity Center's console API; "manual": publish it and wait for an operator. */
        mode: z.enum(['api', 'manual']).default('api'),
        subject: z
          .object({
            source: z.string().min(1).default('${user:email}'),
            nameIdFormat: z.string().min(1).default(EMAIL_NAME_ID_FORMAT),
          })
          .default({ source: '${user:email}', nameIdFormat: EMAIL_NAME_ID_FORMAT }),
        /** Attributes besides the Role attribute, which the pipeline always sets to `<role ARN>,<provider ARN>`. */
        attributes: z
          .record(z.string().min(1), z.string().min(1))
          .default({ [ROLE_SESSION_NAME_ATTRIBUTE]: '${user:email}' })
          .refine((a) => !(ROLE_ATTRIBUTE in a), { message: `must not set ${ROLE_ATTRIBUTE}: the pipeline sets it` }),
        /**
         * How long the manual mode waits for an operator, in seconds (default 24 h, at most 7 days): the execution
         * holds the profile's lock meanwhile, and the state machine's own timeout is set from this cap.
         */
        manualTimeoutSeconds: z
          .number()
          .int()
          .min(60)
          .max(MAX_MANUAL_TIMEOUT_SECONDS, { message: `must be at most ${MAX_MANUAL_TIMEOUT_SECONDS} (7 days)` })
          .default(86_400),
        /**
         * What the api mode does when the console API does not return the application's current configuration (whether
         * it ever does is not known), since a write replaces it whole: "fail" (the default) stops before writing with
         * Mapping.CurrentUnreadable; "manual" publishes the mapping and waits for an operator, as the manual mode does;
         * "overwrite" writes the pipeline's configuration whole, accepting the loss of what a person set in the console.
         * An application the execution itself created has nothing to lose and is always written.
         */
        onUnreadable: z.enum(['fail', 'manual', 'overwrite']).default('fail'),
      })
      .default({
        mode: 'api',
        subject: { source: '${user:email}', nameIdFormat: EMAIL_NAME_ID_FORMAT },
        attributes: { [ROLE_SESSION_NAME_ATTRIBUTE]: '${user:email}' },
        manualTimeoutSeconds: 86_400,
        onUnreadable: 'fail',
      }),
  })
  .strict()
  // Amazon Connect federates only into roles of the instance's own account.
  .refine((p) => p.account === undefined || p.policy.connectInstanceArn === undefined || p.policy.connectInstanceArn.split(':')[4] === p.account, {
    message: "names another account than its Connect instance: the provider, role and policy must live in the instance's account",
    path: ['account'],
  });

/** `admin` -> `Admin`, `eu-agent` -> `EuAgent`: a profile name as it appears in the runbook's resource names. */
function titleOf(profileName: string): string {
  return profileName
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

/**
 * The names the Amazon Connect single sign-on runbook uses, so that what the pipeline makes matches the page a reader
 * follows: for `admin`, provider AmazonConnectAdminAccess, role AmazonConnectAdminAccessRole, application
 * "Amazon Connect - Admin" (the policy's default, AmazonConnectSSOPolicy, is the runbook's for every profile).
 */
function runbookNames(profileName: string): { identityProvider: string; role: string; applicationDisplayName: string } {
  const title = titleOf(profileName);
  return {
    identityProvider: `AmazonConnect${title}Access`,
    role: `AmazonConnect${title}AccessRole`,
    applicationDisplayName: `Amazon Connect - ${profileName
      .split('-')
      .map((word) => titleOf(word))
      .join(' ')}`,
  };
}

/** Whether a profile's name says it is for agents. */
function accessOf(profileName: string): 'admin' | 'agent' {
  return /(?:^|-)agents?(?:-|$)/.test(profileName) ? 'agent' : 'admin';
}

/**
 * The relay state Amazon Connect documents for SAML sign-in ("Configure SAML with IAM for Amazon Connect"): the
 * instance's federation URL on the console host of its region, and for agents the softphone as destination. Undefined
 * when the ARN is not a Connect instance or its partition publishes no console host.
 */
function connectRelayState(connectInstanceArn: string, access: 'admin' | 'agent'): string | undefined {
  const match = /^arn:[^:]+:connect:([a-z0-9-]+):\d{12}:instance\/([0-9a-f-]{36})$/.exec(connectInstanceArn);
  if (!match) return undefined;
  const [, region, instanceId] = match as unknown as [string, string, string];
  const host = partitionOfRegion(region).consoleHost?.(region);
  if (!host) return undefined;
  const base = `https://${host}/connect/federate/${instanceId}`;
  return access === 'agent' ? `${base}?destination=${encodeURIComponent('/ccp-v2/softphone')}` : base;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Fills what a profile may leave out with what follows from its name and its Connect instance (runbookNames,
 * accessOf, connectRelayState); anything the profile sets is kept as it is, and anything malformed is left for the
 * schema to name.
 */
function withRunbookDefaults(profiles: unknown): unknown {
  if (!isRecord(profiles)) return profiles;
  return Object.fromEntries(
    Object.entries(profiles).map(([name, raw]) => {
      if (!isRecord(raw)) return [name, raw];
      const names = runbookNames(name);
      const identityProvider = raw.identityProvider === undefined ? {} : raw.identityProvider;
      const role = raw.role === undefined ? {} : raw.role;
      const application = raw.application === undefined ? {} : raw.application;
      const access = raw.access ?? accessOf(name);
      const policy = isRecord(raw.policy) ? raw.policy : undefined;
      // A missing policy block reads as an empty one, so the message says what to set in it.
      const relayState =
        raw.relayState ??
        (typeof policy?.connectInstanceArn === 'string' && (access === 'admin' || access === 'agent')
          ? connectRelayState(policy.connectInstanceArn, access)
          : undefined);
      return [
        name,
        {
          ...raw,
          identityProvider: isRecord(identityProvider) ? { name: names.identityProvider, ...identityProvider } : identityProvider,
          role: isRecord(role) ? { name: names.role, ...role } : role,
          application:
            isRecord(application) && application.arn === undefined && application.displayName === undefined
              ? {
                  ...application,
                  // An application to create is looked up by the name it is created with.
                  displayName:
                    isRecord(application.create) && typeof application.create.displayName === 'string'
                      ? application.create.displayName
                      : names.applicationDisplayName,
                }
              : application,
          access,
          policy: raw.policy === undefined ? {} : raw.policy,
          ...(relayState === undefined ? {} : { relayState }),
        },
      ];
    }),
  );
}

const FederationConfigSchema = z
  .object({
    /** Names the pipeline in tags and notifications. */
    pipelineName: z
      .string()
      .regex(/^[\w.:/=+@-]{1,64}$/, { message: 'must be 1-64 characters usable in an IAM tag value' })
      .default('saml-federation'),
    /** "Apply every profile" (the fleet state machine): how many profiles' executions run at once in one account. */
    fleet: z
      .object({
        /**
         * Executions side by side in one account (each account runs apart from the others). IAM throttles writes per
         * account; the steps retry a throttled call within the function, so this only bounds how many executions wait
         * on one account's write rate at a time.
         */
        concurrencyPerAccount: z.number().int().min(1).max(40).default(10),
      })
      .strict()
      .default({ concurrencyPerAccount: 10 }),
    profiles: z
      .preprocess(withRunbookDefaults, z.record(z.string(), ProfileSchema))
      .superRefine((profiles, ctx) => {
        // Checked apart from the record's own key check, so the message says what a name may be.
        for (const name of Object.keys(profiles)) {
          const result = ProfileNameSchema.safeParse(name);
          if (!result.success) ctx.addIssue({ code: 'custom', path: [name], message: `profile name "${name}" ${result.error.issues[0]?.message}` });
        }
      })
      .refine((p) => Object.keys(p).length > 0, { message: 'define at least one profile' })
      .superRefine((profiles, ctx) => {
        for (const issue of sharedNameConflicts(profiles)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
      }),
  })
  .strict();

/**
 * What a provider, role or policy that two profiles name becomes: the same IAM object, written by both. Its content is
 * what each profile would make of it (a provider's metadata comes from the profile's application or pinned issuer; a
 * role's trust comes from the profile's provider); two profiles that would make it differently overwrite each other.
 */
const SHARED_CONTENT: Record<'identityProvider' | 'role' | 'policy', { name: (p: Profile) => string; content: (p: Profile) => unknown }> = {
  identityProvider: {
    name: (p) => p.identityProvider.name,
    content: (p) => ({ ...p.identityProvider, application: p.application }),
  },
  role: {
    name: (p) => `${p.role.path}${p.role.name}`,
    content: (p) => ({ ...p.role, trusts: p.identityProvider.name }),
  },
  policy: {
    name: (p) => (p.policy.connectInstanceArn === undefined ? '' : p.policy.name),
    content: (p) => ({ connectInstanceArn: p.policy.connectInstanceArn, adopt: p.policy.adopt }),
  },
};

function sharedNameConflicts(profiles: Record<string, Profile>): Array<{ path: string[]; message: string }> {
  const issues: Array<{ path: string[]; message: string }> = [];
  for (const [kind, { name, content }] of Object.entries(SHARED_CONTENT)) {
    const first = new Map<string, [string, string]>();
    for (const [profile, settings] of Object.entries(profiles)) {
      // The same name in two accounts names two objects.
      const key = name(settings);
      if (key === '') continue;
      const where = settings.account === undefined ? key : `${key} in account ${settings.account}`;
      const seen = first.get(where);
      const text = JSON.stringify(content(settings));
      if (!seen) first.set(where, [profile, text]);
      else if (seen[1] !== text) {
        issues.push({
          path: [profile, kind, 'name'],
          message: `profiles ${seen[0]} and ${profile} both name ${kind} "${where}" (profiles.${seen[0]}.${kind}.name) but would make it differently (${describeDifference(JSON.parse(seen[1]), JSON.parse(text))}); give one of them its own name, or make their settings the same`,
        });
      }
    }
  }
  return issues;
}

function describeDifference(a: Record<string, unknown>, b: Record<string, unknown>): string {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]));
  return keys.map((key) => `${key}: ${JSON.stringify(a[key]) ?? 'unset'} vs ${JSON.stringify(b[key]) ?? 'unset'}`).join(', ');
}

export type ProfileInput = z.input<typeof ProfileSchema>;
export type Profile = z.output<typeof ProfileSchema>;
export type FederationConfigInput = z.input<typeof FederationConfigSchema>;
export type FederationConfig = z.output<typeof FederationConfigSchema>;
/** A profile with its name, as Intake puts it into the execution document. */
export type ResolvedProfile = Profile & { name: string };

function describeIssues(error: z.ZodError, root: string, input: unknown): string {
  return error.issues
    .map((issue) => {
      const path = [root, ...issue.path.map(String)].join('.');
      const value = valueAt(input, issue.path);
      const got = value === undefined ? '' : ` (got ${JSON.stringify(value)})`;
      return `${path}: ${issue.message}${got}`;
    })
    .join('; ');
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/**
 * Validates the pipeline configuration (cdk.json context `samlFederation`, or the PROFILES environment variable of a
 * function). Accepts the object or its JSON text, because `cdk -c key=value` passes strings.
 */
export function parseFederationConfig(input: unknown, source = 'samlFederation'): FederationConfig {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      throw new ConfigInvalidError(`${source}: is not valid JSON (${(error as Error).message})`, { cause: error });
    }
  }
  const result = FederationConfigSchema.safeParse(value);
  if (!result.success) {
    throw new ConfigInvalidError(describeIssues(result.error, source, value), { cause: result.error });
  }
  return result.data;
}

/** Validates one resolved profile as it travels in the execution document. */
export function parseResolvedProfile(input: unknown): ResolvedProfile {
  const name = ProfileNameSchema.safeParse((input as { name?: unknown } | null)?.name);
  const { name: _ignored, ...rest } = (input ?? {}) as Record<string, unknown>;
  const result = ProfileSchema.safeParse(rest);
  if (!name.success || !result.success) {
    const problems = [
      ...(name.success ? [] : [describeIssues(name.error, 'profile.name', (input as { name?: unknown } | null)?.name)]),
      ...(result.success ? [] : [describeIssues(result.error, 'profile', rest)]),
    ];
    throw new ConfigInvalidError(problems.join('; '));
  }
  return { ...result.data, name: name.data };
}

/** The configured profile of that name, with its name; a name the configuration lacks is the caller's bug. */
export function profileNamed(config: FederationConfig, name: string): ResolvedProfile {
  const profile = config.profiles[name];
  if (profile === undefined)
    throw new ConfigInvalidError(`profile "${name}" is not configured; known profiles: ${Object.keys(config.profiles).join(', ')}`);
  return { ...profile, name };
}
