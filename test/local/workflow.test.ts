import { ROLE_SESSION_NAME_ATTRIBUTE } from '../../lambdas/shared/profile-schema';
import { STEPS } from '../../lambdas/steps';
import { runLocalExecution } from '../../local/runner';
import { holdDocument, SIMULATED_BUCKET, simulatedServices } from '../../local/simulated-services';
import { certificatesInMetadata, makeMetadataXml, makeRotatedMetadataXml, makeSelfSignedCertificate } from '../../simulated-account/example-metadata';
import {
  admin,
  config,
  execute,
  mappedAttributes,
  metadataV1,
  metadataV2,
  READ_ONLY,
  ROLE_ATTRIBUTE,
  receipts,
  resources,
  resourceWrites,
  startingAccount,
} from './workflow-harness';

const providerArn = `arn:aws:iam::111122223333:saml-provider/${admin.identityProvider.name}`;
const roleArn = `arn:aws:iam::111122223333:role/${admin.role.name}`;
const policyArn = `arn:aws:iam::111122223333:policy/${admin.policy.name}`;

describe('the state machine over a simulated account', () => {
  it('provisions an empty account: provider, role, policy and the Role attribute, then releases the lock', async () => {
    const account = await startingAccount('empty account');
    const result = await execute(account);
    expect(result.status).toBe('SUCCEEDED');
    const iam = account.snapshot().iam;
    expect(Object.keys(iam.samlProviders)).toEqual([providerArn]);
    expect(iam.roles[admin.role.name]).toMatchObject({ attachedPolicies: [policyArn] });
    expect(mappedAttributes(account)).toEqual({
      [ROLE_ATTRIBUTE]: [`${roleArn},${providerArn}`],
      [ROLE_SESSION_NAME_ATTRIBUTE]: ['${user:email}'],
    });
    expect(receipts(result)).toMatchObject({
      identityProvider: { action: 'created', arn: providerArn },
      role: { action: 'created', arn: roleArn },
      policy: { action: 'created' },
      attributeMapping: { action: 'updated' },
    });
    expect(account.snapshot().lockTable).toEqual({});
    expect(account.notifications.messages.map((m) => m.subject)).toEqual(['SAML federation: provisioned']);
  });

  it('with application.create, creates the application, installs its own metadata and maps it: nothing by hand', async () => {
    const account = await startingAccount('empty account');
    const result = await execute(account, { createApplication: true });
    expect(result.status).toBe('SUCCEEDED');
    const created = receipts(result).application!;
    expect(created.action).toBe('created');
    // The provider holds the metadata the new application serves, and the mapping is on the new application.
    const provider = Object.values(account.snapshot().iam.samlProviders)[0] as { metadataDocument: string };
    expect(provider.metadataDocument).toBe(account.applicationMetadata(created.arn));
    expect(receipts(result).attributeMapping).toMatchObject({ action: 'updated', arn: created.arn });
    expect(account.snapshot().ssoAdmin.applications[created.arn]).toMatchObject({ name: 'Amazon Connect - Admin (created)' });
  });

  it('with application.create, a later failure deletes the application it created: the account ends as before', async () => {
    const account = await startingAccount('empty account');
    const before = resources(account);
    account.faults.inject({ service: 'swb', operation: 'UpdateApplicationInstanceResponseConfiguration', error: 'AccessDeniedException' });
    const result = await execute(account, { createApplication: true });
    expect(result.error).toBe('Provisioning.RolledBack');
    expect(result.timeline.some((entry) => entry.state === 'Revert IAM Identity Center application' && entry.event === 'exited')).toBe(true);
    expect(Object.values(account.snapshot().ssoAdmin.applications).map((a) => a.name)).not.toContain('Amazon Connect - Admin (created)');
    const { lockTable: _a, ...after } = resources(account);
    const { lockTable: _b, ...was } = before;
    expect(after).toEqual(was);
  });

  it('a second run on an account that already matches makes zero mutating calls', async () => {
    const account = await startingAccount('empty account');
    expect((await execute(account)).status).toBe('SUCCEEDED');
    account.clearCalls();
    const second = await execute(account, { xml: metadataV1 });
    expect(second.status).toBe('SUCCEEDED');
    expect(resourceWrites(account)).toEqual([]);
    expect(Object.values(receipts(second)).map((r) => r!.action)).toEqual(STEPS.map(() => 'unchanged'));
  });

  it('a metadata rotation makes one UpdateSAMLProvider and nothing else (besides its backup and journal)', async () => {
    const account = await startingAccount('empty account');
    await execute(account);
    const roleId = account.snapshot().iam.roles[admin.role.name]!.roleId;
    account.clearCalls();
    const rotation = await execute(account, { xml: metadataV2 });
    expect(rotation.status).toBe('SUCCEEDED');
    const writes = resourceWrites(account);
    expect(writes.filter((w) => !/^s3:PutObject (journal|backups)\//.test(w))).toEqual(['iam:UpdateSAMLProvider']);
    expect(account.snapshot().iam.roles[admin.role.name]!.roleId).toBe(roleId);
  });

  it('a dry run changes nothing, takes no lock, and returns the plan', async () => {
    const account = await startingAccount('empty account');
    const before = resources(account);
    const result = await execute(account, { dryRun: true });
    expect(result.status).toBe('SUCCEEDED');
    expect(account.mutatingCalls()).toEqual([]);
    expect(resources(account)).toEqual(before);
    expect(Object.values(receipts(result)).map((r) => r!.action)).toEqual(STEPS.map(() => 'planned'));
    expect(receipts(result).identityProvider!.changes.join(' ')).toMatch(/create/i);
  });

  it('provisions with a certificate that expires within 30 days, and the notification carries the warning', async () => {
    const account = await startingAccount('empty account');
    const notAfter = new Date(Date.now() + 10 * 86_400_000);
    const xml = makeMetadataXml({ certificatePem: makeSelfSignedCertificate({ commonName: 'expiring soon', notAfter }).certificatePem });

    const result = await execute(account, { xml });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.output!.metadata.warnings).toEqual([
      expect.stringContaining('within 30 days'),
      expect.stringContaining('pins no signing certificate'),
    ]);
    const provisioned = account.notifications.messages.find((m) => m.subject === 'SAML federation: provisioned');
    expect(provisioned!.message).toMatch(/^Warning: signing certificate .* within 30 days/m);
    expect(provisioned!.message).toContain(notAfter.toISOString().slice(0, 10));
  });

  it('installs an older version only when the manual start says allowOlderVersion, and the notification says a rollback was asked for', async () => {
    const account = await startingAccount('empty account');
    const older = account.putObject(SIMULATED_BUCKET, 'metadata/admin/idp.xml', metadataV1);
    account.putObject(SIMULATED_BUCKET, 'metadata/admin/idp.xml', metadataV2);
    // The application signs with the older certificate again (set active again in the console): it vouches for V1.
    holdDocument(account, config, 'admin', metadataV1);
    const input = { bucket: SIMULATED_BUCKET, key: 'metadata/admin/idp.xml', versionId: older, allowOlderVersion: true };

    const result = await runLocalExecution({
      services: simulatedServices(account),
      config,
      input,
      executionName: 'rollback-to-older',
      retryIntervalMs: 0,
    });

    expect(result.status).toBe('SUCCEEDED');
    expect(account.snapshot().iam.samlProviders[providerArn]?.metadataDocument).toBe(metadataV1);
    const provisioned = account.notifications.messages.find((m) => m.subject === 'SAML federation: provisioned');
    expect(provisioned!.message).toContain('a rollback to older metadata was asked for');
  });

  it('keeps every state output and notification under the 256 KB limits when the metadata is as large as IAM allows', async () => {
    const LIMIT = 256 * 1024;
    // IAM takes up to 10,000,000 characters; the padding is a comment, which IAM and Intake both accept.
    const large = (xml: string) => xml.replace('?>', `?><!--${'x'.repeat(9_990_000 - xml.length)}-->`);
    const account = await startingAccount('empty account');
    const first = await execute(account, { xml: large(metadataV1) });
    const rotation = await execute(account, { xml: large(metadataV2) });

    for (const result of [first, rotation]) {
      expect(result.status).toBe('SUCCEEDED');
      const outputs = result.timeline.filter((entry) => entry.event === 'exited').map((entry) => JSON.stringify(entry.output ?? null).length);
      expect(Math.max(...outputs)).toBeLessThan(LIMIT);
    }
    expect(receipts(rotation).identityProvider!.action).toBe('updated');
    expect(Math.max(...account.notifications.messages.map((m) => Buffer.byteLength(m.message)))).toBeLessThan(LIMIT);
  });

  it('updates a pre-existing role in place and keeps the policies others attached to it', async () => {
    const account = await startingAccount('role exists with other policies');
    const roleId = account.snapshot().iam.roles[admin.role.name]!.roleId;
    const result = await execute(account);
    expect(result.status).toBe('SUCCEEDED');
    const role = account.snapshot().iam.roles[admin.role.name]!;
    expect(role.roleId).toBe(roleId);
    expect([...role.attachedPolicies].sort()).toEqual([policyArn, READ_ONLY].sort());
    expect(receipts(result).role!.action).toBe('updated');
  });

  it('rolls a pre-existing role back to its previous trust policy and keeps its other policies', async () => {
    const account = await startingAccount('role exists with other policies');
    const before = resources(account);
    account.faults.inject({
      service: 'swb',
      operation: 'UpdateApplicationInstanceResponseConfiguration',
      error: 'AccessDeniedException',
      times: Infinity,
    });
    const result = await execute(account);
    expect(result).toMatchObject({ status: 'FAILED', error: 'Provisioning.RolledBack' });
    expect(result.cause).toMatch(/Mapping\.AccessDenied/);
    expect(resources(account)).toEqual(before);
  });

  it('never interleaves two executions for one profile: the second waits for the lock', async () => {
    const account = await startingAccount('empty account');
    const rotationInProgress = makeRotatedMetadataXml({ keepPrevious: true, certificatePem: certificatesInMetadata(metadataV1)[0] });
    const [first, second] = await Promise.all([
      execute(account, { xml: metadataV1, executionName: 'first', retryIntervalMs: 25 }),
      // A rotation in progress: the application's document lists both certificates, so it vouches for the first upload too.
      execute(account, { xml: rotationInProgress, executionName: 'second', retryIntervalMs: 25, key: 'metadata/admin/rotated.xml' }),
    ]);
    expect([first.status, second.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const lockCalls = account.calls.filter((c) => c.service === 'dynamodb' && c.operation === 'PutItem');
    expect(lockCalls.some((c) => c.outcome === 'DynamoDB.ConditionalCheckFailedException')).toBe(true);
    // Everything the first did precedes the second's only change, the provider update.
    const iamWrites = account.calls.filter((c) => c.service === 'iam' && c.mutating && c.outcome === 'ok').map((c) => c.operation);
    expect(iamWrites.at(-1)).toBe('UpdateSAMLProvider');
    expect(iamWrites.indexOf('UpdateSAMLProvider')).toBe(iamWrites.length - 1);
    expect(account.snapshot().lockTable).toEqual({});
  });

  it('in manual mode, a rejection by the operator rolls back everything', async () => {
    const account = await startingAccount('empty account');
    const before = resources(account);
    const { config } = await import('./workflow-harness');
    config.profiles.admin!.attributeMapping.mode = 'manual';
    try {
      const result = await execute(account, {
        operator: async () => {
          throw Object.assign(new Error('the application belongs to another team'), { name: 'Mapping.RejectedByOperator' });
        },
      });
      expect(result).toMatchObject({ status: 'FAILED', error: 'Provisioning.RolledBack' });
      expect(result.cause).toMatch(/Mapping\.RejectedByOperator/);
      expect(resources(account)).toEqual(before);
      const waiting = account.notifications.messages.find((m) => m.subject.includes('map the attributes'));
      expect(waiting!.message).toContain(ROLE_ATTRIBUTE);
      expect(waiting!.message).toContain('npx saml-federation confirm local-task-token-');
    } finally {
      config.profiles.admin!.attributeMapping.mode = 'api';
    }
  });

  it('in manual mode, an operator who never answers: the wait times out (States.Timeout) and everything rolls back', async () => {
    const account = await startingAccount('empty account');
    const before = resources(account);
    const { config } = await import('./workflow-harness');
    config.profiles.admin!.attributeMapping.mode = 'manual';
    let answered = false;
    try {
      const result = await execute(account, {
        // The profile's timeout is at least 60 s; the runner shortens the wait to 1 s, through the same timeout machinery.
        pathTimeoutSeconds: 1,
        operator: () =>
          new Promise((resolve) =>
            setTimeout(() => {
              answered = true;
              resolve(true);
            }, 5_000).unref(),
          ),
      });
      expect(result).toMatchObject({ status: 'FAILED', error: 'Provisioning.RolledBack' });
      expect(result.cause).toMatch(/States\.Timeout/);
      expect(answered).toBe(false);
      expect(resources(account)).toEqual(before);
      expect(account.snapshot().lockTable).toEqual({});
    } finally {
      config.profiles.admin!.attributeMapping.mode = 'api';
    }
  });

  it('in manual mode, a confirmation completes the execution without calling the console API', async () => {
    const account = await startingAccount('empty account');
    const { config } = await import('./workflow-harness');
    config.profiles.admin!.attributeMapping.mode = 'manual';
    try {
      const result = await execute(account, { operator: async () => ({ confirmed: true }) });
      expect(result.status).toBe('SUCCEEDED');
      expect(account.calls.filter((c) => c.service === 'swb')).toEqual([]);
    } finally {
      config.profiles.admin!.attributeMapping.mode = 'api';
    }
  });
});
