import { CreateApplicationAssignmentCommand, DeleteApplicationAssignmentCommand } from '@aws-sdk/client-sso-admin';
import { createdUnderCreationName } from '../../../lambdas/application/application';
import { applyApplication } from '../../../lambdas/application/apply';
import { revertApplication } from '../../../lambdas/application/revert';
import type { StepDeps } from '../../../lambdas/runtime/function';
import type { ExecutionDocument } from '../../../lambdas/shared/document';
import { accountForConfig } from '../../../local/simulated-services';
import type { SimulatedAccount } from '../../../simulated-account';
import { CONSOLE_API_SHAPES } from '../../../simulated-account/console-api-shapes';
import { makeDocument } from '../../helpers/document';
import { creatingConfig } from '../../local/workflow-harness';

const NAME = 'Amazon Connect - Admin (created)';
const instanceOf = (arn: string) => `ins-${arn.split('/apl-')[1]}`;
const failure = { Error: 'States.TaskFailed', Cause: 'a later step failed' };

function world() {
  const account = accountForConfig(creatingConfig);
  const profile = { ...structuredClone(creatingConfig.profiles.admin!), name: 'admin' };
  const deps = (): StepDeps => ({ ...account.clients(), now: () => new Date('2030-01-02T03:04:05.000Z'), sleep: async () => undefined });
  const doc = (overrides: Partial<ExecutionDocument> = {}) => makeDocument({ profile, ...overrides });
  return { account, deps, doc };
}

const named = (account: SimulatedAccount) =>
  Object.entries(account.snapshot().ssoAdmin.applications)
    .filter(([, application]) => application.name === NAME)
    .map(([arn]) => arn);

describe('Application (application.create)', () => {
  it('creates the application from the Amazon Connect template, enabled, with AWS sign-in as its service provider', async () => {
    const w = world();
    const receipt = await applyApplication(w.doc(), w.deps());
    expect(receipt).toMatchObject({ action: 'created' });
    expect(receipt.changes[0]).toMatch(new RegExp(`^created application "${NAME.replace(/[()]/g, '\\$&')}" from the Amazon Connect template`));
    expect(named(w.account)).toEqual([receipt.arn]);
    expect(w.account.calls.filter((c) => c.service === 'swb').map((c) => c.operation)).toEqual([
      'ListApplicationTemplates',
      'CreateApplicationInstance',
      'UpdateApplicationInstanceDisplayData',
      'UpdateApplicationInstanceServiceProviderConfiguration',
      'UpdateApplicationInstanceStatus',
    ]);
    // Created under a UUID, as every public caller does; the display name is set apart.
    const create = w.account.calls.find((c) => c.operation === 'CreateApplicationInstance')!.input as { name: string };
    expect(create.name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(w.account.snapshot().ssoAdmin.applications[receipt.arn]?.status).toBe('ENABLED');
    const { applicationInstance } = (await w.account.swbCall('GetApplicationInstance', { instanceId: instanceOf(receipt.arn) })) as {
      applicationInstance: { status: string; serviceProviderConfig: { audience: string; consumers: Array<{ location: string }> } };
    };
    expect(applicationInstance.status).toBe('ENABLED');
    expect(applicationInstance.serviceProviderConfig.audience).toBe('urn:amazon:webservices');
    expect(applicationInstance.serviceProviderConfig.consumers.map((c) => c.location)).toEqual(['https://signin.aws.amazon.com/saml']);
  });

  it('is rolled back by deleting the profiles assigning people made, then the instance', async () => {
    const w = world();
    const before = w.account.snapshot();
    const receipt = await applyApplication(w.doc(), w.deps());
    // The assignments step gives it a profile; its own revert runs first and removes the assignment.
    const groupId = w.account.addIdentityStoreGroup('Connect admins');
    await w.account
      .clients()
      .ssoAdmin.send(new CreateApplicationAssignmentCommand({ ApplicationArn: receipt.arn, PrincipalId: groupId, PrincipalType: 'GROUP' }));
    await w.account
      .clients()
      .ssoAdmin.send(new DeleteApplicationAssignmentCommand({ ApplicationArn: receipt.arn, PrincipalId: groupId, PrincipalType: 'GROUP' }));
    w.account.clearCalls();
    const report = await revertApplication(w.doc({ receipts: { application: receipt }, failure }), w.deps());
    expect(report.action).toBe('deleted');
    expect(w.account.mutatingCalls({ service: 'swb' }).map((c) => c.operation)).toEqual(['DeleteProfile', 'DeleteApplicationInstance']);
    expect(named(w.account)).toEqual([]);
    expect(w.account.snapshot().swb).toEqual(before.swb);
  });

  it('is left in place, and named, when someone assigned people to it since', async () => {
    const w = world();
    const receipt = await applyApplication(w.doc(), w.deps());
    const groupId = w.account.addIdentityStoreGroup('Their team');
    await w.account
      .clients()
      .ssoAdmin.send(new CreateApplicationAssignmentCommand({ ApplicationArn: receipt.arn, PrincipalId: groupId, PrincipalType: 'GROUP' }));
    w.account.clearCalls();
    const report = await revertApplication(w.doc({ receipts: { application: receipt }, failure }), w.deps());
    expect(report.action).toBe('left-in-place');
    expect(w.account.mutatingCalls({ service: 'swb' })).toEqual([]);
    expect(named(w.account)).toEqual([receipt.arn]);
  });

  it('finds an existing application of that name and changes nothing; its revert deletes nothing', async () => {
    const w = world();
    const first = await applyApplication(w.doc(), w.deps());
    w.account.clearCalls();
    const second = await applyApplication(w.doc({ request: { executionName: 'exec-0002' } as never }), w.deps());
    expect(second).toMatchObject({ action: 'unchanged', arn: first.arn });
    expect(w.account.mutatingCalls()).toEqual([]);
    await revertApplication(w.doc({ request: { executionName: 'exec-0002' } as never, receipts: { application: second }, failure }), w.deps());
    expect(named(w.account)).toEqual([first.arn]);
  });

  it('after a creation whose answer was lost, the retry claims the application from the journal and the rollback deletes it', async () => {
    const w = world();
    w.account.faults.inject({ service: 'swb', operation: 'CreateApplicationInstance', error: 'InternalServerException', afterEffect: true });
    await expect(applyApplication(w.doc(), w.deps())).rejects.toMatchObject({ name: 'Mapping.ServiceError' });
    const retried = await applyApplication(w.doc(), w.deps());
    expect(retried.action).toBe('created');
    expect(named(w.account)).toHaveLength(1);
    // Reverted from the journal alone (as after a stop): the receipt is not needed.
    await revertApplication(w.doc({ failure }), w.deps());
    expect(named(w.account)).toEqual([]);
  });

  it('after a lost creation answer that the instance list cannot confirm (it shows no names), stops and the rollback says where to look', async () => {
    const account = accountForConfig(creatingConfig, { swbShapes: { listsInstanceNames: false } });
    const profile = { ...structuredClone(creatingConfig.profiles.admin!), name: 'admin' };
    const deps = (): StepDeps => ({ ...account.clients(), now: () => new Date('2030-01-02T03:04:05.000Z'), sleep: async () => undefined });
    const doc = (overrides: Partial<ExecutionDocument> = {}) => makeDocument({ profile, ...overrides });
    account.faults.inject({ service: 'swb', operation: 'CreateApplicationInstance', error: 'InternalServerException', afterEffect: true });
    await expect(applyApplication(doc(), deps())).rejects.toMatchObject({ name: 'Mapping.ServiceError' });
    const created = account.calls.find((c) => c.operation === 'CreateApplicationInstance')!.input as { name: string; templateId: string };

    await expect(applyApplication(doc(), deps())).rejects.toMatchObject({ name: 'Application.CreationUnknown' });
    expect(account.calls.filter((c) => c.operation === 'CreateApplicationInstance')).toHaveLength(1);
    const report = await revertApplication(doc({ failure: { Error: 'Application.CreationUnknown', Cause: 'lost' } }), deps());
    expect(report.action).toBe('left-in-place');
    const said = report.leftInPlace!.join('\n');
    expect(said).toContain(created.name);
    expect(said).toContain(created.templateId);
    expect(said).toContain('2030-01-02T03:04:05.000Z');
  });

  it('takes a lost creation as not made only when the listing names every instance, so it never creates a second', async () => {
    const listing = (instances: Array<{ instanceId: string; name?: string }>) =>
      ({ listApplicationInstances: async () => instances }) as unknown as Parameters<typeof createdUnderCreationName>[0];
    const ours = 'd3b07384-d9a0-4c9b-8f1e-2f0c6a1b7e55';
    await expect(createdUnderCreationName(listing([{ instanceId: 'ins-1', name: ours }]), ours)).resolves.toEqual({ instanceId: 'ins-1' });
    await expect(createdUnderCreationName(listing([{ instanceId: 'ins-1', name: 'another' }]), ours)).resolves.toBe('not-created');
    // A listing that names some instances only, or none, or lists nothing (as an answer of another shape reads) proves nothing.
    await expect(createdUnderCreationName(listing([{ instanceId: 'ins-1', name: 'another' }, { instanceId: 'ins-2' }]), ours)).resolves.toBe(
      'unknown',
    );
    await expect(createdUnderCreationName(listing([{ instanceId: 'ins-2' }]), ours)).resolves.toBe('unknown');
    await expect(createdUnderCreationName(listing([]), ours)).resolves.toBe('unknown');
  });

  it('deletes only the instance its record names: an application of that name it did not create stays', async () => {
    const w = world();
    const receipt = await applyApplication(w.doc(), w.deps());
    const forged = { ...receipt, details: { ...receipt.details, createdInstanceId: 'ins-0000000000000000' } };
    const report = await revertApplication(w.doc({ receipts: { application: forged }, failure }), w.deps());
    expect(report).toMatchObject({ action: 'nothing-to-do', changes: [expect.stringContaining('ins-0000000000000000')] });
    expect(named(w.account)).toEqual([receipt.arn]);
  });

  it('plans the creation in a dry run and creates nothing', async () => {
    const w = world();
    const receipt = await applyApplication(w.doc({ request: { dryRun: true } as never }), w.deps());
    expect(receipt).toMatchObject({ action: 'planned', changes: [expect.stringContaining(`would create application "${NAME}"`)] });
    expect(w.account.mutatingCalls()).toEqual([]);
  });

  it('calls nothing for a profile without application.create', async () => {
    const w = world();
    const { create: _none, ...application } = w.doc().profile.application;
    const doc = w.doc();
    doc.profile = { ...doc.profile, application: { ...application, displayName: 'whatever' } };
    await expect(applyApplication(doc, w.deps())).resolves.toMatchObject({ action: 'unchanged', changes: [] });
    expect(w.account.calls).toEqual([]);
  });
});

describe('Application permissions', () => {
  const scopeOf = (config: typeof creatingConfig) => ({
    partition: 'aws',
    account: '111122223333',
    bucketArn: 'arn:aws:s3:::metadata',
    recordTableArn: 'arn:aws:dynamodb:us-east-1:111122223333:table/records',
    lockTableArn: 'arn:aws:dynamodb:us-east-1:111122223333:table/locks',
    config,
  });
  const actions = (permissions: { statements: Array<{ Action: string[] }> }) => permissions.statements.flatMap((statement) => statement.Action);

  it('may create and delete applications only when a profile sets application.create, and only the revert deletes', async () => {
    const { applicationStep } = await import('../../../lambdas/application/step');
    const { exampleConfig } = await import('../../helpers/document');
    const creating = scopeOf(creatingConfig);
    expect(actions(applicationStep.apply.permissions(creating))).toEqual(
      expect.arrayContaining(['sso:ListApplicationTemplates', 'sso:CreateApplicationInstance', 'sso:UpdateApplicationInstanceDisplayData']),
    );
    expect(actions(applicationStep.apply.permissions(creating))).not.toContain('sso:DeleteApplicationInstance');
    expect(actions(applicationStep.revert.permissions(creating))).toContain('sso:DeleteApplicationInstance');
    expect(actions(applicationStep.revert.permissions(creating))).not.toContain('sso:CreateApplicationInstance');
    const plain = scopeOf(exampleConfig);
    for (const fn of [applicationStep.apply, applicationStep.revert]) {
      expect(actions(fn.permissions(plain)).filter((a) => /ApplicationInstance|ApplicationTemplates/.test(a))).toEqual([]);
    }
  });

  it('grants exactly the console API operations creating, finding and deleting an application call', async () => {
    const { applicationStep } = await import('../../../lambdas/application/step');
    const creating = scopeOf(creatingConfig);
    const consoleActions = (permissions: { statements: Array<{ Action: string[] }> }) =>
      actions(permissions)
        .filter((action) => action.replace(/^sso:/, '') in CONSOLE_API_SHAPES)
        .sort();
    expect(consoleActions(applicationStep.apply.permissions(creating))).toEqual(
      [
        'sso:ListApplicationTemplates',
        'sso:CreateApplicationInstance',
        'sso:UpdateApplicationInstanceDisplayData',
        'sso:UpdateApplicationInstanceServiceProviderConfiguration',
        'sso:UpdateApplicationInstanceStatus',
        // After a lost answer: the instance created under the journalled name.
        'sso:ListApplicationInstances',
      ].sort(),
    );
    expect(consoleActions(applicationStep.revert.permissions(creating))).toEqual(
      ['sso:ListApplicationInstances', 'sso:ListProfiles', 'sso:DeleteProfile', 'sso:DeleteApplicationInstance'].sort(),
    );
  });
});
