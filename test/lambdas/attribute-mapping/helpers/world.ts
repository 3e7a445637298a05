import type { AttributeMappingDeps } from '../../../../lambdas/attribute-mapping/apply';
import { type MappingConfiguration, UNSPECIFIED_ATTR_NAME_FORMAT } from '../../../../lambdas/attribute-mapping/mapping';
import { stateKey } from '../../../../lambdas/attribute-mapping/state';
import type { ExecutionDocument, ExecutionRequest } from '../../../../lambdas/shared/document';
import { journalKey } from '../../../../lambdas/shared/journal';
import type { ResolvedProfile } from '../../../../lambdas/shared/profile';
import { EMAIL_NAME_ID_FORMAT, ROLE_ATTRIBUTE } from '../../../../lambdas/shared/profile-schema';
import { NEW_APPLICATION_MAPPING } from '../../../../local/simulated-services';
import { SimulatedAccount } from '../../../../simulated-account';
import { exampleProfile, makeDocument } from '../../../helpers/document';

const BUCKET = 'federation-metadata-bucket';
/** The admin profile's application and instance, as cdk.json names them. */
export const APP = 'arn:aws:sso::111122223333:application/ssoins-72236f2e1c0a9b84/apl-5a1e0c9f3b7d2e46';
const INSTANCE = 'arn:aws:sso:::instance/ssoins-72236f2e1c0a9b84';
export const INSTANCE_ID = 'ins-5a1e0c9f3b7d2e46';
/** Another application of the same instance, which the admin profile must never touch. */
export const AGENT_APP = 'arn:aws:sso::111122223333:application/ssoins-72236f2e1c0a9b84/apl-00001111aaaabbbb';
export const DEPARTMENT = 'https://example.com/SAML/Attributes/Department';
export const ROLE_ARN = 'arn:aws:iam::111122223333:role/AmazonConnectAdminAccessRole';
export const PROVIDER_ARN = 'arn:aws:iam::111122223333:saml-provider/AmazonConnectAdminAccess';
/** Where the pipeline keeps the admin profile's saved mapping and an execution's journal entry, in its record table. */
export const STATE_KEY = stateKey('admin');
export const JOURNAL_KEY = (execution = 'exec-0001') => journalKey({ executionName: execution }, 'attributeMapping');

/** What an administrator left in the console before the pipeline ran: an unmanaged attribute and an old Role. */
export function consoleConfigured(): MappingConfiguration {
  return {
    responseConfig: {
      subject: { source: ['${user:email}'] },
      properties: {
        [DEPARTMENT]: { source: ['${user:department}'] },
        [ROLE_ATTRIBUTE]: { source: ['arn:aws:iam::111122223333:role/Old,arn:aws:iam::111122223333:saml-provider/Old'] },
      },
      ttl: 'PT1H',
    },
    responseSchemaConfig: {
      subject: { include: 'REQUIRED', nameIdFormat: EMAIL_NAME_ID_FORMAT },
      properties: {
        [DEPARTMENT]: { attrNameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic', include: 'YES' },
        [ROLE_ATTRIBUTE]: { attrNameFormat: UNSPECIFIED_ATTR_NAME_FORMAT, include: 'YES' },
      },
    },
  };
}

export interface AdminAccountOptions {
  /** What the console API holds for the admin application; null: never configured. Default consoleConfigured(). */
  configuration?: MappingConfiguration | null;
  /** False: GetApplicationInstance answers without the mapping, as the real API might (unconfirmed). */
  swbReturnsConfiguration?: boolean;
  /** False: the console API drops the relay state written to it (its field name is a guess). */
  swbKeepsRelayState?: boolean;
  status?: 'ENABLED' | 'DISABLED';
}

/**
 * The account the admin profile was written for: the metadata bucket, the IAM Identity Center instance with the admin
 * application ("Amazon Connect admins") and, beside it, the agent application as the console creates it.
 */
export function adminAccount(options: AdminAccountOptions = {}): SimulatedAccount {
  const account = new SimulatedAccount({ swbReturnsConfiguration: options.swbReturnsConfiguration, swbKeepsRelayState: options.swbKeepsRelayState });
  account.createBucket(BUCKET);
  account.addIdentityCenterInstance({ arn: INSTANCE });
  account.addApplication({ name: 'Amazon Connect admins', arn: APP, instanceArn: INSTANCE, status: options.status ?? 'ENABLED' });
  account.addApplication({ name: 'Amazon Connect - Agent', arn: AGENT_APP, instanceArn: INSTANCE });
  account.setApplicationConfiguration(AGENT_APP, NEW_APPLICATION_MAPPING);
  const configuration = options.configuration === undefined ? consoleConfigured() : options.configuration;
  if (configuration) account.setApplicationConfiguration(APP, configuration);
  return account;
}

/** The step's clients, all reaching `account`; the clock is pinned so journal and state entries are reproducible. */
export function depsOf(account: SimulatedAccount): AttributeMappingDeps {
  const { ssoAdmin, swb, records } = account.clients();
  return { ssoAdmin, swb, records, now: () => new Date('2030-01-02T03:04:05.000Z') };
}

/** What the console API holds for the admin application, whether or not GetApplicationInstance would return it. */
export function stored(account: SimulatedAccount): MappingConfiguration {
  return account.snapshot().swb[INSTANCE_ID] as MappingConfiguration;
}

/** Every write the account received, in order: `swb <operation>` for the console API, `records <operation> <pk>` for the record table. */
export function writes(account: SimulatedAccount): string[] {
  return account
    .mutatingCalls()
    .map((call) =>
      call.service === 'records'
        ? `records ${call.operation} ${(call.input as { Item: { pk: { S: string } } }).Item.pk.S}`
        : `${call.service} ${call.operation}`,
    );
}

/** The console API writes only, by operation. */
export function swbWrites(account: SimulatedAccount): string[] {
  return account.mutatingCalls({ service: 'swb' }).map((call) => call.operation);
}

/** The services the step called at all, reads included. */
export function servicesCalled(account: SimulatedAccount): string[] {
  return [...new Set(account.calls.map((call) => call.service))];
}

export function adminDocument(
  options: { request?: Partial<ExecutionRequest>; profile?: ResolvedProfile; receipts?: ExecutionDocument['receipts'] } = {},
): ExecutionDocument {
  return makeDocument({
    request: options.request,
    // A copy: tests change profile attributes, and exampleProfile shares its nested objects.
    profile: structuredClone(options.profile ?? exampleProfile('admin')),
    receipts: {
      identityProvider: { step: 'identityProvider', action: 'created', arn: PROVIDER_ARN, changes: [] },
      role: { step: 'role', action: 'created', arn: ROLE_ARN, changes: [] },
      ...options.receipts,
    },
  });
}

export function manualProfile(): ResolvedProfile {
  const profile = exampleProfile('admin');
  return { ...profile, attributeMapping: { ...profile.attributeMapping, mode: 'manual' } };
}

/** The admin profile that writes over a configuration the console API does not return (attributeMapping.onUnreadable). */
export function overwritingProfile(): ResolvedProfile {
  const profile = exampleProfile('admin');
  return { ...profile, attributeMapping: { ...profile.attributeMapping, onUnreadable: 'overwrite' } };
}
