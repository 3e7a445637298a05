import { applyAttributeMapping } from '../../../lambdas/attribute-mapping/apply';
import type { AttributeMappingReceipt } from '../../../lambdas/attribute-mapping/receipt';
import { revertAttributeMapping } from '../../../lambdas/attribute-mapping/revert';
import type { ExecutionDocument } from '../../../lambdas/shared/document';
import { ROLE_ATTRIBUTE, ROLE_SESSION_NAME_ATTRIBUTE } from '../../../lambdas/shared/profile';
import { error } from './helpers/fake-swb-server';
import { adminDocument, consoleConfigured, DEPARTMENT, INSTANCE_ID, makeWorld, manualProfile } from './helpers/world';

const failure = { Error: 'Notify.Failed', Cause: 'later step failed' };

function withReceipt(doc: ExecutionDocument, receipt: AttributeMappingReceipt): ExecutionDocument {
  return { ...doc, receipts: { ...doc.receipts, attributeMapping: receipt }, failure };
}

describe('AttributeMapping revert when the console API returns the mapping', () => {
  const world = makeWorld();
  beforeAll(() => world.start());
  afterAll(() => world.stop());
  beforeEach(() => world.reset());

  it('restores the previous configuration from the receipt', async () => {
    const doc = adminDocument();
    const receipt = await applyAttributeMapping(doc, world.deps);
    const report = await revertAttributeMapping(withReceipt(doc, receipt), world.deps);
    expect(report).toMatchObject({ step: 'attributeMapping', action: 'restored' });
    expect(world.stored()).toEqual(consoleConfigured());
  });

  it('a second revert makes no write', async () => {
    const doc = adminDocument();
    const reverting = withReceipt(doc, await applyAttributeMapping(doc, world.deps));
    await revertAttributeMapping(reverting, world.deps);
    world.service.requests.length = 0;
    const report = await revertAttributeMapping(reverting, world.deps);
    expect(report.action).toBe('nothing-to-do');
    expect(world.service.writes()).toHaveLength(0);
  });

  it('restores without a receipt when apply threw after the response configuration was written (schema refused)', async () => {
    world.service.failNext('UpdateApplicationInstanceResponseSchemaConfiguration', error(400, 'ValidationException', 'schema refused'));
    const doc = adminDocument();
    await expect(applyAttributeMapping(doc, world.deps)).rejects.toMatchObject({ name: 'Mapping.Rejected' });
    expect(world.stored().responseConfig.properties[ROLE_ATTRIBUTE]).not.toEqual(consoleConfigured().responseConfig.properties[ROLE_ATTRIBUTE]);

    const report = await revertAttributeMapping({ ...doc, failure: { Error: 'Mapping.Rejected', Cause: 'schema refused' } }, world.deps);
    expect(report.action).toBe('restored');
    expect(world.stored()).toEqual(consoleConfigured());
    // Only the half that differed is written back.
    expect(
      world.service
        .writes()
        .slice(-1)
        .map((request) => request.operation),
    ).toEqual(['UpdateApplicationInstanceResponseConfiguration']);
  });

  it('does nothing when apply left the mapping unchanged, planned it, or never got to write', async () => {
    await applyAttributeMapping(adminDocument(), world.deps);
    world.service.requests.length = 0;
    const second = adminDocument({ request: { executionName: 'exec-0002' } });
    const unchanged = await applyAttributeMapping(second, world.deps);
    expect(unchanged.action).toBe('unchanged');
    expect((await revertAttributeMapping(withReceipt(second, unchanged), world.deps)).action).toBe('nothing-to-do');

    const planned = adminDocument({ request: { dryRun: true, executionName: 'exec-0003' } });
    expect((await revertAttributeMapping(withReceipt(planned, await applyAttributeMapping(planned, world.deps)), world.deps)).action).toBe(
      'nothing-to-do',
    );

    const neverWrote = adminDocument({ request: { executionName: 'exec-0004' } });
    expect(await revertAttributeMapping({ ...neverWrote, failure }, world.deps)).toMatchObject({ action: 'nothing-to-do' });
    expect(world.service.writes()).toHaveLength(0);
  });

  it('manual mode: writes nothing and tells the operator what to undo by hand', async () => {
    const doc = adminDocument({ profile: manualProfile() });
    const receipt = await applyAttributeMapping(doc, world.deps);
    const report = await revertAttributeMapping(withReceipt(doc, receipt), world.deps);
    expect(report.action).toBe('nothing-to-do');
    expect(report.changes.join('\n')).toMatch(/"Amazon Connect admins".*by hand/);
    expect(world.service.writes()).toHaveLength(0);
  });

  it('when the previous mapping was unknown and the API now returns one, removes only the pipeline attributes', async () => {
    world.reset(null);
    const doc = adminDocument();
    const receipt = await applyAttributeMapping(doc, world.deps);
    expect(receipt.previous).toEqual({ source: 'unknown' });
    // Someone adds an attribute in the console after the apply.
    const now = world.stored();
    now.responseConfig.properties[DEPARTMENT] = { source: ['${user:department}'] };
    now.responseSchemaConfig.properties[DEPARTMENT] = { attrNameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic', include: 'YES' };
    world.service.instances.set(INSTANCE_ID, now);

    const report = await revertAttributeMapping(withReceipt(doc, receipt), world.deps);
    expect(report.action).toBe('restored');
    expect(Object.keys(world.stored().responseConfig.properties)).toEqual([DEPARTMENT]);
    expect(Object.keys(world.stored().responseSchemaConfig.properties)).toEqual([DEPARTMENT]);
    expect(report.changes.join('\n')).toMatch(/could not be restored/);
  });
});

describe('AttributeMapping revert when the console API does not return the mapping', () => {
  const world = makeWorld();
  beforeAll(() => world.start());
  afterAll(() => world.stop());
  beforeEach(() => {
    world.reset();
    world.service.returnsConfig = false;
  });

  it('restores what the pipeline last wrote, and a second revert makes no write', async () => {
    const first = adminDocument({ request: { executionName: 'exec-0001' } });
    await applyAttributeMapping(first, world.deps);
    const afterFirst = world.stored();
    const changedProfile = adminDocument({ request: { executionName: 'exec-0002' } });
    changedProfile.profile.attributeMapping.attributes = { [ROLE_SESSION_NAME_ATTRIBUTE]: '${user:subject}' };
    const receipt = await applyAttributeMapping(changedProfile, world.deps);
    expect(receipt.previous).toEqual({ source: 'pipeline-state', configuration: afterFirst });

    const reverting = withReceipt(changedProfile, receipt);
    expect((await revertAttributeMapping(reverting, world.deps)).action).toBe('restored');
    expect(world.stored()).toEqual(afterFirst);
    world.service.requests.length = 0;
    expect((await revertAttributeMapping(reverting, world.deps)).action).toBe('nothing-to-do');
    expect(world.service.writes()).toHaveLength(0);
  });

  it('when the previous values were never known, takes the pipeline attributes out and says what it could not restore', async () => {
    const doc = adminDocument();
    const receipt = await applyAttributeMapping(doc, world.deps);
    const report = await revertAttributeMapping(withReceipt(doc, receipt), world.deps);
    expect(report.action).toBe('restored');
    expect(world.stored().responseConfig.properties).toEqual({});
    expect(world.stored().responseSchemaConfig.properties).toEqual({});
    expect(report.changes.join('\n')).toMatch(/previous mapping .* was unknown.*removed the pipeline's attributes.*could not be restored/);
  });

  it('without a receipt, rewrites only the half the failed apply began to write', async () => {
    const first = adminDocument({ request: { executionName: 'exec-0001' } });
    await applyAttributeMapping(first, world.deps);
    const afterFirst = world.stored();

    const changed = adminDocument({ request: { executionName: 'exec-0002' } });
    changed.profile.attributeMapping.attributes = { [ROLE_SESSION_NAME_ATTRIBUTE]: '${user:subject}' };
    world.service.failNext('UpdateApplicationInstanceResponseConfiguration', error(500, 'InternalFailure', 'boom'));
    await expect(applyAttributeMapping(changed, world.deps)).rejects.toMatchObject({ name: 'Mapping.ServiceError' });
    world.service.requests.length = 0;

    const report = await revertAttributeMapping({ ...changed, failure: { Error: 'Mapping.ServiceError', Cause: 'boom' } }, world.deps);
    expect(report.action).toBe('restored');
    expect(world.service.writes().map((request) => request.operation)).toEqual(['UpdateApplicationInstanceResponseConfiguration']);
    expect(world.stored()).toEqual(afterFirst);
  });
});
