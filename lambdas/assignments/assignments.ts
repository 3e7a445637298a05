import type { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { GetGroupIdCommand, GetUserIdCommand } from '@aws-sdk/client-identitystore';
import { DescribeInstanceCommand, ListApplicationAssignmentsCommand, type SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { translateSsoAdminError } from '../attribute-mapping/errors';
import type { ResolvedProfile } from '../shared/profile';
import { AssignmentPrincipalNotFoundError } from './errors';

export type PrincipalType = 'GROUP' | 'USER';

/** One person or group the profile assigns to its application, resolved to its identity store id. */
export interface Principal {
  principalType: PrincipalType;
  /** The group's display name or the user's user name, as the profile gives it. */
  name: string;
  principalId: string;
}

/** How an assignment is compared and recorded: `GROUP:<id>`. */
export function principalKey(principal: Pick<Principal, 'principalType' | 'principalId'>): string {
  return `${principal.principalType}:${principal.principalId}`;
}

export function describePrincipal(principal: Pick<Principal, 'principalType' | 'name'>): string {
  return `${principal.principalType === 'GROUP' ? 'group' : 'user'} "${principal.name}"`;
}

/** The profile's wanted assignments by name, groups first. */
export function wantedNames(profile: ResolvedProfile): Array<Pick<Principal, 'principalType' | 'name'>> {
  const { groups, users } = profile.application.assignments;
  return [...groups.map((name) => ({ principalType: 'GROUP' as const, name })), ...users.map((name) => ({ principalType: 'USER' as const, name }))];
}

/** `arn:aws:sso::<account>:application/ssoins-<id>/apl-<id>` belongs to `arn:aws:sso:::instance/ssoins-<id>`. */
export function instanceArnOfApplication(applicationArn: string): string {
  const [, partition = 'aws', , , , resource = ''] = applicationArn.split(':');
  const instanceId = resource.split('/')[1] ?? '';
  return `arn:${partition}:sso:::instance/${instanceId}`;
}

async function sso<T>(what: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw translateSsoAdminError(error, what);
  }
}

/**
 * Resolves the profile's group and user names in the identity store of the application's instance (GetGroupId by
 * displayName, GetUserId by userName: the unique attributes AWS documents). A name that is not there fails
 * Assignments.PrincipalNotFound, naming the profile's field.
 */
export async function resolvePrincipals(
  clients: { ssoAdmin: SSOAdminClient; identityStore: IdentitystoreClient },
  profile: ResolvedProfile,
  applicationArn: string,
): Promise<Principal[]> {
  const wanted = wantedNames(profile);
  if (wanted.length === 0) return [];
  const instanceArn = instanceArnOfApplication(applicationArn);
  const instance = await sso(`DescribeInstance ${instanceArn}`, () =>
    clients.ssoAdmin.send(new DescribeInstanceCommand({ InstanceArn: instanceArn })),
  );
  const identityStoreId = instance.IdentityStoreId;
  if (!identityStoreId) throw new Error(`DescribeInstance ${instanceArn} answered without an IdentityStoreId`);
  const resolved: Principal[] = [];
  for (const principal of wanted) {
    const unique = { AttributePath: principal.principalType === 'GROUP' ? 'displayName' : 'userName', AttributeValue: principal.name };
    try {
      const id =
        principal.principalType === 'GROUP'
          ? (
              await clients.identityStore.send(
                new GetGroupIdCommand({ IdentityStoreId: identityStoreId, AlternateIdentifier: { UniqueAttribute: unique } }),
              )
            ).GroupId
          : (
              await clients.identityStore.send(
                new GetUserIdCommand({ IdentityStoreId: identityStoreId, AlternateIdentifier: { UniqueAttribute: unique } }),
              )
            ).UserId;
      if (!id) throw new Error(`the identity store answered without an id for ${describePrincipal(principal)}`);
      resolved.push({ ...principal, principalId: id });
    } catch (error) {
      if ((error as Error).name !== 'ResourceNotFoundException') throw translateSsoAdminError(error, `resolve ${describePrincipal(principal)}`);
      const field = principal.principalType === 'GROUP' ? 'groups' : 'users';
      throw new AssignmentPrincipalNotFoundError(
        `profile ${profile.name}: application.assignments.${field} names ${describePrincipal(principal)}, which identity store ${identityStoreId} of ${instanceArn} does not hold (${principal.principalType === 'GROUP' ? 'display name' : 'user name'}, exact and case-sensitive); fix the name or create the ${principal.principalType === 'GROUP' ? 'group' : 'user'} first`,
        { cause: error },
      );
    }
  }
  // One assignment per principal, however often the profile names it.
  return [...new Map(resolved.map((principal) => [principalKey(principal), principal])).values()];
}

/** Every principal assigned to the application now, as keys. */
export async function currentAssignments(ssoAdmin: SSOAdminClient, applicationArn: string): Promise<Set<string>> {
  const keys = new Set<string>();
  let nextToken: string | undefined;
  do {
    const page = await sso(`ListApplicationAssignments ${applicationArn}`, () =>
      ssoAdmin.send(new ListApplicationAssignmentsCommand({ ApplicationArn: applicationArn, NextToken: nextToken })),
    );
    for (const assignment of page.ApplicationAssignments ?? []) {
      if (assignment.PrincipalId && assignment.PrincipalType) keys.add(`${assignment.PrincipalType}:${assignment.PrincipalId}`);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return keys;
}
