import { randomBytes } from 'node:crypto';
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { existingApplication, type LookupScope } from '../identity-center/locate';
import type { ResolvedProfile } from '../shared/profile';

/** The catalog template the pipeline creates applications from. */
export const CONNECT_TEMPLATE_NAME = 'Amazon Connect';

/**
 * The name an application is created under before it gets its display name, journalled before the creation: a retry
 * after a lost answer, or a revert working from the journal, finds this execution's application by it. It ends in a
 * random token, since an execution's name can be chosen or guessed and anyone who may create applications could
 * otherwise create one of that name first, for the retry to claim.
 */
export function creationName(displayName: string, executionName: string): string {
  const token = randomBytes(8).toString('hex');
  return `${displayName.slice(0, 160)} [creating: ${executionName} ${token}]`.slice(0, 255);
}

/** The application created under the journalled creation name, if any. */
export async function createdUnderCreationName(
  ssoAdmin: SSOAdminClient,
  profile: ResolvedProfile,
  creationName: string,
  scope: LookupScope,
): Promise<string | undefined> {
  const named = { ...profile, application: { ...profile.application, displayName: creationName } };
  return existingApplication(ssoAdmin, named, scope);
}
