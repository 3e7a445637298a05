import type { CallScope } from './calls';
import type { AccountContext } from './context';
import { SeedInvalidError } from './errors';
import { TokenBucket } from './faults';
import { type IamSnapshot, SimulatedIam } from './iam';
import type { IamOptions } from './iam-model';
import type { AssumedSession } from './sts';
import { IdGenerator } from './support';

/** An account's IAM, and its rate for mutating IAM calls when it has one. */
interface AccountIam {
  iam: SimulatedIam;
  bucket?: TokenBucket;
}

/**
 * The organization: the pipeline's account and the others added to it, each with an IAM of its own, and the sessions
 * STS handed out for roles in them.
 */
export class Organization {
  public readonly sessions = new Map<string, AssumedSession>();
  private readonly members = new Map<string, AccountIam>();

  public constructor(
    /** The pipeline's account. */
    public readonly context: AccountContext,
    private readonly home: AccountIam,
    private readonly iamOptions: IamOptions,
  ) {}

  public add(account: string, mutatingCallsPerSecond: number | undefined): void {
    if (!/^\d{12}$/.test(account)) throw new SeedInvalidError(`an account id has 12 digits: ${account}`);
    if (account === this.context.account || this.members.has(account)) return;
    const context: AccountContext = { ...this.context, account, ids: new IdGenerator(`${this.context.partition}:${account}`) };
    this.members.set(account, {
      iam: new SimulatedIam(context, this.iamOptions),
      ...(mutatingCallsPerSecond === undefined ? {} : { bucket: new TokenBucket(mutatingCallsPerSecond, this.context.clock) }),
    });
  }

  /** The ids of the organization's other accounts. */
  public get memberIds(): string[] {
    return [...this.members.keys()];
  }

  public iamOf(account: string): SimulatedIam | undefined {
    return account === this.context.account ? this.home.iam : this.members.get(account)?.iam;
  }

  public iamScope(account: string): CallScope & { iam: SimulatedIam } {
    if (account === this.context.account) return { account, ...this.home };
    const member = this.members.get(account);
    if (!member) throw new SeedInvalidError(`account ${account} is not in the simulated organization (addAccount)`);
    return { account, ...member };
  }

  /** The IAM of each other account, by account id. */
  public memberSnapshots(): Record<string, IamSnapshot> {
    return Object.fromEntries([...this.members].map(([account, member]) => [account, member.iam.snapshot()]));
  }
}
