import { AttachRolePolicyCommand, CreateRoleCommand, CreateSAMLProviderCommand } from '@aws-sdk/client-iam';
import type { ExecutionDocument } from '../../lambdas/shared/document';
import type { FederationConfig } from '../../lambdas/shared/profile';
import { ROLE_ATTRIBUTE } from '../../lambdas/shared/profile-schema';
import { stepNamed } from '../../lambdas/steps';
import { functionContext, type LocalExecutionResult, type RunLocalExecutionOptions, runLocalExecution } from '../../local/runner';
import { accountForConfig, holdDocument, SIMULATED_BUCKET, simulatedServices } from '../../local/simulated-services';
import type { SimulatedAccount } from '../../simulated-account';
import { makeMetadataXml, makeRotatedMetadataXml } from '../../simulated-account/example-metadata';
import { exampleConfig } from '../helpers/document';

export const config: FederationConfig = exampleConfig;
export const admin = config.profiles.admin!;
const ADMIN_APP_ARN = admin.application.arn!;
export const metadataV1 = makeMetadataXml();
export const metadataV2 = makeRotatedMetadataXml();

/** The example configuration with the admin profile creating its application ("Amazon Connect - Admin (created)"). */
export const creatingConfig: FederationConfig = {
  ...config,
  profiles: {
    ...config.profiles,
    admin: {
      ...admin,
      application: {
        displayName: 'Amazon Connect - Admin (created)',
        create: { displayName: 'Amazon Connect - Admin (created)' },
        instanceArn: admin.application.instanceArn,
        assignments: admin.application.assignments,
      },
    },
  },
};

/** Security and routing profiles every new Connect instance has (the simulated instance's too). */
const CREATE_CONNECT_USERS = { create: { securityProfiles: ['Admin'], routingProfile: 'Basic Routing Profile' } };

/** A person of the admin group who has no Connect user yet: what a profile with connectUsers.create creates. */
const NEW_ADMIN = 'new.admin@example.com';

/** The example configuration with the admin profile creating the Connect users of its people (connectUsers.create). */
export const connectUsersConfig: FederationConfig = {
  ...config,
  profiles: { ...config.profiles, admin: { ...admin, connectUsers: CREATE_CONNECT_USERS } },
};

/** The Amazon Connect workload account of the cross-account example: the admin profile's IAM resources live there. */
export const TARGET_ACCOUNT = '222222222222';

/**
 * The example configuration with the admin profile's provider, role and policy in another account (TARGET_ACCOUNT,
 * whose Connect instance it federates into); the application stays with IAM Identity Center in the pipeline's account.
 */
export const crossAccountConfig: FederationConfig = {
  ...config,
  profiles: {
    ...config.profiles,
    admin: {
      ...admin,
      account: TARGET_ACCOUNT,
      // Its Connect users are created there too, through the target roles.
      connectUsers: CREATE_CONNECT_USERS,
      policy: { ...admin.policy, connectInstanceArn: admin.policy.connectInstanceArn?.replace(':111122223333:', `:${TARGET_ACCOUNT}:`) },
    },
  },
};

export type StartingState = 'empty account' | 'provider exists' | 'role exists with other policies' | 'mapping exists';
const LEGACY_PROVIDER = 'LegacyIdP';
export const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';

/** An account shaped like the example configuration, in one of the starting states the sweep covers. */
export async function startingAccount(
  state: StartingState,
  options: ConstructorParameters<typeof SimulatedAccount>[0] = {},
  configuration: FederationConfig = config,
): Promise<SimulatedAccount> {
  const account = accountForConfig(configuration, options);
  account.addAwsManagedPolicy('ReadOnlyAccess');
  if (Object.values(configuration.profiles).some((profile) => profile.connectUsers.create)) {
    account.addIdentityStoreUser(NEW_ADMIN, undefined, { email: NEW_ADMIN, givenName: 'New', familyName: 'Admin' });
    account.addIdentityStoreMember('Amazon Connect administrators', NEW_ADMIN);
  }
  if (state === 'provider exists') {
    await account.seed(({ iam }) => iam.send(new CreateSAMLProviderCommand({ Name: admin.identityProvider.name, SAMLMetadataDocument: metadataV2 })));
  }
  if (state === 'role exists with other policies') {
    await account.seed(async ({ iam }) => {
      const legacy = await iam.send(new CreateSAMLProviderCommand({ Name: LEGACY_PROVIDER, SAMLMetadataDocument: metadataV2 }));
      await iam.send(
        new CreateRoleCommand({
          RoleName: admin.role.name,
          MaxSessionDuration: 43200,
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Federated: legacy.SAMLProviderArn },
                Action: 'sts:AssumeRoleWithSAML',
                Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
              },
            ],
          }),
        }),
      );
      await iam.send(new AttachRolePolicyCommand({ RoleName: admin.role.name, PolicyArn: READ_ONLY }));
    });
  }
  if (state === 'mapping exists') {
    account.setApplicationConfiguration(ADMIN_APP_ARN, {
      responseConfig: {
        subject: { source: ['${user:subject}'] },
        properties: {
          [ROLE_ATTRIBUTE]: { source: ['arn:aws:iam::111122223333:role/Old,arn:aws:iam::111122223333:saml-provider/Old'] },
          'https://aws.amazon.com/SAML/Attributes/SessionDuration': { source: ['28800'] },
        },
        ttl: 'PT1H',
      },
      responseSchemaConfig: {
        subject: { include: 'REQUIRED', nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent' },
        properties: {
          [ROLE_ATTRIBUTE]: { attrNameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified', include: 'YES' },
          'https://aws.amazon.com/SAML/Attributes/SessionDuration': {
            attrNameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified',
            include: 'YES',
          },
        },
      },
    });
  }
  account.clearCalls();
  return account;
}

let executions = 0;

/** Uploads the metadata as a person would and runs the real ASL over the account; retries wait 0 ms. */
export async function execute(
  account: SimulatedAccount,
  options: {
    xml?: string | Uint8Array;
    profile?: string;
    dryRun?: boolean;
    key?: string;
    executionName?: string;
    fromApplication?: boolean;
    /** The admin profile creates its application (creatingConfig); implies fromApplication. */
    createApplication?: boolean;
    /** Another configuration than the example's (e.g. crossAccountConfig). */
    config?: FederationConfig;
  } & Partial<Pick<RunLocalExecutionOptions, 'retryIntervalMs' | 'pathTimeoutSeconds' | 'clock' | 'operator' | 'stop' | 'workflow'>> = {},
): Promise<LocalExecutionResult> {
  const {
    xml,
    profile: profileOption,
    dryRun,
    key: keyOption,
    executionName,
    fromApplication: fetch,
    createApplication,
    config: configOption,
    ...runnerOptions
  } = options;
  const fromApplication = fetch || createApplication;
  const profile = profileOption ?? 'admin';
  const key = keyOption ?? `metadata/${profile}/idp.xml`;
  const configuration = configOption ?? (createApplication ? creatingConfig : config);
  // The uploader downloaded the document from the profile's application (when its entityID names it): the application
  // holds its certificates, as Intake checks. Tests of a forged document upload it themselves.
  const upload = (body: string | Uint8Array) => {
    holdDocument(account, configuration, profile, Buffer.from(body).toString('utf-8'));
    return account.putObject(SIMULATED_BUCKET, key, body);
  };
  const input = fromApplication
    ? { profile, ...(dryRun ? { dryRun: true } : {}) }
    : { bucket: SIMULATED_BUCKET, key, versionId: upload(xml ?? metadataV1), ...(dryRun ? { dryRun: true } : {}) };
  executions += 1;
  return runLocalExecution({
    services: simulatedServices(account),
    config: configuration,
    input,
    executionName: executionName ?? `exec-${executions}`,
    retryIntervalMs: 0,
    ...runnerOptions,
  });
}

export function receipts(result: LocalExecutionResult): NonNullable<ExecutionDocument['receipts']> {
  return result.output?.receipts ?? {};
}

/** The mapping the application ends with, as IAM Identity Center would send it. */
export function mappedAttributes(account: SimulatedAccount): Record<string, string[]> {
  const swb = account.snapshot().swb as Record<string, { responseConfig?: { properties: Record<string, { source: string[] }> } }>;
  // The profile's application: the one the Role attribute is mapped on (another application keeps its own mapping).
  const instances = Object.values(swb).filter((i) => i.responseConfig);
  const instance =
    instances.find((i) => i.responseConfig?.properties[ROLE_ATTRIBUTE]) ??
    instances.find((i) => Object.keys(i.responseConfig?.properties ?? {}).length > 0);
  return Object.fromEntries(Object.entries(instance?.responseConfig?.properties ?? {}).map(([k, v]) => [k, v.source]));
}

export { ROLE_ATTRIBUTE };

/** Calls that change AWS resources (IAM, Identity Center, S3 outside the pipeline's bookkeeping). */
export function resourceWrites(account: SimulatedAccount): string[] {
  return account
    .mutatingCalls({ service: ['iam', 'swb', 's3'] })
    .filter((c) => c.outcome === 'ok')
    .map((c) => `${c.service}:${c.operation}${c.service === 's3' ? ` ${(c.input as { Key: string }).Key}` : ''}`);
}

/** The account's state without the uploads themselves and the pipeline's bookkeeping: what "as before" compares. */
export function resources(account: SimulatedAccount) {
  return account.snapshot({ excludePrefixes: ['backups/', 'metadata/'] });
}

/** What `undo` runs with over a simulated account: its clients, the lock, and each revert run as its Lambda would. */
export function undoDeps(account: SimulatedAccount, configuration: FederationConfig = config) {
  const services = simulatedServices(account);
  return {
    ...account.clients(),
    environment: { account: account.account, region: account.region, partition: account.partition },
    now: () => new Date(),
    takeLock: services.takeLock,
    releaseLock: services.releaseLock,
    revert: async (step: Parameters<typeof stepNamed>[0], document: unknown, lease: string) => {
      const fn = stepNamed(step).revert;
      return fn.run(JSON.parse(JSON.stringify({ document, lease })), functionContext(fn, { services, config: configuration }));
    },
  };
}
