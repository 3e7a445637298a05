/**
 * As person with the console: a revert must restore only over its own write. When the console API does not
 * return the mapping (swbReturnsConfiguration: false) and the profile chose onUnreadable "overwrite", a person changes
 * the Role attribute between the mapping step's two writes; the second write fails, so the mapping revert runs.
 * Safe outcome: the person's attribute stays and the rollback names the mapping as left in place (Rollback.Incomplete),
 * as undo already does over an unreadable mapping.
 */
import type { FederationConfig } from '../../lambdas/shared/profile';
import { ROLE_ATTRIBUTE } from '../../lambdas/shared/profile-schema';
import { admin, config, execute, metadataV1, startingAccount } from '../local/workflow-harness';

const APP = admin.application.arn!;
const INSTANCE = `ins-${APP.split('/apl-')[1]}`;

const overwriting: FederationConfig = {
  ...config,
  profiles: { ...config.profiles, admin: { ...admin, attributeMapping: { ...admin.attributeMapping, onUnreadable: 'overwrite' } } },
};

describe('a revert over a mapping the console API does not return', () => {
  it("leaves the Role attribute a person set between the mapping's two writes, and names it", async () => {
    const account = await startingAccount('mapping exists', { swbReturnsConfiguration: false }, overwriting);
    const theirs = 'arn:aws:iam::111122223333:role/Theirs,arn:aws:iam::111122223333:saml-provider/Theirs';
    account.interleave({ service: 'swb', operation: 'UpdateApplicationInstanceResponseSchemaConfiguration' }, () => {
      const current = account.snapshot().swb[INSTANCE]!;
      account.setApplicationConfiguration(APP, {
        responseConfig: { ...current.responseConfig!, properties: { ...current.responseConfig!.properties, [ROLE_ATTRIBUTE]: { source: [theirs] } } },
      });
    });
    account.faults.inject({ service: 'swb', operation: 'UpdateApplicationInstanceResponseSchemaConfiguration', error: 'AccessDeniedException' });

    const result = await execute(account, { xml: metadataV1, config: overwriting });

    expect(result.status).toBe('FAILED');
    // The person's value is still there.
    expect(account.snapshot().swb[INSTANCE]?.responseConfig?.properties[ROLE_ATTRIBUTE]?.source).toEqual([theirs]);
    expect(result.error).toBe('Rollback.Incomplete');
  });
});
