import { randomUUID } from 'node:crypto';
import type { RunOptions } from 'aws-local-stepfunctions';
import { type FunctionContext, type PipelineFunction, substitutionName } from '../lambdas/runtime/function';
import { functionRoleArn } from '../lambdas/shared/target-account';
import { FUNCTIONS } from '../lambdas/workflow-functions';
import type { Substitutions } from '../statemachine/definition';
import type { RunLocalExecutionOptions } from './execution-options';

/** What each Task's Resource runs locally: the registered functions in process, and the lock's and SNS's integrations. */

export type Handler = (input: unknown) => Promise<unknown>;

/** A service integration's handler: its input is the state's Parameters, whose shape the ASL itself fixes. */
function integration<Params>(handler: (params: Params) => Promise<unknown>): Handler {
  return (input) => handler(input as Params);
}

export type JsonValue = Parameters<NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>[string]>[0];

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A Lambda sees JSON, not the caller's objects: anything a handler returns that is not JSON-safe shows up here too. */
export function jsonRoundTrip<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * What one function runs with locally, as its Lambda would: its own role as the caller (a target account's trust is
 * checked against it) and its kind of target role. The runner and the local cleanup both build their contexts here.
 */
export function functionContext(
  fn: PipelineFunction,
  options: Pick<RunLocalExecutionOptions, 'services' | 'config' | 'clock' | 'sleep'>,
): FunctionContext {
  const { partition, account } = options.services.environment;
  const caller = functionRoleArn(partition, account, options.config.pipelineName, fn.key);
  return {
    clients: options.services.clientsOf?.(caller) ?? options.services.clients,
    config: options.config,
    environment: options.services.environment,
    now: options.clock ?? (() => new Date()),
    sleep: options.sleep ?? (async () => undefined),
    targetAccess: fn.targetAccess,
  };
}

/** Each registered function's plain code, by the ARN the definition invokes it with, run as its Lambda would be. */
export function lambdaHandlers(options: RunLocalExecutionOptions, substitutions: Substitutions): Record<string, Handler> {
  const handlers: Record<string, Handler> = {};
  for (const fn of options.workflow?.functions ?? FUNCTIONS) {
    const arn = substitutions[substitutionName(fn)];
    if (arn === undefined) throw new Error(`no ARN for function ${fn.key}`);
    const context = functionContext(fn, options);
    handlers[arn] = (event) => fn.run(event, context);
  }
  return handlers;
}

function attributeValue(value: unknown): string {
  return (value as { S?: string; N?: string }).S ?? (value as { N?: string }).N ?? '';
}

export function integrationHandlers(options: RunLocalExecutionOptions, taskToken: string): Record<string, Handler> {
  const { services } = options;
  return {
    'arn:aws:states:::dynamodb:putItem': integration(
      async (params: { Item: Record<string, unknown>; ExpressionAttributeValues: Record<string, unknown> }) => {
        await services.takeLock(
          {
            profile: attributeValue(params.Item.profile),
            owner: attributeValue(params.Item.owner),
            lease: attributeValue(params.Item.lease),
            expiresAt: attributeValue(params.Item.expiresAt),
          },
          attributeValue(params.ExpressionAttributeValues[':now']),
          attributeValue(params.ExpressionAttributeValues[':replacing']),
        );
        return {};
      },
    ),
    'arn:aws:states:::dynamodb:deleteItem': integration(
      async (params: { Key: Record<string, unknown>; ExpressionAttributeValues: Record<string, unknown> }) => {
        await services.releaseLock(attributeValue(params.Key.profile), attributeValue(params.ExpressionAttributeValues[':lease']));
        return {};
      },
    ),
    'arn:aws:states:::dynamodb:getItem': integration(async (params: { Key: Record<string, unknown> }) => {
      const profile = attributeValue(params.Key.profile);
      const held = await services.readLock(profile);
      // As the DynamoDB integration answers: the item in attribute-value form, or no Item at all.
      return held ? { Item: { profile: { S: profile }, owner: { S: held.owner }, lease: { S: held.lease }, expiresAt: { S: held.expiresAt } } } : {};
    }),
    'arn:aws:states:::sns:publish': integration(async (params: { Subject: string; Message: string }) => {
      await services.publish(params.Subject, params.Message);
      return { MessageId: randomUUID() };
    }),
    'arn:aws:states:::sns:publish.waitForTaskToken': integration(async (params: { Subject: string; Message: string }) => {
      await services.publish(params.Subject, params.Message);
      if (!options.operator) {
        throw Object.assign(new Error('no operator answers the manual attribute-mapping wait in this local run'), { name: 'States.Timeout' });
      }
      return options.operator(params.Message, taskToken);
    }),
  };
}
