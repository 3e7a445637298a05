import type { IAMClient } from '@aws-sdk/client-iam';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STACK_NAME, stackOutput } from '../../infra/names';
import { awsClients } from '../../lambdas/runtime/clients';
import { profileNamed, type ResolvedProfile } from '../../lambdas/shared/profile';
import { DAILY_CHECK_KEY, functionRoleArn, targetRoleArn } from '../../lambdas/shared/target-account';
import { runLocalExecution } from '../../local/runner';
import { accountForConfig, simulatedServices } from '../../local/simulated-services';
import { type ProfileStatus, profileStatus, type StatusDeps } from '../../local/status';
import { CliUsageError } from '../errors';
import { currentAccount } from '../live-services';
import { type CliIo, type CommandResult, configOf, EXIT, type Values } from '../options';

/** `status`: each profile's resources and drift, over the live account or a simulated one after one execution each. */
export async function status(values: Values, io: CliIo): Promise<CommandResult> {
  const config = configOf(values, io);
  const names = typeof values.profile === 'string' ? [values.profile] : Object.keys(config.profiles);
  const unknown = names.filter((name) => !Object.hasOwn(config.profiles, name));
  if (unknown.length > 0)
    throw new CliUsageError(`unknown profile "${unknown[0]}"; the configuration defines: ${Object.keys(config.profiles).join(', ')}`);
  let deps: Omit<StatusDeps, 'iam'> & { iam: (profile: ResolvedProfile) => IAMClient | undefined };
  const lastExecutions = new Map<string, LastExecution>();
  if (values.live) {
    const environment = await currentAccount();
    const { account, region } = environment;
    const clients = awsClients({ region });
    deps = {
      ...clients,
      environment,
      now: () => new Date(),
      // A profile in another account is read only with credentials of that account.
      iam: (profile) => (profile.account === undefined || profile.account === account ? clients.iam : undefined),
    };
    io.print(`Status of account ${account} (${region}), read with the current credentials.`);
    for (const [profile, last] of await lastDeployedExecutions(names)) lastExecutions.set(profile, last);
  } else {
    const account = accountForConfig(config);
    const services = simulatedServices(account);
    for (const name of names) {
      const result = await runLocalExecution({ services, config, input: { profile: name }, retryIntervalMs: 0 });
      lastExecutions.set(name, { name: result.executionName, status: result.status, ...(result.error ? { error: result.error } : {}) });
    }
    const reader = account.clients(functionRoleArn(account.partition, account.account, config.pipelineName, DAILY_CHECK_KEY));
    deps = {
      ...reader,
      environment: services.environment,
      now: () => new Date(),
      iam: (profile) =>
        profile.account === undefined
          ? reader.iam
          : reader.iamIn({ roleArn: targetRoleArn(account.partition, profile.account, config.pipelineName, 'read'), sessionName: 'status' }),
    };
    io.print(`Local status: a simulated account after one execution of ${names.join(', ')} (nothing persists between commands).`);
  }
  const statuses: ProfileStatus[] = [];
  for (const name of names) {
    const profile = profileNamed(config, name);
    const iam = deps.iam(profile);
    if (!iam) {
      io.print(`\n${name}: its IAM lives in account ${profile.account}; run status with credentials of that account (--profile-name)`);
      continue;
    }
    const found = { ...(await profileStatus(profile, { ...deps, iam })), lastExecution: lastExecutions.get(name) };
    statuses.push(found);
    io.print(`\n${name} (account ${found.account})`);
    const last = found.lastExecution;
    io.print(
      `  last      ${last ? `${last.name}: ${last.status}${last.error ? ` ${last.error}` : ''}${last.stopDate ? ` (${last.stopDate})` : ''}` : 'no execution found'}`,
    );
    const expiry = found.provider.certificates?.map((c) => c.notAfter).sort()[0];
    io.print(`  provider  ${found.provider.exists ? found.provider.arn : 'missing'}${expiry ? `; signing certificate expires ${expiry}` : ''}`);
    io.print(
      `  role      ${found.role.exists ? `${found.role.arn}; ${found.role.trustsProvider ? 'trusts the provider' : 'does NOT trust the provider'}; max session ${found.role.maxSessionDuration} s` : 'missing'}`,
    );
    if (found.policy.arn) io.print(`  policy    ${found.policy.exists ? `${found.policy.arn} ${found.policy.defaultVersionId}` : 'missing'}`);
    io.print(`  mapping   ${found.mapping.roleAttribute?.join(' ') ?? 'no Role attribute'}`);
    if (found.connectUsers) io.print(`  connect   ${found.connectUsers.lines.join('\n            ')}`);
    if (found.signIn) io.print(`  sign-in   ${[found.signIn.line.replace(/^sign-in /, ''), ...found.signIn.details].join('\n            ')}`);
    io.print(found.drift.length === 0 ? '  drift     none' : `  drift     ${found.drift.join('\n            ')}`);
  }
  return { code: statuses.every((s) => s.drift.length === 0) ? EXIT.ok : EXIT.failed, json: { profiles: statuses } };
}

interface LastExecution {
  name: string;
  status: string;
  error?: string;
  stopDate?: string;
}

/**
 * Each profile's newest execution of the deployed state machine (its ARN from the stack's outputs): the 50 newest
 * executions are read, newest first, and each counts for the profile its input names (the profile, or its key's folder).
 */
async function lastDeployedExecutions(profiles: readonly string[]): Promise<Map<string, LastExecution>> {
  const found = new Map<string, LastExecution>();
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const { ListExecutionsCommand, DescribeExecutionCommand } = await import('@aws-sdk/client-sfn');
  let stateMachineArn: string | undefined;
  try {
    const stack = (await new CloudFormationClient({}).send(new DescribeStacksCommand({ StackName: STACK_NAME }))).Stacks?.[0];
    stateMachineArn = stackOutput(stack?.Outputs, 'StateMachineArn');
  } catch {
    return found;
  }
  if (!stateMachineArn) return found;
  const sfn = new SFNClient({});
  const executions = (await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 50 }))).executions ?? [];
  for (const execution of executions) {
    if (found.size === profiles.length) break;
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: execution.executionArn }));
    let input: { profile?: unknown; key?: unknown; detail?: { object?: { key?: unknown } } } = {};
    try {
      input = JSON.parse(described.input ?? '{}');
    } catch {
      input = {};
    }
    const key = typeof input.key === 'string' ? input.key : typeof input.detail?.object?.key === 'string' ? input.detail.object.key : undefined;
    const profile = typeof input.profile === 'string' ? input.profile : key?.split('/')[1];
    if (profile && profiles.includes(profile) && !found.has(profile))
      found.set(profile, {
        name: execution.name ?? '',
        status: execution.status ?? 'UNKNOWN',
        ...(described.error ? { error: described.error } : {}),
        ...(execution.stopDate ? { stopDate: execution.stopDate.toISOString() } : {}),
      });
  }
  return found;
}
