/**
 * A third party who may create IAM Identity Center applications, and knows or guesses an execution's name, creates
 * applications through the console API under every name they can guess before a CreateApplicationInstance that is
 * throttled. The retry looks for the application under the name the journal recorded before the creation, a random
 * UUID, so it never claims theirs: never recorded as the pipeline's, never renamed to the profile's display name.
 */
import { createdApplicationKey } from '../../lambdas/identity-center/created-application';
import { APPLICATION_TEMPLATES } from '../../simulated-account/swb-state';
import { creatingConfig, execute, startingAccount } from '../local/workflow-harness';

const NAME = 'Amazon Connect - Admin (created)';

describe('an application squatting the creation name of an execution', () => {
  it('is not claimed by the retry of a creation that failed before it took effect', async () => {
    const account = await startingAccount('empty account', {}, creatingConfig);
    const executionName = 'nightly-admin';
    const { swb } = account.clients();
    const guesses = [executionName, NAME, `${NAME} [creating: ${executionName}]`];
    const theirs = await Promise.all(guesses.map((name) => swb.createApplicationInstance(APPLICATION_TEMPLATES[0].templateId, name)));
    account.faults.inject({ service: 'swb', operation: 'CreateApplicationInstance', error: 'ThrottlingException' });

    const result = await execute(account, { createApplication: true, executionName });

    expect(result.status).toBe('SUCCEEDED');
    const recorded = JSON.parse((await account.clients().records.get(createdApplicationKey('admin')))!.body) as { applicationArn: string };
    const ours = result.output!.receipts!.application!.arn;
    expect(recorded.applicationArn).toBe(ours);
    for (const instanceId of theirs) {
      expect(ours).not.toContain(instanceId.replace('ins-', 'apl-'));
      const application = Object.entries(account.snapshot().ssoAdmin.applications).find(([arn]) => arn.endsWith(instanceId.replace('ins-', 'apl-')));
      expect(application?.[1].name).not.toBe(NAME);
    }
  });
});
