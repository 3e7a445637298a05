/**
 * As uploader of metadata/<profile>/: every signing key of an uploaded document must be one the
 * application's own metadata carries. Vouching compares X509Certificate fingerprints only; XML-DSig KeyInfo can also
 * carry a bare public key (ds:KeyValue/RSAKeyValue), which SAML metadata consumers such as OpenSAML's
 * KeyInfoCredentialResolver accept as a signing credential. The uploader takes the application's own metadata and adds
 * a KeyValue of their own key to its signing KeyDescriptor (or adds a second signing KeyDescriptor holding only one).
 * Safe outcome: refused before any change (no key material but the application's own reaches the provider).
 */
import { generateKeyPairSync } from 'node:crypto';
import { runLocalExecution } from '../../local/runner';
import { SIMULATED_BUCKET, simulatedServices } from '../../local/simulated-services';
import type { SimulatedAccount } from '../../simulated-account';
import { config, startingAccount } from '../local/workflow-harness';

const AGENT_PROVIDER = 'arn:aws:iam::111122223333:saml-provider/AmazonConnectAgentAccess';

function agentApplication(account: SimulatedAccount): string {
  const found = Object.entries(account.snapshot().ssoAdmin.applications).find(([, app]) => app.name === 'Amazon Connect - Agent');
  if (!found) throw new Error('no agent application');
  return found[0];
}

function attackerKeyValue(): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
  const b64 = (s: string) => Buffer.from(s, 'base64url').toString('base64');
  return `<ds:KeyValue><ds:RSAKeyValue><ds:Modulus>${b64(jwk.n)}</ds:Modulus><ds:Exponent>${b64(jwk.e)}</ds:Exponent></ds:RSAKeyValue></ds:KeyValue>`;
}

async function upload(account: SimulatedAccount, xml: string) {
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

describe('an uploader adding a bare public key to the application’s own metadata', () => {
  it('in the signing KeyInfo beside the application certificate: refused, no provider', async () => {
    const account = await startingAccount('empty account');
    const own = account.applicationMetadata(agentApplication(account));
    const forged = own.replace('<ds:X509Data>', `${attackerKeyValue()}<ds:X509Data>`);
    expect(forged).not.toBe(own);

    const result = await upload(account, forged);

    expect(result.status).toBe('FAILED');
    expect(account.snapshot().iam.samlProviders[AGENT_PROVIDER]).toBeUndefined();
  });

  it('in a second signing KeyDescriptor of its own: refused, no provider', async () => {
    const account = await startingAccount('empty account');
    const own = account.applicationMetadata(agentApplication(account));
    const extra = `<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">${attackerKeyValue()}</ds:KeyInfo></md:KeyDescriptor>`;
    const forged = own.replace('<md:KeyDescriptor use="signing">', `${extra}<md:KeyDescriptor use="signing">`);
    expect(forged).not.toBe(own);

    const result = await upload(account, forged);

    expect(result.status).toBe('FAILED');
    expect(account.snapshot().iam.samlProviders[AGENT_PROVIDER]).toBeUndefined();
  });
});
