/**
 * Workflow benchmark (a script, not a test: timings on a shared 2-core machine are not pass/fail material).
 *   npx tsx bench/workflow.bench.ts [--profiles 50] [--rate 10]
 * 1. Per happy-path execution: state transitions and AWS calls (mutating and read), for a first run, a rerun and a
 *    certificate rotation.
 * 2. N concurrent executions for N profiles against a simulated IAM that allows `rate` mutating calls a second and
 *    throttles the rest, with the ASL's own retry backoff: all must succeed and none be lost. Prints the total time
 *    beside the floor (IAM mutating calls divided by the rate).
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_REGION ??= 'us-east-1';

import { parseArgs } from 'node:util';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { profiles: { type: 'string', default: '50' }, rate: { type: 'string', default: '10' } } });
  const profileCount = Number(values.profiles);
  const rate = Number(values.rate);
  const { parseFederationConfig } = await import('../lambdas/shared/profile');
  const { makeMetadataXml, makeRotatedMetadataXml } = await import('../simulated-account/example-metadata');
  const { runLocalExecution } = await import('../local/runner');
  const { accountForConfig, simulatedServices, SIMULATED_BUCKET } = await import('../local/simulated-services');
  const cdkJson = (await import('../cdk.json')).default as { context: { samlFederation: unknown } };
  const example = parseFederationConfig(cdkJson.context.samlFederation);
  const xml = makeMetadataXml();

  // 1. One profile, three executions.
  const account = accountForConfig(example);
  const table: string[] = [];
  for (const [label, body] of [
    ['first run (empty account)', xml],
    ['rerun (already matches)', xml],
    ['certificate rotation', makeRotatedMetadataXml()],
  ] as const) {
    account.clearCalls();
    const versionId = account.putObject(SIMULATED_BUCKET, 'metadata/admin/idp.xml', body);
    const result = await runLocalExecution({
      services: simulatedServices(account),
      config: example,
      input: { bucket: SIMULATED_BUCKET, key: 'metadata/admin/idp.xml', versionId },
      retryIntervalMs: 0,
    });
    const calls = account.calls;
    const mutating = calls.filter((c) => c.mutating);
    const byService = (list: typeof calls) =>
      Object.entries(Object.groupBy(list, (c) => c.service))
        .map(([service, calls]) => `${service} ${calls?.length ?? 0}`)
        .join(', ');
    table.push(
      `  ${label.padEnd(28)} ${result.status.padEnd(9)} transitions ${String(result.stateTransitions).padStart(2)}  ` +
        `calls ${String(calls.length).padStart(2)} (read ${calls.length - mutating.length}, mutating ${mutating.length}: ${byService(mutating)})`,
    );
  }
  console.log('Per happy-path execution (admin profile):');
  for (const line of table) console.log(line);

  // 2. Many profiles at once against a rate-limited IAM.
  const base = example.profiles.admin;
  if (!base) throw new Error('cdk.json defines no admin profile to copy');
  const profiles: Record<string, unknown> = {};
  for (let i = 0; i < profileCount; i++) {
    profiles[`p${i}`] = {
      ...base,
      identityProvider: { name: `BenchIdP${i}` },
      role: { ...base.role, name: `BenchFederation${i}` },
      policy: { ...base.policy, name: `BenchConnectSSOPolicy${i}` },
      application: { displayName: `Bench application ${i}`, instanceArn: base.application.instanceArn },
    };
  }
  const config = parseFederationConfig({ pipelineName: 'bench', profiles });
  const crowded = accountForConfig(config, { mutatingCallsPerSecond: rate });
  const started = Date.now();
  const results = await Promise.all(
    Object.keys(config.profiles).map((name) => {
      const key = `metadata/${name}/idp.xml`;
      const versionId = crowded.putObject(SIMULATED_BUCKET, key, xml);
      return runLocalExecution({
        services: simulatedServices(crowded),
        config,
        input: { bucket: SIMULATED_BUCKET, key, versionId },
        // The steps wait in real time, as deployed (a throttled IAM call is retried after a short wait).
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      });
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  const iamWrites = crowded.calls.filter((c) => c.service === 'iam' && c.mutating);
  const accepted = iamWrites.filter((c) => c.outcome === 'ok').length;
  const throttled = iamWrites.filter((c) => c.outcome === 'Throttling').length;
  const succeeded = results.filter((r) => r.status === 'SUCCEEDED').length;
  const snapshot = crowded.snapshot();
  const provisioned = Object.keys(config.profiles).filter((_, i) =>
    Object.keys(snapshot.iam.roles).some((r) => r.toLowerCase() === `benchfederation${i}`),
  ).length;
  const floor = accepted / rate;
  console.log(
    `\n${profileCount} concurrent executions, ${profileCount} profiles, IAM allowing ${rate} mutating calls/s (the steps' throttle waits and the ASL's retry backoff, as deployed):`,
  );
  console.log(`  succeeded ${succeeded}/${profileCount}; roles present afterwards ${provisioned}/${profileCount}`);
  console.log(`  IAM mutating calls accepted ${accepted}, throttled ${throttled}`);
  console.log(`  total ${seconds.toFixed(1)} s; floor ${floor.toFixed(1)} s (accepted IAM writes / rate); ratio ${(seconds / floor).toFixed(2)}x`);
  for (const failed of results.filter((r) => r.status !== 'SUCCEEDED').slice(0, 5))
    console.log(`  failed ${failed.executionName}: ${failed.error} ${failed.cause}`);
}

void main();
