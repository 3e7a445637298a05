import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListPolicyVersionsCommand,
} from '@aws-sdk/client-iam';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { SinonSpyCall } from 'sinon';
import { applyPolicy } from '../../../lambdas/policy/apply';
import { connectFederationPolicy } from '../../../lambdas/policy/policy-document';
import { journalKey } from '../../../lambdas/shared/journal';
import { samePolicyDocument } from '../../../lambdas/shared/policy-json';
import { pipelineTags } from '../../../lambdas/shared/tags';
import { exampleProfile, makeDocument } from '../../helpers/document';
import { awsError } from './fake-iam';

const iamMock = mockClient(IAMClient);
const s3Mock = mockClient(S3Client);
const deps = { iam: new IAMClient({}), s3: new S3Client({}), now: () => new Date('2030-06-01T00:00:00Z') };

const doc = makeDocument();
const INSTANCE = doc.profile.policy.connectInstanceArn!;
const POLICY_ARN = 'arn:aws:iam::111122223333:policy/AmazonConnectSSOPolicy';
const ROLE = 'ConnectAdminFederation';
const GENERATED = connectFederationPolicy(INSTANCE);
const OLD_DOCUMENT = connectFederationPolicy('arn:aws:connect:us-east-1:111122223333:instance/ffffffff-4e5f-4a6b-8c7d-9e0f1a2b3c4d');
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';

/** Operation names the mocked IAM client received, in order. */
function iamCalls(): string[] {
  return iamMock.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''));
}

/** Operation names the mocked S3 client received, in order. */
function s3Calls(): string[] {
  return s3Mock.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''));
}

/** Whether call `a` happened before call `b`, across both mocked clients. */
function before(a: SinonSpyCall | undefined, b: SinonSpyCall | undefined): boolean {
  return a !== undefined && b !== undefined && a.calledBefore(b);
}

function journalWrites(): Record<string, any>[] {
  return s3Mock.commandCalls(PutObjectCommand).map((call) => JSON.parse(String(call.args[0].input.Body)));
}

function policyExists(document: string, defaultVersionId = 'v1'): void {
  iamMock.on(GetPolicyCommand).resolves({ Policy: { Arn: POLICY_ARN, PolicyName: 'AmazonConnectSSOPolicy', DefaultVersionId: defaultVersionId } });
  iamMock
    .on(GetPolicyVersionCommand, { VersionId: defaultVersionId })
    .resolves({ PolicyVersion: { VersionId: defaultVersionId, IsDefaultVersion: true, Document: encodeURIComponent(document) } });
}

function attached(...arns: string[]): void {
  iamMock.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: arns.map((PolicyArn) => ({ PolicyArn })), IsTruncated: false });
}

beforeEach(() => {
  iamMock.reset();
  s3Mock.reset();
  s3Mock.on(PutObjectCommand).resolves({});
  // No earlier attempt of this execution: no journal entry.
  s3Mock.on(GetObjectCommand).rejects(awsError('NoSuchKey'));
});

describe('applyPolicy', () => {
  it('creates the tagged federation policy and attaches it when neither exists, journaling first', async () => {
    iamMock.on(GetPolicyCommand).rejects(awsError('NoSuchEntityException'));
    attached();
    iamMock.on(CreatePolicyCommand).resolves({ Policy: { Arn: POLICY_ARN, DefaultVersionId: 'v1' } });
    iamMock.on(AttachRolePolicyCommand).resolves({});

    const receipt = await applyPolicy(doc, deps);

    expect(receipt).toMatchObject({ step: 'policy', action: 'created', arn: POLICY_ARN, previous: { policyExisted: false, attachedPolicyArns: [] } });
    expect(receipt.details).toMatchObject({ roleName: ROLE, policyArn: POLICY_ARN, createPolicy: true, createVersion: false, attach: [POLICY_ARN] });
    expect(iamCalls()).toEqual(['GetPolicy', 'ListAttachedRolePolicies', 'CreatePolicy', 'AttachRolePolicy']);
    const create = iamMock.commandCalls(CreatePolicyCommand)[0]!.args[0].input;
    expect(create).toMatchObject({
      PolicyName: 'AmazonConnectSSOPolicy',
      Tags: pipelineTags(doc.request),
      Description: expect.stringContaining(INSTANCE),
    });
    expect(samePolicyDocument(create.PolicyDocument!, GENERATED)).toBe(true);
    expect(iamMock).toHaveReceivedCommandWith(AttachRolePolicyCommand, { RoleName: ROLE, PolicyArn: POLICY_ARN });
    // The journal is written before the first change and says the policy did not exist and what gets attached.
    // The step's look for an earlier attempt, then the journal's own read before its write.
    expect(s3Calls()).toEqual(['GetObject', 'GetObject', 'PutObject']);
    expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: doc.request.bucket, Key: journalKey(doc.request, 'policy') });
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: doc.request.bucket, Key: journalKey(doc.request, 'policy') });
    expect(before(s3Mock.commandCalls(PutObjectCommand)[0], iamMock.commandCalls(CreatePolicyCommand)[0])).toBe(true);
    expect(journalWrites()[0]).toMatchObject({
      step: 'policy',
      executionName: 'exec-0001',
      writtenAt: '2030-06-01T00:00:00.000Z',
      previous: { policyExisted: false },
      details: { createPolicy: true, attach: [POLICY_ARN] },
    });
  });

  it('makes zero changes when the policy holds the same document and is attached (IAM returns it URL-encoded)', async () => {
    const reformatted = JSON.stringify({
      Statement: [{ Resource: [`${INSTANCE}/user/\${aws:userid}`], Effect: 'Allow', Action: ['connect:GetFederationToken'] }],
      Version: '2012-10-17',
    });
    policyExists(reformatted, 'v3');
    attached('arn:aws:iam::aws:policy/SomethingElse', POLICY_ARN);

    const receipt = await applyPolicy(doc, deps);

    expect(receipt).toMatchObject({ action: 'unchanged', changes: [], previous: { policyExisted: true, defaultVersionId: 'v3' } });
    expect(iamCalls()).toEqual(['GetPolicy', 'GetPolicyVersion', 'ListAttachedRolePolicies']);
    // Only the look for an earlier attempt of this execution: no journal write.
    expect(s3Calls()).toEqual(['GetObject']);
  });

  it('creates a new default version when the document differs, keeping the previous default in the receipt', async () => {
    policyExists(OLD_DOCUMENT, 'v2');
    iamMock.on(ListPolicyVersionsCommand).resolves({
      Versions: [
        { VersionId: 'v2', IsDefaultVersion: true },
        { VersionId: 'v1', IsDefaultVersion: false },
      ],
      IsTruncated: false,
    });
    iamMock.on(CreatePolicyVersionCommand).resolves({ PolicyVersion: { VersionId: 'v3', IsDefaultVersion: true } });
    attached(POLICY_ARN);

    const receipt = await applyPolicy(doc, deps);

    expect(receipt).toMatchObject({
      action: 'updated',
      arn: POLICY_ARN,
      previous: { policyExisted: true, defaultVersionId: 'v2', versionIds: ['v2', 'v1'] },
    });
    expect(receipt.previous!.deletedVersion).toBeUndefined();
    expect(receipt.details).toMatchObject({ createVersion: true, createdVersionId: 'v3', attach: [] });
    expect(iamCalls()).toEqual(['GetPolicy', 'GetPolicyVersion', 'ListPolicyVersions', 'ListAttachedRolePolicies', 'CreatePolicyVersion']);
    expect(iamMock).toHaveReceivedCommandWith(CreatePolicyVersionCommand, { PolicyArn: POLICY_ARN, SetAsDefault: true });
    expect(samePolicyDocument(iamMock.commandCalls(CreatePolicyVersionCommand)[0]!.args[0].input.PolicyDocument!, GENERATED)).toBe(true);
    expect(journalWrites()).toEqual([
      expect.objectContaining({
        previous: expect.objectContaining({ defaultVersionId: 'v2' }),
        details: expect.objectContaining({ createVersion: true }),
      }),
    ]);
  });

  it('at the 5-version limit deletes the oldest non-default version first and records its id and document', async () => {
    policyExists(OLD_DOCUMENT, 'v6');
    const versions = ['v10', 'v9', 'v8', 'v7', 'v6'].map((VersionId) => ({
      VersionId,
      IsDefaultVersion: VersionId === 'v6',
      CreateDate: new Date(Date.UTC(2024, 0, Number(VersionId.slice(1)))),
    }));
    iamMock.on(ListPolicyVersionsCommand).resolves({ Versions: versions, IsTruncated: false });
    const oldestDocument = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"connect:GetFederationToken","Resource":"*"}]}';
    iamMock
      .on(GetPolicyVersionCommand, { VersionId: 'v7' })
      .resolves({ PolicyVersion: { VersionId: 'v7', Document: encodeURIComponent(oldestDocument) } });
    iamMock.on(DeletePolicyVersionCommand).resolves({});
    iamMock.on(CreatePolicyVersionCommand).resolves({ PolicyVersion: { VersionId: 'v11', IsDefaultVersion: true } });
    attached(POLICY_ARN);

    const receipt = await applyPolicy(doc, deps);

    // v6 is the oldest but it is the default: v7 is the oldest that may go.
    expect(iamMock).toHaveReceivedCommandWith(DeletePolicyVersionCommand, { PolicyArn: POLICY_ARN, VersionId: 'v7' });
    expect(iamMock).toHaveReceivedCommandTimes(DeletePolicyVersionCommand, 1);
    expect(before(iamMock.commandCalls(DeletePolicyVersionCommand)[0], iamMock.commandCalls(CreatePolicyVersionCommand)[0])).toBe(true);
    const deletedVersion = { versionId: 'v7', document: JSON.stringify(JSON.parse(oldestDocument)), createDate: '2024-01-07T00:00:00.000Z' };
    expect(receipt.previous).toMatchObject({ defaultVersionId: 'v6', deletedVersion });
    expect(receipt.details.createdVersionId).toBe('v11');
    expect(receipt.changes.join('\n')).toMatch(/delete the oldest non-default version v7/);
    expect(journalWrites()[0]!.previous.deletedVersion).toEqual(deletedVersion);
    expect(before(s3Mock.commandCalls(PutObjectCommand)[0], iamMock.commandCalls(DeletePolicyVersionCommand)[0])).toBe(true);
  });

  it('rewrites the journal with the new version id before it attaches anything', async () => {
    policyExists(OLD_DOCUMENT, 'v1');
    iamMock.on(ListPolicyVersionsCommand).resolves({ Versions: [{ VersionId: 'v1', IsDefaultVersion: true }], IsTruncated: false });
    iamMock.on(CreatePolicyVersionCommand).resolves({ PolicyVersion: { VersionId: 'v2', IsDefaultVersion: true } });
    attached();
    iamMock.on(AttachRolePolicyCommand).resolves({});

    await applyPolicy(doc, deps);

    expect(journalWrites().map((entry) => entry.details.createdVersionId)).toEqual([undefined, 'v2']);
    expect(before(s3Mock.commandCalls(PutObjectCommand)[1], iamMock.commandCalls(AttachRolePolicyCommand)[0])).toBe(true);
  });

  it('attaches the configured managed policies that are not attached yet, reading every page of attachments', async () => {
    const profile = exampleProfile('admin');
    const managedOnly = makeDocument({
      profile: { ...profile, policy: { name: 'AmazonConnectSSOPolicy', managedPolicyArns: [READ_ONLY, 'arn:aws:iam::111122223333:policy/Team'] } },
    });
    iamMock
      .on(ListAttachedRolePoliciesCommand, { Marker: undefined })
      .resolves({ AttachedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/Other' }], IsTruncated: true, Marker: 'page-2' });
    iamMock.on(ListAttachedRolePoliciesCommand, { Marker: 'page-2' }).resolves({ AttachedPolicies: [{ PolicyArn: READ_ONLY }], IsTruncated: false });
    iamMock.on(AttachRolePolicyCommand).resolves({});

    const receipt = await applyPolicy(managedOnly, deps);

    expect(iamCalls()).toEqual(['ListAttachedRolePolicies', 'ListAttachedRolePolicies', 'AttachRolePolicy']);
    expect(iamMock).toHaveReceivedCommandWith(AttachRolePolicyCommand, { RoleName: ROLE, PolicyArn: 'arn:aws:iam::111122223333:policy/Team' });
    expect(receipt).toMatchObject({
      action: 'updated',
      arn: 'arn:aws:iam::111122223333:role/ConnectAdminFederation',
      details: { attach: ['arn:aws:iam::111122223333:policy/Team'] },
    });
    expect(receipt.previous!.attachedPolicyArns).toEqual(['arn:aws:iam::aws:policy/Other', READ_ONLY]);
    expect(receipt.previous!.policyExisted).toBeUndefined();
  });

  it('uses the role the Role step reports when its receipt is present', async () => {
    const withRole = makeDocument({
      receipts: { role: { step: 'role', action: 'created', arn: 'arn:aws:iam::111122223333:role/federation/ConnectAdminFederation', changes: [] } },
    });
    policyExists(GENERATED);
    attached(POLICY_ARN);
    await applyPolicy(withRole, deps);
    expect(iamMock).toHaveReceivedCommandWith(ListAttachedRolePoliciesCommand, { RoleName: ROLE });
  });

  it('in a dry run reads only and returns the plan, even for a role that does not exist yet', async () => {
    const dry = makeDocument({ request: { dryRun: true } });
    iamMock.on(GetPolicyCommand).rejects(awsError('NoSuchEntityException'));
    iamMock.on(ListAttachedRolePoliciesCommand).rejects(awsError('NoSuchEntityException'));

    const receipt = await applyPolicy(dry, deps);

    expect(receipt.action).toBe('planned');
    expect(receipt.changes).toEqual([expect.stringMatching(/^create policy .*AmazonConnectSSOPolicy/), `attach ${POLICY_ARN} to role ${ROLE}`]);
    expect(iamCalls()).toEqual(['GetPolicy', 'ListAttachedRolePolicies']);
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it('in a dry run plans the 5-version replacement without deleting anything', async () => {
    const dry = makeDocument({ request: { dryRun: true } });
    policyExists(OLD_DOCUMENT, 'v5');
    iamMock.on(ListPolicyVersionsCommand).resolves({
      Versions: ['v1', 'v2', 'v3', 'v4', 'v5'].map((VersionId) => ({ VersionId, IsDefaultVersion: VersionId === 'v5' })),
      IsTruncated: false,
    });
    iamMock
      .on(GetPolicyVersionCommand, { VersionId: 'v1' })
      .resolves({ PolicyVersion: { VersionId: 'v1', Document: encodeURIComponent(OLD_DOCUMENT) } });
    attached(POLICY_ARN);

    const receipt = await applyPolicy(dry, deps);

    expect(receipt.action).toBe('planned');
    expect(receipt.changes).toEqual([
      expect.stringMatching(/delete the oldest non-default version v1/),
      expect.stringMatching(/create a new default version .*previous default v5/),
    ]);
    expect(iamCalls().filter((name) => !/^(Get|List)/.test(name))).toEqual([]);
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it('outside a dry run a missing role is an error with its SDK name', async () => {
    policyExists(GENERATED);
    iamMock.on(ListAttachedRolePoliciesCommand).rejects(awsError('NoSuchEntityException'));
    await expect(applyPolicy(doc, deps)).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 0);
  });

  it('names the per-role managed policy quota when AttachRolePolicy hits it', async () => {
    policyExists(GENERATED);
    attached();
    const quota = awsError('LimitExceededException', 'Cannot exceed quota for PoliciesPerRole: 10');
    iamMock.on(AttachRolePolicyCommand).rejects(quota);

    const failure = applyPolicy(doc, deps);

    await expect(failure).rejects.toMatchObject({ name: 'Policy.AttachmentQuotaExceeded', cause: quota });
    await expect(failure).rejects.toThrow(/managed policies as IAM allows per role \(10 by default/);
  });

  it.each(['ServiceFailureException', 'ConcurrentModificationException', 'Throttling', 'LimitExceededException'])(
    'lets %s from CreatePolicy propagate with its SDK name, for the state machine to retry or catch',
    async (name) => {
      iamMock.on(GetPolicyCommand).rejects(awsError('NoSuchEntityException'));
      attached();
      iamMock.on(CreatePolicyCommand).rejects(awsError(name));
      await expect(applyPolicy(doc, deps)).rejects.toMatchObject({ name });
    },
  );

  it('lets other GetPolicy failures propagate instead of reading them as "absent"', async () => {
    iamMock.on(GetPolicyCommand).rejects(awsError('AccessDenied'));
    await expect(applyPolicy(doc, deps)).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(iamCalls()).toEqual(['GetPolicy']);
  });
});
