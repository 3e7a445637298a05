import type { IAMClient } from '@aws-sdk/client-iam';
import type { ApplicationCertificate } from '../identity-center/console-api';
import { createdApplication } from '../identity-center/created-application';
import { ApplicationNotRecordedError } from '../identity-center/errors';
import { instanceIdFromApplicationArn } from '../identity-center/locate';
import { type ApplicationMetadataDeps, fetchApplicationMetadata } from '../identity-center/portal';
import { getSamlProvider, sameMetadataDocument } from '../identity-provider/provider';
import { checkIssuer } from '../intake/issuer';
import { validateMetadata } from '../intake/metadata';
import type { IamSession, PipelineEnvironment } from '../runtime/function';
import { samlProviderArn } from '../shared/arns';
import { FederationError } from '../shared/errors';
import { logger } from '../shared/logger';
import { type FederationConfig, profileNamed, type ResolvedProfile } from '../shared/profile';
import type { RecordStore } from '../shared/records';
import { checkSessionNameOf, iamAccountOf, targetRoleArn } from '../shared/target-account';

/** Days before the active certificate's expiry on which the check notifies (once each, as it runs daily). */
export const EXPIRY_NOTICE_DAYS: readonly number[] = [30, 14, 7, 1];
/** The CloudWatch metric the check publishes per profile, and the alarm watches. */
export const EXPIRY_METRIC = {
  namespace: 'SamlFederation',
  name: 'DaysUntilCertificateExpiry',
  unreadable: 'CertificateExpiryUnreadable',
  dimension: 'Profile',
} as const;

export interface CheckDeps extends ApplicationMetadataDeps {
  iam: IAMClient;
  /** IAM of a profile's target account, through its read role (GetSAMLProvider only). */
  iamIn(session: IamSession): IAMClient;
  /** The pipeline's record table, read only: which application it created for a profile that sets application.create. */
  records: RecordStore;
  config: FederationConfig;
  environment: PipelineEnvironment;
  /** StartExecution of the pipeline's state machine with this input; returns the execution ARN. */
  startExecution(input: { profile: string }): Promise<string>;
  putDaysUntilExpiry(profile: string, days: number): Promise<void>;
  /** The expiry metric's companion: 1 for a day the certificate's expiry could not be read at all. */
  putExpiryUnreadable(profile: string): Promise<void>;
  publish(subject: string, message: string): Promise<void>;
  now: () => Date;
}

export interface CheckResult {
  profile: string;
  /** Whether the provider holds the application's current metadata. */
  providerCurrent: boolean;
  /** The execution started to install the application's metadata, when it differed. */
  startedExecution?: string;
  /** Why no execution was started although the metadata differs: Intake would refuse it (its error, in words). */
  refused?: string;
  /** Days until the active signing certificate expires, when Identity Center says. */
  daysUntilExpiry?: number;
  notified?: string;
}

const DAY_MS = 86_400_000;

/**
 * For a profile that creates its application: the one the pipeline created, undefined when none of its name exists,
 * or the refusal an execution would meet (Application.NotRecorded), reported instead of starting one every day.
 */
async function createdOrRefused(profile: ResolvedProfile, deps: CheckDeps): Promise<string | { refused: string } | undefined> {
  const { account, region } = deps.environment;
  try {
    return await createdApplication(deps.ssoAdmin, deps.records, profile, { account, region, profile: profile.name });
  } catch (error) {
    if (!(error instanceof ApplicationNotRecordedError)) throw error;
    await deps.publish(`SAML federation: profile ${profile.name}'s application is not the one the pipeline created`, error.message);
    return { refused: error.message };
  }
}

/**
 * The daily check of one profile (run by its EventBridge Scheduler schedule): compares the metadata its application
 * serves now with what the IAM provider holds, and starts an execution only when they differ, so a certificate
 * rotation in Identity Center becomes an ordinary update (backup, update, revert on failure, notification). It also
 * reads the application's certificates, publishes the days until the active one expires, and notifies at 30, 14, 7 and
 * 1 days. It changes nothing itself.
 */
export async function checkProfile(profileName: string, deps: CheckDeps): Promise<CheckResult> {
  const profile = profileNamed(deps.config, profileName);
  const { account, region, partition } = deps.environment;
  const created = profile.application.create ? await createdOrRefused(profile, deps) : undefined;
  if (typeof created === 'object') return { profile: profileName, providerCurrent: false, refused: created.refused };
  if (profile.application.create && created === undefined) {
    // The profile creates its application and it does not exist (yet, or any more): an execution creates it.
    const startedExecution = await deps.startExecution({ profile: profileName });
    logger.info('application to create: execution started', { profile: profileName, execution: startedExecution });
    return { profile: profileName, providerCurrent: false, startedExecution };
  }
  const fetched = await fetchApplicationMetadata(profile, deps, { account, region: deps.swb.region ?? region });
  const providerArn = samlProviderArn({ account: iamAccountOf(profile, account), partition }, profile.identityProvider.name);
  const iam =
    profile.account === undefined
      ? deps.iam
      : deps.iamIn({
          roleArn: targetRoleArn(partition, profile.account, deps.config.pipelineName, 'read'),
          sessionName: checkSessionNameOf(profileName),
        });
  const provider = await getSamlProvider(iam, providerArn);
  const providerCurrent =
    provider?.SAMLMetadataDocument !== undefined && sameMetadataDocument(provider.SAMLMetadataDocument, fetched.body.toString('utf-8'));
  const result: CheckResult = { profile: profileName, providerCurrent };
  if (!providerCurrent) {
    // Judged as Intake will judge it: an execution that can only be refused (a profile pinned to another issuer or
    // to other certificates, an expired document) is not started every day; the check says why instead.
    const refusal = intakeWouldRefuse(fetched.body, profile, deps, fetched.applicationArn);
    if (refusal) {
      result.refused = refusal;
      await deps.publish(
        `SAML federation: profile ${profileName}'s application metadata changed but would be refused`,
        `IAM Identity Center serves metadata for application ${fetched.applicationArn} (profile ${profileName}) that differs from what IAM provider ${profile.identityProvider.name} holds, but an execution would refuse it, so none was started: ${refusal}`,
      );
    } else {
      result.startedExecution = await deps.startExecution({ profile: profileName });
      logger.info('application metadata differs from the provider: execution started', {
        profile: profileName,
        providerArn,
        execution: result.startedExecution,
      });
    }
  }

  const certificates = await activeCertificate(deps, fetched);
  const active = certificates.find((certificate) => certificate.status === 'ACTIVE' && certificate.expiryDate !== undefined);
  if (active?.expiryDate) {
    const days = Math.floor((Date.parse(active.expiryDate) - deps.now().getTime()) / DAY_MS);
    result.daysUntilExpiry = days;
    await deps.putDaysUntilExpiry(profileName, days);
    if (EXPIRY_NOTICE_DAYS.includes(days) || days < 0) {
      const message = expiryNotice(profile.name, profile.identityProvider.name, fetched.applicationArn, active, certificates, days);
      await deps.publish(`SAML federation: profile ${profileName}'s signing certificate expires in ${days} day(s)`, message);
      result.notified = message;
    }
  } else {
    // Silence would read as "nothing expires": the metric and the notice say the expiry is not being watched.
    const message = `IAM Identity Center gave no active signing certificate with an expiry for application ${fetched.applicationArn} (profile ${profileName}), neither through ListApplicationInstanceCertificates nor in the metadata it serves, so its expiry is not watched. Check the certificate in the IAM Identity Center console (Applications > the application > Actions > Edit configuration).`;
    logger.warn('no certificate expiry could be read', { profile: profileName, certificates: certificates.length });
    await deps.putExpiryUnreadable(profileName);
    await deps.publish(`SAML federation: profile ${profileName}'s certificate expiry cannot be read`, message);
    result.notified = message;
  }
  return result;
}

/**
 * The application's certificates as the console API lists them; when none of them is active with a readable expiry
 * (the list's shape is not documented), the signing certificates of the metadata the application serves, which is
 * what its active certificate signs with, read by node:crypto.
 */
async function activeCertificate(deps: CheckDeps, fetched: { applicationArn: string; body: Buffer }): Promise<ApplicationCertificate[]> {
  const listed = await deps.swb.listApplicationInstanceCertificates(instanceIdFromApplicationArn(fetched.applicationArn)).catch((error: unknown) => {
    logger.warn('ListApplicationInstanceCertificates failed; reading the expiry from the metadata', { error: (error as Error).message });
    return [] as ApplicationCertificate[];
  });
  if (listed.some((certificate) => certificate.status === 'ACTIVE' && certificate.expiryDate !== undefined)) return listed;
  let served: ReturnType<typeof validateMetadata>['certificates'] = [];
  try {
    served = validateMetadata(fetched.body, deps.now()).certificates;
  } catch {
    served = [];
  }
  // The metadata carries the certificate the application signs with now: the one that expires last stands for it.
  const latest = [...served].sort((a, b) => Date.parse(b.notAfter) - Date.parse(a.notAfter))[0];
  return latest
    ? [...listed, { certificateId: latest.sha256Fingerprint, status: 'ACTIVE', expiryDate: new Date(latest.notAfter).toISOString() }]
    : listed;
}

function intakeWouldRefuse(body: Buffer, profile: ResolvedProfile, deps: CheckDeps, applicationArn: string): string | undefined {
  try {
    const summary = validateMetadata(body, deps.now());
    checkIssuer(summary, profile, deps.config, profile.application.account ?? deps.environment.account, applicationArn);
    return undefined;
  } catch (error) {
    if (error instanceof FederationError) return `${error.name}: ${error.message}`;
    throw error;
  }
}

/** What will happen, or what to do, when the active certificate is about to expire. */
function expiryNotice(
  profile: string,
  providerName: string,
  applicationArn: string,
  active: ApplicationCertificate,
  all: readonly ApplicationCertificate[],
  days: number,
): string {
  const waiting = all.find(
    (certificate) =>
      certificate.status !== 'ACTIVE' &&
      certificate.expiryDate !== undefined &&
      Date.parse(certificate.expiryDate) > Date.parse(active.expiryDate ?? ''),
  );
  return [
    `The signing certificate IAM Identity Center uses for application ${applicationArn} (profile ${profile}) expires on ${active.expiryDate} (${days} day(s) from now).`,
    waiting
      ? `A newer certificate (${waiting.certificateId}, valid until ${waiting.expiryDate}) exists but is not active. Make it active in the IAM Identity Center console (Applications > the application > Actions > Edit configuration > IAM Identity Center SAML metadata certificates); the next daily check then installs the new metadata in IAM provider ${providerName} through an ordinary execution, with a backup and a rollback if anything fails.`
      : `No newer certificate exists yet. In the IAM Identity Center console (Applications > the application > Actions > Edit configuration), add a certificate and make it active before this date; the next daily check then installs the new metadata in IAM provider ${providerName}. Sign-in through this application stops working when the certificate expires.`,
  ].join('\n');
}
