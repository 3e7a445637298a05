import { createHash } from 'node:crypto';
import { CreateSAMLProviderCommand } from '@aws-sdk/client-iam';
import { applyIdentityProvider } from '../../../lambdas/identity-provider/apply';
import { readProviderFootprint } from '../../../lambdas/identity-provider/footprint';
import { sameMetadataDocument } from '../../../lambdas/identity-provider/provider';
import type { ExecutionDocument } from '../../../lambdas/shared/document';
import { pipelineTags } from '../../../lambdas/shared/tags';
import type { SimulatedAccount } from '../../../simulated-account';
import {
  accountWithUpload,
  BUCKET,
  iamWrites,
  inputsOf,
  journalEntry,
  METADATA_KEY,
  METADATA_V1,
  METADATA_V2,
  operations,
  positionOf,
  providerArn,
  seedProvider,
  tagsOfExecution,
} from '../../helpers/step-account';

const NAME = 'AmazonConnectAdminAccess';
const ARN = providerArn(NAME);
const BACKUP_KEY = 'backups/exec-0001/identity-provider.xml';
const NOW = new Date('2026-03-01T12:00:00Z');

const deps = (account: SimulatedAccount) => ({ ...account.clients(), now: () => NOW });
const source = (versionId: string) => `s3://${BUCKET}/${METADATA_KEY}?versionId=${versionId}`;
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
/** The signing certificate of a metadata document: what must never leak into a receipt. */
const certificateOf = (metadata: string) => /<ds:X509Certificate>([^<\s]+)/.exec(metadata)![1]!;

/** The account's SAML provider of the profile, or undefined. */
const providerIn = (account: SimulatedAccount) => account.snapshot().iam.samlProviders[ARN];

describe('applyIdentityProvider', () => {
  it('creates the provider from the pinned metadata version, tagged, after journaling that nothing existed', async () => {
    const { account, versionId, document } = accountWithUpload();
    // A later upload must not leak into this execution: the step reads the version Intake validated.
    account.putObject(BUCKET, METADATA_KEY, METADATA_V1);
    const doc = document();

    const receipt = await applyIdentityProvider(doc, deps(account));

    expect(receipt).toEqual({
      step: 'identityProvider',
      action: 'created',
      arn: ARN,
      changes: [`created SAML provider ${NAME} from ${source(versionId)}`],
      details: { name: NAME },
      // What it found (nothing) and what it left, which is what the account now holds.
      footprint: { before: { [`SAML provider ${NAME}`]: 'absent' }, left: await readProviderFootprint(doc, account.clients().iam) },
    });
    expect(inputsOf(account, 'GetObject')).toContainEqual({ Bucket: BUCKET, Key: METADATA_KEY, VersionId: versionId });
    expect(providerIn(account)).toMatchObject({ name: NAME, metadataDocument: METADATA_V2 });
    expect(account.snapshot().iam.samlProviders[ARN]!.tags).toEqual(Object.fromEntries(pipelineTags(doc.request).map((tag) => [tag.Key, tag.Value])));
    expect(inputsOf(account, 'CreateSAMLProvider')).toEqual([{ Name: NAME, SAMLMetadataDocument: METADATA_V2, Tags: pipelineTags(doc.request) }]);
    expect(journalEntry(account, 'identityProvider')).toMatchObject({ step: 'identityProvider', details: { arn: ARN, name: NAME } });
    expect(journalEntry(account, 'identityProvider')).not.toHaveProperty('previous');
    // The journal is written before the provider exists, so a Lambda that dies right after CreateSAMLProvider can be reverted.
    expect(positionOf(account, 'PutItem', 'journal#')).toBeLessThan(positionOf(account, 'CreateSAMLProvider'));
  });

  it('changes nothing and writes nothing when the provider already has this metadata', async () => {
    const { account, document } = accountWithUpload();
    await seedProvider(account, NAME, METADATA_V2, [{ Key: 'owner', Value: 'someone-else' }]);
    const before = account.snapshot({ excludePrefixes: [] });

    const receipt = await applyIdentityProvider(document(), deps(account));

    expect(receipt).toMatchObject({ action: 'unchanged', arn: ARN, changes: [] });
    expect(operations(account, 'iam')).toEqual(['GetSAMLProvider']);
    // Reads only, made concurrently: the pinned metadata version and this execution's (absent) journal entry.
    expect(inputsOf<{ Key: string }>(account, 'GetObject').map((input) => input.Key)).toEqual([METADATA_KEY]);
    expect(inputsOf<{ Key: { pk: { S: string } } }>(account, 'GetItem').map((input) => input.Key.pk.S)).toEqual(['journal#exec-0001']);
    expect(account.snapshot({ excludePrefixes: [] })).toEqual(before);
  });

  it('treats a document that differs only by a trailing newline as the same metadata', async () => {
    const { account, document } = accountWithUpload();
    await seedProvider(account, NAME, `${METADATA_V2}\r\n`);

    const receipt = await applyIdentityProvider(document(), deps(account));

    expect(receipt.action).toBe('unchanged');
    expect(iamWrites(account)).toEqual([]);
  });

  it('backs the current metadata up, journals where, then updates the provider in place (certificate rotation)', async () => {
    const { account, document } = accountWithUpload();
    await seedProvider(account, NAME, METADATA_V1, [{ Key: 'team', Value: 'identity' }]);
    const providerId = providerIn(account)!.providerId;

    const receipt = await applyIdentityProvider(document(), deps(account));

    const backupVersion = account.snapshot({ excludePrefixes: [] }).s3[BUCKET]![BACKUP_KEY]!.versionId;
    const previous = {
      backup: { bucket: BUCKET, key: BACKUP_KEY, versionId: backupVersion },
      sha256: sha256(METADATA_V1),
      characters: METADATA_V1.length,
    };
    expect(receipt).toMatchObject({ action: 'updated', arn: ARN, previous });
    // The receipt travels in the execution document: it points at the backup and never carries the XML.
    expect(JSON.stringify(receipt)).not.toContain(certificateOf(METADATA_V1));
    expect(account.getObjectText(BUCKET, BACKUP_KEY, backupVersion)).toBe(METADATA_V1);
    expect(journalEntry(account, 'identityProvider')).toMatchObject({ previous });
    expect(providerIn(account)).toEqual({ name: NAME, providerId, metadataDocument: METADATA_V2, tags: { team: 'identity' } });
    expect(inputsOf(account, 'UpdateSAMLProvider')).toEqual([{ SAMLProviderArn: ARN, SAMLMetadataDocument: METADATA_V2 }]);
    expect(operations(account, 'iam')).toEqual(['GetSAMLProvider', 'UpdateSAMLProvider']);
    // The journal never points at a backup that does not exist, and both exist before the provider changes.
    expect(positionOf(account, 'PutObject', 'backups/')).toBeLessThan(positionOf(account, 'PutItem', 'journal#'));
    expect(positionOf(account, 'PutItem', 'journal#')).toBeLessThan(positionOf(account, 'UpdateSAMLProvider'));
  });

  it('records a backup without a version id when the bucket does not keep versions', async () => {
    // The deployed bucket is versioned; a --live run may point at a bucket of the user's that is not.
    const { account, document } = accountWithUpload({ versioned: false });
    await seedProvider(account, NAME, METADATA_V1);

    const receipt = await applyIdentityProvider(document(), deps(account));

    expect(receipt.previous!.backup).toEqual({ bucket: BUCKET, key: BACKUP_KEY });
    expect(journalEntry(account, 'identityProvider')!.previous).toEqual(receipt.previous);
    expect(account.getObjectText(BUCKET, BACKUP_KEY)).toBe(METADATA_V1);
    expect(providerIn(account)).toMatchObject({ metadataDocument: METADATA_V2 });
  });

  it('stops without writing when IAM fails to say whether the provider exists', async () => {
    // Only NoSuchEntity means "no provider": any other GetSAMLProvider failure must not lead to a create.
    const { account, document } = accountWithUpload();
    account.faults.inject({ operation: 'GetSAMLProvider', error: 'ServiceFailure' });

    await expect(applyIdentityProvider(document(), deps(account))).rejects.toMatchObject({ name: 'ServiceFailureException' });
    expect(account.mutatingCalls()).toEqual([]);
  });

  it("says the account reached IAM's 100-provider quota, and what to do, when IAM refuses to create another", async () => {
    const { account, document } = accountWithUpload();
    for (let n = 1; n <= 100; n += 1) await seedProvider(account, `OtherIdP${n}`, METADATA_V1);

    const error = await applyIdentityProvider(document(), deps(account)).catch((e: Error) => e);

    expect(error).toMatchObject({ name: 'IdentityProvider.QuotaExceeded' });
    expect((error as Error).message).toMatch(/account 111122223333 has reached IAM's quota of 100 SAML providers/);
    expect((error as Error).message).toMatch(/Delete providers no longer in use/);
    expect((error as Error).cause).toMatchObject({ name: 'LimitExceededException' });
    expect(providerIn(account)).toBeUndefined();
  });

  it('lets other IAM errors through under their AWS names so the state machine can retry them', async () => {
    const { account, document } = accountWithUpload();
    account.faults.inject({ operation: 'CreateSAMLProvider', error: 'ServiceFailure' });

    await expect(applyIdentityProvider(document(), deps(account))).rejects.toMatchObject({ name: 'ServiceFailureException' });
    expect(providerIn(account)).toBeUndefined();
  });

  describe('retried by the state machine after an earlier attempt of this execution', () => {
    /** Runs the step once with a fault, as the attempt the state machine retries; the log then holds only the retry. */
    async function earlierAttemptFailed(account: SimulatedAccount, doc: ExecutionDocument): Promise<void> {
      await expect(applyIdentityProvider(doc, deps(account))).rejects.toMatchObject({ name: 'ServiceFailureException' });
      account.clearCalls();
    }

    it('reports the provider its earlier attempt created as created, with no write, so the revert deletes it', async () => {
      const { account, versionId, document } = accountWithUpload();
      account.faults.inject({ operation: 'CreateSAMLProvider', error: 'ServiceFailure', afterEffect: true });
      await earlierAttemptFailed(account, document());

      const receipt = await applyIdentityProvider(document(), deps(account));

      expect(receipt).toEqual({
        step: 'identityProvider',
        action: 'created',
        arn: ARN,
        changes: [`created SAML provider ${NAME} from ${source(versionId)}`],
        details: { name: NAME },
        footprint: journalEntry(account, 'identityProvider')?.footprint,
      });
      expect(operations(account, 'iam')).toEqual(['GetSAMLProvider']);
      expect(operations(account, 's3')).not.toContain('PutObject');
      expect(operations(account, 'records')).not.toContain('PutItem');
    });

    it('creates the provider when the earlier attempt journaled the creation but never made it, journaling again under its lease', async () => {
      const { account, document } = accountWithUpload();
      account.faults.inject({ operation: 'CreateSAMLProvider', error: 'ServiceFailure' });
      await earlierAttemptFailed(account, document());

      await expect(applyIdentityProvider(document(), deps(account))).resolves.toMatchObject({ action: 'created' });
      expect(operations(account, 'iam')).toEqual(['GetSAMLProvider', 'CreateSAMLProvider']);
      expect(operations(account, 's3')).not.toContain('PutObject');
      // The entry still says nothing existed before the execution.
      expect(operations(account, 'records')).toEqual(['GetItem', 'GetItem', 'PutItem']);
      expect(journalEntry(account, 'identityProvider')?.previous).toBeUndefined();
      expect(providerIn(account)).toMatchObject({ metadataDocument: METADATA_V2 });
    });

    it('reports the update its earlier attempt made as updated, with the document from before the execution as previous', async () => {
      const { account, document } = accountWithUpload();
      await seedProvider(account, NAME, METADATA_V1);
      account.faults.inject({ operation: 'UpdateSAMLProvider', error: 'ServiceFailure', afterEffect: true });
      await earlierAttemptFailed(account, document());
      const journaled = journalEntry(account, 'identityProvider')!.previous;

      const receipt = await applyIdentityProvider(document(), deps(account));

      expect(receipt).toMatchObject({
        action: 'updated',
        arn: ARN,
        previous: journaled,
        changes: [expect.stringContaining(`backed up at s3://${BUCKET}/${BACKUP_KEY}`)],
      });
      expect(receipt.previous).toMatchObject({ sha256: sha256(METADATA_V1), characters: METADATA_V1.length });
      expect(operations(account, 'iam')).toEqual(['GetSAMLProvider']);
      // Backing up again would overwrite the pre-execution document with the new one.
      expect(operations(account, 's3')).not.toContain('PutObject');
      expect(operations(account, 'records')).not.toContain('PutItem');
      expect(account.getObjectText(BUCKET, BACKUP_KEY)).toBe(METADATA_V1);
    });

    it('finishes an update the earlier attempt journaled but never made, keeping its backup', async () => {
      const { account, document } = accountWithUpload();
      await seedProvider(account, NAME, METADATA_V1);
      account.faults.inject({ operation: 'UpdateSAMLProvider', error: 'ServiceFailure' });
      await earlierAttemptFailed(account, document());
      const journaled = journalEntry(account, 'identityProvider')!.previous;

      await expect(applyIdentityProvider(document(), deps(account))).resolves.toMatchObject({ action: 'updated', previous: journaled });
      expect(inputsOf(account, 'UpdateSAMLProvider')).toEqual([{ SAMLProviderArn: ARN, SAMLMetadataDocument: METADATA_V2 }]);
      expect(operations(account, 's3')).not.toContain('PutObject');
      // Journalled again before the write, under this attempt's lease, keeping the earlier attempt's backup.
      expect(operations(account, 'records')).toEqual(['GetItem', 'GetItem', 'PutItem']);
      expect(journalEntry(account, 'identityProvider')?.previous).toBeDefined();
      expect(providerIn(account)).toMatchObject({ metadataDocument: METADATA_V2 });
    });

    it('does not claim a provider with this metadata that another execution created since the journaled creation', async () => {
      const { account, document } = accountWithUpload();
      account.faults.inject({ operation: 'CreateSAMLProvider', error: 'ServiceFailure' });
      await earlierAttemptFailed(account, document());
      await account.seed(({ iam }) =>
        iam.send(new CreateSAMLProviderCommand({ Name: NAME, SAMLMetadataDocument: METADATA_V2, Tags: tagsOfExecution('exec-other') })),
      );

      await expect(applyIdentityProvider(document(), deps(account))).resolves.toMatchObject({ action: 'unchanged' });
      expect(operations(account, 'iam')).toEqual(['GetSAMLProvider']);
    });
  });

  describe('dry run', () => {
    it('plans the creation of an absent provider with reads only', async () => {
      const { account, document } = accountWithUpload();
      const before = account.snapshot({ excludePrefixes: [] });

      const receipt = await applyIdentityProvider(document({ request: { dryRun: true } }), deps(account));

      expect(receipt).toMatchObject({
        action: 'planned',
        arn: ARN,
        changes: [expect.stringMatching(/^would create SAML provider AmazonConnectAdminAccess/)],
        details: { plannedAction: 'create' },
      });
      expect(operations(account, 'iam')).toEqual(['GetSAMLProvider']);
      expect(operations(account, 's3')).toEqual(['GetObject']);
      expect(account.snapshot({ excludePrefixes: [] })).toEqual(before);
    });

    it('plans the update of a provider with other metadata with reads only, no backup and no journal', async () => {
      const { account, document } = accountWithUpload();
      await seedProvider(account, NAME, METADATA_V1);
      const before = account.snapshot({ excludePrefixes: [] });

      const receipt = await applyIdentityProvider(document({ request: { dryRun: true } }), deps(account));

      expect(receipt).toMatchObject({
        action: 'planned',
        changes: [expect.stringMatching(/^would replace the metadata .*\/backups\/exec-0001\/identity-provider\.xml$/)],
        details: { plannedAction: 'update' },
      });
      expect(receipt.previous).toBeUndefined();
      expect(operations(account, 'iam')).toEqual(['GetSAMLProvider']);
      expect(operations(account, 's3')).toEqual(['GetObject']);
      expect(account.snapshot({ excludePrefixes: [] })).toEqual(before);
    });

    it('plans nothing when the provider already matches', async () => {
      const { account, document } = accountWithUpload();
      await seedProvider(account, NAME, METADATA_V2);

      await expect(applyIdentityProvider(document({ request: { dryRun: true } }), deps(account))).resolves.toMatchObject({
        action: 'planned',
        changes: [],
        details: { plannedAction: 'none' },
      });
      expect(account.mutatingCalls()).toEqual([]);
    });
  });
});

describe('sameMetadataDocument', () => {
  it('ignores whitespace after the root element only', () => {
    expect(sameMetadataDocument(METADATA_V1, `${METADATA_V1}\n`)).toBe(true);
    expect(sameMetadataDocument(` ${METADATA_V1}`, METADATA_V1)).toBe(false);
    expect(sameMetadataDocument(METADATA_V1.replace('><', '>\n<'), METADATA_V1)).toBe(false);
    expect(sameMetadataDocument(METADATA_V1, METADATA_V2)).toBe(false);
  });
});
