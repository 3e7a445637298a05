import { App, type AppProps, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigInvalidError } from '../lambdas/shared/errors';
import { parseFederationConfig } from '../lambdas/shared/profile';
import { SamlFederationPipeline } from './saml-federation-pipeline';

export const STACK_NAME = 'SamlFederationStack';
/** Context keys: the profiles (cdk.json, overridable with `-c samlFederation='{...}'`) and optional email addresses. */
export const CONFIG_CONTEXT_KEY = 'samlFederation';
export const EMAILS_CONTEXT_KEY = 'notificationEmails';
/** Optional: the IAM Identity Center instance's region when it differs from the stack's. */
export const IDENTITY_CENTER_REGION_CONTEXT_KEY = 'identityCenterRegion';

export interface BuiltApp {
  readonly app: App;
  readonly stack: Stack;
  readonly pipeline: SamlFederationPipeline;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** `-c notificationEmails=a@x.org,b@y.org`, a JSON array in cdk.json, or nothing. */
export function parseNotificationEmails(input: unknown): string[] {
  if (input === undefined || input === null || input === '') return [];
  let list: unknown = input;
  if (typeof input === 'string') {
    list = input.trim().startsWith('[')
      ? safeJson(input)
      : input
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean);
  }
  if (!Array.isArray(list)) throw new ConfigInvalidError(`${EMAILS_CONTEXT_KEY}: must be a list of email addresses (got ${JSON.stringify(input)})`);
  list.forEach((item, index) => {
    if (typeof item !== 'string' || !EMAIL.test(item)) {
      throw new ConfigInvalidError(`${EMAILS_CONTEXT_KEY}[${index}]: must be an email address (got ${JSON.stringify(item)})`);
    }
  });
  return list as string[];
}

function parseRegion(input: unknown): string | undefined {
  if (input === undefined || input === null || input === '') return undefined;
  if (typeof input !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(input)) {
    throw new ConfigInvalidError(`${IDENTITY_CENTER_REGION_CONTEXT_KEY}: must be an AWS Region such as us-east-1 (got ${JSON.stringify(input)})`);
  }
  return input;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigInvalidError(`${EMAILS_CONTEXT_KEY}: is not valid JSON (${(error as Error).message})`, { cause: error });
  }
}

/**
 * The whole app as `cdk synth` builds it: profiles from context, validated before any construct exists, one stack,
 * and the AWS Solutions checks as a validation plugin, so any unacknowledged finding fails synth. Tests call this
 * with explicit context; infra/app.ts calls it with none (the CLI passes context through the environment).
 */
export function buildApp(props: AppProps = {}): BuiltApp {
  const app = new App(props);
  const config = parseFederationConfig(app.node.tryGetContext(CONFIG_CONTEXT_KEY), CONFIG_CONTEXT_KEY);
  const notificationEmails = parseNotificationEmails(app.node.tryGetContext(EMAILS_CONTEXT_KEY));
  const stack = new Stack(app, STACK_NAME, {
    description: `SAML federation for Amazon Connect from IAM Identity Center metadata (${config.pipelineName})`,
  });
  const identityCenterRegion = parseRegion(app.node.tryGetContext(IDENTITY_CENTER_REGION_CONTEXT_KEY));
  const pipeline = new SamlFederationPipeline(stack, 'Pipeline', { config, notificationEmails, identityCenterRegion });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, pipeline };
}
