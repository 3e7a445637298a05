import { applicationLookupGrants } from '../identity-center/grants';
import type { DeployedFunction } from '../runtime/function';
import { type FunctionPermissions, type Grants, grants, type PermissionScope, type Statement } from '../shared/permissions';

/** The one IAM read of the daily check, on the profiles' providers: its own role's, and a target account's read role's. */
export function readProfileProviders(g: Grants): Statement[] {
  return g.allow('ReadProfileProviders', ['iam:GetSAMLProvider'], (arns) => arns.samlProviders).result().statements;
}

/** The daily check's deployment: one function for every profile, invoked by each profile's schedule. */
export const CHECK_FUNCTION: DeployedFunction = {
  handler: { entry: 'lambdas/daily-check/handler.ts', export: 'handler' },
  description: "Daily check of a profile: starts an execution when its application's metadata changed, watches the certificate's expiry",
  memorySize: 512,
  timeoutSeconds: 60,
};

/**
 * Read-only but for starting executions of this pipeline's own state machine: the application lookup and its
 * certificates (Identity Center), the profiles' SAML providers (IAM), the record of which application the pipeline
 * created (GetItem), StartExecution of the state machine.
 */
export function checkPermissions(scope: PermissionScope, stateMachineArn: string): FunctionPermissions {
  return (
    applicationLookupGrants(
      grants(scope),
      ['sso:ListInstances', 'sso:ListApplications', 'sso:GetApplicationInstance', 'sso:ListApplicationInstanceCertificates'],
      'Check',
    )
      .add(readProfileProviders(grants(scope)))
      // Which application the pipeline created, for a profile that sets application.create.
      .readRecords('WhichApplicationThePipelineCreated', 'state')
      .allow('StartThisPipeline', ['states:StartExecution'], [stateMachineArn])
      // A profile in a target account: its provider is read there, through the read role.
      .assumeTargetRoles('read')
      .result()
  );
}
