import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { ExecutionDocument } from '../lambdas/shared/document';
import { type FederationConfig, parseFederationConfig, ROLE_ATTRIBUTE } from '../lambdas/shared/profile';
import { targetRoleName } from '../lambdas/shared/target-account';
import { STEPS, type Step } from '../lambdas/steps';
import { describeFailure, startAndFollow } from './deployed';
import { runLocalFleet } from './fleet-runner';
import { liveServices } from './live-services';
import { type LocalExecutionResult, type LocalServices, runLocalExecution, type TimelineEntry } from './runner';
import type { SimulatedAccount } from './simulated-account';
import { accountForConfig, simulatedServices } from './simulated-services';
import { confirmMapping, rejectMapping } from './task-token';

export interface CliIo {
  print(line: string): void;
  cwd: string;
}

const USAGE = `usage: saml-federation <command> [options]

  run --metadata <file> --profile <name> [--dry-run] [--config <cdk.json>]
      Executes statemachine/federation.asl.json locally over a simulated AWS account (default) and prints each state,
      what each step did, the resulting ARNs and the attribute mapping.
      --live --bucket <bucket>   the same steps against the account of the current AWS credentials (no deploy);
                                 the metadata is uploaded to <bucket> under metadata/<profile>/
  run --from-application --profile <name> [--dry-run] [--twice] [--config <cdk.json>]
      The same, with no file: the execution fetches the metadata from the profile's IAM Identity Center application.
      --twice runs a second execution after the first, which finds everything in place and changes nothing.
  run ... --account <12-digit id>
      The profile's provider, role and policy go to that account (profiles.<name>.account), reached through the
      target stack's roles; locally the account joins the simulated organization with those roles deployed.
  fleet [--profiles <a,b,...>] [--dry-run] [--config <cdk.json>]
      Applies every profile (or those named) as statemachine/fleet.asl.json does: one execution per profile, accounts
      side by side, at most fleet.concurrencyPerAccount at once in one account; prints what each came to.
  start --state-machine-arn <arn> --bucket <bucket> --key <key> [--version-id <id>] [--dry-run]
      Starts an execution of the deployed state machine and follows it to the end.
  confirm <task-token>
      Confirms the manual attribute mapping (SendTaskSuccess).
  reject <task-token> --reason "<why>"
      Rejects it (SendTaskFailure); the execution rolls back.`;

/** The profiles the CLI runs with: cdk.json's `samlFederation` context, as the stack reads it. */
export function loadConfig(path: string): FederationConfig {
  const json = JSON.parse(readFileSync(path, 'utf-8')) as { context?: { samlFederation?: unknown } };
  return parseFederationConfig(json.context?.samlFederation, `${path}: context.samlFederation`);
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** Prints one line per state as the execution runs: entered states, retries, caught errors. */
function timelinePrinter(print: (line: string) => void, started: number): (entry: TimelineEntry) => void {
  return (entry) => {
    const at = `${((Date.now() - started) / 1000).toFixed(3).padStart(7)}s`;
    if (entry.event === 'entered') print(`${at}  → ${entry.state}`);
    else if (entry.event === 'retried') print(`${at}      ↻ retry ${(entry.attempt ?? 0) + 1}`);
    else if (entry.event === 'failed') print(`${at}      ✗ ${entry.error}: ${String(entry.cause ?? '').split('\n')[0]}`);
    else if (entry.event === 'exited') {
      const receipt = receiptIn(entry.state, entry.output);
      if (receipt) {
        print(`${at}      ${receipt.action}: ${receipt.arn}`);
        for (const change of receipt.changes ?? []) print(`${' '.repeat(14)}- ${change}`);
      }
    }
  };
}

/** Task state name -> the step it runs and where its result lands in the execution document. */
const STATE_STEP = new Map<string, [Step, 'receipts' | 'reverts']>(
  STEPS.flatMap(
    (step): Array<[string, [Step, 'receipts' | 'reverts']]> => [
      [step.apply.state, [step, 'receipts']],
      [step.revert.state, [step, 'reverts']],
    ],
  ),
);

function receiptIn(state: string, output: unknown): { action: string; arn: string; changes?: string[] } | undefined {
  const where = STATE_STEP.get(state);
  if (!where) return undefined;
  const [step, field] = where;
  const found = (output as Partial<Pick<ExecutionDocument, 'receipts' | 'reverts'>> | undefined)?.[field]?.[step.name] as
    | { action: string; arn?: string; changes?: string[] }
    | undefined;
  return found ? { action: found.action, arn: found.arn ?? step.label, changes: found.changes } : undefined;
}

function summarize(result: LocalExecutionResult, print: (line: string) => void, account?: SimulatedAccount): void {
  print('');
  if (result.status === 'SUCCEEDED') {
    const receipts = result.output?.receipts ?? {};
    print(result.output?.request.dryRun ? 'Result: SUCCEEDED (dry run: the plan above; nothing was changed)' : 'Result: SUCCEEDED');
    for (const step of STEPS) {
      const receipt = receipts[step.name];
      if (receipt) print(`  ${pad(`${step.label}:`, 20)} ${pad(receipt.action, 21)} ${receipt.arn}`);
    }
    const roleArn = receipts.role?.arn;
    const providerArn = receipts.identityProvider?.arn;
    if (roleArn && providerArn) print(`  ${ROLE_ATTRIBUTE} = ${roleArn},${providerArn}`);
    const details = receipts.attributeMapping?.details as { relayState?: string; relayStateStatus?: string; mode?: string } | undefined;
    if (details?.relayState) {
      const status =
        details.mode === 'manual'
          ? 'to set by hand in IAM Identity Center: manual mode'
          : result.output?.request.dryRun
            ? 'would be written with the mapping and read back'
            : details.relayStateStatus === 'not confirmed'
              ? 'NOT CONFIRMED: check or set it by hand in IAM Identity Center, see the receipt'
              : (details.relayStateStatus ?? 'written');
      print(`  Relay state: ${details.relayState} (${status})`);
    }
    for (const warning of result.output?.metadata.warnings ?? []) print(`  warning: ${warning}`);
  } else {
    print(`Result: FAILED ${result.error}`);
    for (const line of describeFailure(result.error, result.cause)) print(`  ${line}`);
  }
  if (account) {
    const mutating = account.calls.filter((c) => c.mutating && c.service !== 'dynamodb').length;
    print(
      `  ${result.stateTransitions} state transitions; ${account.calls.length} simulated AWS calls, ${mutating} of them changes (lock table excluded)`,
    );
    for (const other of account.accountIds) {
      const there = account.calls.filter((c) => c.account === other);
      if (there.length > 0)
        print(
          `  of them in account ${other}: ${there.length} IAM calls through assumed roles, ${there.filter((c) => c.mutating).length} changes; ` +
            `${account.calls.filter((c) => c.service === 'sts').length} AssumeRole (session name = execution name)`,
        );
    }
  }
}

async function run(values: Record<string, string | boolean | undefined>, io: CliIo): Promise<number> {
  const metadataPath = values.metadata as string | undefined;
  const profile = values.profile as string | undefined;
  const fromApplication = values['from-application'] === true;
  if ((!metadataPath && !fromApplication) || (metadataPath && fromApplication) || !profile) {
    io.print('run needs --profile <name> and either --metadata <file> or --from-application');
    return 2;
  }
  let config = loadConfig((values.config as string | undefined) ?? `${io.cwd}/cdk.json`);
  if (!(profile in config.profiles)) {
    io.print(`unknown profile "${profile}"; the configuration defines: ${Object.keys(config.profiles).join(', ')}`);
    return 2;
  }
  const targetAccount = values.account as string | undefined;
  if (targetAccount !== undefined) {
    if (!/^\d{12}$/.test(targetAccount)) {
      io.print(`--account must be a 12-digit AWS account id (got "${targetAccount}")`);
      return 2;
    }
    const moved = withTargetAccount(config, profile, targetAccount, values.live !== true);
    if (typeof moved === 'string') {
      io.print(moved);
      return 2;
    }
    const before = config.profiles[profile]?.policy.connectInstanceArn;
    config = moved;
    const after = config.profiles[profile]?.policy.connectInstanceArn;
    if (before !== after) io.print(`The simulated Connect instance of profile ${profile} lives in account ${targetAccount}: ${after}`);
  }
  let services: LocalServices;
  let account: SimulatedAccount | undefined;
  if (values.live && config.profiles[profile]?.account !== undefined) {
    io.print(
      `run --live cannot work in account ${config.profiles[profile]?.account}: the target roles there trust only the deployed pipeline's function roles, ` +
        'not your credentials. Start the deployed state machine instead (saml-federation start), or try the profile locally without --live.',
    );
    return 2;
  }
  if (values.live) {
    const bucket = values.bucket as string | undefined;
    if (!bucket) {
      io.print('--live needs --bucket <bucket>: the metadata is uploaded there so the steps can read it by version');
      return 2;
    }
    services = await liveServices(bucket, io.print);
    io.print(`Live run against account ${services.environment.account} (${services.environment.region}) with the current credentials.`);
  } else {
    try {
      account = accountForConfig(config);
    } catch (error) {
      if ((error as Error).name !== 'Config.Invalid') throw error;
      io.print((error as Error).message);
      return 2;
    }
    services = simulatedServices(account);
    io.print(`Local run over a simulated account ${account.account} (${account.region}); no AWS call leaves this process.`);
    const target = config.profiles[profile]?.account;
    if (target !== undefined)
      io.print(
        `Profile ${profile}'s provider, role and policy go to account ${target} of the simulated organization, through its roles ` +
          `${targetRoleName(config.pipelineName, 'apply')} and ${targetRoleName(config.pipelineName, 'revert')}; IAM Identity Center stays in ${account.account}.`,
      );
  }
  const dryRun = values['dry-run'] === true;
  let input: object;
  if (metadataPath) {
    const key = `metadata/${profile}/${basename(metadataPath)}`;
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const put = await services.clients.s3.send(
      new PutObjectCommand({ Bucket: services.environment.bucket, Key: key, Body: readFileSync(metadataPath) }),
    );
    input = { bucket: services.environment.bucket, key, versionId: put.VersionId, dryRun };
    // Count only what the execution does, not the upload that stands in for the administrator's.
    account?.clearCalls();
    io.print(
      `Uploaded ${metadataPath} to s3://${services.environment.bucket}/${key} (version ${put.VersionId}); execution input: ${JSON.stringify(input)}`,
    );
  } else {
    input = { profile, ...(dryRun ? { dryRun } : {}) };
    io.print(
      `Nothing uploaded: the execution fetches profile ${profile}'s metadata from its IAM Identity Center application; execution input: ${JSON.stringify(input)}`,
    );
  }
  const runs = values.twice === true ? 2 : 1;
  let status = 0;
  for (let run = 1; run <= runs; run += 1) {
    if (run > 1) {
      account?.clearCalls();
      io.print(
        values['dry-run'] === true
          ? '\nSecond execution with the same input (a dry run again: it plans the same, as nothing was changed).'
          : '\nSecond execution with the same input: everything is in place, so it should change nothing.',
      );
    }
    status = Math.max(status, await runOnce(services, config, input, values, io, account));
  }
  return status;
}

/**
 * The configuration with the profile's IAM resources in `account`. Amazon Connect federates only into roles of its
 * instance's own account, so the instance ARN must name it: a local run takes the example's instance to live there
 * (and says so); a live run refuses, since the instance is a fact of the real account.
 */
function withTargetAccount(config: FederationConfig, profile: string, account: string, local: boolean): FederationConfig | string {
  const settings = config.profiles[profile];
  if (!settings) return `unknown profile "${profile}"`;
  const instance = settings.policy.connectInstanceArn;
  const instanceAccount = instance?.split(':')[4];
  if (instance && instanceAccount !== account && !local)
    return `--account ${account}: profile ${profile}'s Connect instance (${instance}) is in account ${instanceAccount}; set policy.connectInstanceArn to the instance in ${account}`;
  const policy =
    instance && instanceAccount !== account
      ? { ...settings.policy, connectInstanceArn: instance.replace(`:${instanceAccount}:`, `:${account}:`) }
      : settings.policy;
  return parseFederationConfig({ ...config, profiles: { ...config.profiles, [profile]: { ...settings, account, policy } } });
}

/** `fleet`: the fleet state machine over the simulated organization, every profile's account in it. */
async function fleet(values: Record<string, string | boolean | undefined>, io: CliIo): Promise<number> {
  const config = loadConfig((values.config as string | undefined) ?? `${io.cwd}/cdk.json`);
  const profiles =
    typeof values.profiles === 'string'
      ? values.profiles
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean)
      : undefined;
  const organization = accountForConfig(config);
  const accounts = [organization.account, ...organization.accountIds];
  io.print(`Local fleet run over a simulated organization (${accounts.join(', ')}); no AWS call leaves this process.`);
  const result = await runLocalFleet({
    services: simulatedServices(organization),
    config,
    input: { ...(profiles ? { profiles } : {}), ...(values['dry-run'] === true ? { dryRun: true } : {}) },
    child: { retryIntervalMs: 0 },
    onChild: (child) => io.print(`  ${child.executionName}: ${child.status}${child.error ? ` ${child.error}` : ''}`),
  });
  io.print('');
  if (result.report) for (const line of result.report.message.split('\n')) io.print(line);
  if (result.status !== 'SUCCEEDED') io.print(`Fleet: FAILED ${result.error}${result.report ? '' : `: ${result.cause}`}`);
  return result.status === 'SUCCEEDED' ? 0 : 1;
}

async function runOnce(
  services: LocalServices,
  config: FederationConfig,
  input: object,
  values: Record<string, string | boolean | undefined>,
  io: CliIo,
  account: SimulatedAccount | undefined,
): Promise<number> {
  io.print('');
  const notificationsBefore = account?.notifications.messages.length ?? 0;
  const result = await runLocalExecution({
    services,
    config,
    input,
    retryIntervalMs: values.live ? undefined : 0,
    onEvent: timelinePrinter(io.print, Date.now()),
    operator: async (message) => {
      io.print(`\n[operator] ${values.live ? 'Waiting for you' : 'The simulated operator confirms'}: ${message.split('\n')[0]}`);
      return { confirmed: true };
    },
  });
  summarize(result, io.print, account);
  if (account) {
    for (const n of account.notifications.messages.slice(notificationsBefore)) io.print(`  notification: ${n.subject}`);
  }
  return result.status === 'SUCCEEDED' ? 0 : 1;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      metadata: { type: 'string' },
      profile: { type: 'string' },
      profiles: { type: 'string' },
      account: { type: 'string' },
      config: { type: 'string' },
      'dry-run': { type: 'boolean' },
      'from-application': { type: 'boolean' },
      twice: { type: 'boolean' },
      live: { type: 'boolean' },
      bucket: { type: 'string' },
      key: { type: 'string' },
      'version-id': { type: 'string' },
      'state-machine-arn': { type: 'string' },
      reason: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (!command || values.help || ['help', '--help', '-h'].includes(command)) {
    io.print(USAGE);
    return command ? 0 : 2;
  }
  switch (command) {
    case 'run':
      return run(values, io);
    case 'fleet':
      return fleet(values, io);
    case 'start': {
      const stateMachineArn = values['state-machine-arn'];
      if (!stateMachineArn || !values.bucket || !values.key) {
        io.print('start needs --state-machine-arn, --bucket and --key (the stack outputs show them)');
        return 2;
      }
      const outcome = await startAndFollow(
        new SFNClient({}),
        stateMachineArn,
        { bucket: values.bucket, key: values.key, versionId: values['version-id'], dryRun: values['dry-run'] === true },
        io.print,
      );
      io.print(`${outcome.status}${outcome.error ? ` ${outcome.error}: ${describeFailure(outcome.error, outcome.cause).join(' ')}` : ''}`);
      return outcome.status === 'SUCCEEDED' ? 0 : 1;
    }
    case 'confirm':
    case 'reject': {
      const token = positionals[0];
      if (!token) {
        io.print(`${command} needs the task token from the notification`);
        return 2;
      }
      if (command === 'confirm') {
        await confirmMapping(new SFNClient({}), token);
        io.print('Confirmed: the execution goes on.');
      } else {
        if (!values.reason) {
          io.print('reject needs --reason "<why>": it is recorded in the execution history');
          return 2;
        }
        await rejectMapping(new SFNClient({}), token, values.reason);
        io.print('Rejected: the execution rolls back.');
      }
      return 0;
    }
    default:
      io.print(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}
