import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { existingApplication, type LookupScope } from '../identity-center/locate';
import type { ResolvedProfile } from '../shared/profile';

/** The catalog template the pipeline creates applications from. */
export const CONNECT_TEMPLATE_NAME = 'Amazon Connect';

/**
 * The name an application is created under before it gets its display name: unique to the execution, so that a
 * retry after a lost answer, or a revert working from the journal, finds this execution's application and never one
 * someone else created with the profile's display name meanwhile.
 */
export function creationName(displayName: string, executionName: string): string {
  return `${displayName} [creating: ${executionName}]`.slice(0, 255);
}

/** The application created under the execution's creation name, if any. */
export async function createdUnderCreationName(
  ssoAdmin: SSOAdminClient,
  profile: ResolvedProfile,
  executionName: string,
  scope: LookupScope,
): Promise<string | undefined> {
  const create = profile.application.create;
  if (!create) return undefined;
  const named = { ...profile, application: { ...profile.application, displayName: creationName(create.displayName, executionName) } };
  return existingApplication(ssoAdmin, named, scope);
}
