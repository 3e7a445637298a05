import {
  type CancellationReason,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { ConfigInvalidError } from './errors';
import { type LeaseCondition, LOCK_CONDITIONS, LockNotHeldError } from './lock';

/**
 * The pipeline's own record of what its executions did (journal entries, the mapping it last wrote): kept where only
 * the pipeline's function roles can write, a DynamoDB table, never in the metadata bucket that uploaders write to.
 * A revert restores only what this record says.
 */
export interface RecordKey {
  /** `journal#<execution>` or `state#<profile>`. */
  pk: string;
  /** The step, or what the state is of. */
  sk: string;
}

export interface StoredRecord {
  body: string;
  /** Starts at 1; each write must name the revision it replaces, so that two writers never overwrite each other blindly. */
  revision: number;
}

export interface RecordStore {
  get(key: RecordKey): Promise<StoredRecord | undefined>;
  /**
   * Writes `body` as the next revision after `replaces` (undefined: the first); a record written meanwhile fails it
   * (Records.Conflict). With `lease`, the write happens only while the profile's lock holds that lease and has not
   * expired, in one transaction (Lock.NotHeld otherwise): every step journals before it changes anything, so no step
   * changes anything without its lease.
   */
  put(key: RecordKey, body: string, replaces: number | undefined, lease?: LeaseCondition): Promise<void>;
  /** Whether the profile's lock holds the lease, unexpired (a consistent read): checked as a step starts. */
  leaseHeld(lease: LeaseCondition): Promise<boolean>;
}

/**
 * The records a step writes, each under the lease of whoever runs it (the execution, its cleanup, or undo), as of the
 * write's own time (the lease's expiry is judged against it).
 */
export function leasedRecords(records: RecordStore, lease: () => LeaseCondition): RecordStore {
  return {
    get: (key) => records.get(key),
    put: (key, body, replaces) => records.put(key, body, replaces, lease()),
    leaseHeld: (condition) => records.leaseHeld(condition),
  };
}

/** The refusal of a write whose lease the lock no longer holds, saying what the holder is to do. */
function leaseRefused(key: RecordKey, lease: LeaseCondition, options?: ErrorOptions): LockNotHeldError {
  return new LockNotHeldError(
    `profile ${lease.profile}'s lock no longer holds lease ${lease.lease} (at ${lease.now}), so ${key.pk} / ${key.sk} was not written and nothing was changed: ` +
      'the execution was redriven after its cleanup, or its lease ran out and another execution took the profile. Start a new execution instead.',
    options,
  );
}

/** Thrown when a record changed between its read and its write (another writer). The state machine retries the step. */
class RecordConflictError extends Error {
  public constructor(key: RecordKey, options?: ErrorOptions) {
    super(`record ${key.pk} / ${key.sk} was written by someone else between its read and this write; retry`, options);
    this.name = 'Records.Conflict';
  }
}

/** The record table in DynamoDB: consistent reads, conditional writes on the revision. */
export class DynamoDbRecordStore implements RecordStore {
  public constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
    /** The lock table a leased write checks (LOCK_TABLE); a function that writes under no lease needs none. */
    private readonly lockTable?: string,
  ) {}

  public async get(key: RecordKey): Promise<StoredRecord | undefined> {
    const answer = await this.dynamodb.send(
      new GetItemCommand({ TableName: this.table, Key: { pk: { S: key.pk }, sk: { S: key.sk } }, ConsistentRead: true }),
    );
    const body = answer.Item?.body?.S;
    const revision = Number(answer.Item?.revision?.N);
    return body === undefined || !Number.isInteger(revision) ? undefined : { body, revision };
  }

  public async put(key: RecordKey, body: string, replaces: number | undefined, lease?: LeaseCondition): Promise<void> {
    const condition =
      replaces === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: '#revision = :revision',
            ExpressionAttributeNames: { '#revision': 'revision' },
            ExpressionAttributeValues: { ':revision': { N: String(replaces) } },
          };
    const put = {
      TableName: this.table,
      Item: { pk: { S: key.pk }, sk: { S: key.sk }, body: { S: body }, revision: { N: String((replaces ?? 0) + 1) } },
      ...condition,
    };
    if (lease === undefined) {
      try {
        await this.dynamodb.send(new PutItemCommand(put));
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') {
          throw new RecordConflictError(key, { cause: error });
        }
        throw error;
      }
      return;
    }
    if (!this.lockTable) throw new ConfigInvalidError('LOCK_TABLE: this function writes under the profile lock but was given no lock table');
    try {
      await this.dynamodb.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: put },
            {
              ConditionCheck: {
                TableName: this.lockTable,
                Key: { profile: { S: lease.profile } },
                ConditionExpression: LOCK_CONDITIONS.held,
                ExpressionAttributeNames: { '#lease': 'lease', '#expiresAt': 'expiresAt' },
                ExpressionAttributeValues: { ':lease': { S: lease.lease }, ':now': { S: lease.now } },
              },
            },
          ],
        }),
      );
    } catch (error) {
      throw transactionRefusal(error, key, lease);
    }
  }

  public async leaseHeld(lease: LeaseCondition): Promise<boolean> {
    if (!this.lockTable) throw new ConfigInvalidError('LOCK_TABLE: this function checks the profile lock but was given no lock table');
    const answer = await this.dynamodb.send(
      new GetItemCommand({ TableName: this.lockTable, Key: { profile: { S: lease.profile } }, ConsistentRead: true }),
    );
    const expiresAt = answer.Item?.expiresAt?.S;
    return answer.Item?.lease?.S === lease.lease && expiresAt !== undefined && expiresAt > lease.now;
  }
}

/**
 * What a cancelled transaction means. DynamoDB answers TransactionCanceledException with one reason per item, in the
 * order sent: the lock's ConditionCheck (second) failing is a lease refusal; the record's revision (first) failing is
 * a conflict with another writer, as for a plain put; a TransactionConflict (another transaction on these items) is
 * transient and retried like that conflict. (DynamoDB API reference, TransactWriteItems, "CancellationReasons".)
 */
function transactionRefusal(error: unknown, key: RecordKey, lease: LeaseCondition): unknown {
  if ((error as Error).name !== 'TransactionCanceledException') return error;
  const reasons: CancellationReason[] = (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
  const [record, lock] = reasons.map((reason) => reason.Code ?? 'None');
  if (lock === 'ConditionalCheckFailed') return leaseRefused(key, lease, { cause: error });
  if (record === 'ConditionalCheckFailed' || record === 'TransactionConflict' || lock === 'TransactionConflict') {
    return new RecordConflictError(key, { cause: error });
  }
  return error;
}

/** A lock item as a store held in this process reads it. */
export interface HeldLock {
  owner: string;
  lease: string;
  expiresAt: string;
}

/** A record store held in this process: for a local run against a live account, which deploys no table. */
export class MemoryRecordStore implements RecordStore {
  private readonly records = new Map<string, StoredRecord>();

  /** `lockOf` reads the process's own lock (a live run holds its lock in memory too). */
  public constructor(private readonly lockOf: (profile: string) => HeldLock | undefined = () => undefined) {}

  public async get(key: RecordKey): Promise<StoredRecord | undefined> {
    return this.records.get(`${key.pk}\n${key.sk}`);
  }

  public async put(key: RecordKey, body: string, replaces: number | undefined, lease?: LeaseCondition): Promise<void> {
    const id = `${key.pk}\n${key.sk}`;
    if (this.records.get(id)?.revision !== replaces) throw new RecordConflictError(key);
    if (lease && !(await this.leaseHeld(lease))) throw leaseRefused(key, lease);
    this.records.set(id, { body, revision: (replaces ?? 0) + 1 });
  }

  public async leaseHeld(lease: LeaseCondition): Promise<boolean> {
    const held = this.lockOf(lease.profile);
    return held?.lease === lease.lease && held.expiresAt > lease.now;
  }
}
