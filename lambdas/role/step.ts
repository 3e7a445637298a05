import { onExecutionDocument, type StepDefinition } from '../runtime/function';
import { roleArn } from '../shared/arns';
import { allow, grants, type PermissionScope, profilesInScope, type Statement } from '../shared/permissions';
import { applyRole } from './apply';
import { readRoleFootprint } from './footprint';
import { revertRole } from './revert';

const HANDLER = 'lambdas/role/handler.ts';

/** Role ARN -> the permissions boundaries its profiles require (undefined: a profile without a boundary). */
function boundariesByRole(scope: PermissionScope): Map<string, Set<string | undefined>> {
  const byRole = new Map<string, Set<string | undefined>>();
  for (const profile of profilesInScope(scope)) {
    const arn = roleArn(scope, profile.role.name, profile.role.path);
    const set = byRole.get(arn) ?? new Set<string | undefined>();
    set.add(profile.role.permissionsBoundaryArn);
    byRole.set(arn, set);
  }
  return byRole;
}

/**
 * CreateRole for every profile role. Where every profile of a role names a permissions boundary, CreateRole and
 * PutRolePermissionsBoundary only succeed with that boundary (condition key iam:PermissionsBoundary), so the
 * function cannot create the role without its boundary or with another one.
 */
function createRoleStatements(scope: PermissionScope): Statement[] {
  const unbounded: string[] = [];
  const bounded: Statement[] = [];
  for (const [arn, boundaries] of boundariesByRole(scope)) {
    if (boundaries.has(undefined)) {
      unbounded.push(arn);
      continue;
    }
    bounded.push(
      ...allow(`CreateRoleWithItsBoundary${bounded.length}`, ['iam:CreateRole', 'iam:PutRolePermissionsBoundary'], [arn], {
        StringEquals: { 'iam:PermissionsBoundary': [...boundaries] },
      }),
    );
  }
  return [...allow('CreateProfileRoles', ['iam:CreateRole'], unbounded), ...bounded];
}

/**
 * DeleteRolePermissionsBoundary only while the role's boundary is one its profiles set (condition key
 * iam:PermissionsBoundary): a revert takes away what apply put on, never a boundary someone else chose. The Service
 * Authorization Reference lists iam:PermissionsBoundary for this action; that it is matched against the boundary
 * being removed is our reading of it, not a documented statement, so revert.ts checks the same thing itself first.
 */
function deleteBoundaryStatements(scope: PermissionScope): Statement[] {
  return [...boundariesByRole(scope)].flatMap(([arn, boundaries], index) => {
    const set = [...boundaries].filter((boundary): boundary is string => boundary !== undefined);
    return set.length === 0
      ? []
      : allow(`RemoveOnlyTheProfileBoundary${index}`, ['iam:DeleteRolePermissionsBoundary'], [arn], {
          StringEquals: { 'iam:PermissionsBoundary': set },
        });
  });
}

/**
 * The SAML 2.0 federation role. Its apply retries briefly while IAM propagates a provider created a moment ago
 * (an invalid-principal answer, up to about 60 s), so it gets twice that.
 */
export const roleStep: StepDefinition<'role'> = {
  name: 'role',
  label: 'Federation role',
  comment:
    'Creates the SAML 2.0 federation role, or fixes the trust policy of the existing role in place: a re-created role would break Connect sign-in (invariant 3).',
  readFootprint: (doc, { iam }) => readRoleFootprint(doc, iam),
  apply: {
    key: 'roleApply',
    kind: 'apply',
    targetAccess: 'apply',
    state: 'Create or update federation role',
    handler: { entry: HANDLER, export: 'apply' },
    description: 'Creates the SAML federation role, or updates its trust policy in place',
    memorySize: 256,
    timeoutSeconds: 120,
    permissions: (scope) =>
      grants(scope)
        .allow(
          'UpdateProfileRolesInPlace',
          ['iam:GetRole', 'iam:TagRole', 'iam:ListRoleTags', 'iam:UpdateAssumeRolePolicy', 'iam:UpdateRole'],
          (arns) => arns.roles,
        )
        .add(createRoleStatements(scope))
        .records('JournalOfThisExecution', ['journal'])
        .result(),
    run: onExecutionDocument(applyRole),
  },
  revert: {
    key: 'roleRevert',
    kind: 'revert',
    targetAccess: 'revert',
    state: 'Revert federation role',
    handler: { entry: HANDLER, export: 'revert' },
    description: 'Restores the role trust policy, or deletes a role this execution created',
    memorySize: 256,
    timeoutSeconds: 60,
    permissions: (scope) =>
      grants(scope)
        .allow(
          'RestoreOrDeleteProfileRoles',
          [
            'iam:GetRole',
            'iam:ListRoleTags',
            'iam:ListAttachedRolePolicies',
            'iam:DetachRolePolicy',
            'iam:ListRolePolicies',
            'iam:DeleteRolePolicy',
            'iam:DeleteRole',
            'iam:UpdateAssumeRolePolicy',
            'iam:UpdateRole',
            // Restores the boundary the role had before this execution: known only from the execution's record.
            'iam:PutRolePermissionsBoundary',
          ],
          (arns) => arns.roles,
        )
        .add(deleteBoundaryStatements(scope))
        .records('JournalOfThisExecution', ['journal'])
        .result(),
    run: onExecutionDocument(revertRole),
  },
};
