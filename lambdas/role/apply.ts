import {
  CreateRoleCommand,
  type IAMClient,
  PutRolePermissionsBoundaryCommand,
  type Role,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import { iamAt, roleArn, samlProviderArn } from '../shared/arns';
import type { ExecutionDocument, Receipt } from '../shared/document';
import { ABSENT, type StepFootprint } from '../shared/footprint';
import { type JournalEntry, readJournal, writeJournal } from '../shared/journal';
import { logger } from '../shared/logger';
import { decodePolicyDocument, samePolicyDocument } from '../shared/policy-json';
import type { ResolvedProfile } from '../shared/profile';
import type { RecordStore } from '../shared/records';
import { createdByExecution, pipelineTags } from '../shared/tags';
import { readRoleFootprint, roleLabel, roleLeaves } from './footprint';
import { getRole, type RolePrevious, realSleep, retryInvalidPrincipal, roleTags } from './role';
import { federationTrustPolicy } from './trust-policy';

/**
 * IAM actions: iam:GetRole, iam:CreateRole, iam:TagRole (CreateRole with Tags), iam:UpdateAssumeRolePolicy,
 * iam:UpdateRole, iam:PutRolePermissionsBoundary on arn:<partition>:iam::<account>:role<path><profile role names>.
 * iam:ListRoleTags (only when GetRole returns no tags). The record table: GetItem, PutItem on this execution's journal.
 * Timeout: at least 60 s, since the invalid-principal retry may wait 23 s.
 */
export interface RoleDeps {
  /** The pipeline's record table: this execution's journal. */
  records: RecordStore;
  iam: IAMClient;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
}

export type RoleReceipt = Receipt<RolePrevious>;

/** One write the update needs: what it does (present tense, for journal and dry run), what it did, and the call. */
type Write = { planned: string; done: string; send: () => Promise<unknown> };

/** The role created, after the journal says so (a retry's entry keeps the first attempt's footprint), trusting the provider. */
async function createRole(
  doc: ExecutionDocument,
  deps: RoleDeps,
  earlier: JournalEntry<RolePrevious> | undefined,
  wanted: { trustPolicy: string; providerArn: string; changes: string[] },
): Promise<RoleReceipt> {
  const { request, profile } = doc;
  const { name, path, maxSessionDuration, permissionsBoundaryArn } = profile.role;
  const { trustPolicy, providerArn, changes } = wanted;
  const arn = roleArn(iamAt(doc), name, path);
  if (request.dryRun) return { step: 'role', action: 'planned', arn, changes, details: { roleName: name, providerArn, plannedAction: 'create' } };
  const before = { [roleLabel(name)]: ABSENT };
  const footprint = earlier?.footprint ?? { before, left: roleLeaves(doc, before) };
  // Every attempt journals before it creates (a retry's entry keeps the first attempt's), under its lease.
  await writeJournal(deps.records, request, { step: 'role', intent: [`create role ${name}`], details: { roleName: name, arn }, footprint }, deps.now);
  const created = await retryInvalidPrincipal(
    () =>
      deps.iam.send(
        new CreateRoleCommand({
          RoleName: name,
          Path: path,
          AssumeRolePolicyDocument: trustPolicy,
          MaxSessionDuration: maxSessionDuration,
          ...(permissionsBoundaryArn === undefined ? {} : { PermissionsBoundary: permissionsBoundaryArn }),
          Description: roleDescription(profile, request.pipelineName),
          Tags: pipelineTags(request),
        }),
      ),
    deps.sleep ?? realSleep,
  );
  logger.info('created federation role', { roleName: name, roleId: created.Role?.RoleId });
  return {
    step: 'role',
    action: 'created',
    arn: created.Role?.Arn ?? arn,
    changes,
    details: { roleName: name, roleId: created.Role?.RoleId, providerArn },
    footprint,
  };
}

/**
 * Creates the profile's federation role, or brings an existing one in line (trust policy, max session duration,
 * permissions boundary) in place: an existing role is never deleted and re-created, because Amazon Connect ties
 * federated users to its role ID (invariant 3).
 *
 * The state machine retries this step on transient errors, and an attempt whose write went through may still have
 * failed (its answer lost). So the receipt describes the change against the role as it was before the execution:
 * when this execution's journal entry exists, an earlier attempt began the change, and its `previous` is that state.
 */
export async function applyRole(doc: ExecutionDocument, deps: RoleDeps): Promise<RoleReceipt> {
  const { request, profile } = doc;
  const { name, path, maxSessionDuration, permissionsBoundaryArn } = profile.role;
  const providerArn = doc.receipts?.identityProvider?.arn ?? samlProviderArn(iamAt(doc), profile.identityProvider.name);
  const trustPolicy = JSON.stringify(federationTrustPolicy(providerArn));
  const sleep = deps.sleep ?? realSleep;
  const verb = (done: string, planned: string) => (request.dryRun ? `would ${planned}` : done);
  // A dry run never journals, so it has no earlier attempt to read about.
  const [current, earlier] = await Promise.all([
    getRole(deps.iam, name),
    request.dryRun ? undefined : readJournal<RolePrevious>(deps.records, request, 'role'),
  ]);
  const boundary = permissionsBoundaryArn === undefined ? '' : `, permissions boundary ${permissionsBoundaryArn}`;
  const createdChanges = [`${verb('created', 'create')} role ${name} trusting ${providerArn} (max session ${maxSessionDuration} s${boundary})`];

  if (current === undefined) return createRole(doc, deps, earlier, { trustPolicy, providerArn, changes: createdChanges });

  const details = { roleName: name, roleId: current.RoleId, providerArn };
  const currentArn = current.Arn ?? roleArn(iamAt(doc), name, path);
  const retried = earlier === undefined ? undefined : await earlierChange(earlier, current, deps.iam, doc);
  // What still differs now; `overall` is what differs from the role as it was before this execution, which is more
  // when an earlier attempt already made some of the writes.
  const pending = planUpdate(current, profile, trustPolicy, providerArn, deps, sleep);

  if (retried?.kind === 'created') {
    // An earlier attempt of this execution created the role; the revert deletes it. What is left to write is journalled
    // again first, under this attempt's lease.
    if (pending.writes.length > 0) {
      await writeJournal(
        deps.records,
        request,
        { step: 'role', intent: pending.writes.map((write) => write.planned), ...footprintOf(earlier) },
        deps.now,
      );
    }
    for (const write of pending.writes) await write.send();
    logger.info('federation role created by an earlier attempt of this execution', {
      roleName: name,
      roleId: current.RoleId,
      wroteNow: pending.writes.length,
    });
    return { step: 'role', action: 'created', arn: currentArn, changes: createdChanges, details, ...footprintOf(earlier) };
  }

  const overall = retried === undefined ? pending : planUpdate(roleBefore(current, retried.previous), profile, trustPolicy, providerArn, deps, sleep);
  const changes = [
    ...new Set([...overall.writes, ...pending.writes].map((write) => (request.dryRun ? `would ${write.planned}` : write.done))),
    ...overall.notes,
  ];
  if (request.dryRun)
    return {
      step: 'role',
      action: 'planned',
      arn: currentArn,
      changes,
      details: { ...details, plannedAction: pending.writes.length > 0 ? 'update' : 'none' },
    };
  if (overall.writes.length === 0 && pending.writes.length === 0)
    return { step: 'role', action: 'unchanged', arn: currentArn, changes: overall.notes, details };

  const previous: RolePrevious = { ...pending.previous, ...retried?.previous };
  // The first attempt's footprint, or this one's, read before any change.
  let footprint = earlier?.footprint;
  if (retried === undefined) {
    const before = await readRoleFootprint(doc, deps.iam);
    footprint = { before, left: roleLeaves(doc, before) };
  }
  if (pending.writes.length > 0) {
    // Every attempt journals before its writes (the first one's `previous` and footprint are kept), under its lease.
    await writeJournal(
      deps.records,
      request,
      {
        step: 'role',
        intent: pending.writes.map((write) => write.planned),
        previous,
        details: { roleName: name, arn: current.Arn, roleId: current.RoleId },
        ...(footprint ? { footprint } : {}),
      },
      deps.now,
    );
  }
  for (const write of pending.writes) await write.send();
  logger.info('updated federation role in place', { roleName: name, changes, resumed: retried !== undefined });
  return { step: 'role', action: 'updated', arn: currentArn, previous, changes, details, ...(footprint ? { footprint } : {}) };
}

/**
 * What an earlier attempt of this execution did to the role that now exists, from its journal entry: it created it
 * (the entry holds no previous settings and the role's tags name this execution), or it set out to change the
 * settings the entry holds. Undefined when the role is not this execution's doing (created by someone else since).
 */
async function earlierChange(
  entry: JournalEntry<RolePrevious>,
  role: Role,
  iam: IAMClient,
  doc: ExecutionDocument,
): Promise<{ kind: 'created' } | { kind: 'updated'; previous: RolePrevious } | undefined> {
  if (entry.previous !== undefined) return { kind: 'updated', previous: entry.previous };
  return createdByExecution(await roleTags(iam, role), doc.request) ? { kind: 'created' } : undefined;
}

/** The role with the journaled settings put back: how it looked before this execution changed it. */
function roleBefore(current: Role, previous: RolePrevious): Role {
  const before: Role = { ...current };
  if (previous.trustPolicy !== undefined) before.AssumeRolePolicyDocument = previous.trustPolicy;
  if (previous.maxSessionDuration !== undefined) before.MaxSessionDuration = previous.maxSessionDuration;
  if (previous.permissionsBoundaryArn === null) delete before.PermissionsBoundary;
  else if (previous.permissionsBoundaryArn !== undefined) {
    before.PermissionsBoundary = { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: previous.permissionsBoundaryArn };
  }
  return before;
}

/** What differs between the role and the profile, the previous values of those fields, and what is left alone on purpose. */
function planUpdate(
  current: Role,
  profile: ResolvedProfile,
  trustPolicy: string,
  providerArn: string,
  deps: RoleDeps,
  sleep: (ms: number) => Promise<void>,
): { previous: RolePrevious; writes: Write[]; notes: string[] } {
  const { name, path, maxSessionDuration, permissionsBoundaryArn } = profile.role;
  const previous: RolePrevious = {};
  const writes: Write[] = [];
  const notes: string[] = [];

  const currentTrust = current.AssumeRolePolicyDocument ?? '';
  if (!samePolicyDocument(currentTrust, trustPolicy)) {
    const decoded = decodePolicyDocument(currentTrust);
    previous.trustPolicy = decoded === undefined ? currentTrust : JSON.stringify(decoded);
    writes.push({
      planned: `replace the trust policy of role ${name} with SAML federation through ${providerArn}`,
      done: `replaced the trust policy of role ${name} with SAML federation through ${providerArn}`,
      send: () =>
        retryInvalidPrincipal(() => deps.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: trustPolicy })), sleep),
    });
  }
  if (current.MaxSessionDuration !== maxSessionDuration) {
    previous.maxSessionDuration = current.MaxSessionDuration ?? 3600;
    writes.push({
      planned: `change the max session duration of role ${name} from ${previous.maxSessionDuration} s to ${maxSessionDuration} s`,
      done: `changed the max session duration of role ${name} from ${previous.maxSessionDuration} s to ${maxSessionDuration} s`,
      send: () => deps.iam.send(new UpdateRoleCommand({ RoleName: name, MaxSessionDuration: maxSessionDuration })),
    });
  }
  const currentBoundary = current.PermissionsBoundary?.PermissionsBoundaryArn;
  if (permissionsBoundaryArn !== undefined && currentBoundary !== permissionsBoundaryArn) {
    previous.permissionsBoundaryArn = currentBoundary ?? null;
    writes.push({
      planned: `set the permissions boundary of role ${name} to ${permissionsBoundaryArn}${currentBoundary === undefined ? '' : ` (was ${currentBoundary})`}`,
      done: `set the permissions boundary of role ${name} to ${permissionsBoundaryArn}${currentBoundary === undefined ? '' : ` (was ${currentBoundary})`}`,
      send: () => deps.iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: name, PermissionsBoundary: permissionsBoundaryArn })),
    });
  }
  // Removing a boundary widens what the role may do: that takes a person's decision, not a missing config field.
  if (permissionsBoundaryArn === undefined && currentBoundary !== undefined) {
    notes.push(
      `kept the permissions boundary ${currentBoundary} of role ${name}: the profile sets none, and the pipeline never removes one (remove it by hand if that is intended)`,
    );
  }
  // IAM cannot move a role to another path, and re-creating it would break sign-in for existing users (invariant 3).
  if (current.Path !== undefined && current.Path !== path) {
    notes.push(
      `kept role ${name} at path ${current.Path}: the profile says ${path}, but IAM cannot move a role and the pipeline never re-creates one`,
    );
  }
  return { previous, writes, notes };
}

/** The footprint an earlier attempt journalled, for the receipt. */
function footprintOf(entry: JournalEntry<RolePrevious> | undefined): { footprint?: StepFootprint } {
  return entry?.footprint ? { footprint: entry.footprint } : {};
}

function roleDescription(profile: ResolvedProfile, pipelineName: string): string {
  return `SAML 2.0 federation role for profile ${profile.name}, managed by ${pipelineName}`;
}
