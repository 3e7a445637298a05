import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ExecutionRequest } from '../shared/document';
import { objectText } from '../shared/journal';
import type { MappingConfiguration } from './mapping';
import { parseResponseConfig, parseResponseSchemaConfig } from './swb-client';

/**
 * The configuration the pipeline last wrote for a profile, kept in the bucket because the console API may not return
 * the current one: the next apply merges onto it and a revert restores it.
 */
export interface SavedMappingState {
  profile: string;
  applicationArn: string;
  instanceId: string;
  configuration: MappingConfiguration;
  executionName: string;
  /** A revert records itself so that a second revert of the same execution knows there is nothing left to do. */
  writtenBy: 'apply' | 'revert';
  writtenAt: string;
}

export function stateKey(profile: string): string {
  return `state/${profile}/attribute-mapping.json`;
}

/** The saved state for this profile and console instance, or undefined (none yet, another application, unreadable). */
export async function readSavedState(s3: S3Client, request: ExecutionRequest, instanceId: string): Promise<SavedMappingState | undefined> {
  let text: string;
  try {
    const key = stateKey(request.profile);
    text = await objectText(await s3.send(new GetObjectCommand({ Bucket: request.bucket, Key: key })), `s3://${request.bucket}/${key}`);
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey' || (error as Error).name === 'NotFound') return undefined;
    throw error;
  }
  let saved: Partial<SavedMappingState>;
  try {
    saved = JSON.parse(text) as Partial<SavedMappingState>;
  } catch {
    return undefined;
  }
  // The profile may have moved to another application since; its old values say nothing about this one.
  if (saved?.instanceId !== instanceId) return undefined;
  const responseConfig = parseResponseConfig(saved.configuration?.responseConfig);
  const responseSchemaConfig = parseResponseSchemaConfig(saved.configuration?.responseSchemaConfig);
  if (!responseConfig || !responseSchemaConfig) return undefined;
  return { ...(saved as SavedMappingState), configuration: { responseConfig, responseSchemaConfig } };
}

export async function saveState(
  s3: S3Client,
  request: ExecutionRequest,
  state: Omit<SavedMappingState, 'profile' | 'executionName' | 'writtenAt'>,
  now: () => Date = () => new Date(),
): Promise<void> {
  const body: SavedMappingState = { ...state, profile: request.profile, executionName: request.executionName, writtenAt: now().toISOString() };
  await s3.send(
    new PutObjectCommand({
      Bucket: request.bucket,
      Key: stateKey(request.profile),
      Body: JSON.stringify(body, null, 2),
      ContentType: 'application/json',
    }),
  );
}
