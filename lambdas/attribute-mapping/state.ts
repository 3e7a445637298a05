import { parseResponseConfig, parseResponseSchemaConfig } from '../identity-center/console-answers';
import type { ExecutionRequest } from '../shared/document';
import type { RecordKey, RecordStore } from '../shared/records';
import type { MappingConfiguration } from './mapping';

/**
 * The configuration the pipeline last wrote for a profile, kept in the pipeline's record table because the console API
 * may not return the current one: the next apply merges onto it and a revert restores it.
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

export function stateKey(profile: string): RecordKey {
  return { pk: `state#${profile}`, sk: 'attributeMapping' };
}

/** The saved state for this profile and console instance, or undefined (none yet, another application, unreadable). */
export async function readSavedState(records: RecordStore, request: ExecutionRequest, instanceId: string): Promise<SavedMappingState | undefined> {
  const stored = await records.get(stateKey(request.profile));
  if (!stored) return undefined;
  const text = stored.body;
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
  records: RecordStore,
  request: ExecutionRequest,
  state: Omit<SavedMappingState, 'profile' | 'executionName' | 'writtenAt'>,
  now: () => Date = () => new Date(),
): Promise<void> {
  const body: SavedMappingState = { ...state, profile: request.profile, executionName: request.executionName, writtenAt: now().toISOString() };
  const key = stateKey(request.profile);
  await records.put(key, JSON.stringify(body), (await records.get(key))?.revision);
}
