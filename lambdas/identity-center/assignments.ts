import { ListApplicationAssignmentsCommand, type SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { translateSsoAdminError } from './errors';

/*
 * Who is assigned to an IAM Identity Center application (public sso-admin API): what the assignments step changes
 * and the application step's revert checks before it deletes an application.
 */

type PrincipalType = 'GROUP' | 'USER';

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

/** Every principal assigned to the application now, as keys. */
export async function currentAssignments(ssoAdmin: SSOAdminClient, applicationArn: string): Promise<Set<string>> {
  const keys = new Set<string>();
  let nextToken: string | undefined;
  do {
    const page = await listing(applicationArn, () =>
      ssoAdmin.send(new ListApplicationAssignmentsCommand({ ApplicationArn: applicationArn, NextToken: nextToken })),
    );
    for (const assignment of page.ApplicationAssignments ?? []) {
      if (assignment.PrincipalId && assignment.PrincipalType) keys.add(`${assignment.PrincipalType}:${assignment.PrincipalId}`);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return keys;
}

async function listing<T>(applicationArn: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw translateSsoAdminError(error, `ListApplicationAssignments ${applicationArn}`);
  }
}
