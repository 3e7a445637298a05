/**
 * Attacks on the assignments step's record of what it did: a rollback must remove every assignment this execution
 * made and none that someone else made, whatever fails, is retried or races it (its grants: test/infra/assignments-grants.test.ts).
 */
import { CreateApplicationAssignmentCommand, DeleteApplicationAssignmentCommand } from '@aws-sdk/client-sso-admin';
import { applyAssignments } from '../../lambdas/assignments/apply';
import { revertAssignments } from '../../lambdas/assignments/revert';
import { awsClients } from '../../lambdas/runtime/clients';
import type { StepDeps } from '../../lambdas/runtime/function';
import type { ExecutionDocument } from '../../lambdas/shared/document';
import { accountForConfig } from '../../local/simulated-services';
import type { SimulatedAccount } from '../../simulated-account';
import { exampleConfig, exampleProfile, makeDocument } from '../helpers/document';

const APP = exampleProfile('admin').application.arn!;
const failure = { Error: 'States.TaskFailed', Cause: 'a later step failed' };
const GROUP = 'Amazon Connect administrators';

function world(assignments: { groups: string[]; users: string[] } = { groups: [GROUP], users: ['jane@example.com'] }) {
  const account = accountForConfig(exampleConfig);
  const userId = account.addIdentityStoreUser('jane@example.com');
  const profile = structuredClone(exampleProfile('admin'));
  profile.application.assignments = assignments;
  const deps = (): StepDeps => ({ ...account.clients(), now: () => new Date('2030-01-02T03:04:05.000Z'), sleep: async () => undefined });
  const doc = (overrides: Partial<ExecutionDocument> = {}) => makeDocument({ profile, ...overrides });
  return { account, userId, deps, doc };
}
const assignmentsOf = (account: SimulatedAccount): string[] => account.snapshot().ssoAdmin.applications[APP]?.assignments ?? [];
const byHand = (account: SimulatedAccount, command: CreateApplicationAssignmentCommand | DeleteApplicationAssignmentCommand) =>
  account.seed(({ ssoAdmin }) => ssoAdmin.send(command as CreateApplicationAssignmentCommand));
const target = (type: 'GROUP' | 'USER', id: string) => ({ ApplicationArn: APP, PrincipalId: id, PrincipalType: type });

describe('a person assigning by hand while an execution runs', () => {
  it('cannot have their assignment removed by a rollback after a failed call the execution retried (made during the backoff)', async () => {
    const w = world();
    // The user's create fails before taking effect; the step looks right away and records it was not made.
    w.account.faults.inject({ service: 'sso-admin', operation: 'CreateApplicationAssignment', nth: 2, error: 'InternalServerException' });
    await expect(applyAssignments(w.doc(), w.deps())).rejects.toMatchObject({ name: 'Mapping.ServiceError' });
    await byHand(w.account, new CreateApplicationAssignmentCommand(target('USER', w.userId)));
    const retried = await applyAssignments(w.doc(), w.deps());
    await revertAssignments(w.doc({ receipts: { assignments: retried }, failure }), w.deps());
    expect(assignmentsOf(w.account)).toEqual([`USER:${w.userId}`]);
  });
});

describe("an execution's own assignments", () => {
  it('are all removed by the rollback when the profile names a group twice', async () => {
    const w = world({ groups: [GROUP, GROUP], users: ['jane@example.com'] });
    w.account.faults.inject({ service: 'sso-admin', operation: 'CreateApplicationAssignment', nth: 2, error: 'AccessDeniedException' });
    await expect(applyAssignments(w.doc(), w.deps())).rejects.toBeDefined();
    expect(assignmentsOf(w.account)).toHaveLength(1);
    await revertAssignments(w.doc({ failure }), w.deps());
    expect(assignmentsOf(w.account)).toEqual([]);
  });

  it('are removed when an earlier attempt found the principal held by someone else and a later attempt assigned it', async () => {
    const w = world({ groups: [GROUP], users: [] });
    const groupId = async () => {
      const { GetGroupIdCommand } = await import('@aws-sdk/client-identitystore');
      const { DescribeInstanceCommand } = await import('@aws-sdk/client-sso-admin');
      const c = w.account.clients();
      const store = (await c.ssoAdmin.send(new DescribeInstanceCommand({ InstanceArn: exampleProfile('admin').application.instanceArn! })))
        .IdentityStoreId!;
      return (await c.identityStore.send(
        new GetGroupIdCommand({
          IdentityStoreId: store,
          AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: GROUP } },
        }),
      ))!.GroupId!;
    };
    const id = await groupId();
    w.account.interleave({ service: 'sso-admin', operation: 'CreateApplicationAssignment', nth: 1 }, () =>
      byHand(w.account, new CreateApplicationAssignmentCommand(target('GROUP', id))),
    );
    const first = await applyAssignments(w.doc(), w.deps());
    expect(first.details.added).toEqual([]);
    await byHand(w.account, new DeleteApplicationAssignmentCommand(target('GROUP', id)));
    // A second attempt of the same execution assigns it; the revert then works from the journal alone, as after a stop.
    await applyAssignments(w.doc(), w.deps());
    expect(assignmentsOf(w.account)).toEqual([`GROUP:${id}`]);
    await revertAssignments(w.doc({ failure }), w.deps());
    expect(assignmentsOf(w.account)).toEqual([]);
  });

  it('never come back as ConflictException from a resend by the SDK: the deployed client sends each request once', async () => {
    const clients = awsClients({ region: 'us-east-1' });
    expect(await clients.ssoAdmin.config.maxAttempts()).toBe(1);
  });
});
