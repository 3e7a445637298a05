/**
 * Property 5: a mapping write never silently drops what it could not read. The console API's update operations replace
 * the whole configuration; whether GetApplicationInstance returns the current one is not known (docs/design.md). When
 * it does not, and the pipeline never wrote this application's mapping, a write would erase whatever a person set in
 * the console (attributes, the session duration). The step refuses before writing unless the profile says otherwise.
 */

import type { FederationConfig } from '../../lambdas/shared/profile';
import { ROLE_ATTRIBUTE } from '../../lambdas/shared/profile-schema';
import { admin, config, execute, startingAccount } from '../local/workflow-harness';

const SESSION_DURATION = 'https://aws.amazon.com/SAML/Attributes/SessionDuration';
const INSTANCE = `ins-${admin.application.arn!.split('/apl-')[1]}`;

describe('a mapping the console API does not return', () => {
  it('is not written over by default: the step fails before writing, naming the setting that allows it', async () => {
    const account = await startingAccount('mapping exists', { swbReturnsConfiguration: false });
    const byHand = account.snapshot().swb[INSTANCE];

    const result = await execute(account, { fromApplication: true });

    expect(result).toMatchObject({ status: 'FAILED', error: 'Provisioning.RolledBack' });
    expect(result.cause).toMatch(/^Mapping\.CurrentUnreadable: .*attributeMapping\.onUnreadable/);
    expect(account.snapshot().swb[INSTANCE]).toEqual(byHand);
    expect(byHand?.responseConfig?.properties[SESSION_DURATION]).toEqual({ source: ['28800'] });
    expect(account.mutatingCalls({ service: 'swb' })).toEqual([]);
    expect(ROLE_ATTRIBUTE in (byHand?.responseConfig?.properties ?? {})).toBe(true);
  });

  it('is written over only when the profile accepts the loss (attributeMapping.onUnreadable "overwrite")', async () => {
    const account = await startingAccount('mapping exists', { swbReturnsConfiguration: false });
    const overwriting: FederationConfig = {
      ...config,
      profiles: { ...config.profiles, admin: { ...admin, attributeMapping: { ...admin.attributeMapping, onUnreadable: 'overwrite' } } },
    };

    const result = await execute(account, { fromApplication: true, config: overwriting });

    expect(result.status).toBe('SUCCEEDED');
    expect(account.snapshot().swb[INSTANCE]?.responseConfig?.properties[SESSION_DURATION]).toBeUndefined();
  });
});
