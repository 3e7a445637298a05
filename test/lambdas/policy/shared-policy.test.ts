import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { applyPolicy, type PolicyReceipt } from '../../../lambdas/policy/apply';
import { connectFederationPolicy } from '../../../lambdas/policy/policy-document';
import type { ExecutionDocument } from '../../../lambdas/shared/document';
import { pipelineTags } from '../../../lambdas/shared/tags';
import { exampleProfile, makeDocument } from '../../helpers/document';
import { awsError, FakeAccount } from './fake-iam';
import { asRevertInput, OTHER_ROLE, POLICY_ARN, PREEXISTING, ROLE, revertToEnd } from './scenarios';

/**
 * The example profiles `admin` and `agent` share the customer managed policy AmazonConnectSSOPolicy, and their
 * executions run at the same time (the lock is per profile): both may find the policy absent and both call
 * CreatePolicy. The one that loses gets EntityAlreadyExists, uses the policy the other created, and never deletes it.
 */
const iamMock = mockClient(IAMClient);
const s3Mock = mockClient(S3Client);
const deps = { iam: new IAMClient({}), s3: new S3Client({}) };

const adminDoc = (): ExecutionDocument => makeDocument({ request: { executionName: 'exec-admin' } });
const agentDoc = (profile = exampleProfile('agent')): ExecutionDocument =>
  makeDocument({ profile, request: { executionName: 'exec-agent', key: 'metadata/agent/idp.xml' } });

function freshAccount(): FakeAccount {
  iamMock.reset();
  s3Mock.reset();
  return new FakeAccount().addRole(ROLE, [PREEXISTING]).addRole(OTHER_ROLE).install(iamMock, s3Mock);
}

/** The admin execution's apply, with the agent execution's whole apply run between admin's read and its CreatePolicy. */
async function racedApply(account: FakeAccount, agent = agentDoc()): Promise<{ admin: PolicyReceipt; agent: PolicyReceipt }> {
  let agentReceipt: PolicyReceipt | undefined;
  account.beforeNext('CreatePolicy', async () => {
    agentReceipt = await applyPolicy(agent, deps);
  });
  const admin = await applyPolicy(adminDoc(), deps);
  return { admin, agent: agentReceipt! };
}

describe('two profiles create the shared policy at the same time', () => {
  it('the execution whose CreatePolicy loses uses the policy the other created, and says so', async () => {
    const account = freshAccount();

    const { admin, agent } = await racedApply(account);

    expect(agent).toMatchObject({ action: 'created', details: { createPolicy: true } });
    expect(account.calls.filter((operation) => operation === 'CreatePolicy')).toHaveLength(2);
    expect(admin).toMatchObject({
      action: 'updated',
      previous: { policyExisted: true, defaultVersionId: 'v1', attachedPolicyArns: [PREEXISTING] },
      details: { createPolicy: false, createVersion: false, attach: [POLICY_ARN], foundPolicy: { defaultVersionId: 'v1' } },
    });
    expect(admin.changes).toEqual([
      expect.stringMatching(/^use policy .* as found: another execution created it meanwhile/),
      `attach ${POLICY_ARN} to role ${ROLE}`,
    ]);
    // Both roles end with the one policy, which carries the creator's tags.
    expect(account.roles.get(ROLE)).toEqual([PREEXISTING, POLICY_ARN]);
    expect(account.roles.get(OTHER_ROLE)).toEqual([POLICY_ARN]);
    expect(account.policies.get(POLICY_ARN)!.tags).toEqual(pipelineTags(agentDoc().request));
  });

  it.each([
    ['with its receipt', true],
    ['from its journal alone', false],
  ])("the losing execution reverted %s detaches its role and keeps the other execution's policy", async (_how, withReceipt) => {
    const account = freshAccount();
    const { admin } = await racedApply(account);
    const start = account.calls.length;

    await revertToEnd(account, deps, asRevertInput(adminDoc(), withReceipt ? admin : undefined));

    expect(account.changesSince(start)).toEqual(['DetachRolePolicy']);
    expect(account.roles.get(ROLE)).toEqual([PREEXISTING]);
    expect(account.roles.get(OTHER_ROLE)).toEqual([POLICY_ARN]);
    expect(account.policies.has(POLICY_ARN)).toBe(true);
  });

  it('once both executions are reverted, winner last, the account is as it started', async () => {
    const account = freshAccount();
    const before = account.snapshot();
    const { admin, agent } = await racedApply(account);

    await revertToEnd(account, deps, asRevertInput(adminDoc(), admin));
    await revertToEnd(account, deps, asRevertInput(agentDoc(), agent));

    expect(account.snapshot()).toEqual(before);
  });

  it('a CreatePolicy that failed transiently after the other execution created the policy is retried as "present"', async () => {
    const account = freshAccount();
    account.beforeNext('CreatePolicy', async () => {
      await applyPolicy(agentDoc(), deps);
      account.failNext('CreatePolicy', awsError('Throttling'));
    });
    await expect(applyPolicy(adminDoc(), deps)).rejects.toMatchObject({ name: 'Throttling' });

    const retried = await applyPolicy(adminDoc(), deps);

    expect(retried).toMatchObject({
      action: 'updated',
      details: { createPolicy: false, attach: [POLICY_ARN], foundPolicy: { defaultVersionId: 'v1' } },
    });
    await revertToEnd(account, deps, asRevertInput(adminDoc()));
    expect(account.policies.has(POLICY_ARN)).toBe(true);
    expect(account.roles.get(ROLE)).toEqual([PREEXISTING]);
  });

  it("a shared policy holding another instance's document gets a new default version, which the revert takes back", async () => {
    const account = freshAccount();
    const agentProfile = exampleProfile('agent');
    const otherInstance = 'arn:aws:connect:us-east-1:111122223333:instance/11111111-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    const agent = agentDoc({ ...agentProfile, policy: { ...agentProfile.policy, connectInstanceArn: otherInstance } });
    const { admin } = await racedApply(account, agent);

    expect(admin).toMatchObject({
      action: 'updated',
      previous: { defaultVersionId: 'v1' },
      details: { createPolicy: false, createVersion: true, createdVersionId: 'v2' },
    });
    expect(account.policies.get(POLICY_ARN)!.defaultVersionId).toBe('v2');

    // The admin execution fails later; its revert has only the journal (its first entry says "no policy").
    await revertToEnd(account, deps, asRevertInput(adminDoc()));

    const policy = account.policies.get(POLICY_ARN)!;
    expect(policy.defaultVersionId).toBe('v1');
    expect(policy.versions.map((version) => version.id)).toEqual(['v1']);
    expect(policy.versions[0]!.document).toBe(connectFederationPolicy(otherInstance));
    expect(account.roles.get(ROLE)).toEqual([PREEXISTING]);
  });

  it("a policy that exists because this execution's own CreatePolicy went through (an SDK retry) is reported created and deleted on revert", async () => {
    const account = freshAccount();
    const before = account.snapshot();
    const doc = adminDoc();
    // The first try of CreatePolicy went through but its answer was lost; the SDK's retry then finds the policy.
    account.beforeNext('CreatePolicy', () =>
      account.addPolicy('AmazonConnectSSOPolicy', [connectFederationPolicy(doc.profile.policy.connectInstanceArn!)], {
        tags: pipelineTags(doc.request),
      }),
    );

    const receipt = await applyPolicy(doc, deps);

    expect(receipt).toMatchObject({ action: 'created', previous: { policyExisted: false }, details: { createPolicy: true, attach: [POLICY_ARN] } });
    expect(receipt.details.foundPolicy).toBeUndefined();
    await revertToEnd(account, deps, asRevertInput(doc, receipt));
    expect(account.snapshot()).toEqual(before);
  });
});
