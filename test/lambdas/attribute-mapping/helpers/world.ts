import { DescribeApplicationCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { mockClient } from 'aws-sdk-client-mock';
import { type MappingConfiguration, UNSPECIFIED_ATTR_NAME_FORMAT } from '../../../../lambdas/attribute-mapping/mapping';
import { SwbClient } from '../../../../lambdas/attribute-mapping/swb-client';
import type { ExecutionDocument, ExecutionRequest } from '../../../../lambdas/shared/document';
import { EMAIL_NAME_ID_FORMAT, type ResolvedProfile, ROLE_ATTRIBUTE } from '../../../../lambdas/shared/profile';
import { exampleProfile, makeDocument } from '../../../helpers/document';
import { FakeSwbService } from './fake-swb-server';
import { memoryS3 } from './memory-s3';

export const APP = 'arn:aws:sso::111122223333:application/ssoins-72236f2e1c0a9b84/apl-5a1e0c9f3b7d2e46';
export const INSTANCE = 'arn:aws:sso:::instance/ssoins-72236f2e1c0a9b84';
export const INSTANCE_ID = 'ins-5a1e0c9f3b7d2e46';
export const DEPARTMENT = 'https://example.com/SAML/Attributes/Department';
export const ROLE_ARN = 'arn:aws:iam::111122223333:role/ConnectAdminFederation';
export const PROVIDER_ARN = 'arn:aws:iam::111122223333:saml-provider/ConnectAdminIdP';
export const STATE_KEY = 'state/admin/attribute-mapping.json';
export const JOURNAL_KEY = (execution = 'exec-0001') => `journal/${execution}/attributeMapping.json`;

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

/**
 * One account for apply and revert tests: the console API on a local HTTP server (reached through the real, signing
 * SwbClient), an in-memory bucket, and sso-admin answering that the admin profile's application exists and is enabled.
 * `log` records S3 writes and console API calls in order.
 */
export function makeWorld() {
  const log: string[] = [];
  const service = new FakeSwbService(log);
  const ssoAdmin = new SSOAdminClient({ region: 'us-east-1' });
  const ssoMock = mockClient(ssoAdmin);
  let bucket = memoryS3(log);
  let swb: SwbClient;

  const world = {
    log,
    service,
    ssoAdmin,
    ssoMock,
    get bucket() {
      return bucket;
    },
    get deps() {
      return { ssoAdmin, swb, s3: bucket.s3, now: () => new Date('2030-01-02T03:04:05.000Z') };
    },
    async start() {
      await service.start();
      swb = new SwbClient({ region: 'us-east-1', endpoint: service.url, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
    },
    async stop() {
      await service.stop();
    },
    /** A fresh account holding `configuration` on the admin application (null: never configured). */
    reset(configuration: MappingConfiguration | null = consoleConfigured()) {
      log.length = 0;
      service.reset();
      service.instances.set(INSTANCE_ID, configuration ? structuredClone(configuration) : {});
      bucket = memoryS3(log);
      ssoMock.reset();
      ssoMock
        .on(DescribeApplicationCommand)
        .resolves({ ApplicationArn: APP, Name: 'Amazon Connect admins', InstanceArn: INSTANCE, Status: 'ENABLED' });
    },
    stored(): MappingConfiguration {
      return structuredClone(service.instances.get(INSTANCE_ID)) as MappingConfiguration;
    },
  };
  return world;
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
