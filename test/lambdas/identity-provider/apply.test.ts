import 'aws-sdk-client-mock-jest';
import {
  CreateSAMLProviderCommand,
  GetSAMLProviderCommand,
  IAMClient,
  LimitExceededException,
  NoSuchEntityException,
  ServiceFailureException,
  UpdateSAMLProviderCommand,
} from '@aws-sdk/client-iam';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { applyIdentityProvider } from '../../../lambdas/identity-provider/apply';
import { sameMetadataDocument } from '../../../lambdas/identity-provider/provider';
import { pipelineTags } from '../../../lambdas/shared/tags';
import { makeDocument } from '../../helpers/document';
import { commandNames, METADATA_V1, METADATA_V2, serveObject } from './fixtures';

const iamMock = mockClient(IAMClient);
const s3Mock = mockClient(S3Client);
const deps = () => ({ iam: new IAMClient({}), s3: new S3Client({}), now: () => new Date('2026-03-01T12:00:00Z') });
const ARN = 'arn:aws:iam::111122223333:saml-provider/ConnectAdminIdP';
const JOURNAL_KEY = 'journal/exec-0001/identityProvider.json';
const BACKUP_KEY = 'backups/exec-0001/identity-provider.xml';
const meta = { $metadata: {} };

function providerAbsent(): void {
  iamMock.on(GetSAMLProviderCommand).rejects(new NoSuchEntityException({ ...meta, message: 'not found' }));
}

function providerPresent(document: string, tags = [{ Key: 'owner', Value: 'someone-else' }]): void {
  iamMock.on(GetSAMLProviderCommand, { SAMLProviderArn: ARN }).resolves({ SAMLMetadataDocument: document, Tags: tags });
}

beforeEach(() => {
  iamMock.reset();
  s3Mock.reset();
  serveObject(s3Mock, 'metadata/admin/idp.xml', METADATA_V2);
  s3Mock.on(GetObjectCommand, { Key: JOURNAL_KEY }).rejects(new NoSuchKey({ ...meta, message: 'The specified key does not exist.' }));
  s3Mock.on(PutObjectCommand).resolves({});
});

/** This execution's journal entry, as an earlier attempt of the step left it. */
function earlierAttempt(entry: object): void {
  serveObject(
    s3Mock,
    JOURNAL_KEY,
    JSON.stringify({
      step: 'identityProvider',
      executionName: 'exec-0001',
      writtenAt: '2026-03-01T11:59:00.000Z',
      intent: [],
      details: { arn: ARN, name: 'ConnectAdminIdP' },
      ...entry,
    }),
  );
}

describe('applyIdentityProvider', () => {
  it('creates the provider from the pinned metadata version, tagged, after journaling that nothing existed', async () => {
    providerAbsent();
    iamMock.on(CreateSAMLProviderCommand).resolves({ SAMLProviderArn: ARN });
    const doc = makeDocument();

    const receipt = await applyIdentityProvider(doc, deps());

    expect(receipt).toEqual({
      step: 'identityProvider',
      action: 'created',
      arn: ARN,
      changes: ['created SAML provider ConnectAdminIdP from s3://federation-metadata-bucket/metadata/admin/idp.xml?versionId=v1-3HL4kqtJlcpXroDTDmJ'],
      details: { name: 'ConnectAdminIdP' },
    });
    expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, {
      Bucket: 'federation-metadata-bucket',
      Key: 'metadata/admin/idp.xml',
      VersionId: 'v1-3HL4kqtJlcpXroDTDmJ',
    });
    expect(iamMock).toHaveReceivedCommandWith(CreateSAMLProviderCommand, {
      Name: 'ConnectAdminIdP',
      SAMLMetadataDocument: METADATA_V2,
      Tags: pipelineTags(doc.request),
    });
    const journal = s3Mock.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(journal.Key).toBe('journal/exec-0001/identityProvider.json');
    expect(JSON.parse(String(journal.Body))).not.toHaveProperty('previous');
    // The journal is written before the provider exists, so a Lambda that dies right after CreateSAMLProvider can be reverted.
    expect(s3Mock.commandCalls(PutObjectCommand)[0]!.calledBefore(iamMock.commandCalls(CreateSAMLProviderCommand)[0]! as never)).toBe(true);
  });

  it('changes nothing and writes nothing when the provider already has this metadata', async () => {
    providerPresent(METADATA_V2);

    const receipt = await applyIdentityProvider(makeDocument(), deps());

    expect(receipt).toMatchObject({ action: 'unchanged', arn: ARN, changes: [] });
    expect(commandNames(iamMock)).toEqual(['GetSAMLProviderCommand']);
    // Reads only: the pinned metadata version and this execution's (absent) journal entry.
    expect(s3Mock.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Key)).toEqual(['metadata/admin/idp.xml', JOURNAL_KEY]);
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('treats a document that differs only by a trailing newline as the same metadata', async () => {
    providerPresent(`${METADATA_V2}\r\n`);

    const receipt = await applyIdentityProvider(makeDocument(), deps());

    expect(receipt.action).toBe('unchanged');
    expect(iamMock).not.toHaveReceivedCommand(UpdateSAMLProviderCommand);
  });

  it('backs the current metadata up, journals where, then updates the provider in place (certificate rotation)', async () => {
    providerPresent(METADATA_V1);
    s3Mock.on(PutObjectCommand, { Key: 'backups/exec-0001/identity-provider.xml' }).resolves({ VersionId: 'backup-v1' });
    iamMock.on(UpdateSAMLProviderCommand).resolves({ SAMLProviderArn: ARN });

    const receipt = await applyIdentityProvider(makeDocument(), deps());

    const previous = {
      backup: { bucket: 'federation-metadata-bucket', key: 'backups/exec-0001/identity-provider.xml', versionId: 'backup-v1' },
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      characters: METADATA_V1.length,
    };
    expect(receipt).toMatchObject({ action: 'updated', arn: ARN, previous });
    expect(JSON.stringify(receipt)).not.toContain('MIIB-old');
    const [backup, journal] = s3Mock.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(backup).toMatchObject({ Bucket: 'federation-metadata-bucket', Key: 'backups/exec-0001/identity-provider.xml', Body: METADATA_V1 });
    expect(journal!.Key).toBe('journal/exec-0001/identityProvider.json');
    expect(JSON.parse(String(journal!.Body)).previous).toEqual({ ...previous, sha256: receipt.previous!.sha256 });
    expect(iamMock).toHaveReceivedCommandWith(UpdateSAMLProviderCommand, { SAMLProviderArn: ARN, SAMLMetadataDocument: METADATA_V2 });
    expect(commandNames(iamMock)).toEqual(['GetSAMLProviderCommand', 'UpdateSAMLProviderCommand']);
  });

  it('says the account reached the 100-provider quota, and what to do, when IAM refuses to create another', async () => {
    providerAbsent();
    iamMock
      .on(CreateSAMLProviderCommand)
      .rejects(new LimitExceededException({ ...meta, message: 'Cannot exceed quota for SAMLProvidersPerAccount: 100' }));

    const error = await applyIdentityProvider(makeDocument(), deps()).catch((e: Error) => e);

    expect(error).toMatchObject({ name: 'IdentityProvider.QuotaExceeded' });
    expect((error as Error).message).toMatch(/account 111122223333 has reached IAM's quota of 100 SAML providers/);
    expect((error as Error).message).toMatch(/Delete providers no longer in use/);
    expect((error as Error).cause).toMatchObject({ name: 'LimitExceededException' });
  });

  it('lets other IAM errors through under their AWS names so the state machine can retry them', async () => {
    providerAbsent();
    iamMock.on(CreateSAMLProviderCommand).rejects(new ServiceFailureException({ ...meta, message: 'boom' }));

    await expect(applyIdentityProvider(makeDocument(), deps())).rejects.toMatchObject({ name: 'ServiceFailureException' });
  });

  describe('retried by the state machine after an earlier attempt of this execution', () => {
    const journaledPrevious = {
      backup: { bucket: 'federation-metadata-bucket', key: BACKUP_KEY, versionId: 'backup-v1' },
      sha256: 'e'.repeat(64),
      characters: METADATA_V1.length,
    };

    it('reports the provider its earlier attempt created as created, with no write, so the revert deletes it', async () => {
      earlierAttempt({ intent: ['create SAML provider ConnectAdminIdP'] });
      providerPresent(METADATA_V2, pipelineTags(makeDocument().request));

      const receipt = await applyIdentityProvider(makeDocument(), deps());

      expect(receipt).toEqual({
        step: 'identityProvider',
        action: 'created',
        arn: ARN,
        changes: [
          'created SAML provider ConnectAdminIdP from s3://federation-metadata-bucket/metadata/admin/idp.xml?versionId=v1-3HL4kqtJlcpXroDTDmJ',
        ],
        details: { name: 'ConnectAdminIdP' },
      });
      expect(commandNames(iamMock)).toEqual(['GetSAMLProviderCommand']);
      expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
    });

    it('creates the provider when the earlier attempt journaled the creation but never made it, without journaling again', async () => {
      earlierAttempt({ intent: ['create SAML provider ConnectAdminIdP'] });
      providerAbsent();
      iamMock.on(CreateSAMLProviderCommand).resolves({ SAMLProviderArn: ARN });

      await expect(applyIdentityProvider(makeDocument(), deps())).resolves.toMatchObject({ action: 'created' });
      expect(commandNames(iamMock)).toEqual(['GetSAMLProviderCommand', 'CreateSAMLProviderCommand']);
      expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
    });

    it('reports the update its earlier attempt made as updated, with the document from before the execution as previous', async () => {
      earlierAttempt({ intent: ['replace the metadata of SAML provider ConnectAdminIdP'], previous: journaledPrevious });
      providerPresent(METADATA_V2);

      const receipt = await applyIdentityProvider(makeDocument(), deps());

      expect(receipt).toMatchObject({
        action: 'updated',
        arn: ARN,
        previous: journaledPrevious,
        changes: [expect.stringContaining(`backed up at s3://federation-metadata-bucket/${BACKUP_KEY}`)],
      });
      expect(commandNames(iamMock)).toEqual(['GetSAMLProviderCommand']);
      // Backing up again would overwrite the pre-execution document with the new one.
      expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
    });

    it('finishes an update the earlier attempt journaled but never made, keeping its backup', async () => {
      earlierAttempt({ intent: ['replace the metadata of SAML provider ConnectAdminIdP'], previous: journaledPrevious });
      providerPresent(METADATA_V1);
      iamMock.on(UpdateSAMLProviderCommand).resolves({ SAMLProviderArn: ARN });

      await expect(applyIdentityProvider(makeDocument(), deps())).resolves.toMatchObject({ action: 'updated', previous: journaledPrevious });
      expect(iamMock).toHaveReceivedCommandWith(UpdateSAMLProviderCommand, { SAMLProviderArn: ARN, SAMLMetadataDocument: METADATA_V2 });
      expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
    });

    it('does not claim a provider with this metadata that another execution created since the journaled creation', async () => {
      earlierAttempt({ intent: ['create SAML provider ConnectAdminIdP'] });
      providerPresent(METADATA_V2, pipelineTags(makeDocument({ request: { executionName: 'exec-other' } }).request));

      await expect(applyIdentityProvider(makeDocument(), deps())).resolves.toMatchObject({ action: 'unchanged' });
      expect(commandNames(iamMock)).toEqual(['GetSAMLProviderCommand']);
    });
  });

  describe('dry run', () => {
    const dryRun = () => makeDocument({ request: { dryRun: true } });

    it('plans the creation of an absent provider with reads only', async () => {
      providerAbsent();

      const receipt = await applyIdentityProvider(dryRun(), deps());

      expect(receipt).toMatchObject({
        action: 'planned',
        arn: ARN,
        changes: [expect.stringMatching(/^would create SAML provider ConnectAdminIdP/)],
        details: { plannedAction: 'create' },
      });
      expect(commandNames(iamMock)).toEqual(['GetSAMLProviderCommand']);
      expect(commandNames(s3Mock)).toEqual(['GetObjectCommand']);
    });

    it('plans the update of a provider with other metadata with reads only, no backup and no journal', async () => {
      providerPresent(METADATA_V1);

      const receipt = await applyIdentityProvider(dryRun(), deps());

      expect(receipt).toMatchObject({
        action: 'planned',
        changes: [expect.stringMatching(/^would replace the metadata .*\/backups\/exec-0001\/identity-provider\.xml$/)],
        details: { plannedAction: 'update' },
      });
      expect(receipt.previous).toBeUndefined();
      expect(commandNames(iamMock)).toEqual(['GetSAMLProviderCommand']);
      expect(commandNames(s3Mock)).toEqual(['GetObjectCommand']);
    });

    it('plans nothing when the provider already matches', async () => {
      providerPresent(METADATA_V2);

      await expect(applyIdentityProvider(dryRun(), deps())).resolves.toMatchObject({
        action: 'planned',
        changes: [],
        details: { plannedAction: 'none' },
      });
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
