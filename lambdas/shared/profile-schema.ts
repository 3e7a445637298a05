import { z } from 'zod';

/** The attribute Amazon Connect (and the AWS console) reads to pick the role and provider. */
export const ROLE_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/Role';
/** The attributes AWS sign-in reads, by their short names (which are not attribute names). */
const AWS_SAML_ATTRIBUTES = ['Role', 'RoleSessionName', 'SessionDuration', 'PrincipalTag', 'TransitiveTagKeys', 'SourceIdentity'];

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

export const ProfileNameSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, { message: 'must be 1-32 lowercase letters, digits or hyphens' });

export const ProfileSchema = z
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
      // An application belongs to one Identity Center instance: its ARN names it (application/<ssoins-id>/apl-<id>).
      .refine((a) => a.arn === undefined || a.instanceArn === undefined || a.arn.split('/')[1] === a.instanceArn.split('/')[1], {
        message:
          'arn names an application of another IAM Identity Center instance than instanceArn (application/<instance id>/apl-<id>): fix one of them',
        path: ['arn'],
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
    /**
     * The Amazon Connect users of the people the profile assigns (its users and its groups' members): each needs a
     * Connect user named as the session name the mapping sends. The step checks them always (for a profile with
     * policy.connectInstanceArn); with `create`, it creates the missing ones with these security profiles and routing
     * profile (names, as the Connect admin website shows them), and a rollback deletes only the users it created.
     */
    connectUsers: z
      .object({
        create: z
          .object({
            securityProfiles: z
              .array(z.string().min(1).max(127))
              .min(1, { message: 'name at least one security profile' })
              .max(10, { message: 'Amazon Connect takes at most 10 security profiles' }),
            routingProfile: z.string().min(1).max(127),
          })
          .strict()
          .optional(),
      })
      .strict()
      .default({}),
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
          .refine((a) => !(ROLE_ATTRIBUTE in a), { message: `must not set ${ROLE_ATTRIBUTE}: the pipeline sets it` })
          // AWS reads only the full names: a short one would be sent as an attribute nobody reads.
          .refine((a) => !Object.keys(a).some((name) => AWS_SAML_ATTRIBUTES.includes(name)), {
            message: `names an AWS attribute by its short name: use the full name, ${AWS_SAML_ATTRIBUTES.map((name) => `https://aws.amazon.com/SAML/Attributes/${name}`).join(' or ')}`,
          }),
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
  .refine((p) => p.connectUsers.create === undefined || p.policy.connectInstanceArn !== undefined, {
    message: 'creates Connect users: set policy.connectInstanceArn, the instance they are created in',
    path: ['connectUsers', 'create'],
  })
  // Amazon Connect federates only into roles of the instance's own account.
  .refine((p) => p.account === undefined || p.policy.connectInstanceArn === undefined || p.policy.connectInstanceArn.split(':')[4] === p.account, {
    message: "names another account than its Connect instance: the provider, role and policy must live in the instance's account",
    path: ['account'],
  });

export type ProfileInput = z.input<typeof ProfileSchema>;
export type Profile = z.output<typeof ProfileSchema>;
