import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeApplicationCommand, ListInstancesCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { STACK_NAME, stackOutput } from '../infra/names';
import { placeholderProblems } from '../infra/placeholders';
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
}

export function doctorClients(): DoctorClients {
  return { sts: new STSClient({}), ssoAdmin: new SSOAdminClient({}), cloudFormation: new CloudFormationClient({}), s3: new S3Client({}) };
}

const message = (error: unknown) => `${(error as Error).name}: ${(error as Error).message}`;

/**
 * What an administrator checks before the first real run, in order, each saying what is missing and how to fix it:
 * the configuration, the region and credentials the SDK finds (as the AWS CLI would), IAM Identity Center, the
 * profiles' applications and Connect instances, the deployed stack and its bucket. A check that needs an earlier one
 * is skipped when that one failed.
 */
export async function doctor(config: FederationConfig, clients: DoctorClients, env: NodeJS.ProcessEnv = process.env): Promise<Check[]> {
  const checks: Check[] = [];
  const placeholders = placeholderProblems(config);
  checks.push(
    placeholders.length === 0
      ? {
          name: 'configuration',
          status: 'ok',
          detail: `${Object.keys(config.profiles).length} profile(s): ${Object.keys(config.profiles).join(', ')}`,
        }
      : { name: 'configuration', status: 'failed', detail: placeholders.join('; '), fix: 'put your values in cdk.json (context.samlFederation)' },
  );
  const source = env.AWS_PROFILE ? `profile ${env.AWS_PROFILE}` : 'the default profile or AWS_REGION';
  let region: string | undefined;
  try {
    region = await clients.sts.config.region();
    checks.push({ name: 'region', status: 'ok', detail: `${region} (from ${env.AWS_REGION ? 'AWS_REGION / --region' : source})` });
  } catch (error) {
    checks.push({
      name: 'region',
      status: 'failed',
      detail: message(error),
      fix: 'pass --region, or set region for the profile in ~/.aws/config (aws configure)',
    });
  }
  let account: string | undefined;
  if (region) {
    try {
      const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
      account = identity.Account;
      checks.push({ name: 'credentials', status: 'ok', detail: `${identity.Arn} (account ${identity.Account})` });
    } catch (error) {
      checks.push({
        name: 'credentials',
        status: 'failed',
        detail: message(error),
        fix: `sign in for ${source}: aws configure, or aws sso login --profile <name> (then pass --profile-name <name>)`,
      });
    }
  } else checks.push({ name: 'credentials', status: 'skipped', detail: 'needs a region', fix: 'fix the region first' });
  const skip = (name: string) => checks.push({ name, status: 'skipped', detail: 'needs credentials', fix: 'fix the credentials first' });
  if (!account) {
    for (const name of ['IAM Identity Center', 'applications', 'Connect instances', 'stack', 'bucket']) skip(name);
    return checks;
  }
  try {
    const instances = (await clients.ssoAdmin.send(new ListInstancesCommand({}))).Instances ?? [];
    const named = [...new Set(Object.values(config.profiles).flatMap((p) => (p.application.instanceArn ? [p.application.instanceArn] : [])))];
    const missing = named.filter((arn) => !instances.some((i) => i.InstanceArn === arn));
    checks.push(
      instances.length === 0
        ? {
            name: 'IAM Identity Center',
            status: 'failed',
            detail: `no instance in ${region}`,
            fix: 'enable IAM Identity Center, or pass the --region it lives in',
          }
        : missing.length > 0
          ? {
              name: 'IAM Identity Center',
              status: 'failed',
              detail: `not found: ${missing.join(', ')}`,
              fix: 'set application.instanceArn from `aws sso-admin list-instances`',
            }
          : { name: 'IAM Identity Center', status: 'ok', detail: instances.map((i) => i.InstanceArn).join(', ') },
    );
  } catch (error) {
    checks.push({
      name: 'IAM Identity Center',
      status: 'failed',
      detail: message(error),
      fix: 'allow sso:ListInstances, or run in the Identity Center account',
    });
  }
  const applications: string[] = [];
  for (const [name, profile] of Object.entries(config.profiles)) {
    if (!profile.application.arn) {
      applications.push(`${name}: by display name "${profile.application.displayName}" (found when an execution runs)`);
      continue;
    }
    try {
      const found = await clients.ssoAdmin.send(new DescribeApplicationCommand({ ApplicationArn: profile.application.arn }));
      applications.push(`${name}: ${found.Name ?? profile.application.arn} ${found.Status ?? ''}`.trim());
    } catch (error) {
      checks.push({
        name: 'applications',
        status: 'failed',
        detail: `${name}: ${message(error)}`,
        fix: `set profiles.${name}.application.arn from \`aws sso-admin list-applications --instance-arn <instance ARN>\``,
      });
    }
  }
  if (!checks.some((c) => c.name === 'applications')) checks.push({ name: 'applications', status: 'ok', detail: applications.join('; ') });
  const connect = Object.entries(config.profiles).flatMap(([name, p]) => {
    const arn = p.policy.connectInstanceArn;
    if (!arn) return [];
    const [, , , arnRegion, arnAccount] = arn.split(':');
    const expected = p.account ?? account;
    return arnAccount !== expected || arnRegion === undefined ? [`${name}: ${arn} names account ${arnAccount}, not ${expected}`] : [];
  });
  checks.push(
    connect.length === 0
      ? { name: 'Connect instances', status: 'ok', detail: 'each profile names an instance in its own account' }
      : {
          name: 'Connect instances',
          status: 'failed',
          detail: connect.join('; '),
          fix: 'set policy.connectInstanceArn from `aws connect list-instances` in that account',
        },
  );
  let bucket: string | undefined;
  try {
    const stack = (await clients.cloudFormation.send(new DescribeStacksCommand({ StackName: STACK_NAME }))).Stacks?.[0];
    const outputs = stack?.Outputs ?? [];
    bucket = stackOutput(outputs, 'BucketName');
    const stateMachine = stackOutput(outputs, 'StateMachineArn');
    checks.push({
      name: 'stack',
      status: 'ok',
      detail: `${STACK_NAME} ${stack?.StackStatus}; state machine ${stateMachine ?? 'not in the outputs'}`,
    });
  } catch (error) {
    checks.push({
      name: 'stack',
      status: 'failed',
      detail: message(error),
      fix: `deploy it: npx cdk bootstrap, then npx cdk deploy ${STACK_NAME} (in ${region})`,
    });
  }
  if (!bucket) checks.push({ name: 'bucket', status: 'skipped', detail: 'needs the stack', fix: 'deploy the stack first' });
  else {
    try {
      await clients.s3.send(new HeadBucketCommand({ Bucket: bucket }));
      checks.push({ name: 'bucket', status: 'ok', detail: bucket });
    } catch (error) {
      checks.push({
        name: 'bucket',
        status: 'failed',
        detail: `${bucket}: ${message(error)}`,
        fix: 'allow s3:ListBucket on it for these credentials',
      });
    }
  }
  return checks;
}
