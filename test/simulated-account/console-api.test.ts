/**
 * The simulated console API answers as a JSON 1.1 service held to the public evidence (console-api-shapes.ts): a
 * request that does not fit its operation's shape is refused, so a member the pipeline guessed fails a test.
 */
import { applyApplication } from '../../lambdas/application/apply';
import type { StepDeps } from '../../lambdas/runtime/function';
import { accountForConfig } from '../../local/simulated-services';
import type { SimulatedAccount } from '../../simulated-account';
import { CONSOLE_API_SHAPES } from '../../simulated-account/console-api-shapes';
import { makeDocument } from '../helpers/document';
import { creatingConfig } from '../local/workflow-harness';

const INSTANCE = 'ins-5a1e0c9f3b7d2e46';

function account(options: Parameters<typeof accountForConfig>[1] = {}): SimulatedAccount {
  return accountForConfig(creatingConfig, options);
}

describe('the simulated console API, held to the public shapes', () => {
  it('refuses a member its operation does not have (SerializationException), changing nothing', async () => {
    const a = account();
    await expect(a.swbCall('UpdateApplicationInstanceStatus', { instanceId: INSTANCE, status: 'ENABLED', enabled: true })).rejects.toMatchObject({
      name: 'SerializationException',
      message: expect.stringContaining('Unrecognized field "enabled"'),
    });
  });

  it('refuses a request without a required member (ValidationException), as AWS words it', async () => {
    const a = account();
    await expect(a.swbCall('CreateApplicationInstance', { templateId: 'tpl-0a1b2c3d4e5f6a7b' })).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("Value null at 'name' failed to satisfy constraint: Member must not be null"),
    });
  });

  it('refuses a member of another type, however deep (SerializationException)', async () => {
    const a = account();
    const serviceProviderConfig = { audience: 'urn:amazon:webservices', requireRequestSignature: 'no', consumers: [] };
    await expect(
      a.swbCall('UpdateApplicationInstanceServiceProviderConfiguration', { instanceId: INSTANCE, serviceProviderConfig }),
    ).rejects.toMatchObject({ name: 'SerializationException', message: expect.stringContaining('serviceProviderConfig.requireRequestSignature') });
  });

  it('implements exactly the operations the shapes file describes', () => {
    const a = account();
    expect(Object.keys((a as unknown as { swb: { operations: object } }).swb.operations).sort()).toEqual(Object.keys(CONSOLE_API_SHAPES).sort());
  });

  it('refuses to delete an instance whose profiles are left', async () => {
    const a = account();
    const { instanceId } = (
      (await a.swbCall('CreateApplicationInstance', { templateId: 'tpl-0a1b2c3d4e5f6a7b', name: 'x' })) as {
        applicationInstance: { instanceId: string };
      }
    ).applicationInstance;
    (a as unknown as { swb: { ensureProfile(id: string): void } }).swb.ensureProfile(instanceId);
    await expect(a.swbCall('DeleteApplicationInstance', { instanceId })).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

describe('the application step over each known shape of the template list', () => {
  const deps = (a: SimulatedAccount): StepDeps => ({ ...a.clients(), now: () => new Date('2030-01-02T03:04:05.000Z'), sleep: async () => undefined });
  const doc = () => makeDocument({ profile: { ...structuredClone(creatingConfig.profiles.admin!), name: 'admin' } });

  it.each(['consoleModel', 'idcSaml'] as const)(
    'finds the Amazon Connect template when the list answers as the %s shows it',
    async (templateList) => {
      const a = account({ swbShapes: { templateList } });
      const receipt = await applyApplication(doc(), deps(a));
      expect(receipt.action).toBe('created');
      const created = a.calls.find((c) => c.operation === 'CreateApplicationInstance')!.input as { templateId: string };
      expect(created.templateId).toBe('tpl-0a1b2c3d4e5f6a7b');
    },
  );

  it.each([
    ['consoleModel', /listed nothing/],
    ['idcSaml', /listed "Custom SAML 2\.0 application" \(tpl-50e590700beb5208\)/],
  ] as const)(
    'refuses by name when the catalog (%s shape) has no Amazon Connect template, saying what it listed and what to do instead',
    async (templateList, listed) => {
      const custom = { applicationId: 'app-520727d4117d1647', templateId: 'tpl-50e590700beb5208', name: 'Custom SAML 2.0 application' };
      const a = account({ swbShapes: { templates: [custom], templateList } });
      await expect(applyApplication(doc(), deps(a))).rejects.toMatchObject({ name: 'Application.TemplateNotFound' });
      const error = await applyApplication(doc(), deps(a)).catch((caught: Error) => caught);
      expect((error as Error).message).toMatch(listed);
      expect((error as Error).message).toContain('application.arn instead of application.create');
      expect(a.mutatingCalls({ service: 'swb' })).toEqual([]);
    },
  );
});
