import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { validateMetadata } from '../../../lambdas/intake/metadata';
import { exampleMetadataPath, makeMetadataXml, makeRotatedMetadataXml, makeSelfSignedCertificate } from '../../../simulated-account/example-metadata';
import { daysFromNow, NOW } from './fixtures';

describe('bundled example metadata (examples/metadata/<profile>/idp.xml)', () => {
  it.each(['admin', 'agent'])('the %s example is valid today, with a certificate that lasts until the 2070s', (profile) => {
    const summary = validateMetadata(readFileSync(exampleMetadataPath(profile)), new Date());
    expect(summary.entityId).toMatch(/^https:\/\/portal\.sso\.us-east-1\.amazonaws\.com\/saml\/assertion\//);
    expect(summary.warnings).toEqual([]);
    expect(Date.parse(summary.certificates[0]!.notAfter)).toBeGreaterThan(Date.parse('2070-01-01T00:00:00Z'));
  });

  it('gives each profile its own application (entityID) and certificate', () => {
    const [admin, agent] = ['admin', 'agent'].map((p) => validateMetadata(readFileSync(exampleMetadataPath(p)), new Date()));
    expect(admin!.entityId).not.toBe(agent!.entityId);
    expect(admin!.certificates[0]!.sha256Fingerprint).not.toBe(agent!.certificates[0]!.sha256Fingerprint);
  });

  it('ships no private key', () => {
    const root = path.dirname(path.dirname(exampleMetadataPath('admin')));
    for (const profile of readdirSync(root)) {
      for (const file of readdirSync(path.join(root, profile))) {
        expect(readFileSync(path.join(root, profile, file), 'utf8')).not.toMatch(/PRIVATE KEY/);
      }
    }
  });
});

describe('makeMetadataXml and makeRotatedMetadataXml', () => {
  it('makes fresh, valid metadata with a new certificate when given none', () => {
    const summary = validateMetadata(makeMetadataXml(), new Date());
    expect(summary.certificates).toHaveLength(1);
    expect(summary.warnings).toEqual([]);
  });

  it('uses the entityID, certificate and validUntil it is given', () => {
    const certificate = makeSelfSignedCertificate({ commonName: 'given', notBefore: daysFromNow(-1), notAfter: daysFromNow(400) });
    const summary = validateMetadata(
      makeMetadataXml({ entityId: 'https://idp.example.com/a&b', certificatePem: certificate.certificatePem, validUntil: daysFromNow(90) }),
      NOW,
    );
    expect(summary).toMatchObject({
      entityId: 'https://idp.example.com/a&b',
      validUntil: daysFromNow(90).toISOString(),
      certificates: [{ subject: 'CN=given' }],
    });
  });

  it('rotates to another certificate for the same identity provider', () => {
    const original = makeSelfSignedCertificate({ commonName: 'original', notBefore: daysFromNow(-1), notAfter: daysFromNow(400) });
    const before = validateMetadata(makeMetadataXml({ certificatePem: original.certificatePem }), NOW);
    const validity = { notBefore: daysFromNow(-1), notAfter: daysFromNow(700) };
    const after = validateMetadata(makeRotatedMetadataXml({ certificatePem: original.certificatePem, rotatedCertificate: validity }), NOW);
    expect(after.entityId).toBe(before.entityId);
    expect(after.certificates.map((c) => c.sha256Fingerprint)).not.toContain(before.certificates[0]!.sha256Fingerprint);
    const overlap = validateMetadata(
      makeRotatedMetadataXml({ certificatePem: original.certificatePem, keepPrevious: true, rotatedCertificate: validity }),
      NOW,
    );
    expect(overlap.certificates).toHaveLength(2);
    expect(overlap.certificates[1]!.sha256Fingerprint).toBe(before.certificates[0]!.sha256Fingerprint);
  });

  it('makes certificates with exactly the validity asked for, back-dated if need be', () => {
    const backDated = makeSelfSignedCertificate({ notBefore: new Date('2001-02-03T04:05:06Z'), notAfter: new Date('2060-07-08T09:10:11Z') });
    const summary = validateMetadata(makeMetadataXml({ certificatePem: backDated.certificatePem }), new Date('2030-01-01T00:00:00Z'));
    expect(summary.certificates[0]).toMatchObject({ notBefore: '2001-02-03T04:05:06.000Z', notAfter: '2060-07-08T09:10:11.000Z' });
  });
});
