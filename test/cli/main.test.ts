import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { main } from '../../cli/main';
import { runLocalExecution } from '../../local/runner';
import { accountForConfig, simulatedServices } from '../../local/simulated-services';
import { exampleMetadataPath } from '../../simulated-account/example-metadata';
import { exampleConfig } from '../helpers/document';
import { crossAccountConfig } from '../local/workflow-harness';

const root = join(__dirname, '..', '..');

async function cli(...argv: string[]): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const code = await main(argv, { print: (line) => lines.push(line), cwd: root });
  return { code, output: lines.join('\n') };
}

describe('saml-federation CLI', () => {
  it('run executes the workflow on the bundled example and prints each state, the ARNs and the Role attribute', async () => {
    const { code, output } = await cli('run', '--metadata', exampleMetadataPath('admin'), '--profile', 'admin');
    expect(code).toBe(0);
    for (const state of [
      'Validate metadata',
      'Take profile lock',
      'Create or update identity provider',
      'Create or update federation role',
      'Attach permissions policy',
      'Map Role attribute in IAM Identity Center',
      'Release profile lock',
    ]) {
      expect(output).toContain(`→ ${state}`);
    }
    expect(output).toContain('created: arn:aws:iam::111122223333:saml-provider/AmazonConnectAdminAccess');
    expect(output).toContain(
      'https://aws.amazon.com/SAML/Attributes/Role = arn:aws:iam::111122223333:role/AmazonConnectAdminAccessRole,arn:aws:iam::111122223333:saml-provider/AmazonConnectAdminAccess',
    );
    expect(output).toMatch(/Result: SUCCEEDED/);
    // The admin profile's relay state follows from its Connect instance; the pipeline writes it and reads it back.
    expect(output).toContain(
      'Relay state: https://us-east-1.console.aws.amazon.com/connect/federate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d (written and read back)',
    );
  });

  it('run --from-application does the whole runbook with nothing uploaded, and a second run makes no write (npm run example)', async () => {
    const { code, output } = await cli('run', '--from-application', '--profile', 'admin', '--twice');
    expect(code).toBe(0);
    expect(output).not.toContain('Uploaded ');
    expect(output).toContain("the execution fetches profile admin's metadata from its IAM Identity Center application");
    const [first, second] = output.split('Second execution with the same input');
    expect(first).toContain('created: arn:aws:iam::111122223333:saml-provider/AmazonConnectAdminAccess');
    expect(first).toContain(
      'https://aws.amazon.com/SAML/Attributes/Role = arn:aws:iam::111122223333:role/AmazonConnectAdminAccessRole,arn:aws:iam::111122223333:saml-provider/AmazonConnectAdminAccess',
    );
    expect(first).toContain(
      'Relay state: https://us-east-1.console.aws.amazon.com/connect/federate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d (written and read back)',
    );
    expect(second).toMatch(/Attribute mapping: +unchanged/);
    expect(second).toContain(', 0 of them changes');
  });

  it('run names a group the identity store does not hold (Assignments.PrincipalNotFound) and rolls back everything', async () => {
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const cdk = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf-8'));
    cdk.context.samlFederation.profiles.admin.application.assignments = { groups: ['Amazon Connect admins'] };
    const path = join(mkdtempSync(join(tmpdir(), 'cli-')), 'cdk.json');
    writeFileSync(path, JSON.stringify(cdk));
    const { code, output } = await cli('run', '--from-application', '--profile', 'admin', '--config', path);
    expect(code).toBe(1);
    expect(output).toContain('Result: FAILED Provisioning.RolledBack');
    expect(output).toContain('application.assignments.groups names group "Amazon Connect admins", which identity store');
  });

  it('run --dry-run says nothing was changed and shows planned actions', async () => {
    const { code, output } = await cli('run', '--metadata', exampleMetadataPath('agent'), '--profile', 'agent', '--dry-run');
    expect(code).toBe(0);
    expect(output).toContain('Result: SUCCEEDED (dry run: nothing was changed)');
    // The plan as a table, once: each step, what it would do, the resource (no second list of the same ARNs).
    expect(output).not.toMatch(/Federation role:\s+planned/);
    expect(output).toMatch(/ {2}Step\s+Would\s+Resource/);
    expect(output).toMatch(/Federation role\s+create\s+arn:aws:iam::111122223333:role\/AmazonConnectAgentAccessRole/);
    expect(output).toMatch(/Plan: \d+ to create, \d+ to change, \d+ to leave\./);
    // A policy created and then attached is a creation.
    expect(output).toMatch(/Permissions policy\s+create\s+arn:aws:iam::111122223333:policy\/AmazonConnectSSOPolicy/);
    expect(output).toMatch(/0 of them changes/);
  });

  it("run --account puts the profile's provider, role and policy in that account of the simulated organization and maps their ARNs", async () => {
    const { code, output } = await cli('run', '--from-application', '--profile', 'admin', '--account', '222222222222');
    expect(code).toBe(0);
    expect(output).toContain('created               arn:aws:iam::222222222222:saml-provider/AmazonConnectAdminAccess');
    expect(output).toContain('created               arn:aws:iam::222222222222:role/AmazonConnectAdminAccessRole');
    expect(output).toContain('created               arn:aws:iam::222222222222:policy/AmazonConnectSSOPolicy');
    expect(output).toContain(
      'https://aws.amazon.com/SAML/Attributes/Role = arn:aws:iam::222222222222:role/AmazonConnectAdminAccessRole,arn:aws:iam::222222222222:saml-provider/AmazonConnectAdminAccess',
    );
    // The provider, role, policy, Connect users and sign-in check steps assume their role there, and Intake its read role.
    expect(output).toMatch(/of them in account 222222222222: \d+ calls \(IAM, Amazon Connect\) through assumed roles, 4 changes; 6 AssumeRole/);
  });

  it('run --account refuses an account id that is not 12 digits, and exits 2', async () => {
    const { code, output } = await cli('run', '--from-application', '--profile', 'admin', '--account', '2222');
    expect(code).toBe(2);
    expect(output).toContain('--account must be a 12-digit AWS account id (got "2222")');
  });

  it('fleet applies every profile, one execution each, and says what each came to', async () => {
    const { code, output } = await cli('fleet');
    expect(code).toBe(0);
    expect(output).toContain('Applied 2 profile(s): 2 succeeded, 0 rolled back, 0 need action.');
    expect(output).toMatch(/ {2}admin \(account 111122223333\) arn:aws:states:/);
  });

  it('fleet --dry-run says nothing was changed', async () => {
    const { code, output } = await cli('fleet', '--dry-run');
    expect(code).toBe(0);
    expect(output).toContain('Planned (dry run: nothing was changed) 2 profile(s): 2 succeeded');
    // Each profile's plan, as a table.
    expect(output.match(/Plan: \d+ to create, \d+ to change, \d+ to leave\./g)).toHaveLength(2);
  });

  it('run refuses --live for a profile in another account, whose roles trust only the deployed functions, and exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'saml-federation-cli-'));
    const config = join(dir, 'cdk.json');
    writeFileSync(config, JSON.stringify({ context: { samlFederation: crossAccountConfig } }));
    const { code, output } = await cli('run', '--from-application', '--profile', 'admin', '--config', config, '--live', '--bucket', 'b');
    rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(2);
    expect(output).toContain(
      "run --live cannot work in account 222222222222: the target roles there trust only the deployed pipeline's function roles",
    );
  });

  it("run --account refuses the pipeline's own account, and exits 2", async () => {
    const { code, output } = await cli('run', '--from-application', '--profile', 'admin', '--account', '111122223333');
    expect(code).toBe(2);
    expect(output).toContain("profiles.admin.account: 111122223333 is the pipeline's own account");
  });

  it('status shows each profile after an execution: certificate expiry, role trust, policy version, mapping, no drift', async () => {
    const { code, output } = await cli('status', '--profile', 'admin');
    expect(code).toBe(0);
    expect(output).toMatch(/provider {2}arn:aws:iam::111122223333:saml-provider\/AmazonConnectAdminAccess; signing certificate expires \d{4}-/);
    expect(output).toContain('trusts the provider; max session 43200 s');
    expect(output).toMatch(/last {6}local-[0-9a-f-]+: SUCCEEDED/);
    expect(output).toContain('drift     none');
  });

  it('fleet refuses a profile the configuration does not define, and exits 1', async () => {
    const { code, output } = await cli('fleet', '--profiles', 'admin,nobody');
    expect(code).toBe(1);
    expect(output).toContain('Fleet: FAILED Fleet.RequestInvalid: unknown profile(s) nobody');
  });

  it('run names the known profiles when given an unknown one, and exits 2', async () => {
    const { code, output } = await cli('run', '--metadata', exampleMetadataPath('admin'), '--profile', 'billing');
    expect(code).toBe(2);
    expect(output).toContain('unknown profile "billing"; the configuration defines: admin, agent');
  });

  it('reject refuses to send a rejection without a reason', async () => {
    const { code, output } = await cli('reject', 'token-123');
    expect(code).toBe(2);
    expect(output).toContain("required option '--reason <why>' not specified");
  });

  it.each(['--help', '-h', 'help'])('prints usage for %s and exits 0', async (flag) => {
    const { code, output } = await cli(flag);
    expect(code).toBe(0);
    expect(output).not.toContain('unknown command');
    expect(output).toContain('Usage: saml-federation [options] [command]');
    expect(output).toContain('Exit codes: 0 the command succeeded; 1 it ran and failed');
  });

  it('names an unknown command and exits 2', async () => {
    const { code, output } = await cli('deploy');
    expect(code).toBe(2);
    expect(output).toContain("error: unknown command 'deploy'");
  });
});

describe('start against the deployed state machine', () => {
  it('--dry-run prints the plan as a table: what each step would create, change or leave', async () => {
    // The deployed execution's stand-in: the state machine's answer is the document a local dry run of the same input ends with.
    const planned = await runLocalExecution({
      services: simulatedServices(accountForConfig(exampleConfig)),
      config: exampleConfig,
      input: { profile: 'admin', dryRun: true },
      retryIntervalMs: 0,
    });
    expect(planned.status).toBe('SUCCEEDED');
    const sfn = mockClient(SFNClient);
    const executionArn = 'arn:aws:states:us-east-1:111122223333:execution:saml-federation:plan-1';
    sfn.on(StartExecutionCommand).resolves({ executionArn });
    sfn.on(DescribeExecutionCommand).resolves({ executionArn, status: 'SUCCEEDED', output: JSON.stringify(planned.output) });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [{ type: 'ExecutionSucceeded', id: 1, timestamp: new Date() }] });
    try {
      const { code, output } = await cli(
        'start',
        '--state-machine-arn',
        'arn:aws:states:us-east-1:111122223333:stateMachine:sf',
        '--profile',
        'admin',
        '--dry-run',
      );
      expect(code).toBe(0);
      expect(JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input ?? '{}')).toEqual({ profile: 'admin', dryRun: true });
      expect(output).toContain('Plan (dry run: nothing was changed):');
      expect(output).toMatch(/ {2}Step\s+Would\s+Resource/);
      expect(output).toMatch(/Identity provider\s+create\s+arn:aws:iam::111122223333:saml-provider\/AmazonConnectAdminAccess/);
      expect(output).toMatch(/Federation role\s+create\s+arn:aws:iam::111122223333:role\/AmazonConnectAdminAccessRole/);
      expect(output).toMatch(/Plan: \d+ to create, \d+ to change, \d+ to leave\./);
    } finally {
      sfn.restore();
    }
  });
});

describe('colours', () => {
  const ESC = String.fromCharCode(27);
  async function doctorOutput(options: { isTTY: boolean; env: NodeJS.ProcessEnv }, ...flags: string[]): Promise<string> {
    const lines: string[] = [];
    await main(['doctor', ...flags], { print: (line) => lines.push(line), cwd: root, ...options });
    return lines.join('\n');
  }

  it('marks checks in colour on a terminal only, never with NO_COLOR or --no-color', async () => {
    expect(await doctorOutput({ isTTY: true, env: {} })).toContain(`${ESC}[31m✗`);
    expect(await doctorOutput({ isTTY: false, env: {} })).not.toContain(ESC);
    expect(await doctorOutput({ isTTY: true, env: { NO_COLOR: '1' } })).not.toContain(ESC);
    expect(await doctorOutput({ isTTY: true, env: {} }, '--no-color')).not.toContain(ESC);
  });
});
