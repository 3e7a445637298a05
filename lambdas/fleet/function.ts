import type { DeployedFunction } from '../runtime/function';
/**
 * The fleet state machine's two functions (statemachine/fleet.asl.json): not states of the federation workflow, so
 * not in FUNCTIONS. Neither calls AWS: the plan reads the configuration, the report reads the Map's results; the state
 * machine itself starts the executions and publishes the report.
 */
export const FLEET_FUNCTIONS: Record<'plan' | 'report', DeployedFunction & { key: string; state: string }> = {
  plan: {
    key: 'fleetPlan',
    state: 'Group the profiles by account',
    handler: { entry: 'lambdas/fleet/handler.ts', export: 'plan' },
    description: 'Groups the profiles to apply by the account their IAM lives in, with each account concurrency',
    memorySize: 256,
    timeoutSeconds: 10,
  },
  report: {
    key: 'fleetReport',
    state: 'Sort the outcomes',
    handler: { entry: 'lambdas/fleet/handler.ts', export: 'report' },
    description: "Sorts each profile's execution into succeeded, rolled back and needs action",
    memorySize: 256,
    timeoutSeconds: 10,
  },
};
