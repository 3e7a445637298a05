import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbRecordStore, type RecordStore } from '../lambdas/shared/records';
import type { CallLog, CommandClient } from './calls';
import type { LockItem, LockPutInput, SimulatedLockTable } from './lock-table';
import type { Notification, SimulatedNotifications } from './notifications';
import { SimulatedRecordTable } from './record-table';

/** The record table's name in a simulated account. */
const SIMULATED_RECORD_TABLE = 'saml-federation-records';
/** The lock table's name in a simulated account (the local runner substitutes the same into the ASL). */
const SIMULATED_LOCK_TABLE = 'saml-federation-locks';

/** The state machine's DynamoDB integration on the lock table, as plain functions. */
export interface LockTableApi {
  /** Conditional put; throws 'DynamoDB.ConditionalCheckFailedException' while another lease is held, unexpired. */
  put(item: LockPutInput): Promise<void>;
  /** Conditional delete on the lease; throws 'DynamoDB.ConditionalCheckFailedException' when not held under `lease`. */
  release(profile: string, lease: string): Promise<void>;
  get(profile: string): Promise<LockItem | undefined>;
}

export interface NotificationsApi {
  publish(subject: string, message: string, attributes?: Record<string, unknown>): Promise<{ MessageId: string }>;
  readonly messages: readonly Notification[];
}

/** The lock table through the state machine's integration, each call logged as service 'dynamodb'. */
export function lockTableApi(log: CallLog, lockTable: SimulatedLockTable): LockTableApi {
  const lockOps = lockTable.operations;
  return {
    put: async (item) => {
      await log.invoke('dynamodb', 'PutItem', item, lockOps);
    },
    release: async (profile, lease) => {
      await log.invoke('dynamodb', 'DeleteItem', { profile, lease }, lockOps);
    },
    get: async (profile) => ((await log.invoke('dynamodb', 'GetItem', { profile }, lockOps)) as { Item?: LockItem }).Item,
  };
}

/** The notification topic, each publish logged as service 'sns'. */
export function notificationsApi(log: CallLog, topic: SimulatedNotifications): NotificationsApi {
  return {
    publish: async (subject, message, attributes) => {
      const input = attributes === undefined ? { subject, message } : { subject, message, attributes };
      return (await log.invoke('sns', 'Publish', input, topic.operations)) as { MessageId: string };
    },
    get messages() {
      return topic.messages;
    },
  };
}

/** The record table, which reads the lock table's items by the name the pipeline gives it. */
export function recordTableBeside(lockTable: SimulatedLockTable): SimulatedRecordTable {
  return new SimulatedRecordTable(SIMULATED_LOCK_TABLE, (profile) => lockTable.item(profile));
}

/** The pipeline's record store, over a client that answers the SDK's DynamoDB commands from the record table. */
export function recordStore(client: CommandClient): RecordStore {
  return new DynamoDbRecordStore(client as unknown as DynamoDBClient, SIMULATED_RECORD_TABLE, SIMULATED_LOCK_TABLE);
}
