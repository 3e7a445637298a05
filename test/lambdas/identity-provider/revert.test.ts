import 'aws-sdk-client-mock-jest';
import { DeleteSAMLProviderCommand, GetSAMLProviderCommand, IAMClient, NoSuchEntityException, UpdateSAMLProviderCommand } from '@aws-sdk/client-iam';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { applyIdentityProvider } from '../../../lambdas/identity-provider/apply';
import type { IdentityProviderPrevious } from '../../../lambdas/identity-provider/provider';
import { revertIdentityProvider } from '../../../lambdas/identity-provider/revert';
import type { ExecutionDocument, Receipt } from '../../../lambdas/shared/document';
import { pipelineTags } from '../../../lambdas/shared/tags';
import { makeDocument } from '../../helpers/document';
import { FakeAccount } from '../role/fake-account';
import { commandNames, METADATA_V1, METADATA_V2, s3Body, serveObject } from './fixtures';

const iamMock = mockClient(IAMClient);
const s3Mock = mockClient(S3Client);
const deps = () => ({ iam: new IAMClient({}), s3: new S3Client({}) });
const ARN = 'arn:aws:iam::111122223333:saml-provider/ConnectAdminIdP';
const BACKUP_KEY = 'backups/exec-0001/identity-provider.xml';
const JOURNAL_KEY = 'journal/exec-0001/identityProvider.json';
const meta = { $metadata: {} };
const previous: IdentityProviderPrevious = {
  backup: { bucket: 'federation-metadata-bucket', key: BACKUP_KEY },
  sha256: 'f'.repeat(64),
  characters: METADATA_V1.length,
};

function withReceipt(receipt: Partial<Receipt<IdentityProviderPrevious>>): ExecutionDocument {
  return makeDocument({
    receipts: { identityProvider: { step: 'identityProvider', arn: ARN, changes: [], action: 'created', ...receipt } },
    failure: { Error: 'States.TaskFailed', Cause: 'a later step failed' },
  });
}

function journal(entry: object): void {
  serveObject(
    s3Mock,
    JOURNAL_KEY,
    JSON.stringify({
      step: 'identityProvider',
      executionName: 'exec-0001',
      writtenAt: '2026-03-01T12:00:00.000Z',
      intent: [],
      details: { arn: ARN },
      ...entry,
    }),
  );
}

function providerPresent(document: string, tags: { Key: string; Value: string }[]): void {
  iamMock.on(GetSAMLProviderCommand, { SAMLProviderArn: ARN }).resolves({ SAMLMetadataDocument: document, Tags: tags });
}

const ourTags = () => pipelineTags(makeDocument().request);
const someoneElsesTags = () => pipelineTags(makeDocument({ request: { executionName: 'exec-earlier' } }).request);

beforeEach(() => {
  iamMock.reset();
  s3Mock.reset();
  s3Mock.on(GetObjectCommand).rejects(new NoSuchKey({ ...meta, message: 'The specified key does not exist.' }));
  iamMock.on(GetSAMLProviderCommand).rejects(new NoSuchEntityException({ ...meta, message: 'not found' }));
  iamMock.on(DeleteSAMLProviderCommand).resolves({});
  iamMock.on(UpdateSAMLProviderCommand).resolves({});
});

describe('revertIdentityProvider', () => {
  it('deletes a provider the receipt says this execution created and whose tags agree', async () => {
    providerPresent(METADATA_V2, ourTags());

    const report = await revertIdentityProvider(withReceipt({ action: 'created' }), deps());

    expect(report).toEqual({
      step: 'identityProvider',
      action: 'deleted',
      changes: ['deleted SAML provider ConnectAdminIdP, created by this execution'],
    });
    expect(iamMock).toHaveReceivedCommandWith(DeleteSAMLProviderCommand, { SAMLProviderArn: ARN });
  });

  it('never deletes a provider whose tags name another execution, even if the receipt says created', async () => {
    providerPresent(METADATA_V2, someoneElsesTags());

    const report = await revertIdentityProvider(withReceipt({ action: 'created' }), deps());

    expect(report.action).toBe('nothing-to-do');
    expect(report.changes[0]).toMatch(/its tags do not name execution exec-0001/);
    expect(commandNames(iamMock)).toEqual(['GetSAMLProviderCommand']);
  });

  it('never deletes an untagged provider', async () => {
    providerPresent(METADATA_V2, []);

    await expect(revertIdentityProvider(withReceipt({ action: 'created' }), deps())).resolves.toMatchObject({ action: 'nothing-to-do' });
    expect(iamMock).not.toHaveReceivedCommand(DeleteSAMLProviderCommand);
  });

  it('has nothing to do when the created provider is already gone', async () => {
    await expect(revertIdentityProvider(withReceipt({ action: 'created' }), deps())).resolves.toMatchObject({ action: 'nothing-to-do' });
    expect(commandNames(iamMock)).toEqual(['GetSAMLProviderCommand']);
  });

  it('makes no call at all when the apply step only planned (a dry run never journals)', async () => {
    const report = await revertIdentityProvider(withReceipt({ action: 'planned' }), deps());

    expect(report.action).toBe('nothing-to-do');
    expect(iamMock.calls()).toHaveLength(0);
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it('touches no provider when the apply step was unchanged and no attempt of it journaled a change', async () => {
    const report = await revertIdentityProvider(withReceipt({ action: 'unchanged' }), deps());

    expect(report).toMatchObject({ action: 'nothing-to-do', changes: ['the IdentityProvider step changed nothing (unchanged)'] });
    expect(iamMock.calls()).toHaveLength(0);
    expect(commandNames(s3Mock)).toEqual(['GetObjectCommand']);
  });

  it('deletes the provider an earlier attempt created when the receipt says unchanged but the journal says created', async () => {
    journal({});
    providerPresent(METADATA_V2, ourTags());

    await expect(revertIdentityProvider(withReceipt({ action: 'unchanged' }), deps())).resolves.toMatchObject({ action: 'deleted' });
    expect(iamMock).toHaveReceivedCommandWith(DeleteSAMLProviderCommand, { SAMLProviderArn: ARN });
  });

  it('restores the journaled backup when the receipt says unchanged but an earlier attempt updated the provider', async () => {
    journal({ previous });
    providerPresent(METADATA_V2, []);
    serveObject(s3Mock, BACKUP_KEY, METADATA_V1);

    await expect(revertIdentityProvider(withReceipt({ action: 'unchanged' }), deps())).resolves.toMatchObject({ action: 'restored' });
    expect(iamMock).toHaveReceivedCommandWith(UpdateSAMLProviderCommand, { SAMLProviderArn: ARN, SAMLMetadataDocument: METADATA_V1 });
  });

  it('puts the backed-up metadata back on a provider the execution updated', async () => {
    providerPresent(METADATA_V2, someoneElsesTags());
    serveObject(s3Mock, BACKUP_KEY, METADATA_V1);

    const report = await revertIdentityProvider(withReceipt({ action: 'updated', previous }), deps());

    expect(report).toMatchObject({
      action: 'restored',
      changes: [`restored the previous metadata of SAML provider ConnectAdminIdP from s3://federation-metadata-bucket/${BACKUP_KEY}`],
    });
    expect(iamMock).toHaveReceivedCommandWith(UpdateSAMLProviderCommand, { SAMLProviderArn: ARN, SAMLMetadataDocument: METADATA_V1 });
    expect(iamMock).not.toHaveReceivedCommand(DeleteSAMLProviderCommand);
  });

  it('writes nothing when the updated provider already has its previous metadata (second revert)', async () => {
    providerPresent(METADATA_V1, someoneElsesTags());
    serveObject(s3Mock, BACKUP_KEY, METADATA_V1);

    await expect(revertIdentityProvider(withReceipt({ action: 'updated', previous }), deps())).resolves.toMatchObject({ action: 'nothing-to-do' });
    expect(commandNames(iamMock)).toEqual(['GetSAMLProviderCommand']);
  });

  it('says where the backup is when a provider it updated has been deleted since', async () => {
    const error = await revertIdentityProvider(withReceipt({ action: 'updated', previous }), deps()).catch((e: Error) => e);

    expect(error).toMatchObject({ name: 'IdentityProvider.Vanished' });
    expect((error as Error).message).toContain(`s3://federation-metadata-bucket/${BACKUP_KEY}`);
  });

  describe('without a receipt (the apply step threw)', () => {
    const failedDoc = () => makeDocument({ failure: { Error: 'ServiceFailureException', Cause: 'IdentityProvider failed' } });

    it('has nothing to do when there is no journal entry either', async () => {
      await expect(revertIdentityProvider(failedDoc(), deps())).resolves.toMatchObject({ action: 'nothing-to-do' });
      expect(iamMock.calls()).toHaveLength(0);
    });

    it('deletes the provider the journal says it was creating, when its tags name this execution', async () => {
      journal({});
      providerPresent(METADATA_V2, ourTags());

      await expect(revertIdentityProvider(failedDoc(), deps())).resolves.toMatchObject({ action: 'deleted' });
      expect(iamMock).toHaveReceivedCommandWith(DeleteSAMLProviderCommand, { SAMLProviderArn: ARN });
    });

    it('has nothing to do when the journaled creation never happened', async () => {
      journal({});

      await expect(revertIdentityProvider(failedDoc(), deps())).resolves.toMatchObject({ action: 'nothing-to-do' });
      expect(iamMock).not.toHaveReceivedCommand(DeleteSAMLProviderCommand);
    });

    it('restores the backup the journal points at when the update went through', async () => {
      journal({ previous });
      providerPresent(METADATA_V2, []);
      s3Mock.on(GetObjectCommand, { Key: BACKUP_KEY }).resolves(s3Body(METADATA_V1));

      await expect(revertIdentityProvider(failedDoc(), deps())).resolves.toMatchObject({ action: 'restored' });
      expect(iamMock).toHaveReceivedCommandWith(UpdateSAMLProviderCommand, { SAMLMetadataDocument: METADATA_V1 });
    });
  });
});

describe('apply then revert leaves the account as it started', () => {
  const account = () => {
    const fake = new FakeAccount();
    fake.install(iamMock, s3Mock);
    fake.putObject('federation-metadata-bucket', 'metadata/admin/idp.xml', METADATA_V2);
    return fake;
  };
  const preExisting = (fake: FakeAccount) => fake.providers.set(ARN, { document: METADATA_V1, tags: [{ Key: 'team', Value: 'identity' }] });
  const applied = async (doc: ExecutionDocument) => {
    const receipt = await applyIdentityProvider(doc, deps()).catch(() => undefined);
    return makeDocument({ receipts: receipt ? { identityProvider: receipt } : {} });
  };

  beforeEach(() => {
    iamMock.reset();
    s3Mock.reset();
  });

  it.each([
    ['no provider existed', () => undefined],
    ['a provider with other metadata existed', preExisting],
    ['a provider with this metadata existed', (fake: FakeAccount) => fake.providers.set(ARN, { document: METADATA_V2, tags: [] })],
  ])('when %s, and a second revert is a no-op', async (_case, arrange) => {
    const fake = account();
    arrange(fake);
    const before = fake.iamState();

    const doc = await applied(makeDocument());
    expect(doc.receipts!.identityProvider).toBeDefined();
    await revertIdentityProvider(doc, deps());
    expect(fake.iamState()).toEqual(before);

    const callsSoFar = iamMock.calls().length;
    await expect(revertIdentityProvider(doc, deps())).resolves.toMatchObject({ action: 'nothing-to-do' });
    expect(
      commandNames(iamMock)
        .slice(callsSoFar)
        .filter((name) => !name.startsWith('Get')),
    ).toEqual([]);
  });

  it.each([
    ['CreateSAMLProvider took effect but its response was lost', 'CreateSAMLProviderCommand', 'after', () => undefined],
    ['CreateSAMLProvider failed', 'CreateSAMLProviderCommand', 'before', () => undefined],
    ['UpdateSAMLProvider took effect but its response was lost', 'UpdateSAMLProviderCommand', 'after', preExisting],
    ['UpdateSAMLProvider failed', 'UpdateSAMLProviderCommand', 'before', preExisting],
    ['the journal write failed', 'PutObjectCommand', 'before', preExisting],
  ] as const)('when apply threw because %s', async (_case, command, when, arrange) => {
    const fake = account();
    arrange(fake);
    const before = fake.iamState();
    fake.failOnce(command, when);

    const doc = await applied(makeDocument());
    expect(doc.receipts!.identityProvider).toBeUndefined();
    await revertIdentityProvider(doc, deps());

    expect(fake.iamState()).toEqual(before);
  });

  it.each([
    ['CreateSAMLProvider', 'no provider existed', 'created', 'CreateSAMLProviderCommand', () => undefined, 'deleted'],
    ['the journal write before CreateSAMLProvider', 'no provider existed', 'created', 'PutObjectCommand', () => undefined, 'deleted'],
    ['UpdateSAMLProvider', 'a provider with other metadata existed', 'updated', 'UpdateSAMLProviderCommand', preExisting, 'restored'],
    ['the backup of the previous metadata', 'a provider with other metadata existed', 'updated', 'PutObjectCommand', preExisting, 'restored'],
  ] as const)(
    'when %s succeeded but its answer was lost (%s), the retried apply reports %s and the revert restores the account exactly',
    async (_write, _case, action, command, arrange, reverted) => {
      const fake = account();
      arrange(fake);
      const before = fake.iamState();
      fake.failOnce(command, 'after');

      await expect(applyIdentityProvider(makeDocument(), deps())).rejects.toMatchObject({ name: 'ServiceFailureException' });
      const receipt = await applyIdentityProvider(makeDocument(), deps());
      expect(receipt.action).toBe(action);
      if (action === 'updated') {
        // The receipt's previous is the document from before the execution, not the one the first attempt wrote.
        expect(fake.objects.get(`federation-metadata-bucket/${receipt.previous!.backup.key}`)).toBe(METADATA_V1);
      }

      const doc = makeDocument({ receipts: { identityProvider: receipt }, failure: { Error: 'States.TaskFailed', Cause: 'a later step failed' } });
      await expect(revertIdentityProvider(doc, deps())).resolves.toMatchObject({ action: reverted });
      expect(fake.iamState()).toEqual(before);

      const callsSoFar = iamMock.calls().length;
      await expect(revertIdentityProvider(doc, deps())).resolves.toMatchObject({ action: 'nothing-to-do' });
      expect(
        commandNames(iamMock)
          .slice(callsSoFar)
          .filter((name) => !name.startsWith('Get')),
      ).toEqual([]);
    },
  );

  it('when the revert itself fails once and the state machine retries it', async () => {
    const fake = account();
    preExisting(fake);
    const before = fake.iamState();
    const doc = await applied(makeDocument());
    fake.failOnce('UpdateSAMLProviderCommand', 'after');

    await expect(revertIdentityProvider(doc, deps())).rejects.toMatchObject({ name: 'ServiceFailureException' });
    await revertIdentityProvider(doc, deps());

    expect(fake.iamState()).toEqual(before);
  });
});
