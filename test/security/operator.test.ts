/**
 * Attacks by an operator: someone who may start executions with any input, answer the manual mapping wait with any
 * task result, and stop executions. None of it may make a revert undo what an execution did not do, or install
 * metadata the bucket's current version does not hold.
 */

import { runLocalExecution } from '../../local/runner';
import { SIMULATED_BUCKET, simulatedServices } from '../../local/simulated-services';
import { makeMetadataXml } from '../../simulated-account/example-metadata';
import { runLocalCleanup } from '../helpers/cleanup';
import { admin, config, execute, metadataV1, metadataV2, resources, startingAccount } from '../local/workflow-harness';

const PROVIDER = `arn:aws:iam::111122223333:saml-provider/${admin.identityProvider.name}`;
/** Two executions of one name must start at different instants, as they do in AWS (90 days apart at least). */
const nextInstant = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('an operator', () => {
  it("cannot reuse an earlier execution's name to make a rollback delete what that execution created", async () => {
    const account = await startingAccount('empty account');
    expect((await execute(account, { xml: metadataV1, executionName: 'rotate' })).status).toBe('SUCCEEDED');
    const provisioned = resources(account);
    await nextInstant();
    // Step Functions frees a name 90 days after its execution closed; this one fails at the mapping and rolls back.
    // The mapping step's read of the application fails (Intake's read of its metadata URL is the first).
    account.faults.inject({ service: 'swb', operation: 'GetApplicationInstance', nth: 2, error: 'AccessDeniedException' });
    const again = await execute(account, { xml: metadataV1, executionName: 'rotate', key: 'metadata/admin/again.xml' });

    expect(again).toMatchObject({ status: 'FAILED', error: 'Provisioning.RolledBack' });
    expect(resources(account)).toEqual(provisioned);
  });

  it('cannot install an older version by shaping a manual start like an upload event', async () => {
    const account = await startingAccount('empty account');
    const key = 'metadata/admin/idp.xml';
    const older = account.putObject(SIMULATED_BUCKET, key, metadataV1);
    expect((await execute(account, { xml: metadataV2, executionName: 'now' })).status).toBe('SUCCEEDED');

    const forged = await runLocalExecution({
      services: simulatedServices(account),
      config,
      retryIntervalMs: 0,
      executionName: 'forged-event',
      input: {
        source: 'aws.s3',
        'detail-type': 'Object Created',
        detail: { bucket: { name: SIMULATED_BUCKET }, object: { key, 'version-id': older } },
      },
    });

    expect(forged).toMatchObject({ status: 'FAILED', error: 'Request.NotCurrentVersion' });
    expect(account.snapshot().iam.samlProviders[PROVIDER]!.metadataDocument).toBe(metadataV2);
  });

  it('cannot keep a manual-mode execution waiting past its lock lease, so no other execution runs under it', async () => {
    const account = await startingAccount('empty account');
    const mode = config.profiles.admin!.attributeMapping.mode;
    config.profiles.admin!.attributeMapping.mode = 'manual';
    try {
      const confirm = async () => ({ confirmed: true });
      expect((await execute(account, { xml: metadataV1, executionName: 'e0', operator: confirm })).status).toBe('SUCCEEDED');
      // The execution started two days ago; the operator restarted the wait by failing it with a publish error's name.
      const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
      let waits = 0;
      let other: Awaited<ReturnType<typeof execute>> | undefined;
      const waiting = await execute(account, {
        xml: metadataV2,
        executionName: 'x',
        key: 'metadata/admin/x.xml',
        clock: () => twoDaysAgo,
        operator: async () => {
          waits += 1;
          if (waits === 1) throw Object.assign(new Error('re-arm'), { name: 'SNS.ThrottledException' });
          other = await execute(account, { xml: makeMetadataXml(), executionName: 'y', key: 'metadata/admin/y.xml', operator: confirm });
          throw Object.assign(new Error('rejected'), { name: 'Mapping.RejectedByOperator' });
        },
      });

      expect(waits).toBe(2);
      // The other execution could not take the profile: the waiting one's lease lasts as long as any execution can.
      expect(other).toMatchObject({ status: 'FAILED', error: 'Lock.Timeout' });
      expect(waiting).toMatchObject({ status: 'FAILED', error: 'Provisioning.RolledBack' });
      expect(account.snapshot().iam.samlProviders[PROVIDER]!.metadataDocument).toBe(metadataV1);
    } finally {
      config.profiles.admin!.attributeMapping.mode = mode;
    }
  });
});

describe('whoever stops an execution', () => {
  it('cannot make a second delivery of its status change undo a newer execution', async () => {
    const account = await startingAccount('empty account');
    expect((await execute(account, { xml: metadataV1, executionName: 'e0' })).status).toBe('SUCCEEDED');
    const stopped = await execute(account, {
      xml: metadataV2,
      executionName: 'x',
      key: 'metadata/admin/rotated.xml',
      stop: { state: 'Create or update federation role', when: 'before' },
    });
    expect(stopped.status).toBe('ABORTED');
    expect((await runLocalCleanup(stopped, { services: simulatedServices(account), config })).action).toBe('rolled-back');
    expect((await execute(account, { xml: metadataV2, executionName: 'z', key: 'metadata/admin/rotated-again.xml' })).status).toBe('SUCCEEDED');
    const afterNewer = resources(account);

    // EventBridge delivers at least once; Lambda retries a cleanup that failed after it freed the lock.
    const again = await runLocalCleanup(stopped, { services: simulatedServices(account), config });

    expect(again.action).toBe('already-cleaned');
    expect(resources(account)).toEqual(afterNewer);
    expect(account.snapshot().iam.samlProviders[PROVIDER]!.metadataDocument).toBe(metadataV2);
  });
});
