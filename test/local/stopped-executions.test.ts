/**
 * Nothing outlives its execution: an execution stopped at any state (StopExecution, the state machine's timeout, a
 * failure no Catch sees) is cleaned up by the status-change rule's cleanup, which the local runner models: the account
 * ends as it was before the execution and the execution holds no lock.
 */

import type { FederationConfig } from '../../lambdas/shared/profile';
import { STEP_NAMES, type StepName, stepNamed } from '../../lambdas/steps';
import { endStateNames, type LocalExecutionResult, type StopAt } from '../../local/runner';
import { simulatedServices } from '../../local/simulated-services';
import type { Fault, FaultSpec, SimulatedAccount } from '../../simulated-account';
import { rawDefinition } from '../../statemachine/definition';
import { runLocalCleanup } from '../helpers/cleanup';
import { config, connectUsersConfig, execute, resources, type StartingState, startingAccount } from './workflow-harness';

const OTHER_EXECUTION = 'someone-elses-execution';
const FAR_FUTURE = '2999-01-01T00:00:00.000Z';

/** One way through the state machine, and what sets the account up for it. */
interface Path {
  name: string;
  start: StartingState;
  /** Faults and other actors, armed on the account just before the execution starts. */
  arrange?: (account: SimulatedAccount) => Promise<Fault[]> | Fault[];
  run?: Parameters<typeof execute>[1];
  /** The configuration the account is made for and the execution runs with (default: the example's). */
  configuration?: FederationConfig;
  manual?: boolean;
  /** Another execution holds the profile's lock before this one starts. */
  lockHeldByOther?: boolean;
}

/** The mapping's write fails for good; the rollback starts there. */
const MAPPING_REFUSED: FaultSpec = {
  service: 'swb',
  operation: 'UpdateApplicationInstanceResponseConfiguration',
  error: 'Mapping.AccessDenied',
};

/** Faults that make the mapping fail, then one step's revert fail for good, in an empty account. */
const REVERT_REFUSED: Partial<Record<StepName, FaultSpec[]>> = {
  // With an application this execution created (the path runs creatingConfig), its deletion is refused for good.
  application: [
    MAPPING_REFUSED,
    { service: 'swb', operation: 'DeleteApplicationInstance', error: 'AccessDeniedException', times: Number.POSITIVE_INFINITY },
  ],
  identityProvider: [MAPPING_REFUSED, { service: 'iam', operation: 'DeleteSAMLProvider', error: 'AccessDenied', times: Number.POSITIVE_INFINITY }],
  role: [MAPPING_REFUSED, { service: 'iam', operation: 'DeleteRole', error: 'AccessDenied', times: Number.POSITIVE_INFINITY }],
  policy: [MAPPING_REFUSED, { service: 'iam', operation: 'DeletePolicy', error: 'AccessDenied', times: Number.POSITIVE_INFINITY }],
  assignments: [
    MAPPING_REFUSED,
    { service: 'sso-admin', operation: 'DeleteApplicationAssignment', error: 'AccessDenied', times: Number.POSITIVE_INFINITY },
  ],
  // With a Connect user this execution created (the path runs connectUsersConfig), its deletion is refused for good.
  connectUsers: [MAPPING_REFUSED, { service: 'connect', operation: 'DeleteUser', error: 'AccessDeniedException', times: Number.POSITIVE_INFINITY }],
  // The apply's write takes effect and then fails (so its revert has a mapping to write back); every write after it is refused.
  attributeMapping: [
    { ...MAPPING_REFUSED, afterEffect: true },
    { ...MAPPING_REFUSED, nth: 2, times: Number.POSITIVE_INFINITY },
  ],
};

const PATHS: Path[] = [
  { name: 'provisioning an empty account', start: 'empty account' },
  { name: 'provisioning over an existing role', start: 'role exists with other policies' },
  {
    name: 'a rollback after the mapping fails',
    start: 'mapping exists',
    arrange: (account) => [account.faults.inject(MAPPING_REFUSED)],
  },
  // A step whose revert changes nothing (the sign-in check) has no rollback that could stop in it.
  ...STEP_NAMES.filter((step) => REVERT_REFUSED[step] !== undefined).map(
    (step): Path => ({
      name: `a rollback that stops at the ${stepNamed(step).label.toLowerCase()} revert`,
      start: 'empty account',
      arrange: (account) => (REVERT_REFUSED[step] ?? []).map((spec) => account.faults.inject(spec)),
      // Only an application (or a Connect user) the execution created has a revert that deletes anything.
      ...(step === 'application' ? { run: { createApplication: true } } : {}),
      ...(step === 'connectUsers' ? { configuration: connectUsersConfig } : {}),
    }),
  ),
  { name: 'a dry run', start: 'empty account', run: { dryRun: true } },
  { name: 'creating the application, then provisioning', start: 'empty account', run: { createApplication: true } },
  { name: 'a dry run that would create the application', start: 'empty account', run: { createApplication: true, dryRun: true } },
  { name: 'rejected metadata', start: 'empty account', run: { xml: '<not-metadata/>' } },
  { name: 'a profile another execution holds', start: 'empty account', lockHeldByOther: true },
  {
    name: 'a profile whose holder lets go while this execution reads who holds it',
    start: 'empty account',
    lockHeldByOther: true,
    arrange: (account) => {
      account.interleave({ service: 'dynamodb', operation: 'GetItem' }, () => account.lock.release('admin', OTHER_EXECUTION));
      return [];
    },
  },
  { name: 'a manual mapping the operator confirms', start: 'empty account', manual: true, run: { operator: async () => ({ confirmed: true }) } },
];

/** States the sweep cannot stop at, and why. */
const NOT_SWEPT: Record<string, string> = {
  'Revert sign-in check':
    'reached only when the sign-in check function itself fails (test/lambdas/sign-in covers it), and it changes nothing: the run goes on to its outcome',
  'Outcome not described':
    'entered only when the outcome function itself fails, which no fault in the account can cause (it calls no AWS API); test/statemachine covers where it leads',
};

interface Arranged {
  account: SimulatedAccount;
  faults: Fault[];
  before: ReturnType<typeof withoutLocks>;
  locksBefore: ReturnType<SimulatedAccount['snapshot']>['lockTable'];
}

function withoutLocks(account: SimulatedAccount) {
  const { lockTable: _locks, ...rest } = resources(account);
  return rest;
}

async function arrange(path: Path): Promise<Arranged> {
  const account = await startingAccount(path.start, {}, path.configuration ?? config);
  if (path.lockHeldByOther)
    await account.seed(async () =>
      account.lock.put({ profile: 'admin', owner: OTHER_EXECUTION, lease: `${OTHER_EXECUTION}#0`, expiresAt: FAR_FUTURE }),
    );
  const before = withoutLocks(account);
  const locksBefore = account.snapshot().lockTable;
  const faults = (await path.arrange?.(account)) ?? [];
  return { account, faults, before, locksBefore };
}

async function run(path: Path, account: SimulatedAccount, stop?: StopAt): Promise<LocalExecutionResult> {
  const mode = config.profiles.admin!.attributeMapping.mode;
  if (path.manual) config.profiles.admin!.attributeMapping.mode = 'manual';
  try {
    return await execute(account, { ...path.run, ...(path.configuration ? { config: path.configuration } : {}), ...(stop ? { stop } : {}) });
  } finally {
    config.profiles.admin!.attributeMapping.mode = mode;
  }
}

const TASKS = new Set(
  Object.entries(rawDefinition().States ?? {})
    .filter(([, state]) => state.Type === 'Task')
    .map(([name]) => name),
);
const END_STATES = endStateNames();

/** Where an execution along the path can be stopped: each state it enters but its end (an execution at its end state has ended). */
function stopsAlong(result: LocalExecutionResult): StopAt[] {
  const entered = [...new Set(result.timeline.filter((entry) => entry.event === 'entered').map((entry) => entry.state))].filter(
    (state) => !END_STATES.has(state),
  );
  return entered.flatMap((state): StopAt[] =>
    TASKS.has(state)
      ? [
          { state, when: 'before' },
          { state, when: 'after' },
        ]
      : [{ state }],
  );
}

const swept = new Set<string>();

describe('stopped at every state: the account ends as before and the lock is free', () => {
  it.each(PATHS.map((path) => [path.name, path] as const))('along %s', async (_name, path) => {
    const baseline = await arrange(path);
    const uninterrupted = await run(path, baseline.account);
    const stops = stopsAlong(uninterrupted);
    expect(stops.length).toBeGreaterThan(0);
    for (const stop of stops) {
      for (const status of stop.when === 'before' ? (['ABORTED', 'TIMED_OUT'] as const) : (['ABORTED'] as const)) {
        const label = `${path.name}: ${status} at "${stop.state}"${stop.when ? ` (${stop.when} its work)` : ''}`;
        const { account, faults, before, locksBefore } = await arrange(path);
        const stopped = await run(path, account, { ...stop, status });
        expect({ label, status: stopped.status }).toEqual({ label, status });
        // The cleanup runs later, once whatever made AWS refuse a call has passed: what the sweep asks of every stop
        // is that the cleanup finishes the job.
        for (const fault of faults) fault.remove();
        const cleanup = await runLocalCleanup(stopped, { services: simulatedServices(account), config: path.configuration ?? config });
        expect({ label, action: ['rolled-back', 'nothing-changed'].includes(cleanup.action) }).toEqual({ label, action: true });
        expect({ label, account: withoutLocks(account) }).toEqual({ label, account: before });
        const held = Object.values(account.snapshot().lockTable).filter((item) => item.owner === stopped.executionName);
        expect({ label, held }).toEqual({ label, held: [] });
        if (!path.lockHeldByOther) expect({ label, locks: account.snapshot().lockTable }).toEqual({ label, locks: locksBefore });
        swept.add(stop.state);
      }
    }
  });

  it('covers every state of the machine but its end states and those it says it cannot reach', () => {
    const states = Object.keys(rawDefinition().States ?? {}).filter((state) => !END_STATES.has(state));
    expect(states.filter((state) => !swept.has(state) && !(state in NOT_SWEPT))).toEqual([]);
  });
});
