import { parseFederationConfig, parseResolvedProfile, ROLE_ATTRIBUTE } from '../../../lambdas/shared/profile';
import { exampleConfig, exampleProfile } from '../../helpers/document';

describe('profile configuration', () => {
  it('accepts the example shipped in cdk.json and fills the documented defaults', () => {
    expect(Object.keys(exampleConfig.profiles).sort()).toEqual(['admin', 'agent']);
    const admin = exampleConfig.profiles.admin!;
    expect(admin.role.path).toBe('/');
    expect(admin.policy.name).toBe('AmazonConnectSSOPolicy');
    expect(admin.attributeMapping.subject.source).toBe('${user:email}');
    expect(admin.attributeMapping.manualTimeoutSeconds).toBe(86_400);
  });

  it('accepts the JSON text that `cdk -c samlFederation=...` passes', () => {
    expect(parseFederationConfig(JSON.stringify({ profiles: { admin: exampleConfig.profiles.admin } })).profiles.admin).toBeDefined();
  });

  it('names the bad field and its value', () => {
    const bad = structuredClone(exampleConfig) as any;
    bad.profiles.admin.role.maxSessionDuration = 50000;
    expect(() => parseFederationConfig(bad)).toThrow(/samlFederation\.profiles\.admin\.role\.maxSessionDuration: .*\(got 50000\)/);
    expect(() => parseFederationConfig(bad)).toThrow(expect.objectContaining({ name: 'Config.Invalid' }));
  });

  it('refuses a role name IAM would refuse', () => {
    const bad = structuredClone(exampleConfig) as any;
    bad.profiles.agent.role.name = 'has space';
    expect(() => parseFederationConfig(bad)).toThrow(/profiles\.agent\.role\.name/);
  });

  it('refuses a profile without a policy to attach', () => {
    const bad = structuredClone(exampleConfig) as any;
    bad.profiles.admin.policy = {};
    expect(() => parseFederationConfig(bad)).toThrow(/profiles\.admin\.policy: set connectInstanceArn/);
  });

  it('refuses a profile that tries to set the Role attribute itself', () => {
    const bad = structuredClone(exampleConfig) as any;
    bad.profiles.admin.attributeMapping.attributes = { [ROLE_ATTRIBUTE]: 'x' };
    expect(() => parseFederationConfig(bad)).toThrow(/attributeMapping\.attributes/);
  });

  it('refuses unknown fields, which are usually typos', () => {
    const bad = structuredClone(exampleConfig) as any;
    bad.profiles.admin.rolle = {};
    expect(() => parseFederationConfig(bad)).toThrow(/rolle/);
  });

  it('refuses invalid JSON text with a clear message', () => {
    expect(() => parseFederationConfig('{not json')).toThrow(/samlFederation: is not valid JSON/);
  });

  it('round-trips a resolved profile through the execution document', () => {
    const profile = exampleProfile('agent');
    expect(parseResolvedProfile(JSON.parse(JSON.stringify(profile)))).toEqual(profile);
    expect(() => parseResolvedProfile({ ...profile, name: 'Bad Name' })).toThrow(/profile\.name/);
  });
});
