import { ExecutionError, type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { FLEET_FUNCTIONS } from '../lambdas/fleet/function';
import { planFleet } from '../lambdas/fleet/plan';
import { type FleetReport, reportFleet } from '../lambdas/fleet/report';
import type { FederationConfig } from '../lambdas/shared/profile';
import { loadFleetDefinition, localFleetSubstitutions } from '../statemachine/fleet';
import { type LocalExecutionResult, type LocalServices, type RunLocalExecutionOptions, runLocalExecution } from './runner';

export interface RunLocalFleetOptions {
  services: LocalServices;
  config: FederationConfig;
  /** The fleet's input: {} for every profile, {"profiles": [...]}, {"dryRun": true}. */
  input?: unknown;
  executionName?: string;
  /** What every child execution runs with besides its input (retry intervals, sleep, clock, operator). */
  child?: Partial<Pick<RunLocalExecutionOptions, 'retryIntervalMs' | 'sleep' | 'clock' | 'operator'>>;
  /** Called as each child execution ends. */
  onChild?: (result: LocalExecutionResult) => void;
}

export interface LocalFleetResult {
  status: 'SUCCEEDED' | 'FAILED';
  /** The report (on success the execution's output; on Fleet.NeedsAction the same report, taken from the run). */
  report?: FleetReport;
  error?: string;
  cause?: string;
  children: LocalExecutionResult[];
  /** When each child ran (ms since the epoch), to see how many of one account's ran at once. */
  timings: Array<{ profile: string; account: string; started: number; ended: number }>;
}

type Handlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;

/**
 * Executes statemachine/fleet.asl.json, unchanged, with aws-local-stepfunctions: its two functions run in process,
 * SNS reaches `services`, and each startExecution.sync runs the federation state machine's own file locally as the
 * child (runLocalExecution), failing the Task as Step Functions does, with States.TaskFailed and the child's
 * description (Status, Error, Cause) as the cause.
 */
export async function runLocalFleet(options: RunLocalFleetOptions): Promise<LocalFleetResult> {
  const { account, region } = options.services.environment;
  const definition = loadFleetDefinition(localFleetSubstitutions(account, region)) as unknown as StateMachineDefinition;
  const stateMachine = new StateMachine(definition, { validationOptions: { checkArn: false } });
  const executionName = options.executionName ?? `fleet-${Date.now()}`;
  const executionArn = `arn:aws:states:${region}:${account}:execution:saml-federation-fleet:${executionName}`;
  const children: LocalExecutionResult[] = [];
  const timings: LocalFleetResult['timings'] = [];
  let report: FleetReport | undefined;
  let started = 0;
  const handlers: Handlers = {
    [FLEET_FUNCTIONS.plan.state]: async (input) => planFleet(input, options.config, account) as never,
    [FLEET_FUNCTIONS.report.state]: async (input) => {
      report = reportFleet(input);
      return report as never;
    },
    "Notify the fleet's outcome": async (input) => {
      const { Subject, Message } = input as { Subject: string; Message: string };
      await options.services.publish(Subject, Message);
      return {};
    },
    "Run the profile's execution": async (input) => {
      const { Input } = input as { Input: Record<string, unknown> };
      started += 1;
      const began = Date.now();
      const result = await runLocalExecution({
        ...options.child,
        services: options.services,
        config: options.config,
        input: Input,
        executionName: `${executionName}-${String(Input.profile)}-${started}`,
      });
      children.push(result);
      const profile = String(Input.profile);
      timings.push({ profile, account: options.config.profiles[profile]?.account ?? account, started: began, ended: Date.now() });
      options.onChild?.(result);
      const described = { ExecutionArn: result.executionArn, Status: result.status };
      if (result.status === 'SUCCEEDED') return { ...described, Output: result.output } as never;
      throw Object.assign(new Error(JSON.stringify({ ...described, Error: result.error, Cause: result.cause })), { name: 'States.TaskFailed' });
    },
  };
  const execution = stateMachine.run((options.input ?? {}) as never, {
    overrides: { taskResourceLocalHandlers: handlers },
    context: { Execution: { Id: executionArn, Name: executionName } } as never,
  });
  try {
    const output = (await execution.result) as unknown as FleetReport;
    return { status: 'SUCCEEDED', report: output, children, timings };
  } catch (error) {
    if (!(error instanceof ExecutionError)) throw error;
    const cause = error.cause as Error;
    return { status: 'FAILED', error: cause.name, cause: cause.message, children, timings, ...(report ? { report } : {}) };
  }
}
