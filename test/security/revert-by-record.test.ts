/**
 * Property 4: reverts find their resources by record, never by name. The mapping and assignments reverts work on the
 * application recorded when their step ran, and check that it is the profile's own by describing that ARN. Anyone who
 * may create applications in IAM Identity Center can add a second one with the profile's display name while an
 * execution runs; that must not stop the rollback.
 */
import type { SimulatedAccount } from '../../simulated-account';
import { execute, startingAccount } from '../local/workflow-harness';

const AGENT_APPLICATION = 'Amazon Connect - Agent';

function agentApplications(account: SimulatedAccount): string[] {
  return Object.entries(account.snapshot().ssoAdmin.applications)
    .filter(([, app]) => app.name === AGENT_APPLICATION)
    .map(([arn]) => arn);
}

describe('a second application with the profile’s display name, created while an execution runs', () => {
  it('does not stop the rollback: the mapping and assignments reverts use the application their steps recorded', async () => {
    const account = await startingAccount('empty account');
    const [own] = agentApplications(account);
    account.interleave({ service: 'swb', operation: 'UpdateApplicationInstanceResponseConfiguration' }, () => {
      account.addApplication({ name: AGENT_APPLICATION, status: 'ENABLED' });
    });
    account.faults.inject({ service: 'swb', operation: 'UpdateApplicationInstanceResponseConfiguration', error: 'AccessDeniedException' });

    const result = await execute(account, { profile: 'agent', fromApplication: true });

    expect(result).toMatchObject({ status: 'FAILED', error: 'Provisioning.RolledBack' });
    expect(agentApplications(account)).toHaveLength(2);
    expect(account.snapshot().ssoAdmin.applications[own!]!.assignments).toBeUndefined();
    expect(Object.keys(account.snapshot().iam.roles)).not.toContain('AmazonConnectAgentAccessRole');
  });
});
