import { SimulatedAccount, type SimulatedAccountOptions } from '../../simulated-account';

export const ACCOUNT = '111122223333';
const START = new Date('2030-01-01T00:00:00.000Z');

/** SAML metadata long enough for IAM (1,000 characters at least); `marker` makes documents differ. */
export function metadataXml(marker = 'one', options: { validUntil?: string } = {}): string {
  const validUntil = options.validUntil ? ` validUntil="${options.validUntil}"` : '';
  const certificate = 'MIIC'.padEnd(1200, 'A');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://portal.sso.us-east-1.amazonaws.com/saml/assertion/${marker}"${validUntil}>` +
    `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
    `<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${certificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
    `</md:IDPSSODescriptor></md:EntityDescriptor>`
  );
}

export function providerArn(name: string): string {
  return `arn:aws:iam::${ACCOUNT}:saml-provider/${name}`;
}

export function trustPolicy(...providerArns: string[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArns.length === 1 ? providerArns[0] : providerArns },
        Action: 'sts:AssumeRoleWithSAML',
        Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
      },
    ],
  });
}

export function permissions(action = 'connect:GetFederationToken'): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
}

/** An account with a controllable clock: `advance(ms)` moves time. */
export function accountWithClock(options: SimulatedAccountOptions = {}): { account: SimulatedAccount; advance(ms: number): void } {
  let now = START.getTime();
  const account = new SimulatedAccount({ clock: () => new Date(now), ...options });
  return { account, advance: (ms) => (now += ms) };
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata?: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail, but it succeeded');
}
