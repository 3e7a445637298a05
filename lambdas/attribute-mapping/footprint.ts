import type { ConsoleApi } from '../identity-center/console-api';
import { instanceIdFromApplicationArn } from '../identity-center/locate';
import { digest, type Footprint, UNREADABLE } from '../shared/footprint';
import { stableStringify } from '../shared/policy-json';
import { readCurrentConfiguration } from './current';
import type { MappingConfiguration } from './mapping';

function configurationFootprint(applicationArn: string, configuration: MappingConfiguration | undefined): Footprint {
  const name = `application ${applicationArn}`;
  return {
    [`${name}: attribute mapping (response configuration)`]: configuration ? digest(stableStringify(configuration.responseConfig)) : UNREADABLE,
    [`${name}: attribute mapping (response schema configuration)`]: configuration
      ? digest(stableStringify(configuration.responseSchemaConfig))
      : UNREADABLE,
  };
}

/** The application's mapping as the console API shows it now (unreadable when it does not return one). */
export async function readMappingFootprint(swb: ConsoleApi, applicationArn: string): Promise<Footprint> {
  return configurationFootprint(applicationArn, await readCurrentConfiguration(swb, instanceIdFromApplicationArn(applicationArn)));
}

/** What the step leaves: the configuration it writes, or the one it found for a half it does not write. */
export function mappingLeaves(applicationArn: string, written: MappingConfiguration): Footprint {
  return configurationFootprint(applicationArn, written);
}

export { configurationFootprint as mappingFootprintOf };
