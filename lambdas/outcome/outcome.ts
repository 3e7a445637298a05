import type { ExecutionDocument, Receipt, RevertReport } from '../shared/document';
import { STEPS, type StepName } from '../steps';
import { ENDINGS, type Ending, type Outcome, type RollbackIncompleteCause, type StateError } from './cause';

export type { Ending, Outcome } from './cause';

/** What the state machine hands the function: how the execution ends, its whole state, its id and its run's lease. */
export interface OutcomeEvent {
  ending: Ending;
  document: unknown;
  executionId: string;
  /** The lease of the run that ends (absent in a cleanup's description, which holds its own). */
  lease?: string;
}

/** The notification's subject for each way an execution ends, its cleanup's included. */
export const SUBJECTS: Readonly<Record<Ending | 'rollbackIncomplete' | 'stoppedUnchanged' | 'lockNotHeld', string>> = {
  rejected: 'SAML federation: metadata rejected',
  lockNotTaken: 'SAML federation: profile busy, nothing changed',
  planned: 'SAML federation: dry run plan',
  provisioned: 'SAML federation: provisioned',
  rolledBack: 'SAML federation: failed and rolled back',
  rollbackIncomplete: 'SAML federation: ROLLBACK INCOMPLETE, action needed',
  lockNotHeld: 'SAML federation: stopped, this run did not hold the profile lock',
  stoppedUnchanged: 'SAML federation: stopped before any change, nothing to undo',
};

type State = Partial<ExecutionDocument> & {
  input?: unknown;
  /** A read-only step's own failure (the sign-in check's function timed out, say): the run went on to its outcome. */
  checkFailure?: Partial<StateError>;
  rollbackIncomplete?: { failedRevert?: StepName; stillToUndo?: StepName[]; failure?: Partial<StateError>; revertFailure?: Partial<StateError> };
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A failure's cause as a person reads it. A deployed Lambda's failure reaches Step Functions as JSON (`errorType`,
 * `errorMessage`, `trace`): the message alone, never the stack trace. A cause may also be missing altogether (an
 * operator's SendTaskFailure without one).
 */
export function readableCause(cause: unknown): string {
  if (typeof cause !== 'string' || cause === '') return '(no cause given)';
  try {
    const parsed: unknown = JSON.parse(cause);
    if (isRecord(parsed) && typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Not JSON: a sentence already.
  }
  return cause;
}

function stateError(value: unknown): StateError {
  const error = isRecord(value) ? value : {};
  return { Error: typeof error.Error === 'string' ? error.Error : 'Unknown', Cause: readableCause(error.Cause) };
}

function labelOf(step: StepName): string {
  return STEPS.find((candidate) => candidate.name === step)?.label ?? step;
}

/**
 * The verdict of a rollback, from what each revert reported and whether one of them failed for good: restored only
 * when every revert ran and none left anything in place; otherwise Rollback.Incomplete, naming each item and why.
 */
export function rollbackVerdict(state: State): { Error: string; Cause: string; incomplete?: RollbackIncompleteCause } {
  const failure = stateError(state.failure);
  const lease = leaseLost(state);
  if (lease) return { Error: LOCK_NOT_HELD, Cause: lease };
  const reports = Object.values(state.reverts ?? {}).filter((report): report is RevertReport => isRecord(report));
  const leftInPlace = reports.flatMap((report) =>
    report.action === 'left-in-place' ? (report.leftInPlace ?? ['(no reason given)']).map((what) => ({ step: report.step, what })) : [],
  );
  const stopped = state.rollbackIncomplete;
  if (!stopped && leftInPlace.length === 0) {
    return {
      Error: 'Provisioning.RolledBack',
      Cause: `${failure.Error}: ${failure.Cause}. Every change this execution made was reverted; the account is as it was before.`,
    };
  }
  // A step whose receipt says it changed nothing (a profile without application.create, say) has nothing to undo.
  const unchanged = (step: StepName) => {
    const action = (state.receipts?.[step] as { action?: string } | undefined)?.action;
    return action === 'unchanged' || action === 'planned';
  };
  const incomplete: RollbackIncompleteCause = {
    failure,
    stillToUndo: (stopped?.stillToUndo ?? []).filter((step) => step === stopped?.failedRevert || !unchanged(step)),
    leftInPlace,
    ...(stopped?.failedRevert ? { failedRevert: stopped.failedRevert, revertFailure: stateError(stopped.revertFailure) } : {}),
  };
  return { Error: 'Rollback.Incomplete', Cause: JSON.stringify(incomplete), incomplete };
}

const LOCK_NOT_HELD = 'Lock.NotHeld';

/**
 * When this run lost the profile's lease (a redrive after the cleanup, a lease run out), neither its steps nor its
 * reverts changed anything after that: the verdict says so, and what the execution changed before, for a person to
 * check, instead of claiming a rollback. Undefined when the lease was held throughout.
 */
function leaseLost(state: State): string | undefined {
  const failure = stateError(state.failure);
  const revertFailure = state.rollbackIncomplete?.revertFailure ? stateError(state.rollbackIncomplete.revertFailure) : undefined;
  if (failure.Error !== LOCK_NOT_HELD && revertFailure?.Error !== LOCK_NOT_HELD) return undefined;
  const profile = state.request?.profile ?? '(unknown profile)';
  const changedBefore = STEPS.filter((step) => {
    const action = (state.receipts?.[step.name] as { action?: string } | undefined)?.action;
    return action === 'created' || action === 'updated';
  }).map((step) => step.label.toLowerCase());
  return [
    `This run of execution ${state.request?.executionName ?? ''} does not hold profile ${profile}'s lock: it was redriven after its cleanup ran, or its lease ran out and another execution took the profile. It changed nothing without the lock (${(failure.Error === LOCK_NOT_HELD ? failure : (revertFailure ?? failure)).Cause}).`,
    changedBefore.length > 0
      ? `Before that, the execution changed the ${changedBefore.join(', ')}: its cleanup reverts what a stopped execution changed; check the account with saml-federation status --profile ${profile}, and start a new execution to provision the profile.`
      : `Start a new execution to provision profile ${profile}.`,
  ].join(' ');
}

/** The Rollback.Incomplete cause in words: what started the rollback, what stopped it, and each thing left to do. */
export function describeRollbackIncomplete(cause: RollbackIncompleteCause): string[] {
  const label = (step: StepName) => labelOf(step).toLowerCase();
  const lines = [
    cause.failedRevert && cause.revertFailure
      ? `Provisioning failed (${cause.failure.Error}: ${cause.failure.Cause}) and the rollback stopped: reverting the ${label(cause.failedRevert)} failed (${cause.revertFailure.Error}: ${cause.revertFailure.Cause}).`
      : `Provisioning failed (${cause.failure.Error}: ${cause.failure.Cause}); the rollback ran, but left something in place.`,
  ];
  if (cause.stillToUndo.length > 0) lines.push(`Still to undo by hand, in this order: ${cause.stillToUndo.map(label).join(', then ')}.`);
  for (const item of cause.leftInPlace) lines.push(`Left in place by the ${label(item.step)} revert: ${item.what}.`);
  return lines;
}

function source(state: State): string {
  const request = state.request;
  if (request) return `s3://${request.bucket}/${request.key}?versionId=${request.versionId}`;
  return `the input ${JSON.stringify(state.input ?? null).slice(0, 300)}`;
}

function receiptLines(receipts: ExecutionDocument['receipts'], checkFailure?: Partial<StateError>): string[] {
  return STEPS.flatMap((step) => {
    const receipt = receipts?.[step.name] as Receipt | undefined;
    if (!receipt && step.readOnly && checkFailure)
      return [`${step.label}: not made (${checkFailure.Error ?? 'its function failed'}); run status to check`];
    if (!receipt) return [];
    // A read-only step (the sign-in check) changes nothing: its verdict is what it says.
    const verdict = (receipt.details as { line?: string } | undefined)?.line;
    if (step.readOnly && verdict) return [`${step.label}: ${verdict}`, ...(receipt.notices ?? []).slice(1).map((notice) => `  ! ${notice}`)];
    return [
      `${step.label}: ${receipt.action} ${receipt.arn}`,
      ...receipt.changes.map((change) => `  - ${change}`),
      ...(receipt.notices ?? []).map((notice) => `  ! ${notice}`),
    ];
  });
}

function revertLines(reverts: ExecutionDocument['reverts']): string[] {
  return [...STEPS].reverse().flatMap((step) => {
    const report = reverts?.[step.name];
    if (!report) return [];
    return [
      `${step.label}: ${report.action}`,
      ...report.changes.map((change) => `  - ${change}`),
      ...(report.leftInPlace ?? []).map((what) => `  ! left in place: ${what}`),
    ];
  });
}

/**
 * How the execution ends, in words a person reads (the notification), and for a rollback the verdict the execution
 * fails with. Built once, here, for every ending, so no message carries raw JSON or a stack trace.
 */
export function describeOutcome(event: OutcomeEvent): Outcome {
  const state = (isRecord(event.document) ? event.document : {}) as State;
  const header = [...(state.request ? [`Profile: ${state.request.profile}`] : []), `Source: ${source(state)}`, `Execution: ${event.executionId}`];
  const warnings = (state.metadata?.warnings ?? []).map((warning) => `Warning: ${warning}`);
  switch (event.ending) {
    case 'rejected': {
      const failure = stateError(state.failure);
      return {
        subject: SUBJECTS.rejected,
        message: ['Outcome: REJECTED, nothing was changed', ...header, `Error: ${failure.Error}`, `Why: ${failure.Cause}`].join('\n'),
      };
    }
    case 'lockNotTaken': {
      const failure = stateError(state.failure);
      return {
        subject: SUBJECTS.lockNotTaken,
        message: ['Outcome: NOT STARTED, nothing was changed', ...header, `Error: ${failure.Error}`, `Why: ${failure.Cause}`].join('\n'),
      };
    }
    case 'planned':
      return {
        subject: SUBJECTS.planned,
        message: ['Outcome: DRY RUN, nothing was changed', ...header, ...warnings, 'Plan:', ...receiptLines(state.receipts)].join('\n'),
      };
    case 'provisioned':
      return {
        subject: SUBJECTS.provisioned,
        message: ['Outcome: PROVISIONED', ...header, ...warnings, ...receiptLines(state.receipts, state.checkFailure)].join('\n'),
      };
    case 'rolledBack': {
      const verdict = rollbackVerdict(state);
      const failure = stateError(state.failure);
      if (verdict.Error === LOCK_NOT_HELD) {
        return {
          subject: SUBJECTS.lockNotHeld,
          Error: verdict.Error,
          Cause: verdict.Cause,
          message: ['Outcome: STOPPED, this run did not hold the profile lock', ...header, verdict.Cause].join('\n'),
        };
      }
      if (verdict.incomplete) {
        return {
          subject: SUBJECTS.rollbackIncomplete,
          Error: verdict.Error,
          Cause: verdict.Cause,
          message: [
            'Outcome: ROLLBACK INCOMPLETE, action needed',
            ...header,
            ...describeRollbackIncomplete(verdict.incomplete),
            'Reverts:',
            ...revertLines(state.reverts),
          ].join('\n'),
        };
      }
      return {
        subject: SUBJECTS.rolledBack,
        Error: verdict.Error,
        Cause: verdict.Cause,
        message: [
          'Outcome: ROLLED BACK, the account is as it was before',
          ...header,
          `Error: ${failure.Error}`,
          `Why: ${failure.Cause}`,
          'Reverts:',
          ...revertLines(state.reverts),
        ].join('\n'),
      };
    }
  }
}

/** Checks the state machine's input to the function; an ending it does not know is a mismatch with the ASL file. */
export function parseOutcomeEvent(event: unknown): OutcomeEvent {
  const value = isRecord(event) ? event : {};
  const ending = value.ending;
  if (typeof ending !== 'string' || !(ENDINGS as readonly string[]).includes(ending)) {
    throw new Error(`outcome: "ending" must be one of ${ENDINGS.join(', ')}, got ${JSON.stringify(ending)}`);
  }
  return {
    ending: ending as Ending,
    document: value.document,
    executionId: typeof value.executionId === 'string' ? value.executionId : '(unknown execution)',
    ...(typeof value.lease === 'string' ? { lease: value.lease } : {}),
  };
}

/**
 * The outcome of a run that changed, or set out to change, the account, once it is known whether the run still held
 * the profile's lease: a run redriven after its cleanup (or whose lease ran out) must not report a provisioning or a
 * rollback as its own. `leaseHeld` answers for the run's lease; it is asked only for those endings.
 */
export async function describeRun(event: OutcomeEvent, leaseHeld: (profile: string, lease: string) => Promise<boolean>): Promise<Outcome> {
  const state = (isRecord(event.document) ? event.document : {}) as State;
  const request = state.request;
  const ranUnderLock = (event.ending === 'provisioned' || event.ending === 'rolledBack') && request && !request.dryRun && event.lease;
  if (ranUnderLock && !(await leaseHeld(request.profile, event.lease as string))) {
    return describeOutcome({
      ...event,
      ending: 'rolledBack',
      document: {
        ...state,
        failure: {
          Error: LOCK_NOT_HELD,
          Cause: `the profile's lock no longer holds lease ${event.lease} as the run ends`,
        },
      },
    });
  }
  return describeOutcome(event);
}
