import { parseRollbackIncompleteCause } from '../../../lambdas/outcome/cause';
import type { FederationConfig } from '../../../lambdas/shared/profile';
import { STEP_NAMES, type StepName } from '../../../lambdas/steps';
import { WORKFLOW_ERRORS } from '../../../lambdas/workflow-errors';
import type { LocalExecutionResult } from '../../../local/runner';
import type { CallInfo, SimulatedAccount } from '../../../simulated-account';
import { connectUsersConfig, crossAccountConfig, execute, resources, type StartingState, startingAccount } from '../workflow-harness';
import { recordTally, type SweepTally } from './summary';

/**
 * Invariant 5: after a failure at any API call, including calls inside reverts and the journal's writes, the account
 * ends exactly as before the execution or fully provisioned; anything else is Rollback.Incomplete naming what is left.
 * Every scenario starts from a fresh account and fails the Nth mutating call of the run (all services: IAM, Identity
 * Center, S3 backup writes, the record table's journal writes, the lock table).
 */

type Resources = ReturnType<typeof resources>;

/** The account's resources without the lock table, which only the pipeline reads and which expires on its own. */
function accountResources(account: SimulatedAccount): Omit<Resources, 'lockTable'> {
  const { lockTable: _lock, ...rest } = resources(account);
  return JSON.parse(JSON.stringify(rest), (key, value) =>
    // Each scenario is its own execution of its own upload: these two tags differ by design.
    (key === 'tags' || key === 'Tags') && value && typeof value === 'object'
      ? Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'saml-federation:execution' && k !== 'saml-federation:source-version'))
      : value,
  );
}

/** Ids IAM gives what this run created; a pre-existing resource keeps its id, which "as before" still compares. */
function withoutNewIds<T>(state: T): T {
  return JSON.parse(JSON.stringify(state), (key, value) => (['roleId', 'policyId', 'providerId'].includes(key) ? undefined : value));
}

/** The order the reverts run in: the last step's first. */
const CHAIN: StepName[] = [...STEP_NAMES].reverse();

/**
 * The part of the account each step owns, to check that the reverts before the one that failed did their work.
 * `before` is the account before the execution: an application the execution created (and whose own revert is what
 * failed) is the application step's to undo, its configuration included, so the mapping's view keeps to the
 * applications that were there before.
 */
const STEP_VIEWS: Record<StepName, (state: Omit<Resources, 'lockTable'>, before: Omit<Resources, 'lockTable'>) => unknown> = {
  application: (state) => Object.fromEntries(Object.entries(state.ssoAdmin.applications).map(([arn, { name, status }]) => [arn, { name, status }])),
  identityProvider: (state) => state.iam.samlProviders,
  role: (state) => Object.fromEntries(Object.entries(state.iam.roles).map(([name, { attachedPolicies: _a, ...role }]) => [name, role])),
  policy: (state) => ({
    policies: state.iam.policies,
    attached: Object.fromEntries(
      Object.entries(state.iam.roles)
        .filter(([, role]) => role.attachedPolicies.length > 0)
        .map(([name, role]) => [name, role.attachedPolicies]),
    ),
  }),
  // Who is assigned where; an application with no one assigned has nothing for this step to undo.
  assignments: (state) =>
    Object.fromEntries(
      Object.entries(state.ssoAdmin.applications)
        .filter(([, application]) => (application.assignments ?? []).length > 0)
        .map(([arn, application]) => [arn, application.assignments]),
    ),
  // The users of each Connect instance (a user is created without tags it could differ by, but for the execution's own).
  connectUsers: (state) => JSON.parse(JSON.stringify(state.connect), (key, value) => (key === 'Id' || key === 'Arn' ? undefined : value)),
  // Read only: nothing of the account is the sign-in check's.
  signIn: () => null,
  attributeMapping: (state, before) => Object.fromEntries(Object.entries(state.swb).filter(([instanceId]) => instanceId in before.swb)),
};

function stepView(state: Omit<Resources, 'lockTable'>, step: StepName, before: Omit<Resources, 'lockTable'>): unknown {
  return STEP_VIEWS[step](state, before);
}

const tally: SweepTally = { scenarios: 0, passed: 0, rolledBack: 0, provisioned: 0, incomplete: 0 };

interface Baseline {
  before: Omit<Resources, 'lockTable'>;
  provisioned: Omit<Resources, 'lockTable'>;
  mutatingCalls: number;
  /**
   * The first call a scenario fails: 1, or for a run that adds one step's writes to a path another sweep covers
   * (createConnectUsers), the journal write just before that step's first write: the calls before it are the same
   * as the other sweep's.
   */
  from: number;
  mutatingServices: string[];
  /** Steps whose receipt in the baseline run says they changed nothing: never named as left to undo. */
  unchangedSteps: StepName[];
}

/** A transient error of each service, as the state machine's retriers name them. */
const TRANSIENT: Record<string, string> = {
  iam: 'ServiceFailure',
  s3: 'SlowDown',
  records: 'ProvisionedThroughputExceededException',
  swb: 'ThrottlingException',
  connect: 'ThrottlingException',
  dynamodb: 'DynamoDB.ThrottlingException',
};

/** A transient error of the service at the Nth mutating call; with `answerLost`, the call is applied before it fails. */
function transientAt(base: Baseline, n: number, answerLost = false) {
  return {
    nth: n,
    mutatingOnly: true,
    ...(answerLost ? { afterEffect: true } : {}),
    error: TRANSIENT[base.mutatingServices[n - 1]!] ?? 'Throttling',
  };
}

async function baseline(state: StartingState, run: SweepRun): Promise<Baseline> {
  const account = await starting(state, run);
  const before = accountResources(account);
  const result = await executeRun(account, run);
  expect(result.status).toBe('SUCCEEDED');
  const mutating = account.mutatingCalls();
  const unchangedSteps = STEP_NAMES.filter((step) => result.output?.receipts?.[step]?.action === 'unchanged');
  return {
    before,
    provisioned: accountResources(account),
    mutatingCalls: mutating.length,
    from: run.createConnectUsers
      ? Math.max(
          1,
          mutating.findIndex((c) => c.service === 'connect'),
        )
      : 1,
    mutatingServices: mutating.map((c) => c.service),
    unchangedSteps,
  };
}

function mutatingCount(account: SimulatedAccount): number {
  return account.calls.filter((c) => c.mutating).length;
}

function judge(result: LocalExecutionResult, account: SimulatedAccount, base: Baseline, label: string): void {
  tally.scenarios += 1;
  const after = accountResources(account);
  if (result.status === 'SUCCEEDED') {
    expect({ label, after: withoutNewIds(after) }).toEqual({ label, after: withoutNewIds(base.provisioned) });
    tally.provisioned += 1;
  } else if (result.error === WORKFLOW_ERRORS.rollbackIncomplete) {
    const cause = parseRollbackIncompleteCause(result.cause);
    // A revert failed for good (the simulated account keeps tags, so no revert needs to leave anything in place):
    // what is left is that revert and every one after it in the chain.
    expect({ label, failedRevert: cause.failedRevert, leftInPlace: cause.leftInPlace }).toEqual({
      label,
      failedRevert: expect.any(String),
      leftInPlace: [],
    });
    const failedAt = CHAIN.indexOf(cause.failedRevert as StepName);
    const leftToUndo = CHAIN.slice(failedAt).filter((step) => step === cause.failedRevert || !base.unchangedSteps.includes(step));
    expect({ label, stillToUndo: cause.stillToUndo }).toEqual({ label, stillToUndo: leftToUndo });
    // Every revert before the one that failed (later steps) did its work.
    for (const step of CHAIN.slice(0, failedAt)) {
      expect({ label, step, view: stepView(after, step, base.before) }).toEqual({ label, step, view: stepView(base.before, step, base.before) });
    }
    tally.incomplete += 1;
  } else {
    expect({ label, after }).toEqual({ label, after: base.before });
    tally.rolledBack += 1;
  }
  tally.passed += 1;
}

/**
 * The sweep from one starting account. Each starting account has a test file of its own, so that the sweep's
 * executions spread over jest's workers and none holds them all; summary.ts adds the files' counts up into one line.
 */
export function sweepFrom(state: StartingState, run: SweepRun = {}): void {
  const name = run.crossAccount
    ? `${state}, IAM in another account`
    : run.createConnectUsers
      ? `${state}, Connect users created`
      : run.createApplication
        ? `${state}, application created`
        : run.fromApplication
          ? `${state}, metadata fetched from the application`
          : state;
  afterAll(() => recordTally(name, tally));
  describe(`fault sweep from "${name}"`, () => sweepScenarios(state, run));
}

/** How each execution of a sweep starts: an upload (default), or an input naming only the profile. */
export interface SweepRun {
  /** Intake fetches the application's metadata and stores it (a write of its own, which the sweep fails too). */
  fromApplication?: boolean;
  /** The admin profile creates its application first (console API writes), then takes its metadata. */
  createApplication?: boolean;
  /** The admin profile's IAM resources live in another account (crossAccountConfig), reached through assumed roles. */
  crossAccount?: boolean;
  /** The admin profile creates the Connect user of a person who has none (connectUsersConfig). */
  createConnectUsers?: boolean;
}

/** The starting account and the execution of a sweep's run. */
function configOf(run: SweepRun): FederationConfig | undefined {
  return run.crossAccount ? crossAccountConfig : run.createConnectUsers ? connectUsersConfig : undefined;
}

function starting(state: StartingState, run: SweepRun): Promise<SimulatedAccount> {
  const configuration = configOf(run);
  return configuration ? startingAccount(state, {}, configuration) : startingAccount(state);
}

function executeRun(account: SimulatedAccount, run: SweepRun): Promise<LocalExecutionResult> {
  const { crossAccount: _cross, createConnectUsers: _users, ...options } = run;
  const configuration = configOf(run);
  return execute(account, configuration ? { ...options, config: configuration } : options);
}

function sweepScenarios(state: StartingState, run: SweepRun): void {
  let base: Baseline;
  beforeAll(async () => {
    base = await baseline(state, run);
  });

  it('a non-retryable failure at any mutating call leaves the account as before or fully provisioned', async () => {
    for (let n = base.from; n <= base.mutatingCalls; n++) {
      const account = await starting(state, run);
      const fault = account.faults.inject({ nth: n, mutatingOnly: true, error: 'AccessDenied' });
      const result = await executeRun(account, run);
      expect({ n, fired: fault.fired }).toEqual({ n, fired: 1 });
      judge(result, account, base, `${state}: AccessDenied at mutating call ${n}`);
    }
  });

  it('a transient failure at any mutating call is retried and the execution provisions everything', async () => {
    for (let n = base.from; n <= base.mutatingCalls; n++) {
      const account = await starting(state, run);
      // The call at position n is the baseline's call at n; fail it with its own service's transient error.
      account.faults.inject(transientAt(base, n));
      const result = await executeRun(account, run);
      tally.scenarios += 1;
      expect({ n, status: result.status, error: result.error }).toEqual({ n, status: 'SUCCEEDED', error: undefined });
      expect({ n, after: withoutNewIds(accountResources(account)) }).toEqual({ n, after: withoutNewIds(base.provisioned) });
      tally.passed += 1;
      tally.provisioned += 1;
    }
  });

  it('a write whose answer is lost (made, but the caller sees a transient error) is retried to full provisioning', async () => {
    for (let n = base.from; n <= base.mutatingCalls; n++) {
      const account = await starting(state, run);
      account.faults.inject(transientAt(base, n, true));
      const result = await executeRun(account, run);
      judge(result, account, base, `${state}: answer lost at mutating call ${n}`);
      expect({ n, status: result.status }).toEqual({ n, status: 'SUCCEEDED' });
    }
  });

  it('after a write whose answer was lost and a retry, a later failure still rolls back everything the execution did', async () => {
    for (let n = base.from; n <= base.mutatingCalls; n++) {
      for (let later = n + 1; later <= base.mutatingCalls + 1; later++) {
        const account = await starting(state, run);
        account.faults.inject(transientAt(base, n, true));
        account.faults.inject({ nth: later, mutatingOnly: true, error: 'AccessDenied' });
        const result = await executeRun(account, run);
        judge(result, account, base, `${state}: answer lost at ${n}, AccessDenied at mutating call ${later}`);
      }
    }
  });

  it('a failure inside the rollback, once (retried) or lasting, ends as before or Rollback.Incomplete naming what is left', async () => {
    for (let n = base.from; n <= base.mutatingCalls; n++) {
      const probe = await starting(state, run);
      probe.faults.inject({ nth: n, mutatingOnly: true, error: 'AccessDenied' });
      await executeRun(probe, run);
      const total = mutatingCount(probe);
      for (let p = n + 1; p <= total; p++) {
        for (const times of [1, Infinity]) {
          const account = await starting(state, run);
          account.faults.inject({ nth: n, mutatingOnly: true, error: 'AccessDenied' });
          account.faults.inject({ nth: p, mutatingOnly: true, error: 'AccessDenied', times });
          const result = await executeRun(account, run);
          judge(result, account, base, `${state}: AccessDenied at ${n}, then ${times === 1 ? 'once' : 'for good'} at rollback call ${p}`);
          if (times === 1) expect({ n, p, error: result.error }).not.toEqual({ n, p, error: WORKFLOW_ERRORS.rollbackIncomplete });
        }
      }
    }
  });

  if (!run.crossAccount) return;

  const assumeRole = (when?: (call: CallInfo) => boolean) => ({ service: 'sts' as const, operation: 'AssumeRole', ...(when ? { when } : {}) });
  const revertSession = (call: CallInfo) => String((call.input as { RoleArn?: string }).RoleArn).endsWith('-target-revert');

  it('a target role that cannot be assumed at any step leaves both accounts as before (the sign-in check: says what it could not read)', async () => {
    const probe = await starting(state, run);
    await executeRun(probe, run);
    const sessions = probe.calls.filter((c) => c.service === 'sts' && c.operation === 'AssumeRole').length;
    expect(sessions).toBeGreaterThan(0);
    for (let k = 1; k <= sessions; k++) {
      const account = await starting(state, run);
      const fault = account.faults.inject({ ...assumeRole(), nth: k, error: 'AccessDenied' });
      const result = await executeRun(account, run);
      expect({ k, fired: fault.fired }).toEqual({ k, fired: 1 });
      judge(result, account, base, `${state}: AssumeRole refused at session ${k}`);
      // The last session is the sign-in check's, which changes nothing and never fails the execution: it says so instead.
      if (k === sessions) {
        expect({ k, status: result.status }).toEqual({ k, status: 'SUCCEEDED' });
        expect(result.output?.receipts?.signIn?.notices?.join('\n')).toMatch(/could not read .*AccessDenied/);
      } else expect({ k, status: result.status }).toEqual({ k, status: 'FAILED' });
    }
  });

  it('a revert whose target role cannot be assumed, once (retried) or for good, ends as before or Rollback.Incomplete naming what is left', async () => {
    const reached = new Set<string>();
    for (let n = base.from; n <= base.mutatingCalls; n++) {
      for (const [error, times] of [
        ['Throttling', 1],
        ['AccessDenied', 1],
        ['AccessDenied', Infinity],
      ] as const) {
        const account = await starting(state, run);
        account.faults.inject({ nth: n, mutatingOnly: true, error: 'AccessDenied' });
        const fault = account.faults.inject({ ...assumeRole(revertSession), error, times });
        const result = await executeRun(account, run);
        judge(
          result,
          account,
          base,
          `${state}: AccessDenied at mutating call ${n}, revert role refused ${error} ${times === 1 ? 'once' : 'for good'}`,
        );
        if (fault.fired > 0 && error === 'Throttling')
          expect({ n, error: result.error }).not.toEqual({ n, error: WORKFLOW_ERRORS.rollbackIncomplete });
        if (fault.fired > 0) for (const entry of result.timeline.filter((e) => e.event === 'failed')) reached.add(entry.state);
      }
    }
    // Every revert that works in the target account met a refused session somewhere in the sweep.
    expect(
      [...reached].filter((state) => state.startsWith('Revert ') && /identity provider|federation role|permissions policy/.test(state)).sort(),
    ).toEqual(['Revert federation role', 'Revert identity provider', 'Revert permissions policy']);
  });
}
