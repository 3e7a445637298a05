import { z } from 'zod';
import { type Profile, ProfileNameSchema, ProfileSchema } from './profile-schema';
import { withRunbookDefaults } from './runbook-names';

export const FederationConfigSchema = z
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
