import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { ConfigInvalidError } from '../shared/errors';
import { logger } from '../shared/logger';
import { partitionOfRegion } from '../shared/partitions';
import { asRecord, toApplicationInstanceView, toCertificates, toInstanceSummaries, toProfiles, toTemplates } from './console-answers';
import type {
  ApplicationCertificate,
  ApplicationInstanceSummary,
  ApplicationInstanceView,
  ApplicationTemplate,
  ConsoleApi,
  ResponseConfig,
  ResponseSchemaConfig,
  ServiceProviderConfig,
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
  /**
   * Sends one operation and returns its JSON answer instead of signing an HTTP request: the simulated account answers
   * through the same request building and parsing as AWS would. Its failures must already be this adapter's errors.
   */
  transport?: (operation: string, input: Record<string, unknown>) => Promise<unknown>;
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
  private readonly transport?: ConsoleApiClientOptions['transport'];

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
    this.transport = options.transport;
  }

  public async getApplicationInstance(instanceId: string): Promise<ApplicationInstanceView> {
    const body = await this.call('GetApplicationInstance', { instanceId });
    return toApplicationInstanceView(instanceId, body);
  }

  public async listApplicationTemplates(catalogApplicationId?: string): Promise<ApplicationTemplate[]> {
    // One call: no source shows this list paged.
    return toTemplates(await this.call('ListApplicationTemplates', catalogApplicationId ? { applicationId: catalogApplicationId } : {}));
  }

  public async listApplicationInstances(): Promise<ApplicationInstanceSummary[]> {
    return (await this.pages('ListApplicationInstances', {})).flatMap(toInstanceSummaries);
  }

  public async listProfiles(instanceId: string): Promise<Array<{ profileId: string; name?: string }>> {
    return (await this.pages('ListProfiles', { instanceId })).flatMap(toProfiles);
  }

  public async deleteProfile(instanceId: string, profileId: string): Promise<void> {
    await this.call('DeleteProfile', { instanceId, profileId });
  }

  public async updateApplicationInstanceServiceProviderConfiguration(
    instanceId: string,
    serviceProviderConfig: ServiceProviderConfig,
  ): Promise<void> {
    await this.call('UpdateApplicationInstanceServiceProviderConfiguration', { instanceId, serviceProviderConfig });
  }

  public async updateApplicationInstanceStatus(instanceId: string, status: 'ENABLED' | 'DISABLED'): Promise<void> {
    await this.call('UpdateApplicationInstanceStatus', { instanceId, status });
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
    return (await this.pages('ListApplicationInstanceCertificates', { instanceId })).flatMap(toCertificates);
  }

  public async updateApplicationInstanceResponseConfiguration(instanceId: string, responseConfig: ResponseConfig): Promise<void> {
    await this.call('UpdateApplicationInstanceResponseConfiguration', { instanceId, responseConfig });
  }

  public async updateApplicationInstanceResponseSchemaConfiguration(instanceId: string, responseSchemaConfig: ResponseSchemaConfig): Promise<void> {
    await this.call('UpdateApplicationInstanceResponseSchemaConfiguration', { instanceId, responseSchemaConfig });
  }

  /** Every page of a list operation: the console model pages with `marker`; a source without it answers one page. */
  private async pages(operation: string, input: Record<string, unknown>): Promise<unknown[]> {
    const bodies: unknown[] = [];
    let marker: string | undefined;
    do {
      const body = await this.call(operation, marker ? { ...input, marker } : input);
      bodies.push(body);
      const next = asRecord(body)?.marker;
      marker = typeof next === 'string' && next !== '' ? next : undefined;
    } while (marker);
    return bodies;
  }

  private async call(operation: string, input: Record<string, unknown>): Promise<unknown> {
    if (this.transport) return this.transport(operation, input);
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
