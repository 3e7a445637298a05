import type { ConnectClient } from '@aws-sdk/client-connect';
import type { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { ResolvedProfile } from '../shared/profile';
import { ROLE_SESSION_NAME_ATTRIBUTE } from '../shared/profile-schema';
import { connectUsersByName } from './connect';
import { ConnectUsersInvalidUserNameError, ConnectUsersMissingIdentityFieldError, ConnectUsersUnsupportedSessionNameError } from './errors';
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
  if (!expression) return { notice: `the mapping sends no ${ROLE_SESSION_NAME_ATTRIBUTE}: Amazon Connect has no user name to sign anyone in as` };
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
  const { wanted, notices } = wantedUsers(profile.name, checkable.expression, people, creating);
  const existing = await connectUsersByName(clients.connect, instanceArn);
  return {
    wanted,
    present: wanted.filter((w) => existing.has(w.username)),
    absent: wanted.filter((w) => !existing.has(w.username)),
    existing,
    notices,
  };
}

/** What a person reads of a check that created no one: how many have a user, and each one missing. */
export function missingUserLines(found: ConnectUsersFound): string[] {
  return [
    `${found.present.length} of ${found.wanted.length} people the profile assigns have a Connect user`,
    ...found.absent.map(
      (w) => `no Connect user "${w.username}" for ${who(w.person)}: add it in Amazon Connect (Users > User management), or set connectUsers.create`,
    ),
    ...found.notices,
  ];
}
