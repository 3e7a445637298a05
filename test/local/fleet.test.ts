import { parseFederationConfig } from '../../lambdas/shared/profile';
import { runLocalFleet } from '../../local/fleet-runner';
import { accountForConfig, simulatedServices } from '../../local/simulated-services';
import { crossAccountConfig, TARGET_ACCOUNT } from './workflow-harness';

const PIPELINE = '111122223333';

function fleet(config = crossAccountConfig, input: unknown = {}) {
  const account = accountForConfig(config);
  return { account, run: () => runLocalFleet({ services: simulatedServices(account), config, input, child: { retryIntervalMs: 0 } }) };
}

describe('apply every profile (statemachine/fleet.asl.json)', () => {
  it('runs one execution per profile, each in its own account, and reports them all succeeded', async () => {
    const { account, run } = fleet();
    const result = await run();
    expect({ status: result.status, error: result.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
    expect(result.report?.counts).toEqual({ succeeded: 2, rolledBack: 0, needsAction: 0 });
    expect(result.report?.profiles.map((p) => [p.profile, p.account, p.outcome]).sort()).toEqual([
      ['admin', TARGET_ACCOUNT, 'succeeded'],
      ['agent', PIPELINE, 'succeeded'],
    ]);
    expect(Object.keys(account.snapshot().accounts[TARGET_ACCOUNT]!.samlProviders)).toHaveLength(1);
    expect(Object.keys(account.snapshot().iam.samlProviders)).toEqual([`arn:aws:iam::${PIPELINE}:saml-provider/AmazonConnectAgentAccess`]);
    expect(account.notifications.messages.at(-1)?.subject).toBe('SAML federation fleet: all 2 profile(s) succeeded');
    // Each child took and released its own profile's lock.
    expect(account.snapshot().lockTable).toEqual({});
  });

  it('reports a profile whose execution rolled back, and the others as they ended', async () => {
    const { account, run } = fleet();
    account.faults.inject({ service: 'iam', operation: 'CreateRole', error: 'AccessDenied', when: (call) => call.account === TARGET_ACCOUNT });
    const result = await run();
    expect(result.status).toBe('SUCCEEDED');
    expect(result.report?.profiles.map((p) => [p.profile, p.outcome, p.error]).sort()).toEqual([
      ['admin', 'rolled back', 'Provisioning.RolledBack'],
      ['agent', 'succeeded', undefined],
    ]);
    expect(account.snapshot().accounts[TARGET_ACCOUNT]!.samlProviders).toEqual({});
    expect(account.notifications.messages.at(-1)?.message).toContain(
      'Rolled back (nothing left changed; fix the cause and run again):\n  admin (account 222222222222): Provisioning.RolledBack',
    );
  });

  it('ends Fleet.NeedsAction naming a profile whose rollback left something', async () => {
    const { account, run } = fleet();
    account.faults.inject({ service: 'iam', operation: 'CreateRole', error: 'AccessDenied', when: (call) => call.account === TARGET_ACCOUNT });
    account.faults.inject({ service: 'iam', operation: 'DeleteSAMLProvider', error: 'AccessDenied', times: Infinity });
    const result = await run();
    expect({ status: result.status, error: result.error }).toEqual({ status: 'FAILED', error: 'Fleet.NeedsAction' });
    expect(result.report?.profiles.find((p) => p.profile === 'admin')).toMatchObject({ outcome: 'needs action', error: 'Rollback.Incomplete' });
    expect(account.notifications.messages.at(-1)?.subject).toBe('SAML federation fleet: 1 profile(s) need action');
  });

  it("runs at most the account's concurrency of executions at once in one account", async () => {
    const profiles: Record<string, unknown> = {};
    for (const name of ['admin', 'agent']) profiles[name] = crossAccountConfig.profiles[name];
    const admin = crossAccountConfig.profiles.admin!;
    for (const i of [1, 2])
      profiles[`extra${i}`] = {
        ...admin,
        identityProvider: { name: `Extra${i}` },
        role: { ...admin.role, name: `Extra${i}Role` },
        application: { displayName: `Extra ${i}`, instanceArn: admin.application.instanceArn },
      };
    const config = parseFederationConfig({ ...crossAccountConfig, fleet: { concurrencyPerAccount: 1 }, profiles });
    const { run } = fleet(config);
    const result = await run();
    expect(result.report?.counts).toEqual({ succeeded: 4, rolledBack: 0, needsAction: 0 });
    const inTarget = result.timings.filter((t) => t.account === TARGET_ACCOUNT).sort((a, b) => a.started - b.started);
    expect(inTarget).toHaveLength(3);
    for (let i = 1; i < inTarget.length; i++) expect(inTarget[i]!.started).toBeGreaterThanOrEqual(inTarget[i - 1]!.ended);
  });

  it('refuses a profile the configuration does not define, before starting anything', async () => {
    const { run } = fleet(crossAccountConfig, { profiles: ['admin', 'nobody'] });
    const result = await run();
    expect({ status: result.status, error: result.error, started: result.children.length }).toEqual({
      status: 'FAILED',
      error: 'Fleet.RequestInvalid',
      started: 0,
    });
    expect(result.cause).toContain('unknown profile(s) nobody; the configuration defines: admin, agent');
  });
});
