/**
 * As operator with states:StartExecution / RedriveExecution / SendTask*: a redriven execution must never
 * act, nor release a lock it does not hold.
 */

import { type LocalExecutionResult, runLocalExecution } from '../../local/runner';
import { simulatedServices } from '../../local/simulated-services';
import { makeMetadataXml, makeSelfSignedCertificate } from '../../simulated-account/example-metadata';
import { runLocalCleanup } from '../helpers/cleanup';
import { config, creatingConfig, execute, metadataV1, resources, startingAccount } from '../local/workflow-harness';

function inputAt(result: LocalExecutionResult, state: string): unknown {
  const last = result.timeline.filter((entry) => entry.event === 'entered' && entry.state === state).at(-1);
  if (!last) throw new Error(`execution ${result.executionName} never entered "${state}"`);
  return last.input;
}

describe('redrive', () => {
  it('a manual-mode execution redriven at the operator wait after its cleanup, then rejected, changes nothing', async () => {
    const account = await startingAccount('provider exists');
    const services = simulatedServices(account);
    config.profiles.admin!.attributeMapping.mode = 'manual';
    try {
      const wait = 'Wait for operator to map attributes';
      const stopped = await execute(account, { xml: metadataV1, executionName: 'x', stop: { state: wait, when: 'before' } });
      expect(stopped.status).toBe('ABORTED');
      expect((await runLocalCleanup(stopped, { services, config })).action).toBe('rolled-back');
      const v3 = makeMetadataXml({ certificatePem: makeSelfSignedCertificate({ commonName: 'amazonaws.com' }).certificatePem });
      const newer = await execute(account, { xml: v3, executionName: 'y', key: 'metadata/admin/newer.xml', operator: async () => ({}) });
      expect(newer.status).toBe('SUCCEEDED');
      const afterNewer = resources(account);

      const redriven = await runLocalExecution({
        services,
        config,
        input: inputAt(stopped, wait),
        executionName: 'x',
        retryIntervalMs: 0,
        redrive: { from: wait, count: 1 },
        operator: async () => {
          throw Object.assign(new Error('no'), { name: 'Mapping.RejectedByOperator' });
        },
      });
      expect(redriven.status).toBe('FAILED');
      expect(resources(account)).toEqual(afterNewer);
    } finally {
      config.profiles.admin!.attributeMapping.mode = 'api';
    }
  });

  it("an application.create execution redriven at the new application's Intake after its cleanup changes nothing", async () => {
    const account = await startingAccount('empty account', {}, creatingConfig);
    const services = simulatedServices(account);
    const state = "Validate the new application's metadata";
    const stopped = await execute(account, { createApplication: true, executionName: 'x', stop: { state, when: 'before' } });
    expect(stopped.status).toBe('ABORTED');
    await runLocalCleanup(stopped, { services, config: creatingConfig });
    const newer = await execute(account, { createApplication: true, executionName: 'y' });
    expect(newer.status).toBe('SUCCEEDED');
    const afterNewer = resources(account);

    const redriven = await runLocalExecution({
      services,
      config: creatingConfig,
      input: inputAt(stopped, state),
      executionName: 'x',
      retryIntervalMs: 0,
      redrive: { from: state, count: 1 },
    });
    expect(redriven.status).toBe('FAILED');
    expect(resources(account)).toEqual(afterNewer);
    expect(account.snapshot().lockTable).toEqual({});
  });

  it('redriven at "Take profile lock" while a newer execution holds the profile, neither takes nor frees its lock', async () => {
    const account = await startingAccount('provider exists');
    const services = simulatedServices(account);
    const state = 'Take profile lock';
    const stopped = await execute(account, { xml: metadataV1, executionName: 'x', stop: { state, when: 'before' } });
    await runLocalCleanup(stopped, { services, config });
    // y is stopped mid-way (holding the lock, its cleanup not yet run).
    const y = await execute(account, {
      xml: metadataV1,
      executionName: 'y',
      key: 'metadata/admin/y.xml',
      stop: { state: 'Attach permissions policy', when: 'before' },
    });
    expect(account.snapshot().lockTable.admin?.lease).toBe('y#0');
    const before = resources(account);
    const redriven = await runLocalExecution({
      services,
      config,
      input: inputAt(stopped, state),
      executionName: 'x',
      retryIntervalMs: 0,
      redrive: { from: state, count: 1 },
    });
    expect(redriven.status).toBe('FAILED');
    expect(account.snapshot().lockTable.admin?.lease).toBe('y#0');
    expect(resources(account)).toEqual(before);
    void y;
  });
});
