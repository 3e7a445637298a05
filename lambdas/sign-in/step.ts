import { applicationLookupGrants } from '../identity-center/grants';
import { onExecutionDocument, type StepDefinition } from '../runtime/function';
import { grants } from '../shared/permissions';
import { checkSignIn, STEP } from './apply';

const HANDLER = 'lambdas/sign-in/handler.ts';

/**
 * The sign-in check: the last step, read only. It proves the chain a sign-in crosses (provider, trust, mapping,
 * session, relay state, permissions, Connect users) and changes nothing, so its revert has nothing to undo.
 */
export const signInStep: StepDefinition<typeof STEP> = {
  name: STEP,
  label: 'Sign-in check',
  comment: 'Checks, read only, that a person of the profile can sign in to Amazon Connect: each link named, with its fix when it fails.',
  readFootprint: async () => ({}),
  readOnly: true,
  apply: {
    key: 'signInApply',
    kind: 'apply',
    // Read only, in a profile's other account too: the target read role, never the apply role.
    targetAccess: 'read',
    state: 'Check that people can sign in',
    handler: { entry: HANDLER, export: 'apply' },
    description: 'Checks, read only, that the profile federates into Amazon Connect: provider, trust, mapping, permissions, Connect users',
    memorySize: 512,
    timeoutSeconds: 60,
    permissions: (scope) =>
      applicationLookupGrants(
        grants(scope)
          .allow('ReadProfileProviders', ['iam:GetSAMLProvider'], (arns) => arns.samlProviders)
          // SimulatePrincipalPolicy on the role: whether its sessions may get a Connect federation token.
          .allow('ReadAndSimulateProfileRoles', ['iam:GetRole', 'iam:SimulatePrincipalPolicy'], (arns) => arns.roles),
        ['sso:ListInstances', 'sso:ListApplications', 'sso:GetApplicationInstance'],
        'ReadTheMapping',
      )
        .lease(['dynamodb:GetItem'])
        .result(),
    run: onExecutionDocument(checkSignIn),
  },
  revert: {
    key: 'signInRevert',
    kind: 'revert',
    state: 'Revert sign-in check',
    handler: { entry: HANDLER, export: 'revert' },
    description: 'Nothing to undo: the sign-in check changes nothing',
    memorySize: 128,
    timeoutSeconds: 10,
    permissions: (scope) => grants(scope).lease(['dynamodb:GetItem']).result(),
    run: onExecutionDocument(async () => ({ step: STEP, action: 'nothing-to-do', changes: ['the sign-in check changes nothing'] })),
  },
};
