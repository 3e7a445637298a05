import type { ConnectClient } from '@aws-sdk/client-connect';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { IamSession } from '../lambdas/runtime/function';
import type { CallLog } from './calls';
import type { SimulatedConnect } from './connect';
import type { Operations } from './context';
import { awsError } from './errors';
import type { SimulatedIam } from './iam';
import type { Organization } from './organization';
import { MULTI_VALUE, policiesAllow } from './policy-evaluation';
import { type AssumedSession, iamActionsOf, iamConditionKeys, iamResourceOf, stsOperations } from './sts';

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

/** The Amazon Connect resource a call acts on, as the Service Authorization Reference names it. */
function connectResourceOf(operation: string, input: Record<string, unknown>, partition: string, account: string, region: string): string {
  const id = String(input.InstanceId ?? '');
  const instance = id.startsWith('arn:') ? id : `arn:${partition}:connect:${region}:${account}:instance/${id}`;
  if (operation === 'CreateUser') return `${instance}/agent/*`;
  if (operation === 'DescribeUser' || operation === 'DeleteUser') return `${instance}/agent/${String(input.UserId ?? '')}`;
  return instance;
}

/** Throws AccessDenied for an Amazon Connect call the session's role does not allow (a Create with tags needs TagResource). */
function connectAuthorizer(
  granted: AssumedSession,
  iam: SimulatedIam,
  connect: SimulatedConnect,
): (operation: string, input: Record<string, unknown>) => void {
  return (operation, input) => {
    const role = iam.roles.get(granted.roleName.toLowerCase());
    const documents = role ? [...role.inline.values()] : [];
    const { partition, region } = iam.context;
    const resource = connectResourceOf(operation, input, partition, granted.account, region);
    const actions = [`connect:${operation}`, ...(operation === 'CreateUser' && input.Tags ? ['connect:TagResource'] : [])];
    // A call on a user carries its tags as aws:ResourceTag/<key>, as IAM evaluates them.
    const tags = typeof input.UserId === 'string' ? connect.userTags(granted.account, String(input.InstanceId ?? ''), input.UserId) : {};
    const keys: Record<string, string> = Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:ResourceTag/${key}`, value]));
    if (operation === 'CreateUser' && input.Tags) keys['aws:TagKeys'] = Object.keys(input.Tags as object).join(MULTI_VALUE);
    for (const action of actions) {
      if (!policiesAllow(documents, action, resource, keys))
        throw awsError(
          'AccessDeniedException',
          `User: arn:${partition}:sts::${granted.account}:assumed-role/${granted.roleName}/${granted.sessionName} is not authorized to perform: ${action} on resource: ${resource}`,
          'connect',
        );
    }
  };
}

/**
 * The clients of one caller in the organization's accounts: the first call of a session assumes its role (STS
 * AssumeRole, checked against the role's trust policy), as the SDK's temporary-credentials provider does; every call
 * then goes to that account, and only if the role's policies (and the session policy) allow it. IAM calls take the
 * account's IAM rate.
 */
export function sessionClients(
  caller: string | undefined,
  organization: Organization,
  log: CallLog,
  connect: SimulatedConnect,
): { iamIn: (session: IamSession) => IAMClient; connectIn: (session: IamSession) => ConnectClient } {
  const sts = stsOperations({
    caller,
    iamOf: (account) => organization.iamOf(account),
    ids: organization.context.ids,
    sessions: organization.sessions,
  });
  const byKey = new Map<string, object>();
  const sessionClient = <Client>(service: 'iam' | 'connect', session: IamSession): Client => {
    const key = `${service} ${JSON.stringify(session)}`;
    const existing = byKey.get(key);
    if (existing) return existing as Client;
    let assumed: AssumedSession | undefined;
    const client = {
      send: async (command: object) => {
        if (!assumed) assumed = await assume(session, sts, organization, log);
        const granted = assumed as AssumedSession;
        const scope = organization.iamScope(granted.account);
        if (service === 'connect') {
          return log
            .client('connect', connect.operationsIn(granted.account), {
              account: granted.account,
              authorize: connectAuthorizer(granted, scope.iam, connect),
            })
            .send(command);
        }
        return log.client('iam', scope.iam.operations, { ...scope, authorize: authorizer(granted, scope.iam) }).send(command);
      },
      destroy: () => undefined,
    };
    byKey.set(key, client);
    return client as Client;
  };
  return {
    iamIn: (session) => sessionClient<IAMClient>('iam', session),
    connectIn: (session) => sessionClient<ConnectClient>('connect', session),
  };
}
