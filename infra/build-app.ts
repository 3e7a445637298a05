import { App, type AppProps, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigInvalidError } from '../lambdas/shared/errors';
import { parseFederationConfig } from '../lambdas/shared/profile';
import { targetAccounts } from '../lambdas/shared/target-account';
import { STACK_NAME } from './names';
import { ALLOW_PLACEHOLDERS_CONTEXT_KEY, refusePlaceholders } from './placeholders';
import { SamlFederationPipeline } from './saml-federation-pipeline';
import { TargetAccountStack, TargetAccountStackSet } from './target-account-roles';

/** Context keys: the profiles (cdk.json, overridable with `-c samlFederation='{...}'`) and optional email addresses. */
const CONFIG_CONTEXT_KEY = 'samlFederation';
const EMAILS_CONTEXT_KEY = 'notificationEmails';
/** Optional: the IAM Identity Center instance's region when it differs from the stack's. */
const IDENTITY_CENTER_REGION_CONTEXT_KEY = 'identityCenterRegion';
/** Optional: organizational units (ou-..., or the root r-...) whose accounts get the target stack through a StackSet. */
const TARGET_OUS_CONTEXT_KEY = 'targetOrganizationalUnits';
/** Optional: DELEGATED_ADMIN when this account administers StackSets as a delegated administrator. */
const STACK_SET_CALL_AS_CONTEXT_KEY = 'targetStackSetCallAs';
/** The stack a workload account gets (infra/target-account-roles.ts), when a profile names an account. */
export const TARGET_STACK_NAME = 'SamlFederationTargetStack';

export interface BuiltApp {
  readonly app: App;
  readonly stack: Stack;
  readonly pipeline: SamlFederationPipeline;
  /** Present when a profile names a target account. */
  readonly targetStack?: TargetAccountStack;
  readonly targetStackSet?: TargetAccountStackSet;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** `-c notificationEmails=a@x.org,b@y.org`, a JSON array in cdk.json, or nothing. */
function parseNotificationEmails(input: unknown): string[] {
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

const OU = /^(?:ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/;

/** `-c targetOrganizationalUnits=ou-ab12-cd34ef56,r-ab12`, a JSON array in cdk.json, or nothing. */
function parseOrganizationalUnits(input: unknown): string[] {
  if (input === undefined || input === null || input === '') return [];
  const list =
    typeof input === 'string'
      ? input.trim().startsWith('[')
        ? safeJson(input, TARGET_OUS_CONTEXT_KEY)
        : input
            .split(',')
            .map((item) => item.trim())
            .filter(Boolean)
      : input;
  if (!Array.isArray(list))
    throw new ConfigInvalidError(`${TARGET_OUS_CONTEXT_KEY}: must be a list of organizational unit ids (got ${JSON.stringify(input)})`);
  list.forEach((item, index) => {
    if (typeof item !== 'string' || !OU.test(item)) {
      throw new ConfigInvalidError(
        `${TARGET_OUS_CONTEXT_KEY}[${index}]: must be an organizational unit id (ou-xxxx-xxxxxxxx) or the root id (r-xxxx) (got ${JSON.stringify(item)})`,
      );
    }
    if (list.indexOf(item) !== index) throw new ConfigInvalidError(`${TARGET_OUS_CONTEXT_KEY}[${index}]: ${item} is listed twice`);
  });
  return list as string[];
}

function parseCallAs(input: unknown): 'SELF' | 'DELEGATED_ADMIN' | undefined {
  if (input === undefined || input === null || input === '') return undefined;
  if (input !== 'SELF' && input !== 'DELEGATED_ADMIN')
    throw new ConfigInvalidError(`${STACK_SET_CALL_AS_CONTEXT_KEY}: must be SELF or DELEGATED_ADMIN (got ${JSON.stringify(input)})`);
  return input;
}

function safeJson(text: string, key = EMAILS_CONTEXT_KEY): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigInvalidError(`${key}: is not valid JSON (${(error as Error).message})`, { cause: error });
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
  refusePlaceholders(config, app.node.tryGetContext(ALLOW_PLACEHOLDERS_CONTEXT_KEY));
  const notificationEmails = parseNotificationEmails(app.node.tryGetContext(EMAILS_CONTEXT_KEY));
  const stack = new Stack(app, STACK_NAME, {
    description: `SAML federation for Amazon Connect from IAM Identity Center metadata (${config.pipelineName})`,
  });
  const identityCenterRegion = parseRegion(app.node.tryGetContext(IDENTITY_CENTER_REGION_CONTEXT_KEY));
  const pipeline = new SamlFederationPipeline(stack, 'Pipeline', { config, notificationEmails, identityCenterRegion });
  const organizationalUnits = parseOrganizationalUnits(app.node.tryGetContext(TARGET_OUS_CONTEXT_KEY));
  const callAs = parseCallAs(app.node.tryGetContext(STACK_SET_CALL_AS_CONTEXT_KEY));
  let targetStack: TargetAccountStack | undefined;
  let targetStackSet: TargetAccountStackSet | undefined;
  if (targetAccounts(config).length > 0) {
    targetStack = new TargetAccountStack(app, TARGET_STACK_NAME, {
      config,
      description: `Roles the SAML federation pipeline (${config.pipelineName}) assumes in a workload account`,
    });
    if (organizationalUnits.length > 0)
      targetStackSet = new TargetAccountStackSet(stack, 'TargetAccounts', { config, organizationalUnitIds: organizationalUnits, callAs });
  } else if (organizationalUnits.length > 0) {
    throw new ConfigInvalidError(
      `${TARGET_OUS_CONTEXT_KEY}: no profile names an account (profiles.<name>.account), so there is no target stack to deploy to these units`,
    );
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, pipeline, ...(targetStack ? { targetStack } : {}), ...(targetStackSet ? { targetStackSet } : {}) };
}
