import type { IAMClient } from '@aws-sdk/client-iam';
import { attachedPoliciesKey } from '../role/footprint';
import { customerPolicyArn, iamAt } from '../shared/arns';
import type { ExecutionDocument } from '../shared/document';
import { ABSENT, digest, type Footprint, PRESENT, setValue } from '../shared/footprint';
import { canonicalPolicyDocument } from '../shared/policy-json';
import { connectFederationPolicy } from './policy-document';
import { findPolicy, listAttachedPolicyArns, policyVersionDocument, roleNameOf } from './policy-state';

/** The generated policy (for a profile with a Connect instance) and the policies the step wants on the role. */
function names(doc: ExecutionDocument): { policyArn?: string; document?: string; wanted: string[]; roleName: string } {
  const instanceArn = doc.profile.policy.connectInstanceArn;
  const policyArn = instanceArn ? customerPolicyArn(iamAt(doc), doc.profile.policy.name) : undefined;
  return {
    ...(policyArn && instanceArn ? { policyArn, document: connectFederationPolicy(instanceArn) } : {}),
    wanted: [...(policyArn ? [policyArn] : []), ...doc.profile.policy.managedPolicyArns],
    roleName: roleNameOf(doc),
  };
}

function documentValue(document: string): string {
  return digest(canonicalPolicyDocument(document) ?? document);
}

/** The generated policy's default document and the role's attached policies, as they are now. */
export async function readPolicyFootprint(doc: ExecutionDocument, iam: IAMClient): Promise<Footprint> {
  const { policyArn, roleName } = names(doc);
  const footprint: Footprint = { [attachedPoliciesKey(roleName)]: setValue(await listAttachedPolicyArns(iam, roleName, true)) };
  if (!policyArn) return footprint;
  const policy = await findPolicy(iam, policyArn);
  if (!policy?.DefaultVersionId) return { ...footprint, [`policy ${policyArn}`]: ABSENT };
  return {
    ...footprint,
    [`policy ${policyArn}`]: PRESENT,
    [`policy ${policyArn}: default version`]: documentValue(await policyVersionDocument(iam, policyArn, policy.DefaultVersionId)),
  };
}

/** What the step leaves: the federation document as the policy's default version, and every wanted policy attached. */
export function policyLeaves(doc: ExecutionDocument, before: Footprint): Footprint {
  const { policyArn, document, wanted, roleName } = names(doc);
  const key = attachedPoliciesKey(roleName);
  const attachedBefore = (before[key] ?? '(none)') === '(none)' ? [] : (before[key] ?? '').split(', ');
  return {
    ...before,
    [key]: setValue([...attachedBefore, ...wanted]),
    ...(policyArn && document ? { [`policy ${policyArn}`]: PRESENT, [`policy ${policyArn}: default version`]: documentValue(document) } : {}),
  };
}
