import { readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { MAPPING_ERROR_NAMES } from '../../lambdas/identity-center/errors';
import { validateMetadata } from '../../lambdas/intake/metadata';
import { type FederationConfig, parseFederationConfig } from '../../lambdas/shared/profile';
import { targetRoleName } from '../../lambdas/shared/target-account';
import { STEPS } from '../../lambdas/steps';
import { type LocalExecutionResult, type LocalServices, runLocalExecution } from '../../local/runner';
import { accountForConfig, simulatedServices } from '../../local/simulated-services';
import type { SimulatedAccount } from '../../simulated-account';
import { CliUsageError } from '../errors';
import { liveServices } from '../live-services';
import { type CliIo, type CommandResult, configOf, EXIT, type Values } from '../options';
import { executionJson, summarize, timelinePrinter } from '../print';

/** The configuration `run` works with: --config, with --account moving the profile's IAM to that account. */
function runConfig(values: Values, io: CliIo, profile: string): FederationConfig {
  const config = configOf(values, io);
  if (!(profile in config.profiles)) {
    throw new CliUsageError(`unknown profile "${profile}"; the configuration defines: ${Object.keys(config.profiles).join(', ')}`);
  }
  const targetAccount = values.account as string | undefined;
  if (targetAccount === undefined) return config;
  if (!/^\d{12}$/.test(targetAccount)) throw new CliUsageError(`--account must be a 12-digit AWS account id (got "${targetAccount}")`);
  const moved = withTargetAccount(config, profile, targetAccount, values.live !== true);
  if (typeof moved === 'string') throw new CliUsageError(moved);
  const before = config.profiles[profile]?.policy.connectInstanceArn;
  const after = moved.profiles[profile]?.policy.connectInstanceArn;
  if (before !== after) io.print(`The simulated Connect instance of profile ${profile} lives in account ${targetAccount}: ${after}`);
  return moved;
}

/** Where the run happens: the account of the current credentials (--live), or a simulated one serving `body` as the application's. */
async function runServices(
  values: Values,
  io: CliIo,
  config: FederationConfig,
  profile: string,
  body: Buffer | undefined,
): Promise<{ services: LocalServices; account?: SimulatedAccount }> {
  if (values.live) {
    const bucket = values.bucket as string | undefined;
    if (!bucket) throw new CliUsageError('--live needs --bucket <bucket>: the metadata is uploaded there so the steps can read it by version');
    const services = await liveServices(bucket, io.print);
    io.print(`Live run against account ${services.environment.account} (${services.environment.region}) with the current credentials.`);
    return { services };
  }
  let account: SimulatedAccount;
  try {
    // The profile's application serves the given file as its own download, as it would for the person who
    // downloaded it (Intake checks an upload against the application's own metadata).
    account = accountForConfig(config, body === undefined ? {} : { documents: { [profile]: body.toString('utf-8') } });
  } catch (error) {
    if ((error as Error).name !== 'Config.Invalid') throw error;
    throw new CliUsageError((error as Error).message);
  }
  io.print(`Local run over a simulated account ${account.account} (${account.region}); no AWS call leaves this process.`);
  const target = config.profiles[profile]?.account;
  if (target !== undefined)
    io.print(
      `Profile ${profile}'s provider, role and policy go to account ${target} of the simulated organization, through its roles ` +
        `${targetRoleName(config.pipelineName, 'apply')} and ${targetRoleName(config.pipelineName, 'revert')}; IAM Identity Center stays in ${account.account}.`,
    );
  return { services: simulatedServices(account), account };
}

/**
 * The execution's input: the uploaded file's object (validated as Intake would first, so a service provider's metadata
 * is named as such), or the profile alone, for a fetch from its application. A refusal is the command's answer.
 */
async function runInput(
  values: Values,
  io: CliIo,
  where: { services: LocalServices; account?: SimulatedAccount },
  profile: string,
  body: Buffer | undefined,
): Promise<object | CommandResult> {
  const dryRun = values['dry-run'] === true;
  const metadataPath = values.metadata as string | undefined;
  if (!metadataPath || !body) {
    const input = { profile, ...(dryRun ? { dryRun } : {}) };
    io.print(
      `Nothing uploaded: the execution fetches profile ${profile}'s metadata from its IAM Identity Center application; execution input: ${JSON.stringify(input)}`,
    );
    return input;
  }
  // Intake's own validation, before anything is uploaded: Intake refuses a small object by its size alone.
  try {
    validateMetadata(body, new Date());
  } catch (error) {
    if (!(error as Error).name.startsWith('Metadata.')) throw error;
    io.print(`--metadata ${metadataPath}: ${(error as Error).name}: ${(error as Error).message}`);
    return { code: EXIT.failed, json: { error: (error as Error).name, message: (error as Error).message } };
  }
  const { services, account } = where;
  // Always under an .xml key, whatever the file is called: the key's form is the pipeline's, not the user's.
  const key = `metadata/${profile}/${basename(resolve(io.cwd, metadataPath)).replace(/\.[^.]*$/, '') || 'metadata'}.xml`;
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  const put = await services.clients.s3.send(new PutObjectCommand({ Bucket: services.environment.bucket, Key: key, Body: body }));
  const input = { bucket: services.environment.bucket, key, versionId: put.VersionId, dryRun };
  // Count only what the execution does, not the upload that stands in for the administrator's.
  account?.clearCalls();
  io.print(
    `Uploaded ${metadataPath} to s3://${services.environment.bucket}/${key} (version ${put.VersionId}); execution input: ${JSON.stringify(input)}`,
  );
  return input;
}

/** `run`: the real state machine locally over a simulated account (or --live, yours), once or --twice. */
export async function run(values: Values, io: CliIo): Promise<CommandResult> {
  const metadataPath = values.metadata as string | undefined;
  const profile = values.profile as string | undefined;
  const fromApplication = values['from-application'] === true;
  if ((!metadataPath && !fromApplication) || (metadataPath && fromApplication) || !profile) {
    throw new CliUsageError('run needs --profile <name> and either --metadata <file> or --from-application');
  }
  const config = runConfig(values, io, profile);
  if (values.live && config.profiles[profile]?.account !== undefined)
    throw new CliUsageError(
      `run --live cannot work in account ${config.profiles[profile]?.account}: the target roles there trust only the deployed pipeline's function roles, ` +
        'not your credentials. Start the deployed state machine instead (saml-federation start), or try the profile locally without --live.',
    );
  // Refused before anything runs when it cannot be the metadata: missing, a folder, not XML.
  const body = metadataPath ? readMetadataFile(resolve(io.cwd, metadataPath), metadataPath) : undefined;
  const where = await runServices(values, io, config, profile, body);
  const input = await runInput(values, io, where, profile, body);
  if ('code' in input) return input as CommandResult;
  const results: LocalExecutionResult[] = [];
  for (let run = 1; run <= (values.twice === true ? 2 : 1); run += 1) {
    if (run > 1) {
      where.account?.clearCalls();
      io.print(
        values['dry-run'] === true
          ? '\nSecond execution with the same input (a dry run again: it plans the same, as nothing was changed).'
          : '\nSecond execution with the same input: everything is in place, so it should change nothing.',
      );
    }
    results.push(await runOnce(where.services, config, input, values, io, where.account));
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

async function runOnce(
  services: LocalServices,
  config: FederationConfig,
  input: object,
  values: Values,
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
  // Last, what it all comes to: a read-only step's verdict (whether the profile's people can sign in).
  for (const step of STEPS.filter((candidate) => candidate.readOnly)) {
    const verdict = result.output?.receipts?.[step.name]?.details as { line?: string; details?: string[] } | undefined;
    if (verdict?.line) for (const line of [verdict.line, ...(verdict.details ?? []).map((d) => `  ${d}`)]) io.print(`  ${line}`);
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
