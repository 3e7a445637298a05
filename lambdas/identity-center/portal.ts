import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { partitionOfRegion } from '../shared/partitions';
import type { ResolvedProfile } from '../shared/profile';
import type { ConsoleApi } from './console-api';
import { MetadataFetchFailedError, MetadataSourceRefusedError } from './errors';
import { applicationArnOf, instanceIdFromApplicationArn } from './locate';

/** IAM's limit on a SAML provider's metadata document, and so on what a fetch reads. */
export const MAX_METADATA_BYTES = 10_000_000;
/** How long a fetch may take before it is given up (the state machine retries Metadata.FetchFailed). */
const FETCH_TIMEOUT_MS = 10_000;

/**
 * Reads an IAM Identity Center metadata URL (already checked to be the portal's): HTTPS GET, unauthenticated. The
 * deployed functions use `httpsMetadataFetcher` (below); the simulated account its portal.
 */
export type MetadataFetcher = (url: URL) => Promise<Buffer>;

/** The Identity Center portal host of a region: the only host a metadata URL may name. */
export function portalHost(region: string): string {
  return `portal.sso.${region}.${partitionOfRegion(region).dnsSuffix}`;
}

/**
 * The metadata URL of an application when GetApplicationInstance does not give one: the portal's
 * `/saml/metadata/<token>`, where the token is base64 of `<account>_ins-<id>` (the same token the entityID carries).
 */
export function computedMetadataUrl(applicationArn: string, region: string): string {
  const account = applicationArn.split(':')[4] ?? '';
  const token = Buffer.from(`${account}_${instanceIdFromApplicationArn(applicationArn)}`, 'utf-8')
    .toString('base64')
    .replace(/=+$/, '');
  return `https://${portalHost(region)}/saml/metadata/${token}`;
}

/**
 * A URL read back from IAM Identity Center is input: it is fetched only over HTTPS, on the default port, from the
 * portal host of the application's region, under /saml/metadata/, with no credentials, query or fragment. Which
 * application's document it serves is checked after the fetch (the entityID must name the application Intake found),
 * rather than by the URL's token, whose encoding AWS does not document.
 */
export function checkMetadataUrl(raw: string, region: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new MetadataSourceRefusedError(`the application's metadata URL "${raw.slice(0, 200)}" is not a URL`);
  }
  const host = portalHost(region);
  if (
    url.protocol !== 'https:' ||
    url.hostname !== host ||
    url.port !== '' ||
    url.username !== '' ||
    url.password !== '' ||
    url.search !== '' ||
    url.hash !== '' ||
    !url.pathname.startsWith('/saml/metadata/')
  ) {
    throw new MetadataSourceRefusedError(
      `the application's metadata URL ${url.origin}${url.pathname} is not an HTTPS URL under /saml/metadata/ on ${host}, the IAM Identity Center portal of ${region}; the pipeline fetches metadata from nowhere else. Upload the metadata file instead.`,
    );
  }
  return url;
}

/**
 * GET with the limits a fetched document needs: no redirect (it could lead to another host), a timeout, and a size
 * cap applied while reading, so an endless answer cannot exhaust the function's memory.
 */
export const httpsMetadataFetcher: MetadataFetcher = async (url) => {
  let response: Response;
  try {
    response = await fetch(url, {
      redirect: 'error',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      headers: { accept: 'application/xml, text/xml' },
    });
  } catch (error) {
    throw new MetadataFetchFailedError(`GET ${url.origin}${url.pathname}: no answer (${(error as Error).message})`, { cause: error });
  }
  if (!response.ok || !response.body) throw new MetadataFetchFailedError(`GET ${url.origin}${url.pathname}: HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_METADATA_BYTES) throw tooLarge(url, declared);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > MAX_METADATA_BYTES) throw tooLarge(url, size);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
};

function tooLarge(url: URL, bytes: number): MetadataSourceRefusedError {
  return new MetadataSourceRefusedError(
    `GET ${url.origin}${url.pathname}: the answer is over ${MAX_METADATA_BYTES} bytes (${bytes} so far), IAM's limit for SAML metadata`,
  );
}

export interface ApplicationMetadataDeps {
  ssoAdmin: SSOAdminClient;
  swb: ConsoleApi;
  fetchMetadata: MetadataFetcher;
}

export interface FetchedMetadata {
  applicationArn: string;
  url: string;
  /** Whether the URL came from GetApplicationInstance or was computed from the application. */
  urlSource: 'GetApplicationInstance' | 'computed';
  body: Buffer;
}

/** The profile's application's IdP metadata, straight from IAM Identity Center. */
export async function fetchApplicationMetadata(
  profile: ResolvedProfile,
  deps: ApplicationMetadataDeps,
  scope: { account: string; region: string },
  /** The application when the caller already located it (by ARN or display name); looked up otherwise. */
  located?: string,
): Promise<FetchedMetadata> {
  const applicationArn = located ?? (await applicationArnOf(deps.ssoAdmin, profile.application, { ...scope, profile: profile.name })).applicationArn;
  // Manual mode is for those who do not want the undocumented console API called: the URL is computed instead.
  const given =
    profile.attributeMapping.mode === 'manual'
      ? undefined
      : (await deps.swb.getApplicationInstance(instanceIdFromApplicationArn(applicationArn))).metadataUrl;
  const url = checkMetadataUrl(given ?? computedMetadataUrl(applicationArn, scope.region), scope.region);
  const body = await deps.fetchMetadata(url);
  if (body.length > MAX_METADATA_BYTES) throw tooLarge(url, body.length);
  return { applicationArn, url: `${url.origin}${url.pathname}`, urlSource: given ? 'GetApplicationInstance' : 'computed', body };
}
