import type { ResponseConfig, ResponseSchemaConfig } from '../identity-center/console-api';
import { iamAt, roleArn, samlProviderArn } from '../shared/arns';
import type { ExecutionDocument } from '../shared/document';
import { sameJson } from '../shared/policy-json';
import type { ResolvedProfile } from '../shared/profile';
import { ROLE_ATTRIBUTE } from '../shared/profile-schema';

export const UNSPECIFIED_ATTR_NAME_FORMAT = 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified';
const DEFAULT_TTL = 'PT1H';

/** Both halves the console API keeps for an application: the values, and how they appear in the assertion. */
export interface MappingConfiguration {
  responseConfig: ResponseConfig;
  responseSchemaConfig: ResponseSchemaConfig;
}

/** What the profile asks for: the subject and each attribute's value, the Role attribute included. */
export interface DesiredMapping {
  subject: { source: string; nameIdFormat: string };
  attributes: Record<string, string>;
  /** The profile's relay state, written into the response configuration and read back (see relayStateResult). */
  relayState?: string;
}

/** The attributes the pipeline owns for this profile; every other attribute on the application is left alone. */
export function managedAttributeNames(profile: ResolvedProfile): string[] {
  return [ROLE_ATTRIBUTE, ...Object.keys(profile.attributeMapping.attributes).filter((name) => name !== ROLE_ATTRIBUTE)];
}

/**
 * The Role attribute names the role and the provider the earlier steps made. Their receipts carry the ARNs; a step
 * that ran as a dry run or an old document may lack one, and the ARN is fixed by the profile anyway.
 */
export function desiredMapping(doc: ExecutionDocument): DesiredMapping {
  const { profile } = doc;
  const role = doc.receipts?.role?.arn || roleArn(iamAt(doc), profile.role.name, profile.role.path);
  const provider = doc.receipts?.identityProvider?.arn || samlProviderArn(iamAt(doc), profile.identityProvider.name);
  return {
    subject: { source: profile.attributeMapping.subject.source, nameIdFormat: profile.attributeMapping.subject.nameIdFormat },
    attributes: { ...profile.attributeMapping.attributes, [ROLE_ATTRIBUTE]: `${role},${provider}` },
    ...(profile.relayState ? { relayState: profile.relayState } : {}),
  };
}

const RELAY_STATE_CONSOLE_PATH =
  'IAM Identity Center console: Applications > the application > Actions > Edit configuration > Application properties > Relay state';

/** What the step can say of the relay state after writing: only what the read-back shows. */
export type RelayStateStatus = 'written and read back' | 'already set' | 'not confirmed';

/**
 * The console API's field for the relay state is not documented (see identity-center/console-api.ts), so a write is claimed only when a
 * read after it returns the value; otherwise the line says so and where a person sets or checks it.
 */
export function relayStateResult(
  relayState: string,
  readBack: MappingConfiguration | undefined,
  wrote: boolean,
): { status: RelayStateStatus; line: string } {
  if (readBack?.responseConfig.relayState === relayState) {
    return wrote
      ? { status: 'written and read back', line: `relay state ${relayState}: written and read back` }
      : { status: 'already set', line: `relay state ${relayState}: already set` };
  }
  const seen =
    readBack === undefined
      ? 'the console API did not return the configuration'
      : `the read-back shows ${readBack.responseConfig.relayState ?? 'no relay state'}`;
  return {
    status: 'not confirmed',
    line: `relay state ${relayState}: could not confirm it was written (${seen}); check or set it by hand (${RELAY_STATE_CONSOLE_PATH})`,
  };
}

/**
 * The current configuration with the profile's subject, attributes and relay state laid over it. Everything else is
 * carried through as read (unmanaged attributes, the session duration, fields this code does not know), because the
 * update operations replace the whole configuration.
 */
export function mergeMapping(current: MappingConfiguration | undefined, desired: DesiredMapping): MappingConfiguration {
  const responseProperties: ResponseConfig['properties'] = { ...current?.responseConfig.properties };
  const schemaProperties: ResponseSchemaConfig['properties'] = { ...current?.responseSchemaConfig.properties };
  for (const [name, value] of Object.entries(desired.attributes)) {
    responseProperties[name] = { source: [value] };
    schemaProperties[name] = { attrNameFormat: UNSPECIFIED_ATTR_NAME_FORMAT, include: 'YES' };
  }
  return {
    responseConfig: {
      ...current?.responseConfig,
      subject: { source: [desired.subject.source] },
      properties: responseProperties,
      ttl: current?.responseConfig.ttl ?? DEFAULT_TTL,
      ...(desired.relayState === undefined ? {} : { relayState: desired.relayState }),
    },
    responseSchemaConfig: {
      ...current?.responseSchemaConfig,
      subject: {
        ...current?.responseSchemaConfig.subject,
        include: current?.responseSchemaConfig.subject.include ?? 'REQUIRED',
        nameIdFormat: desired.subject.nameIdFormat,
      },
      properties: schemaProperties,
    },
  };
}

/** The configuration with the named attributes taken out: what a revert writes when the previous one is unknown. */
export function withoutAttributes(config: MappingConfiguration, names: readonly string[]): MappingConfiguration {
  const drop = new Set(names);
  const keep = <T>(properties: Record<string, T>): Record<string, T> =>
    Object.fromEntries(Object.entries(properties).filter(([name]) => !drop.has(name)));
  return {
    responseConfig: { ...config.responseConfig, properties: keep(config.responseConfig.properties) },
    responseSchemaConfig: { ...config.responseSchemaConfig, properties: keep(config.responseSchemaConfig.properties) },
  };
}

export function mappingEquals(a: MappingConfiguration, b: MappingConfiguration): boolean {
  // Attribute order carries no meaning, source order does (arrays keep theirs).
  return sameJson(a.responseConfig, b.responseConfig) && sameJson(a.responseSchemaConfig, b.responseSchemaConfig);
}

function sourceText(source: { source: string[] } | undefined): string {
  return source ? source.source.join(' | ') : '(none)';
}

/** One line per difference from `before` to `after`, for the receipt and the journal. */
export function describeChanges(before: MappingConfiguration | undefined, after: MappingConfiguration): string[] {
  const changes: string[] = [];
  const oldSubject = before ? sourceText(before.responseConfig.subject) : 'unknown';
  const newSubject = sourceText(after.responseConfig.subject);
  const oldFormat = before?.responseSchemaConfig.subject.nameIdFormat ?? 'format unknown';
  const newFormat = after.responseSchemaConfig.subject.nameIdFormat;
  if (oldSubject !== newSubject || oldFormat !== newFormat) {
    changes.push(`subject: ${newSubject} (${newFormat}); was ${oldSubject} (${oldFormat})`);
  }
  const names = new Set([
    ...Object.keys(before?.responseConfig.properties ?? {}),
    ...Object.keys(after.responseConfig.properties),
    ...Object.keys(before?.responseSchemaConfig.properties ?? {}),
    ...Object.keys(after.responseSchemaConfig.properties),
  ]);
  for (const name of [...names].sort()) {
    const was = before?.responseConfig.properties[name];
    const now = after.responseConfig.properties[name];
    const schemaSame = sameJson(before?.responseSchemaConfig.properties[name], after.responseSchemaConfig.properties[name]);
    if (sameJson(was, now) && schemaSame) continue;
    if (!now) changes.push(`attribute ${name}: remove (was ${sourceText(was)})`);
    else if (!before) changes.push(`attribute ${name} = ${sourceText(now)} (previous value unknown)`);
    else if (!was) changes.push(`attribute ${name} = ${sourceText(now)} (new)`);
    else if (!sameJson(was, now)) changes.push(`attribute ${name} = ${sourceText(now)}; was ${sourceText(was)}`);
    else changes.push(`attribute ${name}: format ${after.responseSchemaConfig.properties[name]?.attrNameFormat ?? '(none)'}`);
  }
  if (before && before.responseConfig.ttl !== after.responseConfig.ttl)
    changes.push(`ttl: ${after.responseConfig.ttl}; was ${before.responseConfig.ttl}`);
  if (before?.responseConfig.relayState !== after.responseConfig.relayState) {
    const was = before ? (before.responseConfig.relayState ?? '(none)') : '(unknown)';
    changes.push(`relay state: ${after.responseConfig.relayState ?? '(none)'}; was ${was}`);
  }
  return changes;
}

/** What an operator enters by hand in the console, in manual mode. */
export function manualInstructions(applicationName: string, applicationArn: string, desired: DesiredMapping, profileName: string): string {
  const lines = [
    `Profile "${profileName}": set the attribute mapping of the IAM Identity Center application "${applicationName}" (${applicationArn}).`,
    'In the IAM Identity Center console: Applications > the application > Actions > Edit attribute mappings.',
    `Subject: ${desired.subject.source} (format ${desired.subject.nameIdFormat})`,
    ...Object.keys(desired.attributes)
      .sort()
      .map((name) => `${name} = ${desired.attributes[name]} (format unspecified)`),
    ...(desired.relayState ? [`Relay state: ${desired.relayState} (${RELAY_STATE_CONSOLE_PATH})`] : []),
    'Leave every other attribute as it is, save, then confirm; reject if the mapping is wrong.',
  ];
  return lines.join('\n');
}
