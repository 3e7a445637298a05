import { type CleanupResult, type CleanupServices, cleanUpStoppedExecution } from '../../lambdas/cleanup/cleanup';
import { journalledSteps } from '../../lambdas/shared/journal';
import type { FederationConfig } from '../../lambdas/shared/profile';
import { STEP_NAMES, stepNamed } from '../../lambdas/steps';
import { endStateNames, functionContext, type LocalExecutionResult, type LocalServices, localStateMachineArn } from '../../local/runner';

export interface LocalCleanupOptions {
  services: LocalServices;
  config: FederationConfig;
  clock?: () => Date;
  /** How the cleanup waits for a stopped execution's functions to finish; locally they already have, so by default it does not. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * What the deployed status-change rule does after an execution ends FAILED, TIMED_OUT or ABORTED, run locally: the
 * cleanup function's own code, with Step Functions' record of the execution taken from the local run (its status,
 * whether it reached an end state, the last state output that carried the execution document) and each revert run
 * in process, as its Lambda would.
 */
export async function runLocalCleanup(result: LocalExecutionResult, options: LocalCleanupOptions): Promise<CleanupResult> {
  const { services, config } = options;
  const clock = options.clock ?? (() => new Date());
  const ends = endStateNames();
  const exited = result.timeline.filter((entry) => entry.event === 'exited' && isDocument(entry.output));
  const cleanupServices: CleanupServices = {
    stateMachineArn: localStateMachineArn(services.environment),
    readExecution: async () => ({
      status: result.status,
      ...(result.error ? { error: result.error } : {}),
      ...(result.cause ? { cause: result.cause } : {}),
      reachedEndState: result.timeline.some((entry) => entry.event === 'entered' && ends.has(entry.state)),
      document: exited.at(-1)?.output,
    }),
    takeLock: async (item, now, replacing) => {
      await services.takeLock(item, now, replacing);
    },
    releaseLock: async (profile, lease) => {
      await services.releaseLock(profile, lease);
    },
    records: services.clients.records,
    journalledSteps: (request) => journalledSteps(services.clients.records, request, STEP_NAMES),
    // Each revert as its Lambda runs it: its own role, its target role for a profile in another account.
    revert: async (step, document, lease) => {
      const fn = stepNamed(step).revert;
      return fn.run(JSON.parse(JSON.stringify({ document, lease })), functionContext(fn, { services, config, clock }));
    },
    publish: async (subject, message) => {
      await services.publish(subject, message);
    },
    now: clock,
    sleep: options.sleep ?? (async () => undefined),
  };
  const event = {
    detail: {
      executionArn: result.executionArn,
      stateMachineArn: cleanupServices.stateMachineArn,
      name: result.executionName,
      status: result.status,
      stopDate: clock().getTime(),
    },
  };
  return cleanUpStoppedExecution(event, cleanupServices, 0);
}

function isDocument(output: unknown): boolean {
  return typeof output === 'object' && output !== null && 'request' in output;
}
