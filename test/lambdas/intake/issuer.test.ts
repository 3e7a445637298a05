import { checkIssuer, identityCenterIssuer } from '../../../lambdas/intake/issuer';
import { validateMetadata } from '../../../lambdas/intake/metadata';
import type { MetadataSummary } from '../../../lambdas/shared/document';
import type { ResolvedProfile } from '../../../lambdas/shared/profile';
import { exampleConfig, exampleProfile } from '../../helpers/document';
import { AGENT_INSTANCE_ID, certificate, identityCenterXml, NOW, oktaXml } from './fixtures';

const ACCOUNT = '111122223333';
const summaryOf = (xml: string): MetadataSummary => validateMetadata(Buffer.from(xml), NOW);
const adminDocument = () => summaryOf(identityCenterXml());
const agentDocument = () => summaryOf(identityCenterXml({ applicationInstanceId: AGENT_INSTANCE_ID }));
const withPin = (profile: ResolvedProfile, pin: Partial<ResolvedProfile['identityProvider']>): ResolvedProfile => ({
  ...profile,
  identityProvider: { ...profile.identityProvider, ...pin },
});
const errorOf = (check: () => void): Error | undefined => {
  try {
    check();
  } catch (error) {
    return error as Error;
  }
  return undefined;
};

describe('identityCenterIssuer', () => {
  it('reads the account and application instance an IAM Identity Center entityID encodes', () => {
    expect(identityCenterIssuer(adminDocument().entityId)).toEqual({ account: ACCOUNT, instanceId: 'ins-5a1e0c9f3b7d2e46' });
  });

  it('knows no issuer for another identity provider or a look-alike host', () => {
    expect(identityCenterIssuer(summaryOf(oktaXml()).entityId)).toBeUndefined();
    const token = Buffer.from(`${ACCOUNT}_ins-5a1e0c9f3b7d2e46`).toString('base64');
    expect(identityCenterIssuer(`https://portal.sso.us-east-1.amazonaws.com.evil.example/saml/assertion/${token}`)).toBeUndefined();
  });
});

describe('checkIssuer: whoever uploads metadata does not choose the identity provider', () => {
  it("accepts the profile's own application's metadata", () => {
    expect(errorOf(() => checkIssuer(adminDocument(), exampleProfile('admin'), exampleConfig, ACCOUNT))).toBeUndefined();
    expect(errorOf(() => checkIssuer(agentDocument(), exampleProfile('agent'), exampleConfig, ACCOUNT))).toBeUndefined();
  });

  it("refuses the admin application's metadata uploaded under the agent prefix (an application named by display name)", () => {
    const error = errorOf(() => checkIssuer(adminDocument(), exampleProfile('agent'), exampleConfig, ACCOUNT));
    expect(error).toMatchObject({ name: 'Metadata.WrongApplication', message: expect.stringContaining("profile admin's application") });
  });

  it("refuses the agent application's metadata for the admin profile (an application named by ARN)", () => {
    const error = errorOf(() => checkIssuer(agentDocument(), exampleProfile('admin'), exampleConfig, ACCOUNT));
    expect(error).toMatchObject({ name: 'Metadata.WrongApplication', message: expect.stringContaining(`instance ${AGENT_INSTANCE_ID}`) });
  });

  it("refuses another identity provider's metadata, and an Identity Center application of another account", () => {
    expect(errorOf(() => checkIssuer(summaryOf(oktaXml()), exampleProfile('admin'), exampleConfig, ACCOUNT))).toMatchObject({
      name: 'Metadata.WrongApplication',
    });
    const foreign = summaryOf(identityCenterXml({ account: '999988887777', applicationInstanceId: AGENT_INSTANCE_ID }));
    expect(errorOf(() => checkIssuer(foreign, exampleProfile('agent'), exampleConfig, ACCOUNT))).toMatchObject({
      name: 'Metadata.WrongApplication',
      message: expect.stringContaining('account 999988887777'),
    });
  });

  it('with expectedEntityId, accepts that issuer alone, an Identity Center application or not', () => {
    const okta = summaryOf(oktaXml());
    expect(
      errorOf(() => checkIssuer(okta, withPin(exampleProfile('admin'), { expectedEntityId: okta.entityId }), exampleConfig, ACCOUNT)),
    ).toBeUndefined();
    const pinned = withPin(exampleProfile('admin'), { expectedEntityId: okta.entityId });
    expect(errorOf(() => checkIssuer(adminDocument(), pinned, exampleConfig, ACCOUNT))).toMatchObject({
      name: 'Metadata.WrongApplication',
      message: expect.stringContaining('identityProvider.expectedEntityId'),
    });
  });

  it('with pinned certificate fingerprints, refuses a signing certificate that is not pinned', () => {
    const trusted = certificate('pinned');
    const pinned = withPin(exampleProfile('admin'), {
      signingCertificateFingerprints: [summaryOf(identityCenterXml({ certificates: [trusted] })).certificates[0]!.sha256Fingerprint.toLowerCase()],
    });
    expect(errorOf(() => checkIssuer(summaryOf(identityCenterXml({ certificates: [trusted] })), pinned, exampleConfig, ACCOUNT))).toBeUndefined();
    const rotated = summaryOf(identityCenterXml({ certificates: [trusted, certificate('unpinned')] }));
    expect(errorOf(() => checkIssuer(rotated, pinned, exampleConfig, ACCOUNT))).toMatchObject({
      name: 'Metadata.UnpinnedCertificate',
      message: expect.stringContaining('signingCertificateFingerprints'),
    });
  });

  it('without pinned certificates, says which key the provider will trust (the application vouches for it: vouch.ts)', () => {
    const summary = summaryOf(identityCenterXml({ certificates: [certificate('whoever uploaded it')] }));
    expect(checkIssuer(summary, exampleProfile('admin'), exampleConfig, ACCOUNT)).toEqual([
      `profile admin pins no signing certificate (identityProvider.signingCertificateFingerprints): the provider trusts SHA-256 ${summary.certificates[0]!.sha256Fingerprint}, which the application's own metadata carries`,
    ]);
    const pinned = withPin(exampleProfile('admin'), { signingCertificateFingerprints: [summary.certificates[0]!.sha256Fingerprint] });
    expect(checkIssuer(summary, pinned, exampleConfig, ACCOUNT)).toEqual([]);
  });
});
