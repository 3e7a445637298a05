import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { IAMClient } from '@aws-sdk/client-iam';
import { SFNClient } from '@aws-sdk/client-sfn';
import { Command, CommanderError } from 'commander';
import { STACK_NAME, stackOutput } from '../infra/names';
import { MAPPING_ERROR_NAMES } from '../lambdas/identity-center/errors';
import { validateMetadata } from '../lambdas/intake/metadata';
import { awsClients } from '../lambdas/runtime/clients';
import type { ExecutionDocument } from '../lambdas/shared/document';
import { type FederationConfig, parseFederationConfig, profileNamed, type ResolvedProfile, ROLE_ATTRIBUTE } from '../lambdas/shared/profile';
import { DAILY_CHECK_KEY, functionRoleArn, targetRoleArn, targetRoleName } from '../lambdas/shared/target-account';
import { STEPS, type Step } from '../lambdas/steps';
import { CliUsageError } from './cli-errors';
import { describeFailure, startAndFollow } from './deployed';
import { undoDeployedExecution } from './deployed-undo';
import { doctor, doctorClients } from './doctor';
import { runLocalFleet } from './fleet-runner';
import { currentAccount, liveServices } from './live-services';
import { planRows, planTable } from './plan';
import { type LocalExecutionResult, type LocalServices, runLocalExecution, type TimelineEntry } from './runner';
import type { SimulatedAccount } from './simulated-account';
import { accountForConfig, simulatedServices } from './simulated-services';
import { type ProfileStatus, profileStatus, type StatusDeps } from './status';
import { confirmMapping, rejectMapping } from './task-token';

export interface CliIo {
  print(line: string): void;
  /** Errors and usage messages (stderr); print when absent. */
  error?(line: string): void;
  cwd: string;
  /** Whether the output is a terminal (colours only then). */
  isTTY?: boolean;
  env?: NodeJS.ProcessEnv;
}

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
    print(result.output?.request.dryRun ? 'Result: SUCCEEDED (dry run: nothing was changed)' : 'Result: SUCCEEDED');
    if (result.output?.request.dryRun) for (const line of planTable(result.output)) print(line);
    for (const step of STEPS) {
      const receipt = receipts[step.name];
      // A manual mapping the run waited for and the operator confirmed is done, not pending any more.
      if (!receipt) continue;
      const action = receipt.action === 'pending-confirmation' && !result.output?.request.dryRun ? 'confirmed by operator' : receipt.action;
      print(`  ${pad(`${step.label}:`, 20)} ${pad(action, 21)} ${receipt.arn}`);
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
    // Changes to the account's resources: the pipeline's own lock, records and bucket (its copy of fetched metadata) aside.
    const mutating = account.calls.filter((c) => c.mutating && !['dynamodb', 'records', 's3'].includes(c.service)).length;
    print(
      `  ${result.stateTransitions} state transitions; ${account.calls.length} simulated AWS calls, ${mutating} of them changes (the pipeline's lock, records and bucket excluded)`,
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

async function run(values: Record<string, string | boolean | undefined>, io: CliIo): Promise<number | { code: number; json: unknown }> {
  const metadataPath = values.metadata as string | undefined;
  const profile = values.profile as string | undefined;
  const fromApplication = values['from-application'] === true;
  if ((!metadataPath && !fromApplication) || (metadataPath && fromApplication) || !profile) {
    throw new CliUsageError('run needs --profile <name> and either --metadata <file> or --from-application');
  }
  let config = configOf(values, io);
  if (!(profile in config.profiles)) {
    throw new CliUsageError(`unknown profile "${profile}"; the configuration defines: ${Object.keys(config.profiles).join(', ')}`);
  }
  const targetAccount = values.account as string | undefined;
  if (targetAccount !== undefined) {
    if (!/^\d{12}$/.test(targetAccount)) {
      throw new CliUsageError(`--account must be a 12-digit AWS account id (got "${targetAccount}")`);
    }
    const moved = withTargetAccount(config, profile, targetAccount, values.live !== true);
    if (typeof moved === 'string') {
      throw new CliUsageError(moved);
    }
    const before = config.profiles[profile]?.policy.connectInstanceArn;
    config = moved;
    const after = config.profiles[profile]?.policy.connectInstanceArn;
    if (before !== after) io.print(`The simulated Connect instance of profile ${profile} lives in account ${targetAccount}: ${after}`);
  }
  let services: LocalServices;
  let account: SimulatedAccount | undefined;
  if (values.live && config.profiles[profile]?.account !== undefined) {
    throw new CliUsageError(
      `run --live cannot work in account ${config.profiles[profile]?.account}: the target roles there trust only the deployed pipeline's function roles, ` +
        'not your credentials. Start the deployed state machine instead (saml-federation start), or try the profile locally without --live.',
    );
  }
  // Refused before anything runs when it cannot be the metadata: missing, a folder, not XML.
  const body = metadataPath ? readMetadataFile(resolve(io.cwd, metadataPath), metadataPath) : undefined;
  if (values.live) {
    const bucket = values.bucket as string | undefined;
    if (!bucket) throw new CliUsageError('--live needs --bucket <bucket>: the metadata is uploaded there so the steps can read it by version');
    services = await liveServices(bucket, io.print);
    io.print(`Live run against account ${services.environment.account} (${services.environment.region}) with the current credentials.`);
  } else {
    try {
      // The profile's application serves the given file as its own download, as it would for the person who
      // downloaded it (Intake checks an upload against the application's own metadata).
      account = accountForConfig(config, body === undefined ? {} : { documents: { [profile]: body.toString('utf-8') } });
    } catch (error) {
      if ((error as Error).name !== 'Config.Invalid') throw error;
      throw new CliUsageError((error as Error).message);
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
  if (metadataPath && body) {
    const path = resolve(io.cwd, metadataPath);
    // Intake's own validation, before anything is uploaded: a service provider's metadata is named as such even when
    // it is smaller than IAM's minimum (Intake refuses a small object by its size alone, without reading it).
    try {
      validateMetadata(body, new Date());
    } catch (error) {
      if (!(error as Error).name.startsWith('Metadata.')) throw error;
      io.print(`--metadata ${metadataPath}: ${(error as Error).name}: ${(error as Error).message}`);
      return { code: EXIT.failed, json: { error: (error as Error).name, message: (error as Error).message } };
    }
    // Always under an .xml key, whatever the file is called: the key's form is the pipeline's, not the user's.
    const key = `metadata/${profile}/${basename(path).replace(/\.[^.]*$/, '') || 'metadata'}.xml`;
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const put = await services.clients.s3.send(new PutObjectCommand({ Bucket: services.environment.bucket, Key: key, Body: body }));
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
  const results: LocalExecutionResult[] = [];
  for (let run = 1; run <= runs; run += 1) {
    if (run > 1) {
      account?.clearCalls();
      io.print(
        values['dry-run'] === true
          ? '\nSecond execution with the same input (a dry run again: it plans the same, as nothing was changed).'
          : '\nSecond execution with the same input: everything is in place, so it should change nothing.',
      );
    }
    results.push(await runOnce(services, config, input, values, io, account));
  }
  return {
    code: results.every((result) => result.status === 'SUCCEEDED') ? EXIT.ok : EXIT.failed,
    json: { executions: results.map(executionJson) },
  };
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
async function fleet(values: Record<string, string | boolean | undefined>, io: CliIo): Promise<{ code: number; json: unknown }> {
  const config = configOf(values, io);
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
    onChild: (child) => {
      io.print(`  ${child.executionName}: ${child.status}${child.error ? ` ${child.error}` : ''}`);
      // A dry run's answer is its plan: show each profile's.
      if (child.output?.request.dryRun) for (const line of planTable(child.output)) io.print(`  ${line}`);
    },
  });
  io.print('');
  if (result.report) for (const line of result.report.message.split('\n')) io.print(line);
  if (result.status !== 'SUCCEEDED') io.print(`Fleet: FAILED ${result.error}${result.report ? '' : `: ${result.cause}`}`);
  return {
    code: result.status === 'SUCCEEDED' ? EXIT.ok : EXIT.failed,
    json: { status: result.status, ...(result.error ? { error: result.error, cause: result.cause } : {}), report: result.report },
  };
}

/**
 * The file given with --metadata, refused before anything runs when it cannot be the metadata: missing, a folder, not
 * XML at all. Its content is then validated by the execution's own Intake, as an upload would be.
 */
function readMetadataFile(path: string, given: string): Buffer {
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(path);
  } catch {
    throw new CliUsageError(
      `--metadata ${given}: no such file. Give the path of the metadata XML downloaded from IAM Identity Center (the application's "IAM Identity Center SAML metadata file").`,
    );
  }
  if (stats.isDirectory())
    throw new CliUsageError(`--metadata ${given} is a folder; give the metadata XML file itself (for example ${join(given, 'idp.xml')}).`);
  const body = readFileSync(path);
  const start = body
    .toString('utf-8', 0, 200)
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (!start.startsWith('<'))
    throw new CliUsageError(
      `--metadata ${given} is not an XML document (it starts with ${JSON.stringify(start.slice(0, 20))}); give the SAML metadata XML downloaded from IAM Identity Center.`,
    );
  return body;
}

/** `status`: each profile's resources and drift, over the live account or a simulated one after one execution each. */
async function status(values: Values, io: CliIo): Promise<{ code: number; json: unknown }> {
  const config = configOf(values, io);
  const names = typeof values.profile === 'string' ? [values.profile] : Object.keys(config.profiles);
  const unknown = names.filter((name) => !Object.hasOwn(config.profiles, name));
  if (unknown.length > 0)
    throw new CliUsageError(`unknown profile "${unknown[0]}"; the configuration defines: ${Object.keys(config.profiles).join(', ')}`);
  let deps: Omit<StatusDeps, 'iam'> & { iam: (profile: ResolvedProfile) => IAMClient | undefined };
  const lastExecutions = new Map<string, LastExecution>();
  if (values.live) {
    const environment = await currentAccount();
    const { account, region } = environment;
    const clients = awsClients({ region });
    deps = {
      ...clients,
      environment,
      now: () => new Date(),
      // A profile in another account is read only with credentials of that account.
      iam: (profile) => (profile.account === undefined || profile.account === account ? clients.iam : undefined),
    };
    io.print(`Status of account ${account} (${region}), read with the current credentials.`);
    for (const [profile, last] of await lastDeployedExecutions(names)) lastExecutions.set(profile, last);
  } else {
    const account = accountForConfig(config);
    const services = simulatedServices(account);
    for (const name of names) {
      const result = await runLocalExecution({ services, config, input: { profile: name }, retryIntervalMs: 0 });
      lastExecutions.set(name, { name: result.executionName, status: result.status, ...(result.error ? { error: result.error } : {}) });
    }
    const reader = account.clients(functionRoleArn(account.partition, account.account, config.pipelineName, DAILY_CHECK_KEY));
    deps = {
      ...reader,
      environment: services.environment,
      now: () => new Date(),
      iam: (profile) =>
        profile.account === undefined
          ? reader.iam
          : reader.iamIn({ roleArn: targetRoleArn(account.partition, profile.account, config.pipelineName, 'read'), sessionName: 'status' }),
    };
    io.print(`Local status: a simulated account after one execution of ${names.join(', ')} (nothing persists between commands).`);
  }
  const statuses: ProfileStatus[] = [];
  for (const name of names) {
    const profile = profileNamed(config, name);
    const iam = deps.iam(profile);
    if (!iam) {
      io.print(`\n${name}: its IAM lives in account ${profile.account}; run status with credentials of that account (--profile-name)`);
      continue;
    }
    const found = { ...(await profileStatus(profile, { ...deps, iam })), lastExecution: lastExecutions.get(name) };
    statuses.push(found);
    io.print(`\n${name} (account ${found.account})`);
    const last = found.lastExecution;
    io.print(
      `  last      ${last ? `${last.name}: ${last.status}${last.error ? ` ${last.error}` : ''}${last.stopDate ? ` (${last.stopDate})` : ''}` : 'no execution found'}`,
    );
    const expiry = found.provider.certificates?.map((c) => c.notAfter).sort()[0];
    io.print(`  provider  ${found.provider.exists ? found.provider.arn : 'missing'}${expiry ? `; signing certificate expires ${expiry}` : ''}`);
    io.print(
      `  role      ${found.role.exists ? `${found.role.arn}; ${found.role.trustsProvider ? 'trusts the provider' : 'does NOT trust the provider'}; max session ${found.role.maxSessionDuration} s` : 'missing'}`,
    );
    if (found.policy.arn) io.print(`  policy    ${found.policy.exists ? `${found.policy.arn} ${found.policy.defaultVersionId}` : 'missing'}`);
    io.print(`  mapping   ${found.mapping.roleAttribute?.join(' ') ?? 'no Role attribute'}`);
    io.print(found.drift.length === 0 ? '  drift     none' : `  drift     ${found.drift.join('\n            ')}`);
  }
  return { code: statuses.every((s) => s.drift.length === 0) ? EXIT.ok : EXIT.failed, json: { profiles: statuses } };
}

interface LastExecution {
  name: string;
  status: string;
  error?: string;
  stopDate?: string;
}

/**
 * Each profile's newest execution of the deployed state machine (its ARN from the stack's outputs): the 50 newest
 * executions are read, newest first, and each counts for the profile its input names (the profile, or its key's folder).
 */
async function lastDeployedExecutions(profiles: readonly string[]): Promise<Map<string, LastExecution>> {
  const found = new Map<string, LastExecution>();
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const { ListExecutionsCommand, DescribeExecutionCommand } = await import('@aws-sdk/client-sfn');
  let stateMachineArn: string | undefined;
  try {
    const stack = (await new CloudFormationClient({}).send(new DescribeStacksCommand({ StackName: STACK_NAME }))).Stacks?.[0];
    stateMachineArn = stackOutput(stack?.Outputs, 'StateMachineArn');
  } catch {
    return found;
  }
  if (!stateMachineArn) return found;
  const sfn = new SFNClient({});
  const executions = (await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 50 }))).executions ?? [];
  for (const execution of executions) {
    if (found.size === profiles.length) break;
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: execution.executionArn }));
    let input: { profile?: unknown; key?: unknown; detail?: { object?: { key?: unknown } } } = {};
    try {
      input = JSON.parse(described.input ?? '{}');
    } catch {
      input = {};
    }
    const key = typeof input.key === 'string' ? input.key : typeof input.detail?.object?.key === 'string' ? input.detail.object.key : undefined;
    const profile = typeof input.profile === 'string' ? input.profile : key?.split('/')[1];
    if (profile && profiles.includes(profile) && !found.has(profile))
      found.set(profile, {
        name: execution.name ?? '',
        status: execution.status ?? 'UNKNOWN',
        ...(described.error ? { error: described.error } : {}),
        ...(execution.stopDate ? { stopDate: execution.stopDate.toISOString() } : {}),
      });
  }
  return found;
}

/** `start`: the deployed state machine, on an uploaded object or on a profile's application; --dry-run prints the plan. */
async function start(values: Values, io: CliIo): Promise<{ code: number; json: unknown }> {
  const stateMachineArn = String(values['state-machine-arn']);
  const dryRun = values['dry-run'] === true;
  let input: Record<string, unknown>;
  if (typeof values.profile === 'string' && values.key === undefined) input = { profile: values.profile, ...(dryRun ? { dryRun } : {}) };
  else if (typeof values.bucket === 'string' && typeof values.key === 'string')
    input = { bucket: values.bucket, key: values.key, ...(values['version-id'] ? { versionId: values['version-id'] } : {}), dryRun };
  else
    throw new CliUsageError(
      'start needs --profile <name> (metadata from the application) or --bucket and --key (an uploaded object); the stack outputs show them',
    );
  // The state machine's ARN names its region; an explicit --region (AWS_REGION) still wins.
  const arnRegion = /^arn:[^:]+:states:([a-z0-9-]+):\d{12}:stateMachine:/.exec(stateMachineArn)?.[1];
  if (!arnRegion) throw new CliUsageError(`--state-machine-arn ${stateMachineArn}: not a state machine ARN (the stack output ...StateMachineArn)`);
  const outcome = await startAndFollow(new SFNClient({ region: process.env.AWS_REGION ?? arnRegion }), stateMachineArn, input, io.print);
  const document = outcome.output as ExecutionDocument | undefined;
  if (outcome.status === 'SUCCEEDED' && dryRun) {
    io.print('');
    io.print('Plan (dry run: nothing was changed):');
    for (const line of planTable(document)) io.print(line);
  }
  io.print(`${outcome.status}${outcome.error ? ` ${outcome.error}: ${describeFailure(outcome.error, outcome.cause).join(' ')}` : ''}`);
  return { code: outcome.status === 'SUCCEEDED' ? EXIT.ok : EXIT.failed, json: outcome };
}

async function runOnce(
  services: LocalServices,
  config: FederationConfig,
  input: object,
  values: Record<string, string | boolean | undefined>,
  io: CliIo,
  account: SimulatedAccount | undefined,
): Promise<LocalExecutionResult> {
  io.print('');
  const notificationsBefore = account?.notifications.messages.length ?? 0;
  const result = await runLocalExecution({
    services,
    config,
    input,
    retryIntervalMs: values.live ? undefined : 0,
    onEvent: timelinePrinter(io.print, Date.now()),
    operator: async (message) => {
      if (!values.live) {
        io.print(`\n[operator] The simulated operator confirms: ${message.split('\n')[0]}`);
        return { confirmed: true };
      }
      // A live run changes a real application: the person sets the mapping and says so; nothing confirms for them.
      io.print(`\n[operator] Manual mode: set this in IAM Identity Center yourself, then answer here.\n${message}`);
      const answer = await askOperator('Type "done" once the mapping is set, or "reject <why>" to roll back: ');
      if (/^done$/i.test(answer.trim())) return { confirmed: true, by: 'operator at the CLI' };
      throw Object.assign(new Error(answer.replace(/^reject\s*/i, '') || 'rejected at the CLI'), { name: MAPPING_ERROR_NAMES.rejectedByOperator });
    },
  });
  summarize(result, io.print, account);
  if (account) {
    for (const n of account.notifications.messages.slice(notificationsBefore)) io.print(`  notification: ${n.subject}`);
  }
  return result;
}

/** Reads one answer from the terminal; without one (a script, a pipe) the wait cannot be answered, and says how. */
async function askOperator(question: string): Promise<string> {
  if (!process.stdin.isTTY)
    throw Object.assign(
      new Error('manual mode waits for a person, and this run has no terminal: run it in a terminal, or deploy and answer with confirm / reject'),
      {
        name: MAPPING_ERROR_NAMES.rejectedByOperator,
      },
    );
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

/** What --json prints of one execution: its end and what each step did. */
function executionJson(result: LocalExecutionResult): unknown {
  const receipts = result.output?.receipts;
  return {
    executionName: result.executionName,
    status: result.status,
    ...(result.error ? { error: result.error, cause: result.cause } : {}),
    dryRun: result.output?.request.dryRun ?? false,
    ...(result.output?.request.dryRun ? { plan: planRows(result.output) } : {}),
    receipts: receipts ?? {},
    ...(receipts?.role?.arn && receipts.identityProvider?.arn ? { roleAttribute: `${receipts.role.arn},${receipts.identityProvider.arn}` } : {}),
  };
}

/** One exit-code scheme for every command (documented in --help). */
const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const EXIT_CODES_HELP = `
Exit codes: 0 the command succeeded; 1 it ran and failed (an execution failed, a check did not pass); 2 usage (an
unknown option, a missing or unreadable file, an unknown profile, an invalid configuration).
AWS settings: --region and --profile-name as the AWS CLI's --region and --profile; otherwise the SDK's default chain
(AWS_REGION, AWS_PROFILE, ~/.aws/config). Colours only on a terminal, never with NO_COLOR set.`;

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf-8')) as { version: string }).version;
}

/** The repository the CLI belongs to (this file is local/cli.ts). */
const REPOSITORY_ROOT = resolve(__dirname, '..');

/** The nearest cdk.json from `cwd` upwards, else the repository's: the CLI works from any folder of the repository. */
function defaultConfigPath(cwd: string): string {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'cdk.json'))) return join(dir, 'cdk.json');
    if (dirname(dir) === dir) return join(REPOSITORY_ROOT, 'cdk.json');
  }
}

type Values = Record<string, string | boolean | undefined>;

/** The configuration a command runs with: --config, or the nearest cdk.json. */
function configOf(values: Values, io: Pick<CliIo, 'cwd'>): FederationConfig {
  return loadConfig((values.config as string | undefined) ?? defaultConfigPath(io.cwd));
}

/** Commander's camelCase options as the kebab-case names the commands read. */
function valuesOf(options: Record<string, unknown>, globals: Record<string, unknown>): Values {
  const values: Values = {};
  for (const [key, value] of Object.entries({ ...globals, ...options }))
    values[key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)] = value as string | boolean | undefined;
  return values;
}

/**
 * The CLI, on commander: per-command help, --version, one exit-code scheme, --json for scripts. `io` receives every
 * line, so tests drive it in process as well as through bin/saml-federation.ts.
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  let json: unknown;
  const lines: string[] = [];
  const program = new Command('saml-federation')
    .description('SAML federation for Amazon Connect from IAM Identity Center: run the workflow locally, or drive the deployed one')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--json', 'print one JSON document (for scripts) instead of text')
    .option('--region <region>', 'AWS Region for commands that call AWS (as the AWS CLI --region)')
    .option('--profile-name <name>', 'AWS profile of ~/.aws/config and credentials (as the AWS CLI --profile)')
    .option('--no-color', 'no colours (also: NO_COLOR set, or output not a terminal)')
    .option('--debug', 'show stack traces')
    .showHelpAfterError('(add --help for the options)')
    // Each command's help lists the options every command takes too (--json, --region, --profile-name).
    .configureHelp({ showGlobalOptions: true })
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.print(text.replace(/\n$/, '')),
      writeErr: (text) => (io.error ?? io.print)(text.replace(/\n$/, '')),
    });
  /** Colour only on a terminal, never with NO_COLOR (no-color.org) or --no-color. */
  const paint = (text: string, colour: 'green' | 'red'): string => {
    const enabled = io.isTTY === true && !(io.env ?? process.env).NO_COLOR && program.opts().color !== false;
    return enabled ? `\u001b[${colour === 'green' ? 32 : 31}m${text}\u001b[0m` : text;
  };
  const out: CliIo = { ...io, print: (line) => (program.opts().json ? lines.push(line) : io.print(line)) };
  const globals = () => {
    const options = program.opts();
    // The AWS CLI's own variables, so every SDK client of this process resolves region and credentials the same way.
    if (options.profileName) process.env.AWS_PROFILE = options.profileName as string;
    if (options.region) process.env.AWS_REGION = options.region as string;
    return options;
  };
  const action =
    (command: (values: Values, positionals: string[]) => Promise<number | { code: number; json: unknown }>) =>
    async (...args: unknown[]) => {
      const cmd = args.at(-1) as Command;
      const values = valuesOf(cmd.opts(), globals());
      const result = await command(values, cmd.args);
      if (typeof result === 'number') code = result;
      else {
        code = result.code;
        json = result.json;
      }
    };

  program
    .command('run')
    .description('run statemachine/federation.asl.json locally over a simulated account (or --live against yours)')
    .option('--profile <name>', 'the profile (cdk.json: context.samlFederation.profiles)')
    .option('--metadata <file>', 'the IdP metadata XML downloaded from IAM Identity Center')
    .option('--from-application', "no file: the execution fetches the metadata from the profile's application")
    .option('--dry-run', 'plan only: change nothing')
    .option('--twice', 'run a second execution after the first (it should change nothing)')
    .option('--account <id>', "the profile's IAM in another account (profiles.<name>.account)")
    .option('--config <cdk.json>', 'the configuration (default: the nearest cdk.json)')
    .option('--live', 'against the account of the current AWS credentials (no deploy)')
    .option('--bucket <bucket>', 'with --live: where the metadata is uploaded')
    .addHelpText(
      'after',
      `
Examples:
  saml-federation run --from-application --profile admin --twice
  saml-federation run --metadata examples/metadata/admin/idp.xml --profile admin --dry-run
  saml-federation run --from-application --profile admin --account 222222222222`,
    )
    .action(action(async (values) => run(values, out)));

  program
    .command('fleet')
    .description('apply every profile (statemachine/fleet.asl.json) over the simulated organization')
    .option('--profiles <a,b>', 'only these profiles')
    .option('--dry-run', 'plan only: change nothing')
    .option('--config <cdk.json>', 'the configuration (default: the nearest cdk.json)')
    .action(action(async (values) => fleet(values, out)));

  program
    .command('start')
    .description('start an execution of the deployed state machine and follow it to the end')
    .requiredOption('--state-machine-arn <arn>', 'the stack output ...StateMachineArn')
    .option('--profile <name>', 'fetch the profile\'s metadata from its application (input {"profile": ...})')
    .option('--bucket <bucket>', 'with --key: install an uploaded object')
    .option('--key <key>', 'metadata/<profile>/<name>.xml')
    .option('--version-id <id>', 'the object version (default: the current one)')
    .option('--dry-run', 'plan only: print what each step would create, change or leave')
    .action(action(async (values) => start(values, out)));

  program
    .command('confirm')
    .description('confirm a manual attribute mapping (SendTaskSuccess)')
    .argument('<task-token>', 'the token from the notification')
    .action(
      action(async (_values, [token]) => {
        await confirmMapping(new SFNClient({}), token ?? '');
        out.print('Confirmed: the execution goes on.');
        return { code: EXIT.ok, json: { confirmed: true } };
      }),
    );

  program
    .command('reject')
    .description('reject a manual attribute mapping (SendTaskFailure): the execution rolls back')
    .argument('<task-token>', 'the token from the notification')
    .requiredOption('--reason <why>', 'recorded in the execution history')
    .action(
      action(async (values, [token]) => {
        await rejectMapping(new SFNClient({}), token ?? '', String(values.reason));
        out.print('Rejected: the execution rolls back.');
        return { code: EXIT.ok, json: { rejected: true } };
      }),
    );

  program
    .command('status')
    .description(
      'what the account holds for each profile (provider and certificate expiry, role trust, policy version, mapping) and any drift from the profile',
    )
    .option('--profile <name>', 'only this profile')
    .option('--live', 'the account of the current AWS credentials (default: a simulated account after one execution of each profile)')
    .option('--config <cdk.json>', 'the configuration (default: the nearest cdk.json)')
    .action(action(async (values) => status(values, out)));

  program
    .command('undo')
    .description(
      'undo a past succeeded execution of the deployed pipeline: its reverts, newest first; refused when a later change touched the same resources',
    )
    .argument('<execution-arn>', 'the execution to undo (Step Functions console, or the notification)')
    .action(
      action(async (_values, [executionArn]) => {
        const result = await undoDeployedExecution(executionArn ?? '', out.print);
        if (result.action === 'refused') {
          out.print('Refused; nothing was changed:');
          for (const line of result.changedSince) out.print(`  - ${line}`);
        } else
          for (const report of result.reports)
            out.print(`  ${report.step}: ${report.action}${report.changes.length ? ` (${report.changes.join('; ')})` : ''}`);
        return { code: result.action === 'undone' ? EXIT.ok : EXIT.failed, json: result };
      }),
    );

  program
    .command('doctor')
    .description('check what a real run needs: configuration, region, credentials, IAM Identity Center, applications, stack, bucket')
    .option('--config <cdk.json>', 'the configuration (default: the nearest cdk.json)')
    .action(
      action(async (values) => {
        const config = configOf(values, io);
        const checks = await doctor(config, doctorClients());
        const mark = { ok: paint('✓', 'green'), failed: paint('✗', 'red'), skipped: '–' };
        for (const check of checks) {
          const [first, ...more] = check.detail.split('; ');
          out.print(`${mark[check.status]} ${check.name}: ${first}`);
          for (const line of more) out.print(`    ${line}`);
          if (check.fix && check.status !== 'ok') out.print(`    fix: ${check.fix}`);
        }
        return { code: checks.every((c) => c.status === 'ok') ? EXIT.ok : EXIT.failed, json: { checks } };
      }),
    );

  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT.usage;
    }
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are answers, not failures; anything else commander refuses is a usage error.
      if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code)) return EXIT.ok;
      if (program.opts().json) io.print(JSON.stringify({ error: 'Cli.Usage', message: error.message.replace(/^error: /, '') }, null, 2));
      return EXIT.usage;
    }
    let failure = error as Error;
    // The SDK's own words name no remedy: say what to do.
    if (/^Region is missing$/i.test(failure.message))
      failure = new CliUsageError('no AWS Region for this command: pass --region <region>, or set region for the AWS profile (aws configure)');
    else if (failure.name === 'CredentialsProviderError')
      failure = new CliUsageError(
        'no AWS credentials found for this command: sign in (aws configure, or aws sso login --profile <name>) and pass --profile-name <name>, or set AWS_PROFILE; saml-federation doctor shows what the SDK finds',
      );
    if (program.opts().json) json = { error: failure.name, message: failure.message };
    else if (program.opts().debug) (io.error ?? io.print)(String(failure.stack));
    else (io.error ?? io.print)(failure instanceof CliUsageError ? `error: ${failure.message}` : `${failure.name}: ${failure.message}`);
    code = failure instanceof CliUsageError || failure.name === 'Config.Invalid' ? EXIT.usage : EXIT.failed;
  }
  if (program.opts().json) io.print(JSON.stringify(json ?? { code, output: lines }, null, 2));
  return code;
}
