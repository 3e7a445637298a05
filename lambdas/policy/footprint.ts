import type { IAMClient } from '@aws-sdk/client-iam';
import { listAttachedPolicyArns } from '../role/role';
import { customerPolicyArn, iamAt } from '../shared/arns';
import type { ExecutionDocument } from '../shared/document';
import { ABSENT, attachedPoliciesKey, digest, type Footprint, PRESENT, type StepFootprint, setValue, tagsValue } from '../shared/footprint';
import { canonicalPolicyDocument } from '../shared/policy-json';
import { connectFederationPolicy } from './policy-document';
import { findPolicy, listPolicyTags, listPolicyVersions, MAX_POLICY_VERSIONS, policyVersionDocument, roleNameOf } from './policy-state';

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

/** One of the step's attachments as a footprint field: `role <name>: attached policy <arn>`. */
function attachmentKey(roleName: string, policyArn: string): string {
  return `role ${roleName}: attached policy ${policyArn}`;
}

/**
 * The generated policy's default document and whether each policy the step attaches is attached, as they are now.
 * Other policies on the role are not the step's: a revert detaches its own whatever else someone attached.
 */
export async function readPolicyFootprint(doc: ExecutionDocument, iam: IAMClient): Promise<Footprint> {
  const { policyArn, roleName, wanted } = names(doc);
  const attached = new Set(await listAttachedPolicyArns(iam, roleName, true));
  const footprint: Footprint = Object.fromEntries(wanted.map((arn) => [attachmentKey(roleName, arn), attached.has(arn) ? PRESENT : ABSENT]));
  if (!policyArn) return footprint;
  const policy = await findPolicy(iam, policyArn);
  if (!policy?.DefaultVersionId) return { ...footprint, [`policy ${policyArn}`]: ABSENT };
  return {
    ...footprint,
    [`policy ${policyArn}`]: PRESENT,
    [`policy ${policyArn}: default version`]: documentValue(await policyVersionDocument(iam, policyArn, policy.DefaultVersionId)),
    // How many versions it keeps: a version someone added since is theirs, and a revert that deletes versions would take it.
    [`policy ${policyArn}: versions`]: String((await listPolicyVersions(iam, policyArn)).length),
    // Tags someone put on it since say it is in use: a revert that deletes the policy it created would take them.
    [`policy ${policyArn}: tags`]: tagsValue(await listPolicyTags(iam, policyArn)),
  };
}

/**
 * How many versions the policy has once the step is done: one for a policy it creates; one more for a new default
 * version, unless all five were used (the oldest non-default goes); as many as before when the default already holds
 * the document.
 */
function versionsLeft(before: Footprint, policyArn: string, document: string): string {
  if (before[`policy ${policyArn}`] !== PRESENT) return '1';
  const count = Number(before[`policy ${policyArn}: versions`] ?? '1');
  if (before[`policy ${policyArn}: default version`] === document) return String(count);
  return String(Math.min(count + 1, MAX_POLICY_VERSIONS));
}

/**
 * What the step leaves: the federation document as the policy's default version, every wanted policy attached; and,
 * for `undo`, the role's whole list of attached policies as the step leaves it (the role step's field).
 */
export function policyLeaves(doc: ExecutionDocument, before: Footprint, attachedBefore: readonly string[]): Omit<StepFootprint, 'before'> {
  const { policyArn, document, wanted, roleName } = names(doc);
  return {
    left: {
      ...before,
      ...Object.fromEntries(wanted.map((arn) => [attachmentKey(roleName, arn), PRESENT])),
      ...(policyArn && document
        ? {
            [`policy ${policyArn}`]: PRESENT,
            [`policy ${policyArn}: default version`]: documentValue(document),
            [`policy ${policyArn}: versions`]: versionsLeft(before, policyArn, documentValue(document)),
            // The step tags only a policy it creates, with the pipeline's own tags, which the footprint leaves out.
            [`policy ${policyArn}: tags`]: before[`policy ${policyArn}: tags`] ?? tagsValue([]),
          }
        : {}),
    },
    shared: { [attachedPoliciesKey(roleName)]: setValue([...attachedBefore, ...wanted]) },
  };
}
