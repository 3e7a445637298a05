import { createHash } from 'node:crypto';
import { checkMetadataUrl, computedMetadataUrl, httpsMetadataFetcher } from '../../../lambdas/identity-center/portal';
import { type IntakeDeps, intake } from '../../../lambdas/intake/intake';
import { fetchedMetadataKey } from '../../../lambdas/intake/request';
import { accountForConfig, SIMULATED_BUCKET } from '../../../local/simulated-services';
import type { SimulatedAccount } from '../../../simulated-account';
import { exampleConfig, exampleProfile } from '../../helpers/document';
import { NOW } from '../intake/fixtures';

const ADMIN_APP = exampleProfile('admin').application.arn!;
const environment = { bucket: SIMULATED_BUCKET, account: '111122223333', region: 'us-east-1', partition: 'aws' };

let account: SimulatedAccount;
beforeEach(() => {
  account = accountForConfig(exampleConfig, { clock: () => NOW });
});

function deps(overrides: Partial<IntakeDeps['identityCenter']> = {}): IntakeDeps {
  const { s3, ssoAdmin, swb, fetchMetadata } = account.clients();
  return { s3, identityCenter: { ssoAdmin, swb, fetchMetadata, ...overrides }, config: exampleConfig, environment, now: () => NOW };
}

const fromApplication = (input: Record<string, unknown> = { profile: 'admin' }, executionName = 'exec-0001') => ({ input, executionName });

describe('Intake, metadata straight from the application ({"profile": ...})', () => {
  it("fetches the application's metadata, stores it as a new version in the profile's folder and validates that version", async () => {
    const document = await intake(fromApplication(), deps());
    expect(document.request).toMatchObject({ source: 'application', profile: 'admin', key: fetchedMetadataKey('admin'), bucket: SIMULATED_BUCKET });
    const stored = account.snapshot().s3[SIMULATED_BUCKET]![fetchedMetadataKey('admin')]!;
    expect(stored.sha256).toBe(createHash('sha256').update(account.applicationMetadata(ADMIN_APP)).digest('hex'));
    expect(document.request.versionId).toBe(stored.versionId);
    expect(document.metadata.entityId).toMatch(/^https:\/\/portal\.sso\.us-east-1\.amazonaws\.com\/saml\/assertion\//);
    // The key does not end in .xml: the upload rule (metadata/*.xml) starts no second execution for it.
    expect(fetchedMetadataKey('admin').endsWith('.xml')).toBe(false);
  });

  it('pins the stored version when the application still serves the same document, writing nothing', async () => {
    const first = await intake(fromApplication(), deps());
    account.clearCalls();
    const second = await intake(fromApplication({ profile: 'admin' }, 'exec-0002'), deps());
    expect(second.request.versionId).toBe(first.request.versionId);
    expect(account.mutatingCalls()).toEqual([]);
  });

  it('stores a new version after Identity Center rotates the certificate', async () => {
    const first = await intake(fromApplication(), deps());
    account.rotateApplicationCertificate(ADMIN_APP);
    const second = await intake(fromApplication({ profile: 'admin' }, 'exec-0002'), deps());
    expect(second.request.versionId).not.toBe(first.request.versionId);
    expect(second.metadata.certificates[0]!.sha256Fingerprint).not.toBe(first.metadata.certificates[0]!.sha256Fingerprint);
  });

  it('refuses a metadata URL off the Identity Center portal (Metadata.SourceRefused) and stores nothing', async () => {
    const { swb } = account.clients();
    const elsewhere = {
      ...swb,
      getApplicationInstance: async (id: string) => ({
        ...(await swb.getApplicationInstance(id)),
        metadataUrl: 'https://attacker.example/saml/metadata/x',
      }),
    };
    await expect(intake(fromApplication(), deps({ swb: elsewhere }))).rejects.toMatchObject({ name: 'Metadata.SourceRefused' });
    expect(account.mutatingCalls()).toEqual([]);
  });

  it('computes the metadata URL from the application when GetApplicationInstance gives none', async () => {
    const { swb } = account.clients();
    const silent = { ...swb, getApplicationInstance: async (id: string) => ({ instanceId: id }) };
    const document = await intake(fromApplication(), deps({ swb: silent }));
    expect(document.metadata.entityId).toContain('/saml/assertion/');
    expect(account.calls.filter((call) => call.service === 'portal').map((call) => (call.input as { url: string }).url)).toEqual([
      computedMetadataUrl(ADMIN_APP, 'us-east-1'),
    ]);
  });

  it('names a failed fetch Metadata.FetchFailed, which the state machine retries, and stores nothing', async () => {
    account.faults.inject({ service: 'portal', operation: 'GET', error: 'ServiceUnavailable' });
    await expect(intake(fromApplication(), deps())).rejects.toMatchObject({ name: 'Metadata.FetchFailed' });
    expect(account.mutatingCalls()).toEqual([]);
  });

  it('refuses fields beside "profile" and "dryRun", and an unknown profile', async () => {
    await expect(intake(fromApplication({ profile: 'admin', versionId: 'x' }), deps())).rejects.toMatchObject({ name: 'Request.Invalid' });
    await expect(intake(fromApplication({ profile: 'nobody' }), deps())).rejects.toMatchObject({ name: 'Request.UnknownProfile' });
  });
});

describe('checkMetadataUrl', () => {
  it.each([
    ['plain HTTP', 'http://portal.sso.us-east-1.amazonaws.com/saml/metadata/x'],
    ['another host', 'https://portal.sso.us-east-1.amazonaws.com.attacker.example/saml/metadata/x'],
    ["another region's portal", 'https://portal.sso.eu-west-1.amazonaws.com/saml/metadata/x'],
    ['another port', 'https://portal.sso.us-east-1.amazonaws.com:8443/saml/metadata/x'],
    ['credentials in the URL', 'https://user:pw@portal.sso.us-east-1.amazonaws.com/saml/metadata/x'],
    ['no URL at all', 'portal.sso.us-east-1.amazonaws.com/saml/metadata/x'],
  ])('refuses %s', (_what, url) => {
    expect(() => checkMetadataUrl(url, 'us-east-1')).toThrow(expect.objectContaining({ name: 'Metadata.SourceRefused' }));
  });

  it("accepts the region's portal, in every partition the SDK knows", () => {
    expect(checkMetadataUrl('https://portal.sso.us-east-1.amazonaws.com/saml/metadata/x', 'us-east-1').hostname).toBe(
      'portal.sso.us-east-1.amazonaws.com',
    );
    expect(checkMetadataUrl('https://portal.sso.cn-north-1.amazonaws.com.cn/saml/metadata/x', 'cn-north-1').protocol).toBe('https:');
    expect(computedMetadataUrl(ADMIN_APP, 'eusc-de-east-1')).toMatch(/^https:\/\/portal\.sso\.eusc-de-east-1\.amazonaws\.eu\/saml\/metadata\//);
  });

  it('the deployed fetcher names an unanswered request Metadata.FetchFailed, which the state machine retries', async () => {
    await expect(httpsMetadataFetcher(new URL('https://127.0.0.1:1/saml/metadata/x'))).rejects.toMatchObject({ name: 'Metadata.FetchFailed' });
  });
});
