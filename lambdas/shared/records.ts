import { ConditionalCheckFailedException, type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';

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
  /** Writes `body` as the next revision after `replaces` (undefined: the first); a record written meanwhile fails it. */
  put(key: RecordKey, body: string, replaces: number | undefined): Promise<void>;
}

/** Thrown when a record changed between its read and its write (another writer). The state machine retries the step. */
export class RecordConflictError extends Error {
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
  ) {}

  public async get(key: RecordKey): Promise<StoredRecord | undefined> {
    const answer = await this.dynamodb.send(
      new GetItemCommand({ TableName: this.table, Key: { pk: { S: key.pk }, sk: { S: key.sk } }, ConsistentRead: true }),
    );
    const body = answer.Item?.body?.S;
    const revision = Number(answer.Item?.revision?.N);
    return body === undefined || !Number.isInteger(revision) ? undefined : { body, revision };
  }

  public async put(key: RecordKey, body: string, replaces: number | undefined): Promise<void> {
    const condition =
      replaces === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: '#revision = :revision',
            ExpressionAttributeNames: { '#revision': 'revision' },
            ExpressionAttributeValues: { ':revision': { N: String(replaces) } },
          };
    try {
      await this.dynamodb.send(
        new PutItemCommand({
          TableName: this.table,
          Item: { pk: { S: key.pk }, sk: { S: key.sk }, body: { S: body }, revision: { N: String((replaces ?? 0) + 1) } },
          ...condition,
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') {
        throw new RecordConflictError(key, { cause: error });
      }
      throw error;
    }
  }
}

/** A record store held in this process: for a local run against a live account, which deploys no table. */
export class MemoryRecordStore implements RecordStore {
  private readonly records = new Map<string, StoredRecord>();

  public async get(key: RecordKey): Promise<StoredRecord | undefined> {
    return this.records.get(`${key.pk}\n${key.sk}`);
  }

  public async put(key: RecordKey, body: string, replaces: number | undefined): Promise<void> {
    const id = `${key.pk}\n${key.sk}`;
    if (this.records.get(id)?.revision !== replaces) throw new RecordConflictError(key);
    this.records.set(id, { body, revision: (replaces ?? 0) + 1 });
  }
}
