/**
 * Fleet benchmark (a script, not a test: timings on a shared 2-core machine are not pass/fail material).
 *   npx tsx bench/fleet.bench.ts [--rate 10]          (the second half of `npm run bench`)
 *
 * Runs statemachine/fleet.asl.json ("apply every profile") locally, each child the real federation state machine,
 * against a simulated organization whose accounts each allow `rate` mutating IAM calls a second and throttle the rest,
 * with the deployed retry behaviour (the ASL's backoff, the steps' own waits in real time). Two cases:
 *   1. 50 profiles in one account;
 *   2. 10 target accounts with 5 profiles each (IAM Identity Center in the pipeline's account).
 * For each: the floor (the IAM writes the busiest account accepted, divided by its rate: no schedule can be faster),
 * the time the fleet took, their ratio, and how many IAM calls were throttled. The target is a ratio at or under 1.3.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_REGION ??= 'us-east-1';

import { parseArgs } from 'node:util';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rate: { type: 'string', default: '10' } } });
  const rate = Number(values.rate);
  const { parseFederationConfig, profileNamed } = await import('../lambdas/shared/profile');
  const { runLocalFleet } = await import('../local/fleet-runner');
  const { accountForConfig, simulatedServices } = await import('../local/simulated-services');
  const cdkJson = (await import('../cdk.json')).default as { context: { samlFederation: unknown } };
  const example = parseFederationConfig(cdkJson.context.samlFederation);
  const base = profileNamed(example, 'admin');
  const instanceArn = base.application.instanceArn;

  /** `count` profiles like the example's admin, in `account` (undefined: the pipeline's own), each its own names. */
  function profilesIn(account: string | undefined, count: number, offset: number): Record<string, unknown> {
    const profiles: Record<string, unknown> = {};
    for (let i = offset; i < offset + count; i++) {
      const connect = base.policy.connectInstanceArn?.replace(':111122223333:', `:${account ?? '111122223333'}:`);
      profiles[`p${i}`] = {
        ...(account ? { account } : {}),
        identityProvider: { name: `BenchIdP${i}` },
        role: { ...base.role, name: `BenchFederation${i}` },
        policy: { ...base.policy, connectInstanceArn: connect, name: `BenchConnectSSOPolicy${i}` },
        application: { displayName: `Bench application ${i}`, instanceArn },
        refresh: { enabled: false },
      };
    }
    return profiles;
  }

  async function fleetCase(label: string, profiles: Record<string, unknown>): Promise<void> {
    const config = parseFederationConfig({ pipelineName: 'bench', profiles });
    const organization = accountForConfig(config, { mutatingCallsPerSecond: rate });
    const started = Date.now();
    const result = await runLocalFleet({
      services: simulatedServices(organization),
      config,
      child: { sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
    });
    const seconds = (Date.now() - started) / 1000;
    const iamWrites = organization.calls.filter((c) => c.service === 'iam' && c.mutating);
    const byAccount = new Map<string, number>();
    for (const call of iamWrites.filter((c) => c.outcome === 'ok')) byAccount.set(call.account, (byAccount.get(call.account) ?? 0) + 1);
    const busiest = Math.max(...byAccount.values());
    const floor = busiest / rate;
    const throttled = iamWrites.filter((c) => c.outcome === 'Throttling').length;
    const counts = result.report?.counts;
    console.log(`${label}:`);
    console.log(
      `  ${Object.keys(config.profiles).length} profiles in ${byAccount.size} account(s), IAM allowing ${rate} writes/s in each; ` +
        `fleet ${result.status}: ${counts?.succeeded ?? 0} succeeded, ${counts?.rolledBack ?? 0} rolled back, ${counts?.needsAction ?? 0} need action`,
    );
    console.log(
      `  floor ${floor.toFixed(1)} s (busiest account's ${busiest} accepted IAM writes / ${rate}/s); time ${seconds.toFixed(1)} s; ` +
        `ratio ${(seconds / floor).toFixed(2)}; throttled IAM calls ${throttled} (of ${iamWrites.length} write attempts)`,
    );
    for (const failed of result.children.filter((c) => c.status !== 'SUCCEEDED').slice(0, 3))
      console.log(`  failed ${failed.executionName}: ${failed.error} ${failed.cause}`);
  }

  await fleetCase('Fleet case 1, one account', profilesIn(undefined, 50, 0));
  const spread: Record<string, unknown> = {};
  for (let a = 0; a < 10; a++) Object.assign(spread, profilesIn(`2000000000${String(a).padStart(2, '0')}`, 5, a * 5));
  await fleetCase('Fleet case 2, ten accounts', spread);
}

void main();
