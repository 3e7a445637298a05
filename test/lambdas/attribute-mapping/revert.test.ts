import { applyAttributeMapping } from '../../../lambdas/attribute-mapping/apply';
import type { AttributeMappingReceipt } from '../../../lambdas/attribute-mapping/receipt';
import { revertAttributeMapping } from '../../../lambdas/attribute-mapping/revert';
import type { ExecutionDocument } from '../../../lambdas/shared/document';
import { ROLE_ATTRIBUTE, ROLE_SESSION_NAME_ATTRIBUTE } from '../../../lambdas/shared/profile-schema';
import type { SimulatedAccount } from '../../../simulated-account';
import {
  adminAccount,
  adminDocument,
  consoleConfigured,
  DEPARTMENT,
  depsOf,
  INSTANCE_ID,
  manualProfile,
  overwritingProfile,
  stored,
  swbWrites,
} from './helpers/world';

const failure = { Error: 'Notify.Failed', Cause: 'later step failed' };

function withReceipt(doc: ExecutionDocument, receipt: AttributeMappingReceipt): ExecutionDocument {
  return { ...doc, receipts: { ...doc.receipts, attributeMapping: receipt }, failure };
}

describe('fields the pipeline does not own', () => {
  /** What someone set in the console beside the attributes: a relay state by hand, an 8-hour session, fields unknown to this code. */
  function handConfigured() {
    const configuration = consoleConfigured() as ReturnType<typeof consoleConfigured> & Record<string, any>;
    configuration.responseConfig.relayState = 'https://example.com/set-by-hand';
    configuration.responseConfig.ttl = 'PT8H';
    // Members of the console's model the pipeline does not know (console-api-shapes.ts): carried through untouched.
    configuration.responseConfig.properties[DEPARTMENT]!.transforms = ['trim'];
    configuration.responseSchemaConfig.supportedNameIdFormats = ['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'];
    return configuration;
  }

  it('keeps a relay state set by hand, the session duration and the members it does not own through a mapping update and its revert', async () => {
    const account = adminAccount({ configuration: handConfigured() });
    const before = account.snapshot();
    // A profile that names no relay state (nor a Connect instance to derive one from) does not own it.
    const { relayState: _none, ...profile } = adminDocument().profile;
    const doc = adminDocument({ profile });
    const receipt = await applyAttributeMapping(doc, depsOf(account));
    expect(receipt.action).toBe('updated');

    const written = stored(account) as ReturnType<typeof handConfigured>;
    expect(written.responseConfig.properties[ROLE_ATTRIBUTE]!.source[0]).toContain('AmazonConnectAdminAccessRole');
    expect(written.responseConfig.relayState).toBe('https://example.com/set-by-hand');
    expect(written.responseConfig.ttl).toBe('PT8H');
    expect(written.responseConfig.properties[DEPARTMENT]).toEqual({ source: ['${user:department}'], transforms: ['trim'] });
    expect(written.responseSchemaConfig.supportedNameIdFormats).toEqual(['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress']);

    await revertAttributeMapping(withReceipt(doc, receipt), depsOf(account));
    expect(stored(account)).toEqual(handConfigured());
    expect(account.snapshot()).toEqual(before);
  });

  it("replaces a hand-set relay state with the profile's, keeping the rest, and its revert puts the hand-set one back", async () => {
    const account = adminAccount({ configuration: handConfigured() });
    const doc = adminDocument();
    const receipt = await applyAttributeMapping(doc, depsOf(account));
    expect(stored(account).responseConfig.relayState).toBe(doc.profile.relayState);
    expect(stored(account).responseConfig.properties[DEPARTMENT]!.transforms).toEqual(['trim']);
    expect(receipt.changes).toEqual(expect.arrayContaining([`relay state ${doc.profile.relayState}: written and read back`]));
    await revertAttributeMapping(withReceipt(doc, receipt), depsOf(account));
    expect(stored(account)).toEqual(handConfigured());
  });
});

describe('AttributeMapping revert when the console API returns the mapping', () => {
  let account: SimulatedAccount;
  beforeEach(() => {
    account = adminAccount();
  });

  it('restores the previous configuration from the receipt, leaving the account as it was', async () => {
    const before = account.snapshot();
    const doc = adminDocument();
    const receipt = await applyAttributeMapping(doc, depsOf(account));
    const report = await revertAttributeMapping(withReceipt(doc, receipt), depsOf(account));
    expect(report).toMatchObject({ step: 'attributeMapping', action: 'restored' });
    expect(stored(account)).toEqual(consoleConfigured());
    expect(account.snapshot()).toEqual(before);
  });

  it('a second revert makes no write', async () => {
    const doc = adminDocument();
    const reverting = withReceipt(doc, await applyAttributeMapping(doc, depsOf(account)));
    await revertAttributeMapping(reverting, depsOf(account));
    account.clearCalls();
    const report = await revertAttributeMapping(reverting, depsOf(account));
    expect(report.action).toBe('nothing-to-do');
    expect(account.mutatingCalls()).toEqual([]);
  });

  it('restores without a receipt when apply threw after the response configuration was written (schema refused)', async () => {
    account.faults.inject({ service: 'swb', operation: 'UpdateApplicationInstanceResponseSchemaConfiguration', error: 'ValidationException' });
    const doc = adminDocument();
    await expect(applyAttributeMapping(doc, depsOf(account))).rejects.toMatchObject({ name: 'Mapping.Rejected' });
    expect(stored(account).responseConfig.properties[ROLE_ATTRIBUTE]).not.toEqual(consoleConfigured().responseConfig.properties[ROLE_ATTRIBUTE]);
    account.clearCalls();

    const report = await revertAttributeMapping({ ...doc, failure: { Error: 'Mapping.Rejected', Cause: 'schema refused' } }, depsOf(account));
    expect(report.action).toBe('restored');
    expect(stored(account)).toEqual(consoleConfigured());
    // Only the half that differed is written back.
    expect(swbWrites(account)).toEqual(['UpdateApplicationInstanceResponseConfiguration']);
  });

  it('does nothing when apply left the mapping unchanged, planned it, or never got to write', async () => {
    await applyAttributeMapping(adminDocument(), depsOf(account));
    account.clearCalls();
    const second = adminDocument({ request: { executionName: 'exec-0002' } });
    const unchanged = await applyAttributeMapping(second, depsOf(account));
    expect(unchanged.action).toBe('unchanged');
    expect((await revertAttributeMapping(withReceipt(second, unchanged), depsOf(account))).action).toBe('nothing-to-do');

    const planned = adminDocument({ request: { dryRun: true, executionName: 'exec-0003' } });
    expect((await revertAttributeMapping(withReceipt(planned, await applyAttributeMapping(planned, depsOf(account))), depsOf(account))).action).toBe(
      'nothing-to-do',
    );

    const neverWrote = adminDocument({ request: { executionName: 'exec-0004' } });
    expect(await revertAttributeMapping({ ...neverWrote, failure }, depsOf(account))).toMatchObject({ action: 'nothing-to-do' });
    expect(account.mutatingCalls()).toEqual([]);
  });

  it('manual mode: writes nothing and tells the operator what to undo by hand', async () => {
    const doc = adminDocument({ profile: manualProfile() });
    const receipt = await applyAttributeMapping(doc, depsOf(account));
    const report = await revertAttributeMapping(withReceipt(doc, receipt), depsOf(account));
    expect(report.action).toBe('nothing-to-do');
    expect(report.changes.join('\n')).toMatch(/"Amazon Connect admins".*by hand/);
    expect(account.mutatingCalls()).toEqual([]);
  });

  it('when the previous mapping was unknown and the API now returns one, removes only the pipeline attributes', async () => {
    account = adminAccount({ configuration: null });
    const doc = adminDocument({ profile: overwritingProfile() });
    const receipt = await applyAttributeMapping(doc, depsOf(account));
    expect(receipt.previous).toEqual({ source: 'unknown' });
    // Someone adds an attribute in the console after the apply.
    const now = stored(account);
    now.responseConfig.properties[DEPARTMENT] = { source: ['${user:department}'] };
    now.responseSchemaConfig.properties[DEPARTMENT] = { attrNameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic', include: 'YES' };
    account.setApplicationConfiguration(INSTANCE_ID, now);

    const report = await revertAttributeMapping(withReceipt(doc, receipt), depsOf(account));
    expect(report.action).toBe('restored');
    expect(Object.keys(stored(account).responseConfig.properties)).toEqual([DEPARTMENT]);
    expect(Object.keys(stored(account).responseSchemaConfig.properties)).toEqual([DEPARTMENT]);
    expect(report.changes.join('\n')).toMatch(/could not be restored/);
  });
});

describe('AttributeMapping revert when the console API does not return the mapping', () => {
  let account: SimulatedAccount;
  beforeEach(() => {
    account = adminAccount({ swbReturnsConfiguration: false });
  });

  it('writes nothing back over a mapping it cannot read, and says what to put back from the record', async () => {
    const first = adminDocument({ profile: overwritingProfile(), request: { executionName: 'exec-0001' } });
    await applyAttributeMapping(first, depsOf(account));
    const afterFirst = stored(account);
    const changedProfile = adminDocument({ profile: overwritingProfile(), request: { executionName: 'exec-0002' } });
    changedProfile.profile.attributeMapping.attributes = { [ROLE_SESSION_NAME_ATTRIBUTE]: '${user:subject}' };
    const receipt = await applyAttributeMapping(changedProfile, depsOf(account));
    expect(receipt.previous).toEqual({ source: 'pipeline-state', configuration: afterFirst });
    const written = stored(account);
    account.clearCalls();

    const report = await revertAttributeMapping(withReceipt(changedProfile, receipt), depsOf(account));

    // Someone may have changed it since: a revert restores only over its own write, and it cannot see this one.
    expect(report.action).toBe('left-in-place');
    expect(account.mutatingCalls({ service: 'swb' })).toEqual([]);
    expect(stored(account)).toEqual(written);
    const left = report.leftInPlace!.join('\n');
    expect(left).toContain('does not return its current mapping');
    // What to put back: the first execution's attribute, from the record.
    expect(left).toContain(`attribute ${ROLE_ATTRIBUTE}`);
  });

  it('without a receipt, leaves the half the failed apply began to write, naming it', async () => {
    const first = adminDocument({ profile: overwritingProfile(), request: { executionName: 'exec-0001' } });
    await applyAttributeMapping(first, depsOf(account));

    const changed = adminDocument({ profile: overwritingProfile(), request: { executionName: 'exec-0002' } });
    changed.profile.attributeMapping.attributes = { [ROLE_SESSION_NAME_ATTRIBUTE]: '${user:subject}' };
    account.faults.inject({ service: 'swb', operation: 'UpdateApplicationInstanceResponseConfiguration', error: 'InternalServerException' });
    await expect(applyAttributeMapping(changed, depsOf(account))).rejects.toMatchObject({ name: 'Mapping.ServiceError' });
    account.clearCalls();

    const report = await revertAttributeMapping({ ...changed, failure: { Error: 'Mapping.ServiceError', Cause: 'boom' } }, depsOf(account));
    expect(report.action).toBe('left-in-place');
    expect(report.leftInPlace!.join('\n')).toContain('(responseConfig)');
    expect(account.mutatingCalls({ service: 'swb' })).toEqual([]);
  });
});
