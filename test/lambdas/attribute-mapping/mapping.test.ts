import {
  describeChanges,
  desiredMapping,
  type MappingConfiguration,
  managedAttributeNames,
  manualInstructions,
  mappingEquals,
  mergeMapping,
  UNSPECIFIED_ATTR_NAME_FORMAT,
  withoutAttributes,
} from '../../../lambdas/attribute-mapping/mapping';
import { instanceIdFromApplicationArn } from '../../../lambdas/identity-center/locate';
import { EMAIL_NAME_ID_FORMAT, ROLE_ATTRIBUTE, ROLE_SESSION_NAME_ATTRIBUTE } from '../../../lambdas/shared/profile-schema';
import { exampleProfile, makeDocument } from '../../helpers/document';

const DEPARTMENT = 'https://example.com/SAML/Attributes/Department';
const roleReceipt = {
  step: 'role' as const,
  action: 'created' as const,
  arn: 'arn:aws:iam::111122223333:role/AmazonConnectAdminAccessRole',
  changes: [],
};
const providerReceipt = {
  step: 'identityProvider' as const,
  action: 'created' as const,
  arn: 'arn:aws:iam::111122223333:saml-provider/AmazonConnectAdminAccess',
  changes: [],
};

/** An application someone configured in the console: a department attribute the pipeline does not manage, an old Role. */
const consoleConfigured: MappingConfiguration = {
  responseConfig: {
    subject: { source: ['${user:subject}'] },
    properties: {
      [DEPARTMENT]: { source: ['${user:department}'] },
      [ROLE_ATTRIBUTE]: { source: ['arn:aws:iam::111122223333:role/Old,arn:aws:iam::111122223333:saml-provider/Old'] },
    },
    ttl: 'PT2H',
  },
  responseSchemaConfig: {
    subject: { include: 'REQUIRED', nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent' },
    properties: {
      [DEPARTMENT]: { attrNameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic', include: 'YES' },
      [ROLE_ATTRIBUTE]: { attrNameFormat: UNSPECIFIED_ATTR_NAME_FORMAT, include: 'YES' },
    },
  },
};

describe('the mapping a profile asks for', () => {
  it('sets the Role attribute to <role ARN>,<provider ARN> from the earlier receipts, plus the profile attributes', () => {
    const desired = desiredMapping(makeDocument({ receipts: { role: roleReceipt, identityProvider: providerReceipt } }));
    expect(desired).toEqual({
      subject: { source: '${user:email}', nameIdFormat: EMAIL_NAME_ID_FORMAT },
      attributes: {
        [ROLE_ATTRIBUTE]:
          'arn:aws:iam::111122223333:role/AmazonConnectAdminAccessRole,arn:aws:iam::111122223333:saml-provider/AmazonConnectAdminAccess',
        [ROLE_SESSION_NAME_ATTRIBUTE]: '${user:email}',
      },
      relayState: exampleProfile('admin').relayState,
    });
  });

  it('derives the ARNs from the profile when a receipt lacks them (dry run)', () => {
    const desired = desiredMapping(makeDocument({ request: { partition: 'aws-us-gov', account: '444455556666' }, receipts: {} }));
    expect(desired.attributes[ROLE_ATTRIBUTE]).toBe(
      'arn:aws-us-gov:iam::444455556666:role/AmazonConnectAdminAccessRole,arn:aws-us-gov:iam::444455556666:saml-provider/AmazonConnectAdminAccess',
    );
  });

  it('manages the Role attribute and the profile attributes only', () => {
    expect(managedAttributeNames(exampleProfile('admin'))).toEqual([ROLE_ATTRIBUTE, ROLE_SESSION_NAME_ATTRIBUTE]);
  });

  it('addresses the application as ins-<id> from its apl-<id> ARN', () => {
    expect(instanceIdFromApplicationArn('arn:aws:sso::111122223333:application/ssoins-72236f2e1c0a9b84/apl-5a1e0c9f3b7d2e46')).toBe(
      'ins-5a1e0c9f3b7d2e46',
    );
    expect(() => instanceIdFromApplicationArn('arn:aws:sso::111122223333:application/ssoins-72236f2e1c0a9b84')).toThrow(
      expect.objectContaining({ name: 'Mapping.ApplicationNotFound' }),
    );
  });
});

describe('merging onto the current configuration', () => {
  const desired = desiredMapping(makeDocument({ receipts: { role: roleReceipt, identityProvider: providerReceipt } }));

  it('keeps attributes the profile does not manage, with their format', () => {
    const merged = mergeMapping(consoleConfigured, desired);
    expect(merged.responseConfig.properties[DEPARTMENT]).toEqual({ source: ['${user:department}'] });
    expect(merged.responseSchemaConfig.properties[DEPARTMENT]).toEqual(consoleConfigured.responseSchemaConfig.properties[DEPARTMENT]);
  });

  it('overwrites the managed attributes and the subject, and keeps the ttl', () => {
    const merged = mergeMapping(consoleConfigured, desired);
    expect(merged.responseConfig.properties[ROLE_ATTRIBUTE]).toEqual({ source: [desired.attributes[ROLE_ATTRIBUTE]] });
    expect(merged.responseConfig.properties[ROLE_SESSION_NAME_ATTRIBUTE]).toEqual({ source: ['${user:email}'] });
    expect(merged.responseSchemaConfig.properties[ROLE_SESSION_NAME_ATTRIBUTE]).toEqual({
      attrNameFormat: UNSPECIFIED_ATTR_NAME_FORMAT,
      include: 'YES',
    });
    expect(merged.responseConfig.subject).toEqual({ source: ['${user:email}'] });
    expect(merged.responseSchemaConfig.subject).toEqual({ include: 'REQUIRED', nameIdFormat: EMAIL_NAME_ID_FORMAT });
    expect(merged.responseConfig.ttl).toBe('PT2H');
  });

  it('builds the whole configuration when there is none, with a one-hour ttl', () => {
    const merged = mergeMapping(undefined, desired);
    expect(Object.keys(merged.responseConfig.properties).sort()).toEqual([ROLE_ATTRIBUTE, ROLE_SESSION_NAME_ATTRIBUTE]);
    expect(merged.responseConfig.ttl).toBe('PT1H');
  });

  it('is already equal once merged, whatever the key order', () => {
    const merged = mergeMapping(consoleConfigured, desired);
    const reordered: MappingConfiguration = {
      responseSchemaConfig: structuredClone(merged.responseSchemaConfig),
      responseConfig: structuredClone(merged.responseConfig),
    };
    reordered.responseConfig.properties = Object.fromEntries(Object.entries(merged.responseConfig.properties).reverse());
    expect(mappingEquals(mergeMapping(merged, desired), reordered)).toBe(true);
    expect(mappingEquals(consoleConfigured, merged)).toBe(false);
  });

  it('takes out only the named attributes', () => {
    const stripped = withoutAttributes(mergeMapping(consoleConfigured, desired), managedAttributeNames(exampleProfile('admin')));
    expect(Object.keys(stripped.responseConfig.properties)).toEqual([DEPARTMENT]);
    expect(Object.keys(stripped.responseSchemaConfig.properties)).toEqual([DEPARTMENT]);
  });

  it('describes each change with the old value', () => {
    const changes = describeChanges(consoleConfigured, mergeMapping(consoleConfigured, desired));
    expect(changes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^subject: \$\{user:email\}.*was \$\{user:subject\}/),
        expect.stringMatching(new RegExp(`^attribute ${ROLE_ATTRIBUTE} = .*AmazonConnectAdminAccessRole.*; was .*role/Old`)),
        `attribute ${ROLE_SESSION_NAME_ATTRIBUTE} = \${user:email} (new)`,
      ]),
    );
    expect(changes.some((line) => line.includes(DEPARTMENT))).toBe(false);
  });
});

describe('manual instructions', () => {
  it('name the application and list each attribute with its value', () => {
    const desired = desiredMapping(makeDocument({ receipts: { role: roleReceipt, identityProvider: providerReceipt } }));
    const text = manualInstructions(
      'Amazon Connect admins',
      'arn:aws:sso::111122223333:application/ssoins-72236f2e1c0a9b84/apl-5a1e0c9f3b7d2e46',
      desired,
      'admin',
    );
    expect(text).toContain('"Amazon Connect admins"');
    expect(text).toContain('apl-5a1e0c9f3b7d2e46');
    expect(text).toContain(`${ROLE_ATTRIBUTE} = ${roleReceipt.arn},${providerReceipt.arn}`);
    expect(text).toContain(`${ROLE_SESSION_NAME_ATTRIBUTE} = \${user:email}`);
    expect(text).toContain(`Subject: \${user:email} (format ${EMAIL_NAME_ID_FORMAT})`);
    expect(text).toContain(`Relay state: ${exampleProfile('admin').relayState} (IAM Identity Center console:`);
  });

  it('leave the relay state out when the profile has none', () => {
    const { relayState: _omitted, ...desired } = desiredMapping(makeDocument({ receipts: { role: roleReceipt, identityProvider: providerReceipt } }));
    expect(
      manualInstructions(
        'Amazon Connect admins',
        'arn:aws:sso::111122223333:application/ssoins-72236f2e1c0a9b84/apl-5a1e0c9f3b7d2e46',
        desired,
        'admin',
      ),
    ).not.toContain('Relay state');
  });
});
