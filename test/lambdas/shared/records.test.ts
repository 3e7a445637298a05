import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbRecordStore, MemoryRecordStore, type RecordStore } from '../../../lambdas/shared/records';
import { SimulatedAccount } from '../../../local/simulated-account';

const KEY = { pk: 'journal#exec-1', sk: 'role' };

describe.each<[string, () => RecordStore]>([
  ['the record table (DynamoDB, simulated)', () => new SimulatedAccount().clients().records],
  ['a live run’s in-process store', () => new MemoryRecordStore()],
])('%s', (_name, storeOf) => {
  it('reads nothing where nothing was written', async () => {
    await expect(storeOf().get(KEY)).resolves.toBeUndefined();
  });

  it('keeps each write as the next revision', async () => {
    const store = storeOf();
    await store.put(KEY, 'first', undefined);
    await store.put(KEY, 'second', 1);
    await expect(store.get(KEY)).resolves.toEqual({ body: 'second', revision: 2 });
  });

  it('refuses a write that does not name the revision it replaces (another writer came first), keeping what is there', async () => {
    const store = storeOf();
    await store.put(KEY, 'mine', undefined);
    await expect(store.put(KEY, 'theirs', undefined)).rejects.toMatchObject({ name: 'Records.Conflict' });
    await expect(store.put(KEY, 'theirs', 7)).rejects.toMatchObject({ name: 'Records.Conflict' });
    await expect(store.get(KEY)).resolves.toEqual({ body: 'mine', revision: 1 });
  });
});

describe('DynamoDbRecordStore', () => {
  const dynamodb = mockClient(DynamoDBClient);
  beforeEach(() => dynamodb.reset());

  it('reads consistently, so a retried step sees what its earlier attempt wrote', async () => {
    dynamodb.on(GetItemCommand).resolves({ Item: { pk: { S: KEY.pk }, sk: { S: KEY.sk }, body: { S: '{}' }, revision: { N: '3' } } });
    await expect(new DynamoDbRecordStore(new DynamoDBClient({}), 'records').get(KEY)).resolves.toEqual({ body: '{}', revision: 3 });
    expect(dynamodb.commandCalls(GetItemCommand)[0]!.args[0].input).toEqual({
      TableName: 'records',
      Key: { pk: { S: KEY.pk }, sk: { S: KEY.sk } },
      ConsistentRead: true,
    });
  });

  it('writes only over the revision it read, and names a lost race Records.Conflict', async () => {
    dynamodb.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    await expect(new DynamoDbRecordStore(new DynamoDBClient({}), 'records').put(KEY, '{}', 3)).rejects.toMatchObject({
      name: 'Records.Conflict',
      message: expect.stringContaining('journal#exec-1'),
    });
    expect(dynamodb.commandCalls(PutItemCommand)[0]!.args[0].input).toMatchObject({
      ConditionExpression: '#revision = :revision',
      ExpressionAttributeValues: { ':revision': { N: '3' } },
      Item: { revision: { N: '4' } },
    });
  });

  it('lets any other DynamoDB error through under its own name, for the state machine to retry or report', async () => {
    dynamodb.on(PutItemCommand).rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }));
    await expect(new DynamoDbRecordStore(new DynamoDBClient({}), 'records').put(KEY, '{}', undefined)).rejects.toMatchObject({
      name: 'ProvisionedThroughputExceededException',
    });
  });
});
