import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { ConsoleApi, ResponseConfig, ResponseSchemaConfig } from '../lambdas/identity-center/console-api';
import { toApplicationInstanceView, toCertificates, toTemplates } from '../lambdas/identity-center/console-client';
import type { MetadataFetcher } from '../lambdas/identity-center/portal';
import type { IamSession } from '../lambdas/runtime/function';
import { DynamoDbRecordStore, type RecordStore } from '../lambdas/shared/records';
import type { AccountContext, Operations } from './context';
import { awsError, SeedInvalidError, type Service, SwbServiceFault, UnsupportedCommandError } from './errors';
import { type CallInfo, type Fault, FaultInjector, type FaultSpec, TokenBucket } from './faults';
import { type IamSnapshot, SimulatedIam } from './iam';
import { SimulatedIdentityStore } from './identity-store';
import { type LockItem, type LockPutInput, SimulatedLockTable } from './lock-table';
import { type Notification, SimulatedNotifications } from './notifications';
import { type RecordItem, SimulatedRecordTable } from './record-table';
import { BOOKKEEPING_PREFIXES, bodyBytes, type S3ObjectSnapshot, SimulatedS3 } from './s3';
import { type AddApplicationOptions, type AddInstanceOptions, SimulatedSsoAdmin, type SsoAdminSnapshot } from './sso-admin';
import { type AssumedSession, iamActionsOf, iamConditionKeys, iamResourceOf, policiesAllow, stsOperations } from './sts';
import { IdGenerator } from './support';
import { SimulatedSwb, type SwbInstanceSnapshot, swbInstanceId } from './swb';

export { type Service, SwbServiceFault } from './errors';
export type { CallInfo, Fault, FaultSpec } from './faults';

export type { RecordItem } from './record-table';

export {
  type AddApplicationOptions,
  type AddInstanceOptions,
  CUSTOM_SAML_PROVIDER_ARN,
  DEFAULT_SSO_PAGE_SIZE,
  OAUTH_PROVIDER_ARN,
} from './sso-admin';

import { MetadataFetchFailedError } from '../lambdas/identity-center/errors';

export { swbInstanceId } from './swb';

/** The provider of applications made from the console's "Amazon Connect" catalog template. */
const AMAZON_CONNECT_PROVIDER_ARN = 'arn:aws:sso::aws:applicationProvider/catalog/AmazonConnect';

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
  /** Seed of the generated ids (role ids, version ids); the same seed and calls give the same ids. */
  idSeed?: string;
}

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

export interface SimulatedClients {
  s3: S3Client;
  iam: IAMClient;
  /** IAM of an account of the organization, through a role assumed there (STS AssumeRole, service 'sts' in the log). */
  iamIn(session: IamSession): IAMClient;
  ssoAdmin: SSOAdminClient;
  identityStore: IdentitystoreClient;
  swb: ConsoleApi;
  /** The Identity Center portal's metadata URLs (service 'portal' in the call log). */
  fetchMetadata: MetadataFetcher;
  /** The pipeline's record table, through the SDK's DynamoDB client (service 'records' in the call log). */
  records: RecordStore;
}

/** The record table's name in a simulated account. */
const SIMULATED_RECORD_TABLE = 'saml-federation-records';
/** The lock table's name in a simulated account (the local runner substitutes the same into the ASL). */
const SIMULATED_LOCK_TABLE = 'saml-federation-locks';

/** The state machine's DynamoDB integration on the lock table, as plain functions. */
export interface LockTableApi {
  /** Conditional put; throws 'DynamoDB.ConditionalCheckFailedException' while another lease is held, unexpired. */
  put(item: LockPutInput): Promise<void>;
  /** Conditional delete on the lease; throws 'DynamoDB.ConditionalCheckFailedException' when not held under `lease`. */
  release(profile: string, lease: string): Promise<void>;
  get(profile: string): Promise<LockItem | undefined>;
}

export interface NotificationsApi {
  publish(subject: string, message: string, attributes?: Record<string, unknown>): Promise<{ MessageId: string }>;
  readonly messages: readonly Notification[];
}

/** The whole account, deep and JSON-comparable, without dates: `expect(after).toEqual(before)`. */
export interface AccountSnapshot {
  s3: Record<string, Record<string, S3ObjectSnapshot>>;
  iam: IamSnapshot;
  /** The IAM of each other account of the organization (addAccount), by account id. */
  accounts: Record<string, IamSnapshot>;
  ssoAdmin: SsoAdminSnapshot;
  swb: Record<string, SwbInstanceSnapshot>;
  lockTable: Record<string, LockItem>;
}

export interface SnapshotOptions {
  /** S3 key prefixes left out; default BOOKKEEPING_PREFIXES (backups/). The record table is never part of a snapshot. */
  excludePrefixes?: readonly string[];
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
 * An AWS account in memory: S3 (versioned buckets), IAM (SAML providers, roles, managed policies), IAM Identity
 * Center (sso-admin and the console's SWBService), the lock table and the notification topic. Clients from
 * `clients()` answer `send(command)` as the SDK v3 clients do, including the SDK's own exception classes, so the
 * pipeline's steps run against it unchanged. Every call is logged; faults, throttling and latency can be injected.
 */
export class SimulatedAccount {
  public readonly account: string;
  public readonly region: string;
  public readonly partition: string;
  /** Every call made through the clients, the lock table and the topic, in the order they were applied. */
  public readonly calls: CallRecord[] = [];
  public readonly faults = new FaultInjector();
  public readonly lock: LockTableApi;
  public readonly notifications: NotificationsApi;

  private readonly clock: () => Date;
  private readonly latency: (service: Service, operation: string) => number;
  private readonly bucket?: TokenBucket;
  private readonly iamOptions: ConstructorParameters<typeof SimulatedIam>[1];
  private readonly s3: SimulatedS3;
  private readonly iam: SimulatedIam;
  private readonly ssoAdmin: SimulatedSsoAdmin;
  private readonly swb: SimulatedSwb;
  private readonly identityStore: SimulatedIdentityStore;
  private readonly lockTable: SimulatedLockTable;
  private readonly topic: SimulatedNotifications;
  private readonly recordTable: SimulatedRecordTable;
  private readonly members = new Map<string, { iam: SimulatedIam; bucket?: TokenBucket }>();
  private readonly sessions = new Map<string, AssumedSession>();
  private readonly ids: IdGenerator;
  private readonly context: AccountContext;
  private readonly cachedClients = new Map<string, SimulatedClients>();
  private base?: Omit<SimulatedClients, 'iamIn'>;
  private seeding = 0;
  private interleaved: Array<{ matches: (call: CallInfo) => boolean; action: (clients: SimulatedClients) => unknown }> = [];

  public constructor(options: SimulatedAccountOptions = {}) {
    this.account = options.account ?? '111122223333';
    this.region = options.region ?? 'us-east-1';
    this.partition = options.partition ?? 'aws';
    this.clock = options.clock ?? (() => new Date());
    const latency = options.latencyMs;
    this.latency = typeof latency === 'function' ? latency : () => latency ?? 0;
    if (options.mutatingCallsPerSecond !== undefined) this.bucket = new TokenBucket(options.mutatingCallsPerSecond, this.clock);
    const ids = new IdGenerator(options.idSeed ?? `${this.partition}:${this.account}`);
    this.ids = ids;
    const context: AccountContext = {
      account: this.account,
      region: this.region,
      partition: this.partition,
      clock: this.clock,
      ids,
      seeding: () => this.seeding > 0,
    };
    this.context = context;
    this.iamOptions = { principalPropagationDelayCalls: options.principalPropagationDelayCalls, pageSize: options.iamPageSize };
    this.s3 = new SimulatedS3(context);
    this.iam = new SimulatedIam(context, this.iamOptions);
    this.ssoAdmin = new SimulatedSsoAdmin(context);
    this.identityStore = new SimulatedIdentityStore(context);
    const ssoAdmin = this.ssoAdmin;
    this.swb = new SimulatedSwb(
      context,
      { returnsConfiguration: options.swbReturnsConfiguration, keepsRelayState: options.swbKeepsRelayState },
      {
        created: (instanceId, name) => ssoAdmin.createdThroughConsole(instanceId, name, AMAZON_CONNECT_PROVIDER_ARN),
        renamed: (instanceId, name) => {
          const arn = ssoAdmin.applicationOfInstance(instanceId);
          if (arn) ssoAdmin.renameApplication(arn, name);
        },
        deleted: (instanceId) => {
          const arn = ssoAdmin.applicationOfInstance(instanceId);
          if (arn) ssoAdmin.removeApplication(arn);
        },
      },
    );
    this.lockTable = new SimulatedLockTable(this.clock);
    this.recordTable = new SimulatedRecordTable(SIMULATED_LOCK_TABLE, (profile) => this.lockTable.item(profile));
    this.topic = new SimulatedNotifications(ids);

    const lockOps = this.lockTable.operations;
    this.lock = {
      put: async (item) => {
        await this.invoke('dynamodb', 'PutItem', item, lockOps);
      },
      release: async (profile, lease) => {
        await this.invoke('dynamodb', 'DeleteItem', { profile, lease }, lockOps);
      },
      get: async (profile) => ((await this.invoke('dynamodb', 'GetItem', { profile }, lockOps)) as { Item?: LockItem }).Item,
    };
    const topic = this.topic;
    this.notifications = {
      publish: async (subject, message, attributes) => {
        const input = attributes === undefined ? { subject, message } : { subject, message, attributes };
        return (await this.invoke('sns', 'Publish', input, topic.operations)) as { MessageId: string };
      },
      get messages() {
        return topic.messages;
      },
    };
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
      clients = { ...this.baseClients(), iamIn: this.sessionClients(caller) };
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
    if (!/^\d{12}$/.test(account)) throw new SeedInvalidError(`an account id has 12 digits: ${account}`);
    if (account === this.account || this.members.has(account)) return;
    const context: AccountContext = { ...this.context, account, ids: new IdGenerator(`${this.partition}:${account}`) };
    this.members.set(account, {
      iam: new SimulatedIam(context, this.iamOptions),
      ...(options.mutatingCallsPerSecond === undefined ? {} : { bucket: new TokenBucket(options.mutatingCallsPerSecond, this.clock) }),
    });
  }

  /** The ids of the organization's other accounts. */
  public get accountIds(): string[] {
    return [...this.members.keys()];
  }

  /**
   * Applies one IAM operation in a member account (or this one) at once, unlogged, as `seed` does: for building the
   * organization's starting state synchronously (the target roles a StackSet would have deployed).
   */
  public seedIam(account: string, operation: string, input: object): object {
    const handler = this.iamScope(account).iam.operations[operation];
    if (!handler) throw new UnsupportedCommandError('iam', operation);
    this.seeding += 1;
    try {
      return handler(structuredClone(input));
    } finally {
      this.seeding -= 1;
    }
  }

  private iamScope(account: string): CallScope & { iam: SimulatedIam } {
    if (account === this.account) return { account, iam: this.iam, ...(this.bucket ? { bucket: this.bucket } : {}) };
    const member = this.members.get(account);
    if (!member) throw new SeedInvalidError(`account ${account} is not in the simulated organization (addAccount)`);
    return { account, ...member };
  }

  /**
   * `iamIn` for one caller: the first call of a session assumes its role (STS AssumeRole, checked against the role's
   * trust policy), as the SDK's temporary-credentials provider does; every IAM call then goes to that account, under
   * its own rate, and only if the role's policies (and the session policy) allow it.
   */
  private sessionClients(caller: string | undefined): (session: IamSession) => IAMClient {
    const sts = stsOperations({
      caller,
      iamOf: (account) => (account === this.account ? this.iam : this.members.get(account)?.iam),
      ids: this.ids,
      sessions: this.sessions,
    });
    const byKey = new Map<string, IAMClient>();
    return (session) => {
      const key = JSON.stringify(session);
      const existing = byKey.get(key);
      if (existing) return existing;
      let assumed: AssumedSession | undefined;
      const client = {
        send: async (command: object) => {
          if (!assumed) {
            const answer = (await this.invoke(
              'sts',
              'AssumeRole',
              {
                RoleArn: session.roleArn,
                RoleSessionName: session.sessionName,
                SourceIdentity: session.sessionName,
                ...(session.policy ? { Policy: session.policy } : {}),
              },
              sts,
            )) as { Credentials: { AccessKeyId: string } };
            assumed = this.sessions.get(answer.Credentials.AccessKeyId);
          }
          const granted = assumed as AssumedSession;
          const scope = this.iamScope(granted.account);
          const authorize = (operation: string, input: Record<string, unknown>) => {
            const role = scope.iam.roles.get(granted.roleName.toLowerCase());
            const documents = role ? [...role.inline.values()] : [];
            const resource = iamResourceOf(operation, input, scope.iam);
            const keys = iamConditionKeys(operation, input, scope.iam);
            for (const action of iamActionsOf(operation, input)) {
              const allowed =
                policiesAllow(documents, action, resource, keys) &&
                (granted.policy === undefined || policiesAllow([granted.policy], action, resource, keys));
              if (!allowed)
                throw awsError(
                  'AccessDenied',
                  `User: arn:${this.partition}:sts::${granted.account}:assumed-role/${granted.roleName}/${granted.sessionName} is not authorized to perform: ${action} on resource: ${resource}`,
                  'iam',
                );
            }
          };
          return this.scopedClient('iam', scope.iam.operations, { ...scope, authorize }).send(command);
        },
        destroy: () => undefined,
      } as unknown as IAMClient;
      byKey.set(key, client);
      return client;
    };
  }

  private baseClients(): Omit<SimulatedClients, 'iamIn'> {
    this.base ??= this.createBaseClients();
    return this.base;
  }

  private createBaseClients(): Omit<SimulatedClients, 'iamIn'> {
    const swbOps = this.swb.operations;
    // Stands in for the HTTP adapter: the service's answers, and its faults, become the adapter's Mapping.* errors.
    const call = async (operation: string, input: object): Promise<object> => {
      try {
        return stripMetadata(await this.invoke('swb', operation, input, swbOps));
      } catch (error) {
        throw error instanceof SwbServiceFault ? error.asAdapterError() : error;
      }
    };
    const swb: ConsoleApi = {
      region: this.region,
      // Through the real adapter's parsers, so that what the steps see is what they would make of the HTTP answer.
      getApplicationInstance: async (instanceId) => toApplicationInstanceView(instanceId, await call('GetApplicationInstance', { instanceId })),
      listApplicationInstanceCertificates: async (instanceId) => toCertificates(await call('ListApplicationInstanceCertificates', { instanceId })),
      listApplicationTemplates: async () => toTemplates(await call('ListApplicationTemplates', {})),
      createApplicationInstance: async (templateId, name) => {
        const answer = (await call('CreateApplicationInstance', { templateId, name })) as { applicationInstance: { instanceId: string } };
        return answer.applicationInstance.instanceId;
      },
      updateApplicationInstanceDisplayData: async (instanceId, displayName, description) => {
        await call('UpdateApplicationInstanceDisplayData', { instanceId, displayName, description });
      },
      deleteApplicationInstance: async (instanceId) => {
        await call('DeleteApplicationInstance', { instanceId });
      },
      updateApplicationInstanceResponseConfiguration: async (instanceId, responseConfig) => {
        await call('UpdateApplicationInstanceResponseConfiguration', { instanceId, responseConfig });
      },
      updateApplicationInstanceResponseSchemaConfiguration: async (instanceId, responseSchemaConfig) => {
        await call('UpdateApplicationInstanceResponseSchemaConfiguration', { instanceId, responseSchemaConfig });
      },
    };
    return {
      s3: this.sdkClient('s3', this.s3.operations) as unknown as S3Client,
      iam: this.sdkClient('iam', this.iam.operations) as unknown as IAMClient,
      ssoAdmin: this.sdkClient('sso-admin', this.ssoAdmin.operations) as unknown as SSOAdminClient,
      identityStore: this.sdkClient('identitystore', this.identityStore.operations) as unknown as IdentitystoreClient,
      swb,
      fetchMetadata: this.fetchMetadata,
      records: new DynamoDbRecordStore(
        this.sdkClient('records', this.recordTable.operations) as unknown as DynamoDBClient,
        SIMULATED_RECORD_TABLE,
        SIMULATED_LOCK_TABLE,
      ),
    };
  }

  /**
   * One call of the console API as the service answers it (output, or a thrown SwbServiceFault), logged and subject to
   * faults like any other: what the simulated HTTP endpoint (test/helpers/swb-http.ts) serves.
   */
  public async swbCall(operation: string, input: object): Promise<object> {
    return stripMetadata(await this.invoke('swb', operation, input, this.swb.operations));
  }

  /**
   * The Identity Center portal's answer to a GET of a metadata URL, as the deployed fetcher would get it: the
   * application's IdP metadata, or an HTTP 404 (Metadata.FetchFailed) for any other URL. Logged as service 'portal',
   * so faults can be injected into it like into any call.
   */
  public readonly fetchMetadata: MetadataFetcher = async (url) => {
    const portal = {
      GET: (input: { url: string }) => {
        const instanceId = this.swb.instanceForMetadataUrl(new URL(input.url));
        if (!instanceId) throw new MetadataFetchFailedError(`GET ${input.url}: HTTP 404`);
        return { body: this.swb.metadataXml(instanceId) };
      },
    };
    // The deployed fetcher turns every failure of the request into Metadata.FetchFailed; so does this stand-in.
    const answer = (await this.invoke('portal', 'GET', { url: url.toString() }, portal).catch((error: Error) => {
      throw error.name.startsWith('Metadata.') ? error : new MetadataFetchFailedError(`GET ${url.toString()}: ${error.name}`, { cause: error });
    })) as { body: string };
    return Buffer.from(answer.body, 'utf-8');
  };

  /** Identity Center rotates the application's signing certificate: a new one becomes active, as after "Set as active". */
  public rotateApplicationCertificate(applicationArn: string, notAfter?: Date): void {
    this.swb.rotateCertificate(swbInstanceId(applicationArn), notAfter);
  }

  /** Sets when the application's active certificate expires. */
  public setApplicationCertificateExpiry(applicationArn: string, notAfter: Date): void {
    this.swb.setActiveCertificateExpiry(swbInstanceId(applicationArn), notAfter);
  }

  /**
   * The application's own download becomes this document, its certificates the document's: the account a person who
   * downloaded `xml` from the application has (a local run given a file, an upload test).
   */
  public serveApplicationDocument(applicationArn: string, xml: string): boolean {
    return this.swb.serveDocument(swbInstanceId(applicationArn), xml);
  }

  /** The IdP metadata the portal serves for the application now. */
  public applicationMetadata(applicationArn: string): string {
    return this.swb.metadataXml(swbInstanceId(applicationArn));
  }

  /** The mutating calls, optionally only those of some services (e.g. leave out the lock table). */
  public mutatingCalls(filter: { service?: Service | readonly Service[] } = {}): CallRecord[] {
    const services = filter.service === undefined ? undefined : typeof filter.service === 'string' ? [filter.service] : filter.service;
    return this.calls.filter((call) => call.mutating && (!services || services.includes(call.service)));
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
    let seen = 0;
    this.interleaved.push({
      matches: (call) => this.faults.describes(spec, call) && ++seen === (spec.nth ?? 1),
      action,
    });
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
    this.seeding += 1;
    try {
      return await setup(this.clients());
    } finally {
      this.seeding -= 1;
    }
  }

  public snapshot(options: SnapshotOptions = {}): AccountSnapshot {
    return {
      s3: this.s3.snapshot(options.excludePrefixes ?? BOOKKEEPING_PREFIXES),
      iam: this.iam.snapshot(),
      accounts: Object.fromEntries([...this.members].map(([account, member]) => [account, member.iam.snapshot()])),
      ssoAdmin: this.ssoAdmin.snapshot(),
      swb: this.swb.snapshot(),
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

  // ---- seed helpers (not logged) ----

  /** Buckets are versioned, as the pipeline's metadata bucket is, unless `versioned: false` (each put replaces the object). */
  public createBucket(name: string, options: { versioned?: boolean } = {}): void {
    this.s3.createBucket(name, options);
  }

  /** Puts an object (creating the bucket if needed) and returns its version id. */
  public putObject(bucket: string, key: string, body: string | Uint8Array, options: { contentType?: string } = {}): string {
    return this.s3.put(bucket, key, typeof body === 'string' ? Buffer.from(body, 'utf-8') : Buffer.from(body), options);
  }

  /** An object's text (latest or a given version), or undefined when there is none. */
  public getObjectText(bucket: string, key: string, versionId?: string): string | undefined {
    return this.s3.read(bucket, key, versionId)?.toString('utf-8');
  }

  /** Adds an AWS managed policy (arn:<partition>:iam::aws:policy/<path><name>) that roles can attach; returns its ARN. */
  public addAwsManagedPolicy(name: string, document?: string, path = '/'): string {
    const text = document ?? JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'connect:Describe*', Resource: '*' }] });
    return this.iam.addAwsManagedPolicy(name, text, path);
  }

  /** Adds an IAM Identity Center instance; returns arn:aws:sso:::instance/ssoins-<16 hex>. */
  public addIdentityCenterInstance(options: AddInstanceOptions = {}): string {
    return this.ssoAdmin.addInstance(options);
  }

  /**
   * Adds an application (with its SWBService application instance, unconfigured); returns
   * arn:aws:sso::<account>:application/ssoins-<16 hex>/apl-<16 hex>.
   */
  /** A group in the identity store of the (first) Identity Center instance, found by its display name. */
  public addIdentityStoreGroup(displayName: string, instanceArn?: string): string {
    return this.identityStore.addGroup(this.ssoAdmin.identityStoreId(instanceArn), displayName);
  }

  /** A user in the identity store of the (first) Identity Center instance, found by its user name. */
  public addIdentityStoreUser(userName: string, instanceArn?: string): string {
    return this.identityStore.addUser(this.ssoAdmin.identityStoreId(instanceArn), userName);
  }

  public addApplication(options: AddApplicationOptions): string {
    const arn = this.ssoAdmin.addApplication(options);
    this.swb.addInstance(swbInstanceId(arn));
    return arn;
  }

  /** Seeds an application's attribute configuration, as if mapped in the console. Takes the application ARN or `ins-` id. */
  public setApplicationConfiguration(
    application: string,
    configuration: { responseConfig?: ResponseConfig; responseSchemaConfig?: ResponseSchemaConfig },
  ): void {
    const instanceId = application.startsWith('ins-') ? application : swbInstanceId(application);
    this.swb.configure(instanceId, configuration);
  }

  private sdkClient(service: Service, operations: Operations): { send(command: object): Promise<object>; destroy(): void } {
    return this.scopedClient(service, operations, { account: this.account, ...(service === 'iam' && this.bucket ? { bucket: this.bucket } : {}) });
  }

  private scopedClient(service: Service, operations: Operations, scope: CallScope): { send(command: object): Promise<object>; destroy(): void } {
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
  private async invoke(
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
    for (const hook of due) await this.seed(async (clients) => hook.action(clients));
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

/** Where a call goes: its account, that account's IAM rate, and (for an assumed role's session) what the session may do. */
interface CallScope {
  account: string;
  bucket?: TokenBucket;
  /** Throws AccessDenied when the session may not make this call. */
  authorize?: (operation: string, input: Record<string, unknown>) => void;
}

function stripMetadata(output: object): object {
  const { $metadata: _metadata, ...rest } = output as Record<string, unknown>;
  return rest;
}
