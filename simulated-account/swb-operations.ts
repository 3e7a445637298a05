import type { ResponseConfig, ResponseSchemaConfig } from '../lambdas/identity-center/console-api';
import { CONSOLE_API_SHAPES, type Members } from './console-api-shapes';
import { checkRequest } from './console-api-validation';
import type { Operations } from './context';
import { SwbServiceFault } from './errors';
import { ok } from './support';
import { APPLICATION_TEMPLATES, type CatalogTemplate, type SwbState } from './swb-state';

type Input = Record<string, unknown> & { instanceId: string };

/** A template as the chosen source's shape names it (console-api-shapes.ts, ListApplicationTemplates). */
function templateView(template: CatalogTemplate, shape: 'consoleModel' | 'idcSaml'): object {
  return shape === 'idcSaml'
    ? { templateId: template.templateId, name: template.name, sSOProtocol: 'SAML' }
    : {
        templateId: template.templateId,
        sSOProtocol: 'SAML',
        application: { applicationId: template.applicationId, display: { displayName: template.name }, applicationType: 'SAML' },
      };
}

/** The certificate list in the chosen source's shape: its key, and the expiry as that source gives it. */
function certificateList(swb: SwbState, instanceId: string): object {
  const shape = swb.options.certificateList ?? 'consoleModel';
  const list = swb.certificatesOf(instanceId).map((certificate) => ({
    certificateId: certificate.certificateId,
    status: certificate.status,
    algorithm: 'SHA256withRSA',
    keySize: '2048',
    expiryDate:
      shape === 'idcSaml'
        ? certificate.notAfter.toISOString()
        : shape === 'huaweiClone'
          ? certificate.notAfter.getTime()
          : certificate.notAfter.getTime() / 1000,
  }));
  return shape === 'idcSaml' ? { certificates: list } : { applicationInstanceCertificates: list };
}

/**
 * The console API's operations over the simulated state. Every request is first held to its shape in the public
 * evidence (console-api-shapes.ts); an operation the evidence does not show is unknown to the service.
 */
export function swbOperations(swb: SwbState): Operations {
  const handlers = { ...instanceHandlers(swb), ...profileAndMappingHandlers(swb) };
  return Object.fromEntries(
    Object.entries(handlers).map(([operation, handler]) => [
      operation,
      (input: Input) => {
        checkRequest(operation, input, requestShape(swb, operation));
        return handler(input);
      },
    ]),
  );
}

type Handlers = Record<string, (input: Input) => object>;

/** The instances: reading, listing, the catalog, creating one and setting it up. */
function instanceHandlers(swb: SwbState): Handlers {
  return {
    GetApplicationInstance: (input) => {
      const instance = swb.configurationOf('GetApplicationInstance', input.instanceId);
      const applicationInstance = swb.instanceView(input.instanceId);
      // Whether a real answer carries the mapping is not shown by any capture (console-api-shapes.ts).
      if (swb.options.returnsConfiguration === false) return ok({ applicationInstance });
      return ok({ applicationInstance, ...structuredClone(instance) });
    },
    ListApplicationInstances: () =>
      ok({
        applicationInstances: swb.instanceIds().map((instanceId) => {
          const { name: _name, ...unnamed } = swb.instanceView(instanceId);
          return swb.options.listsInstanceNames === false ? unnamed : swb.instanceView(instanceId);
        }),
      }),
    ListApplicationTemplates: (input) => {
      const shape = swb.options.templateList ?? 'consoleModel';
      const catalog: readonly CatalogTemplate[] = swb.options.templates ?? APPLICATION_TEMPLATES;
      const templates = shape === 'idcSaml' ? catalog : catalog.filter((template) => template.applicationId === input.applicationId);
      return ok({ applicationTemplates: templates.map((template) => templateView(template, shape)) });
    },
    CreateApplicationInstance: (input) => {
      const template = (swb.options.templates ?? APPLICATION_TEMPLATES).find((candidate) => candidate.templateId === input.templateId);
      if (!template)
        throw new SwbServiceFault('CreateApplicationInstance', 'ResourceNotFoundException', `template ${String(input.templateId)} not found`);
      const instanceId = swb.createInstance(String(input.name), template.templateId);
      // The name stays internal: the public API shows the catalog's name until the display data is set.
      swb.hooks?.created(instanceId, template.name);
      return ok({ applicationInstance: swb.instanceView(instanceId) });
    },
    UpdateApplicationInstanceDisplayData: (input) => {
      swb.configurationOf('UpdateApplicationInstanceDisplayData', input.instanceId);
      if (typeof input.displayName === 'string') swb.hooks?.renamed(input.instanceId, input.displayName);
      return ok({});
    },
    UpdateApplicationInstanceServiceProviderConfiguration: (input) => {
      swb.configurationOf('UpdateApplicationInstanceServiceProviderConfiguration', input.instanceId);
      const setup = swb.setups.get(input.instanceId);
      if (setup) setup.serviceProviderConfig = structuredClone(input.serviceProviderConfig as Record<string, unknown>);
      return ok({});
    },
    UpdateApplicationInstanceStatus: (input) => {
      swb.configurationOf('UpdateApplicationInstanceStatus', input.instanceId);
      if (input.status !== 'ENABLED' && input.status !== 'DISABLED')
        throw new SwbServiceFault(
          'UpdateApplicationInstanceStatus',
          'ValidationException',
          `status ${String(input.status)} is not ENABLED or DISABLED`,
        );
      const setup = swb.setups.get(input.instanceId);
      if (setup) setup.status = input.status;
      swb.hooks?.statusChanged(input.instanceId, input.status);
      return ok({});
    },
  };
}

/** An instance's profiles and its deletion, its certificates and its mapping. */
function profileAndMappingHandlers(swb: SwbState): Handlers {
  return {
    ListProfiles: (input) => {
      swb.configurationOf('ListProfiles', input.instanceId);
      const profiles = swb.setups.get(input.instanceId)?.profiles ?? [];
      return ok({ applicationProfiles: profiles.map((profileId) => ({ profileId, name: 'Default', status: 'ENABLED' })) });
    },
    DeleteProfile: (input) => {
      swb.configurationOf('DeleteProfile', input.instanceId);
      const setup = swb.setups.get(input.instanceId);
      if (!setup?.profiles.includes(String(input.profileId)))
        throw new SwbServiceFault('DeleteProfile', 'ResourceNotFoundException', `profile ${String(input.profileId)} not found`);
      setup.profiles = setup.profiles.filter((profileId) => profileId !== input.profileId);
      return ok({});
    },
    DeleteApplicationInstance: (input) => {
      swb.configurationOf('DeleteApplicationInstance', input.instanceId);
      // Two public callers say the profiles must go first; the error's name and words are a guess.
      if ((swb.setups.get(input.instanceId)?.profiles.length ?? 0) > 0)
        throw new SwbServiceFault('DeleteApplicationInstance', 'ValidationException', 'Delete the application instance profiles before the instance');
      swb.removeInstance(input.instanceId);
      swb.hooks?.deleted(input.instanceId);
      return ok({});
    },
    ListApplicationInstanceCertificates: (input) => {
      swb.configurationOf('ListApplicationInstanceCertificates', input.instanceId);
      return ok(certificateList(swb, input.instanceId));
    },
    UpdateApplicationInstanceResponseConfiguration: (input) => {
      const instance = swb.configurationOf('UpdateApplicationInstanceResponseConfiguration', input.instanceId);
      instance.responseConfig = structuredClone(input.responseConfig as ResponseConfig);
      if (swb.options.keepsRelayState === false) delete instance.responseConfig.relayState;
      return ok({});
    },
    UpdateApplicationInstanceResponseSchemaConfiguration: (input) => {
      const instance = swb.configurationOf('UpdateApplicationInstanceResponseSchemaConfiguration', input.instanceId);
      instance.responseSchemaConfig = structuredClone(input.responseSchemaConfig as ResponseSchemaConfig);
      return ok({});
    },
  };
}

/** The request shape the simulated service holds an operation to: the console's model, or the chosen variant. */
function requestShape(swb: SwbState, operation: string): Members {
  const shape = CONSOLE_API_SHAPES[operation];
  if (!shape) throw new Error(`console-api-shapes.ts has no shape for ${operation}`);
  if (operation === 'ListApplicationTemplates' && swb.options.templateList === 'idcSaml') return shape.variants?.idcSaml ?? shape.input;
  return shape.input;
}
