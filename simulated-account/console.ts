import type { ConsoleApi } from '../lambdas/identity-center/console-api';
import { ConsoleApiClient } from '../lambdas/identity-center/console-client';
import { MetadataFetchFailedError } from '../lambdas/identity-center/errors';
import type { MetadataFetcher } from '../lambdas/identity-center/portal';
import type { CallLog } from './calls';
import { SwbServiceFault } from './errors';
import type { SimulatedSsoAdmin } from './sso-admin';
import type { SimulatedSwb } from './swb';
import type { ApplicationHooks } from './swb-state';

/** The provider of applications made from the console's "Amazon Connect" catalog template. */
const AMAZON_CONNECT_PROVIDER_ARN = 'arn:aws:sso::aws:applicationProvider/catalog/AmazonConnect';

/** What the console's application instances do to the public API's applications (sso-admin). */
export function applicationsOf(ssoAdmin: SimulatedSsoAdmin): ApplicationHooks {
  return {
    created: (instanceId, name) => ssoAdmin.createdThroughConsole(instanceId, name, AMAZON_CONNECT_PROVIDER_ARN),
    statusChanged: (instanceId, status) => {
      const arn = ssoAdmin.applicationOfInstance(instanceId);
      if (arn) ssoAdmin.setApplicationStatus(arn, status);
    },
    renamed: (instanceId, name) => {
      const arn = ssoAdmin.applicationOfInstance(instanceId);
      if (arn) ssoAdmin.renameApplication(arn, name);
    },
    deleted: (instanceId) => {
      const arn = ssoAdmin.applicationOfInstance(instanceId);
      if (arn) ssoAdmin.removeApplication(arn);
    },
  };
}

function stripMetadata(output: object): object {
  const { $metadata: _metadata, ...rest } = output as Record<string, unknown>;
  return rest;
}

/** One call of the console API as the service answers it: output, or a thrown SwbServiceFault. */
export async function swbAnswer(log: CallLog, swb: SimulatedSwb, operation: string, input: object): Promise<object> {
  return stripMetadata(await log.invoke('swb', operation, input, swb.operations));
}

/**
 * The console API as the pipeline's steps reach it: the real adapter (ConsoleApiClient), its requests built and its
 * answers parsed as against AWS, with this account answering in place of the HTTP endpoint; the service's faults
 * become the adapter's Mapping.* errors, as their HTTP answers would.
 */
export function swbClient(log: CallLog, swb: SimulatedSwb, region: string): ConsoleApi {
  return new ConsoleApiClient({
    region,
    credentials: { accessKeyId: 'simulated', secretAccessKey: 'simulated' },
    transport: async (operation, input) => {
      try {
        return await swbAnswer(log, swb, operation, input);
      } catch (error) {
        throw error instanceof SwbServiceFault ? error.asAdapterError() : error;
      }
    },
  });
}

/** The Identity Center portal's metadata URLs, each GET logged as service 'portal'. */
export function portalFetcher(log: CallLog, swb: SimulatedSwb): MetadataFetcher {
  const portal = {
    GET: (input: { url: string }) => {
      const instanceId = swb.instanceForMetadataUrl(new URL(input.url));
      if (!instanceId) throw new MetadataFetchFailedError(`GET ${input.url}: HTTP 404`);
      return { body: swb.metadataXml(instanceId) };
    },
  };
  return async (url) => {
    // The deployed fetcher turns every failure of the request into Metadata.FetchFailed; so does this stand-in.
    const answer = (await log.invoke('portal', 'GET', { url: url.toString() }, portal).catch((error: Error) => {
      throw error.name.startsWith('Metadata.') ? error : new MetadataFetchFailedError(`GET ${url.toString()}: ${error.name}`, { cause: error });
    })) as { body: string };
    return Buffer.from(answer.body, 'utf-8');
  };
}
