import type { IAMClient } from '@aws-sdk/client-iam';
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { desiredMapping } from '../lambdas/attribute-mapping/mapping';
import type { SwbApi } from '../lambdas/attribute-mapping/swb-api';
import { getSamlProvider, sha256 } from '../lambdas/identity-provider/provider';
import { getRole } from '../lambdas/role/role';
import { federationTrustPolicy } from '../lambdas/role/trust-policy';
import { samlProviderArn } from '../lambdas/shared/arns';
import type { ExecutionDocument, RevertReport, StepName } from '../lambdas/shared/document';
import type { PipelineEnvironment } from '../lambdas/shared/pipeline-function';
import { samePolicyDocument } from '../lambdas/shared/policy-json';
import { ROLE_ATTRIBUTE } from '../lambdas/shared/profile';
import { iamAccountOf } from '../lambdas/shared/target-account';
import { STEP_NAMES } from '../lambdas/steps';
import { profileStatus } from './status';

export interface UndoDeps {
  iam: IAMClient;
  ssoAdmin: SSOAdminClient;
  swb: SwbApi;
  environment: Pick<PipelineEnvironment, 'account' | 'region' | 'partition'>;
  now: () => Date;
  /** Runs a step's revert on the execution's document, as the deployed revert function would. */
  revert(step: StepName, document: ExecutionDocument): Promise<RevertReport>;
  takeLock(item: { profile: string; owner: string; expiresAt: string }, now: string): Promise<void> | void;
  releaseLock(profile: string, owner: string): Promise<void> | void;
}

export interface UndoResult {
  action: 'undone' | 'refused';
  /** Why it refused: what changed since the execution, one sentence each. */
  changedSince: string[];
  reports: RevertReport[];
}

/** The actions after which a step left something of its own to undo. */
const UNDOABLE = new Set(['created', 'updated', 'pending-confirmation']);

/**
 * What the execution left that is no longer there as it left it: a later execution (or a person) changed it, and an
 * undo would overwrite that change with what was there before this execution.
 */
async function changedSince(doc: ExecutionDocument, deps: UndoDeps): Promise<string[]> {
  const receipts = doc.receipts ?? {};
  const changed: string[] = [];
  const at = { partition: doc.request.partition, account: iamAccountOf(doc.profile, doc.request.account) };
  const providerArn = receipts.identityProvider?.arn ?? samlProviderArn(at, doc.profile.identityProvider.name);
  if (receipts.identityProvider && UNDOABLE.has(receipts.identityProvider.action)) {
    const provider = await getSamlProvider(deps.iam, providerArn);
    if (!provider?.SAMLMetadataDocument || sha256(provider.SAMLMetadataDocument) !== doc.request.sha256)
      changed.push(`the SAML provider ${providerArn} no longer holds the metadata this execution installed`);
  }
  if (receipts.role && UNDOABLE.has(receipts.role.action)) {
    const role = await getRole(deps.iam, doc.profile.role.name);
    if (!role) changed.push(`the role ${receipts.role.arn} no longer exists`);
    else {
      if (!samePolicyDocument(decodeURIComponent(role.AssumeRolePolicyDocument ?? '{}'), JSON.stringify(federationTrustPolicy(providerArn))))
        changed.push(`the role ${receipts.role.arn} no longer has the trust policy this execution set`);
      if (role.MaxSessionDuration !== doc.profile.role.maxSessionDuration)
        changed.push(
          `the role ${receipts.role.arn} has a maximum session of ${role.MaxSessionDuration} s, not the ${doc.profile.role.maxSessionDuration} s this execution set`,
        );
    }
  }
  if ((receipts.policy && UNDOABLE.has(receipts.policy.action)) || (receipts.attributeMapping && UNDOABLE.has(receipts.attributeMapping.action))) {
    const status = await profileStatus(doc.profile, deps);
    if (receipts.policy && UNDOABLE.has(receipts.policy.action) && status.policy.matchesInstance === false)
      changed.push(`the policy ${status.policy.arn} no longer has the document this execution set`);
    const wrote = desiredMapping(doc).attributes[ROLE_ATTRIBUTE];
    if (receipts.attributeMapping && UNDOABLE.has(receipts.attributeMapping.action) && wrote && !status.mapping.roleAttribute?.includes(wrote))
      changed.push(`the application's Role attribute is no longer the ${wrote} this execution wrote`);
  }
  return changed;
}

/**
 * Undoes a past execution that succeeded: the revert of each step that changed something, newest first, from the
 * execution's own document and journal, under the profile's lock. It refuses, changing nothing, when what the
 * execution left has changed since (a later execution or a person), since the reverts would put back what was there
 * before this execution over that newer change.
 */
export async function undoExecution(doc: ExecutionDocument, deps: UndoDeps): Promise<UndoResult> {
  if (doc.request.dryRun) return { action: 'refused', changedSince: ['the execution was a dry run: it changed nothing'], reports: [] };
  const changed = await changedSince(doc, deps);
  if (changed.length > 0) return { action: 'refused', changedSince: changed, reports: [] };
  const owner = `undo-${doc.request.executionName}`;
  const now = deps.now();
  await deps.takeLock({ profile: doc.profile.name, owner, expiresAt: new Date(now.getTime() + 15 * 60_000).toISOString() }, now.toISOString());
  const reports: RevertReport[] = [];
  try {
    for (const step of [...STEP_NAMES].reverse()) {
      const receipt = doc.receipts?.[step];
      if (receipt && UNDOABLE.has(receipt.action)) reports.push(await deps.revert(step, doc));
    }
  } finally {
    await deps.releaseLock(doc.profile.name, owner);
  }
  return { action: 'undone', changedSince: [], reports };
}
