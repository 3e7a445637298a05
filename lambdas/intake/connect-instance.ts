import { type ConnectClient, DescribeInstanceCommand } from '@aws-sdk/client-connect';
import type { ResolvedProfile } from '../shared/profile';
import { ConnectInstanceNotActiveError, ConnectInstanceNotFoundError, ConnectNotSamlInstanceError, ConnectWrongAccountError } from './errors';

/**
 * The profile's Amazon Connect instance, checked before anything changes: it must live in the account of the profile's
 * role (Connect federates only into roles of its own account), exist, be ACTIVE and use SAML identity management (chosen
 * when the instance is created and never changed after). `connect` reads that account: the function's own client for a
 * profile in the pipeline's account, a target read role's session for one in another.
 */
export async function checkConnectInstance(profile: ResolvedProfile, pipelineAccount: string, connect: ConnectClient): Promise<void> {
  const instanceArn = profile.policy.connectInstanceArn;
  if (!instanceArn) return;
  const roleAccount = profile.account ?? pipelineAccount;
  const instanceAccount = instanceArn.split(':')[4];
  if (instanceAccount !== roleAccount) {
    throw new ConnectWrongAccountError(
      `profile ${profile.name}: policy.connectInstanceArn ${instanceArn} is in account ${instanceAccount}, but the profile's provider, role and policy are in ${roleAccount}` +
        `${profile.account === undefined ? " (the pipeline's, as the profile sets no account)" : ' (its account)'}; Amazon Connect federates only into roles of the instance's own account: ` +
        `set the profile's account to ${instanceAccount}, or name an instance of ${roleAccount}. Nothing was changed`,
    );
  }
  const instanceId = instanceArn.split('/')[1] ?? '';
  const answer = await connect.send(new DescribeInstanceCommand({ InstanceId: instanceId })).catch((error: unknown) => {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    throw new ConnectInstanceNotFoundError(
      `profile ${profile.name}: Amazon Connect has no instance ${instanceArn} (policy.connectInstanceArn); copy the instance ARN from the Amazon Connect console (Instance > Distribution settings > Instance ARN). Nothing was changed`,
      { cause: error },
    );
  });
  const instance = answer.Instance;
  if (instance?.InstanceStatus !== 'ACTIVE') {
    throw new ConnectInstanceNotActiveError(
      `profile ${profile.name}: Amazon Connect instance ${instanceArn} is ${instance?.InstanceStatus ?? 'in no known state'}, not ACTIVE; wait until its creation finishes (or create it again if it failed). Nothing was changed`,
    );
  }
  if (instance.IdentityManagementType !== 'SAML') {
    throw new ConnectNotSamlInstanceError(
      `profile ${profile.name}: Amazon Connect instance ${instanceArn} manages identities as ${instance.IdentityManagementType}, not SAML; an instance's identity management is chosen when it is created and cannot be changed, so federation needs an instance created with "SAML 2.0-based authentication". Nothing was changed`,
    );
  }
}
