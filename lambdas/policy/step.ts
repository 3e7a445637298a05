import { onExecutionDocument, type StepDefinition } from '../runtime/function';
import { allow, grants, type ProfileArns, type Statement } from '../shared/permissions';
import { applyPolicy } from './apply';
import { readPolicyFootprint } from './footprint';
import { revertPolicy } from './revert';

const HANDLER = 'lambdas/policy/handler.ts';

/** AttachRolePolicy / DetachRolePolicy on each profile role, only for the policies its profiles name. */
function rolePolicyAttachment(sid: string, action: 'iam:AttachRolePolicy' | 'iam:DetachRolePolicy', arns: ProfileArns): Statement[] {
  return [...arns.attachableByRole].flatMap(([role, policies], index) =>
    allow(`${sid}${index}`, [action], [role], { ArnEquals: { 'iam:PolicyARN': policies } }),
  );
}

/** The permissions policy: the generated Connect federation policy and any managed policies, attached to the role. */
export const policyStep: StepDefinition<'policy'> = {
  name: 'policy',
  label: 'Permissions policy',
  comment: 'Ensures the instance-scoped Amazon Connect federation policy and attaches the configured policies.',
  readFootprint: (doc, { iam }) => readPolicyFootprint(doc, iam),
  apply: {
    key: 'policyApply',
    kind: 'apply',
    targetAccess: 'apply',
    state: 'Attach permissions policy',
    handler: { entry: HANDLER, export: 'apply' },
    description: 'Ensures the permissions policy and attaches it to the federation role',
    memorySize: 256,
    timeoutSeconds: 60,
    permissions: (scope) => {
      const g = grants(scope);
      return g
        .allow(
          'EnsureGeneratedPolicies',
          [
            'iam:GetPolicy',
            'iam:GetPolicyVersion',
            'iam:ListPolicyVersions',
            'iam:CreatePolicy',
            'iam:TagPolicy',
            'iam:ListPolicyTags',
            'iam:CreatePolicyVersion',
            // The one delete an apply function holds: IAM keeps at most 5 versions of a policy, so apply deletes the
            // oldest non-default version to make room for the new one (journalled first, so the revert recreates it).
            // Limited to the profiles' own generated policies.
            'iam:DeletePolicyVersion',
          ],
          (arns) => arns.customerPolicies,
        )
        .allow('ReadProfileRoleAttachments', ['iam:ListAttachedRolePolicies'], (arns) => arns.roles)
        .add(rolePolicyAttachment('AttachOnlyProfilePolicies', 'iam:AttachRolePolicy', g.arns))
        .records('JournalOfThisExecution', ['journal'])
        .result();
    },
    run: onExecutionDocument(applyPolicy),
  },
  revert: {
    key: 'policyRevert',
    kind: 'revert',
    targetAccess: 'revert',
    state: 'Revert permissions policy',
    handler: { entry: HANDLER, export: 'revert' },
    description: 'Detaches what this execution attached and restores the previous policy version',
    memorySize: 256,
    timeoutSeconds: 60,
    permissions: (scope) => {
      const g = grants(scope);
      return g
        .allow(
          'RestoreOrDeleteGeneratedPolicies',
          [
            'iam:GetPolicy',
            'iam:ListPolicyTags',
            'iam:GetPolicyVersion',
            'iam:ListPolicyVersions',
            'iam:SetDefaultPolicyVersion',
            'iam:CreatePolicyVersion',
            'iam:DeletePolicyVersion',
            'iam:DeletePolicy',
            'iam:ListEntitiesForPolicy',
          ],
          (arns) => arns.customerPolicies,
        )
        .allow('ReadProfileRoleAttachments', ['iam:ListAttachedRolePolicies'], (arns) => arns.roles)
        .add(rolePolicyAttachment('DetachOnlyProfilePolicies', 'iam:DetachRolePolicy', g.arns))
        .records('JournalOfThisExecution', ['journal'])
        .result();
    },
    run: onExecutionDocument(revertPolicy),
  },
};
