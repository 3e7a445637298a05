import { parseFederationConfig, parseResolvedProfile } from '../../../lambdas/shared/profile';
import { ROLE_ATTRIBUTE } from '../../../lambdas/shared/profile-schema';
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

  it("takes a target account for the IAM resources, and refuses one that is not 12 digits or not its Connect instance's", () => {
    const moved = structuredClone(exampleConfig) as any;
    moved.profiles.admin.account = '222222222222';
    moved.profiles.admin.policy.connectInstanceArn = moved.profiles.admin.policy.connectInstanceArn.replace(':111122223333:', ':222222222222:');
    expect(parseFederationConfig(moved).profiles.admin!.account).toBe('222222222222');
    expect(() => parseFederationConfig({ ...moved, profiles: { admin: { ...moved.profiles.admin, account: '2222' } } })).toThrow(
      /samlFederation\.profiles\.admin\.account: must be a 12-digit AWS account id \(got "2222"\)/,
    );
    const elsewhere = structuredClone(exampleConfig) as any;
    elsewhere.profiles.admin.account = '222222222222';
    expect(() => parseFederationConfig(elsewhere)).toThrow(/profiles\.admin\.account: names another account than its Connect instance/);
  });

  it('refuses an application ARN of another IAM Identity Center instance than instanceArn, naming the fields', () => {
    const bad = structuredClone(exampleConfig) as any;
    bad.profiles.admin.application.instanceArn = 'arn:aws:sso:::instance/ssoins-0000000000000000';
    expect(() => parseFederationConfig(bad)).toThrow(
      /profiles\.admin\.application\.arn: arn names an application of another IAM Identity Center instance than instanceArn/,
    );
  });

  it('refuses an AWS attribute given by its short name, which AWS would not read, naming the full name', () => {
    const bad = structuredClone(exampleConfig) as any;
    bad.profiles.admin.attributeMapping.attributes = { RoleSessionName: '${user:email}' };
    expect(() => parseFederationConfig(bad)).toThrow(/attributeMapping\.attributes: .*https:\/\/aws\.amazon\.com\/SAML\/Attributes\/RoleSessionName/);
  });

  it('refuses connectUsers.create without a Connect instance to create the users in', () => {
    const bad = structuredClone(exampleConfig) as any;
    bad.profiles.admin.connectUsers = { create: { securityProfiles: ['Agent'], routingProfile: 'Basic Routing Profile' } };
    expect(parseFederationConfig(bad).profiles.admin!.connectUsers.create?.securityProfiles).toEqual(['Agent']);
    bad.profiles.admin.policy = { managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] };
    expect(() => parseFederationConfig(bad)).toThrow(/profiles\.admin\.connectUsers\.create: creates Connect users: set policy\.connectInstanceArn/);
  });

  it('lets two profiles use one role name in two accounts', () => {
    const config = structuredClone(exampleConfig) as any;
    config.profiles.agent.role.name = config.profiles.admin.role.name;
    expect(() => parseFederationConfig(config)).toThrow(/both name role/);
    config.profiles.agent.account = '333333333333';
    config.profiles.agent.policy.connectInstanceArn = config.profiles.agent.policy.connectInstanceArn.replace(':111122223333:', ':333333333333:');
    expect(parseFederationConfig(config).profiles.agent!.role.name).toBe(config.profiles.admin.role.name);
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

describe("the runbook's names and relay state by default", () => {
  const CONNECT = 'arn:aws:connect:eu-west-2:111122223333:instance/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
  const minimal = { policy: { connectInstanceArn: CONNECT } };

  it('names the provider, role, policy and application of an admin profile as the runbook does', () => {
    const admin = parseFederationConfig({ profiles: { admin: minimal } }).profiles.admin!;
    expect(admin.identityProvider.name).toBe('AmazonConnectAdminAccess');
    expect(admin.role.name).toBe('AmazonConnectAdminAccessRole');
    expect(admin.policy.name).toBe('AmazonConnectSSOPolicy');
    expect(admin.application.displayName).toBe('Amazon Connect - Admin');
    expect(admin.access).toBe('admin');
  });

  it('names an agent profile the same way and sends its users to the softphone', () => {
    const agent = parseFederationConfig({ profiles: { agent: minimal } }).profiles.agent!;
    expect([agent.identityProvider.name, agent.role.name, agent.application.displayName]).toEqual([
      'AmazonConnectAgentAccess',
      'AmazonConnectAgentAccessRole',
      'Amazon Connect - Agent',
    ]);
    expect(agent.relayState).toBe(
      'https://eu-west-2.console.aws.amazon.com/connect/federate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d?destination=%2Fccp-v2%2Fsoftphone',
    );
  });

  it("derives the admin relay state from the Connect instance's region, partition and id", () => {
    const admin = parseFederationConfig({ profiles: { admin: minimal } }).profiles.admin!;
    expect(admin.relayState).toBe('https://eu-west-2.console.aws.amazon.com/connect/federate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d');
    const gov = parseFederationConfig({
      profiles: {
        admin: { policy: { connectInstanceArn: 'arn:aws-us-gov:connect:us-gov-west-1:111122223333:instance/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' } },
      },
    }).profiles.admin!;
    expect(gov.relayState).toBe('https://us-gov-west-1.console.amazonaws-us-gov.com/connect/federate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d');
  });

  it('keeps every name and relay state the profile sets', () => {
    const custom = parseFederationConfig({
      profiles: {
        'eu-agents': {
          ...minimal,
          identityProvider: { name: 'MyIdP' },
          role: { name: 'MyRole' },
          application: { displayName: 'Mine' },
          relayState: 'https://example.com/start',
        },
      },
    }).profiles['eu-agents']!;
    expect([custom.identityProvider.name, custom.role.name, custom.application.displayName, custom.relayState, custom.access]).toEqual([
      'MyIdP',
      'MyRole',
      'Mine',
      'https://example.com/start',
      'agent',
    ]);
  });
});

describe('mistakes a person makes in a profile, named where they are', () => {
  const CONNECT = 'arn:aws:connect:eu-west-2:111122223333:instance/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

  it.each(['rate(1 week)', 'rate(1 days)', 'rate(2 day)', 'rate(0 minutes)', 'cron(0 6 * *)', 'daily'])(
    'refuses the schedule %s at synth',
    (schedule) => {
      expect(() => parseFederationConfig({ profiles: { admin: { policy: { connectInstanceArn: CONNECT }, refresh: { schedule } } } })).toThrow(
        /profiles\.admin\.refresh\.schedule: must be an EventBridge Scheduler expression/,
      );
    },
  );

  it.each(['rate(1 day)', 'rate(12 hours)', 'rate(30 minutes)', 'cron(0 6 * * ? *)'])('accepts the schedule %s', (schedule) => {
    expect(
      parseFederationConfig({ profiles: { admin: { policy: { connectInstanceArn: CONNECT }, refresh: { schedule } } } }).profiles.admin!.refresh
        .schedule,
    ).toBe(schedule);
  });

  it('says what a profile name may be', () => {
    expect(() => parseFederationConfig({ profiles: { Admin: { policy: { connectInstanceArn: CONNECT } } } })).toThrow(
      /samlFederation\.profiles\.Admin: profile name "Admin" must be 1-32 lowercase letters, digits or hyphens/,
    );
  });

  it('says what to set when the policy block is missing', () => {
    expect(() => parseFederationConfig({ profiles: { admin: { application: { displayName: 'x' } } } })).toThrow(
      /profiles\.admin\.policy: set connectInstanceArn, or list at least one managedPolicyArns/,
    );
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
      /samlFederation\.profiles\.agent\.role\.name: profiles admin and agent both name role "\/AmazonConnectAdminAccessRole"/,
    );
  });

  it("refuse an identity provider two profiles would fill with different applications' metadata", () => {
    const config = structuredClone(exampleConfig) as any;
    config.profiles.agent.identityProvider = { ...config.profiles.admin.identityProvider };
    expect(() => parseFederationConfig(config)).toThrow(
      /samlFederation\.profiles\.agent\.identityProvider\.name: .*identityProvider "AmazonConnectAdminAccess" .*application:/,
    );
  });
});
