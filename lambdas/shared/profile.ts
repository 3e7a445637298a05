import type { z } from 'zod';
import { FederationConfigSchema } from './config-schema';
import { ConfigInvalidError } from './errors';
import { type Profile, ProfileNameSchema, ProfileSchema } from './profile-schema';

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
