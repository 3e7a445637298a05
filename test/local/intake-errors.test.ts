import { runLocalExecution } from '../../local/runner';
import { SIMULATED_BUCKET, simulatedServices } from '../../local/simulated-services';
import type { SimulatedAccount } from '../../simulated-account';
import { NOW } from '../lambdas/intake/fixtures';
import { hostileFiles } from '../lambdas/intake/hostile-files';
import { config, execute, metadataV1, metadataV2, resources, startingAccount } from './workflow-harness';

/**
 * Every Intake refusal, through the real state machine: the execution fails with Intake's own error name, nothing in
 * the account changes, no lock is taken, and the administrator is told the metadata was rejected.
 */
async function expectRejected(account: SimulatedAccount, before: unknown, run: () => ReturnType<typeof execute>, errorName: string) {
  const result = await run();
  expect({ status: result.status, error: result.error }).toEqual({ status: 'FAILED', error: errorName });
  expect(account.mutatingCalls()).toEqual([]);
  expect(resources(account)).toEqual(before);
  expect(account.notifications.messages.map((m) => m.subject)).toEqual(['SAML federation: metadata rejected']);
  return result;
}

describe('each Intake error, through the state machine', () => {
  // The fixtures' certificates and validUntil dates are set against the Intake tests' fixed "now".
  it.each(hostileFiles().map((file) => [file.name, file] as const))('%s', async (_name, file) => {
    const account = await startingAccount('empty account');
    // The simulated S3 reports the stored size, so an oversized object is stored at its full size.
    const body =
      file.contentLength && file.contentLength > file.body.length
        ? Buffer.concat([file.body, Buffer.alloc(file.contentLength - file.body.length, 0x20)])
        : file.body;
    const before = resources(account);
    const result = await expectRejected(account, before, () => execute(account, { xml: body, clock: () => NOW }), file.error);
    if (file.message) expect(result.cause).toMatch(file.message);
  });

  it("Metadata.WrongApplication: the admin application's metadata dropped under metadata/agent/", async () => {
    const account = await startingAccount('empty account');
    const before = resources(account);
    const result = await expectRejected(account, before, () => execute(account, { key: 'metadata/agent/idp.xml' }), 'Metadata.WrongApplication');
    expect(result.cause).toContain("profile admin's application");
  });

  it('Request.NotCurrentVersion: a manual start of an older version of the metadata', async () => {
    const account = await startingAccount('empty account');
    const older = account.putObject(SIMULATED_BUCKET, 'metadata/admin/idp.xml', metadataV1);
    account.putObject(SIMULATED_BUCKET, 'metadata/admin/idp.xml', metadataV2);
    account.clearCalls();
    const before = resources(account);
    const input = { bucket: SIMULATED_BUCKET, key: 'metadata/admin/idp.xml', versionId: older };
    const start = () => runLocalExecution({ services: simulatedServices(account), config, input, executionName: 'manual-older', retryIntervalMs: 0 });
    const result = await expectRejected(account, before, start, 'Request.NotCurrentVersion');
    expect(result.cause).toContain('allowOlderVersion');
  });

  it("Request.UnknownProfile: an upload outside every profile's prefix", async () => {
    const account = await startingAccount('empty account');
    const before = resources(account);
    const result = await expectRejected(account, before, () => execute(account, { key: 'metadata/billing/idp.xml' }), 'Request.UnknownProfile');
    expect(result.cause).toContain('admin, agent');
  });

  it.each([
    ['Request.Invalid: a manual input without a key', { bucket: SIMULATED_BUCKET }, 'Request.Invalid'],
    ['Request.Invalid: an event of another kind', { 'detail-type': 'Object Deleted', source: 'aws.s3', detail: {} }, 'Request.Invalid'],
    ['Request.Invalid: an input that is a string, not a JSON object', 'metadata/admin/idp.xml', 'Request.Invalid'],
    ['Request.Invalid: an input that is a list', [{ bucket: SIMULATED_BUCKET, key: 'metadata/admin/idp.xml' }], 'Request.Invalid'],
    ['Request.Invalid: an input that is a number', 42, 'Request.Invalid'],
    ['Request.ObjectNotFound: a key never uploaded', { bucket: SIMULATED_BUCKET, key: 'metadata/admin/missing.xml' }, 'Request.ObjectNotFound'],
    [
      'Request.ObjectNotFound: a version that does not exist',
      { bucket: SIMULATED_BUCKET, key: 'metadata/admin/idp.xml', versionId: 'no-such-version' },
      'Request.ObjectNotFound',
    ],
  ] as const)('%s', async (_name, input, errorName) => {
    const account = await startingAccount('empty account');
    account.putObject(SIMULATED_BUCKET, 'metadata/admin/idp.xml', metadataV1);
    account.clearCalls();
    const before = resources(account);
    await expectRejected(
      account,
      before,
      () => runLocalExecution({ services: simulatedServices(account), config, input, executionName: `manual-${errorName}`, retryIntervalMs: 0 }),
      errorName,
    );
  });
});
