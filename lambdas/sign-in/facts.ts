import { GetRoleCommand, GetSAMLProviderCommand, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { applicationArnOf, instanceIdFromApplicationArn } from '../identity-center/locate';
import { validateMetadata } from '../intake/metadata';
import type { StepDeps } from '../runtime/function';
import { roleArn as roleArnOf, samlProviderArn } from '../shared/arns';
import type { ExecutionDocument } from '../shared/document';
import { signinAudienceOf } from '../shared/partitions';
import { ROLE_ATTRIBUTE, ROLE_SESSION_NAME_ATTRIBUTE } from '../shared/profile-schema';
import type { SignInFacts } from './checks';

const SESSION_DURATION_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/SessionDuration';

/**
 * A read whose failure is a fact, not an error: the check says what it could not read (access denied, an outage that
 * outlasted the client's throttling retries) and the execution goes on, since a sign-in check never rolls back what the
 * account is configured as. A NoSuchEntity answer is absence.
 */
function reader(unreadable: string[]) {
  return async <T>(what: string, read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'NoSuchEntityException' || name === 'NoSuchEntity') return undefined;
      unreadable.push(`${what}: ${name}: ${(error as Error).message}`);
      return undefined;
    }
  };
}

/** What the checks need: the profile, where it runs, and its people's Connect users as they were found, if checked. */
export interface SignInSubject {
  profile: ExecutionDocument['profile'];
  request: Pick<ExecutionDocument['request'], 'partition' | 'account' | 'region'>;
  connectUsers?: { present: string[]; missing: Array<{ username: string; person: string }> };
}

/** The clients the checks read with. */
export type SignInReaders = Pick<StepDeps, 'iam' | 'ssoAdmin' | 'swb' | 'now'>;

/**
 * What the sign-in checks read, as the execution left the account: the provider's certificates, the role's trust and
 * maximum session, the mapping the application holds, IAM's policy simulation of connect:GetFederationToken for the
 * role's sessions (`aws:userid` = `<role id>:<session name>`, as STS names a federated session), and the Connect users
 * step's result. Read only.
 */
export async function gatherSignInFacts(doc: SignInSubject, deps: SignInReaders): Promise<SignInFacts> {
  const { profile, request, connectUsers } = doc;
  const userNames = connectUsers?.present ?? [];
  const missing = (connectUsers?.missing ?? []).map((u) => `${u.username} (${u.person})`);
  const at = { partition: request.partition, account: profile.account ?? request.account };
  const providerArn = samlProviderArn(at, profile.identityProvider.name);
  const roleArn = roleArnOf(at, profile.role.name, profile.role.path);
  const now = deps.now();
  const unreadable: string[] = [];
  const read = reader(unreadable);
  const provider = await read(`GetSAMLProvider ${providerArn}`, () => deps.iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: providerArn })));
  const providerUnread = unreadable.length > 0;
  const role = (await read(`GetRole ${profile.role.name}`, () => deps.iam.send(new GetRoleCommand({ RoleName: profile.role.name }))))?.Role;
  const roleUnread = unreadable.length > (providerUnread ? 1 : 0);
  // Manual mode keeps away from the console API: the mapping is the operator's, and not read back.
  const application =
    profile.attributeMapping.mode === 'manual'
      ? undefined
      : await read("the application's mapping and service provider settings", () => applicationOf(doc, deps));
  const mapping = application?.mapping;
  const token =
    role?.RoleId && profile.policy.connectInstanceArn
      ? await read(`SimulatePrincipalPolicy ${roleArn}`, () =>
          federationToken(deps, roleArn, role.RoleId ?? '', profile.policy.connectInstanceArn ?? '', userNames[0] ?? 'someone@example.com'),
        )
      : undefined;
  return {
    providerArn,
    ...providerFacts(provider?.SAMLMetadataDocument, now),
    roleArn,
    ...(role?.AssumeRolePolicyDocument ? { trustPolicy: JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument)) } : {}),
    ...(role?.MaxSessionDuration ? { maxSessionDuration: role.MaxSessionDuration } : {}),
    // Where the application posts its assertions, when the console API shows it; else the partition's sign-in endpoint.
    signinEndpoints: application?.serviceProvider?.acsUrls.length ? application.serviceProvider.acsUrls : [signinAudienceOf(request.partition)],
    ...(application?.serviceProvider ? { serviceProvider: application.serviceProvider } : {}),
    partitionEndpoint: signinAudienceOf(request.partition),
    ...(mapping ? { mapping } : {}),
    ...(profile.relayState ? { expectedRelayState: profile.relayState } : {}),
    ...(token ? { federationToken: token } : {}),
    ...(providerUnread ? { providerUnread } : {}),
    ...(roleUnread ? { roleUnread } : {}),
    ...(profile.attributeMapping.attributes[SESSION_DURATION_ATTRIBUTE]
      ? { configuredSessionDuration: profile.attributeMapping.attributes[SESSION_DURATION_ATTRIBUTE] }
      : {}),
    ...(connectUsers && userNames.length + missing.length > 0 ? { connectUsers: { checked: userNames.length + missing.length, missing } } : {}),
    unreadable,
    now,
  };
}

/** The provider's certificates, or why its metadata no longer validates (an expired certificate, say). */
function providerFacts(metadata: string | undefined, now: Date): Pick<SignInFacts, 'providerCertificates' | 'providerProblem'> {
  if (metadata === undefined) return {};
  try {
    return { providerCertificates: validateMetadata(metadata, now).certificates };
  } catch (error) {
    return { providerCertificates: [], providerProblem: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

/** The mapping the application holds now (undefined when the console API does not return it) and its service provider settings. */
async function applicationOf(
  doc: SignInSubject,
  deps: SignInReaders,
): Promise<{ mapping?: SignInFacts['mapping']; serviceProvider?: SignInFacts['serviceProvider'] }> {
  const { profile, request } = doc;
  const { applicationArn } = await applicationArnOf(deps.ssoAdmin, profile.application, {
    account: request.account,
    region: request.region,
    profile: profile.name,
  });
  const view = await deps.swb.getApplicationInstance(instanceIdFromApplicationArn(applicationArn));
  const serviceProvider = view.serviceProvider ? { serviceProvider: view.serviceProvider } : {};
  const config = view.responseConfig;
  if (!config || !view.responseSchemaConfig) return serviceProvider;
  const source = (name: string) => config.properties?.[name]?.source;
  return {
    ...serviceProvider,
    mapping: {
      ...(source(ROLE_ATTRIBUTE) ? { role: [...(source(ROLE_ATTRIBUTE) ?? [])] } : {}),
      ...(source(ROLE_SESSION_NAME_ATTRIBUTE)?.[0] ? { sessionName: source(ROLE_SESSION_NAME_ATTRIBUTE)?.[0] } : {}),
      ...(source(SESSION_DURATION_ATTRIBUTE)?.[0] ? { sessionDuration: source(SESSION_DURATION_ATTRIBUTE)?.[0] } : {}),
      ...(config.relayState ? { relayState: config.relayState } : {}),
    },
  };
}

/**
 * IAM's policy simulator on the role: may its session (a role session cannot call the simulator itself) get a
 * federation token for its own Connect user, `<instance>/user/<role id>:<session name>`?
 */
async function federationToken(
  deps: SignInReaders,
  roleArn: string,
  roleId: string,
  instanceArn: string,
  sessionName: string,
): Promise<'allowed' | 'denied'> {
  const userId = `${roleId}:${sessionName}`;
  const answer = await deps.iam.send(
    new SimulatePrincipalPolicyCommand({
      PolicySourceArn: roleArn,
      ActionNames: ['connect:GetFederationToken'],
      ResourceArns: [`${instanceArn}/user/${userId}`],
      ContextEntries: [{ ContextKeyName: 'aws:userid', ContextKeyType: 'string', ContextKeyValues: [userId] }],
    }),
  );
  return answer.EvaluationResults?.every((result) => result.EvalDecision === 'allowed') && answer.EvaluationResults.length > 0 ? 'allowed' : 'denied';
}
