import {
  type AttributeValue,
  type GetItemCommandInput,
  type PutItemCommandInput,
  TransactionCanceledException,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import { LOCK_CONDITIONS } from '../lambdas/shared/lock';
import type { Operations } from './context';
import { awsError } from './errors';
import { ok } from './support';

/** One record as the table holds it (the pipeline's journal entries and saved mappings), by `pk` and `sk`. */
export interface RecordItem {
  pk: string;
  sk: string;
  body: string;
  revision: number;
}

/**
 * The pipeline's record table (lambdas/shared/records.ts) with DynamoDB's GetItem/PutItem on a string `pk`/`sk` key.
 * It evaluates the two conditions the pipeline writes with, `attribute_not_exists(pk)` and `#revision = :revision`,
 * as DynamoDB does (a condition on a missing item sees no attributes); any other expression is refused, so a
 * change in the pipeline's writes cannot pass here unexamined.
 */
export class SimulatedRecordTable {
  private readonly items = new Map<string, RecordItem>();

  /**
   * `lockTable` is the lock table's name and `lockItem` reads it: a leased write is a TransactWriteItems of this
   * table's Put and a ConditionCheck on that table, all or nothing, as DynamoDB runs it; a function's check of its
   * lease is a GetItem there. (One DynamoDB client reaches both tables, as the SDK's does.)
   */
  public constructor(
    private readonly lockTable: string,
    private readonly lockItem: (profile: string) => { lease: string; expiresAt: string } | undefined,
  ) {}

  private leaseHeld(profile: string, lease: string, now: string): boolean {
    const held = this.lockItem(profile);
    return held !== undefined && held.lease === lease && held.expiresAt > now;
  }

  public readonly operations: Operations = {
    TransactWriteItems: (input: TransactWriteItemsCommandInput) => {
      const actions = input.TransactItems ?? [];
      // Every condition is evaluated before anything is written; one that fails cancels the whole transaction, and
      // the answer gives one reason per item, in order (DynamoDB API reference, TransactWriteItems).
      const reasons = actions.map((action) => {
        if (action.Put) {
          const held = this.items.get(keyOf(action.Put.Item));
          return action.Put.ConditionExpression === undefined || conditionHolds(action.Put, held) ? 'None' : 'ConditionalCheckFailed';
        }
        const check = action.ConditionCheck;
        if (!check || check.TableName !== this.lockTable || check.ConditionExpression !== LOCK_CONDITIONS.held) {
          throw awsError(
            'ValidationException',
            'the simulated record table takes only its own Put and the lock ConditionCheck in a transaction',
            'records',
          );
        }
        const values = check.ExpressionAttributeValues ?? {};
        return this.leaseHeld(check.Key?.profile?.S ?? '', values[':lease']?.S ?? '', values[':now']?.S ?? '') ? 'None' : 'ConditionalCheckFailed';
      });
      if (reasons.some((code) => code !== 'None')) {
        throw new TransactionCanceledException({
          message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.join(', ')}]`,
          $metadata: {},
          CancellationReasons: reasons.map((Code) => ({ Code })),
        });
      }
      for (const action of actions) if (action.Put) this.write(action.Put);
      return ok({});
    },
    GetItem: (input: GetItemCommandInput) => {
      if (input.TableName === this.lockTable) {
        const held = this.lockItem(input.Key?.profile?.S ?? '');
        return ok(held ? { Item: Object.fromEntries(Object.entries(held).map(([name, value]) => [name, { S: String(value) }])) } : {});
      }
      const item = this.items.get(keyOf(input.Key));
      return ok(item ? { Item: attributes(item) } : {});
    },
    PutItem: (input: PutItemCommandInput) => {
      const held = this.items.get(keyOf(input.Item));
      if (input.ConditionExpression !== undefined && !conditionHolds(input, held)) {
        throw awsError('ConditionalCheckFailedException', 'The conditional request failed', 'records');
      }
      this.write(input);
      return ok({});
    },
  };

  private write(input: Pick<PutItemCommandInput, 'Item'>): void {
    const item = input.Item ?? {};
    const body = item.body?.S;
    const revision = Number(item.revision?.N);
    if (body === undefined || !Number.isInteger(revision)) {
      throw awsError('ValidationException', 'the record table holds items with a string body and a numeric revision', 'records');
    }
    this.items.set(keyOf(item), { pk: item.pk?.S ?? '', sk: item.sk?.S ?? '', body, revision });
  }

  /** Every record, in key order (tests read the journal from here). */
  public snapshot(): RecordItem[] {
    return [...this.items.values()].sort((a, b) => `${a.pk}\n${a.sk}`.localeCompare(`${b.pk}\n${b.sk}`)).map((item) => ({ ...item }));
  }
}

function keyOf(key: Record<string, AttributeValue> | undefined): string {
  const pk = key?.pk?.S;
  const sk = key?.sk?.S;
  if (!pk || !sk) throw awsError('ValidationException', 'The provided key element does not match the schema', 'records');
  return `${pk}\n${sk}`;
}

function attributes(item: RecordItem): Record<string, AttributeValue> {
  return { pk: { S: item.pk }, sk: { S: item.sk }, body: { S: item.body }, revision: { N: String(item.revision) } };
}

function conditionHolds(
  input: Pick<PutItemCommandInput, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>,
  held: RecordItem | undefined,
): boolean {
  const expression = input.ConditionExpression?.trim();
  if (expression === 'attribute_not_exists(pk)') return held === undefined;
  if (expression === '#revision = :revision' && input.ExpressionAttributeNames?.['#revision'] === 'revision') {
    const wanted = input.ExpressionAttributeValues?.[':revision']?.N;
    return held !== undefined && wanted !== undefined && String(held.revision) === wanted;
  }
  throw awsError('ValidationException', `the simulated record table does not evaluate the condition ${expression}`, 'records');
}
