/**
 * undo refuses, changing nothing, after a person tagged the policy the execution created (the policy's footprint holds
 * its tags, as the role's and the provider's do).
 */
import { TagPolicyCommand } from '@aws-sdk/client-iam';
import { undoExecution } from '../../local/undo';
import { admin, execute, resources, startingAccount, undoDeps } from '../local/workflow-harness';

const POLICY = `arn:aws:iam::111122223333:policy/${admin.policy.name}`;

describe('undo after a person tagged the policy the execution created', () => {
  it('refuses, changing nothing, after a person tagged the policy the execution created', async () => {
    const account = await startingAccount('empty account');
    const done = await execute(account, { fromApplication: true });
    expect(done.status).toBe('SUCCEEDED');
    expect(done.output!.receipts!.policy!.action).toBe('created');
    await account.seed(({ iam }) => iam.send(new TagPolicyCommand({ PolicyArn: POLICY, Tags: [{ Key: 'owner', Value: 'team-a' }] })));
    const between = resources(account);

    const result = await undoExecution(done.output!, undoDeps(account));

    expect(result.action).toBe('refused');
    expect(resources(account)).toEqual(between);
  });
});
