/**
 * Attacks on the creation of the profile's application (application.create): a rollback deletes only the
 * application this execution created, and the provider is made only from that application's own metadata.
 */
import { runLocalExecution } from '../../local/runner';
import { SIMULATED_BUCKET, simulatedServices } from '../../local/simulated-services';
import type { SimulatedAccount } from '../../simulated-account';
import { creatingConfig, execute, metadataV1, startingAccount } from '../local/workflow-harness';

const NAME = 'Amazon Connect - Admin (created)';
const named = (account: SimulatedAccount) =>
  Object.entries(account.snapshot().ssoAdmin.applications)
    .filter(([, application]) => application.name === NAME)
    .map(([arn]) => arn);

/** Someone else creates an application with the profile's display name just before this execution's create call. */
function theirsBeforeOurCreate(account: SimulatedAccount): () => string {
  let theirs = '';
  account.interleave({ service: 'swb', operation: 'CreateApplicationInstance' }, () => {
    theirs = account.addApplication({ name: NAME });
  });
  return () => theirs;
}

/** Someone renames the application this execution created, just before the second Intake looks it up. */
function renameOursBeforeSecondIntake(account: SimulatedAccount): void {
  account.interleave(
    {
      service: 'sso-admin',
      operation: 'ListApplications',
      when: () => account.calls.some((c) => c.operation === 'UpdateApplicationInstanceDisplayData'),
    },
    () => {
      const sso = (account as unknown as { ssoAdmin: { renameApplication(arn: string, name: string): void } }).ssoAdmin;
      for (const arn of named(account)) sso.renameApplication(arn, 'renamed in the console');
    },
  );
}

describe('someone who creates an application with the profile’s display name', () => {
  it('cannot have it deleted by a rollback after this execution’s create failed without effect', async () => {
    const account = await startingAccount('empty account');
    const theirs = theirsBeforeOurCreate(account);
    account.faults.inject({ service: 'swb', operation: 'CreateApplicationInstance', error: 'AccessDeniedException' });
    const result = await execute(account, { createApplication: true });
    expect(result.status).not.toBe('SUCCEEDED');
    expect(named(account)).toEqual([theirs()]);
  });

  it('cannot have it claimed by a retry as this execution’s, and deleted by a later rollback', async () => {
    const account = await startingAccount('empty account');
    const theirs = theirsBeforeOurCreate(account);
    account.faults.inject({ service: 'swb', operation: 'CreateApplicationInstance', error: 'ThrottlingException' });
    account.faults.inject({ service: 'swb', operation: 'UpdateApplicationInstanceResponseConfiguration', error: 'AccessDeniedException' });
    await execute(account, { createApplication: true });
    expect(named(account)).toEqual([theirs()]);
  });
});

describe('an uploader, for a profile whose application is still to be created', () => {
  it('cannot have an uploaded document installed beside a newly created application: refused before any change', async () => {
    const account = await startingAccount('empty account');
    const key = 'metadata/admin/idp.xml';
    const versionId = account.putObject(SIMULATED_BUCKET, key, metadataV1);
    const result = await runLocalExecution({
      services: simulatedServices(account),
      config: creatingConfig,
      input: { bucket: SIMULATED_BUCKET, key, versionId },
      executionName: 'upload-1',
      retryIntervalMs: 0,
    });
    expect(result.error).toBe('Request.Invalid');
    expect(named(account)).toEqual([]);
    expect(account.snapshot().iam.samlProviders).toEqual({});
  });
});

describe('a person renaming the new application while the execution runs', () => {
  it('cannot make a placeholder document reach the provider step; the rollback leaves the renamed application, naming it', async () => {
    const account = await startingAccount('empty account');
    const before = Object.keys(account.snapshot().ssoAdmin.applications);
    renameOursBeforeSecondIntake(account);
    const result = await execute(account, { createApplication: true });
    expect(result.timeline.some((entry) => entry.state === 'Create or update identity provider')).toBe(false);
    // Renamed since this execution created it: deleting it would undo the person's change, so it stays, reported.
    expect(result.error).toBe('Rollback.Incomplete');
    expect(result.cause).toContain('display name is now renamed in the console');
    const added = Object.keys(account.snapshot().ssoAdmin.applications).filter((arn) => !before.includes(arn));
    expect(added.map((arn) => account.snapshot().ssoAdmin.applications[arn]?.name)).toEqual(['renamed in the console']);
  });
});
