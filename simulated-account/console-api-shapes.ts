/**
 * IAM Identity Center's console API (JSON 1.1, target prefix SWBService) as the public evidence shows it: each
 * operation's request members, which are required, their types, and where each fact comes from. The simulated console
 * API refuses any request that does not fit (console-api-validation.ts), as a JSON 1.1 service answers a malformed
 * one, so a guessed member fails a test instead of passing. No official documentation exists; where the sources
 * disagree, `variants` holds each known shape and the tests run the step against every one.
 */

/** Where a fact comes from (checked 2026-12). */
export const SOURCES = {
  consoleModel:
    "The console's own SDK model, taken from the IAM Identity Center console's JavaScript (github.com/Frichetten/aws-api-models, models/SSO-2017-11-28-json.json; the same in every snapshot from 2023-06 to 2025-11)",
  idcSaml:
    'A hand-written botocore model with CloudFormation custom resources and boto3 scripts that create SAML applications on AWS (github.com/asyschikov/aws-idc-saml: service-2.json, examples/)',
  capture: "Notes from the console's own traffic, with a captured GetApplicationInstance answer and a script replaying the calls",
  huaweiClone:
    "Huawei Cloud's IdentityCenter, a clone of the same API (huaweicloud-sdk-python-v3, huaweicloud-sdk-identitycenter; its Terraform provider)",
  connectGuide:
    "AWS's instructions for the Amazon Connect catalog application app-20950d6d247fd7bd (static.global.sso.amazonaws.com/app-20950d6d247fd7bd/instructions/index.htm)",
} as const;

type Source = keyof typeof SOURCES;

/** How far a shape is known: called by real callers against AWS, only in a model, or inferred by this project. */
type Evidence = 'confirmed' | 'model' | 'inferred';

/** A member's type; 'any' where no source gives one. */
export type Shape =
  | 'string'
  | 'boolean'
  | 'integer'
  | 'timestamp'
  | 'any'
  | { readonly list: Shape }
  | { readonly map: Shape }
  | { readonly structure: Members };

export type Members = Readonly<Record<string, { readonly shape: Shape; readonly required?: boolean }>>;

export interface OperationShape {
  readonly input: Members;
  readonly evidence: Evidence;
  readonly sources: readonly Source[];
  readonly note?: string;
  /** Other request shapes a source shows, by the source's name: the simulator can be made to answer in each. */
  readonly variants?: Readonly<Record<string, Members>>;
}

const req = (shape: Shape) => ({ shape, required: true }) as const;
const opt = (shape: Shape) => ({ shape }) as const;
const strings: Shape = { list: 'string' };

/** `{source: [...], transforms: [...]}`: where an attribute's value comes from. */
const ATTRIBUTE_SOURCE: Shape = { structure: { source: req(strings), transforms: opt(strings) } };

const RESPONSE_CONFIG: Shape = {
  structure: {
    subject: opt(ATTRIBUTE_SOURCE),
    properties: opt({ map: ATTRIBUTE_SOURCE }),
    ttl: opt('string'),
    // In the console model and the clone (relay_state); no caller shows it: the step reads back what it wrote.
    relayState: opt('string'),
  },
};

const SCHEMA_ENTRY = (nameMember: 'nameIdFormat' | 'attrNameFormat'): Shape => ({
  structure: {
    include: req('string'),
    [nameMember]: opt('string'),
    multiValue: opt('any'),
    friendlyName: opt('string'),
    values: opt(strings),
  },
});

const RESPONSE_SCHEMA_CONFIG: Shape = {
  structure: {
    subject: opt(SCHEMA_ENTRY('nameIdFormat')),
    properties: opt({ map: SCHEMA_ENTRY('attrNameFormat') }),
    supportedNameIdFormats: opt(strings),
  },
};

const SERVICE_PROVIDER_CONFIG: Shape = {
  structure: {
    audience: req('string'),
    requireRequestSignature: req('boolean'),
    consumers: req({ list: { structure: { location: req('string'), binding: req('string'), defaultValue: req('boolean') } } }),
    startUrl: opt('string'),
    certificates: opt({ list: { structure: { certificate: req('string'), usage: opt('string'), algorithm: opt('string') } } }),
  },
};

const FILTER: Shape = { structure: { filterMode: req('string'), filterKey: req('string'), filterValue: req('string') } };

export const CONSOLE_API_SHAPES: Readonly<Record<string, OperationShape>> = {
  GetApplicationInstance: {
    input: { instanceId: req('string') },
    evidence: 'confirmed',
    sources: ['consoleModel', 'idcSaml', 'capture'],
    note: 'Answers {applicationInstance: {instanceId, name, status, display, template, serviceProviderConfig, responseConfig, responseSchemaConfig, identityProviderConfig: {metadataUrl, issuerUrl, ...}, activeCertificate, profiles, ...}}; callers read identityProviderConfig.metadataUrl. Whether a real answer carries responseConfig is not shown by any capture.',
  },
  ListApplicationInstances: {
    input: { marker: opt('string'), filter: opt(FILTER) },
    evidence: 'confirmed',
    sources: ['consoleModel', 'idcSaml', 'capture'],
    note: 'Answers {applicationInstances: [ApplicationInstance], marker}; the hand-written model has neither input nor marker.',
  },
  ListApplicationTemplates: {
    input: { applicationId: req('string') },
    evidence: 'model',
    sources: ['consoleModel', 'huaweiClone'],
    note: 'Answers {applicationTemplates: [{templateId, sSOProtocol, application: {applicationId, display: {displayName}}, ...}]} in the console model and the clone; the hand-written model takes no input and puts the name at the top level (name). No real caller of either is public.',
    variants: { idcSaml: {} },
  },
  CreateApplicationInstance: {
    input: { templateId: req('string'), name: req('string'), templateVersion: opt('string') },
    evidence: 'confirmed',
    sources: ['consoleModel', 'idcSaml', 'capture'],
    note: 'Every caller sends a random UUID as name; the console does not show it (the display name is set apart), and whether ListApplicationInstances returns it is only in the console model. Answers {applicationInstance: {instanceId, ...}}.',
  },
  UpdateApplicationInstanceDisplayData: {
    input: { instanceId: req('string'), displayName: opt('string'), icon: opt('string'), description: opt('string') },
    evidence: 'confirmed',
    sources: ['consoleModel', 'idcSaml', 'capture'],
  },
  UpdateApplicationInstanceServiceProviderConfiguration: {
    input: { instanceId: req('string'), serviceProviderConfig: req(SERVICE_PROVIDER_CONFIG) },
    evidence: 'confirmed',
    sources: ['consoleModel', 'idcSaml', 'capture', 'connectGuide'],
    note: 'Callers send {audience, consumers: [{location: <ACS URL>, binding: urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST, defaultValue: false}], requireRequestSignature: false}; for Amazon Connect the guide gives ACS URL https://signin.aws.amazon.com/saml and audience urn:amazon:webservices.',
  },
  UpdateApplicationInstanceStatus: {
    input: { instanceId: req('string'), status: req('string') },
    evidence: 'confirmed',
    sources: ['consoleModel', 'idcSaml', 'capture'],
    note: 'Callers send ENABLED; DISABLED appears only in the hand-written model.',
  },
  DeleteApplicationInstance: {
    input: { instanceId: req('string') },
    evidence: 'confirmed',
    sources: ['consoleModel', 'idcSaml', 'capture'],
    note: 'Two callers say the profiles must be deleted first; no source shows the error answered otherwise (the simulator answers ValidationException, a guess).',
  },
  ListProfiles: {
    input: { instanceId: req('string'), marker: opt('string') },
    evidence: 'confirmed',
    sources: ['consoleModel', 'idcSaml', 'capture'],
    note: 'Answers {applicationProfiles: [{profileId, status, name, ...}], marker}; assigning people creates a profile.',
  },
  DeleteProfile: {
    input: { instanceId: req('string'), profileId: req('string') },
    evidence: 'confirmed',
    sources: ['consoleModel', 'idcSaml', 'capture'],
  },
  ListApplicationInstanceCertificates: {
    input: { instanceId: req('string'), marker: opt('string') },
    evidence: 'model',
    sources: ['consoleModel', 'idcSaml', 'huaweiClone'],
    note: 'The list is applicationInstanceCertificates (console model, clone) or certificates (hand-written model); expiryDate a timestamp (console model: epoch seconds in JSON 1.1, unconfirmed), text (hand-written model) or epoch milliseconds (clone). No real caller is public.',
  },
  UpdateApplicationInstanceResponseConfiguration: {
    input: { instanceId: req('string'), responseConfig: req(RESPONSE_CONFIG) },
    evidence: 'confirmed',
    sources: ['consoleModel', 'idcSaml', 'capture'],
  },
  UpdateApplicationInstanceResponseSchemaConfiguration: {
    input: { instanceId: req('string'), responseSchemaConfig: req(RESPONSE_SCHEMA_CONFIG) },
    evidence: 'confirmed',
    sources: ['consoleModel', 'idcSaml', 'capture'],
  },
};
