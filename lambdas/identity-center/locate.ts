import {
  DescribeApplicationCommand,
  type DescribeApplicationCommandOutput,
  DescribeApplicationProviderCommand,
  ListApplicationsCommand,
  ListInstancesCommand,
  type SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { ConfigInvalidError } from '../shared/errors';
import type { ResolvedProfile } from '../shared/profile';
import {
  ApplicationAmbiguousError,
  ApplicationDisabledError,
  ApplicationNotFoundError,
  InstanceNotFoundError,
  translateSsoAdminError,
} from './errors';

/** What names an application in a profile. */
export type ApplicationRef = Pick<ResolvedProfile['application'], 'arn' | 'displayName' | 'instanceArn' | 'account'>;

/** Where the lookup runs, for error messages a person can act on. */
export interface LookupScope {
  account: string;
  region: string;
  profile: string;
}

export interface LocatedApplication {
  applicationArn: string;
  /** Display name, as the console shows it. */
  applicationName: string;
  /** The Identity Center instance the application belongs to, when DescribeApplication or the profile says. */
  instanceArn?: string;
}

async function call<T>(what: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw translateSsoAdminError(error, what);
  }
}

/** The configured instance, or the account's only one. */
export async function locateInstance(ssoAdmin: SSOAdminClient, configured: string | undefined, scope: LookupScope): Promise<string> {
  if (configured) return configured;
  const instances: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call('ListInstances', () => ssoAdmin.send(new ListInstancesCommand({ NextToken: nextToken })));
    for (const instance of page.Instances ?? []) if (instance.InstanceArn) instances.push(instance.InstanceArn);
    nextToken = page.NextToken;
  } while (nextToken);
  const where = `account ${scope.account}, region ${scope.region}`;
  const [instance, ...others] = instances;
  if (instance === undefined) {
    throw new InstanceNotFoundError(
      `profile ${scope.profile}: ListInstances found no IAM Identity Center instance in ${where}; enable IAM Identity Center or set application.instanceArn`,
    );
  }
  if (others.length > 0) {
    throw new InstanceNotFoundError(
      `profile ${scope.profile}: ListInstances found ${instances.length} IAM Identity Center instances in ${where} (${instances.join(', ')}); set application.instanceArn to one of them`,
    );
  }
  return instance;
}

/**
 * Whether an application provider federates with SAML 2.0 (DescribeApplicationProvider): only a SAML application can
 * be the profile's, so an OAuth application that happens to share its display name is not a candidate.
 */
async function isSamlProvider(ssoAdmin: SSOAdminClient, providerArn: string | undefined, cache: Map<string, boolean>): Promise<boolean> {
  if (providerArn === undefined) return true;
  const known = cache.get(providerArn);
  if (known !== undefined) return known;
  const provider = await call(`DescribeApplicationProvider ${providerArn}`, () =>
    ssoAdmin.send(new DescribeApplicationProviderCommand({ ApplicationProviderArn: providerArn })),
  );
  // A provider that names no protocol is kept: refusing it would hide the application the profile names.
  const saml = provider.FederationProtocol === undefined || provider.FederationProtocol === 'SAML';
  cache.set(providerArn, saml);
  return saml;
}

async function findByDisplayName(
  ssoAdmin: SSOAdminClient,
  instanceArn: string,
  application: ApplicationRef & { displayName: string },
  scope: LookupScope,
): Promise<string> {
  const { displayName } = application;
  const matches: string[] = [];
  const providers = new Map<string, boolean>();
  let seen = 0;
  let nextToken: string | undefined;
  // A delegated administrator names the account whose applications to list; by default, the account's own.
  const filter = application.account ? { Filter: { ApplicationAccount: application.account } } : {};
  do {
    const page = await call('ListApplications', () =>
      ssoAdmin.send(new ListApplicationsCommand({ InstanceArn: instanceArn, NextToken: nextToken, ...filter })),
    );
    for (const listed of page.Applications ?? []) {
      seen += 1;
      if (listed.Name !== displayName || !listed.ApplicationArn) continue;
      if (await isSamlProvider(ssoAdmin, listed.ApplicationProviderArn, providers)) matches.push(listed.ApplicationArn);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  const [match, ...others] = matches;
  if (match === undefined) {
    throw new ApplicationNotFoundError(
      `profile ${scope.profile}: no SAML application named "${displayName}" among the ${seen} applications of IAM Identity Center instance ${instanceArn} (account ${scope.account}, region ${scope.region}); check application.displayName or set application.arn`,
    );
  }
  if (others.length > 0) {
    throw new ApplicationAmbiguousError(
      `profile ${scope.profile}: ${matches.length} applications are named "${displayName}" in instance ${instanceArn} (${matches.join(', ')}); set application.arn to the one to configure`,
    );
  }
  return match;
}

/** The application's ARN as configured, or found by display name in the (configured or only) instance. */
export async function applicationArnOf(
  ssoAdmin: SSOAdminClient,
  application: ApplicationRef,
  scope: LookupScope,
): Promise<{ applicationArn: string; instanceArn?: string }> {
  if (application.arn !== undefined) return { applicationArn: application.arn, instanceArn: application.instanceArn };
  const instanceArn = await locateInstance(ssoAdmin, application.instanceArn, scope);
  // The profile schema requires an ARN or a display name.
  if (application.displayName === undefined) throw new ConfigInvalidError(`profile ${scope.profile}: application: set arn or displayName`);
  return {
    applicationArn: await findByDisplayName(ssoAdmin, instanceArn, { ...application, displayName: application.displayName }, scope),
    instanceArn,
  };
}

/**
 * The profile's application, checked to exist and to be enabled: by ARN when configured, otherwise by display name in
 * the configured instance or the account's only one. The instance is looked up only when the name needs it, so a
 * profile that names its application by ARN does not depend on ListInstances.
 */
export async function locateApplication(ssoAdmin: SSOAdminClient, application: ApplicationRef, scope: LookupScope): Promise<LocatedApplication> {
  const { applicationArn, instanceArn } = await applicationArnOf(ssoAdmin, application, scope);

  let described: DescribeApplicationCommandOutput;
  try {
    described = await ssoAdmin.send(new DescribeApplicationCommand({ ApplicationArn: applicationArn }));
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') {
      throw new ApplicationNotFoundError(
        `profile ${scope.profile}: DescribeApplication found no application ${applicationArn} (account ${scope.account}, region ${scope.region}); check application.arn`,
        { cause: error },
      );
    }
    throw translateSsoAdminError(error, `DescribeApplication ${applicationArn}`);
  }
  const name = described.Name ?? application.displayName ?? applicationArn;
  if (instanceArn && described.InstanceArn && described.InstanceArn !== instanceArn) {
    throw new ApplicationNotFoundError(
      `profile ${scope.profile}: application ${applicationArn} ("${name}") belongs to instance ${described.InstanceArn}, not to the configured application.instanceArn ${instanceArn}`,
    );
  }
  if (described.Status !== 'ENABLED') {
    throw new ApplicationDisabledError(
      `profile ${scope.profile}: application "${name}" (${applicationArn}) is ${described.Status ?? 'of unknown status'}, not ENABLED; enable it in the IAM Identity Center console`,
    );
  }
  return { applicationArn, applicationName: name, instanceArn: described.InstanceArn ?? instanceArn };
}

/**
 * Whether a recorded application (the one a step worked on) is still the profile's own, judged by describing that ARN
 * rather than by looking the profile's display name up again: a second application of the same name, made since, must
 * neither stop a revert nor receive it. Undefined when it is the profile's; otherwise the reason, for a person.
 */
export async function notTheProfileApplication(
  ssoAdmin: SSOAdminClient,
  application: ApplicationRef,
  recordedArn: string,
  scope: LookupScope,
): Promise<string | undefined> {
  if (application.arn !== undefined) {
    return application.arn === recordedArn
      ? undefined
      : `the record names application ${recordedArn}, not profile ${scope.profile}'s ${application.arn}`;
  }
  let described: DescribeApplicationCommandOutput;
  try {
    described = await ssoAdmin.send(new DescribeApplicationCommand({ ApplicationArn: recordedArn }));
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return `application ${recordedArn}, which the record names, no longer exists`;
    throw translateSsoAdminError(error, `DescribeApplication ${recordedArn}`);
  }
  if (described.Name !== application.displayName) {
    return `application ${recordedArn}, which the record names, is now called "${described.Name ?? ''}", not "${application.displayName ?? ''}" as profile ${scope.profile} says`;
  }
  if (application.instanceArn && described.InstanceArn && described.InstanceArn !== application.instanceArn) {
    return `application ${recordedArn}, which the record names, belongs to instance ${described.InstanceArn}, not to the profile's ${application.instanceArn}`;
  }
  return undefined;
}

/** The console API addresses an application as `ins-<id>`, where the application ARN ends in `apl-<id>` (docs/design.md). */
export function instanceIdFromApplicationArn(applicationArn: string): string {
  const match = /\/apl-([A-Za-z0-9]+)$/.exec(applicationArn);
  if (!match) {
    throw new ApplicationNotFoundError(
      `application ARN ${applicationArn} does not end in /apl-<id>, so its console instance id (ins-<id>) is unknown`,
    );
  }
  return `ins-${match[1]}`;
}

/** `ins-<id>` of instance `arn:...:instance/ssoins-<x>` is application `arn:...:application/ssoins-<x>/apl-<id>`. */
export function applicationArnOfInstance(instanceArn: string, account: string, instanceId: string): string {
  const [, partition = 'aws', , , , resource = ''] = instanceArn.split(':');
  return `arn:${partition}:sso::${account}:application/${resource.split('/')[1] ?? ''}/${instanceId.replace(/^ins-/, 'apl-')}`;
}

/** The profile's application when it exists (by its display name), or undefined. */
export async function existingApplication(ssoAdmin: SSOAdminClient, profile: ResolvedProfile, scope: LookupScope): Promise<string | undefined> {
  try {
    return (await applicationArnOf(ssoAdmin, profile.application, scope)).applicationArn;
  } catch (error) {
    if (error instanceof ApplicationNotFoundError) return undefined;
    throw error;
  }
}
