import { type IAMClient, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { iamAt, samlProviderArn } from '../shared/arns';
import type { ExecutionDocument } from '../shared/document';
import { ABSENT, attachedPoliciesKey, digest, type Footprint, PRESENT, setValue, tagsValue } from '../shared/footprint';
import { canonicalPolicyDocument } from '../shared/policy-json';
import { getRole, listAttachedPolicyArns, roleTags } from './role';
import { federationTrustPolicy } from './trust-policy';

export function roleLabel(roleName: string): string {
  return `role ${roleName}`;
}

function trustValue(document: string): string {
  return digest(canonicalPolicyDocument(document) ?? document);
}

async function inlinePolicyNames(iam: IAMClient, roleName: string): Promise<string[]> {
  const names: string[] = [];
  let marker: string | undefined;
  do {
    const page = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker: marker }));
    names.push(...(page.PolicyNames ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return names;
}

/** The profile's role as it is now: trust, maximum session, boundary, attached and inline policies, tags. */
export async function readRoleFootprint(doc: ExecutionDocument, iam: IAMClient): Promise<Footprint> {
  const roleName = doc.profile.role.name;
  const name = roleLabel(roleName);
  const role = await getRole(iam, roleName);
  if (!role) return { [name]: ABSENT };
  const [attached, inline, tags] = await Promise.all([listAttachedPolicyArns(iam, roleName), inlinePolicyNames(iam, roleName), roleTags(iam, role)]);
  return {
    [name]: PRESENT,
    [`${name}: trust policy`]: trustValue(decodeURIComponent(role.AssumeRolePolicyDocument ?? '')),
    [`${name}: maximum session`]: `${role.MaxSessionDuration ?? 3600} s`,
    [`${name}: permissions boundary`]: role.PermissionsBoundary?.PermissionsBoundaryArn ?? '(none)',
    [attachedPoliciesKey(roleName)]: setValue(attached),
    [`${name}: inline policies`]: setValue(inline),
    [`${name}: tags`]: tagsValue(tags),
  };
}

/** What the step leaves: the federation trust and the profile's session and boundary, on the role found or a new one. */
export function roleLeaves(doc: ExecutionDocument, before: Footprint): Footprint {
  const { name: roleName, maxSessionDuration, permissionsBoundaryArn } = doc.profile.role;
  const name = roleLabel(roleName);
  const providerArn = doc.receipts?.identityProvider?.arn ?? samlProviderArn(iamAt(doc), doc.profile.identityProvider.name);
  const settings = {
    [`${name}: trust policy`]: trustValue(JSON.stringify(federationTrustPolicy(providerArn))),
    [`${name}: maximum session`]: `${maxSessionDuration} s`,
  };
  if (before[name] === PRESENT) {
    return { ...before, ...settings, ...(permissionsBoundaryArn ? { [`${name}: permissions boundary`]: permissionsBoundaryArn } : {}) };
  }
  return {
    [name]: PRESENT,
    ...settings,
    [`${name}: permissions boundary`]: permissionsBoundaryArn ?? '(none)',
    [attachedPoliciesKey(roleName)]: setValue([]),
    [`${name}: inline policies`]: setValue([]),
    [`${name}: tags`]: tagsValue([]),
  };
}
