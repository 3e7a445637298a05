import {
  type CleanupServices,
  cleanUpStoppedExecution,
  cleanupLease,
  type StoppedExecutionRecord,
  settleMilliseconds,
} from '../../../lambdas/cleanup/cleanup';
import type { RevertReport, StepName } from '../../../lambdas/shared/document';
import { MemoryRecordStore } from '../../../lambdas/shared/records';
import { STEP_NAMES } from '../../../lambdas/steps';
import { LOCK_HELD } from '../../../lambdas/workflow-errors';
import { makeDocument } from '../../helpers/document';

const STATE_MACHINE = 'arn:aws:states:us-east-1:111122223333:stateMachine:federation';
const EXECUTION = 'arn:aws:states:us-east-1:111122223333:execution:federation:exec-0001';
const STOPPED_AT = Date.parse('2030-01-01T00:00:00Z');
const SETTLE = 150_000;

function event(status = 'ABORTED', stateMachineArn = STATE_MACHINE) {
  return { detail: { executionArn: EXECUTION, stateMachineArn, name: 'exec-0001', status, stopDate: STOPPED_AT } };
}

/** What the world looks like to the cleanup in one test, and what it did to it. */
interface World {
  services: CleanupServices;
  reverted: StepName[];
  released: string[];
  published: Array<{ subject: string; message: string }>;
  slept: number[];
}

function world(
  record: Partial<StoppedExecutionRecord>,
  options: { journalled?: StepName[]; lockHolder?: string; revert?: (step: StepName) => Promise<RevertReport> } = {},
): World {
  const w: World = { reverted: [], released: [], published: [], slept: [], services: undefined as never };
  // The lease that holds the profile: the stopped execution's own by default.
  let holder = options.lockHolder ?? 'exec-0001#0';
  w.services = {
    stateMachineArn: STATE_MACHINE,
    readExecution: async () => ({ status: 'ABORTED', reachedEndState: false, ...record }),
    takeLock: async (item, _now, replacing) => {
      if (holder !== '' && holder !== item.lease && holder !== replacing) throw Object.assign(new Error(`held by ${holder}`), { name: LOCK_HELD });
      holder = item.lease;
    },
    releaseLock: async (profile, lease) => {
      if (holder !== lease) throw Object.assign(new Error(`held by ${holder}`), { name: LOCK_HELD });
      holder = '';
      w.released.push(profile);
    },
    records: new MemoryRecordStore(),
    journalledSteps: async () => options.journalled ?? [],
    revert: async (step) => {
      w.reverted.push(step);
      return options.revert ? options.revert(step) : { step, action: 'deleted', changes: [`deleted what ${step} created`] };
    },
    publish: async (subject, message) => {
      w.published.push({ subject, message });
    },
    now: () => new Date(STOPPED_AT + 1000),
    sleep: async (ms) => {
      w.slept.push(ms);
    },
  };
  return w;
}

const REVERT_ORDER = [...STEP_NAMES].reverse();

describe('cleanUpStoppedExecution', () => {
  it('refuses an event about another state machine, reading and changing nothing', async () => {
    const w = world({ document: makeDocument() }, { journalled: ['role'] });
    const read = jest.spyOn(w.services, 'readExecution');
    await expect(cleanUpStoppedExecution(event('ABORTED', `${STATE_MACHINE}-other`), w.services, SETTLE)).rejects.toMatchObject({
      name: 'Cleanup.InvalidEvent',
    });
    expect(read).not.toHaveBeenCalled();
    expect(w.reverted).toEqual([]);
  });

  it('leaves alone an execution that reached its own end state: its own path reverted and freed the lock', async () => {
    const w = world(
      { status: 'FAILED', error: 'Provisioning.RolledBack', reachedEndState: true, document: makeDocument() },
      { journalled: ['role'] },
    );
    await expect(cleanUpStoppedExecution(event('FAILED'), w.services, SETTLE)).resolves.toMatchObject({ action: 'none' });
    expect({ reverted: w.reverted, released: w.released, published: w.published }).toEqual({ reverted: [], released: [], published: [] });
  });

  it('waits until every function the stopped execution invoked has finished before it undoes anything', async () => {
    const w = world({ document: makeDocument() }, { journalled: ['identityProvider'] });
    await cleanUpStoppedExecution(event(), w.services, SETTLE);
    expect(w.slept[0]).toBe(SETTLE - 1000);
  });

  it('takes the profile over from the stopped execution under a lease of its own, and reverts under that lease only', async () => {
    const leases: string[] = [];
    const w = world({ document: makeDocument() }, { journalled: ['role'] });
    const revert = w.services.revert;
    w.services.revert = async (step, document, lease) => {
      leases.push(lease);
      return revert(step, document, lease);
    };
    await cleanUpStoppedExecution(event(), w.services, SETTLE);
    const own = cleanupLease(makeDocument().request);
    expect(own).not.toBe('exec-0001#0');
    expect(new Set(leases)).toEqual(new Set([own]));
  });

  it('runs every revert, newest step first, frees the lock and says the account is as before', async () => {
    const w = world({ document: makeDocument() }, { journalled: ['identityProvider', 'role'] });
    const result = await cleanUpStoppedExecution(event(), w.services, SETTLE);
    expect(result).toMatchObject({ action: 'rolled-back', lockReleased: true });
    expect(w.reverted).toEqual(REVERT_ORDER);
    expect(w.released).toEqual(['admin']);
    expect(w.published).toEqual([
      { subject: 'SAML federation: failed and rolled back', message: expect.stringContaining('ended ABORTED outside its own rollback path') },
    ]);
    expect(w.published[0]!.message).toContain('Error: Execution.Aborted');
  });

  it('frees the lock of an execution stopped before its first change, and reverts nothing', async () => {
    const w = world({ status: 'TIMED_OUT', document: makeDocument() });
    await expect(cleanUpStoppedExecution(event('TIMED_OUT'), w.services, SETTLE)).resolves.toMatchObject({
      action: 'nothing-changed',
      lockReleased: true,
    });
    expect(w.reverted).toEqual([]);
    expect(w.published[0]!.subject).toBe('SAML federation: stopped before any change, nothing to undo');
  });

  it('reverts nothing while another execution holds the profile, and says what is left to undo by hand', async () => {
    const w = world({ document: makeDocument() }, { journalled: ['identityProvider', 'role'], lockHolder: 'exec-0002' });
    const result = await cleanUpStoppedExecution(event(), w.services, SETTLE);
    expect(result.action).toBe('profile-busy');
    expect(w.reverted).toEqual([]);
    expect(w.released).toEqual([]);
    expect(w.published).toEqual([
      {
        subject: 'SAML federation: ROLLBACK INCOMPLETE, action needed',
        message: expect.stringContaining('after changing the identityProvider, role step(s), and another execution now holds profile admin'),
      },
    ]);
  });

  it('retries a revert that failed for a moment, as the state machine would', async () => {
    let failures = 1;
    const w = world(
      { document: makeDocument() },
      {
        journalled: ['role'],
        revert: async (step) => {
          if (step === 'role' && failures-- > 0) throw Object.assign(new Error('slow down'), { name: 'Throttling' });
          return { step, action: 'nothing-to-do', changes: [] };
        },
      },
    );
    await expect(cleanUpStoppedExecution(event(), w.services, SETTLE)).resolves.toMatchObject({ action: 'rolled-back' });
    expect(w.reverted.filter((step) => step === 'role')).toHaveLength(2);
  });

  it('stops at a revert that fails for good and reports Rollback.Incomplete naming what is still to undo, lock freed', async () => {
    const w = world(
      { document: makeDocument() },
      {
        journalled: ['identityProvider', 'role'],
        revert: async (step) => {
          if (step === 'role') throw Object.assign(new Error('not allowed'), { name: 'AccessDenied' });
          return { step, action: 'nothing-to-do', changes: [] };
        },
      },
    );
    const result = await cleanUpStoppedExecution(event(), w.services, SETTLE);
    expect(result).toMatchObject({ action: 'rollback-incomplete', lockReleased: true });
    // Every revert from the last step's back to the role's, where it stopped.
    const reversed = [...STEP_NAMES].reverse();
    expect(w.reverted).toEqual(reversed.slice(0, reversed.indexOf('role') + 1));
    expect(w.published[0]!.subject).toBe('SAML federation: ROLLBACK INCOMPLETE, action needed');
    expect(w.published[0]!.message).toContain('Still to undo by hand, in this order: federation role, then identity provider.');
  });

  it("starts the chain afresh when the execution was stopped inside its own rollback, ignoring that rollback's verdict", async () => {
    const stoppedInRollback = {
      ...makeDocument(),
      failure: { Error: 'AccessDenied', Cause: 'x' },
      reverts: { attributeMapping: { step: 'attributeMapping', action: 'left-in-place', changes: [], leftInPlace: ['earlier'] } },
      rollbackIncomplete: { failedRevert: 'role', stillToUndo: ['role', 'identityProvider'] },
    };
    const w = world({ document: stoppedInRollback }, { journalled: ['role'] });
    await expect(cleanUpStoppedExecution(event(), w.services, SETTLE)).resolves.toMatchObject({ action: 'rolled-back' });
    expect(w.reverted).toEqual(REVERT_ORDER);
  });

  it('has nothing to undo for a dry run or an execution stopped before Intake finished', async () => {
    for (const document of [makeDocument({ request: { dryRun: true } }), undefined]) {
      const w = world({ document }, { journalled: [] });
      await expect(cleanUpStoppedExecution(event(), w.services, SETTLE)).resolves.toMatchObject({ action: 'nothing-changed' });
      expect(w.reverted).toEqual([]);
    }
  });
});

describe('settleMilliseconds', () => {
  it('outlasts the longest function timeout', () => {
    expect(settleMilliseconds([60, 120, 30])).toBe(150_000);
  });
});
