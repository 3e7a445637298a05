import aslValidator from 'asl-validator';
import { loadDefinition, readAslText, SUBSTITUTION_NAMES } from '../../local/asl';

type State = Record<string, any>;
const definition = loadDefinition() as { StartAt: string; States: Record<string, State> };
const states = definition.States;

const LAMBDA_TRANSIENT = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'];
const STEPS = [
  { apply: 'Create or update identity provider', revert: 'Revert identity provider', key: 'identityProvider' },
  { apply: 'Create or update federation role', revert: 'Revert federation role', key: 'role' },
  { apply: 'Attach permissions policy', revert: 'Revert permissions policy', key: 'policy' },
  { apply: 'Map Role attribute in IAM Identity Center', revert: 'Revert attribute mapping', key: 'attributeMapping' },
];

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
    expect(definition.StartAt).toBe('Validate metadata');
    expect(states['Validate metadata']!.Next).toBe('Dry run?');
    expect(states['Take profile lock']!.Next).toBe(STEPS[0]!.apply);
    for (let i = 0; i < STEPS.length - 1; i++) expect(states[STEPS[i]!.apply]!.Next).toBe(STEPS[i + 1]!.apply);
  });

  it.each(STEPS)('$apply retries transient Lambda errors with capped, jittered backoff', ({ apply }) => {
    const retry = states[apply]!.Retry as State[];
    const lambdaRetrier = retry.find((r) => LAMBDA_TRANSIENT.every((name) => r.ErrorEquals.includes(name)));
    expect(lambdaRetrier).toMatchObject({ JitterStrategy: 'FULL', BackoffRate: 2 });
    expect(lambdaRetrier!.MaxDelaySeconds).toBeGreaterThan(0);
    const awsRetrier = retry.find((r) => r.ErrorEquals.includes('Throttling'));
    expect(awsRetrier!.ErrorEquals).toEqual(expect.arrayContaining(['ServiceFailureException', 'ConcurrentModificationException', 'Mapping.Throttled']));
    expect(awsRetrier).toMatchObject({ JitterStrategy: 'FULL' });
    expect(retry.some((r) => r.ErrorEquals.includes('States.ALL'))).toBe(false);
  });

  it.each(STEPS)('$apply catches every error into $.failure and starts the rollback at its own revert', ({ apply, revert, key }) => {
    expect(states[apply]!.ResultPath).toBe(`$.receipts.${key}`);
    expect(states[apply]!.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: revert }]);
  });

  it('walks the reverts back through every earlier step, then fails Provisioning.RolledBack with the original error', () => {
    for (let i = STEPS.length - 1; i > 0; i--) expect(states[STEPS[i]!.revert]!.Next).toBe(STEPS[i - 1]!.revert);
    expect(states[STEPS[0]!.revert]!.Next).toBe('Rollback complete');
    expect(states['Rollback complete']!.Parameters).toMatchObject({ Error: 'Provisioning.RolledBack' });
    expect(states['Rollback complete']!.Parameters['Cause.$']).toContain('$.failure.Error');
  });

  it.each(STEPS)('$revert is retried, and one that still fails ends Rollback.Incomplete listing what is left', ({ revert, key }) => {
    const state = states[revert]!;
    expect(state.ResultPath).toBe(`$.reverts.${key}`);
    expect((state.Retry as State[]).some((r) => r.ErrorEquals.includes('States.ALL') && r.MaxAttempts >= 2)).toBe(true);
    const incomplete = states[state.Catch[0].Next]!;
    expect(incomplete.Parameters.Error).toBe('Rollback.Incomplete');
    const index = STEPS.findIndex((s) => s.key === key);
    for (const earlier of STEPS.slice(0, index + 1)) expect(incomplete.Parameters['Cause.$']).toContain(earlier.revert.replace('Revert ', ''));
    expect(incomplete.Next).toBe('Notify rollback incomplete');
  });

  it('fails an Intake error at once with its own name: nothing to revert', () => {
    expect(states['Validate metadata']!.Catch[0].Next).toBe('Notify rejected metadata');
    expect(states['Notify rejected metadata']!.Next).toBe('Metadata rejected');
    expect(states['Metadata rejected']).toMatchObject({ Type: 'Fail', ErrorPath: '$.failure.Error' });
  });

  it('releases the lock on every exit after taking it', () => {
    const exits = ['Notify provisioned', 'Notify rolled back', 'Notify rollback incomplete'];
    expect(states['Notify provisioned']!.Next).toBe('Release profile lock');
    expect(states['Notify rolled back']!.Next).toBe('Release lock after rollback');
    expect(states['Notify rollback incomplete']!.Next).toBe('Release lock after rollback');
    for (const exit of exits) expect(states[exit]!.Catch[0].Next).toBe(states[exit]!.Next);
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
