import { applicationLookupGrants, applicationResources } from '../identity-center/grants';
import { onExecutionDocument, type StepDefinition } from '../runtime/function';
import { grants, type PermissionScope } from '../shared/permissions';
import { applyAssignments } from './apply';
import { readAssignmentsFootprint } from './footprint';
import { revertAssignments } from './revert';

const HANDLER = 'lambdas/assignments/handler.ts';

/** Create/Delete/ListApplicationAssignments are scoped to the Application resource type: the profiles' applications. */
function onProfileApplications(scope: PermissionScope, sid: string, actions: string[]) {
  // Only the applications of profiles that assign someone: the others' need no assignment rights.
  const assigning = Object.fromEntries(
    Object.entries(scope.config.profiles).filter(([, p]) => p.application.assignments.groups.length + p.application.assignments.users.length > 0),
  );
  const applications = applicationResources({ ...scope, config: { ...scope.config, profiles: assigning } });
  const g = grants(scope).allow(sid, actions, applications.exact);
  for (const [index, pattern] of applications.patterns.entries()) {
    g.wildcard(
      `${sid}ByDisplayName${index}`,
      actions,
      pattern,
      "A profile names its IAM Identity Center application by display name, so its ARN is only known at run time; the grant is limited to the profile's instance where the profile names one.",
    );
  }
  return g;
}

/** Reading who is assigned, and finding the application and its instance's identity store. */
function lookups(scope: PermissionScope, sid: string, actions: string[]) {
  const g = applicationLookupGrants(onProfileApplications(scope, sid, actions), [
    'sso:ListInstances',
    'sso:DescribeInstance',
    'sso:ListApplications',
  ]);
  return g;
}

/** The profile's groups and users assigned to its IAM Identity Center application (public sso-admin API). */
export const assignmentsStep: StepDefinition<'assignments'> = {
  name: 'assignments',
  label: 'Assignments',
  comment: "Assigns the profile's groups and users to its IAM Identity Center application, those not assigned yet only (public sso-admin API).",
  // The application its receipt names.
  readFootprint: (doc, { ssoAdmin }) => readAssignmentsFootprint(ssoAdmin, doc.receipts?.assignments?.arn ?? ''),
  apply: {
    key: 'assignmentsApply',
    kind: 'apply',
    state: 'Assign people to the application',
    handler: { entry: HANDLER, export: 'apply' },
    description: "Assigns the profile's groups and users to its IAM Identity Center application",
    memorySize: 256,
    timeoutSeconds: 60,
    permissions: (scope) =>
      lookups(scope, 'AssignToProfileApplications', ['sso:ListApplicationAssignments', 'sso:CreateApplicationAssignment'])
        .wildcard(
          'ResolveNamesInTheIdentityStore',
          ['identitystore:GetGroupId', 'identitystore:GetUserId'],
          '*',
          "The identity store's id is the Identity Center instance's, read at run time (DescribeInstance), and group and user ids are what the call returns; the grant only reads ids by name.",
        )
        .records('JournalOfThisExecution', ['journal'])
        .result(),
    run: onExecutionDocument(applyAssignments),
  },
  revert: {
    key: 'assignmentsRevert',
    kind: 'revert',
    state: 'Revert application assignments',
    handler: { entry: HANDLER, export: 'revert' },
    description: 'Removes the assignments this execution added, and only those',
    memorySize: 256,
    timeoutSeconds: 60,
    permissions: (scope) =>
      lookups(scope, 'UnassignFromProfileApplications', ['sso:DeleteApplicationAssignment']).records('JournalOfThisExecution', ['journal']).result(),
    run: onExecutionDocument(revertAssignments),
  },
};
