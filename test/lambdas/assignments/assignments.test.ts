import { applyAssignments } from '../../../lambdas/assignments/apply';
import { revertAssignments } from '../../../lambdas/assignments/revert';
import type { StepDeps } from '../../../lambdas/runtime/function';
import type { ExecutionDocument } from '../../../lambdas/shared/document';
import { accountForConfig } from '../../../local/simulated-services';
import type { SimulatedAccount } from '../../../simulated-account';
import { exampleConfig, exampleProfile, makeDocument } from '../../helpers/document';

const ADMIN_APP = exampleProfile('admin').application.arn!;
const failure = { Error: 'States.TaskFailed', Cause: 'a later step failed' };

/** The admin profile assigning one group and one user; the account holds both, and one more group assigned by hand. */
function world() {
  const account = accountForConfig(exampleConfig);
  const userId = account.addIdentityStoreUser('jane@example.com');
  const handMade = account.addIdentityStoreGroup('Supervisors');
  // A copy: the example profile is shared by every test.
  const profile = structuredClone(exampleProfile('admin'));
  profile.application.assignments = { groups: ['Amazon Connect administrators'], users: ['jane@example.com'] };
  const deps = (): StepDeps => ({ ...account.clients(), now: () => new Date('2030-01-02T03:04:05.000Z'), sleep: async () => undefined });
  const doc = (overrides: Partial<ExecutionDocument> = {}) => makeDocument({ profile, ...overrides });
  return { account, userId, handMade, deps, doc };
}

function assignmentsOf(account: SimulatedAccount): string[] {
  return account.snapshot().ssoAdmin.applications[ADMIN_APP]?.assignments ?? [];
}

async function seedAssignment(account: SimulatedAccount, type: 'GROUP' | 'USER', id: string) {
  const { CreateApplicationAssignmentCommand } = await import('@aws-sdk/client-sso-admin');
  await account.seed(({ ssoAdmin }) =>
    ssoAdmin.send(new CreateApplicationAssignmentCommand({ ApplicationArn: ADMIN_APP, PrincipalId: id, PrincipalType: type })),
  );
}

describe('Assignments', () => {
  it("assigns the profile's groups and users that are not assigned yet, and a rollback removes only those", async () => {
    const w = world();
    await seedAssignment(w.account, 'GROUP', w.handMade);
    const receipt = await applyAssignments(w.doc(), w.deps());
    expect(receipt.action).toBe('updated');
    expect(receipt.changes).toEqual([
      expect.stringContaining('assigned group "Amazon Connect administrators"'),
      expect.stringContaining('assigned user "jane@example.com"'),
    ]);
    expect(assignmentsOf(w.account)).toHaveLength(3);

    const report = await revertAssignments(w.doc({ receipts: { assignments: receipt }, failure }), w.deps());
    expect(report.action).toBe('deleted');
    // The group assigned by hand before the execution stays.
    expect(assignmentsOf(w.account)).toEqual([`GROUP:${w.handMade}`]);
  });

  it('changes nothing when everyone is assigned already, and its revert removes nothing', async () => {
    const w = world();
    const first = await applyAssignments(w.doc(), w.deps());
    w.account.clearCalls();
    const second = await applyAssignments(w.doc({ request: { executionName: 'exec-0002' } as never }), w.deps());
    expect(second).toMatchObject({ action: 'unchanged', changes: [] });
    expect(w.account.mutatingCalls({ service: 'sso-admin' })).toEqual([]);
    await revertAssignments(w.doc({ request: { executionName: 'exec-0002' } as never, receipts: { assignments: second }, failure }), w.deps());
    expect(assignmentsOf(w.account)).toHaveLength(first.details.added.length);
  });

  it('after an assignment whose answer was lost, the retry claims it from the journal and the revert removes it', async () => {
    const w = world();
    w.account.faults.inject({ service: 'sso-admin', operation: 'CreateApplicationAssignment', error: 'InternalServerException', afterEffect: true });
    await expect(applyAssignments(w.doc(), w.deps())).rejects.toMatchObject({ name: 'Mapping.ServiceError' });
    const retried = await applyAssignments(w.doc(), w.deps());
    expect(retried.details.added.map((p) => p.name).sort()).toEqual(['Amazon Connect administrators', 'jane@example.com']);
    await revertAssignments(w.doc({ receipts: { assignments: retried }, failure }), w.deps());
    expect(assignmentsOf(w.account)).toEqual([]);
  });

  it('leaves an assignment someone made between its listing and its call, even when reverting from the journal alone', async () => {
    const w = world();
    // The second assignment (the user) is made by someone else just before this step's call: ConflictException.
    w.account.interleave({ service: 'sso-admin', operation: 'CreateApplicationAssignment', nth: 2 }, async () =>
      seedAssignment(w.account, 'USER', w.userId),
    );
    const receipt = await applyAssignments(w.doc(), w.deps());
    expect(receipt.changes).toEqual([
      expect.stringContaining('assigned group "Amazon Connect administrators"'),
      'user "jane@example.com" was assigned meanwhile by someone else; left as it is',
    ]);
    expect(receipt.details.added.map((p) => p.name)).toEqual(['Amazon Connect administrators']);
    // A revert with no receipt (the execution was stopped after the step) works from the journal alone.
    const report = await revertAssignments(w.doc({ failure }), w.deps());
    expect(report.action).toBe('deleted');
    expect(assignmentsOf(w.account)).toEqual([`USER:${w.userId}`]);
  });

  it('fails Assignments.PrincipalNotFound naming the field and the name when the identity store has no such group, changing nothing', async () => {
    const w = world();
    const doc = w.doc();
    doc.profile.application.assignments.groups = ['Connect admins (typo)'];
    await expect(applyAssignments(doc, w.deps())).rejects.toMatchObject({
      name: 'Assignments.PrincipalNotFound',
      message: expect.stringContaining('application.assignments.groups names group "Connect admins (typo)"'),
    });
    expect(w.account.mutatingCalls()).toEqual([]);
  });

  it('plans without assigning in a dry run', async () => {
    const w = world();
    const receipt = await applyAssignments(w.doc({ request: { dryRun: true } as never }), w.deps());
    expect(receipt.action).toBe('planned');
    expect(receipt.changes).toEqual([expect.stringContaining('would assign group'), expect.stringContaining('would assign user')]);
    expect(w.account.mutatingCalls()).toEqual([]);
  });

  it("removes nothing from an application that is not the profile's, whatever the record says", async () => {
    const w = world();
    const receipt = await applyAssignments(w.doc(), w.deps());
    const forged = {
      ...receipt,
      details: {
        ...receipt.details,
        applicationArn:
          exampleProfile('agent').application.arn ?? 'arn:aws:sso::111122223333:application/ssoins-72236f2e1c0a9b84/apl-0000000000000000',
      },
    };
    const report = await revertAssignments(w.doc({ receipts: { assignments: forged }, failure }), w.deps());
    expect(report.action).toBe('left-in-place');
    expect(assignmentsOf(w.account)).toHaveLength(2);
  });
});
