import { createHash } from 'node:crypto';
import { applyIdentityProvider } from '../../../lambdas/identity-provider/apply';
import type { IdentityProviderPrevious } from '../../../lambdas/identity-provider/provider';
import { revertIdentityProvider } from '../../../lambdas/identity-provider/revert';
import type { ExecutionDocument, Receipt } from '../../../lambdas/shared/document';
import { writeJournal } from '../../../lambdas/shared/journal';
import type { FaultSpec, SimulatedAccount } from '../../../simulated-account';
import {
  accountWithUpload,
  BUCKET,
  iamWrites,
  inputsOf,
  METADATA_V1,
  METADATA_V2,
  onKeysUnder,
  operations,
  providerArn,
  type StepAccount,
  seedProvider,
  tagsOfExecution,
} from '../../helpers/step-account';

const NAME = 'AmazonConnectAdminAccess';
const ARN = providerArn(NAME);
const BACKUP_KEY = 'backups/exec-0001/identity-provider.xml';
const LATER_STEP_FAILED = { Error: 'States.TaskFailed', Cause: 'a later step failed' };

const deps = (account: SimulatedAccount) => account.clients();
const providerIn = (account: SimulatedAccount) => account.snapshot().iam.samlProviders[ARN];

/** The execution document the revert gets after a later step failed, with the IdentityProvider receipt as given. */
function withReceipt(world: StepAccount, receipt: Partial<Receipt<IdentityProviderPrevious>>): ExecutionDocument {
  return world.document({
    receipts: { identityProvider: { step: 'identityProvider', arn: ARN, changes: [], action: 'created', ...receipt } },
    failure: LATER_STEP_FAILED,
  });
}

/** The execution document the revert gets when the apply step itself threw: no receipt. */
const withoutReceipt = (world: StepAccount) => world.document({ failure: { Error: 'ServiceFailureException', Cause: 'IdentityProvider failed' } });

/** The pre-execution document backed up as the apply step backs it up; returns the `previous` that points at it. */
function backedUp(account: SimulatedAccount, document: string): IdentityProviderPrevious {
  const versionId = account.putObject(BUCKET, BACKUP_KEY, document, { contentType: 'application/samlmetadata+xml' });
  return {
    backup: { bucket: BUCKET, key: BACKUP_KEY, versionId },
    sha256: createHash('sha256').update(document, 'utf8').digest('hex'),
    characters: document.length,
  };
}

/** This execution's journal entry, written as the apply step writes it before its change. */
async function journaled(world: StepAccount, previous?: IdentityProviderPrevious): Promise<void> {
  const intent = [previous === undefined ? `create SAML provider ${NAME}` : `replace the metadata of SAML provider ${NAME}`];
  await world.account.seed(({ records }) =>
    writeJournal(records, world.document().request, {
      step: 'identityProvider',
      intent,
      details: { arn: ARN, name: NAME },
      ...(previous ? { previous } : {}),
    }),
  );
}

describe('revertIdentityProvider', () => {
  it('deletes a provider the receipt says this execution created and whose tags agree', async () => {
    const world = accountWithUpload();
    await seedProvider(world.account, NAME, METADATA_V2, tagsOfExecution());

    const report = await revertIdentityProvider(withReceipt(world, { action: 'created' }), deps(world.account));

    expect(report).toEqual({
      step: 'identityProvider',
      action: 'deleted',
      changes: ['deleted SAML provider AmazonConnectAdminAccess, created by this execution'],
    });
    expect(inputsOf(world.account, 'DeleteSAMLProvider')).toEqual([{ SAMLProviderArn: ARN }]);
    expect(providerIn(world.account)).toBeUndefined();
  });

  it('never deletes a provider whose tags name another execution, even if the receipt says created, and reports it left in place', async () => {
    const world = accountWithUpload();
    await seedProvider(world.account, NAME, METADATA_V2, tagsOfExecution('exec-earlier'));
    const before = world.account.snapshot();

    const report = await revertIdentityProvider(withReceipt(world, { action: 'created' }), deps(world.account));

    expect(report.action).toBe('left-in-place');
    expect(report.leftInPlace?.[0]).toMatch(/its tags name another execution, so it was re-created since/);
    expect(operations(world.account, 'iam')).toEqual(['GetSAMLProvider']);
    expect(world.account.snapshot()).toEqual(before);
  });

  it('deletes the provider its receipt says it created though IAM kept no tags on it (an IAM that drops tags), and says so', async () => {
    const world = accountWithUpload();
    const before = world.account.snapshot();
    await seedProvider(world.account, NAME, METADATA_V2);

    const report = await revertIdentityProvider(withReceipt(world, { action: 'created' }), deps(world.account));

    expect(report).toMatchObject({
      action: 'deleted',
      changes: [expect.any(String), expect.stringMatching(/its tags did not name execution exec-0001/)],
    });
    expect(world.account.snapshot()).toEqual(before);
  });

  it('has nothing to do when the created provider is already gone', async () => {
    const world = accountWithUpload();

    await expect(revertIdentityProvider(withReceipt(world, { action: 'created' }), deps(world.account))).resolves.toMatchObject({
      action: 'nothing-to-do',
    });
    expect(operations(world.account, 'iam')).toEqual(['GetSAMLProvider']);
  });

  it('makes no call at all when the apply step only planned (a dry run never journals)', async () => {
    const world = accountWithUpload();

    const report = await revertIdentityProvider(withReceipt(world, { action: 'planned' }), deps(world.account));

    expect(report.action).toBe('nothing-to-do');
    expect(world.account.calls).toEqual([]);
  });

  it('touches no provider when the apply step was unchanged and no attempt of it journaled a change', async () => {
    const world = accountWithUpload();
    await seedProvider(world.account, NAME, METADATA_V2, tagsOfExecution());

    const report = await revertIdentityProvider(withReceipt(world, { action: 'unchanged' }), deps(world.account));

    expect(report).toMatchObject({ action: 'nothing-to-do', changes: ['the IdentityProvider step changed nothing (unchanged)'] });
    expect(operations(world.account, 'iam')).toEqual([]);
    expect(operations(world.account, 's3')).toEqual([]);
    expect(operations(world.account, 'records')).toEqual(['GetItem']);
  });

  it('deletes the provider an earlier attempt created when the receipt says unchanged but the journal says created', async () => {
    const world = accountWithUpload();
    await journaled(world);
    await seedProvider(world.account, NAME, METADATA_V2, tagsOfExecution());

    await expect(revertIdentityProvider(withReceipt(world, { action: 'unchanged' }), deps(world.account))).resolves.toMatchObject({
      action: 'deleted',
    });
    expect(inputsOf(world.account, 'DeleteSAMLProvider')).toEqual([{ SAMLProviderArn: ARN }]);
    expect(providerIn(world.account)).toBeUndefined();
  });

  it('restores the journaled backup when the receipt says unchanged but an earlier attempt updated the provider', async () => {
    const world = accountWithUpload();
    await journaled(world, backedUp(world.account, METADATA_V1));
    await seedProvider(world.account, NAME, METADATA_V2);

    await expect(revertIdentityProvider(withReceipt(world, { action: 'unchanged' }), deps(world.account))).resolves.toMatchObject({
      action: 'restored',
    });
    expect(inputsOf(world.account, 'UpdateSAMLProvider')).toEqual([{ SAMLProviderArn: ARN, SAMLMetadataDocument: METADATA_V1 }]);
    expect(providerIn(world.account)).toMatchObject({ metadataDocument: METADATA_V1 });
  });

  it('puts the backed-up metadata back on a provider the execution updated, never deleting it', async () => {
    const world = accountWithUpload();
    await seedProvider(world.account, NAME, METADATA_V2, tagsOfExecution('exec-earlier'));
    const updated = providerIn(world.account)!;
    const previous = backedUp(world.account, METADATA_V1);

    const report = await revertIdentityProvider(withReceipt(world, { action: 'updated', previous }), deps(world.account));

    expect(report).toMatchObject({
      action: 'restored',
      changes: [`restored the previous metadata of SAML provider AmazonConnectAdminAccess from s3://${BUCKET}/${BACKUP_KEY}`],
    });
    expect(iamWrites(world.account)).toEqual(['UpdateSAMLProvider']);
    // The same provider (same id, same tags) with its previous document: users keep signing in through it.
    expect(providerIn(world.account)).toEqual({ ...updated, metadataDocument: METADATA_V1 });
  });

  it('writes nothing when the updated provider already has its previous metadata (second revert)', async () => {
    const world = accountWithUpload();
    await seedProvider(world.account, NAME, METADATA_V1, tagsOfExecution('exec-earlier'));
    const previous = backedUp(world.account, METADATA_V1);

    await expect(revertIdentityProvider(withReceipt(world, { action: 'updated', previous }), deps(world.account))).resolves.toMatchObject({
      action: 'nothing-to-do',
    });
    expect(operations(world.account, 'iam')).toEqual(['GetSAMLProvider']);
  });

  it('says where the backup is when a provider it updated has been deleted since', async () => {
    const world = accountWithUpload();
    const previous = backedUp(world.account, METADATA_V1);

    const error = await revertIdentityProvider(withReceipt(world, { action: 'updated', previous }), deps(world.account)).catch((e: Error) => e);

    expect(error).toMatchObject({ name: 'IdentityProvider.Vanished' });
    expect((error as Error).message).toContain(`s3://${BUCKET}/${BACKUP_KEY}`);
    expect(iamWrites(world.account)).toEqual([]);
  });

  describe('without a receipt (the apply step threw)', () => {
    it('has nothing to do when there is no journal entry either', async () => {
      const world = accountWithUpload();

      await expect(revertIdentityProvider(withoutReceipt(world), deps(world.account))).resolves.toMatchObject({ action: 'nothing-to-do' });
      expect(operations(world.account, 'iam')).toEqual([]);
    });

    it('deletes the provider the journal says it was creating, when its tags name this execution', async () => {
      const world = accountWithUpload();
      await journaled(world);
      await seedProvider(world.account, NAME, METADATA_V2, tagsOfExecution());

      await expect(revertIdentityProvider(withoutReceipt(world), deps(world.account))).resolves.toMatchObject({ action: 'deleted' });
      expect(inputsOf(world.account, 'DeleteSAMLProvider')).toEqual([{ SAMLProviderArn: ARN }]);
      expect(providerIn(world.account)).toBeUndefined();
    });

    it("leaves an untagged provider in place when only the journal says it set out to create one: it may be someone else's", async () => {
      const world = accountWithUpload();
      await journaled(world);
      await seedProvider(world.account, NAME, METADATA_V2);
      const before = world.account.snapshot();

      await expect(revertIdentityProvider(withoutReceipt(world), deps(world.account))).resolves.toMatchObject({
        action: 'left-in-place',
        leftInPlace: [expect.stringMatching(/set out to create it, but its tags do not name this execution/)],
      });
      expect(world.account.snapshot()).toEqual(before);
    });

    it('has nothing to do when the journaled creation never happened', async () => {
      const world = accountWithUpload();
      await journaled(world);

      await expect(revertIdentityProvider(withoutReceipt(world), deps(world.account))).resolves.toMatchObject({ action: 'nothing-to-do' });
      expect(iamWrites(world.account)).toEqual([]);
    });

    it('restores the backup the journal points at when the update went through', async () => {
      const world = accountWithUpload();
      await journaled(world, backedUp(world.account, METADATA_V1));
      await seedProvider(world.account, NAME, METADATA_V2);

      await expect(revertIdentityProvider(withoutReceipt(world), deps(world.account))).resolves.toMatchObject({ action: 'restored' });
      expect(inputsOf(world.account, 'UpdateSAMLProvider')).toEqual([{ SAMLProviderArn: ARN, SAMLMetadataDocument: METADATA_V1 }]);
      expect(providerIn(world.account)).toMatchObject({ metadataDocument: METADATA_V1 });
    });
  });
});

describe('apply then revert leaves the account as it started', () => {
  type StartingState = (world: StepAccount) => Promise<unknown>;
  const noProvider: StartingState = async () => undefined;
  const otherMetadata: StartingState = (world) => seedProvider(world.account, NAME, METADATA_V1, [{ Key: 'team', Value: 'identity' }]);
  const sameMetadata: StartingState = (world) => seedProvider(world.account, NAME, METADATA_V2);

  /** Runs the apply step; the document the revert then gets carries its receipt, or none when it threw. */
  const applied = async (world: StepAccount): Promise<ExecutionDocument> => {
    const receipt = await applyIdentityProvider(world.document(), deps(world.account)).catch(() => undefined);
    return world.document({ receipts: receipt ? { identityProvider: receipt } : {}, failure: LATER_STEP_FAILED });
  };

  /** A second revert (the state machine retrying it, or an operator re-running it) finds nothing left to do. */
  async function secondRevertIsANoOp(world: StepAccount, doc: ExecutionDocument): Promise<void> {
    world.account.clearCalls();
    await expect(revertIdentityProvider(doc, deps(world.account))).resolves.toMatchObject({ action: 'nothing-to-do' });
    expect(iamWrites(world.account)).toEqual([]);
  }

  it.each([
    ['no provider existed', noProvider],
    ['a provider with other metadata existed', otherMetadata],
    ['a provider with this metadata existed', sameMetadata],
  ])('when %s, and a second revert is a no-op', async (_case, arrange) => {
    const world = accountWithUpload();
    await arrange(world);
    const before = world.account.snapshot();

    const doc = await applied(world);
    expect(doc.receipts!.identityProvider).toBeDefined();
    await revertIdentityProvider(doc, deps(world.account));
    expect(world.account.snapshot()).toEqual(before);

    await secondRevertIsANoOp(world, doc);
  });

  it.each<[string, FaultSpec, StartingState]>([
    [
      'CreateSAMLProvider took effect but its response was lost',
      { operation: 'CreateSAMLProvider', error: 'ServiceFailure', afterEffect: true },
      noProvider,
    ],
    ['CreateSAMLProvider failed', { operation: 'CreateSAMLProvider', error: 'ServiceFailure' }, noProvider],
    [
      'UpdateSAMLProvider took effect but its response was lost',
      { operation: 'UpdateSAMLProvider', error: 'ServiceFailure', afterEffect: true },
      otherMetadata,
    ],
    ['UpdateSAMLProvider failed', { operation: 'UpdateSAMLProvider', error: 'ServiceFailure' }, otherMetadata],
    ['the backup write failed', { operation: 'PutObject', when: onKeysUnder('backups/'), error: 'InternalError' }, otherMetadata],
    [
      'the journal write failed',
      { service: 'records', operation: 'PutItem', when: onKeysUnder('journal#'), error: 'InternalServerError' },
      otherMetadata,
    ],
    [
      'the journal write before CreateSAMLProvider failed',
      { service: 'records', operation: 'PutItem', when: onKeysUnder('journal#'), error: 'InternalServerError' },
      noProvider,
    ],
  ])('when apply threw because %s', async (_case, fault, arrange) => {
    const world = accountWithUpload();
    await arrange(world);
    const before = world.account.snapshot();
    const injected = world.account.faults.inject(fault);

    const doc = await applied(world);
    expect(injected.fired).toBe(1);
    expect(doc.receipts!.identityProvider).toBeUndefined();
    await revertIdentityProvider(doc, deps(world.account));

    expect(world.account.snapshot()).toEqual(before);
    await secondRevertIsANoOp(world, doc);
  });

  // Each write succeeds and its answer is lost (a timeout after IAM or S3 applied it); the state machine retries the step.
  const IAM_FAILURE = 'ServiceFailureException';
  const S3_FAILURE = 'InternalError';
  it.each<[string, string, 'created' | 'updated', FaultSpec, StartingState, 'deleted' | 'restored']>([
    ['CreateSAMLProvider', 'no provider existed', 'created', { operation: 'CreateSAMLProvider', error: IAM_FAILURE }, noProvider, 'deleted'],
    [
      'the journal write before CreateSAMLProvider',
      'no provider existed',
      'created',
      { service: 'records', operation: 'PutItem', when: onKeysUnder('journal#'), error: 'InternalServerError' },
      noProvider,
      'deleted',
    ],
    [
      'UpdateSAMLProvider',
      'a provider with other metadata existed',
      'updated',
      { operation: 'UpdateSAMLProvider', error: IAM_FAILURE },
      otherMetadata,
      'restored',
    ],
    [
      'the backup of the previous metadata',
      'a provider with other metadata existed',
      'updated',
      { operation: 'PutObject', when: onKeysUnder('backups/'), error: S3_FAILURE },
      otherMetadata,
      'restored',
    ],
    [
      'the journal write after the backup',
      'a provider with other metadata existed',
      'updated',
      { service: 'records', operation: 'PutItem', when: onKeysUnder('journal#'), error: 'InternalServerError' },
      otherMetadata,
      'restored',
    ],
  ])(
    'when %s succeeded but its answer was lost (%s), the retried apply reports %s and the revert restores the account exactly',
    async (_write, _case, action, fault, arrange, reverted) => {
      const world = accountWithUpload();
      await arrange(world);
      const before = world.account.snapshot();
      world.account.faults.inject({ ...fault, afterEffect: true });

      await expect(applyIdentityProvider(world.document(), deps(world.account))).rejects.toMatchObject({ name: fault.error });
      const receipt = await applyIdentityProvider(world.document(), deps(world.account));
      expect(receipt.action).toBe(action);
      if (action === 'updated') {
        // The receipt's previous is the document from before the execution, not the one the first attempt wrote.
        const { backup } = receipt.previous!;
        expect(world.account.getObjectText(backup.bucket, backup.key, backup.versionId)).toBe(METADATA_V1);
      }

      const doc = world.document({ receipts: { identityProvider: receipt }, failure: LATER_STEP_FAILED });
      await expect(revertIdentityProvider(doc, deps(world.account))).resolves.toMatchObject({ action: reverted });
      expect(world.account.snapshot()).toEqual(before);

      await secondRevertIsANoOp(world, doc);
    },
  );

  it('when the revert itself fails once and the state machine retries it', async () => {
    const world = accountWithUpload();
    await otherMetadata(world);
    const before = world.account.snapshot();
    const doc = await applied(world);
    world.account.faults.inject({ operation: 'UpdateSAMLProvider', error: 'ServiceFailure', afterEffect: true });

    await expect(revertIdentityProvider(doc, deps(world.account))).rejects.toMatchObject({ name: 'ServiceFailureException' });
    await revertIdentityProvider(doc, deps(world.account));

    expect(world.account.snapshot()).toEqual(before);
  });
});
