import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main';
import { exampleMetadataPath } from '../../simulated-account/example-metadata';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'saml-federation.ts');
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'saml-federation-cli-'));
  writeFileSync(join(scratch, 'config'), '[profile ops]\nregion = eu-west-3\n');
  writeFileSync(join(scratch, 'credentials'), '');
  writeFileSync(join(scratch, 'notes.txt'), 'These are my notes, not metadata.\n');
  mkdirSync(join(scratch, 'folder'));
  writeFileSync(
    join(scratch, 'sp.xml'),
    '<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="urn:amazon:webservices">' +
      '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">' +
      '<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://signin.aws.amazon.com/saml" index="1"/>' +
      '</md:SPSSODescriptor></md:EntityDescriptor>',
  );
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The CLI as a person runs it: its own process, an AWS configuration of its own, no terminal. */
function cli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf-8',
    timeout: 90_000,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: scratch,
      AWS_CONFIG_FILE: join(scratch, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      ...options.env,
    },
  });
  return { code: result.status, stdout: result.stdout, output: `${result.stdout}${result.stderr}` };
}

const COMMANDS = ['run', 'fleet', 'start', 'status', 'undo', 'confirm', 'reject', 'doctor'];

describe('saml-federation, run as a process', () => {
  it('answers --help for itself and every command, with the exit codes, and --version', () => {
    const top = cli(['--help']);
    expect(top.code).toBe(0);
    for (const command of COMMANDS) expect(top.output).toMatch(new RegExp(`\\n {2}${command}\\b`));
    expect(top.output).toContain('Exit codes: 0 the command succeeded; 1 it ran and failed');
    // One command's help as its own process; every command's through the same entry, in this process (a process
    // start costs about a second, the parsing is the same).
    const help = cli(['status', '--help']);
    expect(help.code).toBe(0);
    expect(help.output).toContain('Usage: saml-federation status');
    const version = cli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  }, 120_000);

  it('answers --help for every command through the same entry the process runs', async () => {
    for (const command of COMMANDS) {
      const lines: string[] = [];
      const code = await main([command, '--help'], { print: (line) => lines.push(line), cwd: ROOT });
      expect({ command, code }).toEqual({ command, code: 0 });
      expect(lines.join('\n')).toContain(`Usage: saml-federation ${command}`);
    }
  });

  it('takes the region from the AWS configuration file of a named profile, as the AWS CLI does, from any folder', () => {
    const { code, output } = cli(['doctor', '--profile-name', 'ops'], { cwd: join(ROOT, 'lambdas') });
    expect(output).toContain('✓ region: eu-west-3 (from profile ops)');
    expect(output).toMatch(/✗ credentials: .*\n {4}fix: sign in for profile ops/);
    expect(code).toBe(1);
    expect(output).not.toContain(String.fromCharCode(27));
  });

  it('runs the example from a subfolder, and --json prints one document a script can parse', () => {
    const { code, stdout } = cli(['run', '--from-application', '--profile', 'admin', '--json'], { cwd: join(ROOT, 'lambdas') });
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout) as { executions: Array<{ status: string; roleAttribute: string }> };
    expect(parsed.executions[0]).toMatchObject({
      status: 'SUCCEEDED',
      roleAttribute: 'arn:aws:iam::111122223333:role/AmazonConnectAdminAccessRole,arn:aws:iam::111122223333:saml-provider/AmazonConnectAdminAccess',
    });
  });

  it.each([
    ['an unknown option', ['run', '--profle', 'admin'], 2, "error: unknown option '--profle'"],
    ['a missing file', ['run', '--profile', 'admin', '--metadata', 'no-such.xml'], 2, 'error: --metadata no-such.xml: no such file'],
    ['a folder', ['run', '--profile', 'admin', '--metadata', 'FOLDER'], 2, 'is a folder; give the metadata XML file itself'],
    ['a text file', ['run', '--profile', 'admin', '--metadata', 'NOTES'], 2, 'is not an XML document (it starts with "These are my notes,'],
    [
      'service provider metadata',
      ['run', '--profile', 'admin', '--metadata', 'SP'],
      1,
      "Metadata.NotIdentityProvider: the document does not describe a SAML 2.0 identity provider: this is a service provider's metadata",
    ],
    [
      'the admin metadata for the agent profile',
      ['run', '--profile', 'agent', '--metadata', 'ADMIN'],
      1,
      "Result: FAILED Metadata.WrongApplication\n  the document is the metadata of profile admin's application",
    ],
    [
      'missing credentials for a command that needs AWS',
      ['confirm', 'token-1', '--profile-name', 'ops'],
      2,
      'error: no AWS credentials found for this command',
    ],
    [
      'an unknown profile',
      ['run', '--profile', 'nobody', '--from-application'],
      2,
      'unknown profile "nobody"; the configuration defines: admin, agent',
    ],
  ])('names %s, with its exit code', (_label, args, expectedCode, expected) => {
    const paths: Record<string, string> = {
      FOLDER: join(scratch, 'folder'),
      NOTES: join(scratch, 'notes.txt'),
      SP: join(scratch, 'sp.xml'),
      ADMIN: exampleMetadataPath('admin'),
    };
    const { code, output } = cli(args.map((arg) => paths[arg] ?? arg));
    expect(output).toContain(expected);
    expect(code).toBe(expectedCode);
    expect(output).not.toMatch(/\n\s+at .*\.ts:\d+/);
  });
});
