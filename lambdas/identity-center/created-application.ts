import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { ExecutionRequest } from '../shared/document';
import type { ResolvedProfile } from '../shared/profile';
import type { RecordKey, RecordStore } from '../shared/records';
import { ApplicationNotRecordedError } from './errors';
import { existingApplication, type LookupScope } from './locate';

/**
 * A display name is not an identity: anyone who may create an application in IAM Identity Center can give theirs the
 * name a profile's application.create asks for, before the pipeline's first run or after an undo deleted the
 * pipeline's own. So the pipeline records the ARN of the application it created, in its record table (only its roles
 * write there), and takes an existing application of that name as the profile's only when it is the recorded one.
 */
export function createdApplicationKey(profile: string): RecordKey {
  return { pk: `state#${profile}`, sk: 'application' };
}

interface CreatedApplicationRecord {
  profile: string;
  applicationArn: string;
  executionName: string;
  writtenAt: string;
}

/** The ARN of the application the pipeline last created for the profile, or undefined (none, or a record it cannot read). */
async function recordedApplication(records: RecordStore, profile: string): Promise<string | undefined> {
  const stored = await records.get(createdApplicationKey(profile));
  if (!stored) return undefined;
  try {
    const parsed = JSON.parse(stored.body) as Partial<CreatedApplicationRecord>;
    return parsed.profile === profile && typeof parsed.applicationArn === 'string' ? parsed.applicationArn : undefined;
  } catch {
    return undefined;
  }
}

/** Records `applicationArn` as the application the pipeline created for the request's profile (the step's lease applies). */
export async function recordCreatedApplication(
  records: RecordStore,
  request: Pick<ExecutionRequest, 'profile' | 'executionName'>,
  applicationArn: string,
  now: () => Date,
): Promise<void> {
  const key = createdApplicationKey(request.profile);
  const body: CreatedApplicationRecord = {
    profile: request.profile,
    applicationArn,
    executionName: request.executionName,
    writtenAt: now().toISOString(),
  };
  await records.put(key, JSON.stringify(body), (await records.get(key))?.revision);
}

/**
 * For a profile that sets application.create: the application of its display name when there is one and the pipeline
 * created it, undefined when there is none. One the pipeline has no record of creating is refused
 * (Application.NotRecorded), before anything changes: its metadata would go into the IAM provider, the profile's
 * people would be assigned to it and its Role attribute mapped to the federation role.
 */
export async function createdApplication(
  ssoAdmin: SSOAdminClient,
  records: RecordStore,
  profile: ResolvedProfile,
  scope: LookupScope,
): Promise<string | undefined> {
  const existing = await existingApplication(ssoAdmin, profile, scope);
  if (existing === undefined) return undefined;
  const recorded = await recordedApplication(records, profile.name);
  if (recorded === existing) return existing;
  const displayName = profile.application.create?.displayName ?? profile.application.displayName ?? '';
  throw new ApplicationNotRecordedError(
    `profile ${profile.name} creates application "${displayName}" (application.create), and application ${existing} of that name exists, ` +
      `but this pipeline ${recorded ? `created ${recorded}, not it` : 'has no record of creating it'}: anyone who may create applications can give one this name, so it is not taken as the profile's and nothing was changed. ` +
      "If it is yours, name it in the profile with application.arn instead of application.create; otherwise delete or rename it, and the next execution creates the profile's own.",
  );
}
