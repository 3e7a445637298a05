import type {
  ApplicationCertificate,
  ApplicationInstanceSummary,
  ApplicationInstanceView,
  ApplicationTemplate,
  AttributeSource,
  ResponseConfig,
  ResponseSchemaConfig,
} from './console-api';

/**
 * What the console API answers, read as the public evidence allows (simulated-account/console-api-shapes.ts): each
 * parser takes what it knows in whichever known shape, and leaves out what it cannot read rather than guess it.
 */

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function asSource(value: unknown): AttributeSource | undefined {
  const record = asRecord(value);
  const source = record?.source;
  return isStringArray(source) ? { ...structuredClone(record), source: [...source] } : undefined;
}

/** Undefined unless every part has the shape the update operation takes: a half-read configuration is no configuration. */
export function parseResponseConfig(value: unknown): ResponseConfig | undefined {
  const config = asRecord(value);
  if (!config) return undefined;
  const subject = asSource(config.subject);
  const rawProperties = asRecord(config.properties ?? {});
  if (!subject || !rawProperties) return undefined;
  // Attribute names come from the service: built with Object.fromEntries, which defines each as an own property, so a
  // name such as "__proto__" is kept as an attribute rather than set as the object's prototype (and lost).
  const entries: Array<[string, AttributeSource]> = [];
  for (const [name, raw] of Object.entries(rawProperties)) {
    const source = asSource(raw);
    if (!source) return undefined;
    entries.push([name, source]);
  }
  const properties: Record<string, AttributeSource> = Object.fromEntries(entries);
  // Unknown fields ride along unchanged: the update replaces the whole configuration, so a field left out is erased.
  const parsed: ResponseConfig = { ...structuredClone(config), subject, properties, ttl: typeof config.ttl === 'string' ? config.ttl : 'PT1H' };
  if (parsed.relayState !== undefined && typeof parsed.relayState !== 'string') return undefined;
  return parsed;
}

export function parseResponseSchemaConfig(value: unknown): ResponseSchemaConfig | undefined {
  const config = asRecord(value);
  if (!config) return undefined;
  const subject = asRecord(config.subject);
  const rawProperties = asRecord(config.properties ?? {});
  if (!subject || typeof subject.nameIdFormat !== 'string' || !rawProperties) return undefined;
  const entries: Array<[string, ResponseSchemaConfig['properties'][string]]> = [];
  for (const [name, raw] of Object.entries(rawProperties)) {
    const property = asRecord(raw);
    if (!property || typeof property.attrNameFormat !== 'string') return undefined;
    entries.push([
      name,
      {
        ...structuredClone(property),
        attrNameFormat: property.attrNameFormat,
        include: typeof property.include === 'string' ? property.include : 'YES',
      },
    ]);
  }
  // Own properties whatever the names (see parseResponseConfig).
  const properties: ResponseSchemaConfig['properties'] = Object.fromEntries(entries);
  return {
    ...structuredClone(config),
    subject: {
      ...structuredClone(subject),
      include: typeof subject.include === 'string' ? subject.include : 'REQUIRED',
      nameIdFormat: subject.nameIdFormat,
    },
    properties,
  };
}

/**
 * Whether GetApplicationInstance returns the mapping is not confirmed (docs/design.md), nor where: look at the top level and
 * under `applicationInstance`, and leave a part out rather than guess it.
 */
export function toApplicationInstanceView(instanceId: string, body: unknown): ApplicationInstanceView {
  const top = asRecord(body) ?? {};
  const nested = asRecord(top.applicationInstance) ?? {};
  const responseConfig = parseResponseConfig(top.responseConfig ?? nested.responseConfig);
  const responseSchemaConfig = parseResponseSchemaConfig(top.responseSchemaConfig ?? nested.responseSchemaConfig);
  const view: ApplicationInstanceView = { instanceId };
  const metadataUrl = asRecord(nested.identityProviderConfig ?? top.identityProviderConfig)?.metadataUrl;
  if (typeof metadataUrl === 'string' && metadataUrl !== '') view.metadataUrl = metadataUrl;
  if (responseConfig) view.responseConfig = responseConfig;
  if (responseSchemaConfig) view.responseSchemaConfig = responseSchemaConfig;
  const serviceProvider = asRecord(nested.serviceProviderConfig ?? top.serviceProviderConfig);
  const consumers = Array.isArray(serviceProvider?.consumers) ? serviceProvider.consumers : [];
  const acsUrls = consumers.flatMap((consumer) => {
    const location = asRecord(consumer)?.location;
    return typeof location === 'string' && location !== '' ? [location] : [];
  });
  if (acsUrls.length > 0 || typeof serviceProvider?.audience === 'string')
    view.serviceProvider = { ...(typeof serviceProvider?.audience === 'string' ? { audience: serviceProvider.audience } : {}), acsUrls };
  return view;
}

/**
 * Epoch numbers below this are seconds, above it milliseconds: 10^11 seconds is the year 5138, 10^11 milliseconds
 * 1973, so no certificate's expiry is ambiguous.
 */
const EPOCH_MILLISECONDS_FROM = 1e11;

/**
 * An expiry as the API may give it: ISO 8601 text (the public service model), or an epoch number (the AWS JSON
 * protocols' timestamp, in seconds; a public clone of this API gives a number of unstated unit), told apart by size.
 */
function expiryOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    return new Date(value >= EPOCH_MILLISECONDS_FROM ? value : value * 1000).toISOString();
  }
  if (typeof value === 'string' && value.trim() !== '') {
    // A number sent as text is an epoch too.
    if (/^\d+(\.\d+)?$/.test(value.trim())) return expiryOf(Number(value));
    if (!Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  }
  return undefined;
}

/** Where the certificate list has been seen: `certificates` (the public model), or the clone's names for it. */
const CERTIFICATE_LIST_KEYS = ['certificates', 'applicationInstanceCertificates', 'certificateList'] as const;
/** Where a certificate's expiry has been seen. */
const EXPIRY_KEYS = ['expiryDate', 'expiry', 'expiresAt', 'notAfter', 'validTo'] as const;

/**
 * The certificate list in whichever known shape it comes (console-api-shapes.ts): an entry without an id or status
 * is left out, and one whose expiry cannot be read keeps no expiry rather than a guessed one.
 */
export function toCertificates(body: unknown): ApplicationCertificate[] {
  const record = asRecord(body) ?? {};
  const list = CERTIFICATE_LIST_KEYS.map((key) => record[key]).find(Array.isArray) as unknown[] | undefined;
  if (!list) return [];
  return list.flatMap((raw): ApplicationCertificate[] => {
    const entry = asRecord(raw);
    const certificateId = entry?.certificateId ?? entry?.id;
    if (typeof certificateId !== 'string' || typeof entry?.status !== 'string') return [];
    const expiryDate = EXPIRY_KEYS.map((key) => expiryOf(entry[key])).find((value) => value !== undefined);
    return [{ certificateId, status: entry.status, ...(expiryDate ? { expiryDate } : {}) }];
  });
}

/**
 * `{applicationTemplates: [...]}`: each template's id and catalog name. Where the name sits differs between the sources
 * (console-api-shapes.ts): `application.display.displayName` (the console's model, the clone), a top-level `name` (a
 * hand-written model); older shapes put it at `application.displayName` or `template.name`. The first string found
 * is taken.
 */
export function toTemplates(body: unknown): ApplicationTemplate[] {
  const list = asRecord(body)?.applicationTemplates;
  if (!Array.isArray(list)) return [];
  return list.flatMap((raw): ApplicationTemplate[] => {
    const entry = asRecord(raw);
    const templateId = entry?.templateId;
    const application = asRecord(entry?.application);
    const name = [asRecord(application?.display)?.displayName, entry?.name, application?.displayName, asRecord(entry?.template)?.name].find(
      (value) => typeof value === 'string',
    );
    return typeof templateId === 'string' && typeof name === 'string' ? [{ templateId, name }] : [];
  });
}

/** `{applicationInstances: [{instanceId, name, status, ...}]}`: the name only where the answer shows it. */
export function toInstanceSummaries(body: unknown): ApplicationInstanceSummary[] {
  const list = asRecord(body)?.applicationInstances;
  if (!Array.isArray(list)) return [];
  return list.flatMap((raw): ApplicationInstanceSummary[] => {
    const entry = asRecord(raw);
    if (typeof entry?.instanceId !== 'string') return [];
    return [
      {
        instanceId: entry.instanceId,
        ...(typeof entry.name === 'string' ? { name: entry.name } : {}),
        ...(typeof entry.status === 'string' ? { status: entry.status } : {}),
      },
    ];
  });
}

/** `{applicationProfiles: [{profileId, name, status}]}` (the capture notes: not `profiles`). */
export function toProfiles(body: unknown): Array<{ profileId: string; name?: string }> {
  const list = asRecord(body)?.applicationProfiles;
  if (!Array.isArray(list)) return [];
  return list.flatMap((raw) => {
    const entry = asRecord(raw);
    return typeof entry?.profileId === 'string'
      ? [{ profileId: entry.profileId, ...(typeof entry.name === 'string' ? { name: entry.name } : {}) }]
      : [];
  });
}
