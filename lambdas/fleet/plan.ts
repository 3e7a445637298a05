import { z } from 'zod';
import type { FederationConfig } from '../shared/profile';
import { iamAccountOf } from '../shared/target-account';
import { FleetRequestInvalidError } from './errors';

/** The fleet's input: every profile (`{}`), or those named. */
const FleetRequestSchema = z
  .object({
    profiles: z.array(z.string()).min(1).optional(),
    dryRun: z.boolean().optional(),
  })
  .strict();

export interface FleetPlan {
  /** One group per account whose IAM the profiles change; the groups run side by side. */
  accounts: Array<{
    account: string;
    /** How many of the group's executions run at once (the Map's MaxConcurrencyPath). */
    concurrency: number;
    profiles: Array<{ profile: string; account: string; dryRun: boolean }>;
  }>;
}

/**
 * Groups the profiles by the account their IAM resources live in: each account's executions run at most
 * `fleet.concurrencyPerAccount` at a time, so one account's write throttle is shared by that many executions only,
 * while other accounts go on beside it. Each profile runs as its own execution, with its own lock and rollback.
 */
export function planFleet(input: unknown, config: FederationConfig, pipelineAccount: string): FleetPlan {
  const parsed = FleetRequestSchema.safeParse(input ?? {});
  if (!parsed.success)
    throw new FleetRequestInvalidError(
      `the fleet takes {} or {"profiles": ["<name>", ...], "dryRun": true|false}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`,
    );
  const names = parsed.data.profiles ?? Object.keys(config.profiles);
  const unknown = names.filter((name) => !Object.hasOwn(config.profiles, name));
  if (unknown.length > 0)
    throw new FleetRequestInvalidError(
      `unknown profile(s) ${unknown.join(', ')}; the configuration defines: ${Object.keys(config.profiles).join(', ')}`,
    );
  const byAccount = new Map<string, string[]>();
  for (const name of new Set(names)) {
    const account = iamAccountOf(config.profiles[name] ?? {}, pipelineAccount);
    byAccount.set(account, [...(byAccount.get(account) ?? []), name]);
  }
  return {
    accounts: [...byAccount].map(([account, profiles]) => ({
      account,
      concurrency: Math.min(profiles.length, config.fleet.concurrencyPerAccount),
      profiles: profiles.map((profile) => ({ profile, account, dryRun: parsed.data.dryRun ?? false })),
    })),
  };
}
