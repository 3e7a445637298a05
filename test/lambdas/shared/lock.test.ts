import { LOCK_MARGIN_SECONDS, lockLease } from '../../../lambdas/shared/lock';
import { rawDefinition } from '../../../statemachine/definition';
import { exampleProfile } from '../../helpers/document';

const NOW = new Date('2030-01-01T00:00:00.000Z');
const secondsOf = (lease: { expiresAt: string }) => (Date.parse(lease.expiresAt) - NOW.getTime()) / 1000;

describe('lockLease', () => {
  it('holds an API-mode profile for the margin its steps run within', () => {
    expect(secondsOf(lockLease(NOW, 'exec-1', exampleProfile('admin')))).toBe(LOCK_MARGIN_SECONDS);
  });

  it('holds a manual-mode profile as long as any execution can live, however often an operator restarts the wait', () => {
    const profile = exampleProfile('admin');
    const manual = { ...profile, attributeMapping: { ...profile.attributeMapping, mode: 'manual' as const, manualTimeoutSeconds: 3600 } };
    const timeoutSeconds = (rawDefinition() as { TimeoutSeconds?: number }).TimeoutSeconds;
    expect(secondsOf(lockLease(NOW, 'exec-1', manual))).toBe(timeoutSeconds);
  });

  it('gives the table its TTL in epoch seconds at the same moment', () => {
    const lease = lockLease(NOW, 'exec-1', exampleProfile('admin'));
    expect(lease).toEqual({
      owner: 'exec-1',
      lease: 'exec-1#0',
      expiresAt: '2030-01-01T01:00:00.000Z',
      ttl: String(Date.parse('2030-01-01T01:00:00.000Z') / 1000),
    });
  });
});
