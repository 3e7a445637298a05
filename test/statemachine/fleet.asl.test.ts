import aslValidator from 'asl-validator';
import { FLEET_FUNCTIONS } from '../../lambdas/fleet/function';
import { STARTED_BY_FIELD } from '../../lambdas/intake/request';
import { MAX_MANUAL_TIMEOUT_SECONDS } from '../../lambdas/shared/profile-schema';
import { ERROR_GROUPS, FLEET_NEEDS_ACTION } from '../../lambdas/workflow-errors';
import { FLEET_SUBSTITUTION_NAMES, loadFleetDefinition, readFleetAslText } from '../../statemachine/fleet';

type State = Record<string, any>;
const definition = loadFleetDefinition() as { TimeoutSeconds: number; States: Record<string, State> };

/** Every state of the definition, nested Map processors included, by name. */
function allStates(states: Record<string, State>): Record<string, State> {
  return Object.fromEntries(
    Object.entries(states).flatMap(([name, state]) => [
      [name, state],
      ...Object.entries(state.ItemProcessor ? allStates(state.ItemProcessor.States) : {}),
    ]),
  );
}
const states = allStates(definition.States);

describe('statemachine/fleet.asl.json', () => {
  it('is valid Amazon States Language', () => {
    const result = aslValidator(definition as never);
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('uses exactly the substitutions the stack and the local runner provide', () => {
    const used = new Set([...readFleetAslText().matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual([...FLEET_SUBSTITUTION_NAMES].sort());
  });

  it('invokes its two functions from the states they name', () => {
    for (const fn of Object.values(FLEET_FUNCTIONS)) expect(states[fn.state]?.Resource).toMatch(new RegExp(`function:saml-federation-${fn.key}$`));
  });

  it('runs accounts side by side and, within one, at most the account concurrency the plan gives', () => {
    expect(states['Apply each account']).toMatchObject({ Type: 'Map', ItemsPath: '$.accounts', MaxConcurrency: 0 });
    expect(states["Apply the account's profiles"]).toMatchObject({ Type: 'Map', ItemsPath: '$.profiles', MaxConcurrencyPath: '$.concurrency' });
  });

  it('starts each profile as a child execution that waits to the end, named after its parent, fetching from the application', () => {
    const task = states["Run the profile's execution"]!;
    expect(task.Resource).toBe('arn:aws:states:::states:startExecution.sync:2');
    expect(task.Parameters.Input).toEqual({ 'profile.$': '$.profile', 'dryRun.$': '$.dryRun', [`${STARTED_BY_FIELD}.$`]: '$$.Execution.Id' });
    // A failed child is caught, so one profile never stops the others.
    expect(task.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Profile done' }]);
  });

  it('retries only the error groups the workflow defines, and fails with Fleet.NeedsAction when a profile needs a person', () => {
    const known = Object.values(ERROR_GROUPS).map((group) => JSON.stringify([...group]));
    const unknown = Object.entries(states).flatMap(([name, state]) =>
      ((state.Retry ?? []) as Array<{ ErrorEquals: string[] }>).filter((r) => !known.includes(JSON.stringify(r.ErrorEquals))).map(() => name),
    );
    expect(unknown).toEqual([]);
    expect(states['Some profiles need action']).toMatchObject({ Type: 'Fail', Error: FLEET_NEEDS_ACTION });
  });

  it('outlives the longest child: a manual mapping may wait 7 days', () => {
    expect(definition.TimeoutSeconds).toBeGreaterThan(MAX_MANUAL_TIMEOUT_SECONDS + 3600);
  });
});
