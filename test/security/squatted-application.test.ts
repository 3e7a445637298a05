/**
 * A display name is not an identity. For a profile with application.create, anyone who may create a SAML application
 * in IAM Identity Center can give theirs the profile's display name before the pipeline's first run, or after an undo
 * deleted the pipeline's own. The pipeline takes an existing application of that name only when its record table
 * says it created it; any other is refused (Application.NotRecorded) before anything changes.
 */
import { GetSAMLProviderCommand } from '@aws-sdk/client-iam';
import { createdApplicationKey } from '../../lambdas/identity-center/created-application';
import { ROLE_ATTRIBUTE } from '../../lambdas/shared/profile-schema';
import type { SimulatedAccount } from '../../simulated-account';
import { creatingConfig, execute, startingAccount } from '../local/workflow-harness';

const NAME = 'Amazon Connect - Admin (created)';

/** A person deleting an application in the console: its profiles, then the instance. */
async function deleteThroughConsole(account: SimulatedAccount, applicationArn: string): Promise<void> {
  const { swb } = account.clients();
  const instanceId = `ins-${applicationArn.split('/apl-')[1]}`;
  for (const { profileId } of await swb.listProfiles(instanceId)) await swb.deleteProfile(instanceId, profileId);
  await swb.deleteApplicationInstance(instanceId);
}
const PROVIDER = 'arn:aws:iam::111122223333:saml-provider/AmazonConnectAdminAccess';

describe("an application someone else created under the name of a profile's application to create", () => {
  it('is refused: the federation role does not trust it, nor are the profile’s groups assigned or its Role attribute mapped', async () => {
    const account = await startingAccount('empty account', {}, creatingConfig);
    const theirs = account.addApplication({ name: NAME, status: 'ENABLED' });
    const before = account.snapshot();

    const result = await execute(account, { createApplication: true });

    expect(result).toMatchObject({ status: 'FAILED', error: 'Application.NotRecorded' });
    expect(result.cause).toContain(theirs);
    expect(result.cause).toMatch(/application\.arn/);
    await expect(account.clients().iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: PROVIDER }))).rejects.toThrow();
    expect(account.snapshot().ssoAdmin.applications[theirs]?.assignments ?? []).toEqual([]);
    expect(account.snapshot().swb[`ins-${theirs.split('/apl-')[1]}`]?.responseConfig?.properties[ROLE_ATTRIBUTE]).toBeUndefined();
    expect(account.snapshot().iam).toEqual(before.iam);
  });

  it('is refused after an undo deleted the application the pipeline created, while the next execution recreates its own', async () => {
    const account = await startingAccount('empty account', {}, creatingConfig);
    const first = await execute(account, { createApplication: true });
    expect(first.status).toBe('SUCCEEDED');
    const ours = Object.entries(account.snapshot().ssoAdmin.applications).find(([, app]) => app.name === NAME)![0];
    const recorded = JSON.parse((await account.clients().records.get(createdApplicationKey('admin')))!.body) as { applicationArn: string };
    expect(recorded.applicationArn).toBe(ours);

    // Someone deletes the pipeline's application and creates theirs under its name.
    await deleteThroughConsole(account, ours);
    const theirs = account.addApplication({ name: NAME, status: 'ENABLED' });
    const refused = await execute(account, { createApplication: true });
    expect(refused).toMatchObject({ status: 'FAILED', error: 'Application.NotRecorded' });
    expect(refused.cause).toContain(`created ${ours}, not it`);

    // Once theirs is gone, the pipeline creates (and records) a new one of its own.
    await deleteThroughConsole(account, theirs);
    const again = await execute(account, { createApplication: true });
    expect(again.status).toBe('SUCCEEDED');
    const recreated = Object.entries(account.snapshot().ssoAdmin.applications).find(([, app]) => app.name === NAME)![0];
    expect(recreated).not.toBe(ours);
    expect(JSON.parse((await account.clients().records.get(createdApplicationKey('admin')))!.body)).toMatchObject({ applicationArn: recreated });
  });
});
