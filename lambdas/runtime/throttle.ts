/**
 * IAM throttles each account's calls (mutating ones most); a fleet run shares one account's rate among the
 * executions of that account. Left to the state machine's Retry, a throttled step waited whole seconds of jittered
 * exponential backoff (2 s, 4 s, 8 s, ...) and restarted from its first read, while the account's rate refilled
 * unused: 50 profiles in one account took 1.9 times the floor the rate sets. So a step retries a throttled IAM call
 * itself, at once and cheaply: capped full-jitter backoff (AWS's "Exponential Backoff And Jitter"), starting at
 * 200 ms and never waiting more than 1 s at a time, within a time budget well inside the function's timeout. Past the
 * budget the error goes to the state machine's Retry, which remains the answer to a lasting outage.
 *
 * The SDK's own retry (3 attempts, its standard mode) runs inside each call first; this wraps the client the step
 * receives, so the deployed functions and the simulated account run the same waits.
 */
export const THROTTLE_RETRY = { baseMs: 200, capMs: 1000, budgetMs: 20_000 } as const;

/** The error names IAM (and STS, which the target sessions call first) use for "slow down". */
const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException']);

function isThrottling(error: unknown): boolean {
  return error instanceof Error && THROTTLING.has(error.name);
}

export interface ThrottleRetryOptions {
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
  random?: () => number;
}

/**
 * The client as one invocation of a step uses it: `send` retries throttling while the invocation's budget lasts (one
 * budget for all its calls, counted from when the client is made, so a step of several calls stays well inside its
 * function's timeout); everything else passes through.
 */
export function retryingThrottles<Client extends { send: (command: never) => Promise<unknown> }>(
  client: Client,
  options: ThrottleRetryOptions,
): Client {
  const random = options.random ?? Math.random;
  const started = options.now().getTime();
  const send = async (command: unknown): Promise<unknown> => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await (client.send as (command: unknown) => Promise<unknown>)(command);
      } catch (error) {
        const delay = random() * Math.min(THROTTLE_RETRY.capMs, THROTTLE_RETRY.baseMs * 2 ** attempt);
        // Attempts bound the loop too, should time not pass (a test's clock).
        if (!isThrottling(error) || attempt >= 100 || options.now().getTime() - started + delay > THROTTLE_RETRY.budgetMs) throw error;
        await options.sleep(delay);
      }
    }
  };
  return new Proxy(client, { get: (target, key, receiver) => (key === 'send' ? send : Reflect.get(target, key, receiver)) });
}
