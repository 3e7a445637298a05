import type { ConsoleApi } from '../identity-center/console-api';
import { sameJson } from '../shared/policy-json';
import type { MappingConfiguration } from './mapping';
import type { MappingPart } from './receipt';

/** The current configuration when the console API returns both halves of it; undefined otherwise (docs/design.md). */
export async function readCurrentConfiguration(swb: ConsoleApi, instanceId: string): Promise<MappingConfiguration | undefined> {
  const view = await swb.getApplicationInstance(instanceId);
  if (!view.responseConfig || !view.responseSchemaConfig) return undefined;
  return { responseConfig: view.responseConfig, responseSchemaConfig: view.responseSchemaConfig };
}

/** The halves of `target` that differ from `current` (all of them when `current` is unknown), in write order. */
export function partsToWrite(current: MappingConfiguration | undefined, target: MappingConfiguration): MappingPart[] {
  const parts: MappingPart[] = [];
  if (!current || !sameJson(current.responseConfig, target.responseConfig)) parts.push('responseConfig');
  if (!current || !sameJson(current.responseSchemaConfig, target.responseSchemaConfig)) parts.push('responseSchemaConfig');
  return parts;
}

export async function writePart(swb: ConsoleApi, instanceId: string, part: MappingPart, target: MappingConfiguration): Promise<void> {
  if (part === 'responseConfig') await swb.updateApplicationInstanceResponseConfiguration(instanceId, target.responseConfig);
  else await swb.updateApplicationInstanceResponseSchemaConfiguration(instanceId, target.responseSchemaConfig);
}
