import {
  DeleteRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  type IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePermissionsBoundaryCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import type { ExecutionDocument, Receipt, RevertReport } from '../shared/document';
import { laterChanges, type StepFootprint } from '../shared/footprint';
import { journalRevert, readJournal, revertClaim } from '../shared/journal';
import { logger } from '../shared/logger';
import { samePolicyDocument } from '../shared/policy-json';
import type { RecordStore } from '../shared/records';
import { taggedExecution } from '../shared/tags';
import { RoleVanishedError } from './errors';
import { readRoleFootprint } from './footprint';
import { getRole, type RolePrevious, roleTags } from './role';

/**
 * IAM actions: iam:GetRole, iam:ListRoleTags, iam:ListAttachedRolePolicies, iam:DetachRolePolicy,
 * iam:ListRolePolicies, iam:DeleteRolePolicy, iam:DeleteRole, iam:UpdateAssumeRolePolicy, iam:UpdateRole,
 * iam:PutRolePermissionsBoundary, iam:DeleteRolePermissionsBoundary (only of the profiles' boundaries) on the profiles'
 * roles. The record table: GetItem, PutItem on this execution's journal.
 */
export interface RoleRevertDeps {
  /** The pipeline's record table: this execution's journal. */
  records: RecordStore;
  iam: IAMClient;
}

/** What apply did, and whether the execution's own state (its receipt) says so or only its journal (what it set out to do). */
type WhatApplyDid = ({ kind: 'created'; roleName: string; roleId?: string } | { kind: 'updated'; roleName: string; previous: RolePrevious }) & {
  from: 'receipt' | 'journal';
  /** What the step found and left (lambdas/shared/footprint.ts), when it recorded it. */
  footprint?: StepFootprint;
};

/**
 * Undoes what the Role step of this execution did, from its receipt or, when the step threw or reported no change,
 * its journal entry.
 * Deletes only a role whose tags say this execution created it; puts back the previous trust policy, max session
 * duration and permissions boundary of a role that existed before, touching only what still differs. Safe to run twice.
 */
export async function revertRole(doc: ExecutionDocument, deps: RoleRevertDeps): Promise<RevertReport> {
  const found = await whatApplyDid(doc, deps.records);
  if (typeof found === 'string') return nothingToDo(found);
  const { roleName } = found;
  const role = await getRole(deps.iam, roleName);
  // Only over what this execution left: a later change (a person's, another execution's) stays, and is reported.
  const later = role === undefined || found.footprint === undefined ? [] : laterChanges(found.footprint, await readRoleFootprint(doc, deps.iam));
  if (later.length > 0) {
    logger.warn('role changed since this execution left it; left in place', { roleName, later });
    return { step: 'role', action: 'left-in-place', changes: [], leftInPlace: later };
  }

  if (found.kind === 'created') {
    if (role === undefined) return nothingToDo(`role ${roleName} does not exist (never created, or already deleted)`);
    const owner = taggedExecution(await roleTags(deps.iam, role), doc.request);
    // A role id is given once, at creation: the receipt's id on the role is proof, whatever its tags say.
    if (found.roleId !== undefined && found.roleId !== role.RoleId) {
      return leftInPlace(
        `role ${roleName}: its id is ${role.RoleId}, not ${found.roleId}, the role this execution created, so it was re-created since; it was not deleted`,
      );
    }
    const proven = found.roleId !== undefined;
    if (!proven && (owner === 'other' || (owner === 'none' && found.from === 'journal'))) {
      logger.warn('role not tagged as created by this execution; left in place', { roleName, roleId: role.RoleId });
      return leftInPlace(
        `role ${roleName}: ${owner === 'other' ? 'its tags name another execution, so it was re-created since' : 'this execution set out to create it, but its tags do not name this execution'}; ` +
          "it was not deleted: check it and delete it by hand if it is this execution's",
      );
    }
    await journalRevert(deps.records, doc.request, 'role', [`delete role ${roleName}, created by this execution`]);
    const report = await deleteRole(deps.iam, roleName);
    if (owner !== 'this')
      report.changes.push(`its tags did not name execution ${doc.request.executionName} (this execution's record says it created it)`);
    return report;
  }

  if (role === undefined) {
    throw new RoleVanishedError(
      `role ${roleName} was updated by execution ${doc.request.executionName} but no longer exists, so its previous settings cannot be restored: ` +
        JSON.stringify(found.previous),
    );
  }
  const { previous } = found;
  const changes: string[] = [];
  const claim = revertClaim(deps.records, doc.request, 'role', [`restore the previous settings of role ${roleName}`]);
  if (previous.trustPolicy !== undefined && !samePolicyDocument(role.AssumeRolePolicyDocument ?? '', previous.trustPolicy)) {
    await claim();
    await deps.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: previous.trustPolicy }));
    changes.push(`restored the previous trust policy of role ${roleName}`);
  }
  if (previous.maxSessionDuration !== undefined && role.MaxSessionDuration !== previous.maxSessionDuration) {
    await claim();
    await deps.iam.send(new UpdateRoleCommand({ RoleName: roleName, MaxSessionDuration: previous.maxSessionDuration }));
    changes.push(`restored the max session duration of role ${roleName} to ${previous.maxSessionDuration} s`);
  }
  const currentBoundary = role.PermissionsBoundary?.PermissionsBoundaryArn ?? null;
  const setByThisExecution = doc.profile.role.permissionsBoundaryArn ?? null;
  const leftAlone: string[] = [];
  if (
    previous.permissionsBoundaryArn !== undefined &&
    currentBoundary !== previous.permissionsBoundaryArn &&
    currentBoundary !== setByThisExecution
  ) {
    // Apply only ever sets the profile's boundary: another one on the role was put there since by someone else, and
    // is theirs to undo. (The revert role's IAM grant backs this up: it may delete only the profiles' boundaries.)
    leftAlone.push(
      `role ${roleName}: its permissions boundary is now ${currentBoundary ?? 'none'}, not the ${setByThisExecution} this execution set, so the previous ` +
        `${previous.permissionsBoundaryArn ?? 'absence of a boundary'} was not restored`,
    );
  } else if (previous.permissionsBoundaryArn !== undefined && currentBoundary !== previous.permissionsBoundaryArn) {
    if (previous.permissionsBoundaryArn === null) {
      await claim();
      await deps.iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: roleName }));
      changes.push(`removed the permissions boundary this execution set on role ${roleName}`);
    } else {
      await claim();
      await deps.iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: roleName, PermissionsBoundary: previous.permissionsBoundaryArn }));
      changes.push(`restored the permissions boundary ${previous.permissionsBoundaryArn} of role ${roleName}`);
    }
  }
  if (leftAlone.length > 0) {
    logger.warn('role settings changed since this execution; left in place', { roleName, leftAlone });
    return { step: 'role', action: 'left-in-place', changes, leftInPlace: leftAlone };
  }
  if (changes.length === 0) return nothingToDo(`role ${roleName} already has its previous settings`);
  logger.info('restored federation role', { roleName, changes });
  return { step: 'role', action: 'restored', changes };
}

/** Detaches and deletes everything attached to a role this execution created (nothing else could have attached to it), then the role. */
async function deleteRole(iam: IAMClient, roleName: string): Promise<RevertReport> {
  const changes: string[] = [];
  for (const policyArn of await listAll(async (Marker) => {
    const page = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker }));
    return {
      items: (page.AttachedPolicies ?? []).flatMap((policy) => (policy.PolicyArn ? [policy.PolicyArn] : [])),
      next: page.IsTruncated ? page.Marker : undefined,
    };
  })) {
    await ignoringNoSuchEntity(iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn })));
    changes.push(`detached ${policyArn} from role ${roleName}`);
  }
  for (const policyName of await listAll(async (Marker) => {
    const page = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker }));
    return { items: page.PolicyNames ?? [], next: page.IsTruncated ? page.Marker : undefined };
  })) {
    await ignoringNoSuchEntity(iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policyName })));
    changes.push(`deleted inline policy ${policyName} of role ${roleName}`);
  }
  await ignoringNoSuchEntity(iam.send(new DeleteRoleCommand({ RoleName: roleName })));
  changes.push(`deleted role ${roleName}, created by this execution`);
  logger.info('deleted federation role created by this execution', { roleName, changes });
  return { step: 'role', action: 'deleted', changes };
}

async function whatApplyDid(doc: ExecutionDocument, records: RecordStore): Promise<WhatApplyDid | string> {
  const receipt = doc.receipts?.role as Receipt<RolePrevious> | undefined;
  const roleNameIn = (details: Record<string, unknown> | undefined) =>
    typeof details?.roleName === 'string' ? details.roleName : doc.profile.role.name;
  if (receipt !== undefined) {
    const roleName = roleNameIn(receipt.details);
    const footprint = receipt.footprint ? { footprint: receipt.footprint } : {};
    if (receipt.action === 'created') {
      const roleId = receipt.details?.roleId;
      return typeof roleId === 'string'
        ? { kind: 'created', roleName, roleId, from: 'receipt', ...footprint }
        : { kind: 'created', roleName, from: 'receipt', ...footprint };
    }
    if (receipt.action === 'updated' && receipt.previous !== undefined)
      return { kind: 'updated', roleName, previous: receipt.previous, from: 'receipt', ...footprint };
    // A dry run never journals; anything else may have been preceded by an attempt that changed the role.
    if (receipt.action !== 'unchanged') return `the Role step changed nothing (${receipt.action})`;
  }
  // No receipt (the step threw, possibly after CreateRole or an update went through), or an 'unchanged' one from a
  // retried attempt that found an earlier attempt's change already made: the journal says what it was about to do.
  const entry = await readJournal<RolePrevious>(records, doc.request, 'role');
  if (entry === undefined)
    return receipt === undefined
      ? 'the Role step made no change (no receipt, no journal entry)'
      : `the Role step changed nothing (${receipt.action})`;
  const roleName = roleNameIn(entry.details);
  const roleId = entry.details?.roleId;
  const footprint = entry.footprint ? { footprint: entry.footprint } : {};
  if (entry.previous !== undefined) return { kind: 'updated', roleName, previous: entry.previous, from: 'journal', ...footprint };
  return typeof roleId === 'string'
    ? { kind: 'created', roleName, roleId, from: 'journal', ...footprint }
    : { kind: 'created', roleName, from: 'journal', ...footprint };
}

async function listAll<T>(page: (marker: string | undefined) => Promise<{ items: T[]; next: string | undefined }>): Promise<T[]> {
  const all: T[] = [];
  let marker: string | undefined;
  do {
    const { items, next } = await page(marker);
    all.push(...items);
    marker = next;
  } while (marker !== undefined);
  return all;
}

/** A retried revert may find a detach or delete already done: that is the state it wants. */
async function ignoringNoSuchEntity(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if ((error as Error).name !== 'NoSuchEntityException') throw error;
  }
}

function nothingToDo(reason: string): RevertReport {
  return { step: 'role', action: 'nothing-to-do', changes: [reason] };
}

function leftInPlace(reason: string): RevertReport {
  return { step: 'role', action: 'left-in-place', changes: [], leftInPlace: [reason] };
}
