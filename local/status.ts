import type { ConnectClient } from '@aws-sdk/client-connect';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { readCurrentConfiguration } from '../lambdas/attribute-mapping/current';
import { describe, findConnectUsers, missingUserLines } from '../lambdas/connect-users/check';
import type { ConsoleApi } from '../lambdas/identity-center/console-api';
import { applicationArnOf, instanceIdFromApplicationArn } from '../lambdas/identity-center/locate';
import { getSamlProvider, sha256 } from '../lambdas/identity-provider/provider';
import { validateMetadata } from '../lambdas/intake/metadata';
import { connectFederationPolicy } from '../lambdas/policy/policy-document';
import { findPolicy, policyVersionDocument } from '../lambdas/policy/policy-state';
import { getRole, listAttachedPolicyArns } from '../lambdas/role/role';
import { federationTrustPolicy } from '../lambdas/role/trust-policy';
import type { PipelineEnvironment } from '../lambdas/runtime/function';
import { customerPolicyArn, roleArn, samlProviderArn } from '../lambdas/shared/arns';
import { samePolicyDocument } from '../lambdas/shared/policy-json';
import type { ResolvedProfile } from '../lambdas/shared/profile';
import { ROLE_ATTRIBUTE } from '../lambdas/shared/profile-schema';
import { iamAccountOf } from '../lambdas/shared/target-account';
import { signInChecks, signInVerdict, unreadableLines } from '../lambdas/sign-in/checks';
import { gatherSignInFacts } from '../lambdas/sign-in/facts';

export interface ProfileStatus {
  profile: string;
  account: string;
  provider: {
    arn: string;
    exists: boolean;
    /** Hex SHA-256 of the metadata document it holds (an execution's request records the one it installed). */
    metadataSha256?: string;
    certificates?: Array<{ sha256Fingerprint: string; notAfter: string }>;
    validUntil?: string;
  };
  role: { arn: string; exists: boolean; trustsProvider?: boolean; maxSessionDuration?: number };
  policy: { arn?: string; exists?: boolean; defaultVersionId?: string; matchesInstance?: boolean; attached: string[] };
  mapping: { applicationArn?: string; roleAttribute?: string[] };
  /** The sign-in checks (lambdas/sign-in/checks.ts) on the account as it is: the verdict line, and what fails or was not checked. */
  signIn?: { ready: boolean; line: string; details: string[] };
  /** The Connect users of the people the profile assigns (an instance in the current account only); `lines` for people. */
  connectUsers?: { present: string[]; missing: Array<{ username: string; person: string }>; lines: string[] };
  /** Where the account differs from what the profile asks for, one sentence each; empty when it matches. */
  drift: string[];
}

export interface StatusDeps {
  /** IAM of the account the profile's resources live in (read-only use). */
  iam: IAMClient;
  ssoAdmin: SSOAdminClient;
  swb: ConsoleApi;
  /** Amazon Connect of the account the profile's instance lives in (read-only use). */
  connect: ConnectClient;
  /** The identity store, for the people the profile assigns (without it, Connect users are not checked). */
  identityStore?: IdentitystoreClient;
  environment: Pick<PipelineEnvironment, 'account' | 'region' | 'partition'>;
  now: () => Date;
}

/**
 * What the account holds for a profile, read only: the provider and its certificates' expiry, the role and whether it
 * trusts the provider, the policy's default version and attachment, the application's Role attribute; and each way it
 * differs from what the profile asks for (drift), such as a hand edit in the console since the last execution.
 */
export async function profileStatus(profile: ResolvedProfile, deps: StatusDeps): Promise<ProfileStatus> {
  const account = iamAccountOf(profile, deps.environment.account);
  const at = { partition: deps.environment.partition, account };
  const drift: string[] = [];
  const providerArn = samlProviderArn(at, profile.identityProvider.name);
  const provider = await getSamlProvider(deps.iam, providerArn);
  let certificates: ProfileStatus['provider']['certificates'];
  if (!provider) drift.push(`the SAML provider ${providerArn} does not exist`);
  else if (provider.SAMLMetadataDocument) {
    try {
      const summary = validateMetadata(provider.SAMLMetadataDocument, deps.now());
      certificates = summary.certificates.map(({ sha256Fingerprint, notAfter }) => ({ sha256Fingerprint, notAfter }));
    } catch (error) {
      drift.push(`the SAML provider's metadata no longer validates: ${(error as Error).name}: ${(error as Error).message}`);
    }
  }
  const roleName = profile.role.name;
  const role = await getRole(deps.iam, roleName);
  const currentRoleArn = role?.Arn ?? roleArn(at, roleName, profile.role.path);
  let trustsProvider: boolean | undefined;
  if (!role) drift.push(`the role ${currentRoleArn} does not exist`);
  else {
    trustsProvider = samePolicyDocument(
      decodeURIComponent(role.AssumeRolePolicyDocument ?? '{}'),
      JSON.stringify(federationTrustPolicy(providerArn)),
    );
    if (!trustsProvider) drift.push(`the role's trust policy is not the federation trust of ${providerArn}`);
    if (role.MaxSessionDuration !== profile.role.maxSessionDuration)
      drift.push(`the role's maximum session is ${role.MaxSessionDuration} s, the profile asks for ${profile.role.maxSessionDuration} s`);
  }
  const instance = profile.policy.connectInstanceArn;
  const policyArn = instance ? customerPolicyArn(at, profile.policy.name) : undefined;
  const policyStatus: ProfileStatus['policy'] = { attached: role ? await listAttachedPolicyArns(deps.iam, roleName, true) : [] };
  if (policyArn && instance) {
    const policy = await findPolicy(deps.iam, policyArn);
    Object.assign(policyStatus, { arn: policyArn, exists: policy !== undefined });
    if (!policy) drift.push(`the policy ${policyArn} does not exist`);
    else if (policy.DefaultVersionId) {
      const matches = samePolicyDocument(
        await policyVersionDocument(deps.iam, policyArn, policy.DefaultVersionId),
        connectFederationPolicy(instance),
      );
      Object.assign(policyStatus, { defaultVersionId: policy.DefaultVersionId, matchesInstance: matches });
      if (!matches) drift.push(`the policy's default version ${policy.DefaultVersionId} is not the federation policy of ${instance}`);
    }
  }
  for (const wanted of [...(policyArn ? [policyArn] : []), ...profile.policy.managedPolicyArns])
    if (role && !policyStatus.attached.includes(wanted)) drift.push(`${wanted} is not attached to the role`);
  const mapping: ProfileStatus['mapping'] = {};
  try {
    const { applicationArn } = await applicationArnOf(deps.ssoAdmin, profile.application, {
      account: profile.application.account ?? deps.environment.account,
      region: deps.environment.region,
      profile: profile.name,
    });
    mapping.applicationArn = applicationArn;
    const current = await readCurrentConfiguration(deps.swb, instanceIdFromApplicationArn(applicationArn));
    const value = current?.responseConfig.properties?.[ROLE_ATTRIBUTE]?.source;
    if (value) mapping.roleAttribute = [...value];
    const expected = `${currentRoleArn},${providerArn}`;
    if (!current) drift.push('the mapping could not be read (the console API returned none): check it in IAM Identity Center');
    else if (!value?.includes(expected)) drift.push(`the application's Role attribute is ${JSON.stringify(value ?? null)}, not ${expected}`);
  } catch (error) {
    drift.push(`the application could not be found: ${(error as Error).name}: ${(error as Error).message}`);
  }
  const connectUsers = await connectUsersStatus(profile, mapping.applicationArn, deps);
  // Users the profile asks the pipeline to create are drift when missing; otherwise the lines say who cannot sign in.
  if (profile.connectUsers.create)
    for (const user of connectUsers?.missing ?? []) drift.push(`no Connect user "${user.username}" for ${user.person}`);
  const signIn = await signInStatus(profile, connectUsers, deps);
  return {
    profile: profile.name,
    account,
    provider: {
      arn: providerArn,
      exists: provider !== undefined,
      ...(provider?.SAMLMetadataDocument ? { metadataSha256: sha256(provider.SAMLMetadataDocument) } : {}),
      ...(certificates ? { certificates } : {}),
      ...(provider?.ValidUntil ? { validUntil: provider.ValidUntil.toISOString() } : {}),
    },
    role: {
      arn: currentRoleArn,
      exists: role !== undefined,
      ...(trustsProvider === undefined ? {} : { trustsProvider }),
      ...(role ? { maxSessionDuration: role.MaxSessionDuration } : {}),
    },
    policy: policyStatus,
    mapping,
    ...(connectUsers ? { connectUsers } : {}),
    signIn,
    drift,
  };
}

/** The sign-in checks, as the check after every execution makes them, on the account as it is now. */
async function signInStatus(
  profile: ResolvedProfile,
  connectUsers: ProfileStatus['connectUsers'],
  deps: StatusDeps,
): Promise<ProfileStatus['signIn']> {
  const { partition, account, region } = deps.environment;
  const facts = await gatherSignInFacts({ profile, request: { partition, account, region }, ...(connectUsers ? { connectUsers } : {}) }, deps);
  const verdict = signInVerdict(signInChecks(facts));
  return { ...verdict, details: [...verdict.details, ...unreadableLines(facts)] };
}

/** The Connect users of the profile's people, read as the Connect users step reads them (its own account's instance only). */
async function connectUsersStatus(
  profile: ResolvedProfile,
  applicationArn: string | undefined,
  deps: StatusDeps,
): Promise<ProfileStatus['connectUsers']> {
  const instanceArn = profile.policy.connectInstanceArn;
  if (!instanceArn || !deps.identityStore || profile.account !== undefined) return undefined;
  try {
    const found = await findConnectUsers(profile, instanceArn, applicationArn, { ...deps, identityStore: deps.identityStore }, false);
    if ('notice' in found) return { present: [], missing: [], lines: [found.notice] };
    const lines = missingUserLines(found);
    const all = `all ${found.present.length} people the profile assigns have a Connect user`;
    return { present: found.present.map((w) => w.username), missing: found.absent.map(describe), lines: lines.length > 0 ? lines : [all] };
  } catch (error) {
    return { present: [], missing: [], lines: [`could not be read: ${(error as Error).name}: ${(error as Error).message}`] };
  }
}
