import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FLEET_FUNCTIONS } from '../lambdas/fleet/function';
import { substitutionName } from '../lambdas/runtime/function';
import { type Substitutions, substitute } from './definition';

/** "Apply every profile": the fleet's definition, the one file the deployed stack and the local runner both execute. */
const FLEET_ASL_PATH = join(__dirname, 'fleet.asl.json');

/** The fleet's placeholders: its two functions, the federation state machine it starts, the topic it reports to. */
export const FLEET_SUBSTITUTION_NAMES: readonly string[] = [
  ...Object.values(FLEET_FUNCTIONS).map(substitutionName),
  'FederationStateMachineArn',
  'NotificationTopicArn',
];

export function readFleetAslText(): string {
  return readFileSync(FLEET_ASL_PATH, 'utf-8');
}

/** Local stand-ins for the placeholders, so the file parses and runs without a deployment. */
export function localFleetSubstitutions(account = '111122223333', region = 'us-east-1'): Substitutions {
  const values: Record<string, string> = {
    FederationStateMachineArn: `arn:aws:states:${region}:${account}:stateMachine:saml-federation`,
    NotificationTopicArn: `arn:aws:sns:${region}:${account}:saml-federation`,
  };
  for (const fn of Object.values(FLEET_FUNCTIONS))
    values[substitutionName(fn)] = `arn:aws:lambda:${region}:${account}:function:saml-federation-${fn.key}`;
  return values;
}

export function loadFleetDefinition(values: Substitutions = localFleetSubstitutions()): Record<string, unknown> {
  return JSON.parse(substitute(readFleetAslText(), values)) as Record<string, unknown>;
}
