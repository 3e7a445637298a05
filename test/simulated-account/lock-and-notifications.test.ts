import { SimulatedAccount } from '../../simulated-account';
import { rejection } from './fixtures';

const CONDITION_FAILED = 'DynamoDB.ConditionalCheckFailedException';

describe('simulated lock table', () => {
  const lease = (owner: string, expiresAt = '2030-01-01T01:00:00.000Z') => ({
    profile: 'admin',
    owner,
    lease: `${owner}#0`,
    expiresAt,
    ttl: '1893459600',
  });

  it('gives the lock to one owner at a time until it expires', async () => {
    const account = new SimulatedAccount();
    await account.lock.put({ ...lease('e1'), now: '2030-01-01T00:00:00.000Z' });
    expect((await rejection(account.lock.put({ ...lease('e2'), now: '2030-01-01T00:30:00.000Z' }))).name).toBe(CONDITION_FAILED);
    expect(await account.lock.get('admin')).toMatchObject({ owner: 'e1' });

    // An expired lease can be taken over.
    await account.lock.put({ ...lease('e2', '2030-01-01T03:00:00.000Z'), now: '2030-01-01T02:00:00.000Z' });
    expect(account.snapshot().lockTable).toEqual({
      admin: { profile: 'admin', owner: 'e2', lease: 'e2#0', expiresAt: '2030-01-01T03:00:00.000Z', ttl: '1893459600' },
    });
  });

  it('lets the owner take its own lock again (a retried put)', async () => {
    const account = new SimulatedAccount();
    await account.lock.put({ ...lease('e1'), now: '2030-01-01T00:00:00.000Z' });
    await expect(account.lock.put({ ...lease('e1'), now: '2030-01-01T00:00:01.000Z' })).resolves.toBeUndefined();
  });

  it('compares with the account clock when no `now` is given', async () => {
    const account = new SimulatedAccount({ clock: () => new Date('2030-01-01T02:00:00.000Z') });
    await account.seed(() => account.lock.put(lease('e1')));
    await expect(account.lock.put(lease('e2', '2030-01-01T04:00:00.000Z'))).resolves.toBeUndefined();
  });

  it('takes over the lease it is told to replace (the cleanup, after a stop), and no other', async () => {
    const account = new SimulatedAccount();
    await account.lock.put({ ...lease('e1'), now: '2030-01-01T00:00:00.000Z' });
    const cleanup = { ...lease('cleanup'), now: '2030-01-01T00:10:00.000Z' };
    expect((await rejection(account.lock.put({ ...cleanup, replacing: 'e9#0' }))).name).toBe(CONDITION_FAILED);
    await account.lock.put({ ...cleanup, replacing: 'e1#0' });
    expect(await account.lock.get('admin')).toMatchObject({ owner: 'cleanup', lease: 'cleanup#0' });
  });

  it('releases only for the lease that holds it; a missing item fails the condition, as in DynamoDB', async () => {
    const account = new SimulatedAccount();
    await account.lock.put({ ...lease('e1'), now: '2030-01-01T00:00:00.000Z' });
    expect((await rejection(account.lock.release('admin', 'e2#0'))).name).toBe(CONDITION_FAILED);
    await account.lock.release('admin', 'e1#0');
    expect(await account.lock.get('admin')).toBeUndefined();
    expect((await rejection(account.lock.release('admin', 'e1#0'))).name).toBe(CONDITION_FAILED);
    expect(account.calls.map((call) => [call.operation, call.mutating, call.outcome])).toEqual([
      ['PutItem', true, 'ok'],
      ['DeleteItem', true, CONDITION_FAILED],
      ['DeleteItem', true, 'ok'],
      ['GetItem', false, 'ok'],
      ['DeleteItem', true, CONDITION_FAILED],
    ]);
  });
});

describe('simulated notifications', () => {
  it('keeps every published message in order, as a non-mutating call', async () => {
    const account = new SimulatedAccount();
    const first = await account.notifications.publish('SAML federation: provisioned', 'Outcome: PROVISIONED');
    await account.notifications.publish('SAML federation: map the attributes, then confirm', 'text', { taskToken: 'token-1' });
    expect(first.MessageId).toBeDefined();
    expect(account.notifications.messages.map((message) => [message.subject, message.attributes])).toEqual([
      ['SAML federation: provisioned', undefined],
      ['SAML federation: map the attributes, then confirm', { taskToken: 'token-1' }],
    ]);
    expect(account.mutatingCalls()).toEqual([]);
  });
});
