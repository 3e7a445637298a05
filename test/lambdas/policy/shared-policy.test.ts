import { CreatePolicyCommand } from '@aws-sdk/client-iam';
import { applyPolicy, type PolicyReceipt } from '../../../lambdas/policy/apply';
import { connectFederationPolicy } from '../../../lambdas/policy/policy-document';
import type { ExecutionDocument } from '../../../lambdas/shared/document';
import { pipelineTags } from '../../../lambdas/shared/tags';
import type { SimulatedAccount } from '../../../simulated-account';
import { exampleProfile, makeDocument } from '../../helpers/document';
import {
  asRevertInput,
  attachedTo,
  changesSince,
  createRole,
  depsOf,
  newAccount,
  OTHER_ROLE,
  POLICY_ARN,
  POLICY_NAME,
  PREEXISTING,
  ROLE,
  revertToEnd,
  stateOf,
} from './scenarios';

/**
 * The example profiles `admin` and `agent` share the customer managed policy AmazonConnectSSOPolicy, and their
 * executions run at the same time (the lock is per profile): both may find the policy absent and both call
 * CreatePolicy. The one that loses gets EntityAlreadyExists, uses the policy the other created, and never deletes it.
 */

const adminDoc = (): ExecutionDocument => makeDocument({ request: { executionName: 'exec-admin' } });
const agentDoc = (profile = exampleProfile('agent')): ExecutionDocument =>
  makeDocument({ profile, request: { executionName: 'exec-agent', key: 'metadata/agent/idp.xml' } });

async function freshAccount(): Promise<SimulatedAccount> {
  const account = newAccount();
  await account.seed(async ({ iam }) => {
    await createRole(iam, ROLE, [PREEXISTING]);
    await createRole(iam, OTHER_ROLE);
  });
  return account;
}

const tagRecord = (tags: { Key: string; Value: string }[]): Record<string, string> => Object.fromEntries(tags.map((tag) => [tag.Key, tag.Value]));

/**
 * The admin execution's apply, with the agent execution's whole apply run between admin's read and its CreatePolicy.
 * The agent's calls are the other actor's: the account applies them but leaves them out of its log.
 */
async function racedApply(account: SimulatedAccount, agent = agentDoc()): Promise<{ admin: PolicyReceipt; agent: PolicyReceipt }> {
  let agentReceipt: PolicyReceipt | undefined;
  account.interleave({ service: 'iam', operation: 'CreatePolicy' }, async () => {
    agentReceipt = await applyPolicy(agent, depsOf(account));
  });
  const admin = await applyPolicy(adminDoc(), depsOf(account));
  expect(agentReceipt).toBeDefined();
  return { admin, agent: agentReceipt! };
}

describe('two profiles create the shared policy at the same time', () => {
  it('the execution whose CreatePolicy loses uses the policy the other created, and says so', async () => {
    const account = await freshAccount();

    const { admin, agent } = await racedApply(account);

    expect(agent).toMatchObject({ action: 'created', details: { createPolicy: true } });
    // Admin's CreatePolicy came second and lost.
    expect(account.calls.filter((call) => call.operation === 'CreatePolicy')).toEqual([
      expect.objectContaining({ input: expect.objectContaining({ PolicyName: POLICY_NAME }), outcome: 'EntityAlreadyExistsException' }),
    ]);
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
    expect(attachedTo(account, ROLE)).toEqual([POLICY_ARN, PREEXISTING]);
    expect(attachedTo(account, OTHER_ROLE)).toEqual([POLICY_ARN]);
    expect(account.snapshot().iam.policies[POLICY_ARN]!.tags).toEqual(tagRecord(pipelineTags(agentDoc().request)));
  });

  it.each([
    ['with its receipt', true],
    ['from its journal alone', false],
  ])("the losing execution reverted %s detaches its role and keeps the other execution's policy", async (_how, withReceipt) => {
    const account = await freshAccount();
    const { admin } = await racedApply(account);
    const mark = account.calls.length;

    await revertToEnd(account, asRevertInput(adminDoc(), withReceipt ? admin : undefined));

    // The revert's own journal entry (its lease's check) comes before its one change.
    expect(changesSince(account, mark)).toEqual(['PutItem', 'DetachRolePolicy']);
    expect(attachedTo(account, ROLE)).toEqual([PREEXISTING]);
    expect(attachedTo(account, OTHER_ROLE)).toEqual([POLICY_ARN]);
    expect(account.snapshot().iam.policies[POLICY_ARN]).toBeDefined();
  });

  it('once both executions are reverted, winner last, the account is as it started', async () => {
    const account = await freshAccount();
    const before = stateOf(account);
    const { admin, agent } = await racedApply(account);

    await revertToEnd(account, asRevertInput(adminDoc(), admin));
    await revertToEnd(account, asRevertInput(agentDoc(), agent));

    expect(stateOf(account)).toEqual(before);
  });

  it('a CreatePolicy that failed transiently after the other execution created the policy is retried as "present"', async () => {
    const account = await freshAccount();
    account.interleave({ service: 'iam', operation: 'CreatePolicy' }, () => applyPolicy(agentDoc(), depsOf(account)));
    // The agent's calls are the other actor's, beyond faults: the throttling hits admin's CreatePolicy.
    account.faults.inject({ service: 'iam', operation: 'CreatePolicy', error: 'Throttling' });
    await expect(applyPolicy(adminDoc(), depsOf(account))).rejects.toMatchObject({ name: 'Throttling' });

    const retried = await applyPolicy(adminDoc(), depsOf(account));

    expect(retried).toMatchObject({
      action: 'updated',
      details: { createPolicy: false, attach: [POLICY_ARN], foundPolicy: { defaultVersionId: 'v1' } },
    });
    await revertToEnd(account, asRevertInput(adminDoc()));
    expect(account.snapshot().iam.policies[POLICY_ARN]).toBeDefined();
    expect(attachedTo(account, ROLE)).toEqual([PREEXISTING]);
    expect(attachedTo(account, OTHER_ROLE)).toEqual([POLICY_ARN]);
  });

  it("a shared policy holding another instance's document gets a new default version, which the revert takes back", async () => {
    const account = await freshAccount();
    const agentProfile = exampleProfile('agent');
    const otherInstance = 'arn:aws:connect:us-east-1:111122223333:instance/11111111-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    const agent = agentDoc({ ...agentProfile, policy: { ...agentProfile.policy, connectInstanceArn: otherInstance } });
    const { admin } = await racedApply(account, agent);

    expect(admin).toMatchObject({
      action: 'updated',
      previous: { defaultVersionId: 'v1' },
      details: { createPolicy: false, createVersion: true, createdVersionId: 'v2' },
    });
    expect(account.snapshot().iam.policies[POLICY_ARN]!.defaultVersionId).toBe('v2');

    // The admin execution fails later; its revert has only the journal (its first entry says "no policy").
    await revertToEnd(account, asRevertInput(adminDoc()));

    expect(account.snapshot().iam.policies[POLICY_ARN]).toMatchObject({
      defaultVersionId: 'v1',
      versions: { v1: JSON.parse(connectFederationPolicy(otherInstance)) },
    });
    expect(Object.keys(account.snapshot().iam.policies[POLICY_ARN]!.versions)).toEqual(['v1']);
    expect(attachedTo(account, ROLE)).toEqual([PREEXISTING]);
    expect(attachedTo(account, OTHER_ROLE)).toEqual([POLICY_ARN]);
  });

  it("a policy that exists because this execution's own CreatePolicy went through (an SDK retry) is reported created and deleted on revert", async () => {
    const account = await freshAccount();
    const before = stateOf(account);
    const doc = adminDoc();
    // The first try of CreatePolicy went through but its answer was lost; the SDK's retry then finds the policy.
    account.interleave({ service: 'iam', operation: 'CreatePolicy' }, ({ iam }) =>
      iam.send(
        new CreatePolicyCommand({
          PolicyName: POLICY_NAME,
          PolicyDocument: connectFederationPolicy(doc.profile.policy.connectInstanceArn!),
          Tags: pipelineTags(doc.request),
        }),
      ),
    );

    const receipt = await applyPolicy(doc, depsOf(account));

    expect(receipt).toMatchObject({ action: 'created', previous: { policyExisted: false }, details: { createPolicy: true, attach: [POLICY_ARN] } });
    expect(receipt.details.foundPolicy).toBeUndefined();
    // The call the step saw is the retry, which found the policy there.
    expect(account.calls.filter((call) => call.operation === 'CreatePolicy').map((call) => call.outcome)).toEqual(['EntityAlreadyExistsException']);
    await revertToEnd(account, asRevertInput(doc, receipt));
    expect(stateOf(account)).toEqual(before);
  });
});
