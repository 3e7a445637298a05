import type { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { GetGroupIdCommand, GetUserIdCommand } from '@aws-sdk/client-identitystore';
import { DescribeInstanceCommand, type SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { type Principal, principalKey } from '../identity-center/assignments';
import { translateSsoAdminError } from '../identity-center/errors';
import type { ResolvedProfile } from '../shared/profile';
import { AssignmentPrincipalNotFoundError } from './errors';

export function describePrincipal(principal: Pick<Principal, 'principalType' | 'name'>): string {
  return `${principal.principalType === 'GROUP' ? 'group' : 'user'} "${principal.name}"`;
}

/** The profile's wanted assignments by name, groups first. */
export function wantedNames(profile: ResolvedProfile): Array<Pick<Principal, 'principalType' | 'name'>> {
  const { groups, users } = profile.application.assignments;
  return [...groups.map((name) => ({ principalType: 'GROUP' as const, name })), ...users.map((name) => ({ principalType: 'USER' as const, name }))];
}

/** `arn:aws:sso::<account>:application/ssoins-<id>/apl-<id>` belongs to `arn:aws:sso:::instance/ssoins-<id>`. */
function instanceArnOfApplication(applicationArn: string): string {
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

/** The identity store of the application's IAM Identity Center instance (DescribeInstance). */
export async function identityStoreOf(ssoAdmin: SSOAdminClient, applicationArn: string): Promise<{ instanceArn: string; identityStoreId: string }> {
  const instanceArn = instanceArnOfApplication(applicationArn);
  const instance = await sso(`DescribeInstance ${instanceArn}`, () => ssoAdmin.send(new DescribeInstanceCommand({ InstanceArn: instanceArn })));
  const identityStoreId = instance.IdentityStoreId;
  if (!identityStoreId) throw new Error(`DescribeInstance ${instanceArn} answered without an IdentityStoreId`);
  return { instanceArn, identityStoreId };
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
  const { instanceArn, identityStoreId } = await identityStoreOf(clients.ssoAdmin, applicationArn);
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
