import { type Grants, type PermissionScope, unique } from '../shared/permissions';

/** DescribeApplication is resource-scoped (Application); a profile that names its application only by display name scopes to its instance. */
export function applicationResources(scope: PermissionScope): { exact: string[]; patterns: string[] } {
  const exact: string[] = [];
  const patterns: string[] = [];
  for (const profile of Object.values(scope.config.profiles)) {
    if (profile.application.arn !== undefined) {
      exact.push(profile.application.arn);
    } else {
      const instanceId = profile.application.instanceArn?.split('/').pop() ?? '*';
      patterns.push(`arn:${scope.partition}:sso::${scope.account}:application/${instanceId}/*`);
    }
  }
  return { exact: unique(exact), patterns: unique(patterns) };
}

/**
 * Finding a profile's application: the Identity Center reads (`actions`, on "*": the API has no resource types for
 * them) and DescribeApplication on the profiles' applications. Intake uses it to fetch an application's metadata.
 */
export function applicationLookupGrants(g: Grants, actions: string[], sidPrefix = ''): Grants {
  const applications = applicationResources(g.scope);
  g.wildcard(
    `${sidPrefix}IdentityCenterCallsWithoutResourceTypes`,
    actions,
    '*',
    `The Service Authorization Reference for IAM Identity Center (sso) defines no resource type for ${actions.map((a) => a.slice(4)).join(', ')}, so they can only be granted on "*"; DescribeApplication, which is resource-scoped, is granted on the profiles' applications only.`,
  ).allow(`${sidPrefix}DescribeProfileApplications`, ['sso:DescribeApplication'], applications.exact);
  g.wildcard(
    `${sidPrefix}DescribeApplicationProviders`,
    ['sso:DescribeApplicationProvider'],
    `arn:${g.scope.partition}:sso::aws:applicationProvider/*`,
    "A profile's application is found among the SAML ones: the protocol is its provider's (DescribeApplicationProvider), and providers are AWS-owned ARNs known only from the listing; read-only.",
  );
  // An Identity Center instance encrypted with a customer managed key: its reads need kms:Decrypt on that key, whose
  // ARN the pipeline does not know. Only through IAM Identity Center itself (kms:ViaService sso.<region>.<suffix>).
  g.wildcard(
    `${sidPrefix}DecryptThroughIdentityCenterOnly`,
    ['kms:Decrypt'],
    '*',
    "IAM Identity Center encrypted with a customer managed KMS key needs kms:Decrypt from its callers; the key's ARN is the instance's, not the pipeline's, so the grant names any key but holds only for requests IAM Identity Center makes on the caller's behalf (kms:ViaService).",
    { StringLike: { 'kms:ViaService': ['sso.*', 'identitystore.*'] } },
  );
  for (const [index, pattern] of applications.patterns.entries()) {
    g.wildcard(
      `${sidPrefix}DescribeApplicationsByDisplayName${index}`,
      ['sso:DescribeApplication'],
      pattern,
      "A profile names its IAM Identity Center application by display name, so its ARN (application/<instance>/apl-<id>) is only known at run time; the grant is read-only and limited to the profile's instance where the profile names one.",
    );
  }
  return g;
}
