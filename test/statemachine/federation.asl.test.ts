import aslValidator from 'asl-validator';
import type { StepDefinition } from '../../lambdas/runtime/function';
import { LOCK_CONDITIONS, LOCK_MARGIN_SECONDS } from '../../lambdas/shared/lock';
import { MAX_MANUAL_TIMEOUT_SECONDS } from '../../lambdas/shared/profile-schema';
import { STEPS as REGISTERED_STEPS, STEP_NAMES } from '../../lambdas/steps';
import { ERROR_GROUPS, LAMBDA_SERVICE_ERRORS, SNS_TRANSIENT_ERRORS, TRANSIENT_AWS_ERRORS, WORKFLOW_ERRORS } from '../../lambdas/workflow-errors';
import { FUNCTIONS } from '../../lambdas/workflow-functions';
import { loadDefinition, rawDefinition, readAslText, registryProblems, SUBSTITUTION_NAMES } from '../../statemachine/definition';

type State = Record<string, any>;
const definition = loadDefinition() as { StartAt: string; TimeoutSeconds?: number; States: Record<string, State> };
const states = definition.States;

/** The steps that change something (a read-only step, the sign-in check, never starts a rollback: tested on its own). */
const CHANGING = REGISTERED_STEPS.filter((step) => !step.readOnly);
const STEPS = CHANGING.map((step) => ({ apply: step.apply.state, revert: step.revert.state, key: step.name }));
const READ_ONLY = REGISTERED_STEPS.filter((step) => step.readOnly);

/** The definition with one change, to show what the registry check catches. */
function changed(edit: (states: Record<string, State>) => void): { States: Record<string, State> } {
  const copy = rawDefinition() as { States: Record<string, State> };
  edit(copy.States);
  return copy;
}

describe('statemachine/federation.asl.json against the step registry (lambdas/steps.ts)', () => {
  it('agrees with it: every Task state runs a registered function or a known integration, and every function is used once, by its state', () => {
    expect(registryProblems(rawDefinition())).toEqual([]);
  });

  it('fails when a Task state invokes a function the registry does not list', () => {
    const broken = changed((s) => {
      s['Create or update federation role']!.Resource = '${RoleTrustFunctionArn}';
    });
    expect(registryProblems(broken)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('"Create or update federation role" invokes ${RoleTrustFunctionArn}'),
        'function roleApply is registered but no Task state invokes ${RoleApplyFunctionArn}',
      ]),
    );
  });

  it('fails when the registry lists a step the definition does not run', () => {
    const audit: StepDefinition = {
      ...REGISTERED_STEPS[0],
      name: 'auditLog',
      apply: { ...REGISTERED_STEPS[0].apply, key: 'auditLogApply', state: 'Write audit log' },
      revert: { ...REGISTERED_STEPS[0].revert, key: 'auditLogRevert', state: 'Revert audit log' },
    };
    const problems = registryProblems(rawDefinition(), [...REGISTERED_STEPS, audit], [...FUNCTIONS, audit.apply, audit.revert]);
    expect(problems).toEqual(
      expect.arrayContaining([
        'function auditLogApply is registered but no Task state invokes ${AuditLogApplyFunctionArn}',
        'state "Write audit log" should write its receipt to $.receipts.auditLog',
        'state "Write audit log" does not catch States.ALL into the rollback',
      ]),
    );
  });

  it('fails when a state name in the registry differs from the file', () => {
    const renamed = REGISTERED_STEPS.map((step) => (step.name === 'policy' ? { ...step, apply: { ...step.apply, state: 'Attach policy' } } : step));
    expect(registryProblems(rawDefinition(), renamed, [FUNCTIONS[0]!, ...renamed.flatMap((step) => [step.apply, step.revert])])).toContain(
      'function policyApply should be invoked by state "Attach policy" alone, but is invoked by "Attach permissions policy"',
    );
  });

  it('fails when a revert skips an earlier step', () => {
    const [first, second] = REGISTERED_STEPS;
    const broken = changed((s) => {
      s[second.revert.state]!.Next = 'Rollback complete';
    });
    expect(registryProblems(broken)).toEqual(
      CHANGING.slice(1).map((step) => `a failure of "${step.apply.state}" never reaches "${first.revert.state}"`),
    );
  });

  it('fails when a failed revert names the wrong steps as left to undo', () => {
    const broken = changed((s) => {
      s['Rollback incomplete at permissions policy']!.Parameters.stillToUndo = ['policy', 'identityProvider'];
    });
    expect(registryProblems(broken)).toEqual([
      `a failure of "Revert permissions policy" should record failedRevert "policy" and stillToUndo ${JSON.stringify(STEP_NAMES.slice(0, STEP_NAMES.indexOf('policy') + 1).reverse())}`,
    ]);
  });

  it("fails when a step's failure does not start the rollback", () => {
    const broken = changed((s) => {
      s['Attach permissions policy']!.Catch = [];
    });
    expect(registryProblems(broken)).toEqual(['state "Attach permissions policy" does not catch States.ALL into the rollback']);
  });
});

describe('statemachine/federation.asl.json', () => {
  it('is valid Amazon States Language', () => {
    const result = aslValidator(definition as never);
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('uses exactly the substitutions the stack and the local runner provide', () => {
    const used = new Set([...readAslText().matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual([...SUBSTITUTION_NAMES].sort());
  });

  it('runs the steps in runbook order after Intake and the lock', () => {
    expect(definition.StartAt).toBe('Receive input');
    expect(states['Receive input']!.Next).toBe('Validate metadata');
    expect(states['Validate metadata']!.Next).toBe('Dry run?');
    expect(states['Take profile lock']!.Next).toBe(STEPS[0]!.apply);
    // After the application step, a Choice takes the new application's metadata when it has just been created.
    const next = (state: string) => {
      const found = states[state]!;
      return found.Type === 'Choice' ? (found.Default as string) : (found.Next as string);
    };
    for (let i = 0; i < STEPS.length - 1; i++)
      expect(next(next(STEPS[i]!.apply)) === STEPS[i + 1]!.apply || next(STEPS[i]!.apply) === STEPS[i + 1]!.apply).toBe(true);
    expect(states["Take the new application's metadata"]!.Next).toBe(STEPS[1]!.apply);
  });

  it.each(STEPS)('$apply retries transient Lambda errors with capped, jittered backoff', ({ apply }) => {
    const retry = states[apply]!.Retry as State[];
    const lambdaRetrier = retry.find((r) => LAMBDA_SERVICE_ERRORS.every((name) => r.ErrorEquals.includes(name)));
    expect(lambdaRetrier).toMatchObject({ JitterStrategy: 'FULL', BackoffRate: 2 });
    expect(lambdaRetrier!.MaxDelaySeconds).toBeGreaterThan(0);
    const awsRetrier = retry.find((r) => r.ErrorEquals.includes('Throttling'));
    expect(awsRetrier!.ErrorEquals).toEqual(
      expect.arrayContaining(['ServiceFailureException', 'ConcurrentModificationException', 'Mapping.Throttled']),
    );
    expect(awsRetrier).toMatchObject({ JitterStrategy: 'FULL' });
    expect(retry.some((r) => r.ErrorEquals.includes('States.ALL'))).toBe(false);
  });

  it.each(READ_ONLY.map((step) => step.apply.state))(
    '%s, which changes nothing, records its own failure and goes on to the outcome, never back',
    (apply) => {
      const step = READ_ONLY.find((candidate) => candidate.apply.state === apply)!;
      expect(states[apply]!.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.checkFailure', Next: step.revert.state }]);
      expect(states[apply]!.Next).toBe('Provisioned or planned?');
      expect(states[step.revert.state]).toMatchObject({ Next: 'Provisioned or planned?' });
    },
  );

  it.each(STEPS)('$apply catches every error into $.failure and starts the rollback at its own revert', ({ apply, revert, key }) => {
    expect(states[apply]!.ResultPath).toBe(`$.receipts.${key}`);
    expect(states[apply]!.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: revert }]);
  });

  it('walks the reverts back through every earlier step, then has the outcome function judge the rollback, and fails with its verdict', () => {
    for (let i = STEPS.length - 1; i > 0; i--) expect(states[STEPS[i]!.revert]!.Next).toBe(STEPS[i - 1]!.revert);
    expect(states[STEPS[0]!.revert]!.Next).toBe('Outcome: rolled back');
    expect(states['Outcome: rolled back']).toMatchObject({ Parameters: { kind: 'rolledBack' }, Next: 'Describe outcome' });
    expect(states['Describe outcome']).toMatchObject({ ResultPath: '$.outcome', Next: 'Notify outcome' });
    expect(states['Where does it end?']!.Default).toBe('Release lock after rollback');
    expect(states.Failed).toMatchObject({ Type: 'Fail', ErrorPath: '$.outcome.Error', CausePath: '$.outcome.Cause' });
  });

  it.each(STEPS)('$revert is retried, and one that still fails records what is left for the verdict', ({ revert, key }) => {
    const state = states[revert]!;
    expect(state.ResultPath).toBe(`$.reverts.${key}`);
    expect((state.Retry as State[]).some((r) => r.ErrorEquals.includes('States.ALL') && r.MaxAttempts >= 2)).toBe(true);
    expect(state.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.revertFailure', Next: expect.any(String) }]);
    const stopped = states[state.Catch[0].Next]!;
    expect(stopped).toMatchObject({ Type: 'Pass', ResultPath: '$.rollbackIncomplete', Next: 'Outcome: rolled back' });
    expect(stopped.Parameters).toMatchObject({ failedRevert: key, 'failure.$': '$.failure', 'revertFailure.$': '$.revertFailure' });
  });

  it('retries on every Lambda task the Lambda service errors AWS recommends retrying, ClientExecutionTimeout included', () => {
    const lambdaTasks = Object.entries(states).filter(([, state]) => String(state.Resource).startsWith('arn:aws:lambda:'));
    expect(lambdaTasks.length).toBe(FUNCTIONS.length);
    for (const [name, state] of lambdaTasks) {
      const retrier = (state.Retry as State[]).find((r) => r.ErrorEquals.includes('Lambda.ServiceException'));
      expect({ name, errors: retrier?.ErrorEquals }).toEqual({ name, errors: LAMBDA_SERVICE_ERRORS });
    }
    expect(LAMBDA_SERVICE_ERRORS).toContain('Lambda.ClientExecutionTimeoutException');
  });

  it("retries the operator wait's publish when SNS throttles or fails, but not the wait itself", () => {
    const wait = states['Wait for operator to map attributes']!;
    expect(wait.Retry).toEqual([expect.objectContaining({ ErrorEquals: SNS_TRANSIENT_ERRORS })]);
    expect(JSON.stringify(wait.Retry)).not.toMatch(/States\.(ALL|Timeout|TaskFailed)/);
  });

  it("ends any execution after the longest operator wait plus the lock's margin for the steps", () => {
    expect(definition.TimeoutSeconds).toBe(MAX_MANUAL_TIMEOUT_SECONDS + LOCK_MARGIN_SECONDS);
  });

  it('raises only the workflow errors lambdas/workflow-errors.ts names, and never claims a restoration it did not judge', () => {
    const raised = Object.values(states).flatMap((state) => [state.Error, state.Parameters?.Error].filter((e): e is string => typeof e === 'string'));
    expect([...new Set(raised)].sort()).toEqual([WORKFLOW_ERRORS.lockTimeout, WORKFLOW_ERRORS.rollbackIncomplete].sort());
    // Provisioning.RolledBack comes only from the outcome function's verdict; its fallback says Rollback.Incomplete.
    expect(states['Outcome not described']!.Parameters.Error).toBe(WORKFLOW_ERRORS.rollbackIncomplete);
  });

  it('never retries a revert that lost the lease: Lock.NotHeld is matched first, with no attempt', () => {
    for (const step of STEPS) {
      expect(states[step.revert]!.Retry?.[0]).toEqual({ ErrorEquals: [WORKFLOW_ERRORS.lockNotHeld], MaxAttempts: 0 });
    }
  });

  it('gives every step function the document and the lease of the run that invokes it', () => {
    for (const step of STEPS) {
      for (const state of [step.apply, step.revert]) {
        expect(states[state]!.Parameters).toEqual({
          'document.$': '$',
          'lease.$': "States.Format('{}#{}', $$.Execution.Name, $$.Execution.RedriveCount)",
        });
      }
    }
  });

  it("takes and releases the lock with the conditions lambdas/shared/lock.ts states, under the run's own lease", () => {
    // A redriven run's lease differs from the document's: it can neither act under the lock it takes nor free one it does not hold.
    const runLease = "States.Format('{}#{}', $$.Execution.Name, $$.Execution.RedriveCount)";
    expect(states['Take profile lock']!.Parameters).toMatchObject({
      Item: expect.objectContaining({ lease: { 'S.$': runLease } }),
      ConditionExpression: LOCK_CONDITIONS.take,
      ExpressionAttributeValues: expect.objectContaining({ ':lease': { 'S.$': runLease } }),
    });
    for (const name of ['Release profile lock', 'Release profile lock after rollback']) {
      expect(states[name]!.Parameters).toMatchObject({
        ConditionExpression: LOCK_CONDITIONS.release,
        ExpressionAttributeValues: { ':lease': { 'S.$': runLease } },
      });
    }
  });

  it('matches only the error groups lambdas/workflow-errors.ts names', () => {
    const groups = Object.values(ERROR_GROUPS).map((group) => JSON.stringify([...group].sort()));
    for (const [name, state] of Object.entries(states)) {
      for (const matcher of [...(state.Retry ?? []), ...(state.Catch ?? [])] as State[]) {
        const errors = JSON.stringify([...matcher.ErrorEquals].sort());
        expect({ name, errors, known: groups.includes(errors) }).toEqual({ name, errors, known: true });
      }
    }
  });

  it("retries the transient AWS errors of every service a step calls, IAM Identity Center's console API included", () => {
    expect(TRANSIENT_AWS_ERRORS).toEqual(
      expect.arrayContaining(['Throttling', 'ServiceFailureException', 'SlowDown', 'Mapping.Throttled', 'Mapping.ServiceError']),
    );
  });

  it('fails an Intake error at once with its own name: nothing to revert', () => {
    expect(states['Validate metadata']!.Catch[0].Next).toBe('Outcome: metadata rejected');
    expect(states['Outcome: metadata rejected']).toMatchObject({ Parameters: { kind: 'rejected' }, Next: 'Describe outcome' });
    expect(states['Where does it end?']!.Choices).toContainEqual({ Variable: '$.ending.kind', StringEquals: 'rejected', Next: 'Metadata rejected' });
    expect(states['Metadata rejected']).toMatchObject({ Type: 'Fail', ErrorPath: '$.failure.Error' });
  });

  it('releases the lock on every exit after taking it, even when the notification or its words fail', () => {
    expect(states['Where does it end?']!.Choices).toContainEqual({
      Variable: '$.ending.kind',
      StringEquals: 'provisioned',
      Next: 'Release profile lock',
    });
    expect(states['Where does it end?']!.Default).toBe('Release lock after rollback');
    expect(states['Describe outcome']!.Catch[0].Next).toBe('Outcome not described');
    expect(states['Outcome not described']!.Next).toBe('Notify outcome');
    expect(states['Notify outcome']!.Catch[0].Next).toBe(states['Notify outcome']!.Next);
    expect(states['Release lock after rollback']!.Default).toBe('Release profile lock after rollback');
  });

  it('waits for an operator in manual mode with a task token and the profile timeout', () => {
    const wait = states['Wait for operator to map attributes']!;
    expect(wait.Resource).toBe('arn:aws:states:::sns:publish.waitForTaskToken');
    expect(wait.TimeoutSecondsPath).toBe('$.profile.attributeMapping.manualTimeoutSeconds');
    expect(wait.Parameters['Message.$']).toContain('$$.Task.Token');
    expect(wait.Catch[0].Next).toBe('Revert attribute mapping');
  });
});
