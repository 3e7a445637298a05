/**
 * The part of IAM Identity Center's console API (service "SWBService", JSON 1.1, undocumented) that this pipeline
 * uses. Kept behind this one interface: the real adapter signs HTTP requests, the simulated account implements it in
 * memory. docs/design.md lists what is and is not confirmed about it.
 */
export interface AttributeSource {
  source: string[];
  /** Fields the pipeline does not know are carried through as they were read. */
  [field: string]: unknown;
}

/**
 * The application's response configuration: the values of the assertion's subject and attributes, the session
 * duration (`ttl`) and, as far as public evidence goes, the relay state. The field name `relayState` is a guess: a
 * public clone of this API names it `relay_state` in its snake_case JSON, and the AWS JSON 1.1 APIs use camelCase.
 * The step therefore reads back what it wrote and claims the relay state only when the read shows it.
 */
export interface ResponseConfig {
  subject: AttributeSource;
  properties: Record<string, AttributeSource>;
  ttl: string;
  relayState?: string;
  /** Every other field the API returns (never dropped: a write replaces the whole configuration). */
  [field: string]: unknown;
}

export interface ResponseSchemaConfig {
  subject: { include: string; nameIdFormat: string; [field: string]: unknown };
  properties: Record<string, { attrNameFormat: string; include: string; [field: string]: unknown }>;
  [field: string]: unknown;
}

export interface ApplicationInstanceView {
  instanceId: string;
  /** `applicationInstance.identityProviderConfig.metadataUrl`: where the application's IdP metadata is served. */
  metadataUrl?: string;
  /** Absent when the API does not return it (unconfirmed) or nothing was configured yet. */
  responseConfig?: ResponseConfig;
  responseSchemaConfig?: ResponseSchemaConfig;
  /**
   * `applicationInstance.serviceProviderConfig`: where the application posts its assertions (the ACS URLs) and the
   * audience it names. Absent when the answer holds none (an application never set up, or a shape that hides it).
   */
  serviceProvider?: { audience?: string; acsUrls: string[] };
}

/**
 * One signing certificate of an application (ListApplicationInstanceCertificates). The field names follow the public
 * service models of this API; where a field is missing or shaped otherwise it is left out rather than guessed.
 */
export interface ApplicationCertificate {
  certificateId: string;
  /** ACTIVE for the one that signs assertions now; INACTIVE for one added ahead of a rotation or rotated out. */
  status: string;
  /** ISO 8601. */
  expiryDate?: string;
}

/** A catalog template an application is created from (ListApplicationTemplates). */
export interface ApplicationTemplate {
  templateId: string;
  /** The catalog's display name, e.g. "Amazon Connect". */
  name: string;
}

/**
 * Where the application's service provider receives assertions, and the audience it expects
 * (UpdateApplicationInstanceServiceProviderConfiguration): for Amazon Connect, AWS sign-in.
 */
export interface ServiceProviderConfig {
  audience: string;
  requireRequestSignature: boolean;
  consumers: Array<{ location: string; binding: string; defaultValue: boolean }>;
}

/** An application instance as ListApplicationInstances lists it: the name it was created under, when shown. */
export interface ApplicationInstanceSummary {
  instanceId: string;
  name?: string;
  status?: string;
}

export interface ConsoleApi {
  /** The templates of a catalog application (`app-...`), or, without one, whatever the list answers. */
  listApplicationTemplates(catalogApplicationId?: string): Promise<ApplicationTemplate[]>;
  /** Creates an application from a template; returns its console instance id (`ins-<id>`). */
  createApplicationInstance(templateId: string, name: string): Promise<string>;
  updateApplicationInstanceDisplayData(instanceId: string, displayName: string, description: string): Promise<void>;
  updateApplicationInstanceServiceProviderConfiguration(instanceId: string, config: ServiceProviderConfig): Promise<void>;
  updateApplicationInstanceStatus(instanceId: string, status: 'ENABLED' | 'DISABLED'): Promise<void>;
  listApplicationInstances(): Promise<ApplicationInstanceSummary[]>;
  /** The application's profiles (assigning people makes them); each must go before the instance can. */
  listProfiles(instanceId: string): Promise<Array<{ profileId: string; name?: string }>>;
  deleteProfile(instanceId: string, profileId: string): Promise<void>;
  deleteApplicationInstance(instanceId: string): Promise<void>;
  /** The Identity Center region the adapter calls, when it knows it. */
  readonly region?: string;
  listApplicationInstanceCertificates(instanceId: string): Promise<ApplicationCertificate[]>;
  getApplicationInstance(instanceId: string): Promise<ApplicationInstanceView>;
  updateApplicationInstanceResponseConfiguration(instanceId: string, responseConfig: ResponseConfig): Promise<void>;
  updateApplicationInstanceResponseSchemaConfiguration(instanceId: string, responseSchemaConfig: ResponseSchemaConfig): Promise<void>;
}
