import type { ConnectClient } from '@aws-sdk/client-connect';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { ConsoleApi } from '../lambdas/identity-center/console-api';
import type { MetadataFetcher } from '../lambdas/identity-center/portal';
import type { IamSession } from '../lambdas/runtime/function';
import type { RecordStore } from '../lambdas/shared/records';
import { CallLog, type CallRecord, type CommandClient } from './calls';
import type { ConnectUserSnapshot } from './connect';
import { portalFetcher, swbAnswer, swbClient } from './console';
import type { AccountContext, Operations } from './context';
import { type Service, UnsupportedCommandError } from './errors';
import { type Fault, type FaultInjector, type FaultSpec, TokenBucket } from './faults';
import type { IamSnapshot } from './iam';
import type { IamOptions } from './iam-model';
import type { LockItem } from './lock-table';
import { Organization } from './organization';
import type { RecordItem } from './record-table';
import { BOOKKEEPING_PREFIXES, type S3ObjectSnapshot } from './s3';
import { SimulatedServices } from './services';
import { sessionClients } from './sessions';
import type { SsoAdminSnapshot } from './sso-admin';
import { IdGenerator } from './support';
import type { SwbInstanceSnapshot, SwbOptions } from './swb-state';
import { type LockTableApi, lockTableApi, type NotificationsApi, notificationsApi, recordStore } from './tables';

export type { CallRecord } from './calls';
export { type Service, SwbServiceFault } from './errors';
export type { CallInfo, Fault, FaultSpec } from './faults';

export type { RecordItem } from './record-table';

export { CUSTOM_SAML_PROVIDER_ARN, DEFAULT_SSO_PAGE_SIZE, OAUTH_PROVIDER_ARN } from './sso-admin';

export { swbInstanceId } from './swb';
export type { LockTableApi, NotificationsApi } from './tables';

export interface SimulatedAccountOptions {
  /** The pipeline's account (Identity Center, the bucket, the tables); default 111122223333. */
  account?: string;
  region?: string;
  partition?: string;
  /** IAM's rate for mutating calls (token bucket, one second of burst); calls beyond it throw 'Throttling'. */
  mutatingCallsPerSecond?: number;
  /** Real delay before each call is applied (benchmarks); a function chooses per service and operation. */
  latencyMs?: number | ((service: Service, operation: string) => number);
  clock?: () => Date;
  /**
   * Models IAM's eventual consistency: the first N CreateRole/UpdateAssumeRolePolicy calls that name a SAML provider
   * after its creation fail with MalformedPolicyDocumentException "Invalid principal in policy". Default 0.
   */
  principalPropagationDelayCalls?: number;
  /** The most items an IAM List* page holds, whatever MaxItems asks (IAM documents that it may return fewer). Default 100. */
  iamPageSize?: number;
  /** Whether the SWB GetApplicationInstance returns the stored configuration (unconfirmed for the real API). Default true. */
  swbReturnsConfiguration?: boolean;
  /** Whether the SWB response configuration keeps the relay state written to it (its field name is a guess). Default true. */
  swbKeepsRelayState?: boolean;
  /** The shape the console API's template and certificate lists answer in, where the public sources disagree. */
  swbShapes?: Pick<SwbOptions, 'templateList' | 'certificateList' | 'listsInstanceNames' | 'templates'>;
  /** Seed of the generated ids (role ids, version ids); the same seed and calls give the same ids. */
  idSeed?: string;
}

export interface SimulatedClients {
  s3: S3Client;
  iam: IAMClient;
  /** IAM of an account of the organization, through a role assumed there (STS AssumeRole, service 'sts' in the log). */
  iamIn(session: IamSession): IAMClient;
  /** Amazon Connect of this account (its own instances only). */
  connect: ConnectClient;
  /** Amazon Connect of an account of the organization, through a role assumed there (as `iamIn`). */
  connectIn(session: IamSession): ConnectClient;
  ssoAdmin: SSOAdminClient;
  identityStore: IdentitystoreClient;
  swb: ConsoleApi;
  /** The Identity Center portal's metadata URLs (service 'portal' in the call log). */
  fetchMetadata: MetadataFetcher;
  /** The pipeline's record table, through the SDK's DynamoDB client (service 'records' in the call log). */
  records: RecordStore;
}

/** The whole account, deep and JSON-comparable, without dates: `expect(after).toEqual(before)`. */
export interface AccountSnapshot {
  s3: Record<string, Record<string, S3ObjectSnapshot>>;
  iam: IamSnapshot;
  /** The IAM of each other account of the organization (addAccount), by account id. */
  accounts: Record<string, IamSnapshot>;
  ssoAdmin: SsoAdminSnapshot;
  swb: Record<string, SwbInstanceSnapshot>;
  /** The users of each Amazon Connect instance of the organization, by instance ARN then user name. */
  connect: Record<string, Record<string, ConnectUserSnapshot>>;
  lockTable: Record<string, LockItem>;
}

export interface SnapshotOptions {
  /** S3 key prefixes left out; default BOOKKEEPING_PREFIXES (backups/). The record table is never part of a snapshot. */
  excludePrefixes?: readonly string[];
}

/**
 * What every service of the account shares (its identity, clock and ids), and the log every call goes through, which
 * also tells the services when a starting state is being built.
 */
function contextAndLog(options: SimulatedAccountOptions): { context: AccountContext; log: CallLog } {
  const account = options.account ?? '111122223333';
  const partition = options.partition ?? 'aws';
  const latency = options.latencyMs;
  const log = new CallLog(account, typeof latency === 'function' ? latency : () => latency ?? 0);
  const context: AccountContext = {
    account,
    region: options.region ?? 'us-east-1',
    partition,
    clock: options.clock ?? (() => new Date()),
    ids: new IdGenerator(options.idSeed ?? `${partition}:${account}`),
    seeding: () => log.isSeeding,
  };
  return { context, log };
}

/**
 * An AWS account in memory: S3 (versioned buckets), IAM (SAML providers, roles, managed policies), IAM Identity
 * Center (sso-admin and the console's SWBService), the lock table and the notification topic. Clients from
 * `clients()` answer `send(command)` as the SDK v3 clients do, including the SDK's own exception classes, so the
 * pipeline's steps run against it unchanged. Every call is logged; faults, throttling and latency can be injected.
 */
export class SimulatedAccount extends SimulatedServices {
  public readonly account: string;
  public readonly region: string;
  public readonly partition: string;
  /** Every call made through the clients, the lock table and the topic, in the order they were applied. */
  public readonly calls: CallRecord[];
  public readonly faults: FaultInjector;
  public readonly lock: LockTableApi;
  public readonly notifications: NotificationsApi;
  /**
   * The Identity Center portal's answer to a GET of a metadata URL, as the deployed fetcher would get it: the
   * application's IdP metadata, or an HTTP 404 (Metadata.FetchFailed) for any other URL. Logged as service 'portal',
   * so faults can be injected into it like into any call.
   */
  public readonly fetchMetadata: MetadataFetcher;

  private readonly log: CallLog;
  private readonly organization: Organization;
  private readonly cachedClients = new Map<string, SimulatedClients>();
  private base?: Omit<SimulatedClients, 'iamIn' | 'connectIn'>;

  public constructor(options: SimulatedAccountOptions = {}) {
    const { context, log } = contextAndLog(options);
    const iamOptions: IamOptions = { principalPropagationDelayCalls: options.principalPropagationDelayCalls, pageSize: options.iamPageSize };
    super(context, {
      iam: iamOptions,
      swb: { returnsConfiguration: options.swbReturnsConfiguration, keepsRelayState: options.swbKeepsRelayState, ...options.swbShapes },
    });
    this.account = context.account;
    this.region = context.region;
    this.partition = context.partition;
    this.log = log;
    this.calls = log.calls;
    this.faults = log.faults;
    const rate = options.mutatingCallsPerSecond;
    const home = { iam: this.iam, ...(rate === undefined ? {} : { bucket: new TokenBucket(rate, context.clock) }) };
    this.organization = new Organization(context, home, iamOptions);
    this.lock = lockTableApi(log, this.lockTable);
    this.notifications = notificationsApi(log, this.topic);
    this.fetchMetadata = portalFetcher(log, this.swb);
  }

  /**
   * Clients typed as the SDK's; each `send(new XxxCommand(input))` is answered from this account's state. `caller` is
   * the role the calls are made with (a pipeline function's role ARN): what a target role's trust policy is checked
   * against when `iamIn` assumes it. Without one, AssumeRole is denied.
   */
  public clients(caller?: string): SimulatedClients {
    const key = caller ?? '';
    let clients = this.cachedClients.get(key);
    if (!clients) {
      clients = { ...this.baseClients(), ...sessionClients(caller, this.organization, this.log, this.connect) };
      this.cachedClients.set(key, clients);
    }
    return clients;
  }

  /**
   * Adds another account to the organization, with an IAM of its own and its own rate for mutating IAM calls. The
   * pipeline's account keeps IAM Identity Center, the bucket and the tables; a member account is reached only through
   * roles assumed there (seed them with `seedIn`).
   */
  public addAccount(account: string, options: Pick<SimulatedAccountOptions, 'mutatingCallsPerSecond'> = {}): void {
    this.organization.add(account, options.mutatingCallsPerSecond);
  }

  /** The ids of the organization's other accounts. */
  public get accountIds(): string[] {
    return this.organization.memberIds;
  }

  /**
   * Applies one IAM operation in a member account (or this one) at once, unlogged, as `seed` does: for building the
   * organization's starting state synchronously (the target roles a StackSet would have deployed).
   */
  public seedIam(account: string, operation: string, input: object): object {
    const handler = this.organization.iamScope(account).iam.operations[operation];
    if (!handler) throw new UnsupportedCommandError('iam', operation);
    return this.log.unloggedSync(() => handler(structuredClone(input)));
  }

  private baseClients(): Omit<SimulatedClients, 'iamIn' | 'connectIn'> {
    this.base ??= {
      s3: this.sdkClient('s3', this.s3.operations) as unknown as S3Client,
      iam: this.sdkClient('iam', this.iam.operations) as unknown as IAMClient,
      ssoAdmin: this.sdkClient('sso-admin', this.ssoAdmin.operations) as unknown as SSOAdminClient,
      identityStore: this.sdkClient('identitystore', this.identityStore.operations) as unknown as IdentitystoreClient,
      connect: this.sdkClient('connect', this.connect.operationsIn(this.account)) as unknown as ConnectClient,
      swb: swbClient(this.log, this.swb, this.region),
      fetchMetadata: this.fetchMetadata,
      records: recordStore(this.sdkClient('records', this.recordTable.operations)),
    };
    return this.base;
  }

  /**
   * One call of the console API as the service answers it (output, or a thrown SwbServiceFault), logged and subject to
   * faults like any other: what the simulated HTTP endpoint (test/helpers/swb-http.ts) serves.
   */
  public async swbCall(operation: string, input: object): Promise<object> {
    return swbAnswer(this.log, this.swb, operation, input);
  }

  /** The mutating calls, optionally only those of some services (e.g. leave out the lock table). */
  public mutatingCalls(filter: { service?: Service | readonly Service[] } = {}): CallRecord[] {
    return this.log.mutatingCalls(filter);
  }

  public clearCalls(): void {
    this.calls.length = 0;
  }

  /**
   * Runs `action` just before a matching call is applied, as another actor would act between a step's read and its
   * write (another execution creating the same policy, a person editing the role). The action reaches the account
   * through the clients, unlogged; the call then proceeds on the state it left. Once, at the `nth` match (default 1).
   */
  public interleave(spec: Pick<FaultSpec, 'service' | 'operation' | 'nth' | 'when'>, action: (clients: SimulatedClients) => unknown): void {
    this.log.interleave(spec, () => action(this.clients()));
  }

  /** Fails the n-th mutating call (1-based) made from now on, before it takes effect. */
  public failAtMutatingCall(n: number, error: string | Error, options: Pick<FaultSpec, 'service' | 'times'> = {}): Fault {
    return this.faults.inject({ ...options, nth: n, error, mutatingOnly: true });
  }

  /**
   * Runs setup through the clients without logging, faults, throttling or latency, so a test can build its starting
   * state with the same API calls the pipeline uses. Do not run it concurrently with the code under test.
   */
  public async seed<T>(setup: (clients: SimulatedClients) => Promise<T>): Promise<T> {
    return this.log.unlogged(() => setup(this.clients()));
  }

  public snapshot(options: SnapshotOptions = {}): AccountSnapshot {
    return {
      s3: this.s3.snapshot(options.excludePrefixes ?? BOOKKEEPING_PREFIXES),
      iam: this.iam.snapshot(),
      accounts: this.organization.memberSnapshots(),
      ssoAdmin: this.ssoAdmin.snapshot(),
      swb: this.swb.snapshot(),
      connect: this.connect.snapshot(),
      lockTable: this.lockTable.snapshot(),
    };
  }

  /**
   * The pipeline's record table (journal entries, saved mappings): bookkeeping, so not part of `snapshot()`, whose
   * before/after comparison is about the account's resources.
   */
  public records(): RecordItem[] {
    return this.recordTable.snapshot();
  }

  private sdkClient(service: Service, operations: Operations): CommandClient {
    const { bucket } = this.organization.iamScope(this.account);
    return this.log.client(service, operations, { account: this.account, ...(service === 'iam' && bucket ? { bucket } : {}) });
  }
}
