import type { CreateRoleCommandInput, PutRolePolicyCommandInput } from '@aws-sdk/client-iam';
import { applicationArnOfInstance } from '../lambdas/identity-center/locate';
import { identityCenterIssuer } from '../lambdas/intake/issuer';
import { ConfigInvalidError } from '../lambdas/shared/errors';
import type { FederationConfig } from '../lambdas/shared/profile';
import { TARGET_ACCESS, targetAccounts, targetRoleName } from '../lambdas/shared/target-account';
import { targetRoleStatements, targetRoleTrust } from '../lambdas/target-roles';
import { SimulatedAccount, type SimulatedAccountOptions } from '../simulated-account';
import type { LocalServices } from './runner';

export const SIMULATED_BUCKET = 'saml-federation-metadata-111122223333';

/** The state machine's integrations and the steps' clients, all reaching one simulated account. */
export function simulatedServices(account: SimulatedAccount, bucket = SIMULATED_BUCKET): LocalServices {
  return {
    clients: account.clients(),
    clientsOf: (caller) => account.clients(caller),
    environment: { account: account.account, region: account.region, partition: account.partition, bucket },
    takeLock: (item, now, replacing) => account.lock.put({ ...item, now, ...(replacing ? { replacing } : {}) }),
    releaseLock: (profile, lease) => account.lock.release(profile, lease),
    readLock: (profile) => account.lock.get(profile),
    publish: async (subject, message) => {
      await account.notifications.publish(subject, message);
    },
  };
}

/**
 * The groups and users in the simulated account's identity store (the bundled example assigns two of the groups), each
 * user a member of one group and already a user of every Amazon Connect instance the configuration names.
 */
const SIMULATED_DIRECTORY = {
  groups: ['Amazon Connect administrators', 'Amazon Connect agents', 'Amazon Connect supervisors'],
  users: { 'admin@example.com': 'Amazon Connect administrators', 'agent@example.com': 'Amazon Connect agents' },
} as const;

/** What a newly added custom SAML 2.0 application maps before anyone edits it: only the subject. */
export const NEW_APPLICATION_MAPPING = {
  responseConfig: { subject: { source: ['${user:subject}'] }, properties: {}, ttl: 'PT1H' },
  responseSchemaConfig: { subject: { include: 'REQUIRED', nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent' }, properties: {} },
};

/**
 * An account shaped like the one the configuration was written for: the metadata bucket, and the IAM Identity
 * Center instance and applications the profiles name (by ARN or display name), enabled.
 */
export function accountForConfig(
  config: FederationConfig,
  options: SimulatedAccountOptions & {
    bucket?: string;
    /**
     * Documents people downloaded from the profiles' applications, by profile: each application is the one the
     * document's entityID names (for a profile that finds it by display name) and serves the document as its own, as
     * the deployed pipeline would see it. A document of another application or account is left alone (Intake refuses it).
     */
    documents?: Readonly<Record<string, string>>;
  } = {},
): SimulatedAccount {
  const { bucket = SIMULATED_BUCKET, documents = {}, ...accountOptions } = options;
  const firstArn = Object.values(config.profiles).find((p) => p.application.arn)?.application.arn;
  const account = new SimulatedAccount({ account: firstArn?.split(':')[4], ...accountOptions });
  // As the deployed stack's rule refuses it: a profile's account is another account than the pipeline's.
  const own = Object.entries(config.profiles).find(([, profile]) => profile.account === account.account);
  if (own)
    throw new ConfigInvalidError(
      `profiles.${own[0]}.account: ${account.account} is the pipeline's own account; leave account out for a profile whose IAM lives there`,
    );
  account.createBucket(bucket);
  // Every account a profile names joins the organization with the target stack deployed, as StackSets would do.
  for (const target of targetAccounts(config)) {
    account.addAccount(target, { mutatingCallsPerSecond: accountOptions.mutatingCallsPerSecond });
    deployTargetRoles(account, config, target);
  }
  const instances = new Map<string, string>();
  const instanceFor = (arn: string | undefined): string | undefined => {
    if (!arn) return undefined;
    if (!instances.has(arn)) instances.set(arn, account.addIdentityCenterInstance({ arn }));
    return instances.get(arn);
  };
  for (const [name, profile] of Object.entries(config.profiles)) {
    // A profile that creates its application starts without one (the execution creates it).
    if (profile.application.create) {
      instanceFor(profile.application.instanceArn);
      continue;
    }
    const fromAppArn = profile.application.arn ? `arn:${account.partition}:sso:::instance/${profile.application.arn.split('/')[1]}` : undefined;
    const instanceArn =
      instanceFor(profile.application.instanceArn ?? fromAppArn) ?? instanceFor(`arn:${account.partition}:sso:::instance/ssoins-0000000000000000`);
    const document = documents[name];
    const issuer = document === undefined ? undefined : identityCenterIssuer(entityIdOf(document));
    const candidate =
      !profile.application.arn && instanceArn && issuer?.account === account.account
        ? applicationArnOfInstance(instanceArn, account.account, issuer.instanceId)
        : undefined;
    // Another profile's application (by its ARN) is that profile's: the document is then simply the wrong one.
    const byDocument = candidate && !Object.values(config.profiles).some((other) => other.application.arn === candidate) ? candidate : undefined;
    const applicationArn = account.addApplication({
      name: profile.application.displayName ?? `Amazon Connect ${name}`,
      arn: profile.application.arn ?? byDocument,
      instanceArn,
      status: 'ENABLED',
    });
    account.setApplicationConfiguration(applicationArn, NEW_APPLICATION_MAPPING);
    if (document !== undefined) serveIfTheApplications(account, applicationArn, document);
  }
  // The identity store holds a fixed directory, not whatever the configuration names: a name that is not in it fails
  // Assignments.PrincipalNotFound locally, as it would in an account without that group or user.
  for (const group of SIMULATED_DIRECTORY.groups) account.addIdentityStoreGroup(group);
  for (const [user, group] of Object.entries(SIMULATED_DIRECTORY.users)) {
    account.addIdentityStoreUser(user);
    account.addIdentityStoreMember(group, user);
  }
  // Each Connect instance a profile names: SAML, active, with the directory's people as its users.
  for (const instanceArn of new Set(Object.values(config.profiles).flatMap((profile) => profile.policy.connectInstanceArn ?? []))) {
    account.addConnectInstance(instanceArn);
    for (const user of Object.keys(SIMULATED_DIRECTORY.users)) account.addConnectUser(instanceArn, user);
  }
  return account;
}

/** The entityID attribute of a metadata document (the simulator's own reading; Intake validates the real thing). */
function entityIdOf(xml: string): string {
  return /entityID="([^"]*)"/.exec(xml)?.[1] ?? '';
}

/** Makes the application serve `xml` as its own download when the document's entityID names it; else leaves it. */
function serveIfTheApplications(account: SimulatedAccount, applicationArn: string, xml: string): boolean {
  const issuer = identityCenterIssuer(entityIdOf(xml));
  if (issuer?.account !== account.account || `ins-${applicationArn.split('/apl-')[1]}` !== issuer.instanceId) return false;
  return account.serveApplicationDocument(applicationArn, xml);
}

/**
 * A person downloaded `xml` from the profile's application and uploads it: the application (by the profile's ARN, or
 * its display name) serves that document as its own. A document of any other application changes nothing.
 */
export function holdDocument(account: SimulatedAccount, config: FederationConfig, profile: string, xml: string): boolean {
  const application = config.profiles[profile]?.application;
  if (!application) return false;
  const arns = application.arn
    ? [application.arn]
    : Object.entries(account.snapshot().ssoAdmin.applications)
        .filter(([, listed]) => listed.name === application.displayName)
        .map(([arn]) => arn);
  return arns.some((arn) => serveIfTheApplications(account, arn, xml));
}

/**
 * What the target stack (infra/target-account-roles.ts) creates in a member account, made through its IAM: the apply
 * and revert roles, each trusting the pipeline's function roles of its kind and holding its statements inline.
 */
function deployTargetRoles(account: SimulatedAccount, config: FederationConfig, target: string): void {
  for (const access of TARGET_ACCESS) {
    const RoleName = targetRoleName(config.pipelineName, access);
    account.seedIam(target, 'CreateRole', {
      RoleName,
      AssumeRolePolicyDocument: JSON.stringify(targetRoleTrust(config, account.partition, account.account, access)),
    } satisfies CreateRoleCommandInput);
    account.seedIam(target, 'PutRolePolicy', {
      RoleName,
      PolicyName: 'TargetAccountSteps',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: targetRoleStatements(config, account.partition, target, access) }),
    } satisfies PutRolePolicyCommandInput);
  }
}
