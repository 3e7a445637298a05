import type { ConsoleApi } from '../lambdas/identity-center/console-api';
import { toApplicationInstanceView, toCertificates, toTemplates } from '../lambdas/identity-center/console-client';
import { MetadataFetchFailedError } from '../lambdas/identity-center/errors';
import type { MetadataFetcher } from '../lambdas/identity-center/portal';
import type { CallLog } from './calls';
import { SwbServiceFault } from './errors';
import type { SimulatedSsoAdmin } from './sso-admin';
import type { ApplicationHooks, SimulatedSwb } from './swb';

/** The provider of applications made from the console's "Amazon Connect" catalog template. */
const AMAZON_CONNECT_PROVIDER_ARN = 'arn:aws:sso::aws:applicationProvider/catalog/AmazonConnect';

/** What the console's application instances do to the public API's applications (sso-admin). */
export function applicationsOf(ssoAdmin: SimulatedSsoAdmin): ApplicationHooks {
  return {
    created: (instanceId, name) => ssoAdmin.createdThroughConsole(instanceId, name, AMAZON_CONNECT_PROVIDER_ARN),
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

/** The console API as the pipeline's steps reach it, through the HTTP adapter's interface. */
export function swbClient(log: CallLog, swb: SimulatedSwb, region: string): ConsoleApi {
  // Stands in for the HTTP adapter: the service's answers, and its faults, become the adapter's Mapping.* errors.
  const call = async (operation: string, input: object): Promise<object> => {
    try {
      return await swbAnswer(log, swb, operation, input);
    } catch (error) {
      throw error instanceof SwbServiceFault ? error.asAdapterError() : error;
    }
  };
  return {
    region,
    // Through the real adapter's parsers, so that what the steps see is what they would make of the HTTP answer.
    getApplicationInstance: async (instanceId) => toApplicationInstanceView(instanceId, await call('GetApplicationInstance', { instanceId })),
    listApplicationInstanceCertificates: async (instanceId) => toCertificates(await call('ListApplicationInstanceCertificates', { instanceId })),
    listApplicationTemplates: async () => toTemplates(await call('ListApplicationTemplates', {})),
    createApplicationInstance: async (templateId, name) => {
      const answer = (await call('CreateApplicationInstance', { templateId, name })) as { applicationInstance: { instanceId: string } };
      return answer.applicationInstance.instanceId;
    },
    updateApplicationInstanceDisplayData: async (instanceId, displayName, description) => {
      await call('UpdateApplicationInstanceDisplayData', { instanceId, displayName, description });
    },
    deleteApplicationInstance: async (instanceId) => {
      await call('DeleteApplicationInstance', { instanceId });
    },
    updateApplicationInstanceResponseConfiguration: async (instanceId, responseConfig) => {
      await call('UpdateApplicationInstanceResponseConfiguration', { instanceId, responseConfig });
    },
    updateApplicationInstanceResponseSchemaConfiguration: async (instanceId, responseSchemaConfig) => {
      await call('UpdateApplicationInstanceResponseSchemaConfiguration', { instanceId, responseSchemaConfig });
    },
  };
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
