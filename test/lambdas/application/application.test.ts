import { applyApplication } from '../../../lambdas/application/apply';
import { revertApplication } from '../../../lambdas/application/revert';
import type { StepDeps } from '../../../lambdas/runtime/function';
import type { ExecutionDocument } from '../../../lambdas/shared/document';
import { accountForConfig } from '../../../local/simulated-services';
import type { SimulatedAccount } from '../../../simulated-account';
import { makeDocument } from '../../helpers/document';
import { creatingConfig } from '../../local/workflow-harness';

const NAME = 'Amazon Connect - Admin (created)';
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
  it('creates the application from the Amazon Connect template when none has its display name, and a rollback deletes it', async () => {
    const w = world();
    const before = w.account.snapshot();
    const receipt = await applyApplication(w.doc(), w.deps());
    expect(receipt).toMatchObject({ action: 'created', changes: [`created application "${NAME}" from the Amazon Connect template`] });
    expect(named(w.account)).toEqual([receipt.arn]);
    expect(w.account.calls.filter((c) => c.service === 'swb').map((c) => c.operation)).toEqual([
      'ListApplicationTemplates',
      'CreateApplicationInstance',
      'UpdateApplicationInstanceDisplayData',
    ]);
    const report = await revertApplication(w.doc({ receipts: { application: receipt }, failure }), w.deps());
    expect(report.action).toBe('deleted');
    expect(w.account.snapshot()).toEqual(before);
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
});
