import { DeleteUserCommand } from '@aws-sdk/client-connect';
import type { StepDeps } from '../runtime/function';
import type { ExecutionDocument, RevertReport } from '../shared/document';
import { readJournal, revertClaim } from '../shared/journal';
import { logger } from '../shared/logger';
import { type ConnectUsersDetails, type ConnectUsersReceipt, STEP } from './apply';
import { connectUsersByName, createdBy, instanceIdOf } from './connect';

/**
 * The users this execution created or set out to create: its receipt's and its journal's, with the id each was created
 * under where it was recorded (none only when CreateUser's answer was lost).
 */
async function candidates(doc: ExecutionDocument, deps: StepDeps): Promise<{ instanceArn?: string; names: string[]; ids: Map<string, string> }> {
  const receipt = doc.receipts?.[STEP] as ConnectUsersReceipt | undefined;
  const journal = (await readJournal(deps.records, doc.request, STEP))?.details as Partial<ConnectUsersDetails> | undefined;
  const recorded = [...(receipt?.details.created ?? []), ...(journal?.created ?? [])];
  const names = [...new Set([...recorded.map((user) => user.username), ...(journal?.creating ?? [])])];
  return {
    instanceArn: receipt?.details.instanceArn ?? journal?.instanceArn,
    names,
    ids: new Map(recorded.map((user) => [user.username, user.userId])),
  };
}

/**
 * Deletes the Connect users this execution created, and only those: the id it recorded for each (a user someone made
 * under that name since has another), and only while its tag names this execution (a user someone made by hand never
 * carries it; a name whose CreateUser answer was lost has no recorded id, and the tag alone decides); only on the
 * profile's own instance, whatever a record names.
 */
export async function revertConnectUsers(doc: ExecutionDocument, deps: StepDeps): Promise<RevertReport> {
  const { request, profile } = doc;
  if (request.dryRun) return { step: STEP, action: 'nothing-to-do', changes: ['dry run: no Connect user was created'] };
  const { instanceArn, names, ids } = await candidates(doc, deps);
  if (names.length === 0 || !instanceArn) return { step: STEP, action: 'nothing-to-do', changes: ['this execution created no Connect user'] };
  if (instanceArn !== profile.policy.connectInstanceArn) {
    return {
      step: STEP,
      action: 'left-in-place',
      changes: [],
      leftInPlace: [`the record names Amazon Connect instance ${instanceArn}, not the profile's; no user was deleted there`],
    };
  }
  const existing = await connectUsersByName(deps.connect, instanceArn);
  const claim = revertClaim(
    deps.records,
    request,
    STEP,
    names.map((name) => `delete Connect user "${name}" if this execution created it`),
    deps.now,
  );
  const changes: string[] = [];
  let deleted = 0;
  for (const name of names) {
    const userId = existing.get(name);
    if (!userId) {
      changes.push(`Connect user "${name}" is not there (never created, or deleted already)`);
      continue;
    }
    const recorded = ids.get(name);
    if (recorded !== undefined && recorded !== userId) {
      changes.push(`Connect user "${name}" is not the one this execution created (that one, ${recorded}, is gone): left alone`);
      continue;
    }
    if (!(await createdBy(deps.connect, instanceArn, userId, request.executionName))) {
      changes.push(`Connect user "${name}" was not created by this execution: left alone`);
      continue;
    }
    await claim();
    try {
      await deps.connect.send(new DeleteUserCommand({ InstanceId: instanceIdOf(instanceArn), UserId: userId }));
      deleted += 1;
      changes.push(`deleted Connect user "${name}"`);
    } catch (error) {
      if ((error as Error).name !== 'ResourceNotFoundException') throw error;
      changes.push(`Connect user "${name}" was deleted meanwhile`);
    }
  }
  logger.info('Connect users reverted', { instanceArn, deleted });
  return { step: STEP, action: deleted > 0 ? 'deleted' : 'nothing-to-do', changes };
}
