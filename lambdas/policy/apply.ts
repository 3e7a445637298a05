/**
 * Policy step: make sure the role has its permissions. For an Amazon Connect profile, the customer managed policy
 * (AmazonConnectSSOPolicy by default) holds the instance-scoped federation document; then every configured policy
 * is attached to the federation role.
 *
 * IAM actions (apply never deletes or detaches): iam:GetPolicy, iam:GetPolicyVersion, iam:ListPolicyVersions,
 * iam:CreatePolicy, iam:TagPolicy (CreatePolicy with Tags), iam:ListPolicyTags (only to tell whose policy it is when it
 * exists although this execution set out to create it), iam:CreatePolicyVersion, iam:DeletePolicyVersion (only the
 * oldest non-default version, when all 5 are used), on arn:<partition>:iam::<account>:policy/<profile policy name>;
 * iam:ListAttachedRolePolicies, iam:AttachRolePolicy on arn:<partition>:iam::<account>:role/<path><role name>
 * (AttachRolePolicy may be narrowed with the iam:PolicyARN condition key to the generated and configured policies).
 * The record table: GetItem and PutItem on this execution's journal (a retried attempt reads what earlier ones did).
 */
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { listAttachedPolicyArns } from '../role/role';
import { customerPolicyArn, iamAt, roleArn } from '../shared/arns';
import type { ExecutionDocument, ExecutionRequest, Receipt } from '../shared/document';
import { returned } from '../shared/errors';
import type { StepFootprint } from '../shared/footprint';
import { type JournalEntry, readJournal, writeJournal } from '../shared/journal';
import { logger } from '../shared/logger';
import { samePolicyDocument } from '../shared/policy-json';
import type { RecordStore } from '../shared/records';
import { createdByExecution, iamTagValue, pipelineTags, TAG_KEYS } from '../shared/tags';
import { PolicyAttachmentQuotaExceededError, PolicyNotOwnedError } from './errors';
import { policyLeaves, readPolicyFootprint } from './footprint';
import { connectFederationPolicy } from './policy-document';
import {
  type DeletedPolicyVersion,
  effectivePrevious,
  findPolicy,
  isNamed,
  listPolicyTags,
  listPolicyVersions,
  MAX_POLICY_VERSIONS,
  oldestNonDefaultVersion,
  type PolicyDetails,
  type PolicyPrevious,
  policyVersionDocument,
  roleNameOf,
} from './policy-state';

export interface PolicyDeps {
  /** The pipeline's record table: this execution's journal. */
  records: RecordStore;
  iam: IAMClient;
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
  const defaultVersionId = returned(existing.DefaultVersionId, `the default version of ${policyArn}`);
  if (samePolicyDocument(await policyVersionDocument(iam, policyArn, defaultVersionId), document)) {
    return { kind: 'unchanged', defaultVersionId };
  }
  const versions = await listPolicyVersions(iam, policyArn);
  const versionIds = versions.map((version) => returned(version.VersionId, `a version id of ${policyArn}`));
  if (versions.length < MAX_POLICY_VERSIONS) return { kind: 'new-version', defaultVersionId, versionIds };
  // The oldest version goes, but its document is kept so that a revert can bring an equivalent version back.
  // With every version slot used, at least four are not the default.
  const oldest = returned(oldestNonDefaultVersion(versions), `a non-default version of ${policyArn}`);
  const versionId = returned(oldest.VersionId, `a version id of ${policyArn}`);
  const deleteVersion: DeletedPolicyVersion = {
    versionId,
    document: await policyVersionDocument(iam, policyArn, versionId),
    ...(oldest.CreateDate ? { createDate: new Date(oldest.CreateDate).toISOString() } : {}),
  };
  return { kind: 'new-version', defaultVersionId, versionIds, deleteVersion };
}

/** The generated policy's part of `previous`. */
type PolicyPart = Pick<PolicyPrevious, 'policyExisted' | 'defaultVersionId' | 'versionIds' | 'deletedVersion'>;

function policyPartOf(plan: GeneratedPolicyPlan): PolicyPart {
  if (plan.kind === 'create') return { policyExisted: false };
  return { policyExisted: true, ...foundPolicyOf(plan) };
}

function foundPolicyOf(plan: Exclude<GeneratedPolicyPlan, { kind: 'create' }>): NonNullable<PolicyDetails['foundPolicy']> {
  return {
    defaultVersionId: plan.defaultVersionId,
    ...(plan.kind === 'new-version' ? { versionIds: plan.versionIds } : {}),
    ...(plan.kind === 'new-version' && plan.deleteVersion ? { deletedVersion: plan.deleteVersion } : {}),
  };
}

/** The generated policy over every attempt of this execution: what is left to do now, and what the attempts add up to. */
interface GeneratedPolicyState {
  /** What is still to do, decided from the account as it is now. */
  plan: GeneratedPolicyPlan;
  /** This execution creates the policy (this attempt, or an earlier one whose answer was lost). */
  createPolicy: boolean;
  /** This execution gives the policy a new default version (this attempt or an earlier one). */
  createVersion: boolean;
  createdVersionId?: string;
  foundPolicy?: PolicyDetails['foundPolicy'];
  /** The policy as it was before this execution (or as found, when another execution created it meanwhile). */
  previous: PolicyPart;
}

/**
 * A customer managed policy that exists and that this pipeline did not create is someone else's (another team may
 * attach it elsewhere): its document is replaced only when the profile says `policy.adopt: true`. Before any change.
 */
async function assertOwnedOrAdopted(iam: IAMClient, policyArn: string, doc: ExecutionDocument): Promise<void> {
  if (doc.profile.policy.adopt) return;
  const tags = await listPolicyTags(iam, policyArn);
  if (tags.some((tag) => tag.Key === TAG_KEYS.pipeline && tag.Value === iamTagValue(doc.request.pipelineName))) return;
  throw new PolicyNotOwnedError(
    `policy ${policyArn} exists with another document and was not created by pipeline ${doc.request.pipelineName} (no ${TAG_KEYS.pipeline} tag naming it), so it was not changed. ` +
      `If this pipeline should manage it, set profiles.${doc.profile.name}.policy.adopt: true; otherwise give policy.name another name.`,
  );
}

async function createdByThisExecution(iam: IAMClient, policyArn: string, request: ExecutionRequest): Promise<boolean> {
  return createdByExecution(await listPolicyTags(iam, policyArn), request);
}

/**
 * The policy exists although this execution set out to create it: its own CreatePolicy went through with the answer
 * lost (tags name this execution), or another execution sharing the policy name created it first. The latter is used
 * as found and is never this execution's to delete.
 */
async function existingInsteadOfCreated(
  iam: IAMClient,
  request: ExecutionRequest,
  policyArn: string,
  plan: Exclude<GeneratedPolicyPlan, { kind: 'create' }>,
  previous: PolicyPart,
): Promise<GeneratedPolicyState> {
  const createVersion = plan.kind === 'new-version';
  if (await createdByThisExecution(iam, policyArn, request)) return { plan, createPolicy: true, createVersion, previous };
  const foundPolicy = foundPolicyOf(plan);
  return { plan, createPolicy: false, createVersion, foundPolicy, previous: { policyExisted: true, ...foundPolicy } };
}

/** A version that was not there before this execution: the one an earlier attempt made. */
function isNewSince(versionId: string, previous: PolicyPart): boolean {
  return versionId !== previous.defaultVersionId && !(previous.versionIds ?? []).includes(versionId);
}

/**
 * Folds what earlier attempts of this execution did (their journal entry) into the plan made from the account now.
 * An attempt whose write went through but whose answer was lost leaves the account changed: the retry must still
 * report that change, against the state before the execution, so that the revert undoes it.
 */
async function generatedPolicyState(
  iam: IAMClient,
  request: ExecutionRequest,
  policyArn: string,
  plan: GeneratedPolicyPlan,
  earlier: JournalEntry<PolicyPrevious> | undefined,
): Promise<GeneratedPolicyState> {
  if (!earlier) return { plan, createPolicy: plan.kind === 'create', createVersion: plan.kind === 'new-version', previous: policyPartOf(plan) };
  const details = (earlier.details ?? {}) as Partial<PolicyDetails>;
  const before = effectivePrevious(earlier.previous ?? { attachedPolicyArns: [] }, details);
  const { attachedPolicyArns: _attached, ...previous } = before;
  if (plan.kind === 'create')
    return { plan, createPolicy: true, createVersion: false, previous, ...(details.foundPolicy ? { foundPolicy: details.foundPolicy } : {}) };
  if (details.createPolicy) return existingInsteadOfCreated(iam, request, policyArn, plan, previous);
  const createdVersionId =
    details.createdVersionId ??
    (details.createVersion && plan.kind === 'unchanged' && isNewSince(plan.defaultVersionId, previous) ? plan.defaultVersionId : undefined);
  return {
    plan,
    createPolicy: false,
    createVersion: details.createVersion === true || plan.kind === 'new-version',
    ...(createdVersionId ? { createdVersionId } : {}),
    ...(details.foundPolicy ? { foundPolicy: details.foundPolicy } : {}),
    // The earlier attempt's record wins; what it could not know (versions to replace only now) comes from this read.
    previous: { ...(plan.kind === 'new-version' ? foundPolicyOf(plan) : {}), ...previous },
  };
}

function describe(state: GeneratedPolicyState | undefined, policyArn: string | undefined, attach: string[], roleName: string): string[] {
  const lines: string[] = [];
  if (state && policyArn) {
    if (state.createPolicy) lines.push(`create policy ${policyArn} with the Amazon Connect federation document, tagged`);
    else if (state.createVersion) {
      const deleted = state.previous.deletedVersion;
      if (deleted) {
        lines.push(
          `delete the oldest non-default version ${deleted.versionId} of ${policyArn} (all ${MAX_POLICY_VERSIONS} versions are used; its document is kept in the receipt)`,
        );
      }
      lines.push(
        `create a new default version of ${policyArn} with the Amazon Connect federation document (previous default ${state.previous.defaultVersionId})`,
      );
    }
    if (state.foundPolicy) {
      lines.push(
        `use policy ${policyArn} as found: another execution created it meanwhile (its tags say so), so this execution's revert never deletes it`,
      );
    }
  }
  return [...lines, ...attach.map((arn) => `attach ${arn} to role ${roleName}`)];
}

/**
 * Creates the generated policy, tagged as this execution's. One that exists already (another execution created it
 * meanwhile, or this one's answer was lost) is taken as found: the state that says whose it is comes back instead.
 */
async function createGeneratedPolicy(
  doc: ExecutionDocument,
  iam: IAMClient,
  policyArn: string,
  document: string,
  state: GeneratedPolicyState,
): Promise<GeneratedPolicyState> {
  const { request, profile } = doc;
  try {
    await iam.send(
      new CreatePolicyCommand({
        PolicyName: profile.policy.name,
        PolicyDocument: document,
        Description: `Amazon Connect federation for ${profile.policy.connectInstanceArn}, managed by ${request.pipelineName}`,
        Tags: pipelineTags(request),
      }),
    );
    logger.info('created policy', { policyArn });
    return state;
  } catch (error) {
    if (!isNamed(error, 'EntityAlreadyExistsException')) throw error;
    const now = await planGeneratedPolicy(iam, policyArn, document);
    if (now.kind === 'create') throw error;
    const found = await existingInsteadOfCreated(iam, request, policyArn, now, state.previous);
    logger.info('policy already exists', { policyArn, createdByThisExecution: found.createPolicy });
    return found;
  }
}

/** A new default version holding the document, after deleting the oldest non-default one when all five are used. */
async function newDefaultVersion(
  iam: IAMClient,
  policyArn: string,
  document: string,
  plan: Extract<GeneratedPolicyPlan, { kind: 'new-version' }>,
): Promise<string | undefined> {
  if (plan.deleteVersion) {
    const versionId = plan.deleteVersion.versionId;
    try {
      await iam.send(new DeletePolicyVersionCommand({ PolicyArn: policyArn, VersionId: versionId }));
    } catch (error) {
      // Gone already: the SDK's own retry of a delete whose first answer was lost.
      if (!isNamed(error, 'NoSuchEntityException')) throw error;
    }
    logger.info('deleted oldest policy version to make room', { policyArn, versionId });
  }
  const created = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: document, SetAsDefault: true }));
  logger.info('created default policy version', { policyArn, versionId: created.PolicyVersion?.VersionId });
  return created.PolicyVersion?.VersionId;
}

/** Attaches each policy to the role, naming IAM's per-role quota when the role is full. */
async function attachToRole(iam: IAMClient, roleName: string, policies: readonly string[]): Promise<void> {
  for (const policy of policies) {
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
}

/**
 * The state machine retries this step on transient errors, and an attempt whose write went through may still have
 * failed (its answer lost). So the receipt describes every change against the account as it was before the
 * execution: when this execution's journal entry exists, an earlier attempt began the changes, its `previous` is that
 * state, and its details say what it set out to do.
 */
export async function applyPolicy(doc: ExecutionDocument, deps: PolicyDeps): Promise<PolicyReceipt> {
  const { iam, records } = deps;
  const { request, profile } = doc;
  const roleName = roleNameOf(doc);
  const instanceArn = profile.policy.connectInstanceArn;
  const policyArn = instanceArn ? customerPolicyArn(iamAt(doc), profile.policy.name) : undefined;
  const document = instanceArn ? connectFederationPolicy(instanceArn) : undefined;

  // A dry run never journals, so it has no earlier attempt to read about.
  const [earlier, plan] = await Promise.all([
    request.dryRun ? undefined : readJournal<PolicyPrevious>(records, request, 'policy'),
    policyArn && document ? planGeneratedPolicy(iam, policyArn, document) : undefined,
  ]);
  const wanted = [...new Set([...(policyArn ? [policyArn] : []), ...profile.policy.managedPolicyArns])];
  const attachedNow = await listAttachedPolicyArns(iam, roleName, request.dryRun);
  const attachNow = wanted.filter((arn) => !attachedNow.includes(arn));
  const attachedBefore = earlier?.previous?.attachedPolicyArns ?? attachedNow;
  // Everything wanted that was not attached before the execution: attached by this attempt or an earlier one.
  const attach = wanted.filter((arn) => !attachedBefore.includes(arn));
  let state = plan && policyArn ? await generatedPolicyState(iam, request, policyArn, plan, earlier) : undefined;
  const versionedByEarlierAttempt = (earlier?.details as Partial<PolicyDetails> | undefined)?.createVersion === true;
  if (policyArn && state?.plan.kind === 'new-version' && !state.createPolicy && !versionedByEarlierAttempt) {
    await assertOwnedOrAdopted(iam, policyArn, doc);
  }

  const previous = (): PolicyPrevious => ({ ...state?.previous, attachedPolicyArns: attachedBefore });
  const details = (): PolicyDetails => ({
    roleName,
    ...(policyArn ? { policyArn, document } : {}),
    createPolicy: state?.createPolicy ?? false,
    createVersion: state?.createVersion ?? false,
    ...(state?.createdVersionId ? { createdVersionId: state.createdVersionId } : {}),
    attach,
    ...(state?.foundPolicy ? { foundPolicy: state.foundPolicy } : {}),
  });
  const arn = policyArn ?? doc.receipts?.role?.arn ?? roleArn(iamAt(doc), roleName, profile.role.path);
  // What this execution found and leaves: the first attempt's, once journalled.
  let footprint: StepFootprint | undefined = earlier?.footprint;
  const receipt = (action: PolicyReceipt['action']): PolicyReceipt => ({
    step: 'policy',
    action,
    arn,
    previous: previous(),
    changes: describe(state, policyArn, attach, roleName),
    details: details(),
    ...(footprint && (action === 'created' || action === 'updated') ? { footprint } : {}),
  });
  const outcome = (): PolicyReceipt['action'] =>
    state?.createPolicy ? 'created' : state?.createVersion || attach.length > 0 ? 'updated' : 'unchanged';

  const pending = state?.plan.kind === 'create' || state?.plan.kind === 'new-version' || attachNow.length > 0;
  if (!pending) {
    if (earlier) logger.info('policy changes made by an earlier attempt of this execution', { policyArn, action: outcome() });
    return receipt(outcome());
  }
  if (request.dryRun) return receipt('planned');

  // From here on every call changes the account: the journal comes first, so a revert without a receipt knows.
  if (!footprint) {
    const before = await readPolicyFootprint(doc, iam);
    footprint = { before, ...policyLeaves(doc, before, attachedBefore) };
  }
  const journal = () =>
    writeJournal(
      records,
      request,
      {
        step: 'policy',
        intent: describe(state, policyArn, attach, roleName),
        previous: previous(),
        details: details(),
        ...(footprint ? { footprint } : {}),
      },
      deps.now,
    );
  await journal();

  if (state?.plan.kind === 'create' && policyArn && document) {
    const created = await createGeneratedPolicy(doc, iam, policyArn, document, state);
    if (created !== state) {
      state = created;
      // Another execution's policy is what this one found: the policy as it is now stands for "before".
      if (state.foundPolicy && footprint) footprint = { ...footprint, before: { ...footprint.before, ...(await readPolicyFootprint(doc, iam)) } };
      // Before anything else changes: a revert must not take the policy for this execution's own.
      await journal();
    }
  }
  if (state?.plan.kind === 'new-version' && policyArn && document) {
    state.createdVersionId = await newDefaultVersion(iam, policyArn, document, state.plan);
    if (attachNow.length > 0) await journal();
  }
  await attachToRole(iam, roleName, attachNow);

  return receipt(outcome());
}
