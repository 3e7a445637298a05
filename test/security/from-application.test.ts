/**
 * Attacks on the metadata the pipeline fetches itself: IAM Identity Center's answers (the metadata URL, the response
 * configuration) are input, and whoever may upload may also write the key Intake stores fetched metadata under.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { applyAttributeMapping } from '../../lambdas/attribute-mapping/apply';
import { revertAttributeMapping } from '../../lambdas/attribute-mapping/revert';
import { checkProfile } from '../../lambdas/daily-check/check';
import { computedMetadataUrl, MAX_METADATA_BYTES } from '../../lambdas/identity-center/portal';
import { type IntakeDeps, intake } from '../../lambdas/intake/intake';
import { fetchedMetadataKey } from '../../lambdas/intake/request';
import { parseFederationConfig } from '../../lambdas/shared/profile';
import { accountForConfig, SIMULATED_BUCKET } from '../../local/simulated-services';
import type { SimulatedAccount } from '../../simulated-account';
import { makeMetadataXml } from '../../simulated-account/example-metadata';
import { exampleConfig } from '../helpers/document';
import { adminAccount, adminDocument, consoleConfigured, depsOf as mappingDeps, stored } from '../lambdas/attribute-mapping/helpers/world';
import { NOW } from '../lambdas/intake/fixtures';

const environment = { bucket: SIMULATED_BUCKET, account: '111122223333', region: 'us-east-1', partition: 'aws' };
const INSTANCE = 'arn:aws:sso:::instance/ssoins-72236f2e1c0a9b84';

function intakeDeps(account: SimulatedAccount, swb = account.clients().swb): IntakeDeps {
  const { s3, ssoAdmin, fetchMetadata } = account.clients();
  return { s3, identityCenter: { ssoAdmin, swb, fetchMetadata }, config: exampleConfig, environment, now: () => NOW };
}

describe('a metadata URL read back from IAM Identity Center', () => {
  it("cannot make Intake install another application's metadata by pointing at it on the portal host", async () => {
    const account = accountForConfig(exampleConfig, { clock: () => NOW });
    const other = account.addApplication({ name: 'HR portal', instanceArn: INSTANCE, status: 'ENABLED' });
    const { swb } = account.clients();
    const lying = {
      ...swb,
      getApplicationInstance: async (id: string) => ({
        ...(await swb.getApplicationInstance(id)),
        metadataUrl: computedMetadataUrl(other, 'us-east-1'),
      }),
    };
    // The agent profile names its application by display name: the document must still be exactly that application's.
    await expect(intake({ input: { profile: 'agent' }, executionName: 'exec-0001' }, intakeDeps(account, lying))).rejects.toMatchObject({
      name: 'Metadata.WrongApplication',
    });
  });
});

describe('a bucket writer who plants metadata/<profile>/identity-center.metadata', () => {
  it('cannot make Intake read an object over the metadata size cap into memory', async () => {
    const account = accountForConfig(exampleConfig, { clock: () => NOW });
    account.putObject(SIMULATED_BUCKET, fetchedMetadataKey('admin'), Buffer.alloc(MAX_METADATA_BYTES * 3, 0x20));
    const deps = intakeDeps(account);
    const read: number[] = [];
    const send = deps.s3.send.bind(deps.s3);
    deps.s3.send = (async (command: unknown) => {
      const answer = (await send(command as never)) as { Body?: { transformToByteArray(): Promise<Uint8Array> } };
      if (command instanceof GetObjectCommand && answer.Body) {
        const body = answer.Body;
        const original = body.transformToByteArray.bind(body);
        body.transformToByteArray = async () => {
          const bytes = await original();
          read.push(bytes.length);
          return bytes;
        };
      }
      return answer;
    }) as typeof deps.s3.send;
    await intake({ input: { profile: 'admin' }, executionName: 'exec-0001' }, deps);
    expect(Math.max(...read)).toBeLessThanOrEqual(MAX_METADATA_BYTES);
  });
});

describe('a response configuration with an attribute named __proto__ (read back, so input)', () => {
  function withProtoAttribute() {
    const base = consoleConfigured();
    const value = JSON.parse('{"__proto__": {"source": ["${user:costcenter}"]}}') as Record<string, { source: string[] }>;
    const schema = JSON.parse('{"__proto__": {"attrNameFormat": "urn:oasis:names:tc:SAML:2.0:attrname-format:basic", "include": "YES"}}') as Record<
      string,
      { attrNameFormat: string; include: string }
    >;
    return {
      responseConfig: { ...base.responseConfig, properties: { ...value, ...base.responseConfig.properties } },
      responseSchemaConfig: { ...base.responseSchemaConfig, properties: { ...schema, ...base.responseSchemaConfig.properties } },
    };
  }

  it('is carried through an update, as every field the pipeline does not own is, and put back by the revert', async () => {
    const account = adminAccount({ configuration: withProtoAttribute() });
    const before = JSON.stringify(stored(account));
    const receipt = await applyAttributeMapping(adminDocument(), mappingDeps(account));
    expect(receipt.action).toBe('updated');
    expect(Object.keys(stored(account).responseConfig.properties)).toContain('__proto__');
    expect(Object.keys(stored(account).responseSchemaConfig.properties)).toContain('__proto__');
    await revertAttributeMapping(
      adminDocument({ receipts: { attributeMapping: receipt }, request: { executionName: 'exec-0001' } }),
      mappingDeps(account),
    );
    expect(JSON.stringify(stored(account))).toBe(before);
  });
});

describe('the daily check', () => {
  it('starts no execution that Intake can only refuse (a profile pinned to another identity provider), and says why', async () => {
    const { CreateSAMLProviderCommand } = await import('@aws-sdk/client-iam');
    const cdkJson = (await import('../../cdk.json')).default;
    const external = 'https://idp.example.com/saml/metadata';
    const raw = structuredClone(cdkJson.context.samlFederation) as { profiles: Record<string, { identityProvider: Record<string, unknown> }> };
    raw.profiles.admin!.identityProvider.expectedEntityId = external;
    const config = parseFederationConfig(raw);
    const account = accountForConfig(config, { clock: () => NOW });
    await account.seed(({ iam }) =>
      iam.send(new CreateSAMLProviderCommand({ Name: 'AmazonConnectAdminAccess', SAMLMetadataDocument: makeMetadataXml({ entityId: external }) })),
    );
    const started: unknown[] = [];
    const published: string[] = [];
    const result = await checkProfile('admin', {
      ...account.clients(),
      config,
      environment,
      now: () => NOW,
      startExecution: async (input) => {
        started.push(input);
        return 'arn:aws:states:us-east-1:111122223333:execution:pipeline:x';
      },
      putDaysUntilExpiry: async () => undefined,
      putExpiryUnreadable: async () => undefined,
      publish: async (subject) => {
        published.push(subject);
      },
    });
    expect(started).toEqual([]);
    expect(result.refused).toMatch(/^Metadata\.WrongApplication/);
    expect(published).toContain("SAML federation: profile admin's application metadata changed but would be refused");
  });
});
