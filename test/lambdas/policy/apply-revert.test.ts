import { applyPolicy, type PolicyReceipt } from '../../../lambdas/policy/apply';
import { revertPolicy } from '../../../lambdas/policy/revert';
import type { ExecutionDocument } from '../../../lambdas/shared/document';
import type { CallRecord, SimulatedAccount } from '../../../simulated-account';
import {
  asRevertInput,
  changesSince,
  depsOf,
  failAtChange,
  operations,
  revertToEnd,
  SCENARIOS,
  type Scenario,
  stateOf,
  transientErrorName,
} from './scenarios';

/**
 * Invariant 5 for the Policy step, over the simulated account: whichever change fails, in the apply or in the revert,
 * the revert (retried as the state machine retries it) brings the account back to exactly where it started, and a
 * second revert changes nothing.
 */

function anotherExecution(doc: ExecutionDocument): ExecutionDocument {
  return { ...doc, request: { ...doc.request, executionName: 'exec-0002' } };
}

const stateIn = (account: SimulatedAccount, scenario: Scenario): unknown => stateOf(account, { versionIds: scenario.compareVersionIds });

/** The account as a clean apply in another account is compared with: the ids IAM gives the policies it creates differ. */
const provisionedIn = (account: SimulatedAccount, scenario: Scenario): unknown =>
  stateOf(account, { versionIds: scenario.compareVersionIds, policyIds: false });

/** A clean apply on the scenario's account: its receipt, the account it leaves, and its changes (IAM writes and journal puts) in order. */
async function cleanApply(scenario: Scenario): Promise<{ receipt: PolicyReceipt; provisioned: unknown; changes: CallRecord[] }> {
  const account = await scenario.account();
  const receipt = await applyPolicy(scenario.doc(), depsOf(account));
  return { receipt, provisioned: provisionedIn(account, scenario), changes: account.mutatingCalls() };
}

/**
 * Runs an apply that must fail at `change` (the clean apply's change at the same position): that call, and no other,
 * fails, and the apply throws its service's error as it came.
 */
async function expectApplyFailsAt(account: SimulatedAccount, doc: ExecutionDocument, change: CallRecord): Promise<void> {
  const name = transientErrorName(change.service);
  await expect(applyPolicy(doc, depsOf(account))).rejects.toMatchObject({ name });
  const failed = account.mutatingCalls().filter((call) => call.outcome !== 'ok');
  expect(failed.map((call) => [call.service, call.operation, call.outcome])).toEqual([[change.service, change.operation, name]]);
}

describe.each(SCENARIOS)('Policy step on an account where $name', (scenario) => {
  it('apply then revert with the receipt leaves the account exactly as it started', async () => {
    const account = await scenario.account();
    const before = stateIn(account, scenario);
    const doc = scenario.doc();
    const receipt = await applyPolicy(doc, depsOf(account));
    expect(stateIn(account, scenario)).not.toEqual(before);

    await revertToEnd(account, asRevertInput(doc, receipt));

    expect(stateIn(account, scenario)).toEqual(before);
  });

  it('a second execution of the same input makes zero changes', async () => {
    const account = await scenario.account();
    const doc = scenario.doc();
    await applyPolicy(doc, depsOf(account));
    const mark = account.calls.length;
    await expect(applyPolicy(anotherExecution(doc), depsOf(account))).resolves.toMatchObject({ action: 'unchanged', changes: [] });
    expect(changesSince(account, mark)).toEqual([]);
  });

  it('the same execution run again (its whole answer lost) makes zero changes and returns the same receipt', async () => {
    const account = await scenario.account();
    const doc = scenario.doc();
    const first = await applyPolicy(doc, depsOf(account));
    const mark = account.calls.length;
    await expect(applyPolicy(doc, depsOf(account))).resolves.toEqual(first);
    expect(changesSince(account, mark)).toEqual([]);
  });

  it.each([
    ['refused', false],
    ['made but its answer lost', true],
  ])('whichever change of the apply is %s, a revert without receipt leaves the account as it started', async (_how, afterEffect) => {
    const { changes } = await cleanApply(scenario);
    expect(changes.length).toBeGreaterThan(1);
    for (let failAt = 1; failAt <= changes.length; failAt += 1) {
      const account = await scenario.account();
      const before = stateIn(account, scenario);
      const doc = scenario.doc();
      failAtChange(account, failAt, { afterEffect });
      await expectApplyFailsAt(account, doc, changes[failAt - 1]!);

      await revertToEnd(account, asRevertInput(doc));

      expect({ failAt, account: stateIn(account, scenario) }).toEqual({ failAt, account: before });
    }
  });

  it('whichever change of the apply is made but its answer lost, the retried apply reports what a clean apply reports, and its revert restores the account', async () => {
    const clean = await cleanApply(scenario);
    for (let lostAt = 1; lostAt <= clean.changes.length; lostAt += 1) {
      const label = { lostAt, operation: clean.changes[lostAt - 1]!.operation };
      const account = await scenario.account();
      const before = stateIn(account, scenario);
      const doc = scenario.doc();
      failAtChange(account, lostAt, { afterEffect: true });
      await expectApplyFailsAt(account, doc, clean.changes[lostAt - 1]!);

      // The state machine retries the step on these errors.
      const retried = await applyPolicy(doc, depsOf(account));

      expect({ ...label, receipt: retried }).toEqual({ ...label, receipt: clean.receipt });
      expect({ ...label, account: provisionedIn(account, scenario) }).toEqual({ ...label, account: clean.provisioned });
      await revertToEnd(account, asRevertInput(doc, retried));
      expect({ ...label, account: stateIn(account, scenario) }).toEqual({ ...label, account: before });
    }
  });

  it.each([
    ['refused: a revert without receipt', false],
    ['made with its answer lost too: a third attempt', true],
  ])('after an answer lost, whichever change of the retry is %s restores the account', async (_how, retryAnswerLost) => {
    const clean = await cleanApply(scenario);
    for (let lostAt = 1; lostAt <= clean.changes.length; lostAt += 1) {
      for (let failAt = 1; ; failAt += 1) {
        const label = { lostAt, failAt };
        const account = await scenario.account();
        const before = stateIn(account, scenario);
        const doc = scenario.doc();
        failAtChange(account, lostAt, { afterEffect: true });
        await expectApplyFailsAt(account, doc, clean.changes[lostAt - 1]!);
        failAtChange(account, failAt, { afterEffect: retryAnswerLost, kind: 'throttling' });
        const retry = await applyPolicy(doc, depsOf(account)).then(
          () => 'finished',
          () => 'failed',
        );
        // Past the retry's last change: nothing left to fail.
        if (retry === 'finished') break;

        if (retryAnswerLost) {
          const third = await applyPolicy(doc, depsOf(account));
          expect({ ...label, receipt: third }).toEqual({ ...label, receipt: clean.receipt });
          await revertToEnd(account, asRevertInput(doc, third));
        } else {
          await revertToEnd(account, asRevertInput(doc));
        }
        expect({ ...label, account: stateIn(account, scenario) }).toEqual({ ...label, account: before });
      }
    }
  });

  it('whichever change of the revert fails (refused, or made with its answer lost), its retry finishes the job', async () => {
    const probe = await scenario.account();
    const probeDoc = scenario.doc();
    const probeReceipt = await applyPolicy(probeDoc, depsOf(probe));
    probe.clearCalls();
    await revertPolicy(asRevertInput(probeDoc, probeReceipt), depsOf(probe));
    const revertChanges = probe.mutatingCalls().length;
    expect(revertChanges).toBeGreaterThan(0);

    for (let failAt = 1; failAt <= revertChanges; failAt += 1) {
      for (const [withReceipt, afterEffect] of [
        [true, false],
        [false, false],
        [true, true],
        [false, true],
      ] as const) {
        const account = await scenario.account();
        const before = stateIn(account, scenario);
        const doc = scenario.doc();
        const receipt = await applyPolicy(doc, depsOf(account));
        failAtChange(account, failAt, { afterEffect, kind: 'throttling' });

        await revertToEnd(account, asRevertInput(doc, withReceipt ? receipt : undefined));

        expect(account.calls.filter((call) => call.mutating && call.outcome !== 'ok')).toHaveLength(1);
        expect({ failAt, withReceipt, afterEffect, account: stateIn(account, scenario) }).toEqual({
          failAt,
          withReceipt,
          afterEffect,
          account: before,
        });
      }
    }
  });
});

describe('answers lost across the scenarios', () => {
  it('cover every call by which the apply changes IAM', async () => {
    const changed = new Set<string>();
    for (const scenario of SCENARIOS) for (const operation of operations((await cleanApply(scenario)).changes)) changed.add(operation);
    expect([...changed].sort()).toEqual(['AttachRolePolicy', 'CreatePolicy', 'CreatePolicyVersion', 'DeletePolicyVersion', 'PutItem']);
  });
});
