import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SamlFederationPipeline, type SamlFederationPipelineProps } from '../../infra/saml-federation-pipeline';
import type { PipelineFunction } from '../../lambdas/runtime/function';
import type { FederationConfigInput } from '../../lambdas/shared/profile';
import { FUNCTIONS } from '../../lambdas/workflow-functions';

/** Stand-ins for the pseudo parameters, so ARNs built from tokens compare as plain strings. */
export const PARTITION = 'aws';
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export interface SynthesizedPipeline {
  stack: Stack;
  pipeline: SamlFederationPipeline;
  template: Template;
  json: { Resources: Record<string, CfnResource>; Outputs: Record<string, { Value: unknown; Description?: string }> };
}

export interface CfnResource {
  Type: string;
  Properties: Record<string, any>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

/**
 * The construct in a bare stack, with esbuild bundling skipped (`aws:cdk:bundling-stacks` = []): everything in the
 * template but the Lambda code. test/infra/app.test.ts is the one test that bundles for real.
 */
export function synthWithoutBundling(
  config: FederationConfigInput | unknown,
  props: Omit<SamlFederationPipelineProps, 'config'> = {},
  env?: { account: string; region: string },
): SynthesizedPipeline {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'TestStack', env ? { env } : {});
  const pipeline = new SamlFederationPipeline(stack, 'Pipeline', { config: config as SamlFederationPipelineProps['config'], ...props });
  const template = Template.fromStack(stack);
  return { stack, pipeline, template, json: template.toJSON() as SynthesizedPipeline['json'] };
}

export function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as never);
}

/**
 * A CloudFormation value as a plain string: pseudo parameters become the stand-ins above, `Fn::GetAtt` becomes
 * `<Logical.Attribute>` and `Ref` becomes `<Logical>`.
 */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, any>;
  if (node.Ref === 'AWS::Partition') return PARTITION;
  if (node.Ref === 'AWS::AccountId') return ACCOUNT;
  if (node.Ref === 'AWS::Region') return REGION;
  if (node.Ref !== undefined) return `<${node.Ref}>`;
  if (node['Fn::GetAtt']) return `<${node['Fn::GetAtt'][0]}.${node['Fn::GetAtt'][1]}>`;
  if (node['Fn::Join']) return (node['Fn::Join'][1] as unknown[]).map(flatten).join(node['Fn::Join'][0]);
  throw new Error(`cannot flatten ${JSON.stringify(value)}`);
}

export interface Statement {
  Sid?: string;
  Effect: string;
  actions: string[];
  resources: string[];
  Condition?: Record<string, Record<string, unknown>>;
}

const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function normalizeStatement(raw: Record<string, any>): Statement {
  return {
    Sid: raw.Sid,
    Effect: raw.Effect,
    actions: list<string>(raw.Action),
    resources: list(raw.Resource).map(flatten),
    Condition: raw.Condition,
  };
}

/** Every statement of every identity policy on a role: inline policies and AWS::IAM::Policy resources attached to it. */
export function roleStatements(json: SynthesizedPipeline['json'], roleLogicalId: string): Statement[] {
  const role = json.Resources[roleLogicalId]!;
  const inline = list<{ PolicyDocument: { Statement: Record<string, any>[] } }>(role.Properties.Policies).flatMap((p) => p.PolicyDocument.Statement);
  const attached = Object.values(json.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && list<{ Ref: string }>(r.Properties.Roles).some((ref) => ref.Ref === roleLogicalId))
    .flatMap((r) => r.Properties.PolicyDocument.Statement as Record<string, any>[]);
  return [...inline, ...attached].map(normalizeStatement);
}

/** The key of every function the step registry lists (lambdas/steps.ts). */
export const FUNCTION_KEYS: readonly string[] = FUNCTIONS.map((fn) => fn.key);

/** The registry's entry for a function key. */
export function functionSpec(key: string): PipelineFunction {
  const fn = FUNCTIONS.find((candidate) => candidate.key === key);
  if (!fn) throw new Error(`no function ${key} in the step registry`);
  return fn;
}

/** The logical id of the role each function runs as, read from the function resource itself. */
export function functionRoles(synth: SynthesizedPipeline): Record<string, string> {
  const roles: Record<string, string> = {};
  for (const key of FUNCTION_KEYS) {
    const fn = synth.json.Resources[logicalId(synth.stack, synth.pipeline.functions[key])]!;
    roles[key] = fn.Properties.Role['Fn::GetAtt'][0];
  }
  return roles;
}

export function resourcesOfType(json: SynthesizedPipeline['json'], type: string): [string, CfnResource][] {
  return Object.entries(json.Resources).filter(([, resource]) => resource.Type === type);
}
