import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The state machine definition: the one file both the deployed stack and the local runner execute. */
export const ASL_PATH = join(__dirname, '..', 'statemachine', 'federation.asl.json');

/** The `${Name}` placeholders the definition uses; CDK fills them with `definitionSubstitutions`. */
export const SUBSTITUTION_NAMES = [
  'IntakeFunctionArn',
  'IdentityProviderApplyFunctionArn',
  'IdentityProviderRevertFunctionArn',
  'RoleApplyFunctionArn',
  'RoleRevertFunctionArn',
  'PolicyApplyFunctionArn',
  'PolicyRevertFunctionArn',
  'AttributeMappingApplyFunctionArn',
  'AttributeMappingRevertFunctionArn',
  'LockTableName',
  'NotificationTopicArn',
] as const;
export type SubstitutionName = (typeof SUBSTITUTION_NAMES)[number];

export function readAslText(): string {
  return readFileSync(ASL_PATH, 'utf-8');
}

/** Replaces `${Name}` as Step Functions does with definition substitutions; refuses a missing or unknown name. */
export function substitute(text: string, values: Record<SubstitutionName, string>): string {
  return text.replace(/\$\{(\w+)\}/g, (_match, name: string) => {
    const value = (values as Record<string, string | undefined>)[name];
    if (value === undefined) throw new Error(`no substitution for \${${name}} in ${ASL_PATH}`);
    return value;
  });
}

/** Placeholders as names of local functions, so the file parses and validates without a deployment. */
export function localSubstitutions(account = '111122223333', region = 'us-east-1'): Record<SubstitutionName, string> {
  const values = {} as Record<SubstitutionName, string>;
  for (const name of SUBSTITUTION_NAMES) {
    if (name === 'LockTableName') values[name] = 'saml-federation-locks';
    else if (name === 'NotificationTopicArn') values[name] = `arn:aws:sns:${region}:${account}:saml-federation`;
    else values[name] = `arn:aws:lambda:${region}:${account}:function:saml-federation-${name.replace(/FunctionArn$/, '')}`;
  }
  return values;
}

export function loadDefinition(values: Record<SubstitutionName, string> = localSubstitutions()): Record<string, unknown> {
  return JSON.parse(substitute(readAslText(), values)) as Record<string, unknown>;
}
