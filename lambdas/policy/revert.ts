/**
 * Revert of the Policy step: detach what this execution attached, give a pre-existing policy its previous default
 * version back (and an equivalent of a version it deleted), delete the policy only if this execution created it and
 * nothing else uses it. Works from the receipt together with the journal (every attempt of the step records there),
 * or from the journal alone when the step threw; checks the account before each change, so a retry after a partial
 * revert, or a second revert, does only what is left.
 *
 * IAM actions: iam:ListAttachedRolePolicies, iam:DetachRolePolicy on the profile's role; iam:GetPolicy,
 * iam:ListPolicyTags, iam:ListEntitiesForPolicy, iam:ListPolicyVersions, iam:GetPolicyVersion,
 * iam:SetDefaultPolicyVersion, iam:CreatePolicyVersion, iam:DeletePolicyVersion, iam:DeletePolicy on the profile's
 * policy. The record table: GetItem and PutItem on this execution's journal.
 */
import {
  CreatePolicyVersionCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DetachRolePolicyCommand,
  SetDefaultPolicyVersionCommand,
} from '@aws-sdk/client-iam';
import { listAttachedPolicyArns } from '../role/role';
import type { ExecutionDocument, ExecutionRequest, RevertReport } from '../shared/document';
import { DocumentInvalidError } from '../shared/errors';
import { laterChanges, type StepFootprint } from '../shared/footprint';
import { type JournalEntry, readJournal, revertClaim, unite, writeJournal } from '../shared/journal';
import { logger } from '../shared/logger';
import { samePolicyDocument } from '../shared/policy-json';
import type { RecordStore } from '../shared/records';
import { taggedExecution } from '../shared/tags';
import type { PolicyDeps, PolicyReceipt } from './apply';
import { readPolicyFootprint } from './footprint';
import {
  effectivePrevious,
  findPolicy,
  isNamed,
  listPolicyAttachments,
  listPolicyTags,
  listPolicyVersions,
  MAX_POLICY_VERSIONS,
  type PolicyDetails,
  type PolicyPrevious,
  policyVersionDocument,
} from './policy-state';

interface RevertSource {
  previous: PolicyPrevious;
  details: PolicyDetails;
  /** What the step found and left (lambdas/shared/footprint.ts), when it recorded it. */
  footprint?: StepFootprint;
  /** Present when the source is the journal: a revert records there what it learns before acting on it. */
  journal?: JournalEntry<PolicyPrevious>;
}

/**
 * What the step did, from its receipt when it finished, else from its journal entry, else nothing (the step never
 * changed anything). The receipt of a retried step already folds in what earlier attempts did; the journal is read as
 * well, so that an attachment or a version id an attempt recorded there is undone even if the receipt missed it.
 * An 'unchanged' receipt comes from an attempt that read the journal and found no change by this execution.
 */
async function loadSource(doc: ExecutionDocument, records: RecordStore): Promise<RevertSource | undefined> {
  const receipt = doc.receipts?.policy as PolicyReceipt | undefined;
  if (receipt && receipt.action !== 'created' && receipt.action !== 'updated') return undefined;
  const journal = await readJournal<PolicyPrevious>(records, doc.request, 'policy');
  const journalDetails = journal?.details as PolicyDetails | undefined;
  if (receipt) {
    const details = journalDetails ? withJournal(receipt.details, journalDetails) : receipt.details;
    // The apply step writes `previous` into every receipt that changed something.
    if (!receipt.previous) throw new DocumentInvalidError(`receipts.policy.previous: missing from a receipt that says "${receipt.action}"`);
    const footprint = receipt.footprint ?? journal?.footprint;
    return { previous: effectivePrevious(receipt.previous, details), details, ...(footprint ? { footprint } : {}) };
  }
  if (!journal?.previous || !journalDetails) return undefined;
  return {
    previous: effectivePrevious(journal.previous, journalDetails),
    details: journalDetails,
    journal,
    ...(journal.footprint ? { footprint: journal.footprint } : {}),
  };
}

function withJournal(receipt: PolicyDetails, journal: PolicyDetails): PolicyDetails {
  const createdVersionId = receipt.createdVersionId ?? journal.createdVersionId;
  return { ...receipt, attach: unite(receipt.attach, journal.attach), ...(createdVersionId ? { createdVersionId } : {}) };
}

/** Ignores "already gone": another attempt of this revert, or a person, got there first. */
async function unlessGone(action: () => Promise<unknown>): Promise<boolean> {
  try {
    await action();
    return true;
  } catch (error) {
    if (isNamed(error, 'NoSuchEntityException')) return false;
    throw error;
  }
}

class Revert {
  public readonly changes: string[] = [];
  /** What this execution created or changed and the revert could not undo, or could not confirm was its own. */
  public readonly leftInPlace: string[] = [];
  public deleted = false;
  public restored = false;

  /** Journals the revert (under the lease of whoever runs it) before its first change, once. */
  private readonly claim: () => Promise<void>;

  public constructor(
    private readonly deps: PolicyDeps,
    private readonly request: ExecutionRequest,
    private readonly source: RevertSource,
  ) {
    this.claim = revertClaim(deps.records, request, 'policy', ['undo the attachments and the policy changes this execution made'], deps.now);
  }

  public async detachAttached(): Promise<void> {
    const { details, previous } = this.source;
    // Only what this execution attached: anything attached before stays, whatever the lists say.
    const ours = details.attach.filter((arn) => !previous.attachedPolicyArns.includes(arn));
    if (ours.length === 0) return;
    const attachedNow = await listAttachedPolicyArns(this.deps.iam, details.roleName, true);
    for (const arn of ours.filter((candidate) => attachedNow.includes(candidate))) {
      await this.claim();
      if (await unlessGone(() => this.deps.iam.send(new DetachRolePolicyCommand({ RoleName: details.roleName, PolicyArn: arn })))) {
        this.changes.push(`detached ${arn} from role ${details.roleName}`);
        this.restored = true;
        logger.info('detached policy', { roleName: details.roleName, policyArn: arn });
      }
    }
  }

  public async deleteCreatedPolicy(policyArn: string): Promise<void> {
    const { iam } = this.deps;
    if (!(await findPolicy(iam, policyArn))) return;
    const owner = taggedExecution(await listPolicyTags(iam, policyArn), this.request);
    // A receipt is the execution's own record that it created the policy; a journal only says the step was about to.
    // Tags naming another execution mean it was re-created since.
    if (owner === 'other' || (owner === 'none' && this.source.journal)) {
      this.leftInPlace.push(
        `policy ${policyArn}: ${owner === 'other' ? 'its tags name another execution, so it was re-created since' : 'this execution set out to create it, but its tags do not name this execution'}; ` +
          "it was not deleted: check it and delete it by hand if it is this execution's",
      );
      return;
    }
    if (owner === 'none') {
      this.changes.push(
        `the tags of policy ${policyArn} did not name execution ${this.request.executionName} (the receipt says this execution created it)`,
      );
    }
    const attachments = await listPolicyAttachments(iam, policyArn);
    if (attachments.length > 0) {
      this.leftInPlace.push(
        `policy ${policyArn}: this execution created it, but it is now also attached to ${attachments.join(', ')}; delete it by hand once nothing uses it`,
      );
      return;
    }
    await this.claim();
    for (const version of await listPolicyVersions(iam, policyArn)) {
      if (version.IsDefaultVersion) continue;
      await unlessGone(() => iam.send(new DeletePolicyVersionCommand({ PolicyArn: policyArn, VersionId: version.VersionId })));
    }
    if (await unlessGone(() => iam.send(new DeletePolicyCommand({ PolicyArn: policyArn })))) {
      this.changes.push(`deleted policy ${policyArn}, which this execution created`);
      this.deleted = true;
      logger.info('deleted policy', { policyArn });
    }
  }

  /**
   * Finds the version this execution made when the receipt is missing and the journal predates CreatePolicyVersion's
   * answer: a default version that did not exist before and holds the document the step wanted.
   */
  private async createdVersionId(policyArn: string, defaultVersionId: string | undefined): Promise<string | undefined> {
    const { previous, details, journal } = this.source;
    if (details.createdVersionId) return details.createdVersionId;
    if (!defaultVersionId || defaultVersionId === previous.defaultVersionId || (previous.versionIds ?? []).includes(defaultVersionId))
      return undefined;
    if (!details.document || !samePolicyDocument(await policyVersionDocument(this.deps.iam, policyArn, defaultVersionId), details.document))
      return undefined;
    // Written down before the default moves back: a retry of this revert could not recognise the version after that.
    const learned: PolicyDetails = { ...details, createdVersionId: defaultVersionId };
    await writeJournal(this.deps.records, this.request, { step: 'policy', intent: journal?.intent ?? [], previous, details: learned }, this.deps.now);
    this.source.details = learned;
    return defaultVersionId;
  }

  public async restorePreviousVersion(policyArn: string): Promise<void> {
    const { iam } = this.deps;
    const { previous } = this.source;
    const policy = await findPolicy(iam, policyArn);
    if (!policy) {
      this.leftInPlace.push(
        `policy ${policyArn}: it existed before this execution and no longer does, so its previous default version cannot be restored`,
      );
      return;
    }
    const createdVersionId = await this.createdVersionId(policyArn, policy.DefaultVersionId);
    let versions = await listPolicyVersions(iam, policyArn);
    if (createdVersionId && versions.some((version) => version.VersionId === createdVersionId)) {
      await this.claim();
      if (policy.DefaultVersionId === createdVersionId && previous.defaultVersionId) {
        await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: policyArn, VersionId: previous.defaultVersionId }));
        this.changes.push(`set the default version of ${policyArn} back to ${previous.defaultVersionId}`);
      }
      if (await unlessGone(() => iam.send(new DeletePolicyVersionCommand({ PolicyArn: policyArn, VersionId: createdVersionId })))) {
        this.changes.push(`deleted version ${createdVersionId} of ${policyArn}, which this execution created`);
      }
      this.restored = true;
      versions = versions.filter((version) => version.VersionId !== createdVersionId);
      logger.info('restored previous default policy version', { policyArn, versionId: previous.defaultVersionId });
    }
    const deleted = previous.deletedVersion;
    // The step deletes a version only when all versions are used: fewer than that now means it is still missing.
    if (deleted && versions.length < MAX_POLICY_VERSIONS && !versions.some((version) => version.VersionId === deleted.versionId)) {
      await this.claim();
      const recreated = await iam.send(
        new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: deleted.document, SetAsDefault: false }),
      );
      this.changes.push(
        `re-created the document of deleted version ${deleted.versionId} of ${policyArn} as non-default version ` +
          `${recreated.PolicyVersion?.VersionId ?? '(unknown)'}: same document, but IAM never reuses a version id`,
      );
      this.restored = true;
      logger.info('re-created deleted policy version', {
        policyArn,
        deletedVersionId: deleted.versionId,
        versionId: recreated.PolicyVersion?.VersionId,
      });
    }
  }
}

export async function revertPolicy(doc: ExecutionDocument, deps: PolicyDeps): Promise<RevertReport> {
  const source = await loadSource(doc, deps.records);
  if (!source) return { step: 'policy', action: 'nothing-to-do', changes: [] };
  // Only over what this execution left: a later change (a person's, another execution's) stays, and is reported.
  const later = source.footprint ? laterChanges(source.footprint, await readPolicyFootprint(doc, deps.iam)) : [];
  if (later.length > 0) {
    logger.warn('policy or attachments changed since this execution left them; left in place', { later });
    return { step: 'policy', action: 'left-in-place', changes: [], leftInPlace: later };
  }
  const revert = new Revert(deps, doc.request, source);
  // Detach first: IAM refuses to delete a policy that is still attached.
  await revert.detachAttached();
  const policyArn = source.details.policyArn;
  if (policyArn && source.details.createPolicy) await revert.deleteCreatedPolicy(policyArn);
  else if (policyArn && source.details.createVersion) await revert.restorePreviousVersion(policyArn);
  if (revert.leftInPlace.length > 0) return { step: 'policy', action: 'left-in-place', changes: revert.changes, leftInPlace: revert.leftInPlace };
  const action = revert.deleted ? 'deleted' : revert.restored ? 'restored' : 'nothing-to-do';
  return { step: 'policy', action, changes: revert.changes };
}
