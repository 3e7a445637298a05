import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp, TARGET_STACK_NAME } from '../../infra/build-app';
import { parseFederationConfig } from '../../lambdas/shared/profile';
import { functionRoleName, TARGET_ACCESS, targetRoleName } from '../../lambdas/shared/target-account';
import { functionsWith, trustedFunctionKeys } from '../../lambdas/target-roles';
import { crossAccountConfig, TARGET_ACCOUNT } from '../local/workflow-harness';
import { synthWithoutBundling } from './cfn';

type Resources = Record<string, { Type: string; Properties: Record<string, any>; Condition?: string }>;

const OU = 'ou-ab12-cd34ef56';

/** The pipeline and target stacks as `cdk synth` builds them for the cross-account example, bundling skipped. */
function synthCrossAccount(context: Record<string, unknown> = {}) {
  const built = buildApp({
    context: {
      'aws:cdk:bundling-stacks': [],
      allowExamplePlaceholders: true,
      samlFederation: crossAccountConfig,
      targetOrganizationalUnits: [OU],
      ...context,
    },
  });
  const assembly = built.app.synth();
  return {
    built,
    pipeline: assembly.getStackByName(built.stack.stackName).template as { Resources: Resources },
    target: assembly.getStackByName(TARGET_STACK_NAME).template as { Resources: Resources; Parameters: Record<string, unknown> },
  };
}

/**
 * Every way a target role's trust policy could let in more than the pipeline's own function roles, one sentence each:
 * a principal other than the pipeline's account, an action beyond AssumeRole and SetSourceIdentity, a statement
 * without an aws:PrincipalArn condition naming exactly the expected roles, or without a required source identity.
 */
function trustProblems(resources: Resources, expected: Record<string, string[]>): string[] {
  const problems: string[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    const name = JSON.stringify(resource.Properties.RoleName);
    const roleName = Object.keys(expected).find((candidate) => JSON.stringify(candidate) === name);
    if (!roleName) {
      problems.push(`${id}: a role the target stack should not have (${name})`);
      continue;
    }
    for (const statement of resource.Properties.AssumeRolePolicyDocument.Statement as Array<Record<string, any>>) {
      if (statement.Effect !== 'Allow') continue;
      const principal = JSON.stringify(statement.Principal);
      if (!/^\{"AWS":\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":iam::",\{"Ref":"PipelineAccount"\},":root"\]\]\}\}$/.test(principal))
        problems.push(`${id}: trusts ${principal}, not the pipeline's account`);
      const actions = [statement.Action].flat().sort();
      if (JSON.stringify(actions) !== JSON.stringify(['sts:AssumeRole', 'sts:SetSourceIdentity']))
        problems.push(`${id}: allows ${actions.join(', ')}`);
      const arns = (statement.Condition?.ArnEquals?.['aws:PrincipalArn'] ?? []) as unknown[];
      const names = arns.map((arn) => (JSON.stringify(arn).match(/:role\/([^"]+)"/) ?? [])[1]).sort();
      if (JSON.stringify(names) !== JSON.stringify([...(expected[roleName] ?? [])].sort()))
        problems.push(`${id}: aws:PrincipalArn names ${JSON.stringify(names)}, not the pipeline's ${JSON.stringify(expected[roleName])}`);
      if (arns.some((arn) => !JSON.stringify(arn).includes('{"Ref":"PipelineAccount"}')))
        problems.push(`${id}: a trusted role outside the pipeline's account`);
      if (statement.Condition?.Null?.['sts:SourceIdentity'] !== 'false') problems.push(`${id}: does not require a source identity`);
      const others = Object.keys(statement.Condition ?? {}).filter((operator) => operator !== 'ArnEquals' && operator !== 'Null');
      if (others.length > 0) problems.push(`${id}: conditions beyond the expected ones: ${others.join(', ')}`);
    }
  }
  return problems;
}

const pipelineName = crossAccountConfig.pipelineName;
const EXPECTED_TRUST = Object.fromEntries(
  TARGET_ACCESS.map((access) => [
    targetRoleName(pipelineName, access),
    trustedFunctionKeys(access).map((key) => functionRoleName(pipelineName, key)),
  ]),
);

describe('the target stack', () => {
  const { built, pipeline, target } = synthCrossAccount();

  it('holds three roles, each trusted only by the pipeline function roles of its kind', () => {
    expect(Object.values(target.Resources).filter((r) => r.Type === 'AWS::IAM::Role')).toHaveLength(3);
    expect(trustProblems(target.Resources, EXPECTED_TRUST)).toEqual([]);
    expect(EXPECTED_TRUST[targetRoleName(pipelineName, 'revert')]).toEqual(
      functionsWith('revert').map((fn) => functionRoleName(pipelineName, fn.key)),
    );
    // The daily check, Intake and the read-only sign-in check read through a role of their own, which no step function
    // that changes anything may assume, and they may assume no other.
    expect(EXPECTED_TRUST[targetRoleName(pipelineName, 'read')]).toEqual(
      ['dailyCheck', 'intake', 'newApplicationIntake', 'signInApply'].map((key) => functionRoleName(pipelineName, key)),
    );
    expect(EXPECTED_TRUST[targetRoleName(pipelineName, 'apply')]).not.toContain(functionRoleName(pipelineName, 'dailyCheck'));
  });

  it('fails the trust check for a role that trusts anything else', () => {
    for (const tamper of [
      (s: Record<string, any>) => Object.assign(s, { Principal: { AWS: '*' } }),
      (s: Record<string, any>) => s.Condition.ArnEquals['aws:PrincipalArn'].push('arn:aws:iam::999999999999:role/someone'),
      (s: Record<string, any>) => delete s.Condition.Null,
      (s: Record<string, any>) => Object.assign(s, { Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'] }),
      (s: Record<string, any>) => Object.assign(s.Condition, { StringLike: { 'aws:PrincipalArn': '*' } }),
    ]) {
      const copy = JSON.parse(JSON.stringify(target.Resources)) as Resources;
      const role = Object.values(copy).find((r) => r.Type === 'AWS::IAM::Role')!;
      tamper(role.Properties.AssumeRolePolicyDocument.Statement[0]);
      expect(trustProblems(copy, EXPECTED_TRUST)).not.toEqual([]);
    }
    // The revert role trusting an apply function would let an apply session delete.
    const swapped = JSON.parse(JSON.stringify(target.Resources)) as Resources;
    for (const role of Object.values(swapped).filter((r) => r.Type === 'AWS::IAM::Role'))
      role.Properties.AssumeRolePolicyDocument.Statement[0].Condition.ArnEquals['aws:PrincipalArn'].reverse();
    const applyTrust = { ...EXPECTED_TRUST, [targetRoleName(pipelineName, 'revert')]: EXPECTED_TRUST[targetRoleName(pipelineName, 'apply')]! };
    expect(trustProblems(swapped, applyTrust)).not.toEqual([]);
  });

  it('grants each role only the IAM and Connect actions of its kind on the names and instance of the profiles in that account, created only there', () => {
    const policies = Object.values(target.Resources).filter((r) => r.Type === 'AWS::IAM::Policy');
    expect(policies).toHaveLength(3);
    for (const policy of policies) expect(policy.Condition).toMatch(/^TargetRolesIn222222222222/);
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string[]; Resource: unknown[] }>);
    const actions = new Set(statements.flatMap((s) => s.Action));
    expect([...actions].filter((a) => !a.startsWith('iam:') && !a.startsWith('connect:'))).toEqual([]);
    const resources = JSON.stringify(statements.flatMap((s) => s.Resource));
    // Amazon Connect only on the instance of the profile there, and DeleteUser only on users the pipeline created.
    const connectResources = statements.filter((s) => s.Action.some((a) => a.startsWith('connect:'))).flatMap((s) => JSON.stringify(s.Resource));
    for (const resource of connectResources)
      expect(resource).toContain(`:connect:us-east-1:${TARGET_ACCOUNT}:instance/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d`);
    const deletes = statements.filter((s) => s.Action.includes('connect:DeleteUser')) as Array<{ Condition?: unknown }>;
    expect(deletes.map((s) => s.Condition)).toEqual([{ Null: { 'aws:ResourceTag/saml-federation:execution': 'false' } }]);
    // Tagging only with the creation tag's key: no other tag (one an access policy reads) on any user.
    const tagging = statements.filter((s) => s.Action.includes('connect:TagResource')) as Array<{ Condition?: unknown }>;
    expect(tagging.map((s) => s.Condition)).toEqual([{ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['saml-federation:execution'] } }]);
    expect(resources).toContain(`:iam::${TARGET_ACCOUNT}:saml-provider/AmazonConnectAdminAccess`);
    expect(resources).not.toContain('AmazonConnectAgentAccess');
    expect(resources).not.toContain('"*"');
    const applyPolicy = policies.find((p) => JSON.stringify(p.Properties.Roles).includes('ApplyRole'))!;
    const applyActions = (applyPolicy.Properties.PolicyDocument.Statement as Array<{ Action: string[] }>).flatMap((s) => s.Action);
    expect(applyActions.filter((a) => /^(iam:Delete(Role|SAMLProvider|Policy)|connect:DeleteUser)$/.test(a))).toEqual([]);
    const readPolicy = policies.find((p) => JSON.stringify(p.Properties.Roles).includes('ReadRole'))!;
    // Reads only: the providers, the instance, and the sign-in check's role reads and policy simulation.
    expect([...new Set((readPolicy.Properties.PolicyDocument.Statement as Array<{ Action: string[] }>).flatMap((s) => s.Action))].sort()).toEqual([
      'connect:DescribeInstance',
      'iam:GetRole',
      'iam:GetSAMLProvider',
      'iam:SimulatePrincipalPolicy',
    ]);
  });

  it('is in the pipeline stack as a service-managed StackSet with automatic deployment to the organizational units', () => {
    const stackSets = Object.values(pipeline.Resources).filter((r) => r.Type === 'AWS::CloudFormation::StackSet');
    expect(stackSets).toHaveLength(1);
    const { Properties: p } = stackSets[0]!;
    expect(p.PermissionModel).toBe('SERVICE_MANAGED');
    expect(p.AutoDeployment).toEqual({ Enabled: true, RetainStacksOnAccountRemoval: false });
    expect(p.StackInstancesGroup[0].DeploymentTargets.OrganizationalUnitIds).toEqual([OU]);
    expect(p.Capabilities).toEqual(['CAPABILITY_NAMED_IAM']);
    expect(p.Parameters).toEqual([{ ParameterKey: 'PipelineAccount', ParameterValue: { Ref: 'AWS::AccountId' } }]);
    const body = JSON.parse(p.TemplateBody) as { Resources: Resources };
    expect(trustProblems(body.Resources, EXPECTED_TRUST)).toEqual([]);
  });

  it('gives the pipeline functions that target accounts trust their fixed names, and AssumeRole on the role of their kind only', () => {
    const roles = Object.values(pipeline.Resources).filter((r) => r.Type === 'AWS::IAM::Role');
    for (const key of TARGET_ACCESS.flatMap(trustedFunctionKeys))
      expect(roles.map((r) => r.Properties.RoleName)).toContain(functionRoleName(pipelineName, key));
    const assume = Object.values(pipeline.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((p) => (p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>).map((s) => ({ p, s })))
      .filter(({ s }) => [s.Action].flat().includes('sts:AssumeRole'));
    expect(assume.length).toBe(TARGET_ACCESS.flatMap(trustedFunctionKeys).length);
    for (const { p, s } of assume) {
      const resource = JSON.stringify(s.Resource);
      const roles = JSON.stringify(p.Properties.Roles);
      if (resource.includes('-target-revert')) expect(roles).toMatch(/RevertFunctionRole/);
      else if (resource.includes('-target-apply')) expect(roles).toMatch(/ApplyFunctionRole/);
      else
        expect({ resource, roles }).toEqual({
          resource: expect.stringContaining('-target-read'),
          // The daily check, and Intake reading the profile's Connect instance before anything changes.
          roles: expect.stringMatching(/DailyCheckFunctionRole|IntakeFunctionRole|SignInApplyFunctionRole/),
        });
    }
  });

  it('passes the AWS Solutions checks on both stacks', () => {
    const report = new AwsSolutionsChecks().validateScope(built.app);
    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
    expect(Template.fromStack(built.targetStack!).findResources('AWS::IAM::Role')).not.toEqual({});
  });

  it("refuses, at deploy, a profile account that is the pipeline's own (a template rule), and at synth when the account is known", () => {
    const rules = (pipeline as unknown as { Rules?: Record<string, { Assertions: Array<{ Assert: unknown }> }> }).Rules ?? {};
    const rule = Object.entries(rules).find(([id]) => id.startsWith('PipelineTargetAccountsAreOtherAccounts'))?.[1];
    expect(rule?.Assertions[0]?.Assert).toEqual({ 'Fn::Not': [{ 'Fn::Contains': [[TARGET_ACCOUNT], { Ref: 'AWS::AccountId' }] }] });
    const own = parseFederationConfig(crossAccountConfig);
    expect(() => synthWithoutBundling(own, {}, { account: TARGET_ACCOUNT, region: 'us-east-1' })).toThrow(
      /profiles\.admin\.account: 222222222222 is this pipeline's own account/,
    );
  });

  it("refuses a Connect instance of another account for a profile in the pipeline's: a template rule at deploy, at synth when the account is known", () => {
    const rules = (pipeline as unknown as { Rules?: Record<string, { Assertions: Array<{ Assert: unknown }> }> }).Rules ?? {};
    const rule = Object.entries(rules).find(([id]) => id.startsWith('PipelineConnectInstancesInThisAccount'))?.[1];
    // The agent profile sets no account: its instance must be in the pipeline's.
    expect(rule?.Assertions.map((a) => a.Assert)).toEqual([{ 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, '111122223333'] }]);
    const elsewhere = parseFederationConfig(crossAccountConfig);
    expect(() => synthWithoutBundling(elsewhere, {}, { account: '333333333333', region: 'us-east-1' })).toThrow(
      /profiles\.agent\.policy\.connectInstanceArn: .*111122223333.* is in another account than this pipeline's \(333333333333\); set profiles\.agent\.account/,
    );
  });
});
