import { runLocalFleet } from '../../local/fleet-runner';
import { planTable } from '../../local/plan';
import { accountForConfig, simulatedServices } from '../../local/simulated-services';
import { type CliIo, type CommandResult, configOf, EXIT, type Values } from '../options';

/** `fleet`: the fleet state machine over the simulated organization, every profile's account in it. */
export async function fleet(values: Values, io: CliIo): Promise<CommandResult> {
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
