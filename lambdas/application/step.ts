import { applicationLookupGrants } from '../attribute-mapping/step';
import { grants } from '../shared/permissions';
import { onExecutionDocument, type StepDefinition } from '../shared/pipeline-function';
import { applyApplication } from './apply';
import { revertApplication } from './revert';

const HANDLER = 'lambdas/application/handler.ts';
const WHY_STAR =
  'The console API (SWBService) defines no resource type for these actions, so they can only be granted on "*"; the function creates or deletes only the application its profile names (its own checks, and only for profiles that set application.create).';

/** The IAM Identity Center application itself, for profiles that set application.create. */
export const applicationStep: StepDefinition<'application'> = {
  name: 'application',
  label: 'Application',
  apply: {
    key: 'applicationApply',
    kind: 'apply',
    state: 'Create or find IAM Identity Center application',
    handler: { entry: HANDLER, export: 'apply' },
    description: "Finds the profile's IAM Identity Center application, or creates it from the Amazon Connect template",
    memorySize: 256,
    timeoutSeconds: 60,
    permissions: (scope) => {
      const g = applicationLookupGrants(grants(scope), ['sso:ListInstances', 'sso:ListApplications']);
      if (Object.values(scope.config.profiles).some((p) => p.application.create)) {
        g.wildcard(
          'CreateProfileApplications',
          ['sso:ListApplicationTemplates', 'sso:CreateApplicationInstance', 'sso:UpdateApplicationInstanceDisplayData'],
          '*',
          WHY_STAR,
        );
      }
      return g.records('JournalOfThisExecution', ['journal']).result();
    },
    run: onExecutionDocument(applyApplication),
  },
  revert: {
    key: 'applicationRevert',
    kind: 'revert',
    state: 'Revert IAM Identity Center application',
    handler: { entry: HANDLER, export: 'revert' },
    description: 'Deletes the application only when this execution created it',
    memorySize: 256,
    timeoutSeconds: 60,
    permissions: (scope) => {
      const g = applicationLookupGrants(grants(scope), ['sso:ListInstances', 'sso:ListApplications']);
      if (Object.values(scope.config.profiles).some((p) => p.application.create)) {
        g.wildcard('DeleteCreatedApplications', ['sso:DeleteApplicationInstance'], '*', WHY_STAR);
      }
      return g.records('JournalOfThisExecution', ['journal']).result();
    },
    run: onExecutionDocument(revertApplication),
  },
};
