import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { currentAssignments, type Principal, principalKey } from '../identity-center/assignments';
import { type Footprint, PRESENT } from '../shared/footprint';

/** One assignment as a footprint field: `application <arn>: assignment of GROUP <id>`. */
function assignmentKey(applicationArn: string, principal: Pick<Principal, 'principalType' | 'principalId'>): string {
  return `application ${applicationArn}: assignment of ${principalKey(principal).replace(':', ' ')}`;
}

/** Who is assigned to the application now, one field each (whoever is not assigned has no field). */
export async function readAssignmentsFootprint(ssoAdmin: SSOAdminClient, applicationArn: string): Promise<Footprint> {
  return assignmentsFootprintOf(applicationArn, await currentAssignments(ssoAdmin, applicationArn));
}

/** The footprint of these assignments (`GROUP:<id>` keys, as currentAssignments lists them). */
export function assignmentsFootprintOf(applicationArn: string, assigned: Iterable<string>): Footprint {
  return Object.fromEntries(
    [...assigned].map((key) => {
      const [principalType = '', principalId = ''] = key.split(':');
      return [assignmentKey(applicationArn, { principalType: principalType as Principal['principalType'], principalId }), PRESENT];
    }),
  );
}

/** What the step leaves: the assignments it found, and each one it makes. */
export function assignmentsLeave(before: Footprint, applicationArn: string, adding: readonly Principal[]): Footprint {
  return { ...before, ...Object.fromEntries(adding.map((principal) => [assignmentKey(applicationArn, principal), PRESENT])) };
}
