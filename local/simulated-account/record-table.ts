import type { AttributeValue, GetItemCommandInput, PutItemCommandInput } from '@aws-sdk/client-dynamodb';
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

  public readonly operations: Operations = {
    GetItem: (input: GetItemCommandInput) => {
      const item = this.items.get(keyOf(input.Key));
      return ok(item ? { Item: attributes(item) } : {});
    },
    PutItem: (input: PutItemCommandInput) => {
      const key = keyOf(input.Item);
      const held = this.items.get(key);
      if (input.ConditionExpression !== undefined && !conditionHolds(input, held)) {
        throw awsError('ConditionalCheckFailedException', 'The conditional request failed', 'records');
      }
      const item = input.Item ?? {};
      const body = item.body?.S;
      const revision = Number(item.revision?.N);
      if (body === undefined || !Number.isInteger(revision)) {
        throw awsError('ValidationException', 'the record table holds items with a string body and a numeric revision', 'records');
      }
      this.items.set(key, { pk: item.pk?.S ?? '', sk: item.sk?.S ?? '', body, revision });
      return ok({});
    },
  };

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

function conditionHolds(input: PutItemCommandInput, held: RecordItem | undefined): boolean {
  const expression = input.ConditionExpression?.trim();
  if (expression === 'attribute_not_exists(pk)') return held === undefined;
  if (expression === '#revision = :revision' && input.ExpressionAttributeNames?.['#revision'] === 'revision') {
    const wanted = input.ExpressionAttributeValues?.[':revision']?.N;
    return held !== undefined && wanted !== undefined && String(held.revision) === wanted;
  }
  throw awsError('ValidationException', `the simulated record table does not evaluate the condition ${expression}`, 'records');
}
