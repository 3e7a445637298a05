import { planFleet } from '../../../lambdas/fleet/plan';
import { parseFederationConfig } from '../../../lambdas/shared/profile';
import { crossAccountConfig, TARGET_ACCOUNT } from '../../local/workflow-harness';

describe('the fleet plan', () => {
  it('groups every profile by the account its IAM lives in, each account with its concurrency', () => {
    expect(planFleet({}, crossAccountConfig, '111122223333')).toEqual({
      accounts: [
        { account: TARGET_ACCOUNT, concurrency: 1, profiles: [{ profile: 'admin', account: TARGET_ACCOUNT, dryRun: false }] },
        { account: '111122223333', concurrency: 1, profiles: [{ profile: 'agent', account: '111122223333', dryRun: false }] },
      ],
    });
  });

  it('caps an account at fleet.concurrencyPerAccount, and plans only the profiles named, as a dry run when asked', () => {
    const config = parseFederationConfig({ ...crossAccountConfig, fleet: { concurrencyPerAccount: 1 } });
    const both = { ...config, profiles: { ...config.profiles, agent: { ...config.profiles.agent!, account: undefined } } };
    expect(planFleet({ profiles: ['agent', 'admin'] }, both, TARGET_ACCOUNT).accounts).toEqual([
      {
        account: TARGET_ACCOUNT,
        concurrency: 1,
        profiles: [
          { profile: 'agent', account: TARGET_ACCOUNT, dryRun: false },
          { profile: 'admin', account: TARGET_ACCOUNT, dryRun: false },
        ],
      },
    ]);
    expect(planFleet({ dryRun: true }, config, '111122223333').accounts.flatMap((a) => a.profiles.map((p) => p.dryRun))).toEqual([true, true]);
  });

  it('refuses unknown profiles and unknown fields by name', () => {
    expect(() => planFleet({ profiles: ['nobody'] }, crossAccountConfig, '111122223333')).toThrow(
      expect.objectContaining({ name: 'Fleet.RequestInvalid', message: expect.stringContaining('unknown profile(s) nobody') }),
    );
    expect(() => planFleet({ profile: 'admin' }, crossAccountConfig, '111122223333')).toThrow(
      expect.objectContaining({ name: 'Fleet.RequestInvalid' }),
    );
  });
});
