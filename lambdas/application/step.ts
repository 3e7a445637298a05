import { applicationLookupGrants } from '../identity-center/grants';
import { onExecutionDocument, type PipelineFunction, type StepDefinition } from '../runtime/function';
import { grants } from '../shared/permissions';
import { applyApplication } from './apply';
import { readApplicationFootprint } from './footprint';
import { revertApplication } from './revert';

const HANDLER = 'lambdas/application/handler.ts';
const WHY_STAR =
  'The console API (SWBService) defines no resource type for these actions, so they can only be granted on "*"; the function creates or deletes only the application its profile names (its own checks, and only for profiles that set application.create).';

/**
 * Finding the application, the journal, and `writes` (console API, on "*") only when a profile sets application.create.
 */
function applicationPermissions(sid: string, writes: string[], records: Array<'journal' | 'state'>): PipelineFunction['permissions'] {
  return (scope) => {
    const g = applicationLookupGrants(grants(scope), ['sso:ListInstances', 'sso:ListApplications']);
    if (Object.values(scope.config.profiles).some((p) => p.application.create)) g.wildcard(sid, writes, '*', WHY_STAR);
    return g.records(records.includes('state') ? 'JournalAndCreatedApplications' : 'JournalOfThisExecution', records).result();
  };
}

/** The IAM Identity Center application itself, for profiles that set application.create. */
export const applicationStep: StepDefinition<'application'> = {
  name: 'application',
  label: 'Application',
  comment:
    "With application.create, finds the profile's IAM Identity Center application by its display name or creates it from the Amazon Connect catalog template; otherwise changes nothing.",
  // The application its receipt names (the one this execution created).
  readFootprint: (doc, { ssoAdmin }) => readApplicationFootprint(doc, ssoAdmin, doc.receipts?.application?.arn ?? ''),
  apply: {
    key: 'applicationApply',
    kind: 'apply',
    state: 'Create or find IAM Identity Center application',
    handler: { entry: HANDLER, export: 'apply' },
    description: "Finds the profile's IAM Identity Center application, or creates it from the Amazon Connect template",
    memorySize: 256,
    timeoutSeconds: 60,
    permissions: applicationPermissions(
      'CreateProfileApplications',
      [
        'sso:ListApplicationTemplates',
        'sso:ListApplicationInstances',
        'sso:CreateApplicationInstance',
        'sso:UpdateApplicationInstanceDisplayData',
        'sso:UpdateApplicationInstanceServiceProviderConfiguration',
        'sso:UpdateApplicationInstanceStatus',
      ],
      // The state: which application the pipeline created for each profile (identity-center/created-application.ts).
      ['journal', 'state'],
    ),
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
    permissions: applicationPermissions(
      'DeleteCreatedApplications',
      ['sso:ListApplicationInstances', 'sso:ListProfiles', 'sso:DeleteProfile', 'sso:DeleteApplicationInstance'],
      ['journal'],
    ),
    run: onExecutionDocument(revertApplication),
  },
};
