import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import aslValidator from 'asl-validator';
import { type Stack, Validations } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import cdkJson from '../../cdk.json';
import { type BuiltApp, buildApp } from '../../infra/build-app';
import { REPOSITORY_ROOT } from '../../infra/pipeline/functions';
import { substitutionName } from '../../lambdas/runtime/function';
import { loadDefinition, readAslText, SUBSTITUTION_NAMES, substitute } from '../../statemachine/definition';
import { FUNCTION_KEYS, functionSpec } from './cfn';

/**
 * The app exactly as `cdk synth` builds it (infra/build-app.ts, cdk.json context), bundled for real by esbuild and
 * gated by the AWS Solutions checks. One synth for the whole file: bundling every function is the slow part.
 */
let outdir: string;
let built: BuiltApp;
let assembly: CloudAssembly;
let template: { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'saml-federation-cdk-'));
  built = buildApp({ context: { ...cdkJson.context, allowExamplePlaceholders: true }, outdir });
  assembly = built.app.synth();
  template = assembly.getStackByName(built.stack.stackName).template;
}, 180_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const logicalIdOf = (stack: Stack, construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as never);

interface Acknowledgement {
  path: string;
  id: string;
  reason: string;
}

function acknowledgements(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([id, reason]) => ({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason })),
  );
}

describe('cdk synth', () => {
  it('passes the AWS Solutions checks with no unacknowledged finding', () => {
    // Synth itself would have thrown on a violation; the report names what is left, should anything be.
    const report = new AwsSolutionsChecks().validateScope(built.app);
    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges only findings that exist, each with a specific reason', () => {
    // The same checks with acknowledgements ignored: every finding the rules raise.
    const pack = new AwsSolutionsChecks();
    (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
    const raised = pack
      .validateScope(built.app)
      .violations.flatMap((v) => v.violatingResources.map((r) => ({ id: v.ruleName, path: r.constructPath ?? '' })));
    const acks = acknowledgements(built.app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      const used = raised.some((finding) => finding.id === ack.id && (finding.path === ack.path || finding.path.startsWith(`${ack.path}/`)));
      expect({ ...ack, used }).toEqual({ ...ack, used: true });
      expect(ack.reason.length).toBeGreaterThan(60);
    }
    // And every raised finding is covered: nothing reaches synth by luck.
    for (const finding of raised) {
      const covered = acks.some((ack) => ack.id === finding.id && (finding.path === ack.path || finding.path.startsWith(`${ack.path}/`)));
      expect({ ...finding, covered }).toEqual({ ...finding, covered: true });
    }
  });

  it('acknowledges no AWS managed policy, public access, missing encryption or TLS, or stale runtime', () => {
    const ids = acknowledgements(built.app).map((ack) => ack.id.replace(/\[.*$/, ''));
    expect([...new Set(ids)].sort()).toEqual(['AwsSolutions-IAM5', 'AwsSolutions-SQS3']);
  });

  it.each([...FUNCTION_KEYS])('bundles %s from its handler, minified with a source map', (key) => {
    const fn = template.Resources[logicalIdOf(built.stack, built.pipeline.functions[key])]!;
    const assetHash = (fn.Properties.Code.S3Key as string).replace(/\.zip$/, '');
    const bundle = join(outdir, `asset.${assetHash}`);
    expect(existsSync(join(bundle, 'index.js.map'))).toBe(true);
    const code = readFileSync(join(bundle, 'index.js'), 'utf-8');
    // The export the function's handler setting names.
    expect(code).toMatch(new RegExp(`\\b${functionSpec(key).handler.export}\\b`));
    // Minified: the code is a few very long lines (esbuild keeps legal comments on lines of their own).
    expect(Math.max(...code.split('\n').map((line) => line.length))).toBeGreaterThan(100_000);
    const map = JSON.parse(readFileSync(join(bundle, 'index.js.map'), 'utf-8')) as { sources: string[] };
    expect(map.sources.some((source) => source.endsWith(functionSpec(key).handler.entry))).toBe(true);
  });
});

const functionArn = (logicalId: string) => `arn:aws:lambda:us-east-1:123456789012:function:${logicalId}`;
const topicArn = (logicalId: string) => `arn:aws:sns:us-east-1:123456789012:${logicalId}`;

describe('deployed state machine definition', () => {
  const stateMachine = () => template.Resources[logicalIdOf(built.stack, built.pipeline.stateMachine)]!.Properties;

  /** The definition CloudFormation will create, as the template holds it (inline). */
  function deployedDefinitionText(): string {
    return stateMachine().DefinitionString as string;
  }

  /** What CloudFormation substitutes: a function's ARN, the table's name, the topic's ARN (named after logical ids). */
  function resolvedSubstitutions(): Record<string, string> {
    const values = {} as Record<string, string>;
    for (const [name, value] of Object.entries(stateMachine().DefinitionSubstitutions as Record<string, any>)) {
      const ref = value.Ref as string | undefined;
      values[name] = value['Fn::GetAtt']
        ? functionArn(value['Fn::GetAtt'][0])
        : template.Resources[ref!]!.Type === 'AWS::DynamoDB::Table'
          ? ref!
          : topicArn(ref!);
    }
    return values;
  }

  it('is the file in statemachine/, unchanged', () => {
    expect(deployedDefinitionText()).toBe(readAslText());
  });

  it('after substitution equals the file with each placeholder bound to the function, table or topic it names', () => {
    const expected = {} as Record<string, string>;
    for (const key of FUNCTION_KEYS) {
      expected[substitutionName(functionSpec(key))] = functionArn(logicalIdOf(built.stack, built.pipeline.functions[key]));
    }
    expected.LockTableName = logicalIdOf(built.stack, built.pipeline.lockTable);
    expected.NotificationTopicArn = topicArn(logicalIdOf(built.stack, built.pipeline.topic));
    expect(Object.keys(expected).sort()).toEqual([...SUBSTITUTION_NAMES].sort());

    const deployed = JSON.parse(substitute(deployedDefinitionText(), resolvedSubstitutions()));
    expect(deployed).toEqual(loadDefinition(expected));
  });

  it('is valid Amazon States Language once substituted', () => {
    const result = aslValidator(JSON.parse(substitute(deployedDefinitionText(), resolvedSubstitutions())));
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });
});

describe('configuration errors at synth', () => {
  const badProfiles = JSON.stringify({
    ...cdkJson.context.samlFederation,
    profiles: {
      admin: { ...cdkJson.context.samlFederation.profiles.admin, role: { name: 'AmazonConnectAdminAccessRole', maxSessionDuration: 50000 } },
    },
  });

  it('name the bad field of `-c samlFederation=...` before anything is built', () => {
    expect(() => buildApp({ context: { samlFederation: badProfiles } })).toThrow(
      /samlFederation\.profiles\.admin\.role\.maxSessionDuration: .*\(got 50000\)/,
    );
    expect(() => buildApp({ context: { samlFederation: '{"profiles": ' } })).toThrow(/samlFederation: is not valid JSON/);
    expect(() => buildApp({ context: {} })).toThrow(/^samlFederation: /);
  });

  it("refuse the example's placeholders left in cdk.json, naming each field and what to put there", () => {
    let message = '';
    try {
      buildApp({ context: cdkJson.context });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(
      "samlFederation.profiles.admin.application.arn: arn:aws:sso::111122223333:application/ssoins-72236f2e1c0a9b84/apl-5a1e0c9f3b7d2e46 is the example's placeholder; put your application's ARN",
    );
    expect(message).toContain('samlFederation.profiles.agent.policy.connectInstanceArn:');
    expect(message).toContain('`aws connect list-instances`');
    expect(message).toContain('-c allowExamplePlaceholders=true');
  });

  it('name a bad notification address or Identity Center region', () => {
    expect(() =>
      buildApp({ context: { ...cdkJson.context, allowExamplePlaceholders: true, notificationEmails: 'ops@example.com,not-an-address' } }),
    ).toThrow(/notificationEmails\[1\]: .*not-an-address/);
    expect(() => buildApp({ context: { ...cdkJson.context, allowExamplePlaceholders: true, identityCenterRegion: 'Ireland' } })).toThrow(
      /identityCenterRegion: .*"Ireland"/,
    );
  });

  it('make infra/app.ts print the message and exit non-zero, as `cdk synth` runs it', () => {
    const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(REPOSITORY_ROOT, 'infra', 'app.ts')], {
      cwd: REPOSITORY_ROOT,
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ samlFederation: badProfiles }), CDK_OUTDIR: outdir },
      encoding: 'utf-8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^Invalid configuration: samlFederation\.profiles\.admin\.role\.maxSessionDuration/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
