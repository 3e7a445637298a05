/**
 * Property 1: the profile's IAM Identity Center application decides the identity provider, for every profile. An
 * uploader may write `metadata/<profile>/`, nothing else (the bucket policy); what they upload is installed only when
 * its entityID names the profile's own application and every signing certificate in it is one that application's own
 * metadata carries. Without that, whoever may upload chooses the key the provider trusts, and so who signs in.
 */

import { computedMetadataUrl } from '../../lambdas/identity-center/portal';
import { type IntakeDeps, intake } from '../../lambdas/intake/intake';
import { runLocalExecution } from '../../local/runner';
import { accountForConfig, SIMULATED_BUCKET, simulatedServices } from '../../local/simulated-services';
import type { SimulatedAccount } from '../../simulated-account';
import { makeMetadataXml } from '../../simulated-account/example-metadata';
import { exampleConfig } from '../helpers/document';
import { NOW } from '../lambdas/intake/fixtures';
import { config, startingAccount } from '../local/workflow-harness';

const AGENT_PROVIDER = 'arn:aws:iam::111122223333:saml-provider/AmazonConnectAgentAccess';

/** The agent profile's application (found by its display name, as the example names it). */
function agentApplication(account: SimulatedAccount): string {
  const found = Object.entries(account.snapshot().ssoAdmin.applications).find(([, app]) => app.name === 'Amazon Connect - Agent');
  if (!found) throw new Error('the example account has no agent application');
  return found[0];
}

/** An upload under metadata/agent/ as the uploader makes it, and the execution its event starts. */
async function uploadForAgent(account: SimulatedAccount, xml: string) {
  const key = 'metadata/agent/idp.xml';
  const versionId = account.putObject(SIMULATED_BUCKET, key, xml);
  return runLocalExecution({
    services: simulatedServices(account),
    config,
    input: { bucket: SIMULATED_BUCKET, key, versionId },
    executionName: `upload-${versionId.slice(0, 8)}`,
    retryIntervalMs: 0,
  });
}

describe('an uploader, for a profile whose application is found by its display name', () => {
  it('cannot make the profile trust another SAML application of the same IAM Identity Center instance', async () => {
    const account = await startingAccount('empty account');
    const payroll = account.addApplication({ name: 'Payroll', status: 'ENABLED' });

    const result = await uploadForAgent(account, account.applicationMetadata(payroll));

    expect(result).toMatchObject({ status: 'FAILED', error: 'Metadata.WrongApplication' });
    expect(account.snapshot().iam.samlProviders[AGENT_PROVIDER]).toBeUndefined();
  });

  it("cannot choose the signing key by copying the application's entityID into a document of their own", async () => {
    const account = await startingAccount('empty account');
    const instanceId = `ins-${agentApplication(account).split('/apl-')[1]}`;
    // The application's own entityID, with a certificate of the uploader's making.
    const forged = makeMetadataXml({ applicationInstanceId: instanceId });

    const result = await uploadForAgent(account, forged);

    expect(result).toMatchObject({ status: 'FAILED', error: 'Metadata.UnknownSigningCertificate' });
    expect(result.cause).toMatch(/SHA-256 [0-9A-F:]+/);
    expect(account.snapshot().iam.samlProviders[AGENT_PROVIDER]).toBeUndefined();
    expect(account.mutatingCalls({ service: ['iam', 'swb'] })).toEqual([]);
  });
});

describe('an uploader, for a profile whose application is named by ARN', () => {
  it("cannot choose the signing key by copying the application's entityID into a document of their own", async () => {
    const account = await startingAccount('empty account');
    const key = 'metadata/admin/idp.xml';
    // makeMetadataXml names the example admin application by default: only the certificate is the uploader's.
    const versionId = account.putObject(SIMULATED_BUCKET, key, makeMetadataXml());

    const result = await runLocalExecution({
      services: simulatedServices(account),
      config,
      input: { bucket: SIMULATED_BUCKET, key, versionId },
      executionName: 'forged-admin',
      retryIntervalMs: 0,
    });

    expect(result).toMatchObject({ status: 'FAILED', error: 'Metadata.UnknownSigningCertificate' });
    expect(account.mutatingCalls({ service: ['iam', 'swb'] })).toEqual([]);
  });
});

/**
 * The metadata URL comes back from IAM Identity Center, so it is input as well: the document served there must be the
 * profile's application's own (its entityID naming it) before its certificates can vouch for an upload.
 */
describe('an uploader, when the metadata URL IAM Identity Center gives points at another application', () => {
  const ENVIRONMENT = { bucket: SIMULATED_BUCKET, account: '111122223333', region: 'us-east-1', partition: 'aws' };
  const INSTANCE = 'arn:aws:sso:::instance/ssoins-72236f2e1c0a9b84';
  const token = (arn: string) => computedMetadataUrl(arn, 'us-east-1').split('/saml/metadata/')[1]!;

  function intakeDeps(account: SimulatedAccount, swb = account.clients().swb): IntakeDeps {
    const { s3, ssoAdmin, fetchMetadata } = account.clients();
    return { s3, identityCenter: { ssoAdmin, swb, fetchMetadata }, config: exampleConfig, environment: ENVIRONMENT, now: () => NOW };
  }

  it("cannot have an upload vouched for by another application's metadata, whatever URL IAM Identity Center gives for the profile's", async () => {
    const account = accountForConfig(exampleConfig, { clock: () => NOW });
    const other = account.addApplication({ name: 'HR portal', instanceArn: INSTANCE, status: 'ENABLED' });
    const agent = Object.entries(account.snapshot().ssoAdmin.applications).find(([, a]) => a.name === 'Amazon Connect - Agent')![0];
    const { swb } = account.clients();
    const lying = {
      ...swb,
      getApplicationInstance: async (id: string) => ({
        ...(await swb.getApplicationInstance(id)),
        metadataUrl: computedMetadataUrl(other, 'us-east-1'),
      }),
    };
    // HR portal's own metadata (its certificate), relabelled with the agent application's entityID.
    const forged = account.applicationMetadata(other).split(token(other)).join(token(agent));
    expect(forged).toContain(token(agent));
    const key = 'metadata/agent/idp.xml';
    const versionId = account.putObject(SIMULATED_BUCKET, key, forged);

    await expect(
      intake({ input: { bucket: SIMULATED_BUCKET, key, versionId }, executionName: 'up-1' }, intakeDeps(account, lying)),
    ).rejects.toMatchObject({
      name: expect.stringMatching(/^Metadata\.(WrongApplication|UnknownSigningCertificate)$/),
    });
  });
});
