import {
  type ConnectClient,
  DescribeUserCommand,
  ListRoutingProfilesCommand,
  ListSecurityProfilesCommand,
  ListUsersCommand,
} from '@aws-sdk/client-connect';
import { TAG_KEYS } from '../shared/tags';
import { ConnectUsersProfileNotFoundError } from './errors';

/** The tag every Connect user the pipeline creates carries: the execution that created it. A revert deletes only those. */
export const CREATED_BY_TAG = TAG_KEYS.execution;

/** `arn:aws:connect:<region>:<account>:instance/<id>` → its id, which the Connect API takes as InstanceId. */
export function instanceIdOf(instanceArn: string): string {
  return instanceArn.split('/')[1] ?? '';
}

/** Every user of the instance by user name (ListUsers, every page). */
export async function connectUsersByName(connect: ConnectClient, instanceArn: string): Promise<Map<string, string>> {
  const users = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await connect.send(new ListUsersCommand({ InstanceId: instanceIdOf(instanceArn), NextToken: token, MaxResults: 1000 }));
    for (const user of page.UserSummaryList ?? []) if (user.Username && user.Id) users.set(user.Username, user.Id);
    token = page.NextToken;
  } while (token);
  return users;
}

/** A user as Amazon Connect describes it (DescribeUser). */
async function describeUser(connect: ConnectClient, instanceArn: string, userId: string) {
  return (await connect.send(new DescribeUserCommand({ InstanceId: instanceIdOf(instanceArn), UserId: userId }))).User;
}

/** The email Amazon Connect holds for a user, if any. */
export async function emailOf(connect: ConnectClient, instanceArn: string, userId: string): Promise<string | undefined> {
  return (await describeUser(connect, instanceArn, userId))?.IdentityInfo?.Email;
}

/** Whether the user was created by this execution: its tag says so. */
export async function createdBy(connect: ConnectClient, instanceArn: string, userId: string, executionName: string): Promise<boolean> {
  return (await describeUser(connect, instanceArn, userId))?.Tags?.[CREATED_BY_TAG] === executionName;
}

/** Name → id of every entry a paged Connect list returns. */
async function idsByName(list: (token: string | undefined) => Promise<{ entries?: Array<{ Name?: string; Id?: string }>; next?: string }>) {
  const ids = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await list(token);
    for (const entry of page.entries ?? []) if (entry.Name && entry.Id) ids.set(entry.Name, entry.Id);
    token = page.next;
  } while (token);
  return ids;
}

/** The ids of the security profiles and routing profile `connectUsers.create` names; a name the instance lacks is refused. */
export async function resolveUserProfiles(
  connect: ConnectClient,
  instanceArn: string,
  profileName: string,
  wanted: { securityProfiles: readonly string[]; routingProfile: string },
): Promise<{ securityProfileIds: string[]; routingProfileId: string }> {
  const input = (NextToken: string | undefined) => ({ InstanceId: instanceIdOf(instanceArn), NextToken, MaxResults: 1000 });
  const security = await idsByName(async (token) => {
    const page = await connect.send(new ListSecurityProfilesCommand(input(token)));
    return { entries: page.SecurityProfileSummaryList, next: page.NextToken };
  });
  const routing = await idsByName(async (token) => {
    const page = await connect.send(new ListRoutingProfilesCommand(input(token)));
    return { entries: page.RoutingProfileSummaryList, next: page.NextToken };
  });
  const unknown = [
    ...wanted.securityProfiles.filter((name) => !security.has(name)).map((name) => `security profile "${name}"`),
    ...(routing.has(wanted.routingProfile) ? [] : [`routing profile "${wanted.routingProfile}"`]),
  ];
  if (unknown.length > 0) {
    throw new ConnectUsersProfileNotFoundError(
      `profile ${profileName}: connectUsers.create names ${unknown.join(' and ')}, which Amazon Connect instance ${instanceArn} does not have ` +
        `(it has security profiles ${[...security.keys()].map((n) => `"${n}"`).join(', ') || 'none'}; routing profiles ${[...routing.keys()].map((n) => `"${n}"`).join(', ') || 'none'}). Nothing was created`,
    );
  }
  return {
    securityProfileIds: wanted.securityProfiles.map((name) => security.get(name) ?? ''),
    routingProfileId: routing.get(wanted.routingProfile) ?? '',
  };
}
