import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type { SubstitutionName } from '../local/asl';

/** One Lambda function per runbook step and direction, plus Intake. */
export type FunctionKey =
  | 'intake'
  | 'identityProviderApply'
  | 'identityProviderRevert'
  | 'roleApply'
  | 'roleRevert'
  | 'policyApply'
  | 'policyRevert'
  | 'attributeMappingApply'
  | 'attributeMappingRevert';

export interface FunctionSpec {
  /** Construct id, also the start of the function's logical id. */
  readonly id: string;
  /** Handler source, relative to the repository root; it exports `handler`. */
  readonly entry: string;
  /** The `${Name}` placeholder in statemachine/federation.asl.json that receives this function's ARN. */
  readonly substitution: SubstitutionName;
  readonly kind: 'intake' | 'apply' | 'revert';
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
}

export const REPOSITORY_ROOT = join(__dirname, '..');

/**
 * Memory and timeouts. Intake and the IdentityProvider steps hold the metadata document in memory (IAM accepts up to
 * 10,000,000 characters: about 20 MB as a JavaScript string, more while parsing), so they get 512 MB. Role apply
 * retries briefly while IAM propagates a provider created a moment ago (DESIGN.md), up to about 60 s, so it gets
 * twice that. The state machine retries Lambda service errors itself, so none of these needs to be generous.
 */
export const FUNCTION_SPECS: Readonly<Record<FunctionKey, FunctionSpec>> = {
  intake: {
    id: 'IntakeFunction',
    entry: 'lambdas/intake/handler.ts',
    substitution: 'IntakeFunctionArn',
    kind: 'intake',
    description: 'Reads the uploaded metadata (pinned to its version), validates it and resolves the profile',
    memorySize: 512,
    timeout: Duration.seconds(60),
  },
  identityProviderApply: {
    id: 'IdentityProviderApplyFunction',
    entry: 'lambdas/identity-provider/apply.ts',
    substitution: 'IdentityProviderApplyFunctionArn',
    kind: 'apply',
    description: 'Creates the IAM SAML identity provider or updates its metadata',
    memorySize: 512,
    timeout: Duration.seconds(60),
  },
  identityProviderRevert: {
    id: 'IdentityProviderRevertFunction',
    entry: 'lambdas/identity-provider/revert.ts',
    substitution: 'IdentityProviderRevertFunctionArn',
    kind: 'revert',
    description: 'Restores the previous SAML provider metadata, or deletes a provider this execution created',
    memorySize: 512,
    timeout: Duration.seconds(60),
  },
  roleApply: {
    id: 'RoleApplyFunction',
    entry: 'lambdas/role/apply.ts',
    substitution: 'RoleApplyFunctionArn',
    kind: 'apply',
    description: 'Creates the SAML federation role, or updates its trust policy in place',
    memorySize: 256,
    timeout: Duration.seconds(120),
  },
  roleRevert: {
    id: 'RoleRevertFunction',
    entry: 'lambdas/role/revert.ts',
    substitution: 'RoleRevertFunctionArn',
    kind: 'revert',
    description: 'Restores the role trust policy, or deletes a role this execution created',
    memorySize: 256,
    timeout: Duration.seconds(60),
  },
  policyApply: {
    id: 'PolicyApplyFunction',
    entry: 'lambdas/policy/apply.ts',
    substitution: 'PolicyApplyFunctionArn',
    kind: 'apply',
    description: 'Ensures the permissions policy and attaches it to the federation role',
    memorySize: 256,
    timeout: Duration.seconds(60),
  },
  policyRevert: {
    id: 'PolicyRevertFunction',
    entry: 'lambdas/policy/revert.ts',
    substitution: 'PolicyRevertFunctionArn',
    kind: 'revert',
    description: 'Detaches what this execution attached and restores the previous policy version',
    memorySize: 256,
    timeout: Duration.seconds(60),
  },
  attributeMappingApply: {
    id: 'AttributeMappingApplyFunction',
    entry: 'lambdas/attribute-mapping/apply.ts',
    substitution: 'AttributeMappingApplyFunctionArn',
    kind: 'apply',
    description: 'Sets the Role attribute mapping of the IAM Identity Center application',
    memorySize: 256,
    timeout: Duration.seconds(60),
  },
  attributeMappingRevert: {
    id: 'AttributeMappingRevertFunction',
    entry: 'lambdas/attribute-mapping/revert.ts',
    substitution: 'AttributeMappingRevertFunctionArn',
    kind: 'revert',
    description: 'Restores the previous attribute mapping of the IAM Identity Center application',
    memorySize: 256,
    timeout: Duration.seconds(60),
  },
};

export const FUNCTION_KEYS = Object.keys(FUNCTION_SPECS) as FunctionKey[];
