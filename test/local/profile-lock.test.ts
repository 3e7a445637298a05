import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { execute, resources, startingAccount } from './workflow-harness';

const asl = JSON.parse(readFileSync(path.join(__dirname, '../../statemachine/federation.asl.json'), 'utf-8'));
const lockRetry = asl.States['Take profile lock'].Retry.find((r: { ErrorEquals: string[] }) =>
  r.ErrorEquals.includes('DynamoDB.ConditionalCheckFailedException'),
);
const minutesFromNow = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

describe('the per-profile lock', () => {
  it('an execution that finds the profile locked by a live execution waits its bounded retries, then fails Lock.Timeout naming the holder and its lease, and changes nothing', async () => {
    const account = await startingAccount('empty account');
    const leaseEnd = minutesFromNow(30);
    await account.lock.put({
      profile: 'admin',
      owner: 'arn:aws:states:us-east-1:111122223333:execution:pipeline:other',
      lease: 'arn:aws:states:us-east-1:111122223333:execution:pipeline:other#0',
      expiresAt: leaseEnd,
    });
    account.clearCalls();
    const before = resources(account);

    const result = await execute(account);

    expect(result).toMatchObject({ status: 'FAILED', error: 'Lock.Timeout' });
    expect(result.cause).toBe(
      `Execution arn:aws:states:us-east-1:111122223333:execution:pipeline:other holds the lock of profile admin until ${leaseEnd} (its lease), ` +
        'longer than this execution waits. Wait for it to end, or stop it (its cleanup reverts it and frees the lock), then start this one again. Nothing was changed.',
    );
    const attempts = account.calls.filter((c) => c.service === 'dynamodb' && c.operation === 'PutItem');
    expect(attempts).toHaveLength(1 + lockRetry.MaxAttempts);
    expect(attempts.every((c) => c.outcome !== 'ok')).toBe(true);
    expect(account.mutatingCalls({ service: ['iam', 'swb'] })).toEqual([]);
    expect(resources(account)).toEqual(before);
    // The other execution's lock is left alone.
    expect(Object.values(account.snapshot().lockTable).map((item) => item.owner)).toEqual([
      'arn:aws:states:us-east-1:111122223333:execution:pipeline:other',
    ]);
    expect(account.notifications.messages.map((m) => m.subject)).toEqual(['SAML federation: profile busy, nothing changed']);
  });

  it('when the holder releases the lock just as this execution gives up, Lock.Timeout says it may have ended', async () => {
    const account = await startingAccount('empty account');
    await account.lock.put({ profile: 'admin', owner: 'other-execution', lease: 'other-execution#0', expiresAt: minutesFromNow(30) });
    // The holder finishes between this execution's last attempt and its read of who holds the lock.
    account.interleave({ service: 'dynamodb', operation: 'GetItem' }, () => account.lock.release('admin', 'other-execution#0'));

    const result = await execute(account);

    expect(result).toMatchObject({ status: 'FAILED', error: 'Lock.Timeout' });
    expect(result.cause).toMatch(/^Another execution held the lock of profile admin at every attempt.*it may have ended since/);
  });

  it('a lock whose lease has expired (its execution was stopped or crashed) is taken over, and released at the end', async () => {
    const account = await startingAccount('empty account');
    await account.lock.put({
      profile: 'admin',
      owner: 'arn:aws:states:us-east-1:111122223333:execution:pipeline:crashed',
      lease: 'arn:aws:states:us-east-1:111122223333:execution:pipeline:crashed#0',
      expiresAt: minutesFromNow(-1),
    });
    account.clearCalls();

    const result = await execute(account);

    expect(result.status).toBe('SUCCEEDED');
    expect(account.calls.filter((c) => c.service === 'dynamodb' && c.operation === 'PutItem').map((c) => c.outcome)).toEqual(['ok']);
    expect(account.snapshot().lockTable).toEqual({});
  });

  it('a lock held by another profile does not delay this one', async () => {
    const account = await startingAccount('empty account');
    await account.lock.put({
      profile: 'agent',
      owner: 'arn:aws:states:us-east-1:111122223333:execution:pipeline:agent-run',
      lease: 'arn:aws:states:us-east-1:111122223333:execution:pipeline:agent-run#0',
      expiresAt: minutesFromNow(30),
    });
    account.clearCalls();

    const result = await execute(account);

    expect(result.status).toBe('SUCCEEDED');
    expect(Object.keys(account.snapshot().lockTable)).toEqual(['agent']);
  });
});
