import {
  type CreatePolicyCommandInput,
  CreatePolicyVersionCommand,
  type CreatePolicyVersionCommandInput,
  DeletePolicyVersionCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  LimitExceededException,
  ListAttachedRolePoliciesCommand,
  ListPolicyTagsCommand,
  ListPolicyVersionsCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { applyPolicy } from '../../../lambdas/policy/apply';
import { connectFederationPolicy } from '../../../lambdas/policy/policy-document';
import type { PolicyPrevious } from '../../../lambdas/policy/policy-state';
import { type JournalEntry, journalKey } from '../../../lambdas/shared/journal';
import { samePolicyDocument } from '../../../lambdas/shared/policy-json';
import { pipelineTags } from '../../../lambdas/shared/tags';
import type { CallRecord, SimulatedAccount } from '../../../simulated-account';
import { exampleProfile, makeDocument } from '../../helpers/document';
import {
  attachedTo,
  callsTo,
  createPolicy,
  createRole,
  depsOf,
  EARLIER_RUN_TAGS,
  newAccount,
  operations,
  otherInstanceDocument,
  POLICY_ARN,
  POLICY_NAME,
  READ_ONLY,
  ROLE,
  TEAM_ARN,
} from './scenarios';

const doc = makeDocument();
const INSTANCE = doc.profile.policy.connectInstanceArn!;
const GENERATED = connectFederationPolicy(INSTANCE);
const OLD_DOCUMENT = connectFederationPolicy('arn:aws:connect:us-east-1:111122223333:instance/ffffffff-4e5f-4a6b-8c7d-9e0f1a2b3c4d');

/** The step's clients, with the clock the journal's `writtenAt` reads. */
function depsOn(account: SimulatedAccount) {
  return { ...depsOf(account), now: () => new Date('2030-06-01T00:00:00Z') };
}

/** An account with the role (these policies attached) and, when `policyVersions` is given, the policy holding them as v1, v2, ... */
async function accountWith(options: { attached?: string[]; policyVersions?: string[]; defaultIndex?: number } = {}): Promise<SimulatedAccount> {
  const account = newAccount();
  await account.seed(async ({ iam }) => {
    if (options.policyVersions) await createPolicy(iam, POLICY_NAME, options.policyVersions, { defaultIndex: options.defaultIndex });
    await createRole(iam, ROLE, options.attached ?? []);
  });
  return account;
}

const iamOperations = (account: SimulatedAccount): string[] => operations(callsTo(account, 'iam'));
const recordOperations = (account: SimulatedAccount): string[] => operations(callsTo(account, 'records'));

function callsOf(account: SimulatedAccount, operation: string): CallRecord[] {
  return account.calls.filter((call) => call.operation === operation);
}

/** Where the `nth` (0-based) call of `operation` stands in the account's log, which is the order the calls were applied. */
function positionOf(account: SimulatedAccount, operation: string, nth = 0): number {
  const positions = account.calls.flatMap((call, index) => (call.operation === operation ? [index] : []));
  expect(positions.length).toBeGreaterThan(nth);
  return positions[nth]!;
}

/** Every journal entry the step wrote, in order, from the bodies of its record table PutItem calls. */
function journalWrites(account: SimulatedAccount): JournalEntry<PolicyPrevious>[] {
  return callsOf(account, 'PutItem').map((call) => JSON.parse((call.input as { Item: { body: { S: string } } }).Item.body.S));
}

const tagRecord = (tags: { Key: string; Value: string }[]): Record<string, string> => Object.fromEntries(tags.map((tag) => [tag.Key, tag.Value]));

describe('applyPolicy', () => {
  it('creates the tagged federation policy and attaches it when neither exists, journaling first', async () => {
    const account = await accountWith();

    const receipt = await applyPolicy(doc, depsOn(account));

    expect(receipt).toMatchObject({ step: 'policy', action: 'created', arn: POLICY_ARN, previous: { policyExisted: false, attachedPolicyArns: [] } });
    expect(receipt.details).toMatchObject({ roleName: ROLE, policyArn: POLICY_ARN, createPolicy: true, createVersion: false, attach: [POLICY_ARN] });
    // Reads, then (for the footprint, before any change) the attachments and the policy again, then the two writes.
    expect(iamOperations(account)).toEqual([
      'GetPolicy',
      'ListAttachedRolePolicies',
      'ListAttachedRolePolicies',
      'GetPolicy',
      'CreatePolicy',
      'AttachRolePolicy',
    ]);
    const create = callsOf(account, 'CreatePolicy')[0]!.input as CreatePolicyCommandInput;
    expect(create).toMatchObject({ PolicyName: POLICY_NAME, Tags: pipelineTags(doc.request), Description: expect.stringContaining(INSTANCE) });
    expect(samePolicyDocument(create.PolicyDocument!, GENERATED)).toBe(true);
    // The account ends with the tagged policy, holding the generated document, attached to the role.
    expect(account.snapshot().iam.policies[POLICY_ARN]).toMatchObject({
      defaultVersionId: 'v1',
      versions: { v1: JSON.parse(GENERATED) },
      tags: tagRecord(pipelineTags(doc.request)),
    });
    expect(attachedTo(account, ROLE)).toEqual([POLICY_ARN]);
    // The step's look for an earlier attempt (there is none), then the journal's own read before its write.
    const key = journalKey(doc.request, 'policy');
    const recordKey = { pk: { S: key.pk }, sk: { S: key.sk } };
    expect(callsTo(account, 'records')).toEqual([
      expect.objectContaining({ operation: 'GetItem', input: expect.objectContaining({ Key: recordKey }), outcome: 'ok' }),
      expect.objectContaining({ operation: 'GetItem', input: expect.objectContaining({ Key: recordKey }), outcome: 'ok' }),
      expect.objectContaining({ operation: 'PutItem', input: expect.objectContaining({ Item: expect.objectContaining(recordKey) }), outcome: 'ok' }),
    ]);
    // The journal is written before the first change and says the policy did not exist and what gets attached.
    expect(positionOf(account, 'PutItem')).toBeLessThan(positionOf(account, 'CreatePolicy'));
    expect(journalWrites(account)[0]).toMatchObject({
      step: 'policy',
      executionName: 'exec-0001',
      writtenAt: '2030-06-01T00:00:00.000Z',
      previous: { policyExisted: false },
      details: { createPolicy: true, attach: [POLICY_ARN] },
    });
  });

  it('makes zero changes when the policy holds the same document and is attached (IAM returns it URL-encoded)', async () => {
    // The generated permissions written differently (key order, lists of one), as the default version v3; the account
    // answers GetPolicyVersion URL-encoded, as IAM does.
    const reformatted = JSON.stringify({
      Statement: [{ Resource: [`${INSTANCE}/user/\${aws:userid}`], Effect: 'Allow', Action: ['connect:GetFederationToken'] }],
      Version: '2012-10-17',
    });
    const account = newAccount();
    const somethingElse = account.addAwsManagedPolicy('SomethingElse');
    await account.seed(async ({ iam }) => {
      await createPolicy(iam, POLICY_NAME, [OLD_DOCUMENT, OLD_DOCUMENT, reformatted]);
      await createRole(iam, ROLE, [somethingElse, POLICY_ARN]);
    });
    const before = account.snapshot({ excludePrefixes: [] });

    const receipt = await applyPolicy(doc, depsOn(account));

    expect(receipt).toMatchObject({ action: 'unchanged', changes: [], previous: { policyExisted: true, defaultVersionId: 'v3' } });
    expect(iamOperations(account)).toEqual(['GetPolicy', 'GetPolicyVersion', 'ListAttachedRolePolicies']);
    // Only the look for an earlier attempt of this execution: no journal write.
    expect(recordOperations(account)).toEqual(['GetItem']);
    expect(account.snapshot({ excludePrefixes: [] })).toEqual(before);
  });

  it('creates a new default version when the document differs, keeping the previous default in the receipt', async () => {
    const account = await accountWith({ policyVersions: [otherInstanceDocument(1), OLD_DOCUMENT], attached: [POLICY_ARN] });

    const receipt = await applyPolicy(doc, depsOn(account));

    expect(receipt).toMatchObject({
      action: 'updated',
      arn: POLICY_ARN,
      previous: { policyExisted: true, defaultVersionId: 'v2', versionIds: ['v2', 'v1'] },
    });
    expect(receipt.previous!.deletedVersion).toBeUndefined();
    expect(receipt.details).toMatchObject({ createVersion: true, createdVersionId: 'v3', attach: [] });
    expect(iamOperations(account)).toEqual([
      'GetPolicy',
      'GetPolicyVersion',
      'ListPolicyVersions',
      'ListAttachedRolePolicies',
      // Whose the policy is (its tags, two to a page): an earlier execution of this pipeline created it.
      'ListPolicyTags',
      'ListPolicyTags',
      'ListPolicyTags',
      // The footprint, read before the change.
      'ListAttachedRolePolicies',
      'GetPolicy',
      'GetPolicyVersion',
      'ListPolicyVersions',
      // Its tags, two to a page, for the footprint too.
      'ListPolicyTags',
      'ListPolicyTags',
      'ListPolicyTags',
      'CreatePolicyVersion',
    ]);
    const create = callsOf(account, 'CreatePolicyVersion')[0]!.input as CreatePolicyVersionCommandInput;
    expect(create).toMatchObject({ PolicyArn: POLICY_ARN, SetAsDefault: true });
    expect(samePolicyDocument(create.PolicyDocument!, GENERATED)).toBe(true);
    expect(account.snapshot().iam.policies[POLICY_ARN]).toMatchObject({
      defaultVersionId: 'v3',
      versions: { v1: JSON.parse(otherInstanceDocument(1)), v2: JSON.parse(OLD_DOCUMENT), v3: JSON.parse(GENERATED) },
    });
    expect(journalWrites(account)).toEqual([
      expect.objectContaining({
        previous: expect.objectContaining({ defaultVersionId: 'v2' }),
        details: expect.objectContaining({ createVersion: true }),
      }),
    ]);
  });

  it('at the 5-version limit deletes the oldest non-default version first and records its id and document', async () => {
    const oldestDocument = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"connect:GetFederationToken","Resource":"*"}]}';
    // Version vN is made on 2024-01-N, so its CreateDate is known.
    let now = new Date(Date.UTC(2024, 0, 1));
    const account = newAccount({ clock: () => now });
    await account.seed(async ({ iam }) => {
      // IAM never reuses a version id: to hold v6-v10 the policy first makes and deletes v1-v5. The default v6 is then
      // the oldest version, so v7 is the oldest that may go.
      const arn = await createPolicy(iam, POLICY_NAME, Array<string>(5).fill(OLD_DOCUMENT), { defaultIndex: 0 });
      for (const VersionId of ['v2', 'v3', 'v4', 'v5']) await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId }));
      const versions: [number, string][] = [
        [6, OLD_DOCUMENT],
        [7, oldestDocument],
        [8, otherInstanceDocument(8)],
        [9, otherInstanceDocument(9)],
        [10, otherInstanceDocument(10)],
      ];
      for (const [day, document] of versions) {
        now = new Date(Date.UTC(2024, 0, day));
        await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: document, SetAsDefault: day === 6 }));
        if (day === 6) await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }));
      }
      await createRole(iam, ROLE, [POLICY_ARN]);
    });
    expect(account.snapshot().iam.policies[POLICY_ARN]).toMatchObject({ defaultVersionId: 'v6' });
    expect(Object.keys(account.snapshot().iam.policies[POLICY_ARN]!.versions).sort()).toEqual(['v10', 'v6', 'v7', 'v8', 'v9']);

    const receipt = await applyPolicy(doc, depsOn(account));

    expect(callsOf(account, 'DeletePolicyVersion')).toEqual([
      expect.objectContaining({ input: { PolicyArn: POLICY_ARN, VersionId: 'v7' }, outcome: 'ok' }),
    ]);
    expect(positionOf(account, 'DeletePolicyVersion')).toBeLessThan(positionOf(account, 'CreatePolicyVersion'));
    const deletedVersion = { versionId: 'v7', document: JSON.stringify(JSON.parse(oldestDocument)), createDate: '2024-01-07T00:00:00.000Z' };
    expect(receipt.previous).toMatchObject({ defaultVersionId: 'v6', deletedVersion });
    expect(receipt.details.createdVersionId).toBe('v11');
    expect(receipt.changes.join('\n')).toMatch(/delete the oldest non-default version v7/);
    expect(journalWrites(account)[0]!.previous!.deletedVersion).toEqual(deletedVersion);
    expect(positionOf(account, 'PutItem')).toBeLessThan(positionOf(account, 'DeletePolicyVersion'));
    const policy = account.snapshot().iam.policies[POLICY_ARN]!;
    expect(policy.defaultVersionId).toBe('v11');
    expect(Object.keys(policy.versions).sort()).toEqual(['v10', 'v11', 'v6', 'v8', 'v9']);
  });

  it('rewrites the journal with the new version id before it attaches anything', async () => {
    const account = await accountWith({ policyVersions: [OLD_DOCUMENT] });

    await applyPolicy(doc, depsOn(account));

    expect(journalWrites(account).map((entry) => entry.details!.createdVersionId)).toEqual([undefined, 'v2']);
    expect(positionOf(account, 'PutItem', 1)).toBeLessThan(positionOf(account, 'AttachRolePolicy'));
    expect(attachedTo(account, ROLE)).toEqual([POLICY_ARN]);
  });

  it('attaches the configured managed policies that are not attached yet, reading every page of attachments', async () => {
    const profile = exampleProfile('admin');
    const managedOnly = makeDocument({
      profile: { ...profile, policy: { name: POLICY_NAME, managedPolicyArns: [READ_ONLY, TEAM_ARN], adopt: false } },
    });
    // One attachment a page: the role's two attachments come in two pages.
    const account = newAccount({ iamPageSize: 1 });
    const other = account.addAwsManagedPolicy('Other');
    await account.seed(async ({ iam }) => {
      await createPolicy(iam, 'Team', [otherInstanceDocument(9)]);
      await createRole(iam, ROLE, [other, READ_ONLY]);
    });

    const receipt = await applyPolicy(managedOnly, depsOn(account));

    // Both pages, then both again for the footprint, before the one write.
    expect(iamOperations(account)).toEqual([
      'ListAttachedRolePolicies',
      'ListAttachedRolePolicies',
      'ListAttachedRolePolicies',
      'ListAttachedRolePolicies',
      'AttachRolePolicy',
    ]);
    expect(callsOf(account, 'AttachRolePolicy')).toEqual([
      expect.objectContaining({ input: { RoleName: ROLE, PolicyArn: TEAM_ARN }, outcome: 'ok' }),
    ]);
    expect(attachedTo(account, ROLE)).toEqual([other, READ_ONLY, TEAM_ARN].sort());
    expect(receipt).toMatchObject({
      action: 'updated',
      arn: 'arn:aws:iam::111122223333:role/AmazonConnectAdminAccessRole',
      details: { attach: [TEAM_ARN] },
    });
    expect(receipt.previous!.attachedPolicyArns).toEqual([other, READ_ONLY]);
    expect(receipt.previous!.policyExisted).toBeUndefined();
  });

  it('uses the role the Role step reports when its receipt is present', async () => {
    // The receipt names a role other than the profile's; only that role exists, so using the profile's name would fail.
    const reported = 'ReportedFederationRole';
    const withRole = makeDocument({
      receipts: { role: { step: 'role', action: 'created', arn: `arn:aws:iam::111122223333:role/federation/${reported}`, changes: [] } },
    });
    const account = newAccount();
    await account.seed(async ({ iam }) => {
      await createPolicy(iam, POLICY_NAME, [GENERATED]);
      await createRole(iam, reported, [], '/federation/');
    });

    const receipt = await applyPolicy(withRole, depsOn(account));

    expect(receipt.details).toMatchObject({ roleName: reported, attach: [POLICY_ARN] });
    expect(callsOf(account, 'ListAttachedRolePolicies').map((call) => (call.input as { RoleName: string }).RoleName)).toEqual([reported, reported]);
    expect(attachedTo(account, reported)).toEqual([POLICY_ARN]);
  });

  it('in a dry run reads only and returns the plan, even for a role that does not exist yet', async () => {
    const dry = makeDocument({ request: { dryRun: true } });
    const account = newAccount();
    const before = account.snapshot({ excludePrefixes: [] });

    const receipt = await applyPolicy(dry, depsOn(account));

    expect(receipt.action).toBe('planned');
    expect(receipt.changes).toEqual([expect.stringMatching(/^create policy .*AmazonConnectSSOPolicy/), `attach ${POLICY_ARN} to role ${ROLE}`]);
    expect(callsTo(account, 'iam')).toEqual([
      expect.objectContaining({ operation: 'GetPolicy', outcome: 'NoSuchEntityException' }),
      expect.objectContaining({ operation: 'ListAttachedRolePolicies', outcome: 'NoSuchEntityException' }),
    ]);
    expect(callsTo(account, 'records')).toEqual([]);
    expect(account.snapshot({ excludePrefixes: [] })).toEqual(before);
  });

  it('in a dry run plans the 5-version replacement without deleting anything', async () => {
    const dry = makeDocument({ request: { dryRun: true } });
    const account = await accountWith({ policyVersions: Array<string>(5).fill(OLD_DOCUMENT), attached: [POLICY_ARN] });
    const before = account.snapshot({ excludePrefixes: [] });

    const receipt = await applyPolicy(dry, depsOn(account));

    expect(receipt.action).toBe('planned');
    expect(receipt.changes).toEqual([
      expect.stringMatching(/delete the oldest non-default version v1/),
      expect.stringMatching(/create a new default version .*previous default v5/),
    ]);
    // IAM dates every version, so the plan records when the version to delete was made.
    expect(receipt.previous!.deletedVersion).toEqual({
      versionId: 'v1',
      document: JSON.stringify(JSON.parse(OLD_DOCUMENT)),
      createDate: expect.any(String),
    });
    expect(account.mutatingCalls()).toEqual([]);
    expect(callsTo(account, 'records')).toEqual([]);
    expect(account.snapshot({ excludePrefixes: [] })).toEqual(before);
  });

  it('outside a dry run a missing role is an error with its SDK name', async () => {
    const account = newAccount();
    await account.seed(({ iam }) => createPolicy(iam, POLICY_NAME, [GENERATED]));
    const before = account.snapshot({ excludePrefixes: [] });

    await expect(applyPolicy(doc, depsOn(account))).rejects.toMatchObject({ name: 'NoSuchEntityException' });

    expect(callsOf(account, 'PutItem')).toEqual([]);
    expect(account.snapshot({ excludePrefixes: [] })).toEqual(before);
  });

  it('names the per-role managed policy quota when AttachRolePolicy hits it', async () => {
    // IAM's default quota: 10 managed policies per role, all used.
    const account = newAccount();
    const full = Array.from({ length: 10 }, (_, index) => account.addAwsManagedPolicy(`Quota${index}`));
    await account.seed(async ({ iam }) => {
      await createPolicy(iam, POLICY_NAME, [GENERATED]);
      await createRole(iam, ROLE, full);
    });

    const failure = applyPolicy(doc, depsOn(account));

    await expect(failure).rejects.toMatchObject({
      name: 'Policy.AttachmentQuotaExceeded',
      cause: expect.objectContaining({ name: 'LimitExceededException', message: 'Cannot exceed quota for PoliciesPerRole: 10' }),
    });
    await expect(failure).rejects.toThrow(/managed policies as IAM allows per role \(10 by default/);
    expect(((await failure.catch((error: Error) => error)) as Error).cause).toBeInstanceOf(LimitExceededException);
    expect(attachedTo(account, ROLE)).toEqual([...full].sort());
  });

  it.each(['ServiceFailureException', 'ConcurrentModificationException', 'Throttling', 'LimitExceededException'])(
    'lets %s from CreatePolicy propagate with its SDK name, for the state machine to retry or catch',
    async (name) => {
      const account = await accountWith();
      const fault = account.faults.inject({ service: 'iam', operation: 'CreatePolicy', error: name });

      await expect(applyPolicy(doc, depsOn(account))).rejects.toMatchObject({ name });

      expect(fault.fired).toBe(1);
      expect(account.snapshot().iam.policies).toEqual({});
      expect(attachedTo(account, ROLE)).toEqual([]);
    },
  );

  it('lets other GetPolicy failures propagate instead of reading them as "absent"', async () => {
    const account = await accountWith();
    account.faults.inject({ service: 'iam', operation: 'GetPolicy', error: 'AccessDenied' });

    await expect(applyPolicy(doc, depsOn(account))).rejects.toMatchObject({ name: 'AccessDenied' });

    expect(iamOperations(account)).toEqual(['GetPolicy']);
    expect(account.mutatingCalls()).toEqual([]);
  });
});

/**
 * The one answer the simulated account cannot give: IAM documents CreateDate on every listed policy version and the
 * account always sends it, but the SDK's model makes it optional, and the step keeps a deleted version's date only when
 * there is one. So this test alone stubs IAM's reads with aws-sdk-client-mock (the account's clients are not
 * IAMClient instances, so the stub reaches nothing else).
 */
describe('applyPolicy, when IAM lists policy versions without CreateDate', () => {
  const iamMock = mockClient(IAMClient);
  afterAll(() => iamMock.restore());

  it('still plans the 5-version replacement, recording the deleted version without a date', async () => {
    iamMock.on(GetPolicyCommand).resolves({ Policy: { Arn: POLICY_ARN, PolicyName: POLICY_NAME, DefaultVersionId: 'v5' } });
    iamMock.on(GetPolicyVersionCommand).callsFake(async ({ VersionId }) => ({
      PolicyVersion: { VersionId, IsDefaultVersion: VersionId === 'v5', Document: encodeURIComponent(OLD_DOCUMENT) },
    }));
    iamMock.on(ListPolicyTagsCommand).resolves({ Tags: EARLIER_RUN_TAGS, IsTruncated: false });
    iamMock.on(ListPolicyVersionsCommand).resolves({
      Versions: ['v5', 'v4', 'v3', 'v2', 'v1'].map((VersionId) => ({ VersionId, IsDefaultVersion: VersionId === 'v5' })),
      IsTruncated: false,
    });
    iamMock.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [{ PolicyArn: POLICY_ARN }], IsTruncated: false });
    // A dry run reads IAM only: the account's record table stands in, and must see no call.
    const account = newAccount();
    const dry = makeDocument({ request: { dryRun: true } });

    const receipt = await applyPolicy(dry, { iam: new IAMClient({}), records: account.clients().records });

    expect(receipt.action).toBe('planned');
    expect(receipt.previous!.deletedVersion).toEqual({ versionId: 'v1', document: JSON.stringify(JSON.parse(OLD_DOCUMENT)) });
    expect(receipt.changes).toEqual([
      expect.stringMatching(/delete the oldest non-default version v1/),
      expect.stringMatching(/create a new default version .*previous default v5/),
    ]);
    expect(account.calls).toEqual([]);
    expect(iamMock.commandCalls(ListPolicyVersionsCommand)).toHaveLength(1);
  });
});

describe('applyPolicy and a policy another team owns', () => {
  /** The generated policy's name, taken by a policy someone else made (untagged, another document). */
  async function accountWithTeamsPolicy(): Promise<SimulatedAccount> {
    const account = newAccount();
    await account.seed(async ({ iam }) => {
      await createPolicy(iam, POLICY_NAME, [OLD_DOCUMENT], { tags: [{ Key: 'team', Value: 'contact-centre' }] });
      await createRole(iam, ROLE, []);
    });
    return account;
  }

  it('refuses to overwrite a policy it did not create, before any change, naming the adopt setting', async () => {
    const account = await accountWithTeamsPolicy();
    const before = account.snapshot();
    await expect(applyPolicy(doc, depsOn(account))).rejects.toMatchObject({
      name: 'Policy.NotOwned',
      message: expect.stringContaining('set profiles.admin.policy.adopt: true'),
    });
    expect(account.mutatingCalls()).toEqual([]);
    expect(account.snapshot()).toEqual(before);
  });

  it('says so in a dry run too', async () => {
    const account = await accountWithTeamsPolicy();
    await expect(applyPolicy(makeDocument({ request: { dryRun: true } }), depsOn(account))).rejects.toMatchObject({ name: 'Policy.NotOwned' });
    expect(account.mutatingCalls()).toEqual([]);
  });

  it('manages it when the profile adopts it', async () => {
    const account = await accountWithTeamsPolicy();
    const profile = exampleProfile('admin');
    const adopting = makeDocument({ profile: { ...profile, policy: { ...profile.policy, adopt: true } } });
    await expect(applyPolicy(adopting, depsOn(account))).resolves.toMatchObject({ action: 'updated', details: { createVersion: true } });
  });

  it('uses it as it is when it already holds the generated document: attaching is not changing it', async () => {
    const account = newAccount();
    await account.seed(async ({ iam }) => {
      await createPolicy(iam, POLICY_NAME, [GENERATED], { tags: [] });
      await createRole(iam, ROLE, []);
    });
    await expect(applyPolicy(doc, depsOn(account))).resolves.toMatchObject({
      action: 'updated',
      details: { createVersion: false, attach: [POLICY_ARN] },
    });
  });
});
