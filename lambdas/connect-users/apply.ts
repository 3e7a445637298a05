import { CreateUserCommand } from '@aws-sdk/client-connect';
import { wantedNames } from '../assignments/assignments';
import { applicationArnOf } from '../identity-center/locate';
import type { StepDeps } from '../runtime/function';
import type { ExecutionDocument, Receipt } from '../shared/document';
import { ABSENT } from '../shared/footprint';
import { readJournal, writeJournal } from '../shared/journal';
import { logger } from '../shared/logger';
import { describe, findConnectUsers, missingUserLines, type Wanted, who } from './check';
import { CREATED_BY_TAG, connectUsersByName, createdBy, instanceIdOf, resolveUserProfiles } from './connect';
import { ConnectUsersMissingIdentityFieldError } from './errors';

export const STEP = 'connectUsers' as const;

/** A person and the Connect user name their sign-in needs. */
interface WantedUser {
  username: string;
  /** The person's identity-store user name, and how the profile assigns them. */
  person: string;
}

/** The receipt's and the journal's `details`. */
export interface ConnectUsersDetails {
  instanceArn?: string;
  /** Connect users present for the profile's people (user names). */
  present: string[];
  /** People without a Connect user, left so (no connectUsers.create). */
  missing: WantedUser[];
  /** Users this execution created (receipt), with their ids. */
  created: Array<WantedUser & { userId: string }>;
  /** Users this execution set out to create (journal, before the first CreateUser). */
  creating?: string[];
}

export type ConnectUsersReceipt = Receipt & { step: typeof STEP; details: ConnectUsersDetails };

/** A footprint field per user the step creates: absent before, its id after. */
export function connectUserKey(instanceArn: string, username: string): string {
  return `Connect instance ${instanceIdOf(instanceArn)}: user ${username}`;
}

/**
 * The Connect users of the profile's people. For each person the profile assigns (its users and its groups' members),
 * the session name the mapping sends must be a Connect user of that name; the step reports those missing (receipt,
 * notification, status) and, with `connectUsers.create`, creates them as a SAML instance requires (no password; first
 * name, last name and email from the identity store; a soft phone), tagged with the execution's name. Every refusal
 * (an unsupported expression, a name Connect would refuse, a missing identity field, an unknown security or routing
 * profile) comes before the first change.
 */
export async function applyConnectUsers(doc: ExecutionDocument, deps: StepDeps): Promise<ConnectUsersReceipt> {
  const { profile, request } = doc;
  const instanceArn = profile.policy.connectInstanceArn;
  const receipt = (details: Partial<ConnectUsersDetails>, notices: string[], changes: string[] = []): ConnectUsersReceipt => ({
    step: STEP,
    action: request.dryRun ? 'planned' : (details.created?.length ?? 0) > 0 ? 'created' : 'unchanged',
    arn: instanceArn ?? '',
    changes,
    details: { present: [], missing: [], created: [], ...details },
    ...(notices.length > 0 ? { notices } : {}),
  });
  if (!instanceArn) return receipt({}, ['no Amazon Connect instance (policy.connectInstanceArn): Connect users not checked']);
  // The profile's application (the application step has found or created it): the people are those it assigns.
  const applicationArn =
    wantedNames(profile).length === 0
      ? undefined
      : (await applicationArnOf(deps.ssoAdmin, profile.application, { account: request.account, region: request.region, profile: profile.name }))
          .applicationArn;
  const found = await findConnectUsers(profile, instanceArn, applicationArn, deps, profile.connectUsers.create !== undefined);
  if ('notice' in found) return receipt({ instanceArn }, [found.notice]);
  const { present, absent, existing, notices } = found;
  if (!profile.connectUsers.create) {
    return receipt({ instanceArn, present: present.map((w) => w.username), missing: absent.map(describe) }, missingUserLines(found));
  }
  const ids = await creatable(deps, instanceArn, profile, absent);
  if (request.dryRun) {
    const planned = absent.map((w) => `would create Connect user "${w.username}" for ${who(w.person)}`);
    return receipt({ instanceArn, present: present.map((w) => w.username) }, notices, planned);
  }
  const { created, alreadyThere } = await createUsers(doc, deps, instanceArn, { present, absent, existing, ids });
  const before = Object.fromEntries(created.map((c) => [connectUserKey(instanceArn, c.username), ABSENT]));
  const left = Object.fromEntries(created.map((c) => [connectUserKey(instanceArn, c.username), c.userId]));
  return {
    ...receipt(
      { instanceArn, present: alreadyThere, created },
      notices,
      created.map((c) => `created Connect user "${c.username}" for ${c.person}`),
    ),
    ...(created.length > 0 ? { footprint: { before, left } } : {}),
  };
}

/** Every field CreateUser requires on a SAML instance, for every person to create, and the profiles' ids: before any change. */
async function creatable(deps: StepDeps, instanceArn: string, profile: ExecutionDocument['profile'], absent: readonly Wanted[]) {
  for (const { person } of absent) {
    const lacking = (['givenName', 'familyName', 'email'] as const).filter((field) => !person[field]);
    if (lacking.length > 0) {
      throw new ConnectUsersMissingIdentityFieldError(
        `profile ${profile.name}: ${who(person)} has no ${lacking.join(', ')} in the identity store, which Amazon Connect requires to create a user (IdentityInfo FirstName, LastName, Email); set it, or remove the person; nothing was created`,
      );
    }
  }
  return resolveUserProfiles(deps.connect, instanceArn, profile.name, profile.connectUsers.create ?? { securityProfiles: [], routingProfile: '' });
}

/**
 * Creates the missing users, journalled first. A retry of this execution finds users its earlier attempt created:
 * theirs by the tag, so they are counted as created (for the receipt and the revert).
 */
async function createUsers(
  doc: ExecutionDocument,
  deps: StepDeps,
  instanceArn: string,
  found: { present: Wanted[]; absent: Wanted[]; existing: Map<string, string>; ids: { securityProfileIds: string[]; routingProfileId: string } },
): Promise<{ created: ConnectUsersDetails['created']; alreadyThere: string[] }> {
  const { request } = doc;
  const journal = await readJournal(deps.records, request, STEP);
  const earlier = new Set((journal?.details as ConnectUsersDetails | undefined)?.creating ?? []);
  const created: ConnectUsersDetails['created'] = [];
  const alreadyThere: string[] = [];
  for (const w of found.present) {
    const id = found.existing.get(w.username) ?? '';
    if (earlier.has(w.username) && (await createdBy(deps.connect, instanceArn, id, request.executionName)))
      created.push({ ...describe(w), userId: id });
    else alreadyThere.push(w.username);
  }
  const names = found.absent.map((w) => w.username);
  if (names.length > 0) {
    const intent = names.map((name) => `create Connect user "${name}"`);
    await writeJournal(deps.records, request, { step: STEP, intent, details: { instanceArn, creating: names } }, deps.now);
  }
  for (const w of found.absent) {
    const userId = await createUser(deps, instanceArn, w, found.ids, request.executionName);
    if (userId === undefined) {
      alreadyThere.push(w.username);
      continue;
    }
    created.push({ ...describe(w), userId });
    // Recorded at once: the revert deletes this id, never another user that takes the name later.
    await writeJournal(
      deps.records,
      request,
      { step: STEP, intent: [], details: { instanceArn, created: [{ username: w.username, userId }] } },
      deps.now,
    );
  }
  logger.info('Connect users created', { instanceArn, created: created.map((c) => c.username) });
  return { created, alreadyThere };
}

/**
 * CreateUser for one person; the new user's id, or undefined when a user of that name appeared meanwhile that this
 * execution did not create (someone else's: never counted as this execution's). A user of that name carrying this
 * execution's tag is its own (an earlier attempt's answer was lost).
 */
async function createUser(
  deps: StepDeps,
  instanceArn: string,
  w: Wanted,
  ids: { securityProfileIds: string[]; routingProfileId: string },
  executionName: string,
): Promise<string | undefined> {
  try {
    const answer = await deps.connect.send(
      new CreateUserCommand({
        InstanceId: instanceIdOf(instanceArn),
        Username: w.username,
        // A SAML instance takes no password; these three it requires (CreateUser's reference).
        IdentityInfo: { FirstName: w.person.givenName, LastName: w.person.familyName, Email: w.person.email },
        // A soft phone: the one setting that needs no phone number (a desk phone needs one).
        PhoneConfig: { PhoneType: 'SOFT_PHONE', AutoAccept: false, AfterContactWorkTimeLimit: 0 },
        SecurityProfileIds: ids.securityProfileIds,
        RoutingProfileId: ids.routingProfileId,
        Tags: { [CREATED_BY_TAG]: executionName },
      }),
    );
    return answer.UserId ?? '';
  } catch (error) {
    if ((error as Error).name !== 'DuplicateResourceException') throw error;
    const userId = (await connectUsersByName(deps.connect, instanceArn)).get(w.username);
    if (userId && (await createdBy(deps.connect, instanceArn, userId, executionName))) return userId;
    return undefined;
  }
}
