import { applyAttributeMapping } from '../../../lambdas/attribute-mapping/apply';
import type { AttributeMappingReceipt } from '../../../lambdas/attribute-mapping/receipt';
import { EMAIL_NAME_ID_FORMAT, type ResolvedProfile, ROLE_ATTRIBUTE, ROLE_SESSION_NAME_ATTRIBUTE } from '../../../lambdas/shared/profile';
import { exampleProfile } from '../../helpers/document';
import { error } from './helpers/fake-swb-server';
import {
  APP,
  adminDocument,
  consoleConfigured,
  DEPARTMENT,
  INSTANCE_ID,
  JOURNAL_KEY,
  makeWorld,
  manualProfile,
  PROVIDER_ARN,
  ROLE_ARN,
  STATE_KEY,
} from './helpers/world';

const BUCKET = 'federation-metadata-bucket';
const ROLE_VALUE = `${ROLE_ARN},${PROVIDER_ARN}`;
const RELAY_STATE = exampleProfile('admin').relayState!;
const withoutRelayState = (profile: ResolvedProfile): ResolvedProfile => {
  const { relayState: _omitted, ...rest } = profile;
  return rest;
};

describe('AttributeMapping apply, api mode', () => {
  const world = makeWorld();
  beforeAll(() => world.start());
  afterAll(() => world.stop());
  beforeEach(() => world.reset());

  it('sets the Role and RoleSessionName attributes and keeps the attributes the profile does not manage', async () => {
    const receipt = await applyAttributeMapping(adminDocument(), world.deps);

    const stored = world.stored();
    expect(stored.responseConfig.properties).toEqual({
      [DEPARTMENT]: { source: ['${user:department}'] },
      [ROLE_ATTRIBUTE]: { source: [ROLE_VALUE] },
      [ROLE_SESSION_NAME_ATTRIBUTE]: { source: ['${user:email}'] },
    });
    expect(stored.responseSchemaConfig.properties[DEPARTMENT]).toEqual(consoleConfigured().responseSchemaConfig.properties[DEPARTMENT]);
    expect(stored.responseSchemaConfig.subject).toEqual({ include: 'REQUIRED', nameIdFormat: EMAIL_NAME_ID_FORMAT });
    expect(receipt).toMatchObject({
      step: 'attributeMapping',
      action: 'updated',
      arn: APP,
      previous: { source: 'api', configuration: consoleConfigured() },
      details: {
        mode: 'api',
        instanceId: INSTANCE_ID,
        applicationName: 'Amazon Connect admins',
        managedAttributes: [ROLE_ATTRIBUTE, ROLE_SESSION_NAME_ATTRIBUTE],
      },
    });
    expect(receipt.changes).toEqual(expect.arrayContaining([expect.stringContaining(`attribute ${ROLE_ATTRIBUTE} = ${ROLE_VALUE}; was`)]));
  });

  it('writes the journal, with the previous configuration, before the first write to the console API', async () => {
    await applyAttributeMapping(adminDocument(), world.deps);
    const firstWrite = world.log.findIndex((entry) => entry.startsWith('swb:Update'));
    const journal = world.log.indexOf(`s3:put:${JOURNAL_KEY()}`);
    expect(firstWrite).toBeGreaterThan(-1);
    expect(journal).toBeGreaterThan(-1);
    expect(journal).toBeLessThan(firstWrite);
    expect(world.bucket.json(BUCKET, JOURNAL_KEY())).toMatchObject({
      step: 'attributeMapping',
      previous: { source: 'api', configuration: consoleConfigured() },
    });
  });

  it('saves what it wrote under state/<profile>/ for the next run and for a revert', async () => {
    const receipt = await applyAttributeMapping(adminDocument(), world.deps);
    expect(world.bucket.json(BUCKET, STATE_KEY)).toMatchObject({
      profile: 'admin',
      applicationArn: APP,
      instanceId: INSTANCE_ID,
      configuration: world.stored(),
      executionName: 'exec-0001',
      writtenBy: 'apply',
    });
    expect(receipt.details.configuration).toEqual(world.stored());
  });

  it('makes no write at all when the mapping already matches', async () => {
    await applyAttributeMapping(adminDocument(), world.deps);
    world.log.length = 0;
    world.service.requests.length = 0;
    const putsBefore = world.bucket.puts();

    const receipt = await applyAttributeMapping(adminDocument({ request: { executionName: 'exec-0002' } }), world.deps);
    expect(receipt.action).toBe('unchanged');
    expect(world.service.writes()).toHaveLength(0);
    expect(world.bucket.puts()).toBe(putsBefore);
  });

  it('writes only the half that differs', async () => {
    await applyAttributeMapping(adminDocument(), world.deps);
    world.service.requests.length = 0;
    const changedFormat = world.stored();
    changedFormat.responseSchemaConfig.properties[ROLE_ATTRIBUTE] = {
      attrNameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
      include: 'YES',
    };
    world.service.instances.set(INSTANCE_ID, changedFormat);

    await applyAttributeMapping(adminDocument({ request: { executionName: 'exec-0002' } }), world.deps);
    expect(world.service.writes().map((request) => request.operation)).toEqual(['UpdateApplicationInstanceResponseSchemaConfiguration']);
  });

  it('says the relay state is for a person to set, where and to what, and writes nothing for it', async () => {
    const receipt = await applyAttributeMapping(adminDocument(), world.deps);
    const toDo = receipt.changes.filter((line) => line.startsWith('relay state:'));
    expect(toDo).toEqual([expect.stringContaining(`set it by hand to ${RELAY_STATE}`)]);
    expect(toDo[0]).toContain('Edit configuration');
    expect(receipt.details.relayState).toBe(RELAY_STATE);
    expect(JSON.stringify(world.service.writes())).not.toContain(RELAY_STATE);

    // A rerun that changes nothing keeps it in details, not as a change.
    const rerun = await applyAttributeMapping(adminDocument({ request: { executionName: 'exec-0002' } }), world.deps);
    expect(rerun).toMatchObject({ action: 'unchanged', changes: [], details: { relayState: RELAY_STATE } });
  });

  it('mentions no relay state when the profile has none', async () => {
    const receipt = await applyAttributeMapping(adminDocument({ profile: withoutRelayState(exampleProfile('admin')) }), world.deps);
    expect(receipt.action).toBe('updated');
    expect(receipt.changes.some((line) => line.includes('relay state'))).toBe(false);
    expect(receipt.details).not.toHaveProperty('relayState');
  });

  it('dry run: plans the mapping and writes nothing, not even the journal', async () => {
    const receipt = await applyAttributeMapping(adminDocument({ request: { dryRun: true } }), world.deps);
    expect(receipt.action).toBe('planned');
    expect(receipt.changes).toEqual(expect.arrayContaining([expect.stringContaining(`attribute ${ROLE_ATTRIBUTE} = ${ROLE_VALUE}`)]));
    expect(world.service.writes()).toHaveLength(0);
    expect(world.bucket.puts()).toBe(0);
    expect(world.stored()).toEqual(consoleConfigured());
  });

  it('surfaces console API throttling as Mapping.Throttled', async () => {
    world.service.failNext('UpdateApplicationInstanceResponseConfiguration', error(400, 'ThrottlingException', 'Rate exceeded'));
    await expect(applyAttributeMapping(adminDocument(), world.deps)).rejects.toMatchObject({ name: 'Mapping.Throttled' });
  });

  it('a retry after a half-done attempt keeps the configuration from before the first attempt as previous', async () => {
    world.service.failNext('UpdateApplicationInstanceResponseSchemaConfiguration', error(400, 'ThrottlingException', 'Rate exceeded'));
    await expect(applyAttributeMapping(adminDocument(), world.deps)).rejects.toMatchObject({ name: 'Mapping.Throttled' });
    expect(world.stored().responseConfig).not.toEqual(consoleConfigured().responseConfig);

    const receipt = await applyAttributeMapping(adminDocument(), world.deps);
    expect(receipt.action).toBe('updated');
    expect(receipt.previous).toEqual({ source: 'api', configuration: consoleConfigured() });
  });

  it('a retry that finds everything written still reports the change, so that a rollback undoes it', async () => {
    await applyAttributeMapping(adminDocument(), world.deps);
    const receipt = await applyAttributeMapping(adminDocument(), world.deps);
    expect(receipt.action).toBe('updated');
    expect(receipt.previous).toEqual({ source: 'api', configuration: consoleConfigured() });
  });

  it('fails with the lookup error, before any write, when the application is disabled', async () => {
    world.ssoMock.reset();
    world.ssoMock.onAnyCommand().resolves({ ApplicationArn: APP, Name: 'Amazon Connect admins', Status: 'DISABLED' });
    await expect(applyAttributeMapping(adminDocument(), world.deps)).rejects.toMatchObject({ name: 'Mapping.ApplicationDisabled' });
    expect(world.log).toEqual([]);
  });
});

describe('AttributeMapping apply when the console API does not return the mapping', () => {
  const world = makeWorld();
  beforeAll(() => world.start());
  afterAll(() => world.stop());
  beforeEach(() => {
    world.reset();
    world.service.returnsConfig = false;
  });

  it('the first run writes the mapping and records that the previous values are unknown', async () => {
    const receipt = await applyAttributeMapping(adminDocument(), world.deps);
    expect(receipt.action).toBe('updated');
    expect(receipt.previous).toEqual({ source: 'unknown' });
    expect(receipt.changes).toEqual(expect.arrayContaining([expect.stringContaining('previous values are unknown')]));
    expect(world.stored().responseConfig.properties[ROLE_ATTRIBUTE]).toEqual({ source: [ROLE_VALUE] });
  });

  it('the next run compares with what the pipeline last wrote and makes no write when it matches', async () => {
    await applyAttributeMapping(adminDocument(), world.deps);
    world.service.requests.length = 0;
    const putsBefore = world.bucket.puts();
    const receipt = await applyAttributeMapping(adminDocument({ request: { executionName: 'exec-0002' } }), world.deps);
    expect(receipt).toMatchObject({ action: 'unchanged', previous: { source: 'pipeline-state' } });
    expect(world.service.writes()).toHaveLength(0);
    expect(world.bucket.puts()).toBe(putsBefore);
  });

  it('merges onto the saved state, keeping an attribute the pipeline does not manage', async () => {
    const saved = consoleConfigured();
    world.bucket.objects.set(
      `${BUCKET}/${STATE_KEY}`,
      JSON.stringify({
        profile: 'admin',
        applicationArn: APP,
        instanceId: INSTANCE_ID,
        configuration: saved,
        executionName: 'exec-0000',
        writtenBy: 'apply',
        writtenAt: '2030-01-01T00:00:00.000Z',
      }),
    );
    const receipt = await applyAttributeMapping(adminDocument(), world.deps);
    expect(receipt.previous).toEqual({ source: 'pipeline-state', configuration: saved });
    expect(world.stored().responseConfig.properties[DEPARTMENT]).toEqual({ source: ['${user:department}'] });
  });

  it('ignores a saved state that belongs to another application', async () => {
    world.bucket.objects.set(
      `${BUCKET}/${STATE_KEY}`,
      JSON.stringify({
        profile: 'admin',
        applicationArn: 'x',
        instanceId: 'ins-0000000000000000',
        configuration: consoleConfigured(),
        executionName: 'exec-0000',
        writtenBy: 'apply',
      }),
    );
    const receipt = await applyAttributeMapping(adminDocument(), world.deps);
    expect(receipt.previous).toEqual({ source: 'unknown' });
  });
});

describe('AttributeMapping apply, manual mode', () => {
  const world = makeWorld();
  beforeAll(() => world.start());
  afterAll(() => world.stop());
  beforeEach(() => world.reset());

  it('hands the exact mapping to the state machine and writes nothing', async () => {
    const receipt: AttributeMappingReceipt = await applyAttributeMapping(adminDocument({ profile: manualProfile() }), world.deps);
    expect(receipt.action).toBe('pending-confirmation');
    expect(receipt.details.manual).toEqual({
      applicationName: 'Amazon Connect admins',
      applicationArn: APP,
      attributes: { [ROLE_ATTRIBUTE]: ROLE_VALUE, [ROLE_SESSION_NAME_ATTRIBUTE]: '${user:email}' },
      subject: { source: '${user:email}', nameIdFormat: EMAIL_NAME_ID_FORMAT },
      relayState: RELAY_STATE,
      message: expect.any(String),
    });
    const message = receipt.details.manual!.message;
    expect(message).toContain('"Amazon Connect admins"');
    expect(message).toContain(`${ROLE_ATTRIBUTE} = ${ROLE_VALUE}`);
    expect(message).toContain(`${ROLE_SESSION_NAME_ATTRIBUTE} = \${user:email}`);
    expect(message).toContain(`Relay state: ${RELAY_STATE}`);
    expect(world.service.requests).toHaveLength(0);
    expect(world.bucket.puts()).toBe(0);
  });

  it('dry run plans the manual step', async () => {
    const receipt = await applyAttributeMapping(adminDocument({ profile: manualProfile(), request: { dryRun: true } }), world.deps);
    expect(receipt.action).toBe('planned');
    expect(world.service.requests).toHaveLength(0);
  });
});
