import { partitionOfRegion } from './partitions';

/** `admin` -> `Admin`, `eu-agent` -> `EuAgent`: a profile name as it appears in the runbook's resource names. */
function titleOf(profileName: string): string {
  return profileName
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

/**
 * The names the Amazon Connect single sign-on runbook uses, so that what the pipeline makes matches the page a reader
 * follows: for `admin`, provider AmazonConnectAdminAccess, role AmazonConnectAdminAccessRole, application
 * "Amazon Connect - Admin" (the policy's default, AmazonConnectSSOPolicy, is the runbook's for every profile).
 */
function runbookNames(profileName: string): { identityProvider: string; role: string; applicationDisplayName: string } {
  const title = titleOf(profileName);
  return {
    identityProvider: `AmazonConnect${title}Access`,
    role: `AmazonConnect${title}AccessRole`,
    applicationDisplayName: `Amazon Connect - ${profileName
      .split('-')
      .map((word) => titleOf(word))
      .join(' ')}`,
  };
}

/** Whether a profile's name says it is for agents. */
function accessOf(profileName: string): 'admin' | 'agent' {
  return /(?:^|-)agents?(?:-|$)/.test(profileName) ? 'agent' : 'admin';
}

/**
 * The relay state Amazon Connect documents for SAML sign-in ("Configure SAML with IAM for Amazon Connect"): the
 * instance's federation URL on the console host of its region, and for agents the softphone as destination. Undefined
 * when the ARN is not a Connect instance or its partition publishes no console host.
 */
function connectRelayState(connectInstanceArn: string, access: 'admin' | 'agent'): string | undefined {
  const match = /^arn:[^:]+:connect:([a-z0-9-]+):\d{12}:instance\/([0-9a-f-]{36})$/.exec(connectInstanceArn);
  if (!match) return undefined;
  const [, region, instanceId] = match as unknown as [string, string, string];
  const host = partitionOfRegion(region).consoleHost?.(region);
  if (!host) return undefined;
  const base = `https://${host}/connect/federate/${instanceId}`;
  return access === 'agent' ? `${base}?destination=${encodeURIComponent('/ccp-v2/softphone')}` : base;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Fills what a profile may leave out with what follows from its name and its Connect instance (runbookNames,
 * accessOf, connectRelayState); anything the profile sets is kept as it is, and anything malformed is left for the
 * schema to name.
 */
export function withRunbookDefaults(profiles: unknown): unknown {
  if (!isRecord(profiles)) return profiles;
  return Object.fromEntries(
    Object.entries(profiles).map(([name, raw]) => {
      if (!isRecord(raw)) return [name, raw];
      const names = runbookNames(name);
      const identityProvider = raw.identityProvider === undefined ? {} : raw.identityProvider;
      const role = raw.role === undefined ? {} : raw.role;
      const application = raw.application === undefined ? {} : raw.application;
      const access = raw.access ?? accessOf(name);
      const policy = isRecord(raw.policy) ? raw.policy : undefined;
      // A missing policy block reads as an empty one, so the message says what to set in it.
      const relayState =
        raw.relayState ??
        (typeof policy?.connectInstanceArn === 'string' && (access === 'admin' || access === 'agent')
          ? connectRelayState(policy.connectInstanceArn, access)
          : undefined);
      return [
        name,
        {
          ...raw,
          identityProvider: isRecord(identityProvider) ? { name: names.identityProvider, ...identityProvider } : identityProvider,
          role: isRecord(role) ? { name: names.role, ...role } : role,
          application:
            isRecord(application) && application.arn === undefined && application.displayName === undefined
              ? {
                  ...application,
                  // An application to create is looked up by the name it is created with.
                  displayName:
                    isRecord(application.create) && typeof application.create.displayName === 'string'
                      ? application.create.displayName
                      : names.applicationDisplayName,
                }
              : application,
          access,
          policy: raw.policy === undefined ? {} : raw.policy,
          ...(relayState === undefined ? {} : { relayState }),
        },
      ];
    }),
  );
}
