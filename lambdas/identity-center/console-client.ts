import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { ConfigInvalidError } from '../shared/errors';
import { logger } from '../shared/logger';
import { partitionOfRegion } from '../shared/partitions';
import type {
  ApplicationCertificate,
  ApplicationInstanceView,
  ApplicationTemplate,
  AttributeSource,
  ConsoleApi,
  ResponseConfig,
  ResponseSchemaConfig,
} from './console-api';
import { MappingAccessDeniedError, MappingRejectedError, MappingServiceError, MappingThrottledError } from './errors';

export interface ConsoleApiClientOptions {
  /** The region of the IAM Identity Center instance; it picks the endpoint and the SigV4 scope. */
  region: string;
  /** Default `https://sso.<region>.amazonaws.com/control/`; tests point it at a local server. */
  endpoint?: string;
  /** Default: the SDK's default credential chain (the Lambda's role). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Abort a call after this many milliseconds (default 30 s) so that the state machine can retry it. */
  timeoutMs?: number;
  /** Signing clock; tests pin it. */
  now?: () => Date;
}

const SIGNING_NAME = 'sso';
const TARGET_PREFIX = 'SWBService';

/** The console API's endpoint in a region, with the DNS suffix of the region's partition as the SDK knows it. */
export function defaultSwbEndpoint(region: string): string {
  return `https://sso.${region}.${partitionOfRegion(region).dnsSuffix}/control/`;
}

/**
 * The one adapter for IAM Identity Center's console API (docs/design.md): JSON 1.1 over HTTPS,
 * signed with the SDK's own SigV4 signer, and every failure turned into a `Mapping.*` name the state machine matches.
 */
export class ConsoleApiClient implements ConsoleApi {
  public readonly region: string;
  private readonly url: URL;
  private readonly signer: SignatureV4;
  private readonly timeoutMs: number;
  private readonly now: () => Date;

  public constructor(options: ConsoleApiClientOptions) {
    if (!options.region) throw new ConfigInvalidError('ConsoleApiClient: region is empty; set AWS_REGION or IDENTITY_CENTER_REGION');
    this.region = options.region;
    this.url = new URL(options.endpoint ?? defaultSwbEndpoint(options.region));
    this.signer = new SignatureV4({
      service: SIGNING_NAME,
      region: options.region,
      credentials: options.credentials ?? defaultProvider(),
      sha256: Sha256,
    });
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.now = options.now ?? (() => new Date());
  }

  public async getApplicationInstance(instanceId: string): Promise<ApplicationInstanceView> {
    const body = await this.call('GetApplicationInstance', { instanceId });
    return toApplicationInstanceView(instanceId, body);
  }

  public async listApplicationTemplates(): Promise<ApplicationTemplate[]> {
    const templates: ApplicationTemplate[] = [];
    let marker: string | undefined;
    do {
      const body = asRecord(await this.call('ListApplicationTemplates', marker ? { marker } : {})) ?? {};
      templates.push(...toTemplates(body));
      marker = typeof body.marker === 'string' && body.marker !== '' ? body.marker : undefined;
    } while (marker);
    return templates;
  }

  public async createApplicationInstance(templateId: string, name: string): Promise<string> {
    const body = asRecord(await this.call('CreateApplicationInstance', { templateId, name })) ?? {};
    const instanceId = asRecord(body.applicationInstance)?.instanceId ?? body.instanceId;
    if (typeof instanceId !== 'string' || !/^ins-[0-9a-f]{16}$/.test(instanceId)) {
      throw new MappingServiceError(`CreateApplicationInstance: the answer names no application instance id (got ${JSON.stringify(instanceId)})`);
    }
    return instanceId;
  }

  public async updateApplicationInstanceDisplayData(instanceId: string, displayName: string, description: string): Promise<void> {
    await this.call('UpdateApplicationInstanceDisplayData', { instanceId, displayName, description });
  }

  public async deleteApplicationInstance(instanceId: string): Promise<void> {
    await this.call('DeleteApplicationInstance', { instanceId });
  }

  public async listApplicationInstanceCertificates(instanceId: string): Promise<ApplicationCertificate[]> {
    const body = await this.call('ListApplicationInstanceCertificates', { instanceId });
    return toCertificates(body);
  }

  public async updateApplicationInstanceResponseConfiguration(instanceId: string, responseConfig: ResponseConfig): Promise<void> {
    await this.call('UpdateApplicationInstanceResponseConfiguration', { instanceId, responseConfig });
  }

  public async updateApplicationInstanceResponseSchemaConfiguration(instanceId: string, responseSchemaConfig: ResponseSchemaConfig): Promise<void> {
    await this.call('UpdateApplicationInstanceResponseSchemaConfiguration', { instanceId, responseSchemaConfig });
  }

  private async call(operation: string, input: Record<string, unknown>): Promise<unknown> {
    const request = new HttpRequest({
      method: 'POST',
      protocol: this.url.protocol,
      hostname: this.url.hostname,
      port: this.url.port ? Number(this.url.port) : undefined,
      path: this.url.pathname,
      headers: {
        host: this.url.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `${TARGET_PREFIX}.${operation}`,
      },
      body: JSON.stringify(input),
    });
    const signed = await this.signer.sign(request, { signingDate: this.now() });
    // fetch derives Host from the URL (the same value that was signed) and refuses to be handed one.
    const { host: _host, ...headers } = signed.headers;

    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers,
        body: signed.body as string,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new MappingServiceError(`${operation}: no answer from ${this.url.host}: ${(error as Error).message}`, { cause: error });
    }
    const text = await response.text();
    if (!response.ok) throw responseError(operation, response.status, response.headers.get('x-amzn-errortype'), text);
    if (text.trim() === '') return {};
    try {
      return JSON.parse(text) as unknown;
    } catch {
      logger.warn('SWBService answered with a body that is not JSON', { operation, status: response.status });
      return {};
    }
  }
}

/** `"com.amazonaws.swbservice#ThrottlingException"` or `"ThrottlingException:http://..."` -> `ThrottlingException`. */
function shortType(raw: string | null | undefined): string | undefined {
  if (!raw) return undefined;
  const afterHash = raw.includes('#') ? raw.slice(raw.lastIndexOf('#') + 1) : raw;
  const type = (afterHash.split(':')[0] ?? '').trim();
  return type === '' ? undefined : type;
}

const THROTTLING_TYPES = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown']);
const ACCESS_DENIED_TYPES = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'MissingAuthenticationTokenException',
]);

/** Maps a JSON 1.1 error answer to the name the state machine retries or rolls back on. */
export function responseError(operation: string, status: number, errorTypeHeader: string | null, text: string): Error {
  let body: { __type?: unknown; message?: unknown; Message?: unknown } = {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object') body = parsed as typeof body;
  } catch {
    // A proxy or load balancer may answer with HTML; the status still says what happened.
  }
  const type = shortType(typeof body.__type === 'string' ? body.__type : undefined) ?? shortType(errorTypeHeader);
  const awsMessage = typeof body.message === 'string' ? body.message : typeof body.Message === 'string' ? body.Message : text.slice(0, 300);
  const message = `${operation}: HTTP ${status}${type ? ` ${type}` : ''}: ${awsMessage}`;
  if (status === 429 || (type !== undefined && THROTTLING_TYPES.has(type))) return new MappingThrottledError(message);
  if (status >= 500) return new MappingServiceError(message);
  if ((type !== undefined && ACCESS_DENIED_TYPES.has(type)) || (status === 403 && type === undefined)) return new MappingAccessDeniedError(message);
  return new MappingRejectedError(message, { awsType: type, statusCode: status });
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
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
 * `{applicationTemplates: [...]}`: each template's id and catalog name. The name's field is not documented: the
 * public service models show it under `application.displayName` or `template.name`; the first string found is taken.
 */
export function toTemplates(body: unknown): ApplicationTemplate[] {
  const list = asRecord(body)?.applicationTemplates;
  if (!Array.isArray(list)) return [];
  return list.flatMap((raw): ApplicationTemplate[] => {
    const entry = asRecord(raw);
    const templateId = entry?.templateId;
    const name = [entry?.name, asRecord(entry?.application)?.displayName, asRecord(entry?.template)?.name].find((v) => typeof v === 'string');
    return typeof templateId === 'string' && typeof name === 'string' ? [{ templateId, name }] : [];
  });
}
