import type { IAMClient } from '@aws-sdk/client-iam';
import type { IamSession } from '../lambdas/runtime/function';
import type { CallLog } from './calls';
import type { Operations } from './context';
import { awsError } from './errors';
import type { SimulatedIam } from './iam';
import type { Organization } from './organization';
import { type AssumedSession, iamActionsOf, iamConditionKeys, iamResourceOf, policiesAllow, stsOperations } from './sts';

/** Throws AccessDenied for a call the session's role (and its session policy) does not allow. */
function authorizer(granted: AssumedSession, iam: SimulatedIam): (operation: string, input: Record<string, unknown>) => void {
  return (operation, input) => {
    const role = iam.roles.get(granted.roleName.toLowerCase());
    const documents = role ? [...role.inline.values()] : [];
    const resource = iamResourceOf(operation, input, iam);
    const keys = iamConditionKeys(operation, input, iam);
    for (const action of iamActionsOf(operation, input)) {
      const allowed =
        policiesAllow(documents, action, resource, keys) && (granted.policy === undefined || policiesAllow([granted.policy], action, resource, keys));
      if (!allowed)
        throw awsError(
          'AccessDenied',
          `User: arn:${iam.context.partition}:sts::${granted.account}:assumed-role/${granted.roleName}/${granted.sessionName} is not authorized to perform: ${action} on resource: ${resource}`,
          'iam',
        );
    }
  };
}

/** STS AssumeRole for the session, logged as service 'sts'; the session STS handed out. */
async function assume(session: IamSession, sts: Operations, organization: Organization, log: CallLog): Promise<AssumedSession | undefined> {
  const answer = (await log.invoke(
    'sts',
    'AssumeRole',
    {
      RoleArn: session.roleArn,
      RoleSessionName: session.sessionName,
      SourceIdentity: session.sessionName,
      ...(session.policy ? { Policy: session.policy } : {}),
    },
    sts,
  )) as { Credentials: { AccessKeyId: string } };
  return organization.sessions.get(answer.Credentials.AccessKeyId);
}

/**
 * `iamIn` for one caller: the first call of a session assumes its role (STS AssumeRole, checked against the role's
 * trust policy), as the SDK's temporary-credentials provider does; every IAM call then goes to that account, under
 * its own rate, and only if the role's policies (and the session policy) allow it.
 */
export function sessionClients(caller: string | undefined, organization: Organization, log: CallLog): (session: IamSession) => IAMClient {
  const sts = stsOperations({
    caller,
    iamOf: (account) => organization.iamOf(account),
    ids: organization.context.ids,
    sessions: organization.sessions,
  });
  const byKey = new Map<string, IAMClient>();
  return (session) => {
    const key = JSON.stringify(session);
    const existing = byKey.get(key);
    if (existing) return existing;
    let assumed: AssumedSession | undefined;
    const client = {
      send: async (command: object) => {
        if (!assumed) assumed = await assume(session, sts, organization, log);
        const granted = assumed as AssumedSession;
        const scope = organization.iamScope(granted.account);
        return log.client('iam', scope.iam.operations, { ...scope, authorize: authorizer(granted, scope.iam) }).send(command);
      },
      destroy: () => undefined,
    } as unknown as IAMClient;
    byKey.set(key, client);
    return client;
  };
}
