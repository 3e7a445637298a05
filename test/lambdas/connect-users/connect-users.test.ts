import { applyAssignments } from '../../../lambdas/assignments/apply';
import { applyConnectUsers } from '../../../lambdas/connect-users/apply';
import { revertConnectUsers } from '../../../lambdas/connect-users/revert';
import type { StepDeps } from '../../../lambdas/runtime/function';
import type { ExecutionDocument } from '../../../lambdas/shared/document';
import type { ResolvedProfile } from '../../../lambdas/shared/profile';
import { accountForConfig } from '../../../local/simulated-services';
import type { SimulatedAccount } from '../../../simulated-account';
import type { DirectoryUser } from '../../../simulated-account/identity-store';
import { exampleConfig, exampleProfile, makeDocument } from '../../helpers/document';

const INSTANCE = exampleProfile('admin').policy.connectInstanceArn!;
const failure = { Error: 'States.TaskFailed', Cause: 'a later step failed' };
const CREATE = { securityProfiles: ['Agent'], routingProfile: 'Basic Routing Profile' };

/**
 * The admin profile assigning its group (admin@example.com, who has a Connect user) and one more user, jane, who has
 * none; `create` sets connectUsers.create.
 */
async function world(options: { create?: boolean; jane?: DirectoryUser & { userName?: string } } = {}) {
  const account = accountForConfig(exampleConfig);
  const jane = options.jane?.userName ?? 'jane@example.com';
  account.addIdentityStoreUser(jane, undefined, options.jane ?? { email: 'jane@example.com', givenName: 'Jane', familyName: 'Doe' });
  const profile: ResolvedProfile = structuredClone(exampleProfile('admin'));
  profile.application.assignments = { groups: ['Amazon Connect administrators'], users: [jane] };
  if (options.create) profile.connectUsers = { create: CREATE };
  const deps = (): StepDeps => ({ ...account.clients(), now: () => new Date('2030-01-02T03:04:05.000Z'), sleep: async () => undefined });
  const assignments = await applyAssignments(makeDocument({ profile }), deps());
  account.clearCalls();
  const doc = (overrides: Partial<ExecutionDocument> = {}) =>
    makeDocument({ profile, ...overrides, receipts: { assignments, ...overrides.receipts } });
  return { account, deps, doc };
}

const usersOf = (account: SimulatedAccount) => account.snapshot().connect[INSTANCE] ?? {};
const connectWrites = (account: SimulatedAccount) =>
  account
    .mutatingCalls({ service: 'connect' })
    .filter((call) => call.outcome === 'ok')
    .map((call) => call.operation);

describe('Connect users', () => {
  it('names each person the profile assigns who has no Connect user, and changes nothing without connectUsers.create', async () => {
    const w = await world();
    const receipt = await applyConnectUsers(w.doc(), w.deps());
    expect(receipt.action).toBe('unchanged');
    expect(receipt.details.present).toEqual(['admin@example.com']);
    expect(receipt.details.missing).toEqual([{ username: 'jane@example.com', person: 'jane@example.com (user "jane@example.com")' }]);
    expect(receipt.notices?.join('\n')).toMatch(/1 of 2 people.*\n.*no Connect user "jane@example.com".*connectUsers\.create/);
    expect(connectWrites(w.account)).toEqual([]);
  });

  it('creates the missing users as a SAML instance requires, tagged with the execution, and names them', async () => {
    const w = await world({ create: true });
    const receipt = await applyConnectUsers(w.doc(), w.deps());
    expect(receipt).toMatchObject({
      action: 'created',
      changes: ['created Connect user "jane@example.com" for jane@example.com (user "jane@example.com")'],
    });
    // Everyone has a user now: nothing for a person to act on.
    expect(receipt.notices).toBeUndefined();
    expect(receipt.details.present).toEqual(['admin@example.com']);
    const created = usersOf(w.account)['jane@example.com'];
    expect(created).toMatchObject({
      IdentityInfo: { FirstName: 'Jane', LastName: 'Doe', Email: 'jane@example.com' },
      PhoneConfig: { PhoneType: 'SOFT_PHONE' },
      Tags: { 'saml-federation:execution': 'exec-0001' },
    });
    expect(created).not.toHaveProperty('Password');
    expect(connectWrites(w.account)).toEqual(['CreateUser']);
    // A second run finds everyone and creates nothing.
    w.account.clearCalls();
    await expect(
      applyConnectUsers(w.doc({ request: { executionName: 'exec-0002' } as ExecutionDocument['request'] }), w.deps()),
    ).resolves.toMatchObject({
      action: 'unchanged',
    });
    expect(connectWrites(w.account)).toEqual([]);
  });

  it('is rolled back by deleting the users it created, and only those', async () => {
    const w = await world({ create: true });
    const before = usersOf(w.account);
    const receipt = await applyConnectUsers(w.doc(), w.deps());
    const report = await revertConnectUsers(w.doc({ receipts: { connectUsers: receipt }, failure }), w.deps());
    expect(report).toMatchObject({ action: 'deleted', changes: ['deleted Connect user "jane@example.com"'] });
    expect(usersOf(w.account)).toEqual(before);
  });

  it("never deletes someone else's user: one a person made under the name the execution meant to create stays", async () => {
    const w = await world({ create: true });
    // The first attempt journals its intent, then fails before creating; meanwhile a person adds the user by hand.
    w.account.faults.inject({ service: 'connect', operation: 'CreateUser', error: 'InternalServiceException' });
    await expect(applyConnectUsers(w.doc(), w.deps())).rejects.toMatchObject({ name: 'InternalServiceException' });
    w.account.addConnectUser(INSTANCE, 'jane@example.com');
    const report = await revertConnectUsers(w.doc({ failure }), w.deps());
    expect(report.changes).toEqual(['Connect user "jane@example.com" was not created by this execution: left alone']);
    expect(usersOf(w.account)).toHaveProperty(['jane@example.com']);
    expect(connectWrites(w.account)).toEqual([]);
  });

  it('after a lost CreateUser answer, the retry counts the user as its own and the rollback (from the journal) deletes it', async () => {
    const w = await world({ create: true });
    w.account.faults.inject({ service: 'connect', operation: 'CreateUser', error: 'InternalServiceException', afterEffect: true });
    await expect(applyConnectUsers(w.doc(), w.deps())).rejects.toMatchObject({ name: 'InternalServiceException' });
    const retried = await applyConnectUsers(w.doc(), w.deps());
    expect(retried.details.created.map((user) => user.username)).toEqual(['jane@example.com']);
    const report = await revertConnectUsers(w.doc({ failure }), w.deps());
    expect(report.action).toBe('deleted');
    expect(usersOf(w.account)).not.toHaveProperty(['jane@example.com']);
  });

  it('refuses, before any change, a person whose user name Amazon Connect would refuse, naming the person and the field', async () => {
    // STS takes a + in a session name; Connect does not.
    const w = await world({ create: true, jane: { userName: 'jane', email: 'jane+connect@example.com', givenName: 'Jane', familyName: 'Doe' } });
    await expect(applyConnectUsers(w.doc(), w.deps())).rejects.toMatchObject({
      name: 'ConnectUsers.InvalidUserName',
      message: expect.stringMatching(/jane \(user "jane"\).*"jane\+connect@example\.com".*\$\{user:email\}.*"\+"/),
    });
    expect(connectWrites(w.account)).toEqual([]);
  });

  it('refuses, before any change, a person whose identity-store record lacks a field Connect requires, naming it', async () => {
    const w = await world({ create: true, jane: { email: 'jane@example.com', givenName: 'Jane' } });
    await expect(applyConnectUsers(w.doc(), w.deps())).rejects.toMatchObject({
      name: 'ConnectUsers.MissingIdentityField',
      message: expect.stringMatching(/jane@example\.com .*has no familyName/),
    });
    expect(connectWrites(w.account)).toEqual([]);
  });

  it('refuses a security or routing profile the instance does not have, listing those it has', async () => {
    const w = await world({ create: true });
    const doc = w.doc();
    doc.profile.connectUsers = { create: { securityProfiles: ['Agents'], routingProfile: 'Basic Routing Profile' } };
    await expect(applyConnectUsers(doc, w.deps())).rejects.toMatchObject({
      name: 'ConnectUsers.ProfileNotFound',
      message: expect.stringMatching(/security profile "Agents".*"Agent"/),
    });
    expect(connectWrites(w.account)).toEqual([]);
  });

  it('plans the users it would create in a dry run, and creates none', async () => {
    const w = await world({ create: true });
    const receipt = await applyConnectUsers(w.doc({ request: { dryRun: true } as ExecutionDocument['request'] }), w.deps());
    expect(receipt).toMatchObject({
      action: 'planned',
      changes: ['would create Connect user "jane@example.com" for jane@example.com (user "jane@example.com")'],
    });
    expect(connectWrites(w.account)).toEqual([]);
  });

  it('refuses two people who would sign in as one Connect user (the same session name in any case), naming both', async () => {
    const w = await world({ create: true, jane: { userName: 'jane', email: 'Admin@Example.com', givenName: 'Jane', familyName: 'Doe' } });
    await expect(applyConnectUsers(w.doc(), w.deps())).rejects.toMatchObject({
      name: 'ConnectUsers.SharedUserName',
      message: expect.stringMatching(/admin@example\.com \(group "Amazon Connect administrators"\) and jane \(user "jane"\)/),
    });
    expect(connectWrites(w.account)).toEqual([]);
    // Checking only, neither is counted as having a user of their own.
    const checked = await world({ jane: { userName: 'jane', email: 'admin@example.com', givenName: 'Jane', familyName: 'Doe' } });
    const receipt = await applyConnectUsers(checked.doc(), checked.deps());
    expect(receipt.details.present).toEqual([]);
    expect(receipt.notices?.join('\n')).toMatch(/would all sign in as the Connect user "admin@example\.com"/);
  });

  it('neither creates a second user nor takes as theirs one whose name differs from the session name only in case', async () => {
    const w = await world({ create: true });
    w.account.addConnectUser(INSTANCE, 'Jane@Example.com');
    const receipt = await applyConnectUsers(w.doc(), w.deps());
    expect(connectWrites(w.account)).toEqual([]);
    expect(receipt.notices?.join('\n')).toMatch(/"jane@example\.com", and Connect has "Jane@Example\.com", which differs only in case/);
  });

  it("says when the Connect user of a person's name holds another person's email", async () => {
    const w = await world();
    w.account.addConnectUser(INSTANCE, 'jane@example.com', 'mallory@example.com');
    const receipt = await applyConnectUsers(w.doc(), w.deps());
    expect(receipt.details.present).toContain('jane@example.com');
    expect(receipt.notices).toContain(
      'Connect user "jane@example.com" has the email mallory@example.com, not jane@example.com (user "jane@example.com")\'s jane@example.com: check that it is theirs',
    );
  });

  it('leaves a user someone re-created under the name since, even with the tag copied: the revert deletes only the id it created', async () => {
    const w = await world({ create: true });
    const receipt = await applyConnectUsers(w.doc(), w.deps());
    const created = usersOf(w.account)['jane@example.com']!;
    const { CreateUserCommand, DeleteUserCommand } = await import('@aws-sdk/client-connect');
    await w.account.seed(async ({ connect }) => {
      const InstanceId = INSTANCE.split('/')[1];
      await connect.send(new DeleteUserCommand({ InstanceId, UserId: created.Id }));
      const { Id: _id, Arn: _arn, PhoneConfig, ...again } = created;
      await connect.send(new CreateUserCommand({ InstanceId, ...again, PhoneConfig: { ...PhoneConfig, PhoneType: 'SOFT_PHONE' } }));
    });
    const report = await revertConnectUsers(w.doc({ receipts: { connectUsers: receipt }, failure }), w.deps());
    expect(report.changes).toEqual([expect.stringMatching(/"jane@example\.com" is not the one this execution created .*: left alone/)]);
    expect(usersOf(w.account)).toHaveProperty(['jane@example.com']);
  });

  it('refuses a one-character session name, which STS refuses as RoleSessionName', async () => {
    const w = await world({ create: true, jane: { userName: 'jane', email: 'j@example.com', givenName: 'J', familyName: 'Doe' } });
    const doc = w.doc();
    doc.profile.attributeMapping.attributes['https://aws.amazon.com/SAML/Attributes/RoleSessionName'] = '${user:givenName}';
    await expect(applyConnectUsers(doc, w.deps())).rejects.toMatchObject({
      name: 'ConnectUsers.InvalidUserName',
      message: expect.stringMatching(/"J".*2 to 64/),
    });
  });
});
