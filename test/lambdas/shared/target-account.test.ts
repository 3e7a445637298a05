import { GetRoleCommand } from '@aws-sdk/client-iam';
import { type FunctionContext, iamFor } from '../../../lambdas/runtime/function';
import { checkSessionNameOf, sessionNameOf, targetRoleName } from '../../../lambdas/shared/target-account';
import { accountForConfig } from '../../../local/simulated-services';
import { exampleConfig, exampleProfile, makeDocument } from '../../helpers/document';

describe('target account names', () => {
  it('keeps an execution name that is a valid session name, such as the UUIDs of upload executions', () => {
    expect(sessionNameOf('6f1c2a9e-4b1d-4c55-9a0e-2f3b4c5d6e7f')).toBe('6f1c2a9e-4b1d-4c55-9a0e-2f3b4c5d6e7f');
    expect(sessionNameOf('exec-1')).toBe('exec-1');
  });

  it('gives names that would read alike after cleaning or cutting distinct session names, each valid for STS', () => {
    const long = 'a'.repeat(70);
    const names = ['rollback(admin)', 'rollback-admin-', 'déploiement', `${long}1`, `${long}2`, 'x'];
    const sessions = names.map(sessionNameOf);
    expect(new Set(sessions).size).toBe(names.length);
    for (const session of sessions) expect(session).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(sessionNameOf('déploiement')).toMatch(/^d-ploiement\.[0-9a-f]{8}$/);
  });

  it("names the daily check's sessions so that no execution's can read the same", () => {
    expect(checkSessionNameOf('admin')).toBe('daily-check,admin');
    // An execution's session name never holds a comma (Step Functions refuses one in execution names anyway).
    expect(sessionNameOf('daily-check,admin')).toMatch(/^daily-check-admin\.[0-9a-f]{8}$/);
  });

  it('names the target roles from the pipeline name, within IAM role name rules', () => {
    expect(targetRoleName('connect-saml-federation', 'apply')).toBe('connect-saml-federation-target-apply');
    expect(targetRoleName('team/a:b', 'read')).toBe('team-a-b-target-read');
  });
});

describe('the IAM client a function gets for a profile in another account', () => {
  const doc = makeDocument({ profile: { ...exampleProfile('admin'), account: '222222222222' } });
  const context = (targetAccess?: 'apply' | 'revert'): FunctionContext => {
    const account = accountForConfig(exampleConfig);
    return {
      clients: account.clients(),
      config: exampleConfig,
      environment: { bucket: 'b', account: account.account, region: account.region, partition: 'aws' },
      now: () => new Date(),
      sleep: async () => undefined,
      ...(targetAccess ? { targetAccess } : {}),
    };
  };

  it("is a session of the function's kind of target role, named after the execution", () => {
    const sessions: unknown[] = [];
    const base = context('revert');
    const iamIn = (session: unknown) => {
      sessions.push(session);
      return base.clients.iam;
    };
    iamFor(doc, { ...base, clients: { ...base.clients, iamIn } });
    expect(sessions).toEqual([{ roleArn: 'arn:aws:iam::222222222222:role/connect-saml-federation-target-revert', sessionName: 'exec-0001' }]);
  });

  it("fails every call for a function with no target role, instead of using the pipeline's own account", async () => {
    await expect(iamFor(doc, context()).send(new GetRoleCommand({ RoleName: 'AmazonConnectAdminAccessRole' }))).rejects.toMatchObject({
      name: 'Config.Invalid',
      message: expect.stringContaining('no role in account 222222222222'),
    });
  });
});
