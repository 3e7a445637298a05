/**
 * A third party who may create IAM Identity Center applications, and knows or guesses an execution's name, creates an
 * application named like that execution's creation name before a CreateApplicationInstance that is throttled. The
 * retry looks for the application under the creation name the journal recorded, which ends in a random token, so it
 * never claims theirs: never recorded as the pipeline's, never renamed to the profile's display name, never trusted.
 */

import { creationName } from '../../lambdas/application/application';
import { createdApplicationKey } from '../../lambdas/identity-center/created-application';
import { creatingConfig, execute, startingAccount } from '../local/workflow-harness';

const NAME = 'Amazon Connect - Admin (created)';

describe('an application squatting the creation name of an execution', () => {
  it('is not claimed by the retry of a creation that failed before it took effect', async () => {
    const account = await startingAccount('empty account', {}, creatingConfig);
    const executionName = 'nightly-admin';
    const theirs = account.addApplication({ name: creationName(NAME, executionName), status: 'ENABLED' });
    account.faults.inject({ service: 'swb', operation: 'CreateApplicationInstance', error: 'ThrottlingException' });

    const result = await execute(account, { createApplication: true, executionName });

    const recorded = await account.clients().records.get(createdApplicationKey('admin'));
    const recordedArn = recorded ? (JSON.parse(recorded.body) as { applicationArn: string }).applicationArn : undefined;
    expect(recordedArn).not.toBe(theirs);
    expect(account.snapshot().ssoAdmin.applications[theirs]?.name).not.toBe(NAME);
    expect(result.output?.receipts?.application?.arn).not.toBe(theirs);
  });
});
