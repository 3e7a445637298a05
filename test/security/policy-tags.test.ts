/**
 * A rollback leaves in place, and names, a resource the execution created that a person marked as theirs since: a tag
 * on the policy says it is in use, so deleting the policy would take it.
 */
import { TagPolicyCommand } from '@aws-sdk/client-iam';
import type { SimulatedAccount } from '../../simulated-account';
import { admin, execute, metadataV1, startingAccount } from '../local/workflow-harness';

const POLICY = `arn:aws:iam::111122223333:policy/${admin.policy.name}`;

function beforeMappingWrite(account: SimulatedAccount, change: (clients: ReturnType<SimulatedAccount['clients']>) => unknown): void {
  account.interleave({ service: 'swb', operation: 'UpdateApplicationInstanceResponseConfiguration' }, change);
  account.faults.inject({ service: 'swb', operation: 'UpdateApplicationInstanceResponseConfiguration', error: 'AccessDeniedException' });
}

describe('a rollback after a person tagged what the execution created', () => {
  it('does not delete the policy it created once a person tagged it, and says so', async () => {
    const account = await startingAccount('empty account');
    beforeMappingWrite(account, ({ iam }) => iam.send(new TagPolicyCommand({ PolicyArn: POLICY, Tags: [{ Key: 'owner', Value: 'team-a' }] })));

    const result = await execute(account, { xml: metadataV1 });

    expect(account.snapshot().iam.policies[POLICY]).toBeDefined();
    expect(result.error).toBe('Rollback.Incomplete');
  });
});
