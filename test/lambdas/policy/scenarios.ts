import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  type IAMClient,
  SetDefaultPolicyVersionCommand,
} from '@aws-sdk/client-iam';
import { connectFederationPolicy } from '../../../lambdas/policy/policy-document';
import { revertPolicy } from '../../../lambdas/policy/revert';
import type { ExecutionDocument } from '../../../lambdas/shared/document';
import { canonicalPolicyDocument } from '../../../lambdas/shared/policy-json';
import type { RecordStore } from '../../../lambdas/shared/records';
import { pipelineTags, type Tag } from '../../../lambdas/shared/tags';
import { type CallInfo, type CallRecord, type Service, SimulatedAccount, type SimulatedAccountOptions } from '../../../simulated-account';
import { exampleProfile, makeDocument } from '../../helpers/document';

export const ROLE = 'AmazonConnectAdminAccessRole';
export const OTHER_ROLE = 'AmazonConnectAgentAccessRole';
export const POLICY_NAME = 'AmazonConnectSSOPolicy';
export const POLICY_ARN = 'arn:aws:iam::111122223333:policy/AmazonConnectSSOPolicy';
export const TEAM_ARN = 'arn:aws:iam::111122223333:policy/Team';
export const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
/** A policy a person attached to the role before the pipeline ran: it must survive every revert. */
export const PREEXISTING = 'arn:aws:iam::aws:policy/AmazonConnect_FullAccess';
/** makeDocument()'s request bucket. */
const BUCKET = 'federation-metadata-bucket';

export const generatedDocument = (): string => connectFederationPolicy(makeDocument().profile.policy.connectInstanceArn!);
export const otherInstanceDocument = (n: number): string =>
  connectFederationPolicy(`arn:aws:connect:us-east-1:111122223333:instance/${String(n).padStart(8, '0')}-4e5f-4a6b-8c7d-9e0f1a2b3c4d`);

/** The clients a step function takes. */
export interface StepClients {
  iam: IAMClient;
  records: RecordStore;
}

/** A clock that moves a minute each time it is read, from 2024-01-01: the same calls give the same dates in every account. */
function tickingClock(): () => Date {
  let now = Date.parse('2024-01-01T00:00:00Z');
  return () => {
    now += 60_000;
    return new Date(now);
  };
}

/**
 * An account holding the metadata bucket and the AWS managed policies the tests attach. IAM documents that a List*
 * page may hold fewer items than asked: two a page (unless the test says otherwise) makes every list the step reads
 * (attachments, versions, tags, entities) span several pages. Its clock is deterministic, so that a receipt (which
 * records a deleted version's CreateDate) from one account equals the receipt from another.
 */
export function newAccount(options: SimulatedAccountOptions = {}): SimulatedAccount {
  const account = new SimulatedAccount({ iamPageSize: 2, clock: tickingClock(), ...options });
  account.createBucket(BUCKET);
  account.addAwsManagedPolicy('AmazonConnect_FullAccess');
  account.addAwsManagedPolicy('ReadOnlyAccess');
  return account;
}

export function depsOf(account: SimulatedAccount): StepClients {
  const { iam, records } = account.clients();
  return { iam, records };
}

/** The tags an earlier execution of this pipeline left on the policy it created. */
export const EARLIER_RUN_TAGS: Tag[] = pipelineTags(makeDocument({ request: { executionName: 'exec-earlier' } }).request);

/** The Policy step never reads a role's trust policy; any valid one will do. */
const TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' }],
});

/** Seeds a role with these managed policies attached, in this order. */
export async function createRole(iam: IAMClient, name: string, attached: readonly string[] = [], path = '/'): Promise<void> {
  await iam.send(new CreateRoleCommand({ RoleName: name, Path: path, AssumeRolePolicyDocument: TRUST_POLICY }));
  for (const arn of attached) await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: arn }));
}

/**
 * Seeds a customer managed policy whose versions v1, v2, ... hold `documents` (oldest first); `defaultIndex` picks the
 * default (the newest unless said otherwise). Returns its ARN.
 */
export async function createPolicy(
  iam: IAMClient,
  name: string,
  documents: readonly string[],
  options: { defaultIndex?: number; tags?: Tag[] } = {},
): Promise<string> {
  const [first, ...rest] = documents;
  // The generated policy's name, unless a test says whose it is, was created by an earlier execution of this pipeline.
  const tags = options.tags ?? (name === POLICY_NAME ? EARLIER_RUN_TAGS : undefined);
  const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: first, Tags: tags }));
  for (const document of rest) await iam.send(new CreatePolicyVersionCommand({ PolicyArn: Policy!.Arn, PolicyDocument: document }));
  const defaultIndex = options.defaultIndex ?? documents.length - 1;
  if (defaultIndex > 0) await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: Policy!.Arn, VersionId: `v${defaultIndex + 1}` }));
  return Policy!.Arn!;
}

export interface Scenario {
  name: string;
  account: () => Promise<SimulatedAccount>;
  doc: () => ExecutionDocument;
  /** Version ids cannot come back once deleted: compare documents only. */
  compareVersionIds: boolean;
}

const connectDoc = (): ExecutionDocument => makeDocument();

export const SCENARIOS: Scenario[] = [
  {
    name: 'no policy yet, the role has another policy',
    account: async () => {
      const account = newAccount();
      await account.seed(({ iam }) => createRole(iam, ROLE, [PREEXISTING]));
      return account;
    },
    doc: connectDoc,
    compareVersionIds: true,
  },
  {
    name: 'the policy exists with another instance and is not attached',
    account: async () => {
      const account = newAccount();
      await account.seed(async ({ iam }) => {
        await createRole(iam, ROLE, [PREEXISTING]);
        await createPolicy(iam, POLICY_NAME, [otherInstanceDocument(1), otherInstanceDocument(2)]);
      });
      return account;
    },
    doc: connectDoc,
    compareVersionIds: true,
  },
  {
    name: 'the policy uses all 5 versions and is attached',
    account: async () => {
      const account = newAccount();
      await account.seed(async ({ iam }) => {
        await createPolicy(iam, POLICY_NAME, [1, 2, 3, 4, 5].map(otherInstanceDocument), { defaultIndex: 2 });
        await createRole(iam, ROLE, [PREEXISTING, POLICY_ARN]);
      });
      return account;
    },
    doc: connectDoc,
    compareVersionIds: false,
  },
  {
    name: 'managed policies only, one already attached',
    account: async () => {
      const account = newAccount();
      await account.seed(async ({ iam }) => {
        await createRole(iam, ROLE, [PREEXISTING, READ_ONLY]);
        await createPolicy(iam, 'Team', [otherInstanceDocument(9)]);
      });
      return account;
    },
    doc: () => {
      const profile = exampleProfile('admin');
      return makeDocument({ profile: { ...profile, policy: { name: POLICY_NAME, managedPolicyArns: [READ_ONLY, TEAM_ARN], adopt: false } } });
    },
    compareVersionIds: true,
  },
];

/**
 * The account as compared before and after: everything but the pipeline's bookkeeping (the journal).
 * - `versionIds: false`: a policy's versions are compared as documents (and which one is the default), without their
 *   ids: IAM never reuses a version id, so a version the apply deleted comes back under a new one.
 * - `policyIds: false`: leaves out the unique id IAM gives each policy it creates, to compare with a policy created
 *   alike in another account (within one account the id stays in: a policy deleted and re-created gets a new one).
 */
export function stateOf(account: SimulatedAccount, options: { versionIds?: boolean; policyIds?: boolean } = {}): unknown {
  const snapshot = account.snapshot();
  const policies = Object.fromEntries(
    Object.entries(snapshot.iam.policies).map(([arn, { defaultVersionId, versions, policyId, ...policy }]) => [
      arn,
      {
        ...policy,
        ...((options.policyIds ?? true) ? { policyId } : {}),
        ...((options.versionIds ?? true)
          ? { defaultVersionId, versions }
          : {
              defaultDocument: versions[defaultVersionId],
              documents: Object.values(versions).sort((a, b) =>
                canonicalPolicyDocument(a as object)!.localeCompare(canonicalPolicyDocument(b as object)!),
              ),
            }),
      },
    ]),
  );
  return { ...snapshot, iam: { ...snapshot.iam, policies } };
}

/** The managed policies attached to a role, as the account holds them (sorted). */
export function attachedTo(account: SimulatedAccount, role: string): string[] | undefined {
  return account.snapshot().iam.roles[role]?.attachedPolicies;
}

/** Operation names of these calls, in order. */
export function operations(calls: readonly CallRecord[]): string[] {
  return calls.map((call) => call.operation);
}

/** The calls of one service, in order. */
export function callsTo(account: SimulatedAccount, service: Service): CallRecord[] {
  return account.calls.filter((call) => call.service === service);
}

/** The changing calls (IAM writes and journal writes, refused ones too) made since `account.calls` had `mark` entries. */
export function changesSince(account: SimulatedAccount, mark: number): string[] {
  return operations(account.calls.slice(mark).filter((call) => call.mutating));
}

/**
 * How a change fails when AWS has a transient problem: each service with its own error. 'failure' is a server error
 * (IAM ServiceFailureException, DynamoDB InternalServerError); 'throttling' is the rate limit (IAM Throttling,
 * DynamoDB ProvisionedThroughputExceededException).
 */
const TRANSIENT: Record<'failure' | 'throttling', Partial<Record<Service, string>>> = {
  failure: { iam: 'ServiceFailureException', records: 'InternalServerError' },
  throttling: { iam: 'Throttling', records: 'ProvisionedThroughputExceededException' },
};

/** The error name a caller sees when a change to `service` fails as `kind`. */
export function transientErrorName(service: Service, kind: 'failure' | 'throttling' = 'failure'): string {
  const name = TRANSIENT[kind][service];
  if (!name) throw new Error(`the Policy step changes nothing in ${service}`);
  return name;
}

/**
 * Makes the `at`-th change from now (1-based; IAM writes and journal writes counted together, as the step makes them)
 * fail with its service's transient error, before it takes effect or, with `afterEffect`, after it took effect (the
 * answer lost on the way back, as a timeout does). The two faults share one count, so whichever service the `at`-th
 * change goes to, it is that change that fails.
 */
export function failAtChange(account: SimulatedAccount, at: number, options: { afterEffect?: boolean; kind?: 'failure' | 'throttling' } = {}): void {
  // A call is numbered the first time a condition sees it, so it counts once whichever faults look at it.
  const positions = new WeakMap<CallInfo, number>();
  let changes = 0;
  const isAt = (call: CallInfo): boolean => {
    if (!call.mutating) return false;
    if (!positions.has(call)) positions.set(call, ++changes);
    return positions.get(call) === at;
  };
  for (const service of ['iam', 'records'] as const) {
    const error = transientErrorName(service, options.kind);
    account.faults.inject({ service, mutatingOnly: true, when: isAt, error, afterEffect: options.afterEffect ?? false });
  }
}

/** The document as the state machine hands it over: JSON, with the step's receipt when it finished. */
export function asRevertInput(doc: ExecutionDocument, receipt?: unknown): ExecutionDocument {
  const receipts = receipt === undefined ? doc.receipts : { ...doc.receipts, policy: receipt };
  return JSON.parse(JSON.stringify({ ...doc, receipts, failure: { Error: 'Test.Failure', Cause: 'a later step failed' } }));
}

/** Reverts until it succeeds, as the state machine's Retry does, then checks that a second revert changes nothing. */
export async function revertToEnd(account: SimulatedAccount, input: ExecutionDocument): Promise<void> {
  const deps = depsOf(account);
  for (let attempt = 0; ; attempt += 1) {
    try {
      await revertPolicy(input, deps);
      break;
    } catch (error) {
      if (attempt > 5) throw error;
    }
  }
  const mark = account.calls.length;
  await expect(revertPolicy(input, deps)).resolves.toMatchObject({ action: 'nothing-to-do' });
  expect(changesSince(account, mark)).toEqual([]);
}
