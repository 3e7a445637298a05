import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { applyPolicy, type PolicyReceipt } from '../../../lambdas/policy/apply';
import { revertPolicy } from '../../../lambdas/policy/revert';
import type { ExecutionDocument } from '../../../lambdas/shared/document';
import { awsError, type FakeAccount } from './fake-iam';
import { asRevertInput, revertToEnd, SCENARIOS, type Scenario } from './scenarios';

/**
 * Invariant 5 for the Policy step, over a stateful account: whichever change fails, in the apply or in the revert, the
 * revert (retried as the state machine retries it) brings the account back to exactly where it started, and a second
 * revert changes nothing.
 */
const iamMock = mockClient(IAMClient);
const s3Mock = mockClient(S3Client);
const deps = { iam: new IAMClient({}), s3: new S3Client({}) };

function install(scenario: Scenario): FakeAccount {
  iamMock.reset();
  s3Mock.reset();
  return scenario.account().install(iamMock, s3Mock);
}

function anotherExecution(doc: ExecutionDocument): ExecutionDocument {
  return { ...doc, request: { ...doc.request, executionName: 'exec-0002' } };
}

const snapshotOf = (account: FakeAccount, scenario: Scenario): unknown => account.snapshot({ versionIds: scenario.compareVersionIds });

/** How many changes (IAM writes and journal puts) a clean apply makes on the scenario's account. */
async function changesOfCleanApply(scenario: Scenario): Promise<number> {
  const account = install(scenario);
  account.failAtChange(Number.MAX_SAFE_INTEGER);
  await applyPolicy(scenario.doc(), deps);
  return account.changeCount;
}

/** A clean apply on the scenario's account: its receipt, the account it leaves, and its changes in order. */
async function cleanApply(scenario: Scenario): Promise<{ receipt: PolicyReceipt; provisioned: unknown; changes: string[] }> {
  const account = install(scenario);
  const receipt = await applyPolicy(scenario.doc(), deps);
  return { receipt, provisioned: snapshotOf(account, scenario), changes: account.changesSince(0) };
}

describe.each(SCENARIOS)('Policy step on an account where $name', (scenario) => {
  it('apply then revert with the receipt leaves the account exactly as it started', async () => {
    const account = install(scenario);
    const before = snapshotOf(account, scenario);
    const doc = scenario.doc();
    const receipt = await applyPolicy(doc, deps);
    expect(snapshotOf(account, scenario)).not.toEqual(before);

    await revertToEnd(account, deps, asRevertInput(doc, receipt));

    expect(snapshotOf(account, scenario)).toEqual(before);
  });

  it('a second execution of the same input makes zero changes', async () => {
    const account = install(scenario);
    const doc = scenario.doc();
    await applyPolicy(doc, deps);
    const start = account.calls.length;
    await expect(applyPolicy(anotherExecution(doc), deps)).resolves.toMatchObject({ action: 'unchanged', changes: [] });
    expect(account.changesSince(start)).toEqual([]);
  });

  it('the same execution run again (its whole answer lost) makes zero changes and returns the same receipt', async () => {
    const account = install(scenario);
    const doc = scenario.doc();
    const first = await applyPolicy(doc, deps);
    const start = account.calls.length;
    await expect(applyPolicy(doc, deps)).resolves.toEqual(first);
    expect(account.changesSince(start)).toEqual([]);
  });

  it.each([
    ['refused', false],
    ['made but its answer lost', true],
  ])('whichever change of the apply is %s, a revert without receipt leaves the account as it started', async (_how, afterActing) => {
    const total = await changesOfCleanApply(scenario);
    expect(total).toBeGreaterThan(1);
    for (let failAt = 1; failAt <= total; failAt += 1) {
      const account = install(scenario);
      const before = snapshotOf(account, scenario);
      const doc = scenario.doc();
      account.failAtChange(failAt, awsError('ServiceFailureException', `injected at change ${failAt}`), { afterActing });
      await expect(applyPolicy(doc, deps)).rejects.toMatchObject({ name: 'ServiceFailureException' });

      await revertToEnd(account, deps, asRevertInput(doc));

      expect({ failAt, account: snapshotOf(account, scenario) }).toEqual({ failAt, account: before });
    }
  });

  it('whichever change of the apply is made but its answer lost, the retried apply reports what a clean apply reports, and its revert restores the account', async () => {
    const clean = await cleanApply(scenario);
    for (let lostAt = 1; lostAt <= clean.changes.length; lostAt += 1) {
      const label = { lostAt, operation: clean.changes[lostAt - 1] };
      const account = install(scenario);
      const before = snapshotOf(account, scenario);
      const doc = scenario.doc();
      account.failAtChange(lostAt, awsError('ServiceFailureException', `answer lost at change ${lostAt}`), { afterActing: true });
      await expect(applyPolicy(doc, deps)).rejects.toMatchObject({ name: 'ServiceFailureException' });

      // The state machine retries the step on ServiceFailureException.
      const retried = await applyPolicy(doc, deps);

      expect({ ...label, receipt: retried }).toEqual({ ...label, receipt: clean.receipt });
      expect({ ...label, account: snapshotOf(account, scenario) }).toEqual({ ...label, account: clean.provisioned });
      await revertToEnd(account, deps, asRevertInput(doc, retried));
      expect({ ...label, account: snapshotOf(account, scenario) }).toEqual({ ...label, account: before });
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
        const account = install(scenario);
        const before = snapshotOf(account, scenario);
        const doc = scenario.doc();
        account.failAtChange(lostAt, awsError('ServiceFailureException'), { afterActing: true });
        await expect(applyPolicy(doc, deps)).rejects.toThrow();
        account.failAtChange(failAt, awsError('Throttling'), { afterActing: retryAnswerLost });
        const retry = await applyPolicy(doc, deps).then(
          () => 'finished',
          () => 'failed',
        );
        // Past the retry's last change: nothing left to fail.
        if (retry === 'finished') break;

        if (retryAnswerLost) {
          const third = await applyPolicy(doc, deps);
          expect({ ...label, receipt: third }).toEqual({ ...label, receipt: clean.receipt });
          await revertToEnd(account, deps, asRevertInput(doc, third));
        } else {
          await revertToEnd(account, deps, asRevertInput(doc));
        }
        expect({ ...label, account: snapshotOf(account, scenario) }).toEqual({ ...label, account: before });
      }
    }
  });

  it('whichever change of the revert fails (refused, or made with its answer lost), its retry finishes the job', async () => {
    const probe = install(scenario);
    const probeDoc = scenario.doc();
    const probeReceipt = await applyPolicy(probeDoc, deps);
    probe.failAtChange(Number.MAX_SAFE_INTEGER);
    await revertPolicy(asRevertInput(probeDoc, probeReceipt), deps);
    const revertChanges = probe.changeCount;
    expect(revertChanges).toBeGreaterThan(0);

    for (let failAt = 1; failAt <= revertChanges; failAt += 1) {
      for (const [withReceipt, afterActing] of [
        [true, false],
        [false, false],
        [true, true],
        [false, true],
      ] as const) {
        const account = install(scenario);
        const before = snapshotOf(account, scenario);
        const doc = scenario.doc();
        const receipt = await applyPolicy(doc, deps);
        account.failAtChange(failAt, awsError('Throttling'), { afterActing });

        await revertToEnd(account, deps, asRevertInput(doc, withReceipt ? receipt : undefined));

        expect({ failAt, withReceipt, afterActing, account: snapshotOf(account, scenario) }).toEqual({
          failAt,
          withReceipt,
          afterActing,
          account: before,
        });
      }
    }
  });
});

describe('answers lost across the scenarios', () => {
  it('cover every call by which the apply changes IAM', async () => {
    const operations = new Set<string>();
    for (const scenario of SCENARIOS) for (const operation of (await cleanApply(scenario)).changes) operations.add(operation);
    expect([...operations].sort()).toEqual(['AttachRolePolicy', 'CreatePolicy', 'CreatePolicyVersion', 'DeletePolicyVersion', 'PutObject']);
  });
});
