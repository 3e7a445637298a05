import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aws, BootstraplessSynthesizer, CfnCondition, CfnParameter, CfnStackSet, Duration, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import { AccountPrincipal, CfnPolicy, type CfnRole, Role } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { FederationConfig } from '../lambdas/shared/profile';
import { TARGET_ACCESS, type TargetAccess, targetAccounts, targetRoleName } from '../lambdas/shared/target-account';
import { targetRolePermissions, targetRoleTrust } from '../lambdas/target-roles';
import { acknowledgeWildcards } from './nag';

export interface TargetAccountRolesProps {
  readonly config: FederationConfig;
  /** The account the pipeline runs in (a CloudFormation parameter in the target stack, so one template serves every account). */
  readonly pipelineAccount: string;
}

/**
 * What a target account needs and nothing else: the apply role and the revert role the identity-provider, role and
 * policy steps assume there. Each trusts only the pipeline's function roles of its kind (aws:PrincipalArn, with a
 * source identity required), and holds the IAM statements of those functions built over the profiles that name this
 * account. One template serves every account of an organizational unit: each account's statements are a policy of
 * their own, created only in that account (a CloudFormation condition on AWS::AccountId), so an account that no profile
 * names gets two roles that can do nothing.
 */
export class TargetAccountRoles extends Construct {
  public readonly roles: Readonly<Record<TargetAccess, Role>>;

  public constructor(scope: Construct, id: string, props: TargetAccountRolesProps) {
    super(scope, id);
    const { config, pipelineAccount } = props;
    const partition = Aws.PARTITION;
    const roles = {} as Record<TargetAccess, Role>;
    const inAccount = new Map(
      targetAccounts(config).map((account) => [
        account,
        new CfnCondition(this, `In${account}`, { expression: Fn.conditionEquals(Aws.ACCOUNT_ID, account) }),
      ]),
    );
    for (const access of TARGET_ACCESS) {
      const kind = `${access.charAt(0).toUpperCase()}${access.slice(1)}`;
      const role = new Role(this, `${kind}Role`, {
        roleName: targetRoleName(config.pipelineName, access),
        description:
          access === 'read'
            ? `Assumed by the ${config.pipelineName} pipeline's daily check to read its SAML providers here`
            : `Assumed by the ${config.pipelineName} pipeline's ${access} functions to manage its SAML providers, roles and policies here`,
        assumedBy: new AccountPrincipal(pipelineAccount),
        maxSessionDuration: Duration.hours(1),
      });
      // The trust policy exactly as lambdas/target-roles.ts writes it (the simulated organization checks the same one):
      // the pipeline's account as principal, narrowed to its function roles of this kind, a source identity required.
      (role.node.defaultChild as CfnRole).assumeRolePolicyDocument = targetRoleTrust(config, partition, pipelineAccount, access);
      roles[access] = role;
      for (const [account, condition] of inAccount) {
        const permissions = targetRolePermissions(config, partition, account, access);
        const policy = new CfnPolicy(this, `${kind}Policy${account}`, {
          policyName: `profiles-in-${account}`,
          roles: [role.roleName],
          policyDocument: { Version: '2012-10-17', Statement: permissions.statements },
        });
        policy.cfnOptions.condition = condition;
        acknowledgeWildcards(policy, permissions.wildcards);
      }
    }
    this.roles = roles;
  }
}

/**
 * The target stack: deployed to each workload account, by a service-managed StackSet of the pipeline stack
 * (TargetAccountStackSet) or with `cdk deploy` and `--parameters PipelineAccount=<id>`.
 */
export class TargetAccountStack extends Stack {
  public readonly roles: TargetAccountRoles;

  public constructor(scope: Construct, id: string, props: StackProps & { config: FederationConfig }) {
    super(scope, id, props);
    const pipelineAccount = new CfnParameter(this, 'PipelineAccount', {
      type: 'String',
      allowedPattern: '^\\d{12}$',
      description: `The account the ${props.config.pipelineName} pipeline runs in; only its function roles may assume these roles`,
    });
    this.roles = new TargetAccountRoles(this, 'TargetRoles', { config: props.config, pipelineAccount: pipelineAccount.valueAsString });
  }
}

export interface TargetAccountStackSetProps {
  readonly config: FederationConfig;
  /** Where the target stack goes: organizational unit ids (ou-...) or the organization's root (r-...). */
  readonly organizationalUnitIds: readonly string[];
  /** DELEGATED_ADMIN when the pipeline's account is a delegated administrator for StackSets, not the management account. */
  readonly callAs?: 'SELF' | 'DELEGATED_ADMIN';
}

/**
 * A service-managed StackSet of the target stack over organizational units, with automatic deployment: an account
 * that joins one of them gets the two roles without anyone running a command, and loses them when it leaves. IAM is
 * global, so one region (the pipeline's) is enough. The template is the target stack's own, synthesized here.
 */
export class TargetAccountStackSet extends Construct {
  public readonly stackSet: CfnStackSet;

  public constructor(scope: Construct, id: string, props: TargetAccountStackSetProps) {
    super(scope, id);
    // Its own output folder: under `cdk synth` an App would write into the app's cdk.out (CDK_OUTDIR).
    const outdir = mkdtempSync(join(tmpdir(), 'saml-federation-target-'));
    let template: unknown;
    try {
      const templateApp = new App({ outdir });
      // A template to hand to StackSets: no bootstrap-version parameter or rule, which member accounts need not have.
      new TargetAccountStack(templateApp, 'Template', { config: props.config, synthesizer: new BootstraplessSynthesizer() });
      template = templateApp.synth().getStackByName('Template').template;
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
    this.stackSet = new CfnStackSet(this, 'StackSet', {
      stackSetName: `${targetRoleName(props.config.pipelineName, 'apply').replace(/-apply$/, '')}-roles`,
      description: `Target-account roles of the ${props.config.pipelineName} SAML federation pipeline`,
      permissionModel: 'SERVICE_MANAGED',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      capabilities: ['CAPABILITY_NAMED_IAM'],
      callAs: props.callAs ?? 'SELF',
      managedExecution: { Active: true },
      parameters: [{ parameterKey: 'PipelineAccount', parameterValue: Aws.ACCOUNT_ID }],
      stackInstancesGroup: [{ deploymentTargets: { organizationalUnitIds: [...props.organizationalUnitIds] }, regions: [Aws.REGION] }],
      templateBody: JSON.stringify(template),
    });
  }
}
