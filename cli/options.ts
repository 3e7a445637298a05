import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type FederationConfig, parseFederationConfig } from '../lambdas/shared/profile';
import { CliUsageError } from './errors';

/** Where a command prints, and what it runs in: tests drive the CLI in process with their own. */
export interface CliIo {
  print(line: string): void;
  /** Errors and usage messages (stderr); print when absent. */
  error?(line: string): void;
  cwd: string;
  /** Whether the output is a terminal (colours only then). */
  isTTY?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** A command's options by their kebab-case names, global ones included. */
export type Values = Record<string, string | boolean | undefined>;

/** What a command answers: its exit code, and what --json prints. */
export type CommandResult = { code: number; json: unknown };

/** One exit-code scheme for every command (documented in --help). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export const EXIT_CODES_HELP = `
Exit codes: 0 the command succeeded; 1 it ran and failed (an execution failed, a check did not pass); 2 usage (an
unknown option, a missing or unreadable file, an unknown profile, an invalid configuration).
AWS settings: --region and --profile-name as the AWS CLI's --region and --profile; otherwise the SDK's default chain
(AWS_REGION, AWS_PROFILE, ~/.aws/config). Colours only on a terminal, never with NO_COLOR set.`;

/** The profiles the CLI runs with: cdk.json's `samlFederation` context, as the stack reads it. */
function loadConfig(path: string): FederationConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf-8');
  } catch {
    throw new CliUsageError(`--config ${path}: no such file; give the cdk.json that holds context.samlFederation`);
  }
  let json: { context?: { samlFederation?: unknown } };
  try {
    json = JSON.parse(text) as typeof json;
  } catch (error) {
    throw new CliUsageError(`--config ${path}: not JSON (${(error as Error).message})`);
  }
  return parseFederationConfig(json.context?.samlFederation, `${path}: context.samlFederation`);
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf-8')) as { version: string }).version;
}

/** The repository the CLI belongs to (this file is cli/main.ts). */
const REPOSITORY_ROOT = resolve(__dirname, '..');

/** The nearest cdk.json from `cwd` upwards, else the repository's: the CLI works from any folder of the repository. */
function defaultConfigPath(cwd: string): string {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'cdk.json'))) return join(dir, 'cdk.json');
    if (dirname(dir) === dir) return join(REPOSITORY_ROOT, 'cdk.json');
  }
}

/** The configuration a command runs with: --config, or the nearest cdk.json. */
export function configOf(values: Values, io: Pick<CliIo, 'cwd'>): FederationConfig {
  return loadConfig((values.config as string | undefined) ?? defaultConfigPath(io.cwd));
}

/** Commander's camelCase options as the kebab-case names the commands read. */
export function valuesOf(options: Record<string, unknown>, globals: Record<string, unknown>): Values {
  const values: Values = {};
  for (const [key, value] of Object.entries({ ...globals, ...options }))
    values[key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)] = value as string | boolean | undefined;
  return values;
}
