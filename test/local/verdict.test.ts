import { UntagSAMLProviderCommand } from '@aws-sdk/client-iam';
import { parseRollbackIncompleteCause } from '../../lambdas/outcome/cause';
import { TAG_KEYS } from '../../lambdas/shared/tags';
import { admin, execute, resources, startingAccount } from './workflow-harness';

const providerArn = `arn:aws:iam::111122223333:saml-provider/${admin.identityProvider.name}`;
const untagProvider = (clients: { iam: { send(command: UntagSAMLProviderCommand): Promise<unknown> } }) =>
  clients.iam.send(new UntagSAMLProviderCommand({ SAMLProviderArn: providerArn, TagKeys: Object.values(TAG_KEYS) }));

describe('the verdict is what happened', () => {
  it('an IAM that kept no tags: the provider the receipt says this execution created is deleted, and the rollback is complete', async () => {
    const account = await startingAccount('empty account');
    const before = resources(account);
    // Tags gone after the provider's creation (an IAM, or an emulator, that drops them), then the role fails for good.
    account.interleave({ operation: 'CreateRole' }, untagProvider);
    account.faults.inject({ operation: 'CreateRole', error: 'AccessDenied', nth: 1 });

    const result = await execute(account);

    expect(result).toMatchObject({ status: 'FAILED', error: 'Provisioning.RolledBack' });
    expect(resources(account)).toEqual(before);
    expect(result.output).toBeUndefined();
    const report = account.notifications.messages.find((m) => m.subject === 'SAML federation: failed and rolled back');
    expect(report?.message).toContain('its tags did not name execution');
  });

  it('a revert that leaves a resource in place ends Rollback.Incomplete naming it, never "the account is as it was before"', async () => {
    const account = await startingAccount('empty account');
    // The provider is created but the answer is an error, so the step leaves no receipt; its tags are gone before the
    // revert looks: nothing proves the provider is this execution's, so the revert leaves it and says so.
    account.faults.inject({ operation: 'CreateSAMLProvider', error: 'AccessDenied', afterEffect: true });
    account.interleave({ operation: 'GetSAMLProvider', nth: 2 }, untagProvider);

    const result = await execute(account);

    expect(result.error).toBe('Rollback.Incomplete');
    const cause = parseRollbackIncompleteCause(result.cause);
    expect(cause).toMatchObject({
      stillToUndo: [],
      leftInPlace: [{ step: 'identityProvider', what: expect.stringContaining(admin.identityProvider.name) }],
    });
    expect(account.snapshot().iam.samlProviders[providerArn]).toBeDefined();
    const notice = account.notifications.messages.find((m) => m.subject === 'SAML federation: ROLLBACK INCOMPLETE, action needed');
    expect(notice?.message).toContain('Left in place by the identity provider revert');
    expect(notice?.message).not.toContain('as it was before');
  });
});
