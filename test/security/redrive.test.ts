/**
 * Property 3: no step acts without its lease, redrive included. Step Functions can redrive a failed, stopped or
 * timed-out execution for 14 days: it resumes at the state that did not succeed, under the same name, with the input
 * recorded there, and never passes through the lock again. Whoever may redrive (an operator with
 * states:RedriveExecution) must not be able to make such a run change the account after the execution's cleanup
 * reverted it and a newer execution took the profile.
 */

import { type LocalExecutionResult, runLocalExecution } from '../../local/runner';
import { simulatedServices } from '../../local/simulated-services';
import { makeMetadataXml, makeSelfSignedCertificate } from '../../simulated-account/example-metadata';
import { runLocalCleanup } from '../helpers/cleanup';
import { admin, config, execute, metadataV1, resources, startingAccount } from '../local/workflow-harness';

const PROVIDER = `arn:aws:iam::111122223333:saml-provider/${admin.identityProvider.name}`;

/** The input Step Functions recorded when the execution entered `state` (its last entry): what a redrive resumes with. */
function inputAt(result: LocalExecutionResult, state: string): unknown {
  const entered = result.timeline.filter((entry) => entry.event === 'entered' && entry.state === state);
  const last = entered.at(-1);
  if (!last) throw new Error(`execution ${result.executionName} never entered "${state}"`);
  return last.input;
}

describe('a redriven execution', () => {
  it("cannot restore superseded metadata over a newer execution's after its cleanup reverted it", async () => {
    const account = await startingAccount('provider exists');
    const services = simulatedServices(account);
    const stopAt = 'Map Role attribute in IAM Identity Center';
    // X installs V1, then is stopped before the mapping; its cleanup reverts it and frees the profile.
    const stopped = await execute(account, { xml: metadataV1, executionName: 'x', stop: { state: stopAt, when: 'before' } });
    expect(stopped.status).toBe('ABORTED');
    expect((await runLocalCleanup(stopped, { services, config })).action).toBe('rolled-back');
    // Y, newer, installs V3 and ends.
    const v3 = makeMetadataXml({ certificatePem: makeSelfSignedCertificate({ commonName: 'amazonaws.com' }).certificatePem });
    expect((await execute(account, { xml: v3, executionName: 'y', key: 'metadata/admin/newer.xml' })).status).toBe('SUCCEEDED');
    const afterNewer = resources(account);

    // X is redriven from the state it stopped at; its mapping fails this time (the console API refuses its read), so its
    // rollback runs.
    account.faults.inject({ service: 'swb', operation: 'GetApplicationInstance', error: 'AccessDeniedException' });
    const redriven = await runLocalExecution({
      services,
      config,
      input: inputAt(stopped, stopAt),
      executionName: 'x',
      retryIntervalMs: 0,
      redrive: { from: stopAt, count: 1 },
    });

    expect(redriven).toMatchObject({ status: 'FAILED', error: 'Lock.NotHeld' });
    expect(resources(account)).toEqual(afterNewer);
    expect(account.snapshot().iam.samlProviders[PROVIDER]!.metadataDocument).toBe(v3);
  });

  it('redriven before its cleanup ran, cannot free the lock the stopped execution still holds and so let a newer execution in', async () => {
    const account = await startingAccount('provider exists');
    const services = simulatedServices(account);
    const state = 'Attach permissions policy';
    const stopped = await execute(account, { xml: metadataV1, executionName: 'x', stop: { state, when: 'before' } });
    expect(account.snapshot().lockTable.admin?.lease).toBe('x#0');

    // Within the cleanup's settling time, the stopped execution is redriven.
    const redriven = await runLocalExecution({
      services,
      config,
      input: inputAt(stopped, state),
      executionName: 'x',
      retryIntervalMs: 0,
      redrive: { from: state, count: 1 },
    });

    expect(redriven).toMatchObject({ status: 'FAILED', error: 'Lock.NotHeld' });
    expect(account.snapshot().lockTable.admin?.lease).toBe('x#0');
    // So the cleanup still finds the profile its own to take over, and reverts what the stopped execution changed.
    const cleanup = await runLocalCleanup(stopped, { services, config });
    expect(cleanup.action).toBe('rolled-back');
    expect(account.snapshot().lockTable).toEqual({});
  });

  it('redriven at "Take profile lock", takes the lock under its own lease but acts under none, and frees it', async () => {
    const account = await startingAccount('provider exists');
    const services = simulatedServices(account);
    const before = resources(account);
    const state = 'Take profile lock';
    const stopped = await execute(account, { xml: metadataV1, executionName: 'x', stop: { state, when: 'before' } });
    await runLocalCleanup(stopped, { services, config });

    const redriven = await runLocalExecution({
      services,
      config,
      input: inputAt(stopped, state),
      executionName: 'x',
      retryIntervalMs: 0,
      redrive: { from: state, count: 1 },
    });

    expect(redriven).toMatchObject({ status: 'FAILED', error: 'Lock.NotHeld' });
    expect(resources(account)).toEqual(before);
  });
});
