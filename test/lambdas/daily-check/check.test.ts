import { type CheckDeps, checkProfile, EXPIRY_NOTICE_DAYS } from '../../../lambdas/daily-check/check';
import { validateMetadata } from '../../../lambdas/intake/metadata';
import type { FederationConfig } from '../../../lambdas/shared/profile';
import { DAILY_CHECK_KEY, functionRoleArn } from '../../../lambdas/shared/target-account';
import { runLocalExecution } from '../../../local/runner';
import { accountForConfig, SIMULATED_BUCKET, simulatedServices } from '../../../local/simulated-services';
import { exampleConfig, exampleProfile } from '../../helpers/document';
import { crossAccountConfig, TARGET_ACCOUNT } from '../../local/workflow-harness';

const DAY = 86_400_000;
const ADMIN_APP = exampleProfile('admin').application.arn!;
const PROVIDER = 'arn:aws:iam::111122223333:saml-provider/AmazonConnectAdminAccess';

/** A simulated account on a clock the test moves, and the daily check wired to it as the deployed function is. */
function world(config: FederationConfig = exampleConfig, shapes: Parameters<typeof accountForConfig>[1] = {}) {
  let now = new Date('2027-01-04T06:00:00.000Z');
  const account = accountForConfig(config, { clock: () => now, ...shapes });
  const services = simulatedServices(account);
  const started: Array<{ profile: string }> = [];
  const metrics: Array<[string, number]> = [];
  const unreadable: string[] = [];
  // As deployed, the check calls as its own role (a target account's read role trusts it alone).
  const clients = account.clients(functionRoleArn(account.partition, account.account, config.pipelineName, DAILY_CHECK_KEY));
  const deps: CheckDeps = {
    ...clients,
    config,
    environment: { bucket: SIMULATED_BUCKET, account: account.account, region: account.region, partition: account.partition },
    now: () => now,
    startExecution: async (input) => {
      started.push(input);
      return `arn:aws:states:us-east-1:111122223333:execution:pipeline:check-${started.length}`;
    },
    putDaysUntilExpiry: async (profile, days) => {
      metrics.push([profile, days]);
    },
    putExpiryUnreadable: async (profile) => {
      unreadable.push(profile);
    },
    publish: async (subject, message) => {
      await account.notifications.publish(subject, message);
    },
  };
  /** Runs the real state machine for each input the check asked to start, as Step Functions would. */
  const runStarted = async () => {
    for (const input of started.splice(0)) {
      const result = await runLocalExecution({ services, config, input, retryIntervalMs: 0, clock: () => now });
      expect(result.status).toBe('SUCCEEDED');
    }
  };
  const provider = async () =>
    (await account.clients().iam.send(new (await import('@aws-sdk/client-iam')).GetSAMLProviderCommand({ SAMLProviderArn: PROVIDER })))
      .SAMLMetadataDocument;
  return {
    account,
    deps,
    started,
    metrics,
    unreadable,
    runStarted,
    provider,
    advance: (days: number) => {
      now = new Date(now.getTime() + days * DAY);
    },
  };
}

describe('the daily check', () => {
  it('starts exactly one execution after a certificate rotation, which updates the provider; with no change it starts none', async () => {
    const w = world();
    // First day: no provider yet, so the check starts the execution that creates it.
    await checkProfile('admin', w.deps);
    expect(w.started).toEqual([{ profile: 'admin' }]);
    await w.runStarted();
    const installed = await w.provider();
    expect(installed).toBe(w.account.applicationMetadata(ADMIN_APP));

    // Next day, nothing changed in Identity Center: no execution.
    w.advance(1);
    expect((await checkProfile('admin', w.deps)).startedExecution).toBeUndefined();
    expect(w.started).toEqual([]);

    // Months later Identity Center rotates the certificate: exactly one execution, which installs the new metadata.
    w.advance(200);
    w.account.rotateApplicationCertificate(ADMIN_APP);
    await checkProfile('admin', w.deps);
    expect(w.started).toEqual([{ profile: 'admin' }]);
    await w.runStarted();
    const rotated = await w.provider();
    expect(rotated).not.toBe(installed);
    expect(rotated).toBe(w.account.applicationMetadata(ADMIN_APP));

    // And the day after, nothing again.
    w.advance(1);
    await checkProfile('admin', w.deps);
    expect(w.started).toEqual([]);
  });

  it('publishes the days until the active certificate expires, and notifies at 30, 14, 7 and 1 days only', async () => {
    const w = world();
    await checkProfile('admin', w.deps);
    await w.runStarted();
    const expiry = new Date(Date.parse('2027-01-04T06:00:00.000Z') + 45 * DAY + 3_600_000);
    w.account.setApplicationCertificateExpiry(ADMIN_APP, expiry);
    const notifiedOn: number[] = [];
    for (let day = 0; day < 46; day += 1) {
      const before = w.account.notifications.messages.length;
      const result = await checkProfile('admin', w.deps);
      if (w.account.notifications.messages.length > before) notifiedOn.push(result.daysUntilExpiry!);
      w.advance(1);
    }
    expect(notifiedOn).toEqual([...EXPIRY_NOTICE_DAYS]);
    expect(w.metrics.at(-1)).toEqual(['admin', 0]);
    const notice = w.account.notifications.messages.find((message) => message.subject.includes('expires in 7 day'));
    expect(notice?.message).toContain('No newer certificate exists yet');
    expect(notice?.message).toContain('AmazonConnectAdminAccess');
  });

  it.each(['consoleModel', 'idcSaml', 'huaweiClone'] as const)(
    'reads the expiry from the certificate list as the %s shapes it',
    async (certificateList) => {
      const w = world(exampleConfig, { swbShapes: { certificateList } });
      await checkProfile('admin', w.deps);
      await w.runStarted();
      w.account.setApplicationCertificateExpiry(ADMIN_APP, new Date(Date.parse('2027-01-04T06:00:00.000Z') + 30 * DAY + 3_600_000));
      expect((await checkProfile('admin', w.deps)).daysUntilExpiry).toBe(30);
      expect(w.unreadable).toEqual([]);
      // Read from the list itself, not only from the served metadata.
      const listed = await w.deps.swb.listApplicationInstanceCertificates(`ins-${ADMIN_APP.split('/apl-')[1]}`);
      expect(listed.find((certificate) => certificate.status === 'ACTIVE')?.expiryDate).toBe(
        new Date(Date.parse('2027-01-04T06:00:00.000Z') + 30 * DAY + 3_600_000).toISOString(),
      );
    },
  );

  it('reads the expiry from the metadata the application serves when the certificate list gives none', async () => {
    const w = world();
    await checkProfile('admin', w.deps);
    await w.runStarted();
    w.account.faults.inject({ service: 'swb', operation: 'ListApplicationInstanceCertificates', error: 'ValidationException', times: 1 });
    const result = await checkProfile('admin', w.deps);
    const served = validateMetadata(Buffer.from(w.account.applicationMetadata(ADMIN_APP)), new Date()).certificates[0]!;
    expect(result.daysUntilExpiry).toBe(Math.floor((Date.parse(served.notAfter) - Date.parse('2027-01-04T06:00:00.000Z')) / DAY));
    expect(w.unreadable).toEqual([]);
  });

  it('says so, in a notice and a metric, when no certificate expiry can be read at all', async () => {
    const w = world();
    await checkProfile('admin', w.deps);
    await w.runStarted();
    w.account.faults.inject({ service: 'swb', operation: 'ListApplicationInstanceCertificates', error: 'ValidationException', times: 1 });
    // An application whose served document carries a certificate that does not parse: nothing to read the expiry from.
    const result = await checkProfile('admin', { ...w.deps, fetchMetadata: async () => Buffer.from('<not-metadata/>') });
    expect(result.daysUntilExpiry).toBeUndefined();
    expect(w.unreadable).toEqual(['admin']);
    expect(result.notified).toContain('its expiry is not watched');
  });

  it('says a newer certificate is waiting to be made active, and what the next check will then do', async () => {
    const w = world();
    const expiry = new Date(Date.parse('2027-01-04T06:00:00.000Z') + 14 * DAY + 3_600_000);
    w.account.setApplicationCertificateExpiry(ADMIN_APP, expiry);
    // A newer certificate added but not yet active: rotate, then give the old one back its ACTIVE status.
    w.account.rotateApplicationCertificate(ADMIN_APP, new Date(expiry.getTime() + 1000 * DAY));
    w.account.rotateApplicationCertificate(ADMIN_APP, expiry);
    const result = await checkProfile('admin', w.deps);
    expect(result.notified).toContain('exists but is not active');
    expect(result.notified).toContain('the next daily check then installs the new metadata in IAM provider AmazonConnectAdminAccess');
  });

  it('starts the execution that creates the application when a profile with application.create has none', async () => {
    const { creatingConfig } = await import('../../local/workflow-harness');
    const account = accountForConfig(creatingConfig);
    const started: unknown[] = [];
    const result = await checkProfile('admin', {
      ...account.clients(),
      config: creatingConfig,
      environment: { bucket: SIMULATED_BUCKET, account: account.account, region: account.region, partition: account.partition },
      now: () => new Date(),
      startExecution: async (input) => {
        started.push(input);
        return 'arn:aws:states:us-east-1:111122223333:execution:pipeline:create';
      },
      putDaysUntilExpiry: async () => undefined,
      putExpiryUnreadable: async () => undefined,
      publish: async () => undefined,
    });
    expect(started).toEqual([{ profile: 'admin' }]);
    expect(result.startedExecution).toBeDefined();
    expect(account.mutatingCalls()).toEqual([]);
  });

  it('starts no execution, and says why, when an application of that name exists that the pipeline did not create', async () => {
    const { creatingConfig } = await import('../../local/workflow-harness');
    const w = world(creatingConfig);
    const theirs = w.account.addApplication({ name: creatingConfig.profiles.admin!.application.create!.displayName, status: 'ENABLED' });

    const result = await checkProfile('admin', w.deps);

    expect(w.started).toEqual([]);
    expect(result.refused).toContain(`application ${theirs} of that name exists`);
    expect(w.account.notifications.messages.map((m) => m.subject)).toEqual([
      "SAML federation: profile admin's application is not the one the pipeline created",
    ]);
  });

  it("reads a target account's provider through the read role, as the daily check's own role", async () => {
    const { account, deps } = world(crossAccountConfig);
    const result = await checkProfile('admin', deps);
    expect(result).toMatchObject({ providerCurrent: false, startedExecution: expect.any(String) });
    const read = account.calls.filter((c) => c.account === TARGET_ACCOUNT);
    expect(read.map((c) => `${c.operation} ${c.outcome}`)).toEqual(['GetSAMLProvider NoSuchEntityException']);
    expect(account.calls.find((c) => c.service === 'sts')?.input).toMatchObject({
      RoleArn: `arn:aws:iam::${TARGET_ACCOUNT}:role/connect-saml-federation-target-read`,
      RoleSessionName: 'daily-check,admin',
    });
  });
});
