import type { ConnectClient } from '@aws-sdk/client-connect';
import type { ExecutionDocument } from '../shared/document';
import { ABSENT, type Footprint } from '../shared/footprint';
import { type ConnectUsersReceipt, connectUserKey, STEP } from './apply';
import { connectUsersByName } from './connect';

/** The users the receipt says this execution created, as they are now: each one's id, or absent. */
export async function readConnectUsersFootprint(doc: ExecutionDocument, connect: ConnectClient): Promise<Footprint> {
  const receipt = doc.receipts?.[STEP] as ConnectUsersReceipt | undefined;
  const instanceArn = receipt?.details.instanceArn;
  const created = receipt?.details.created ?? [];
  if (!instanceArn || created.length === 0) return {};
  const existing = await connectUsersByName(connect, instanceArn);
  return Object.fromEntries(created.map((user) => [connectUserKey(instanceArn, user.username), existing.get(user.username) ?? ABSENT]));
}
