import { DescribeApplicationCommand, type SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { currentAssignments, type Principal, principalKey } from '../identity-center/assignments';
import { translateSsoAdminError } from '../identity-center/errors';
import type { ExecutionDocument } from '../shared/document';
import { ABSENT, type Footprint, PRESENT, setValue } from '../shared/footprint';

/**
 * An application this execution created, as it is now: whether it exists, its display name, and who is assigned to it
 * besides those this execution's assignments step assigned (people someone else assigned since).
 */
export async function readApplicationFootprint(doc: ExecutionDocument, ssoAdmin: SSOAdminClient, applicationArn: string): Promise<Footprint> {
  const name = `application ${applicationArn}`;
  let displayName: string | undefined;
  try {
    displayName = (await ssoAdmin.send(new DescribeApplicationCommand({ ApplicationArn: applicationArn }))).Name;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return { [name]: ABSENT };
    throw translateSsoAdminError(error, `DescribeApplication ${applicationArn}`);
  }
  // Whom this execution's assignments step assigned (its receipt's details), as the assignment keys.
  const added = (doc.receipts?.assignments?.details as { added?: Principal[] } | undefined)?.added ?? [];
  const ours = new Set(added.map(principalKey));
  const others = [...(await currentAssignments(ssoAdmin, applicationArn))].filter((key) => !ours.has(key));
  return { [name]: PRESENT, [`${name}: display name`]: displayName ?? '', [`${name}: assignments made by others`]: setValue(others) };
}

/** What the step leaves: the application it created, under the profile's display name, with no one assigned. */
export function applicationLeaves(applicationArn: string, displayName: string): Footprint {
  const name = `application ${applicationArn}`;
  return { [name]: PRESENT, [`${name}: display name`]: displayName, [`${name}: assignments made by others`]: setValue([]) };
}
