import { SFNClient } from '@aws-sdk/client-sfn';
import { Command, CommanderError } from 'commander';
import { fleet } from './commands/fleet';
import { run } from './commands/run';
import { start } from './commands/start';
import { status } from './commands/status';
import { undoDeployedExecution } from './deployed-undo';
import { doctor, doctorClients } from './doctor';
import { CliUsageError } from './errors';
import { type CliIo, type CommandResult, configOf, EXIT, EXIT_CODES_HELP, packageVersion, type Values, valuesOf } from './options';
import { confirmMapping, rejectMapping } from './task-token';

export type { CliIo } from './options';

/** What each command's registration needs: where it prints, how its action reports, colours. */
interface Session {
  readonly io: CliIo;
  /** Prints, or collects the lines for --json. */
  readonly out: CliIo;
  readonly action: (command: (values: Values, positionals: string[]) => Promise<number | CommandResult>) => (...args: unknown[]) => Promise<void>;
  readonly paint: (text: string, colour: 'green' | 'red') => string;
}

const CONFIG_OPTION = ['--config <cdk.json>', 'the configuration (default: the nearest cdk.json)'] as const;

/** The commands over the simulated account (or, with --live, yours): run, fleet, status. */
function addLocalCommands(program: Command, { out, action }: Session): void {
  program
    .command('run')
    .description('run statemachine/federation.asl.json locally over a simulated account (or --live against yours)')
    .option('--profile <name>', 'the profile (cdk.json: context.samlFederation.profiles)')
    .option('--metadata <file>', 'the IdP metadata XML downloaded from IAM Identity Center')
    .option('--from-application', "no file: the execution fetches the metadata from the profile's application")
    .option('--dry-run', 'plan only: change nothing')
    .option('--twice', 'run a second execution after the first (it should change nothing)')
    .option('--account <id>', "the profile's IAM in another account (profiles.<name>.account)")
    .option(...CONFIG_OPTION)
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
    .option(...CONFIG_OPTION)
    .action(action(async (values) => fleet(values, out)));

  program
    .command('status')
    .description(
      'what the account holds for each profile (provider and certificate expiry, role trust, policy version, mapping) and any drift from the profile',
    )
    .option('--profile <name>', 'only this profile')
    .option('--live', 'the account of the current AWS credentials (default: a simulated account after one execution of each profile)')
    .option(...CONFIG_OPTION)
    .action(action(async (values) => status(values, out)));
}

/** The commands that drive the deployed pipeline: start, confirm, reject, undo. */
function addDeployedCommands(program: Command, { out, action }: Session): void {
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
}

/** `doctor`: what a real run needs, each check marked. */
function addDoctorCommand(program: Command, { io, out, action, paint }: Session): void {
  program
    .command('doctor')
    .description('check what a real run needs: configuration, region, credentials, IAM Identity Center, applications, stack, bucket')
    .option(...CONFIG_OPTION)
    .action(
      action(async (values) => {
        const checks = await doctor(configOf(values, io), doctorClients());
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
}

/** The program with its global options, printing through `io`, never exiting the process itself. */
function program(io: CliIo): Command {
  return (
    new Command('saml-federation')
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
      })
  );
}

/** An error the SDK words without a remedy, reworded to say what to do. */
function withRemedy(failure: Error): Error {
  if (/^Region is missing$/i.test(failure.message))
    return new CliUsageError('no AWS Region for this command: pass --region <region>, or set region for the AWS profile (aws configure)');
  if (failure.name === 'CredentialsProviderError')
    return new CliUsageError(
      'no AWS credentials found for this command: sign in (aws configure, or aws sso login --profile <name>) and pass --profile-name <name>, or set AWS_PROFILE; saml-federation doctor shows what the SDK finds',
    );
  return failure;
}

/**
 * The CLI, on commander: per-command help, --version, one exit-code scheme, --json for scripts. `io` receives every
 * line, so tests drive it in process as well as through bin/saml-federation.ts.
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  let json: unknown;
  const lines: string[] = [];
  const cli = program(io);
  const session: Session = {
    io,
    out: { ...io, print: (line) => (cli.opts().json ? lines.push(line) : io.print(line)) },
    // Colour only on a terminal, never with NO_COLOR (no-color.org) or --no-color.
    paint: (text, colour) => {
      const enabled = io.isTTY === true && !(io.env ?? process.env).NO_COLOR && cli.opts().color !== false;
      return enabled ? `\u001b[${colour === 'green' ? 32 : 31}m${text}\u001b[0m` : text;
    },
    action:
      (command) =>
      async (...args) => {
        const cmd = args.at(-1) as Command;
        const options = cli.opts();
        // The AWS CLI's own variables, so every SDK client of this process resolves region and credentials the same way.
        if (options.profileName) process.env.AWS_PROFILE = options.profileName as string;
        if (options.region) process.env.AWS_REGION = options.region as string;
        const result = await command(valuesOf(cmd.opts(), options), cmd.args);
        if (typeof result === 'number') code = result;
        else ({ code, json } = result);
      },
  };
  addLocalCommands(cli, session);
  addDeployedCommands(cli, session);
  addDoctorCommand(cli, session);

  try {
    if (argv.length === 0) {
      cli.outputHelp();
      return EXIT.usage;
    }
    await cli.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are answers, not failures; anything else commander refuses is a usage error.
      if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code)) return EXIT.ok;
      if (cli.opts().json) io.print(JSON.stringify({ error: 'Cli.Usage', message: error.message.replace(/^error: /, '') }, null, 2));
      return EXIT.usage;
    }
    const failure = withRemedy(error as Error);
    if (cli.opts().json) json = { error: failure.name, message: failure.message };
    else if (cli.opts().debug) (io.error ?? io.print)(String(failure.stack));
    else (io.error ?? io.print)(failure instanceof CliUsageError ? `error: ${failure.message}` : `${failure.name}: ${failure.message}`);
    code = failure instanceof CliUsageError || failure.name === 'Config.Invalid' ? EXIT.usage : EXIT.failed;
  }
  if (cli.opts().json) io.print(JSON.stringify(json ?? { code, output: lines }, null, 2));
  return code;
}
