import { DescribeUserCommand, type IdentitystoreClient, ListGroupMembershipsCommand } from '@aws-sdk/client-identitystore';
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { describePrincipal, identityStoreOf, resolvePrincipals } from '../assignments/assignments';
import { translateSsoAdminError } from '../identity-center/errors';
import type { ResolvedProfile } from '../shared/profile';
import type { Person } from './session-name';

type Clients = { ssoAdmin: SSOAdminClient; identityStore: IdentitystoreClient };

async function identityStore<T>(what: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw translateSsoAdminError(error, what);
  }
}

/** The user ids of a group's members (ListGroupMemberships, every page). */
async function membersOf(identityStoreId: string, groupId: string, client: IdentitystoreClient): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await identityStore(`ListGroupMemberships ${groupId}`, () =>
      client.send(new ListGroupMembershipsCommand({ IdentityStoreId: identityStoreId, GroupId: groupId, NextToken: token })),
    );
    for (const membership of page.GroupMemberships ?? []) if (membership.MemberId?.UserId) ids.push(membership.MemberId.UserId);
    token = page.NextToken;
  } while (token);
  return ids;
}

/**
 * Everyone the profile assigns to its application: its users, and the members of its groups (direct members: IAM
 * Identity Center groups do not nest), each described from the identity store once, in the profile's order.
 */
export async function assignedPeople(clients: Clients, profile: ResolvedProfile, applicationArn: string): Promise<Person[]> {
  const principals = await resolvePrincipals(clients, profile, applicationArn);
  if (principals.length === 0) return [];
  const { identityStoreId } = await identityStoreOf(clients.ssoAdmin, applicationArn);
  const via = new Map<string, string>();
  for (const principal of principals) {
    const userIds =
      principal.principalType === 'USER' ? [principal.principalId] : await membersOf(identityStoreId, principal.principalId, clients.identityStore);
    for (const userId of userIds) if (!via.has(userId)) via.set(userId, describePrincipal(principal));
  }
  const people: Person[] = [];
  for (const [userId, how] of via) {
    const user = await identityStore(`DescribeUser ${userId}`, () =>
      clients.identityStore.send(new DescribeUserCommand({ IdentityStoreId: identityStoreId, UserId: userId })),
    );
    const emails = user.Emails ?? [];
    const email = (emails.find((candidate) => candidate.Primary) ?? emails[0])?.Value;
    people.push({
      userId,
      userName: user.UserName ?? userId,
      ...(user.Name?.GivenName ? { givenName: user.Name.GivenName } : {}),
      ...(user.Name?.FamilyName ? { familyName: user.Name.FamilyName } : {}),
      ...(email ? { email } : {}),
      via: how,
    });
  }
  return people;
}
