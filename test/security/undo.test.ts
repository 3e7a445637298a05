/**
 * Property 6: undo refuses whatever changed since. `undo <execution>` runs a past execution's reverts; anything the
 * execution left that a person (with the console, as their IAM allows) or a later execution has changed since would
 * be undone with it. Every resource the execution left is compared with what is there now, and any difference is a
 * refusal that names it and changes nothing.
 */
import { AttachRolePolicyCommand, PutRolePolicyCommand, TagRoleCommand, TagSAMLProviderCommand } from '@aws-sdk/client-iam';
import { CreateApplicationAssignmentCommand, DeleteApplicationAssignmentCommand } from '@aws-sdk/client-sso-admin';
import type { FederationConfig } from '../../lambdas/shared/profile';
import { undoExecution } from '../../local/undo';
import type { SimulatedAccount, SimulatedClients } from '../../simulated-account';
import { admin, config, creatingConfig, execute, READ_ONLY, resources, startingAccount, undoDeps } from '../local/workflow-harness';

const ROLE = admin.role.name;
const PROVIDER = `arn:aws:iam::111122223333:saml-provider/${admin.identityProvider.name}`;
const CREATED_APPLICATION = 'Amazon Connect - Admin (created)';
const APP = admin.application.arn!;
const INSTANCE = `ins-${APP.split('/apl-')[1]}`;

function createdApplication(account: SimulatedAccount): string {
  const found = Object.entries(account.snapshot().ssoAdmin.applications).find(([, app]) => app.name === CREATED_APPLICATION);
  if (!found) throw new Error('no created application');
  return found[0];
}

/** A change someone made after the execution, what undo must name, and whether the profile creates its application. */
interface LaterChange {
  what: string;
  creates?: boolean;
  change(account: SimulatedAccount, clients: SimulatedClients): Promise<unknown>;
  named: RegExp;
}

const LATER_CHANGES: LaterChange[] = [
  {
    what: 'a person attached a policy of their own to the role',
    change: (_account, { iam }) => iam.send(new AttachRolePolicyCommand({ RoleName: ROLE, PolicyArn: READ_ONLY })),
    named: /ReadOnlyAccess/,
  },
  {
    what: 'a person put an inline policy on the role',
    change: (_account, { iam }) =>
      iam.send(
        new PutRolePolicyCommand({
          RoleName: ROLE,
          PolicyName: 'Extra',
          PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }] }),
        }),
      ),
    named: /inline polic/,
  },
  {
    what: 'a person tagged the role',
    change: (_account, { iam }) => iam.send(new TagRoleCommand({ RoleName: ROLE, Tags: [{ Key: 'owner', Value: 'team-a' }] })),
    named: /tags/,
  },
  {
    what: 'a person tagged the provider',
    change: (_account, { iam }) => iam.send(new TagSAMLProviderCommand({ SAMLProviderArn: PROVIDER, Tags: [{ Key: 'owner', Value: 'team-a' }] })),
    named: /tags/,
  },
  {
    what: 'a person assigned someone to the application the execution created',
    creates: true,
    change: async (account, { ssoAdmin }) =>
      ssoAdmin.send(
        new CreateApplicationAssignmentCommand({
          ApplicationArn: createdApplication(account),
          PrincipalId: account.addIdentityStoreUser('someone@example.com'),
          PrincipalType: 'USER',
        }),
      ),
    named: /someone|assign/,
  },
  {
    what: 'a person removed an assignment the execution made',
    change: async (account, { ssoAdmin }) => {
      const [assigned] = account.snapshot().ssoAdmin.applications[admin.application.arn!]!.assignments ?? [];
      const [type, id] = (assigned ?? '').split(':');
      return ssoAdmin.send(
        new DeleteApplicationAssignmentCommand({ ApplicationArn: admin.application.arn!, PrincipalId: id, PrincipalType: type as 'GROUP' }),
      );
    },
    named: /assign/,
  },
];

describe('undo, after a change made since the execution', () => {
  it.each(LATER_CHANGES)('refuses, changing nothing, after $what', async ({ creates, change, named }) => {
    const account = await startingAccount('empty account');
    const configuration = creates ? creatingConfig : undefined;
    const done = await execute(account, { fromApplication: true, ...(creates ? { createApplication: true } : {}) });
    expect(done.status).toBe('SUCCEEDED');
    await account.seed((clients) => change(account, clients));
    const between = resources(account);
    account.clearCalls();

    const result = await undoExecution(done.output!, undoDeps(account, configuration));

    expect(result.action).toBe('refused');
    expect(result.changedSince.join('\n')).toMatch(named);
    expect(resources(account)).toEqual(between);
    expect(account.mutatingCalls({ service: ['iam', 'swb', 'sso-admin'] })).toEqual([]);
  });
});

describe('undo, over a mapping the console API does not return', () => {
  it('refuses, changing nothing, over a mapping the console API does not return (a person may have changed it since)', async () => {
    const account = await startingAccount('mapping exists', { swbReturnsConfiguration: false });
    const overwriting: FederationConfig = {
      ...config,
      profiles: { ...config.profiles, admin: { ...admin, attributeMapping: { ...admin.attributeMapping, onUnreadable: 'overwrite' } } },
    };
    const done = await execute(account, { fromApplication: true, config: overwriting });
    expect(done.status).toBe('SUCCEEDED');

    // A person sets the mapping in the console afterwards (their own attributes, their own subject).
    const byHand = {
      responseConfig: {
        subject: { source: ['${user:email}'] },
        properties: { 'https://example.com/team': { source: ['${user:groups}'] } },
        ttl: 'PT1H',
      },
      responseSchemaConfig: {
        subject: { include: 'REQUIRED', nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress' },
        properties: { 'https://example.com/team': { attrNameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified', include: 'YES' } },
      },
    };
    account.setApplicationConfiguration(APP, byHand as never);

    const result = await undoExecution(done.output!, undoDeps(account, overwriting));

    expect(result.action).toBe('refused');
    expect(account.snapshot().swb[INSTANCE]?.responseConfig).toEqual(byHand.responseConfig);
  });
});
