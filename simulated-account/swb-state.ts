import type { ResponseConfig, ResponseSchemaConfig } from '../lambdas/identity-center/console-api';
import type { AccountContext } from './context';

/** The simulated console API's state and options, as its operations (swb-operations.ts) and its class (swb.ts) see them. */

/**
 * The catalog templates the simulated console offers: Amazon Connect's catalog application is AWS's (its integration
 * instructions name it), its template id is this simulation's; the Custom SAML 2.0 ids are those public callers use.
 */
export const APPLICATION_TEMPLATES = [
  { applicationId: 'app-20950d6d247fd7bd', templateId: 'tpl-0a1b2c3d4e5f6a7b', name: 'Amazon Connect' },
  { applicationId: 'app-520727d4117d1647', templateId: 'tpl-50e590700beb5208', name: 'Custom SAML 2.0 application' },
] as const;

/** A catalog entry: the catalog application, its template, the name the catalog shows. */
export interface CatalogTemplate {
  applicationId: string;
  templateId: string;
  name: string;
}

/** What creating or deleting an application instance does beside the console API: the public API's application. */
export interface ApplicationHooks {
  /** Registers a new application for the instance id, with this display name; returns nothing. */
  created(instanceId: string, name: string): void;
  /** UpdateApplicationInstanceStatus: the application's status in the public API follows. */
  statusChanged(instanceId: string, status: 'ENABLED' | 'DISABLED'): void;
  renamed(instanceId: string, name: string): void;
  deleted(instanceId: string): void;
}

export interface SwbOptions {
  /**
   * Whether GetApplicationInstance returns the stored configuration. docs/design.md lists this as unconfirmed for the
   * real API; false lets a test exercise the path where the pipeline cannot read what is there. Default true.
   */
  returnsConfiguration?: boolean;
  /**
   * Whether the response configuration keeps a `relayState` field. The field's name is a guess (lambdas/identity-center/console-api.ts); false
   * models an API that drops it silently, so that the step's read-back has something to catch. Default true.
   */
  keepsRelayState?: boolean;
  /**
   * Which public source's shape the template list answers in (console-api-shapes.ts): the console's model takes a
   * catalog application id and names a template under application.display; a hand-written model takes nothing and
   * names it at the top level. Default the console's model.
   */
  templateList?: 'consoleModel' | 'idcSaml';
  /** Which source's shape the certificate list answers in: list key and expiry form. Default the console's model. */
  certificateList?: 'consoleModel' | 'idcSaml' | 'huaweiClone';
  /**
   * Whether ListApplicationInstances shows the name an instance was created under (the console's model has the
   * member; no capture shows a value). False models a list in which a lost creation cannot be found. Default true.
   */
  listsInstanceNames?: boolean;
  /** The catalog's templates; default APPLICATION_TEMPLATES (a test of a catalog without Amazon Connect sets its own). */
  templates?: readonly CatalogTemplate[];
}

/** What the console keeps of an instance beside its mapping: how it was created and is set up, and its profiles. */
export interface InstanceSetup {
  name?: string;
  templateId?: string;
  status: 'ENABLED' | 'DISABLED';
  serviceProviderConfig?: Record<string, unknown>;
  profiles: string[];
}

export interface SwbInstanceSnapshot {
  responseConfig?: ResponseConfig;
  responseSchemaConfig?: ResponseSchemaConfig;
}

/** One signing certificate of an application, as Identity Center keeps it. */
export interface SimulatedCertificate {
  certificateId: string;
  certificatePem: string;
  notAfter: Date;
  status: 'ACTIVE' | 'INACTIVE';
}

/** What the console API's operations read and change (SimulatedSwb). */
export interface SwbState {
  readonly context: AccountContext;
  readonly options: SwbOptions;
  readonly hooks?: ApplicationHooks;
  readonly setups: Map<string, InstanceSetup>;
  createInstance(name: string, templateId: string): string;
  ensureProfile(instanceId: string): void;
  removeInstance(instanceId: string): void;
  instanceView(instanceId: string): Record<string, unknown>;
  configurationOf(operation: string, instanceId: unknown): SwbInstanceSnapshot;
  instanceIds(): string[];
  certificatesOf(instanceId: string): SimulatedCertificate[];
}
