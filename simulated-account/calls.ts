import type { Operations } from './context';
import { awsError, type Service, UnsupportedCommandError } from './errors';
import { type CallInfo, FaultInjector, type FaultSpec, type TokenBucket } from './faults';
import { bodyBytes } from './s3';

/** One call, as the account saw it. `outcome` is 'ok' or the thrown error's name. */
export interface CallRecord {
  /** The account the call went to: the pipeline's own, or a member account reached through an assumed role. */
  account: string;
  service: Service;
  operation: string;
  input: unknown;
  mutating: boolean;
  outcome: string;
}

/** Where a call goes: its account, that account's IAM rate, and (for an assumed role's session) what the session may do. */
export interface CallScope {
  account: string;
  bucket?: TokenBucket;
  /** Throws AccessDenied when the session may not make this call. */
  authorize?: (operation: string, input: Record<string, unknown>) => void;
}

/** What a client typed as the SDK's does underneath: `send(command)` answered from the account's state. */
export interface CommandClient {
  send(command: object): Promise<object>;
  destroy(): void;
}

const MUTATING = /^(Create|Update|Delete|Put|Transact|Attach|Detach|Tag|Untag|Set|Add|Remove|Copy|Upload|Restore|Change|Enable|Disable|Reset)/;

/**
 * Whether a call writes. Lock table PutItem/DeleteItem are writes; SNS Publish is not (it changes no stored state),
 * so "a second run makes zero mutating calls" can be checked on the AWS resources with `mutatingCalls({ service })`.
 */
function isMutating(_service: Service, operation: string): boolean {
  return MUTATING.test(operation);
}

/** The record of a call's input: a deep copy, with an S3 body as text so a test can read a journal entry from it. */
function recordedInput(input: Record<string, unknown>): unknown {
  const body = input.Body;
  const copy = { ...input, Body: body instanceof Uint8Array ? Buffer.from(body).toString('utf-8') : body };
  if (body === undefined) delete copy.Body;
  try {
    return structuredClone(copy);
  } catch {
    return copy;
  }
}

/**
 * The way every call into the account goes: logged, subject to injected faults, throttling, latency and other actors'
 * interleaved actions, except while seeding, when a call is applied at once and leaves no trace.
 */
export class CallLog {
  public readonly calls: CallRecord[] = [];
  public readonly faults = new FaultInjector();
  private seeding = 0;
  private interleaved: Array<{ matches: (call: CallInfo) => boolean; action: () => unknown }> = [];

  public constructor(
    private readonly account: string,
    private readonly latency: (service: Service, operation: string) => number,
  ) {}

  public get isSeeding(): boolean {
    return this.seeding > 0;
  }

  /** Runs `action` as seeding: its calls unlogged, without faults, throttling or latency. */
  public unloggedSync<T>(action: () => T): T {
    this.seeding += 1;
    try {
      return action();
    } finally {
      this.seeding -= 1;
    }
  }

  /** `unloggedSync` for an action that is done only when its promise settles. */
  public async unlogged<T>(action: () => Promise<T>): Promise<T> {
    this.seeding += 1;
    try {
      return await action();
    } finally {
      this.seeding -= 1;
    }
  }

  /** Runs `action` just before the `nth` call `spec` describes is applied, unlogged; once. */
  public interleave(spec: Pick<FaultSpec, 'service' | 'operation' | 'nth' | 'when'>, action: () => unknown): void {
    let seen = 0;
    this.interleaved.push({
      matches: (call) => this.faults.describes(spec, call) && ++seen === (spec.nth ?? 1),
      action,
    });
  }

  public mutatingCalls(filter: { service?: Service | readonly Service[] }): CallRecord[] {
    const services = filter.service === undefined ? undefined : typeof filter.service === 'string' ? [filter.service] : filter.service;
    return this.calls.filter((call) => call.mutating && (!services || services.includes(call.service)));
  }

  /** A client whose commands are this service's operations, applied in `scope`. */
  public client(service: Service, operations: Operations, scope: CallScope): CommandClient {
    return {
      send: (command: object) => {
        const name = command.constructor.name;
        const operation = name.endsWith('Command') ? name.slice(0, -'Command'.length) : name;
        return this.invoke(service, operation, (command as { input?: Record<string, unknown> }).input ?? {}, operations, scope);
      },
      destroy: () => undefined,
    };
  }

  /**
   * Applies one call: waits the latency, then (in one synchronous step, so concurrent calls never interleave inside
   * an operation) checks faults and the rate, applies the operation and logs the outcome.
   */
  public async invoke(
    service: Service,
    operation: string,
    rawInput: object,
    operations: Operations,
    scope: CallScope = { account: this.account },
  ): Promise<object> {
    const handler = operations[operation];
    const input = { ...(rawInput as Record<string, unknown>) };
    if (service === 's3' && 'Body' in input) input.Body = await bodyBytes(input.Body);
    const mutating = isMutating(service, operation);
    if (!handler) {
      const error = new UnsupportedCommandError(service, operation);
      if (this.seeding === 0)
        this.calls.push({ account: scope.account, service, operation, input: recordedInput(input), mutating, outcome: error.name });
      throw error;
    }
    if (this.seeding > 0) return handler(structuredClone(input));
    const delay = this.latency(service, operation);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const call: CallInfo = { account: scope.account, service, operation, input: recordedInput(input), mutating };
    const due = this.interleaved.filter((hook) => hook.matches(call));
    this.interleaved = this.interleaved.filter((hook) => !due.includes(hook));
    for (const hook of due) await this.unlogged(async () => hook.action());
    try {
      const fault = this.faults.check(call);
      if (fault && !fault.afterEffect) throw fault.error;
      scope.authorize?.(operation, input);
      if (service === 'iam' && mutating && scope.bucket && !scope.bucket.take()) throw awsError('Throttling', 'Rate exceeded', 'iam');
      const output = await handler(structuredClone(input));
      if (fault) throw fault.error;
      this.calls.push({ ...call, outcome: 'ok' });
      return output;
    } catch (error) {
      this.calls.push({ ...call, outcome: (error as Error).name ?? 'Error' });
      throw error;
    }
  }
}
