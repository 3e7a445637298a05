import { applicationLookupGrants } from '../identity-center/grants';
import { onExecutionDocument, type StepDefinition } from '../runtime/function';
import { type Grants, grants, type PermissionScope, profilesInScope, unique } from '../shared/permissions';
import { applyConnectUsers } from './apply';
import { CREATED_BY_TAG } from './connect';
import { readConnectUsersFootprint } from './footprint';
import { revertConnectUsers } from './revert';

const HANDLER = 'lambdas/connect-users/handler.ts';

/** The Amazon Connect instances of the profiles in scope (in its account), and of those that create users. */
function instancesInScope(scope: PermissionScope, creating = false): string[] {
  return unique(
    profilesInScope(scope)
      .filter((profile) => !creating || profile.connectUsers.create !== undefined)
      .flatMap((profile) => (profile.policy.connectInstanceArn ? [profile.policy.connectInstanceArn] : [])),
  );
}

/** Reading the people the profile assigns (the public sso-admin and identity store reads, in the pipeline's account). */
function readPeople(g: Grants): Grants {
  return applicationLookupGrants(g, ['sso:ListInstances', 'sso:DescribeInstance'], 'People').wildcard(
    'ReadAssignedPeopleInTheIdentityStore',
    ['identitystore:GetGroupId', 'identitystore:GetUserId', 'identitystore:ListGroupMemberships', 'identitystore:DescribeUser'],
    '*',
    "The identity store's id is the Identity Center instance's, read at run time (DescribeInstance), and user ids are what the group listing returns; the grant only reads.",
  );
}

/** Listing and describing the users of the profiles' instances: the instance, and its users (agent/*, ids known at run time). */
function readConnectUsers(g: Grants, scope: PermissionScope, extra: string[] = []): Grants {
  const instances = instancesInScope(scope);
  g.allow('ListProfileInstanceUsers', ['connect:ListUsers'], instances);
  for (const [index, instance] of instances.entries()) {
    g.wildcard(
      `DescribeProfileInstanceUsers${index}`,
      ['connect:DescribeUser', ...extra],
      `${instance}/agent/*`,
      "A Connect user's id is assigned by Amazon Connect and known only from ListUsers; the grant covers the users of the profile's instance only.",
    );
  }
  return g;
}

/** The Connect users of the people a profile assigns: checked always, created with connectUsers.create. */
export const connectUsersStep: StepDefinition<'connectUsers'> = {
  name: 'connectUsers',
  label: 'Connect users',
  comment:
    'Checks that each person the profile assigns has an Amazon Connect user named as the session name the mapping sends; with connectUsers.create, creates the missing ones.',
  readFootprint: (doc, { connect }) => readConnectUsersFootprint(doc, connect),
  apply: {
    key: 'connectUsersApply',
    kind: 'apply',
    targetAccess: 'apply',
    state: 'Check or create Connect users',
    handler: { entry: HANDLER, export: 'apply' },
    description: "Checks the Amazon Connect users of the profile's people, and creates the missing ones with connectUsers.create",
    memorySize: 256,
    timeoutSeconds: 60,
    permissions: (scope) => {
      const g = readConnectUsers(readPeople(grants(scope)), scope);
      const creating = instancesInScope(scope, true);
      g.allow('ListProfileInstanceUserProfiles', ['connect:ListSecurityProfiles', 'connect:ListRoutingProfiles'], creating);
      for (const [index, instance] of creating.entries()) {
        // CreateUser is authorized on the new user and on the security and routing profiles it is given.
        for (const [kind, resource] of [
          ['Users', `${instance}/agent/*`],
          ['SecurityProfiles', `${instance}/security-profile/*`],
          ['RoutingProfiles', `${instance}/routing-profile/*`],
        ] as const) {
          g.wildcard(
            `CreateUsersOnProfileInstance${kind}${index}`,
            ['connect:CreateUser'],
            resource,
            "CreateUser names a user id Amazon Connect assigns and the security and routing profiles connectUsers.create names, resolved to ids at run time; only on the profile's instance, which uses SAML identity management.",
          );
        }
        // Tagging on create needs TagResource: only the pipeline's creation tag, so no other tag (one an access policy
        // reads, say) can be put on any user.
        g.wildcard(
          `TagCreatedUsersOnProfileInstance${index}`,
          ['connect:TagResource'],
          `${instance}/agent/*`,
          "The tag CreateUser puts on the users it creates (ids known only at run time); only the pipeline's creation tag key, on the profile's instance.",
          { 'ForAllValues:StringEquals': { 'aws:TagKeys': [CREATED_BY_TAG] } },
        );
      }
      return g.records('JournalOfThisExecution', ['journal']).result();
    },
    run: onExecutionDocument(applyConnectUsers),
  },
  revert: {
    key: 'connectUsersRevert',
    kind: 'revert',
    targetAccess: 'revert',
    state: 'Revert Connect users',
    handler: { entry: HANDLER, export: 'revert' },
    description: 'Deletes the Amazon Connect users this execution created, and only those',
    memorySize: 256,
    timeoutSeconds: 60,
    permissions: (scope) => {
      const g = readConnectUsers(grants(scope), scope);
      for (const [index, instance] of instancesInScope(scope, true).entries()) {
        g.wildcard(
          `DeleteUsersThePipelineCreated${index}`,
          ['connect:DeleteUser'],
          `${instance}/agent/*`,
          "The users this execution created have ids known only at run time; the grant holds only for users carrying the pipeline's creation tag (aws:ResourceTag), on the profile's instance.",
          { Null: { [`aws:ResourceTag/${CREATED_BY_TAG}`]: 'false' } },
        );
      }
      return g.records('JournalOfThisExecution', ['journal']).result();
    },
    run: onExecutionDocument(revertConnectUsers),
  },
};
