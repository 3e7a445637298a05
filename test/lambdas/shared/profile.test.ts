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

describe('names two profiles share', () => {
  const OTHER_INSTANCE = 'arn:aws:connect:us-east-1:111122223333:instance/11111111-2222-4333-8444-555555555555';

  it('are fine when both profiles would make the object the same way (the example shares its generated policy)', () => {
    expect(exampleConfig.profiles.admin!.policy.name).toBe(exampleConfig.profiles.agent!.policy.name);
    expect(() => parseFederationConfig(exampleConfig)).not.toThrow();
  });

  it('refuse a policy name two profiles would generate for different Connect instances, naming both paths', () => {
    const config = structuredClone(exampleConfig) as any;
    config.profiles.agent.policy.connectInstanceArn = OTHER_INSTANCE;
    expect(() => parseFederationConfig(config)).toThrow(
      expect.objectContaining({
        name: 'Config.Invalid',
        message: expect.stringMatching(
          /^samlFederation\.profiles\.agent\.policy\.name: profiles admin and agent both name policy "AmazonConnectSSOPolicy" \(profiles\.admin\.policy\.name\)/,
        ),
      }),
    );
    expect(() => parseFederationConfig(config)).toThrow(new RegExp(`connectInstanceArn: .* vs "${OTHER_INSTANCE}"`));
  });

  it('refuse a role two profiles would configure differently', () => {
    const config = structuredClone(exampleConfig) as any;
    config.profiles.agent.role = { ...config.profiles.admin.role, maxSessionDuration: 7200 };
    expect(() => parseFederationConfig(config)).toThrow(
      /samlFederation\.profiles\.agent\.role\.name: profiles admin and agent both name role "\/ConnectAdminFederation"/,
    );
  });

  it("refuse an identity provider two profiles would fill with different applications' metadata", () => {
    const config = structuredClone(exampleConfig) as any;
    config.profiles.agent.identityProvider = { ...config.profiles.admin.identityProvider };
    expect(() => parseFederationConfig(config)).toThrow(
      /samlFederation\.profiles\.agent\.identityProvider\.name: .*identityProvider "ConnectAdminIdP" .*application:/,
    );
  });
});
