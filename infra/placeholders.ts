import { ConfigInvalidError } from '../lambdas/shared/errors';
import type { FederationConfig } from '../lambdas/shared/profile';

/** The context key that lets the example's placeholders synthesize (the tests, a first look at the template). */
export const ALLOW_PLACEHOLDERS_CONTEXT_KEY = 'allowExamplePlaceholders';

/**
 * The values the cdk.json example ships with, which name no real resource: the AWS documentation's example account,
 * and ids made up for the example. Each with what to put in its place and where to find it.
 */
const PLACEHOLDERS: ReadonlyArray<{ value: string; field: string; where: string }> = [
  {
    value: 'ssoins-72236f2e1c0a9b84',
    field: 'application.instanceArn',
    where: 'your IAM Identity Center instance ARN (console: IAM Identity Center > Settings > Instance ARN; or `aws sso-admin list-instances`)',
  },
  {
    value: 'apl-5a1e0c9f3b7d2e46',
    field: 'application.arn',
    where:
      "your application's ARN (console: IAM Identity Center > Applications > the application > ARN; or `aws sso-admin list-applications --instance-arn <instance ARN>`), or leave arn out and set displayName",
  },
  {
    value: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    field: 'policy.connectInstanceArn',
    where:
      'your Amazon Connect instance ARN (console: Amazon Connect > the instance alias > Distribution settings > Instance ARN; or `aws connect list-instances`)',
  },
  {
    value: ':111122223333:',
    field: 'any ARN',
    where: "your account id (`aws sts get-caller-identity --query Account`): 111122223333 is the AWS documentation's example account",
  },
];

/** Every field of the profiles that still holds one of the example's placeholders, with what to put there. */
export function placeholderProblems(config: FederationConfig, root = 'samlFederation'): string[] {
  const problems: string[] = [];
  for (const [name, profile] of Object.entries(config.profiles)) {
    const fields: Record<string, string | undefined> = {
      'policy.connectInstanceArn': profile.policy.connectInstanceArn,
      'application.arn': profile.application.arn,
      'application.instanceArn': profile.application.instanceArn,
    };
    for (const [field, value] of Object.entries(fields)) {
      // The field's own placeholder first (an application ARN also holds the instance's id), then the account's.
      const placeholder =
        value === undefined
          ? undefined
          : (PLACEHOLDERS.find((p) => p.field === field && value.includes(p.value)) ??
            PLACEHOLDERS.find((p) => p.field === 'any ARN' && value.includes(p.value)));
      if (value !== undefined && placeholder)
        problems.push(`${root}.profiles.${name}.${field}: ${value} is the example's placeholder; put ${placeholder.where}`);
    }
  }
  return problems;
}

/** Synth refuses the example's placeholders unless the context allows them, naming each field and what to put there. */
export function refusePlaceholders(config: FederationConfig, allowed: unknown): void {
  if (allowed === true || allowed === 'true') return;
  const problems = placeholderProblems(config);
  if (problems.length > 0)
    throw new ConfigInvalidError(`${problems.join('; ')}. (To synthesize the example as it is, add -c ${ALLOW_PLACEHOLDERS_CONTEXT_KEY}=true.)`);
}
