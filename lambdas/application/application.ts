import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { ApplicationNotFoundError } from '../attribute-mapping/errors';
import { applicationArnOf, type LookupScope } from '../attribute-mapping/locate';
import type { ResolvedProfile } from '../shared/profile';

/** The catalog template the pipeline creates applications from. */
export const CONNECT_TEMPLATE_NAME = 'Amazon Connect';

/** `ins-<id>` of instance `arn:...:instance/ssoins-<x>` is application `arn:...:application/ssoins-<x>/apl-<id>`. */
export function applicationArnOfInstance(instanceArn: string, account: string, instanceId: string): string {
  const [, partition = 'aws', , , , resource = ''] = instanceArn.split(':');
  return `arn:${partition}:sso::${account}:application/${resource.split('/')[1] ?? ''}/${instanceId.replace(/^ins-/, 'apl-')}`;
}

/** The profile's application when it exists (by its display name), or undefined. */
export async function existingApplication(ssoAdmin: SSOAdminClient, profile: ResolvedProfile, scope: LookupScope): Promise<string | undefined> {
  try {
    return (await applicationArnOf(ssoAdmin, profile.application, scope)).applicationArn;
  } catch (error) {
    if (error instanceof ApplicationNotFoundError) return undefined;
    throw error;
  }
}

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
