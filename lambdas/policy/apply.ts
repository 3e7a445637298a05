/**
 * Policy step: make sure the role has its permissions. For an Amazon Connect profile, the customer managed policy
 * (AmazonConnectSSOPolicy by default) holds the instance-scoped federation document; then every configured policy
 * is attached to the federation role.
 *
 * IAM actions (apply never deletes or detaches): iam:GetPolicy, iam:GetPolicyVersion, iam:ListPolicyVersions,
 * iam:CreatePolicy, iam:TagPolicy (CreatePolicy with Tags), iam:CreatePolicyVersion, iam:DeletePolicyVersion (only the
 * oldest non-default version, when all 5 are used), on arn:<partition>:iam::<account>:policy/<profile policy name>;
 * iam:ListAttachedRolePolicies, iam:AttachRolePolicy on arn:<partition>:iam::<account>:role/<path><role name>
 * (AttachRolePolicy may be narrowed with the iam:PolicyARN condition key to the generated and configured policies).
 * S3: s3:PutObject on <bucket>/journal/*.
 */
import { AttachRolePolicyCommand, CreatePolicyCommand, CreatePolicyVersionCommand, DeletePolicyVersionCommand, IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { customerPolicyArn, roleArn } from '../shared/arns';
import type { ExecutionDocument, Receipt } from '../shared/document';
import { parseExecutionDocument } from '../shared/document-parse';
import { writeJournal } from '../shared/journal';
import { logger } from '../shared/logger';
import { pipelineTags } from '../shared/tags';
import { PolicyAttachmentQuotaExceededError } from './errors';
import { connectFederationPolicy, samePolicyDocument } from './policy-document';
import {
  findPolicy,
  isNamed,
  listAttachedPolicyArns,
  listPolicyVersions,
  MAX_POLICY_VERSIONS,
  oldestNonDefaultVersion,
  policyVersionDocument,
  roleNameOf,
  type DeletedPolicyVersion,
  type PolicyDetails,
  type PolicyPrevious,
} from './policy-state';

export interface PolicyDeps {
  iam: IAMClient;
  s3: S3Client;
  now?: () => Date;
}

export type PolicyReceipt = Receipt<PolicyPrevious> & { details: PolicyDetails };

/** What the generated policy needs, decided from reads only. */
type GeneratedPolicyPlan =
  | { kind: 'create' }
  | { kind: 'unchanged'; defaultVersionId: string }
  | { kind: 'new-version'; defaultVersionId: string; versionIds: string[]; deleteVersion?: DeletedPolicyVersion };

async function planGeneratedPolicy(iam: IAMClient, policyArn: string, document: string): Promise<GeneratedPolicyPlan> {
  const existing = await findPolicy(iam, policyArn);
  if (!existing) return { kind: 'create' };
  const defaultVersionId = existing.DefaultVersionId!;
  if (samePolicyDocument(await policyVersionDocument(iam, policyArn, defaultVersionId), document)) {
    return { kind: 'unchanged', defaultVersionId };
  }
  const versions = await listPolicyVersions(iam, policyArn);
  const versionIds = versions.map((version) => version.VersionId!);
  if (versions.length < MAX_POLICY_VERSIONS) return { kind: 'new-version', defaultVersionId, versionIds };
  // The oldest version goes, but its document is kept so that a revert can bring an equivalent version back.
  const oldest = oldestNonDefaultVersion(versions)!;
  const deleteVersion: DeletedPolicyVersion = {
    versionId: oldest.VersionId!,
    document: await policyVersionDocument(iam, policyArn, oldest.VersionId!),
    ...(oldest.CreateDate ? { createDate: new Date(oldest.CreateDate).toISOString() } : {}),
  };
  return { kind: 'new-version', defaultVersionId, versionIds, deleteVersion };
}

function describePlan(plan: GeneratedPolicyPlan | undefined, policyArn: string | undefined): string[] {
  if (!plan || !policyArn) return [];
  switch (plan.kind) {
    case 'create':
      return [`create policy ${policyArn} with the Amazon Connect federation document, tagged`];
    case 'unchanged':
      return [];
    case 'new-version':
      return [
        ...(plan.deleteVersion
          ? [`delete the oldest non-default version ${plan.deleteVersion.versionId} of ${policyArn} (all ${MAX_POLICY_VERSIONS} versions are used; its document is kept in the receipt)`]
          : []),
        `create a new default version of ${policyArn} with the Amazon Connect federation document (previous default ${plan.defaultVersionId})`,
      ];
  }
}

export async function applyPolicy(doc: ExecutionDocument, deps: PolicyDeps): Promise<PolicyReceipt> {
  const { iam, s3 } = deps;
  const { request, profile } = doc;
  const roleName = roleNameOf(doc);
  const instanceArn = profile.policy.connectInstanceArn;
  const policyArn = instanceArn ? customerPolicyArn(request, profile.policy.name) : undefined;
  const document = instanceArn ? connectFederationPolicy(instanceArn) : undefined;

  const plan = policyArn && document ? await planGeneratedPolicy(iam, policyArn, document) : undefined;
  const wanted = [...new Set([...(policyArn ? [policyArn] : []), ...profile.policy.managedPolicyArns])];
  const attachedBefore = await listAttachedPolicyArns(iam, roleName, request.dryRun);
  const attach = wanted.filter((arn) => !attachedBefore.includes(arn));

  const previous: PolicyPrevious = {
    ...(plan ? { policyExisted: plan.kind !== 'create' } : {}),
    ...(plan && plan.kind !== 'create' ? { defaultVersionId: plan.defaultVersionId } : {}),
    ...(plan?.kind === 'new-version' ? { versionIds: plan.versionIds } : {}),
    ...(plan?.kind === 'new-version' && plan.deleteVersion ? { deletedVersion: plan.deleteVersion } : {}),
    attachedPolicyArns: attachedBefore,
  };
  const details: PolicyDetails = {
    roleName,
    ...(policyArn ? { policyArn, document } : {}),
    createPolicy: plan?.kind === 'create',
    createVersion: plan?.kind === 'new-version',
    attach,
  };
  const changes = [...describePlan(plan, policyArn), ...attach.map((arn) => `attach ${arn} to role ${roleName}`)];
  const arn = policyArn ?? doc.receipts?.role?.arn ?? roleArn(request, roleName, profile.role.path);

  if (changes.length === 0) {
    return { step: 'policy', action: 'unchanged', arn, previous, changes: [], details };
  }
  if (request.dryRun) {
    return { step: 'policy', action: 'planned', arn, previous, changes, details };
  }

  // From here on every call changes the account: the journal comes first, so a revert without a receipt knows.
  await writeJournal(s3, request, { step: 'policy', intent: changes, previous, details }, deps.now);

  if (plan?.kind === 'create') {
    await iam.send(
      new CreatePolicyCommand({
        PolicyName: profile.policy.name,
        PolicyDocument: document,
        Description: `Amazon Connect federation for ${instanceArn}, managed by ${request.pipelineName}`,
        Tags: pipelineTags(request),
      }),
    );
    logger.info('created policy', { policyArn });
  } else if (plan?.kind === 'new-version') {
    if (plan.deleteVersion) {
      await iam.send(new DeletePolicyVersionCommand({ PolicyArn: policyArn, VersionId: plan.deleteVersion.versionId }));
      logger.info('deleted oldest policy version to make room', { policyArn, versionId: plan.deleteVersion.versionId });
    }
    const created = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: document, SetAsDefault: true }));
    details.createdVersionId = created.PolicyVersion?.VersionId;
    logger.info('created default policy version', { policyArn, versionId: details.createdVersionId });
    if (attach.length > 0) {
      await writeJournal(s3, request, { step: 'policy', intent: changes, previous, details }, deps.now);
    }
  }

  for (const policy of attach) {
    try {
      await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: policy }));
    } catch (error) {
      if (isNamed(error, 'LimitExceededException')) {
        throw new PolicyAttachmentQuotaExceededError(
          `cannot attach ${policy} to role ${roleName}: the role already has as many managed policies as IAM allows per role ` +
            `(10 by default, adjustable up to 20 with a Service Quotas increase); detach one or raise the quota, then run again`,
          { cause: error },
        );
      }
      throw error;
    }
    logger.info('attached policy', { roleName, policyArn: policy });
  }

  return { step: 'policy', action: plan?.kind === 'create' ? 'created' : 'updated', arn, previous, changes, details };
}

const iam = new IAMClient({});
const s3 = new S3Client({});

export async function handler(event: unknown): Promise<PolicyReceipt> {
  return applyPolicy(parseExecutionDocument(event), { iam, s3 });
}
