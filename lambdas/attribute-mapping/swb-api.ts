/**
 * The part of IAM Identity Center's console API (service "SWBService", JSON 1.1, undocumented) that this pipeline
 * uses. Kept behind this one interface: the real adapter signs HTTP requests, the simulated account implements it in
 * memory. DESIGN.md, "Attribute mapping", lists what is and is not confirmed about it.
 */
export interface AttributeSource {
  source: string[];
}

export interface ResponseConfig {
  subject: AttributeSource;
  properties: Record<string, AttributeSource>;
  ttl: string;
}

export interface ResponseSchemaConfig {
  subject: { include: string; nameIdFormat: string };
  properties: Record<string, { attrNameFormat: string; include: string }>;
}

export interface ApplicationInstanceView {
  instanceId: string;
  /** Absent when the API does not return it (unconfirmed) or nothing was configured yet. */
  responseConfig?: ResponseConfig;
  responseSchemaConfig?: ResponseSchemaConfig;
}

export interface SwbApi {
  getApplicationInstance(instanceId: string): Promise<ApplicationInstanceView>;
  updateApplicationInstanceResponseConfiguration(instanceId: string, responseConfig: ResponseConfig): Promise<void>;
  updateApplicationInstanceResponseSchemaConfiguration(instanceId: string, responseSchemaConfig: ResponseSchemaConfig): Promise<void>;
}
