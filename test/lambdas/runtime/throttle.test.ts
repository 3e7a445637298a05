import { GetRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import { retryingThrottles, THROTTLE_RETRY } from '../../../lambdas/runtime/throttle';

/** A client whose answers are scripted, and a clock that moves only when the wrapper sleeps. */
function scripted(answers: Array<'ok' | string>) {
  let now = 0;
  const sleeps: number[] = [];
  let calls = 0;
  const client = {
    send: async () => {
      const answer = answers[Math.min(calls, answers.length - 1)];
      calls += 1;
      if (answer === 'ok') return { ok: true };
      throw Object.assign(new Error(`answer ${calls}`), { name: answer });
    },
  } as unknown as IAMClient;
  const options = {
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    now: () => new Date(now),
    random: () => 1,
  };
  return { client, options, sleeps, calls: () => calls };
}

describe('a throttled IAM call', () => {
  it('is retried after short capped waits until it goes through', async () => {
    const { client, options, sleeps, calls } = scripted(['Throttling', 'Throttling', 'ThrottlingException', 'ok']);
    await expect(retryingThrottles(client, options).send(new GetRoleCommand({ RoleName: 'r' }))).resolves.toEqual({ ok: true });
    expect(calls()).toBe(4);
    expect(sleeps).toEqual([200, 400, 800]);
  });

  it('never waits more than the cap at a time', async () => {
    const { client, options, sleeps } = scripted([...Array(8).fill('Throttling'), 'ok']);
    await retryingThrottles(client, options).send(new GetRoleCommand({ RoleName: 'r' }));
    expect(Math.max(...sleeps)).toBe(THROTTLE_RETRY.capMs);
  });

  it('passes any other error on at once', async () => {
    const { client, options, calls } = scripted(['AccessDenied']);
    await expect(retryingThrottles(client, options).send(new GetRoleCommand({ RoleName: 'r' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(calls()).toBe(1);
  });

  it("shares one budget among all the calls of an invocation, then leaves the error to the state machine's retry", async () => {
    const { client, options, sleeps } = scripted(['Throttling']);
    const iam = retryingThrottles(client, options);
    await expect(iam.send(new GetRoleCommand({ RoleName: 'r' }))).rejects.toMatchObject({ name: 'Throttling' });
    const firstCall = sleeps.reduce((a, b) => a + b, 0);
    expect(firstCall).toBeLessThanOrEqual(THROTTLE_RETRY.budgetMs);
    // The next call of the same invocation finds the budget (nearly) spent: both calls together wait no longer than it.
    await expect(iam.send(new GetRoleCommand({ RoleName: 'r' }))).rejects.toMatchObject({ name: 'Throttling' });
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(THROTTLE_RETRY.budgetMs);
  });
});
