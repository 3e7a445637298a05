import { customerPolicyArn, roleArn, samlProviderArn } from '../../lambdas/shared/arns';
import { parseFederationConfig } from '../../lambdas/shared/profile';
import { exampleConfig } from '../helpers/document';
import {
  ACCOUNT,
  FUNCTION_KEYS,
  flatten,
  functionRoles,
  functionSpec,
  logicalId,
  PARTITION,
  roleStatements,
  type Statement,
  type SynthesizedPipeline,
  synthWithoutBundling,
} from './cfn';

/**
 * The example profiles plus one that exercises what they do not: a role path, a permissions boundary, only AWS
 * managed policies (no generated policy) and an application known only by display name, without an instance ARN.
 */
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/FederationBoundary`;
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const config = parseFederationConfig({
  ...exampleConfig,
  profiles: {
    ...exampleConfig.profiles,
    partner: {
      identityProvider: { name: 'PartnerIdP' },
      role: { name: 'PartnerFederation', path: '/federation/', permissionsBoundaryArn: BOUNDARY },
      policy: { managedPolicyArns: [READ_ONLY] },
      application: { displayName: 'Partner console' },
    },
  },
});

// The names the profiles allow, written out here rather than taken from infra/permissions.ts.
const at = { partition: PARTITION, account: ACCOUNT };
const PROVIDERS = ['AmazonConnectAdminAccess', 'AmazonConnectAgentAccess', 'PartnerIdP'].map((name) => samlProviderArn(at, name));
const ADMIN_ROLE = roleArn(at, 'AmazonConnectAdminAccessRole');
const AGENT_ROLE = roleArn(at, 'AmazonConnectAgentAccessRole');
const PARTNER_ROLE = roleArn(at, 'PartnerFederation', '/federation/');
const ROLES = [ADMIN_ROLE, AGENT_ROLE, PARTNER_ROLE];
const GENERATED_POLICIES = [customerPolicyArn(at, 'AmazonConnectSSOPolicy')];
const ATTACHABLE: Record<string, string[]> = {
  [ADMIN_ROLE]: GENERATED_POLICIES,
  [AGENT_ROLE]: GENERATED_POLICIES,
  [PARTNER_ROLE]: [READ_ONLY],
};

const DELETE_ACTIONS = ['iam:DeleteSAMLProvider', 'iam:DeleteRole', 'iam:DetachRolePolicy', 'iam:DeletePolicy', 'iam:DeletePolicyVersion'];

let synth: SynthesizedPipeline;
let statements: Record<string, Statement[]>;
let bucketArn: string;
let recordTableArn: string;
let lockTableArn: string;

beforeAll(() => {
  synth = synthWithoutBundling(config);
  const roles = functionRoles(synth);
  statements = {} as Record<string, Statement[]>;
  for (const key of FUNCTION_KEYS) statements[key] = roleStatements(synth.json, roles[key]);
  bucketArn = `<${logicalId(synth.stack, synth.pipeline.bucket)}.Arn>`;
  recordTableArn = `<${logicalId(synth.stack, synth.pipeline.recordTable)}.Arn>`;
  lockTableArn = `<${logicalId(synth.stack, synth.pipeline.lockTable)}.Arn>`;
});

const allows = (key: string) => statements[key]!.filter((s) => s.Effect === 'Allow');
const iamStatements = (key: string) => allows(key).filter((s) => s.actions.some((a) => a.startsWith('iam:')));

/** Which profile names an IAM action is about, by the resource type the Service Authorization Reference gives it. */
function allowedFor(action: string): string[] {
  if (/SAMLProvider/.test(action)) return PROVIDERS;
  // The policy simulator acts on the principal it simulates: the profiles' roles.
  if (/Role/.test(action) || action === 'iam:SimulatePrincipalPolicy') return ROLES;
  return GENERATED_POLICIES;
}

describe('function permissions', () => {
  it('never grant iam:* or any IAM action with a wildcard, anywhere in the stack', () => {
    const documents = Object.values(synth.json.Resources).flatMap((resource) => [
      ...(resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy' ? [resource.Properties.PolicyDocument] : []),
      ...(resource.Type === 'AWS::IAM::Role' ? (resource.Properties.Policies ?? []).map((p: { PolicyDocument: unknown }) => p.PolicyDocument) : []),
    ]);
    const actions = documents.flatMap((doc) => doc.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat()));
    expect(actions.length).toBeGreaterThan(50);
    expect(actions.filter((action) => action === '*' || (action.startsWith('iam:') && action.includes('*')))).toEqual([]);
  });

  it.each([...FUNCTION_KEYS])("%s touches no SAML provider, role or policy outside its profiles' names", (key) => {
    for (const statement of iamStatements(key)) {
      for (const action of statement.actions) {
        for (const resource of statement.resources)
          expect({ action, resource, allowed: allowedFor(action).includes(resource) }).toEqual({ action, resource, allowed: true });
      }
    }
  });

  it('give each IAM family only to the step that owns it', () => {
    const families = (key: string) =>
      [
        ...new Set(
          iamStatements(key)
            .flatMap((s) => s.actions)
            .map((a) => (/SAMLProvider/.test(a) ? 'provider' : /Role/.test(a) ? 'role' : 'policy')),
        ),
      ].sort();
    expect(families('intake')).toEqual([]);
    expect(families('identityProviderApply')).toEqual(['provider']);
    expect(families('identityProviderRevert')).toEqual(['provider']);
    expect(families('roleApply')).toEqual(['role']);
    expect(families('roleRevert')).toEqual(['role']);
    // Policy steps read and change the role's attachments, never the role itself.
    expect(families('policyApply')).toEqual(['policy', 'role']);
    expect(
      iamStatements('policyApply')
        .flatMap((s) => s.actions)
        .filter((a) => /Role/.test(a))
        .sort(),
    ).toEqual(['iam:AttachRolePolicy', 'iam:AttachRolePolicy', 'iam:AttachRolePolicy', 'iam:ListAttachedRolePolicies']);
    expect(families('attributeMappingApply')).toEqual([]);
    expect(families('attributeMappingRevert')).toEqual([]);
  });

  it('let only revert functions delete; Policy apply may delete old versions of its own generated policies (issue 3: at most 5 versions)', () => {
    const held = (key: string) =>
      [
        ...new Set(
          allows(key)
            .flatMap((s) => s.actions)
            .filter((a) => DELETE_ACTIONS.includes(a)),
        ),
      ].sort();
    for (const key of FUNCTION_KEYS) {
      const kind = functionSpec(key).kind;
      if (kind === 'revert') continue;
      expect({ key, held: held(key) }).toEqual({ key, held: key === 'policyApply' ? ['iam:DeletePolicyVersion'] : [] });
    }
    const versionDeletes = allows('policyApply').filter((s) => s.actions.includes('iam:DeletePolicyVersion'));
    expect(versionDeletes.flatMap((s) => s.resources)).toEqual(GENERATED_POLICIES);

    expect(held('identityProviderRevert')).toEqual(['iam:DeleteSAMLProvider']);
    expect(held('roleRevert')).toEqual(['iam:DeleteRole', 'iam:DetachRolePolicy']);
    expect(held('policyRevert')).toEqual(['iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:DetachRolePolicy']);
  });

  it("attach and detach only the policies each role's profiles name (condition iam:PolicyARN)", () => {
    const attachments = [...allows('policyApply'), ...allows('policyRevert')].filter((s) =>
      s.actions.some((a) => a === 'iam:AttachRolePolicy' || a === 'iam:DetachRolePolicy'),
    );
    expect(attachments).toHaveLength(6);
    for (const statement of attachments) {
      expect(statement.resources).toHaveLength(1);
      const role = statement.resources[0]!;
      const policies = ((statement.Condition?.ArnEquals?.['iam:PolicyARN'] ?? []) as unknown[]).map(flatten);
      expect({ role, policies }).toEqual({ role, policies: ATTACHABLE[role] });
    }
  });

  it('create a role whose profile names a permissions boundary only with that boundary', () => {
    const creating = allows('roleApply').filter((s) => s.actions.includes('iam:CreateRole') || s.actions.includes('iam:PutRolePermissionsBoundary'));
    const forPartner = creating.filter((s) => s.resources.includes(PARTNER_ROLE));
    expect(forPartner).toEqual([
      expect.objectContaining({
        actions: ['iam:CreateRole', 'iam:PutRolePermissionsBoundary'],
        resources: [PARTNER_ROLE],
        Condition: { StringEquals: { 'iam:PermissionsBoundary': [BOUNDARY] } },
      }),
    ]);
    const unconditioned = creating.filter((s) => s.Condition === undefined);
    expect(unconditioned.flatMap((s) => s.actions)).toEqual(['iam:CreateRole']);
    expect(unconditioned.flatMap((s) => s.resources).sort()).toEqual([ADMIN_ROLE, AGENT_ROLE].sort());
  });

  it('reach S3 only in the metadata bucket, each step under the prefixes it uses, and never delete objects', () => {
    const access = (key: string) => {
      const byAction: Record<string, string[]> = {};
      for (const statement of allows(key).filter((s) => s.actions.some((a) => a.startsWith('s3:')))) {
        for (const action of statement.actions) {
          byAction[action] = [
            ...(byAction[action] ?? []),
            ...statement.resources.map((resource) => {
              if (resource === bucketArn) return '(bucket)';
              const match = new RegExp(`^${bucketArn.replace(/[.<>]/g, '\\$&')}/(\\w+)/\\*$`).exec(resource);
              if (match) return match[1]!;
              // Intake writes one key per profile: where it stores metadata fetched from the application.
              const fetched = new RegExp(`^${bucketArn.replace(/[.<>]/g, '\\$&')}/metadata/([a-z0-9-]+)/identity-center\\.metadata$`).exec(resource);
              return fetched ? `fetched:${fetched[1]}` : `OUTSIDE ${resource}`;
            }),
          ].sort();
        }
      }
      return byAction;
    };
    expect(access('intake')).toEqual({
      's3:GetObject': ['metadata'],
      's3:GetObjectVersion': ['metadata'],
      's3:ListBucket': ['(bucket)'],
      's3:PutObject': Object.keys(config.profiles)
        .map((profile) => `fetched:${profile}`)
        .sort(),
    });
    expect(access('identityProviderApply')).toEqual({
      's3:GetObject': ['metadata'],
      's3:GetObjectVersion': ['metadata'],
      's3:PutObject': ['backups'],
    });
    expect(access('identityProviderRevert')).toEqual({ 's3:GetObject': ['backups'], 's3:GetObjectVersion': ['backups'] });
    for (const key of ['roleApply', 'roleRevert', 'policyApply', 'policyRevert', 'attributeMappingApply', 'attributeMappingRevert', 'outcome']) {
      expect({ key, access: access(key) }).toEqual({ key, access: {} });
    }
  });

  it('let only the Intake functions list the bucket, so that an upload that is not there reads as not found rather than access denied', () => {
    const listing = FUNCTION_KEYS.filter((key) => allows(key).some((s) => s.actions.includes('s3:ListBucket') && s.resources.includes(bucketArn)));
    expect(listing).toEqual(['intake', 'newApplicationIntake']);
  });

  it("keep each step's records in the record table: reads and conditional writes under its own keys, no deletes", () => {
    const records = (key: string) => allows(key).filter((s) => s.actions.some((a) => a.startsWith('dynamodb:')));
    // The profiles' lock items, read (the lease check) and checked in a record write's transaction; never written.
    const lease = (actions: string[]) =>
      expect.objectContaining({
        actions,
        resources: [lockTableArn],
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['admin', 'agent', 'partner'] } },
      });
    for (const key of FUNCTION_KEYS) {
      const held = records(key);
      const kind = functionSpec(key).kind;
      const profileStates = ['state#admin', 'state#agent', 'state#partner'];
      // Intake writes no record: it reads which application the pipeline created for a profile (application.create).
      if (kind === 'intake') {
        expect({ key, held }).toEqual({
          key,
          held: [
            expect.objectContaining({
              actions: ['dynamodb:GetItem'],
              resources: [recordTableArn],
              Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': profileStates } },
            }),
          ],
        });
        continue;
      }
      // The outcome and the sign-in check write no record: they only check the run's lease.
      if (kind === 'outcome' || key.startsWith('signIn')) {
        expect({ key, held }).toEqual({ key, held: [lease(['dynamodb:GetItem'])] });
        continue;
      }
      // The mapping keeps the configuration it last wrote; the application step which application it created.
      const keys =
        key === 'attributeMappingApply' || key === 'attributeMappingRevert' || key === 'applicationApply'
          ? ['journal#*', ...profileStates]
          : ['journal#*'];
      expect({ key, held }).toEqual({
        key,
        held: [
          expect.objectContaining({
            actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
            resources: [recordTableArn],
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': keys } },
          }),
          lease(['dynamodb:GetItem', 'dynamodb:ConditionCheckItem']),
        ],
      });
    }
  });

  it('let the role revert remove a permissions boundary only while it is one the profiles set (condition iam:PermissionsBoundary)', () => {
    const removing = allows('roleRevert').filter((s) => s.actions.includes('iam:DeleteRolePermissionsBoundary'));
    expect(removing).toEqual([
      expect.objectContaining({
        actions: ['iam:DeleteRolePermissionsBoundary'],
        resources: [PARTNER_ROLE],
        Condition: { StringEquals: { 'iam:PermissionsBoundary': [BOUNDARY] } },
      }),
    ]);
  });

  it('assign and unassign people only on the applications of the profiles that assign someone, and only the revert unassigns', () => {
    // admin (by ARN) and agent (by display name in its instance) assign groups; partner (by display name alone) assigns no one.
    const applications = [exampleConfig.profiles.admin!.application.arn!, `arn:aws:sso::${ACCOUNT}:application/ssoins-72236f2e1c0a9b84/*`].sort();
    const on = (key: string, action: string) =>
      allows(key)
        .filter((s) => s.actions.includes(action))
        .flatMap((s) => s.resources)
        .sort();
    expect(on('assignmentsApply', 'sso:CreateApplicationAssignment')).toEqual(applications);
    expect(on('assignmentsRevert', 'sso:DeleteApplicationAssignment')).toEqual(applications);
    expect(on('assignmentsApply', 'sso:DeleteApplicationAssignment')).toEqual([]);
    for (const key of FUNCTION_KEYS.filter((k) => !k.startsWith('assignments'))) {
      expect({ key, assigns: allows(key).some((s) => s.actions.some((a) => /ApplicationAssignment$/.test(a) && !a.includes('List'))) }).toEqual({
        key,
        assigns: false,
      });
    }
  });

  it('read IAM Identity Center applications only where the profiles point, and use "*" only for actions without a resource type', () => {
    for (const key of ['attributeMappingApply', 'attributeMappingRevert'] as const) {
      const sso = allows(key).filter((s) => s.actions.some((a) => a.startsWith('sso:')));
      const describe = sso.filter((s) => s.actions.includes('sso:DescribeApplication'));
      expect(describe.every((s) => s.actions.length === 1)).toBe(true);
      expect(describe.flatMap((s) => s.resources).sort()).toEqual(
        [
          exampleConfig.profiles.admin!.application.arn!,
          `arn:aws:sso::${ACCOUNT}:application/ssoins-72236f2e1c0a9b84/*`,
          `arn:aws:sso::${ACCOUNT}:application/*/*`,
        ].sort(),
      );
      const unscoped = sso.filter((s) => s.resources.includes('*'));
      expect(unscoped.flatMap((s) => s.actions).sort()).toEqual(
        [
          'sso:GetApplicationInstance',
          'sso:GetManagedApplicationInstance',
          'sso:ListApplications',
          'sso:ListInstances',
          'sso:UpdateApplicationInstanceResponseConfiguration',
          'sso:UpdateApplicationInstanceResponseSchemaConfiguration',
        ].sort(),
      );
    }
  });

  it('decrypt with a KMS key only through IAM Identity Center (an instance encrypted with a customer managed key)', () => {
    for (const key of ['intake', 'attributeMappingApply', 'attributeMappingRevert']) {
      const kms = allows(key).filter((s) => s.actions.some((a) => a.startsWith('kms:')));
      expect(kms.map((s) => [s.actions, s.Condition])).toEqual([
        [['kms:Decrypt'], { StringLike: { 'kms:ViaService': ['sso.*', 'identitystore.*'] } }],
      ]);
    }
  });

  it.each([...FUNCTION_KEYS])("%s uses no service beyond its step's", (key) => {
    const services = [...new Set(allows(key).flatMap((s) => s.actions.map((a) => a.split(':')[0])))].sort();
    // The outcome function writes nothing: it puts the end of an execution in words, reading only the run's lease.
    const own =
      key === 'outcome'
        ? ['dynamodb']
        : key === 'intake' || key === 'newApplicationIntake'
          ? ['connect', 'dynamodb', 'kms', 's3', 'sso']
          : key.startsWith('application')
            ? ['dynamodb', 'kms', 'sso']
            : key.startsWith('attributeMapping')
              ? ['dynamodb', 'kms', 'sso']
              : key === 'assignmentsApply'
                ? ['dynamodb', 'identitystore', 'kms', 'sso']
                : key === 'assignmentsRevert'
                  ? ['dynamodb', 'kms', 'sso']
                  : key === 'signInApply'
                    ? ['dynamodb', 'iam', 'kms', 'sso']
                    : key === 'signInRevert'
                      ? ['dynamodb']
                      : key === 'connectUsersApply'
                        ? ['connect', 'dynamodb', 'identitystore', 'kms', 'sso']
                        : key === 'connectUsersRevert'
                          ? ['connect', 'dynamodb']
                          : key.startsWith('identityProvider')
                            ? ['dynamodb', 'iam', 's3']
                            : ['dynamodb', 'iam'];
    expect(services).toEqual([...own, 'logs', 'xray'].sort());
  });
});
