import { applyAttributeMapping } from '../../../lambdas/attribute-mapping/apply';
import type { AttributeMappingReceipt } from '../../../lambdas/attribute-mapping/receipt';
import type { ResolvedProfile } from '../../../lambdas/shared/profile';
import { EMAIL_NAME_ID_FORMAT, ROLE_ATTRIBUTE, ROLE_SESSION_NAME_ATTRIBUTE } from '../../../lambdas/shared/profile-schema';
import type { SimulatedAccount } from '../../../simulated-account';
import { exampleProfile } from '../../helpers/document';
import { plantRecord, recordJson } from '../../helpers/records';
import {
  APP,
  adminAccount,
  adminDocument,
  consoleConfigured,
  DEPARTMENT,
  depsOf,
  INSTANCE_ID,
  JOURNAL_KEY,
  manualProfile,
  overwritingProfile,
  PROVIDER_ARN,
  ROLE_ARN,
  STATE_KEY,
  servicesCalled,
  stored,
  swbWrites,
  writes,
} from './helpers/world';

const ROLE_VALUE = `${ROLE_ARN},${PROVIDER_ARN}`;
const RELAY_STATE = exampleProfile('admin').relayState!;
const withoutRelayState = (profile: ResolvedProfile): ResolvedProfile => {
  const { relayState: _omitted, ...rest } = profile;
  return rest;
};

/** A saved mapping as an earlier run of the pipeline leaves it. */
function savedState(instanceId: string, configuration = consoleConfigured()): object {
  return {
    profile: 'admin',
    applicationArn: instanceId === INSTANCE_ID ? APP : 'x',
    instanceId,
    configuration,
    executionName: 'exec-0000',
    writtenBy: 'apply',
    writtenAt: '2030-01-01T00:00:00.000Z',
  };
}

describe('AttributeMapping apply, api mode', () => {
  let account: SimulatedAccount;
  beforeEach(() => {
    account = adminAccount();
  });

  it('sets the Role and RoleSessionName attributes, keeps the attributes the profile does not manage and touches nothing else', async () => {
    const before = account.snapshot();
    const receipt = await applyAttributeMapping(adminDocument(), depsOf(account));

    const expected = consoleConfigured();
    expected.responseConfig.properties[ROLE_ATTRIBUTE] = { source: [ROLE_VALUE] };
    expected.responseConfig.properties[ROLE_SESSION_NAME_ATTRIBUTE] = { source: ['${user:email}'] };
    expected.responseSchemaConfig.properties[ROLE_SESSION_NAME_ATTRIBUTE] = expected.responseSchemaConfig.properties[ROLE_ATTRIBUTE]!;
    expected.responseConfig.relayState = RELAY_STATE;
    // The whole account: only the admin application's mapping changed (the agent application, IAM, the bucket's
    // objects outside the pipeline's bookkeeping are as they were).
    expect(account.snapshot()).toEqual({ ...before, swb: { ...before.swb, [INSTANCE_ID]: expected } });
    expect(stored(account).responseSchemaConfig.subject).toEqual({ include: 'REQUIRED', nameIdFormat: EMAIL_NAME_ID_FORMAT });
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

  it('writes the journal, with the previous configuration, before each write to the console API', async () => {
    await applyAttributeMapping(adminDocument(), depsOf(account));
    expect(writes(account)).toEqual([
      `records PutItem ${JOURNAL_KEY().pk}`,
      'swb UpdateApplicationInstanceResponseConfiguration',
      `records PutItem ${JOURNAL_KEY().pk}`,
      'swb UpdateApplicationInstanceResponseSchemaConfiguration',
      `records PutItem ${STATE_KEY.pk}`,
    ]);
    expect(recordJson(account, JOURNAL_KEY())).toMatchObject({
      step: 'attributeMapping',
      previous: { source: 'api', configuration: consoleConfigured() },
      details: { attempted: ['responseConfig', 'responseSchemaConfig'] },
    });
  });

  it('saves what it wrote in the record table, under the profile, for the next run and for a revert', async () => {
    const receipt = await applyAttributeMapping(adminDocument(), depsOf(account));
    expect(recordJson(account, STATE_KEY)).toMatchObject({
      profile: 'admin',
      applicationArn: APP,
      instanceId: INSTANCE_ID,
      configuration: stored(account),
      executionName: 'exec-0001',
      writtenBy: 'apply',
    });
    expect(receipt.details.configuration).toEqual(stored(account));
  });

  it('makes no write at all when the mapping already matches', async () => {
    await applyAttributeMapping(adminDocument(), depsOf(account));
    account.clearCalls();

    const receipt = await applyAttributeMapping(adminDocument({ request: { executionName: 'exec-0002' } }), depsOf(account));
    expect(receipt.action).toBe('unchanged');
    expect(account.mutatingCalls()).toEqual([]);
  });

  it('writes only the half that differs', async () => {
    await applyAttributeMapping(adminDocument(), depsOf(account));
    const written = stored(account);
    // Someone changes the Role attribute's format in the console; its value is still right.
    const changedFormat = stored(account);
    changedFormat.responseSchemaConfig.properties[ROLE_ATTRIBUTE] = {
      attrNameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
      include: 'YES',
    };
    account.setApplicationConfiguration(INSTANCE_ID, changedFormat);
    account.clearCalls();

    await applyAttributeMapping(adminDocument({ request: { executionName: 'exec-0002' } }), depsOf(account));
    expect(swbWrites(account)).toEqual(['UpdateApplicationInstanceResponseSchemaConfiguration']);
    expect(stored(account)).toEqual(written);
  });

  it('writes the relay state with the mapping and claims it only after reading it back', async () => {
    const receipt = await applyAttributeMapping(adminDocument(), depsOf(account));
    expect(stored(account).responseConfig.relayState).toBe(RELAY_STATE);
    expect(receipt.changes.filter((line) => line.includes('relay state'))).toEqual([`relay state ${RELAY_STATE}: written and read back`]);
    expect(receipt.details).toMatchObject({ relayState: RELAY_STATE, relayStateStatus: 'written and read back' });
    // The write is followed by a read: the last console API call of the step.
    expect(account.calls.filter((call) => call.service === 'swb').at(-1)?.operation).toBe('GetApplicationInstance');

    // A rerun that changes nothing writes nothing and says nothing of it.
    const rerun = await applyAttributeMapping(adminDocument({ request: { executionName: 'exec-0002' } }), depsOf(account));
    expect(rerun).toMatchObject({ action: 'unchanged', changes: [], details: { relayState: RELAY_STATE, relayStateStatus: 'already set' } });
  });

  it('says plainly that it could not confirm the relay state, and where to set it, when the read-back does not show it', async () => {
    account = adminAccount({ swbKeepsRelayState: false });
    const receipt = await applyAttributeMapping(adminDocument(), depsOf(account));
    const line = receipt.changes.find((change) => change.includes('relay state'));
    expect(line).toContain(`relay state ${RELAY_STATE}: could not confirm it was written (the read-back shows no relay state)`);
    expect(line).toContain('Edit configuration > Application properties > Relay state');
    expect(receipt.details.relayStateStatus).toBe('not confirmed');
    expect(receipt.changes.join('\n')).not.toContain('written and read back');
  });

  it('cannot confirm the relay state when the console API returns no configuration, and says so', async () => {
    account = adminAccount({ swbReturnsConfiguration: false });
    const receipt = await applyAttributeMapping(adminDocument({ profile: overwritingProfile() }), depsOf(account));
    expect(receipt.details.relayStateStatus).toBe('not confirmed');
    expect(receipt.changes).toEqual(expect.arrayContaining([expect.stringContaining('the console API did not return the configuration')]));
  });

  it('mentions no relay state when the profile has none', async () => {
    const receipt = await applyAttributeMapping(adminDocument({ profile: withoutRelayState(exampleProfile('admin')) }), depsOf(account));
    expect(receipt.action).toBe('updated');
    expect(receipt.changes.some((line) => line.includes('relay state'))).toBe(false);
    expect(receipt.details).not.toHaveProperty('relayState');
  });

  it('dry run: plans the mapping and writes nothing, not even the journal', async () => {
    const before = account.snapshot({ excludePrefixes: [] });
    const receipt = await applyAttributeMapping(adminDocument({ request: { dryRun: true } }), depsOf(account));
    expect(receipt.action).toBe('planned');
    expect(receipt.changes).toEqual(expect.arrayContaining([expect.stringContaining(`attribute ${ROLE_ATTRIBUTE} = ${ROLE_VALUE}`)]));
    expect(account.mutatingCalls()).toEqual([]);
    expect(account.snapshot({ excludePrefixes: [] })).toEqual(before);
  });

  it('surfaces console API throttling as Mapping.Throttled, and the refused write changes nothing', async () => {
    account.faults.inject({ service: 'swb', operation: 'UpdateApplicationInstanceResponseConfiguration', error: 'ThrottlingException' });
    await expect(applyAttributeMapping(adminDocument(), depsOf(account))).rejects.toMatchObject({ name: 'Mapping.Throttled' });
    expect(stored(account)).toEqual(consoleConfigured());
  });

  it('a retry after a half-done attempt keeps the configuration from before the first attempt as previous, and writes the missing half', async () => {
    account.faults.inject({ service: 'swb', operation: 'UpdateApplicationInstanceResponseSchemaConfiguration', error: 'ThrottlingException' });
    await expect(applyAttributeMapping(adminDocument(), depsOf(account))).rejects.toMatchObject({ name: 'Mapping.Throttled' });
    expect(stored(account).responseConfig).not.toEqual(consoleConfigured().responseConfig);
    account.clearCalls();

    const receipt = await applyAttributeMapping(adminDocument(), depsOf(account));
    expect(receipt.action).toBe('updated');
    expect(receipt.previous).toEqual({ source: 'api', configuration: consoleConfigured() });
    expect(swbWrites(account)).toEqual(['UpdateApplicationInstanceResponseSchemaConfiguration']);
  });

  it('a retry that finds everything written (the last answer was lost) still reports the change, so that a rollback undoes it', async () => {
    account.faults.inject({
      service: 'swb',
      operation: 'UpdateApplicationInstanceResponseSchemaConfiguration',
      error: 'InternalServerException',
      afterEffect: true,
    });
    await expect(applyAttributeMapping(adminDocument(), depsOf(account))).rejects.toMatchObject({ name: 'Mapping.ServiceError' });
    const written = stored(account);
    account.clearCalls();

    const receipt = await applyAttributeMapping(adminDocument(), depsOf(account));
    expect(receipt.action).toBe('updated');
    expect(receipt.previous).toEqual({ source: 'api', configuration: consoleConfigured() });
    expect(swbWrites(account)).toEqual([]);
    expect(stored(account)).toEqual(written);
  });

  it('a second run of the same execution after a success still reports the change, so that a rollback undoes it', async () => {
    await applyAttributeMapping(adminDocument(), depsOf(account));
    const receipt = await applyAttributeMapping(adminDocument(), depsOf(account));
    expect(receipt.action).toBe('updated');
    expect(receipt.previous).toEqual({ source: 'api', configuration: consoleConfigured() });
  });

  it('fails with the lookup error, before any write, when the application is disabled', async () => {
    account = adminAccount({ status: 'DISABLED' });
    await expect(applyAttributeMapping(adminDocument(), depsOf(account))).rejects.toMatchObject({ name: 'Mapping.ApplicationDisabled' });
    // Not even a read of the console API or the bucket: only the lookup ran.
    expect(servicesCalled(account)).toEqual(['sso-admin']);
    expect(account.mutatingCalls()).toEqual([]);
  });
});

describe('AttributeMapping apply when the console API does not return the mapping, with attributeMapping.onUnreadable "overwrite"', () => {
  let account: SimulatedAccount;
  beforeEach(() => {
    account = adminAccount({ swbReturnsConfiguration: false });
  });

  it('the first run writes the mapping and records that the previous values are unknown', async () => {
    const receipt = await applyAttributeMapping(adminDocument({ profile: overwritingProfile() }), depsOf(account));
    expect(receipt.action).toBe('updated');
    expect(receipt.previous).toEqual({ source: 'unknown' });
    expect(receipt.changes).toEqual(expect.arrayContaining([expect.stringContaining('previous values are unknown')]));
    expect(stored(account).responseConfig.properties[ROLE_ATTRIBUTE]).toEqual({ source: [ROLE_VALUE] });
  });

  it('the next run compares with what the pipeline last wrote and makes no write when it matches', async () => {
    await applyAttributeMapping(adminDocument({ profile: overwritingProfile() }), depsOf(account));
    account.clearCalls();
    const receipt = await applyAttributeMapping(
      adminDocument({ profile: overwritingProfile(), request: { executionName: 'exec-0002' } }),
      depsOf(account),
    );
    expect(receipt).toMatchObject({ action: 'unchanged', previous: { source: 'pipeline-state' } });
    expect(account.mutatingCalls()).toEqual([]);
  });

  it('merges onto the saved state, keeping an attribute the pipeline does not manage', async () => {
    await plantRecord(account, STATE_KEY, savedState(INSTANCE_ID));
    const receipt = await applyAttributeMapping(adminDocument({ profile: overwritingProfile() }), depsOf(account));
    expect(receipt.previous).toEqual({ source: 'pipeline-state', configuration: consoleConfigured() });
    expect(stored(account).responseConfig.properties[DEPARTMENT]).toEqual({ source: ['${user:department}'] });
  });

  it('ignores a saved state that belongs to another application', async () => {
    await plantRecord(account, STATE_KEY, savedState('ins-0000000000000000'));
    const receipt = await applyAttributeMapping(adminDocument({ profile: overwritingProfile() }), depsOf(account));
    expect(receipt.previous).toEqual({ source: 'unknown' });
  });
});

describe('AttributeMapping apply when the console API does not return the mapping', () => {
  let account: SimulatedAccount;
  beforeEach(() => {
    account = adminAccount({ swbReturnsConfiguration: false });
  });

  it('by default fails before writing (Mapping.CurrentUnreadable), saying what a write would replace and naming the setting', async () => {
    const error = await applyAttributeMapping(adminDocument(), depsOf(account)).catch((thrown: Error) => thrown);
    expect(error).toMatchObject({ name: 'Mapping.CurrentUnreadable' });
    expect((error as Error).message).toMatch(/replaces it whole.*session duration.*attributeMapping\.onUnreadable.*"manual".*"overwrite"/);
    expect(account.mutatingCalls()).toEqual([]);
    expect(stored(account)).toEqual(consoleConfigured());
  });

  it('a dry run plans the refusal instead of failing', async () => {
    const receipt = await applyAttributeMapping(adminDocument({ request: { dryRun: true } }), depsOf(account));
    expect(receipt.action).toBe('planned');
    expect(receipt.changes[0]).toMatch(/^would stop before writing: the console API did not return/);
  });

  it('with onUnreadable "manual", hands the mapping to an operator and says why', async () => {
    const profile = exampleProfile('admin');
    const manualWhenUnreadable = { ...profile, attributeMapping: { ...profile.attributeMapping, onUnreadable: 'manual' as const } };
    const receipt = await applyAttributeMapping(adminDocument({ profile: manualWhenUnreadable }), depsOf(account));
    expect(receipt.action).toBe('pending-confirmation');
    expect(receipt.details.manual?.message).toContain(ROLE_VALUE);
    expect(receipt.changes.join('\n')).toContain('attributeMapping.onUnreadable is "manual"');
    expect(swbWrites(account)).toEqual([]);
  });

  it('writes the mapping of an application this execution created: there is nothing to lose', async () => {
    const receipt = await applyAttributeMapping(
      adminDocument({ receipts: { application: { step: 'application', action: 'created', arn: APP, changes: [] } } }),
      depsOf(account),
    );
    expect(receipt.action).toBe('updated');
    expect(stored(account).responseConfig.properties[ROLE_ATTRIBUTE]).toEqual({ source: [ROLE_VALUE] });
  });
});

describe('AttributeMapping apply, manual mode', () => {
  let account: SimulatedAccount;
  beforeEach(() => {
    account = adminAccount();
  });

  it('hands the exact mapping to the state machine and writes nothing', async () => {
    const receipt: AttributeMappingReceipt = await applyAttributeMapping(adminDocument({ profile: manualProfile() }), depsOf(account));
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
    // Only the lookup: the console API and the bucket are not even read.
    expect(servicesCalled(account)).toEqual(['sso-admin']);
    expect(account.mutatingCalls()).toEqual([]);
  });

  it('dry run plans the manual step', async () => {
    const receipt = await applyAttributeMapping(adminDocument({ profile: manualProfile(), request: { dryRun: true } }), depsOf(account));
    expect(receipt.action).toBe('planned');
    expect(servicesCalled(account)).toEqual(['sso-admin']);
  });
});
