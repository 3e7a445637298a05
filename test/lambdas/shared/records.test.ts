import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { LOCK_CONDITIONS } from '../../../lambdas/shared/lock';
import { DynamoDbRecordStore, MemoryRecordStore, type RecordStore } from '../../../lambdas/shared/records';
import { SimulatedAccount } from '../../../simulated-account';

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

const LEASE = { profile: 'admin', lease: 'exec-1#0', now: '2030-01-01T00:00:00.000Z' };

describe.each<[string, () => { store: RecordStore; hold: (lease: string, expiresAt?: string) => Promise<void> }]>([
  [
    'the record table (DynamoDB, simulated)',
    () => {
      const account = new SimulatedAccount();
      return {
        store: account.clients().records,
        hold: (lease, expiresAt = '2030-01-01T01:00:00.000Z') =>
          account.seed(() => account.lock.put({ profile: 'admin', owner: 'exec-1', lease, expiresAt, now: LEASE.now })),
      };
    },
  ],
  [
    'a live run’s in-process store',
    () => {
      const locks = new Map<string, { owner: string; lease: string; expiresAt: string }>();
      return {
        store: new MemoryRecordStore((profile) => locks.get(profile)),
        hold: async (lease, expiresAt = '2030-01-01T01:00:00.000Z') => {
          locks.set('admin', { owner: 'exec-1', lease, expiresAt });
        },
      };
    },
  ],
])('%s, under a lease', (_name, worldOf) => {
  it('writes while the profile lock holds the lease, unexpired', async () => {
    const { store, hold } = worldOf();
    await hold(LEASE.lease);
    await store.put(KEY, 'mine', undefined, LEASE);
    await expect(store.get(KEY)).resolves.toEqual({ body: 'mine', revision: 1 });
    await expect(store.leaseHeld(LEASE)).resolves.toBe(true);
  });

  it.each([
    ['another lease holds the lock (a redrive after the cleanup)', 'cleanup#exec-1#', undefined],
    ['the lease ran out', 'exec-1#0', '2029-12-31T23:59:59.000Z'],
  ])('refuses the write with Lock.NotHeld, writing nothing, when %s', async (_why, holder, expiresAt) => {
    const { store, hold } = worldOf();
    await hold(holder, expiresAt);
    await expect(store.put(KEY, 'mine', undefined, LEASE)).rejects.toMatchObject({
      name: 'Lock.NotHeld',
      message: expect.stringContaining('exec-1#0'),
    });
    await expect(store.get(KEY)).resolves.toBeUndefined();
    await expect(store.leaseHeld(LEASE)).resolves.toBe(false);
  });

  it('refuses with Lock.NotHeld when no one holds the lock, and with Records.Conflict when only the revision is wrong', async () => {
    const { store, hold } = worldOf();
    await expect(store.put(KEY, 'mine', undefined, LEASE)).rejects.toMatchObject({ name: 'Lock.NotHeld' });
    await hold(LEASE.lease);
    await store.put(KEY, 'mine', undefined, LEASE);
    await expect(store.put(KEY, 'again', undefined, LEASE)).rejects.toMatchObject({ name: 'Records.Conflict' });
  });
});

describe('DynamoDbRecordStore, under a lease', () => {
  const dynamodb = mockClient(DynamoDBClient);
  beforeEach(() => dynamodb.reset());
  const store = () => new DynamoDbRecordStore(new DynamoDBClient({}), 'records', 'locks');
  const cancelled = (codes: string[]) =>
    new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });

  it('writes the record and checks the lease in one transaction, the lease condition as lambdas/shared/lock.ts states it', async () => {
    dynamodb.on(TransactWriteItemsCommand).resolves({});
    await store().put(KEY, 'mine', undefined, LEASE);
    expect(dynamodb.commandCalls(TransactWriteItemsCommand)[0]!.args[0].input.TransactItems).toEqual([
      { Put: expect.objectContaining({ TableName: 'records', ConditionExpression: 'attribute_not_exists(pk)' }) },
      {
        ConditionCheck: {
          TableName: 'locks',
          Key: { profile: { S: 'admin' } },
          ConditionExpression: LOCK_CONDITIONS.held,
          ExpressionAttributeNames: { '#lease': 'lease', '#expiresAt': 'expiresAt' },
          ExpressionAttributeValues: { ':lease': { S: 'exec-1#0' }, ':now': { S: LEASE.now } },
        },
      },
    ]);
  });

  it.each([
    [['None', 'ConditionalCheckFailed'], 'Lock.NotHeld'],
    [['ConditionalCheckFailed', 'None'], 'Records.Conflict'],
    [['ConditionalCheckFailed', 'ConditionalCheckFailed'], 'Lock.NotHeld'],
    [['TransactionConflict', 'None'], 'Records.Conflict'],
  ])('tells a cancellation with reasons %j apart: %s', async (codes, name) => {
    dynamodb.on(TransactWriteItemsCommand).rejects(cancelled(codes));
    await expect(store().put(KEY, 'mine', undefined, LEASE)).rejects.toMatchObject({ name });
  });

  it('checks the lease with a consistent read of the lock item', async () => {
    dynamodb
      .on(GetItemCommand)
      .resolves({ Item: { profile: { S: 'admin' }, lease: { S: 'exec-1#0' }, expiresAt: { S: '2030-01-01T01:00:00.000Z' } } });
    await expect(store().leaseHeld(LEASE)).resolves.toBe(true);
    expect(dynamodb.commandCalls(GetItemCommand)[0]!.args[0].input).toEqual({
      TableName: 'locks',
      Key: { profile: { S: 'admin' } },
      ConsistentRead: true,
    });
    await expect(store().leaseHeld({ ...LEASE, now: '2030-01-01T02:00:00.000Z' })).resolves.toBe(false);
  });

  it('names the missing lock table instead of writing without the lease', async () => {
    await expect(new DynamoDbRecordStore(new DynamoDBClient({}), 'records').put(KEY, 'mine', undefined, LEASE)).rejects.toMatchObject({
      name: 'Config.Invalid',
      message: expect.stringMatching(/^LOCK_TABLE/),
    });
  });
});
