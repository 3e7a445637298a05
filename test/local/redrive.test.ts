/**
 * A redrive from every Task state (Step Functions' RedriveExecution, for 14 days after an execution failed, timed out
 * or was stopped): the run resumes at that state, under the same name, with the input recorded there and
 * `$$.Execution.RedriveCount` set, and never passes through the lock again. Here the execution was stopped at the
 * state, its cleanup reverted it, and a newer execution provisioned the profile; the redrive must end with the lease
 * refusal and leave the account as the newer execution left it, holding no lock.
 */

import { signInStep } from '../../lambdas/sign-in/step';
import { STEPS } from '../../lambdas/steps';
import { WORKFLOW_ERRORS } from '../../lambdas/workflow-errors';
import { type LocalExecutionResult, runLocalExecution } from '../../local/runner';
import { simulatedServices } from '../../local/simulated-services';
import type { SimulatedAccount } from '../../simulated-account';
import { makeMetadataXml, makeSelfSignedCertificate } from '../../simulated-account/example-metadata';
import { rawDefinition } from '../../statemachine/definition';
import { runLocalCleanup } from '../helpers/cleanup';
import { config, creatingConfig, execute, metadataV1, resources, startingAccount } from './workflow-harness';

/** How the stopped execution reaches a state: its configuration, and what the account does meanwhile. */
interface Route {
  config?: typeof config;
  /** The mapping's first write is refused, so the execution takes its rollback path. */
  rollback?: boolean;
  manual?: boolean;
  /** Another execution holds the profile when this one starts (it waits, and finds the holder). */
  lockHeld?: boolean;
}

const ROLLBACK: Route = { rollback: true };
const MANUAL_CONFIG = {
  ...config,
  profiles: {
    ...config.profiles,
    admin: { ...config.profiles.admin!, attributeMapping: { ...config.profiles.admin!.attributeMapping, mode: 'manual' as const } },
  },
};

/**
 * Task states no rollback passes through: the sign-in check's revert is reached only when its function itself fails,
 * and it changes nothing (the run goes on to its outcome, never back through the earlier reverts).
 */
const UNREACHABLE: ReadonlySet<string> = new Set([signInStep.revert.state]);

/** Every Task state, and the route an execution takes to be stopped there. */
const ROUTES: Record<string, Route> = {
  'Validate metadata': {},
  'Take profile lock': {},
  'Find lock holder': { lockHeld: true },
  "Validate the new application's metadata": { config: creatingConfig },
  // Each registered step's apply on the way through, its revert on the way back.
  ...Object.fromEntries(
    STEPS.flatMap((step) => [[step.apply.state, {}] as const, [step.revert.state, ROLLBACK] as const]).filter(([state]) => !UNREACHABLE.has(state)),
  ),
  'Wait for operator to map attributes': { manual: true },
  'Describe outcome': {},
  'Notify outcome': {},
  'Release profile lock': {},
  'Release profile lock after rollback': ROLLBACK,
};

/**
 * States after the last one that can change anything or judge the outcome: a redrive there changes nothing and takes
 * no lock, but ends as the path it resumes on does (its notification repeats the judgement made before the stop).
 * "Find lock holder" is on the path of an execution that never got the lock.
 */
const ENDS_AS_ITS_PATH: ReadonlySet<string> = new Set([
  'Find lock holder',
  'Notify outcome',
  'Release profile lock',
  'Release profile lock after rollback',
]);

const confirm = async () => ({ confirmed: true });
const NEWER = makeMetadataXml({ certificatePem: makeSelfSignedCertificate({ commonName: 'amazonaws.com' }).certificatePem });

function inputAt(result: LocalExecutionResult, state: string): unknown {
  const entered = result.timeline.filter((entry) => entry.event === 'entered' && entry.state === state);
  const last = entered.at(-1);
  if (!last) throw new Error(`execution ${result.executionName} never entered "${state}"`);
  return last.input;
}

async function stoppedAt(account: SimulatedAccount, state: string, route: Route): Promise<LocalExecutionResult> {
  if (route.rollback)
    account.faults.inject({ service: 'swb', operation: 'UpdateApplicationInstanceResponseConfiguration', error: 'AccessDeniedException' });
  if (route.lockHeld) await account.lock.put({ profile: 'admin', owner: 'other', lease: 'other#0', expiresAt: '2999-01-01T00:00:00.000Z' });
  const configuration = route.manual ? MANUAL_CONFIG : route.config;
  return execute(account, {
    xml: metadataV1,
    executionName: 'x',
    stop: { state, when: 'before' },
    ...(configuration ? { config: configuration } : {}),
    ...(configuration === creatingConfig ? { createApplication: true } : {}),
    ...(route.manual ? { operator: confirm } : {}),
  });
}

describe('a redrive of an execution its cleanup reverted, after a newer execution', () => {
  it('covers every Task state of the definition', () => {
    const tasks = Object.entries(rawDefinition().States ?? {})
      .filter(([, state]) => state.Type === 'Task')
      .map(([name]) => name);
    expect(Object.keys(ROUTES).sort()).toEqual(tasks.filter((task) => !UNREACHABLE.has(task)).sort());
  });

  it.each(Object.entries(ROUTES))('from "%s" changes nothing and holds no lock', async (state, route) => {
    const account = await startingAccount('provider exists');
    const services = simulatedServices(account);
    const configuration = route.manual ? MANUAL_CONFIG : (route.config ?? config);

    const stopped = await stoppedAt(account, state, route);
    expect(stopped.status).toBe('ABORTED');
    await runLocalCleanup(stopped, { services, config: configuration });
    if (route.lockHeld) await account.lock.release('admin', 'other#0');
    // The newer execution installs another document (or, for a profile that creates its application, creates it anew).
    const newer = await execute(account, {
      executionName: 'y',
      config: configuration,
      ...(configuration === creatingConfig ? { createApplication: true } : { xml: NEWER, key: 'metadata/admin/newer.xml' }),
      ...(route.manual ? { operator: confirm } : {}),
    });
    expect(newer.status).toBe('SUCCEEDED');
    const afterNewer = resources(account);

    const redriven = await runLocalExecution({
      services,
      config: configuration,
      input: inputAt(stopped, state),
      executionName: 'x',
      retryIntervalMs: 0,
      redrive: { from: state, count: 1 },
      ...(route.manual ? { operator: confirm } : {}),
    });

    if (!ENDS_AS_ITS_PATH.has(state))
      expect({ state, status: redriven.status, error: redriven.error }).toEqual({ state, status: 'FAILED', error: WORKFLOW_ERRORS.lockNotHeld });
    expect(resources(account)).toEqual(afterNewer);
    expect(account.snapshot().lockTable).toEqual({});
  });
});
