import type { ConnectClient } from '@aws-sdk/client-connect';
import type { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { ResolvedProfile } from '../shared/profile';
import { ROLE_SESSION_NAME_ATTRIBUTE } from '../shared/profile-schema';
import { connectUsersByName, emailOf } from './connect';
import {
  ConnectUsersInvalidUserNameError,
  ConnectUsersMissingIdentityFieldError,
  ConnectUsersSharedUserNameError,
  ConnectUsersUnsupportedSessionNameError,
} from './errors';
import { assignedPeople } from './people';
import { connectUserNameProblem, type Person, SESSION_NAME_ATTRIBUTES, sessionNameFor, unsupportedReferences } from './session-name';

/** Who a person is, for a message: `jane@example.com (group "Amazon Connect agents")`. */
export function who(person: Person): string {
  return `${person.userName} (${person.via})`;
}

/** A person the check could evaluate, and the user name their sign-in needs. */
export interface Wanted {
  person: Person;
  username: string;
}

/**
 * The user name each person's sign-in needs. A person the check cannot name (a field missing, a name Connect would
 * refuse) is refused when the step is to create users (before any change), and otherwise reported as unable to sign in.
 */
function wantedUsers(profileName: string, expression: string, people: readonly Person[], creating: boolean): { wanted: Wanted[]; notices: string[] } {
  const notices: string[] = [];
  const wanted: Wanted[] = [];
  for (const person of people) {
    const evaluated = sessionNameFor(expression, person);
    if ('missing' in evaluated) {
      const message = `${who(person)} has no ${evaluated.missing} in the identity store, so the session name ${expression} is empty`;
      if (creating)
        throw new ConnectUsersMissingIdentityFieldError(`profile ${profileName}: ${message}; set it, or remove the person; nothing was created`);
      notices.push(`${message}: they cannot sign in`);
      continue;
    }
    const problem = connectUserNameProblem(evaluated.name);
    if (problem) {
      const message = `${who(person)}: the user name "${evaluated.name}" (${expression}) ${problem}`;
      if (creating) throw new ConnectUsersInvalidUserNameError(`profile ${profileName}: ${message}; nothing was created`);
      notices.push(`${message}: they cannot sign in`);
      continue;
    }
    wanted.push({ person, username: evaluated.name });
  }
  return { wanted, notices };
}

export const describe = (w: Wanted): { username: string; person: string } => ({ username: w.username, person: who(w.person) });

/** The session-name expression, when the check can evaluate it; otherwise why not (refused when creating). */
function checkableExpression(profile: ResolvedProfile): { expression: string } | { notice: string } {
  const expression = profile.attributeMapping.attributes[ROLE_SESSION_NAME_ATTRIBUTE];
  if (!expression) {
    const message = `the mapping sends no ${ROLE_SESSION_NAME_ATTRIBUTE}: Amazon Connect has no user name to sign anyone in as`;
    if (profile.connectUsers.create)
      throw new ConnectUsersUnsupportedSessionNameError(
        `profile ${profile.name}: ${message}; map it in attributeMapping.attributes; nothing was created`,
      );
    return { notice: message };
  }
  const unsupported = unsupportedReferences(expression);
  if (unsupported.length === 0) return { expression };
  const supported = Object.keys(SESSION_NAME_ATTRIBUTES).map((name) => `\${user:${name}}`);
  const message = `the session name ${expression} uses ${unsupported.join(', ')}, which this check cannot evaluate (it evaluates ${supported.join(', ')})`;
  if (profile.connectUsers.create) throw new ConnectUsersUnsupportedSessionNameError(`profile ${profile.name}: ${message}; nothing was created`);
  return { notice: `${message}: Connect users not checked` };
}

/** What the check found: the people's user names, those Connect has and those it lacks, and what it could not check. */
export interface ConnectUsersFound {
  wanted: Wanted[];
  present: Wanted[];
  absent: Wanted[];
  /** The instance's users by name, with their ids. */
  existing: Map<string, string>;
  notices: string[];
}

/**
 * The Connect users of the people the profile assigns to its application: read only. `creating` turns what a person
 * cannot have (a name Connect would refuse, a missing field, an expression this check cannot evaluate) into a refusal,
 * as the step does before it creates anyone. Returns a notice instead when there is nothing to check.
 */
export async function findConnectUsers(
  profile: ResolvedProfile,
  instanceArn: string,
  applicationArn: string | undefined,
  clients: { ssoAdmin: SSOAdminClient; identityStore: IdentitystoreClient; connect: ConnectClient },
  creating: boolean,
): Promise<ConnectUsersFound | { notice: string }> {
  if (!applicationArn) return { notice: 'the profile assigns no one (application.assignments): no Connect users to check' };
  const checkable = checkableExpression(profile);
  if ('notice' in checkable) return checkable;
  const people = await assignedPeople(clients, profile, applicationArn);
  const evaluated = wantedUsers(profile.name, checkable.expression, people, creating);
  const notices = [...evaluated.notices];
  const wanted = unshared(profile.name, evaluated.wanted, creating, notices);
  const existing = await connectUsersByName(clients.connect, instanceArn);
  // Whether Amazon Connect matches user names case-insensitively is not documented: a user whose name differs from the
  // session name only in case is neither taken as the person's nor doubled by a second one.
  const byLowerCase = new Map([...existing.keys()].map((name) => [name.toLowerCase(), name]));
  const present: Wanted[] = [];
  const absent: Wanted[] = [];
  for (const w of wanted) {
    const near = byLowerCase.get(w.username.toLowerCase());
    if (existing.has(w.username)) present.push(w);
    else if (near === undefined) absent.push(w);
    else
      notices.push(
        `${who(w.person)} signs in as "${w.username}", and Connect has "${near}", which differs only in case: rename one to match exactly (whether Amazon Connect tells them apart is not documented); nothing was created for them`,
      );
  }
  for (const w of present) {
    // A user someone made under this name for another person: their emails disagree.
    const email = await emailOf(clients.connect, instanceArn, existing.get(w.username) ?? '');
    if (email && w.person.email && email.toLowerCase() !== w.person.email.toLowerCase())
      notices.push(`Connect user "${w.username}" has the email ${email}, not ${who(w.person)}'s ${w.person.email}: check that it is theirs`);
  }
  return { wanted, present, absent, existing, notices };
}

/**
 * The people with a session name of their own. Two people whose session names are equal in any case would sign in as
 * one Connect user: refused when creating, otherwise reported and left out.
 */
function unshared(profileName: string, wanted: Wanted[], creating: boolean, notices: string[]): Wanted[] {
  const byName = new Map<string, Wanted[]>();
  for (const w of wanted) byName.set(w.username.toLowerCase(), [...(byName.get(w.username.toLowerCase()) ?? []), w]);
  const shared = [...byName.values()].filter((group) => group.length > 1);
  for (const group of shared) {
    const message = `${group.map((w) => who(w.person)).join(' and ')} would all sign in as the Connect user "${group[0]?.username}" (their session names ${group.map((w) => `"${w.username}"`).join(', ')} are one name)`;
    if (creating)
      throw new ConnectUsersSharedUserNameError(`profile ${profileName}: ${message}; give each a session name of their own; nothing was created`);
    notices.push(`${message}: give each a session name of their own`);
  }
  return wanted.filter((w) => (byName.get(w.username.toLowerCase()) ?? []).length === 1);
}

/** What a person reads of a check that created no one: how many have a user and each one missing; nothing when all do. */
export function missingUserLines(found: ConnectUsersFound): string[] {
  if (found.absent.length === 0 && found.notices.length === 0) return [];
  return [
    `${found.present.length} of ${found.wanted.length} people the profile assigns have a Connect user`,
    ...found.absent.map(
      (w) => `no Connect user "${w.username}" for ${who(w.person)}: add it in Amazon Connect (Users > User management), or set connectUsers.create`,
    ),
    ...found.notices,
  ];
}
