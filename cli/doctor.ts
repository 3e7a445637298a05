import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ConnectClient } from '@aws-sdk/client-connect';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeApplicationCommand, ListInstancesCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { STACK_NAME, stackOutput } from '../infra/names';
import { placeholderProblems } from '../infra/placeholders';
import { checkConnectInstance } from '../lambdas/intake/connect-instance';
import type { FederationConfig } from '../lambdas/shared/profile';

export interface Check {
  name: string;
  status: 'ok' | 'failed' | 'skipped';
  detail: string;
  /** What to do when it failed or was skipped. */
  fix?: string;
}

/** The AWS side of the checks: clients in the resolved region and profile (the SDK's default chain). */
export interface DoctorClients {
  sts: STSClient;
  ssoAdmin: SSOAdminClient;
  cloudFormation: CloudFormationClient;
  s3: S3Client;
  connect: ConnectClient;
}

export function doctorClients(): DoctorClients {
  return {
    sts: new STSClient({}),
    ssoAdmin: new SSOAdminClient({}),
    cloudFormation: new CloudFormationClient({}),
    s3: new S3Client({}),
    connect: new ConnectClient({}),
  };
}

const message = (error: unknown) => `${(error as Error).name}: ${(error as Error).message}`;

/** The configuration: every placeholder of the example replaced. */
function configurationCheck(config: FederationConfig): Check {
  const placeholders = placeholderProblems(config);
  return placeholders.length === 0
    ? { name: 'configuration', status: 'ok', detail: `${Object.keys(config.profiles).length} profile(s): ${Object.keys(config.profiles).join(', ')}` }
    : { name: 'configuration', status: 'failed', detail: placeholders.join('; '), fix: 'put your values in cdk.json (context.samlFederation)' };
}

/** The region and the credentials the SDK resolves, as the AWS CLI would; the account they sign in to. */
async function whoAmI(clients: DoctorClients, env: NodeJS.ProcessEnv): Promise<{ checks: Check[]; region?: string; account?: string }> {
  const source = env.AWS_PROFILE ? `profile ${env.AWS_PROFILE}` : 'the default profile or AWS_REGION';
  let region: string;
  try {
    region = await clients.sts.config.region();
  } catch (error) {
    return {
      checks: [
        {
          name: 'region',
          status: 'failed',
          detail: message(error),
          fix: 'pass --region, or set region for the profile in ~/.aws/config (aws configure)',
        },
        { name: 'credentials', status: 'skipped', detail: 'needs a region', fix: 'fix the region first' },
      ],
    };
  }
  const regionCheck: Check = { name: 'region', status: 'ok', detail: `${region} (from ${env.AWS_REGION ? 'AWS_REGION / --region' : source})` };
  try {
    const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
    return {
      checks: [regionCheck, { name: 'credentials', status: 'ok', detail: `${identity.Arn} (account ${identity.Account})` }],
      region,
      account: identity.Account,
    };
  } catch (error) {
    const fix = `sign in for ${source}: aws configure, or aws sso login --profile <name> (then pass --profile-name <name>)`;
    return { checks: [regionCheck, { name: 'credentials', status: 'failed', detail: message(error), fix }], region };
  }
}

/** An IAM Identity Center instance exists in the region, and every instance the profiles name is one of them. */
async function identityCenterCheck(config: FederationConfig, clients: DoctorClients, region: string | undefined): Promise<Check> {
  const name = 'IAM Identity Center';
  try {
    const instances = (await clients.ssoAdmin.send(new ListInstancesCommand({}))).Instances ?? [];
    const named = [...new Set(Object.values(config.profiles).flatMap((p) => (p.application.instanceArn ? [p.application.instanceArn] : [])))];
    const missing = named.filter((arn) => !instances.some((i) => i.InstanceArn === arn));
    if (instances.length === 0)
      return { name, status: 'failed', detail: `no instance in ${region}`, fix: 'enable IAM Identity Center, or pass the --region it lives in' };
    if (missing.length > 0)
      return {
        name,
        status: 'failed',
        detail: `not found: ${missing.join(', ')}`,
        fix: 'set application.instanceArn from `aws sso-admin list-instances`',
      };
    return { name, status: 'ok', detail: instances.map((i) => i.InstanceArn).join(', ') };
  } catch (error) {
    return { name, status: 'failed', detail: message(error), fix: 'allow sso:ListInstances, or run in the Identity Center account' };
  }
}

/** Each application a profile names by ARN exists (one named by display name is found when an execution runs). */
async function applicationChecks(config: FederationConfig, clients: DoctorClients): Promise<Check[]> {
  const found: string[] = [];
  const failed: Check[] = [];
  for (const [name, profile] of Object.entries(config.profiles)) {
    if (!profile.application.arn) {
      found.push(`${name}: by display name "${profile.application.displayName}" (found when an execution runs)`);
      continue;
    }
    try {
      const described = await clients.ssoAdmin.send(new DescribeApplicationCommand({ ApplicationArn: profile.application.arn }));
      found.push(`${name}: ${described.Name ?? profile.application.arn} ${described.Status ?? ''}`.trim());
    } catch (error) {
      failed.push({
        name: 'applications',
        status: 'failed',
        detail: `${name}: ${message(error)}`,
        fix: `set profiles.${name}.application.arn from \`aws sso-admin list-applications --instance-arn <instance ARN>\``,
      });
    }
  }
  return failed.length > 0 ? failed : [{ name: 'applications', status: 'ok', detail: found.join('; ') }];
}

/**
 * Each profile's Connect instance, as Intake checks it before any change: in the account of the profile's role, and,
 * for those in the current credentials' account, existing, ACTIVE and using SAML identity management
 * (connect:DescribeInstance). An instance in another account is read by the pipeline through that account's read role.
 */
async function connectChecks(config: FederationConfig, clients: DoctorClients, account: string): Promise<Check> {
  const problems: string[] = [];
  const fine: string[] = [];
  for (const [name, profile] of Object.entries(config.profiles)) {
    if (!profile.policy.connectInstanceArn) continue;
    const owner = profile.account ?? account;
    try {
      // The account check alone where these credentials cannot read the instance (another account).
      const reader = owner === account ? clients.connect : undefined;
      await checkConnectInstance({ ...profile, name }, account, reader ?? unreadable);
      fine.push(`${name}: ${profile.policy.connectInstanceArn} ${reader ? 'SAML, ACTIVE' : `(in ${owner}: read there by the pipeline)`}`);
    } catch (error) {
      if (error === UNREADABLE) fine.push(`${name}: in account ${owner}, read there by the pipeline`);
      else problems.push(`${(error as Error).name}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) {
    return {
      name: 'Connect instances',
      status: 'failed',
      detail: problems.join('; '),
      fix: "set policy.connectInstanceArn from `aws connect list-instances` in the profile's account",
    };
  }
  return { name: 'Connect instances', status: 'ok', detail: fine.join('; ') || 'no profile names one' };
}

/** A client for an account these credentials do not reach: its one call says so. */
const UNREADABLE = new Error('another account');
const unreadable = { send: async () => Promise.reject(UNREADABLE) } as unknown as ConnectClient;

/** The deployed stack, and the bucket its outputs name. */
async function stackChecks(clients: DoctorClients, region: string | undefined): Promise<Check[]> {
  let bucket: string | undefined;
  let stackCheck: Check;
  try {
    const stack = (await clients.cloudFormation.send(new DescribeStacksCommand({ StackName: STACK_NAME }))).Stacks?.[0];
    const outputs = stack?.Outputs ?? [];
    bucket = stackOutput(outputs, 'BucketName');
    const stateMachine = stackOutput(outputs, 'StateMachineArn');
    stackCheck = {
      name: 'stack',
      status: 'ok',
      detail: `${STACK_NAME} ${stack?.StackStatus}; state machine ${stateMachine ?? 'not in the outputs'}`,
    };
  } catch (error) {
    stackCheck = {
      name: 'stack',
      status: 'failed',
      detail: message(error),
      fix: `deploy it: npx cdk bootstrap, then npx cdk deploy ${STACK_NAME} (in ${region})`,
    };
  }
  if (!bucket) return [stackCheck, { name: 'bucket', status: 'skipped', detail: 'needs the stack', fix: 'deploy the stack first' }];
  try {
    await clients.s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return [stackCheck, { name: 'bucket', status: 'ok', detail: bucket }];
  } catch (error) {
    return [
      stackCheck,
      { name: 'bucket', status: 'failed', detail: `${bucket}: ${message(error)}`, fix: 'allow s3:ListBucket on it for these credentials' },
    ];
  }
}

/**
 * What an administrator checks before the first real run, in order, each saying what is missing and how to fix it:
 * the configuration, the region and credentials the SDK finds (as the AWS CLI would), IAM Identity Center, the
 * profiles' applications and Connect instances, the deployed stack and its bucket. A check that needs an earlier one
 * is skipped when that one failed.
 */
export async function doctor(config: FederationConfig, clients: DoctorClients, env: NodeJS.ProcessEnv = process.env): Promise<Check[]> {
  const identity = await whoAmI(clients, env);
  const checks: Check[] = [configurationCheck(config), ...identity.checks];
  if (!identity.account) {
    for (const name of ['IAM Identity Center', 'applications', 'Connect instances', 'stack', 'bucket'])
      checks.push({ name, status: 'skipped', detail: 'needs credentials', fix: 'fix the credentials first' });
    return checks;
  }
  checks.push(await identityCenterCheck(config, clients, identity.region));
  checks.push(...(await applicationChecks(config, clients)));
  checks.push(await connectChecks(config, clients, identity.account));
  checks.push(...(await stackChecks(clients, identity.region)));
  return checks;
}
