import { injectedError, type Service } from './errors';

/** What a fault sees of a call when deciding whether it matches. */
export interface CallInfo {
  /** The account the call goes to. */
  account: string;
  service: Service;
  operation: string;
  input: unknown;
  mutating: boolean;
}

export interface FaultSpec {
  service?: Service | readonly Service[];
  /** Operation name without the `Command` suffix ('CreateRole', 'PutObject', 'PutItem'). */
  operation?: string | readonly string[];
  /** 1-based position among the calls this fault matches, counted from when it was injected. Default 1. */
  nth?: number;
  /**
   * The error to throw. A string names an AWS error, resolved against the call's service: the SDK's own class where
   * it models one ('ServiceFailure' -> ServiceFailureException on IAM), else an Error with that exact name
   * ('Throttling', 'SlowDown', 'DynamoDB.ProvisionedThroughputExceededException'). On 'swb' a service error type
   * passes through the HTTP adapter's translation ('ThrottlingException' -> 'Mapping.Throttled'); 'Mapping.*' is kept.
   */
  error: string | Error;
  /** How many consecutive matching calls fail, starting at `nth`. Default 1; Infinity for a lasting outage. */
  times?: number;
  mutatingOnly?: boolean;
  /**
   * The call takes effect and then its answer is lost: the caller sees the error although the change was made (a
   * timeout or dropped connection after AWS applied the write). Default false: the failed call changes nothing.
   */
  afterEffect?: boolean;
  /** A further condition on the call, e.g. only PutObject under `backups/`. */
  when?: (call: CallInfo) => boolean;
}

/** An injected fault; `matched` and `fired` let a test prove the fault was actually reached. */
export interface Fault {
  readonly spec: Readonly<FaultSpec>;
  readonly matched: number;
  readonly fired: number;
  /** True once the fault has thrown every time it was asked to. */
  readonly exhausted: boolean;
  remove(): void;
}

class ActiveFault implements Fault {
  public matched = 0;
  public fired = 0;

  public constructor(
    public readonly spec: Readonly<FaultSpec>,
    private readonly owner: FaultInjector,
  ) {}

  public get exhausted(): boolean {
    return this.fired >= (this.spec.times ?? 1);
  }

  public remove(): void {
    this.owner.remove(this);
  }

  public matches(call: CallInfo): boolean {
    return callMatches(this.spec, call);
  }
}

/** Whether a call is one a fault (or an interleaved action) names: by service, operation, mutating or a condition. */
function callMatches(spec: Pick<FaultSpec, 'service' | 'operation' | 'mutatingOnly' | 'when'>, call: CallInfo): boolean {
  const { service, operation, mutatingOnly, when } = spec;
  if (service !== undefined && !(typeof service === 'string' ? service === call.service : service.includes(call.service))) return false;
  if (operation !== undefined && !(typeof operation === 'string' ? operation === call.operation : operation.includes(call.operation))) return false;
  if (mutatingOnly && !call.mutating) return false;
  return when ? when(call) : true;
}

/**
 * Faults that make chosen calls fail before they take effect (the failed call changes nothing), to show what the
 * workflow does when AWS refuses a call at any position.
 */
export class FaultInjector {
  private faults: ActiveFault[] = [];

  public inject(spec: FaultSpec): Fault {
    if (spec.nth !== undefined && (!Number.isInteger(spec.nth) || spec.nth < 1)) throw new RangeError(`nth is 1-based: ${spec.nth}`);
    const fault = new ActiveFault({ ...spec }, this);
    this.faults.push(fault);
    return fault;
  }

  public clear(): void {
    this.faults = [];
  }

  /** Whether `spec` names this call (service, operation, mutating, condition), without counting it. */
  public describes(spec: Pick<FaultSpec, 'service' | 'operation' | 'mutatingOnly' | 'when'>, call: CallInfo): boolean {
    return callMatches(spec, call);
  }

  public get active(): readonly Fault[] {
    return this.faults.filter((fault) => !fault.exhausted);
  }

  /** @internal */
  public remove(fault: Fault): void {
    this.faults = this.faults.filter((candidate) => candidate !== fault);
  }

  /**
   * Counts the call against every fault that matches it and returns the error of the first one whose turn it is.
   * Called once per call, before the call is applied.
   */
  public check(call: CallInfo): { error: Error; afterEffect: boolean } | undefined {
    let error: Error | undefined;
    let afterEffect = false;
    for (const fault of this.faults) {
      if (!fault.matches(call)) continue;
      fault.matched += 1;
      const first = fault.spec.nth ?? 1;
      if (error === undefined && fault.matched >= first && !fault.exhausted) {
        fault.fired += 1;
        const spec = fault.spec.error;
        error = typeof spec === 'string' ? injectedError(spec, call.service, call.operation) : spec;
        afterEffect = fault.spec.afterEffect === true;
      }
    }
    return error === undefined ? undefined : { error, afterEffect };
  }
}

/**
 * A token bucket: `ratePerSecond` tokens a second, holding at most one second's worth. Time comes from the account's
 * clock, so a test moves time by hand and nothing depends on how fast the machine is.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  public constructor(
    private readonly ratePerSecond: number,
    private readonly clock: () => Date,
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError(`mutatingCallsPerSecond must be positive: ${ratePerSecond}`);
    this.tokens = ratePerSecond;
    this.last = clock().getTime();
  }

  /** Takes a token if one is available. */
  public take(): boolean {
    const now = this.clock().getTime();
    if (now > this.last) {
      this.tokens = Math.min(this.ratePerSecond, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
      this.last = now;
    }
    // Tolerate floating-point error from fractional refills.
    if (this.tokens < 1 - 1e-9) return false;
    this.tokens -= 1;
    return true;
  }
}
