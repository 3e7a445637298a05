import {
  CreateSAMLProviderCommand,
  DeleteSAMLProviderCommand,
  EntityAlreadyExistsException,
  GetSAMLProviderCommand,
  IAMServiceException,
  InvalidInputException,
  LimitExceededException,
  ListSAMLProvidersCommand,
  ListSAMLProviderTagsCommand,
  NoSuchEntityException,
  TagSAMLProviderCommand,
  UntagSAMLProviderCommand,
  UpdateSAMLProviderCommand,
} from '@aws-sdk/client-iam';
import { SimulatedAccount } from '../../simulated-account';
import { metadataXml, providerArn, rejection } from './fixtures';

describe('simulated IAM SAML providers', () => {
  function setup() {
    const account = new SimulatedAccount();
    return { account, iam: account.clients().iam };
  }

  it('creates a provider and returns its document, tags and dates', async () => {
    const { iam } = setup();
    const created = await iam.send(
      new CreateSAMLProviderCommand({
        Name: 'AmazonConnectAdminAccess',
        SAMLMetadataDocument: metadataXml('a', { validUntil: '2031-06-01T00:00:00Z' }),
        Tags: [{ Key: 'k', Value: 'v' }],
      }),
    );
    expect(created.SAMLProviderArn).toBe(providerArn('AmazonConnectAdminAccess'));
    expect(created.$metadata.httpStatusCode).toBe(200);

    const read = await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: created.SAMLProviderArn }));
    expect(read.SAMLMetadataDocument).toBe(metadataXml('a', { validUntil: '2031-06-01T00:00:00Z' }));
    expect(read.Tags).toEqual([{ Key: 'k', Value: 'v' }]);
    expect(read.CreateDate).toBeInstanceOf(Date);
    expect(read.ValidUntil).toEqual(new Date('2031-06-01T00:00:00Z'));
  });

  it('refuses a second provider with the same name with EntityAlreadyExistsException', async () => {
    const { iam } = setup();
    await iam.send(new CreateSAMLProviderCommand({ Name: 'IdP', SAMLMetadataDocument: metadataXml() }));
    const error = await rejection(iam.send(new CreateSAMLProviderCommand({ Name: 'IdP', SAMLMetadataDocument: metadataXml() })));
    expect(error).toBeInstanceOf(EntityAlreadyExistsException);
    expect(error.$metadata?.httpStatusCode).toBe(409);
  });

  it.each([
    ['a name with a character outside [\\w._-]', { Name: 'bad name', SAMLMetadataDocument: metadataXml() }],
    ['a name longer than 128 characters', { Name: 'x'.repeat(129), SAMLMetadataDocument: metadataXml() }],
    ['metadata shorter than 1,000 characters', { Name: 'IdP', SAMLMetadataDocument: '<md:EntityDescriptor/>' }],
    ['metadata longer than 10,000,000 characters', { Name: 'IdP', SAMLMetadataDocument: metadataXml().padEnd(10_000_001, ' ') }],
  ])("refuses %s with IAM's ValidationError (a model constraint: unmodelled, raised by its code)", async (_what, input) => {
    const { iam } = setup();
    const error = await rejection(iam.send(new CreateSAMLProviderCommand(input)));
    expect(error).toBeInstanceOf(IAMServiceException);
    expect(error).not.toBeInstanceOf(InvalidInputException);
    expect(error).toMatchObject({ name: 'ValidationError', $fault: 'client', message: expect.stringMatching(/^1 validation error detected: /) });
  });

  it('accepts a name of exactly 128 characters from the allowed set', async () => {
    const { iam } = setup();
    await expect(iam.send(new CreateSAMLProviderCommand({ Name: 'a._-'.repeat(32), SAMLMetadataDocument: metadataXml() }))).resolves.toBeDefined();
  });

  it('refuses the 101st provider with LimitExceededException', async () => {
    const { account, iam } = setup();
    await account.seed(async () => {
      for (let index = 0; index < 100; index += 1)
        await iam.send(new CreateSAMLProviderCommand({ Name: `IdP${index}`, SAMLMetadataDocument: metadataXml() }));
    });
    expect(await rejection(iam.send(new CreateSAMLProviderCommand({ Name: 'OneTooMany', SAMLMetadataDocument: metadataXml() })))).toBeInstanceOf(
      LimitExceededException,
    );
    expect((await iam.send(new ListSAMLProvidersCommand({}))).SAMLProviderList).toHaveLength(100);
  });

  it('updates the metadata in place', async () => {
    const { iam } = setup();
    const { SAMLProviderArn } = await iam.send(new CreateSAMLProviderCommand({ Name: 'IdP', SAMLMetadataDocument: metadataXml('old') }));
    const updated = await iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn, SAMLMetadataDocument: metadataXml('new') }));
    expect(updated.SAMLProviderArn).toBe(SAMLProviderArn);
    expect((await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn }))).SAMLMetadataDocument).toBe(metadataXml('new'));
  });

  it('answers every operation on a missing provider with NoSuchEntityException', async () => {
    const { iam } = setup();
    const SAMLProviderArn = providerArn('Missing');
    for (const command of [
      new GetSAMLProviderCommand({ SAMLProviderArn }),
      new UpdateSAMLProviderCommand({ SAMLProviderArn, SAMLMetadataDocument: metadataXml() }),
      new DeleteSAMLProviderCommand({ SAMLProviderArn }),
      new TagSAMLProviderCommand({ SAMLProviderArn, Tags: [{ Key: 'k', Value: 'v' }] }),
      new ListSAMLProviderTagsCommand({ SAMLProviderArn }),
    ]) {
      expect(await rejection(iam.send(command as never))).toBeInstanceOf(NoSuchEntityException);
    }
  });

  it('deletes a provider', async () => {
    const { iam } = setup();
    const { SAMLProviderArn } = await iam.send(new CreateSAMLProviderCommand({ Name: 'IdP', SAMLMetadataDocument: metadataXml() }));
    await iam.send(new DeleteSAMLProviderCommand({ SAMLProviderArn }));
    expect((await iam.send(new ListSAMLProvidersCommand({}))).SAMLProviderList).toEqual([]);
  });

  it('tags, lists tags page by page and untags', async () => {
    const { iam } = setup();
    const { SAMLProviderArn } = await iam.send(
      new CreateSAMLProviderCommand({ Name: 'IdP', SAMLMetadataDocument: metadataXml(), Tags: [{ Key: 'a', Value: '1' }] }),
    );
    await iam.send(
      new TagSAMLProviderCommand({
        SAMLProviderArn,
        Tags: [
          { Key: 'b', Value: '2' },
          { Key: 'a', Value: 'replaced' },
        ],
      }),
    );
    const first = await iam.send(new ListSAMLProviderTagsCommand({ SAMLProviderArn, MaxItems: 1 }));
    expect(first).toMatchObject({ Tags: [{ Key: 'a', Value: 'replaced' }], IsTruncated: true });
    const second = await iam.send(new ListSAMLProviderTagsCommand({ SAMLProviderArn, MaxItems: 1, Marker: first.Marker }));
    expect(second.Tags).toEqual([{ Key: 'b', Value: '2' }]);
    expect(second.IsTruncated).toBe(false);
    expect(second.Marker).toBeUndefined();

    await iam.send(new UntagSAMLProviderCommand({ SAMLProviderArn, TagKeys: ['a'] }));
    expect((await iam.send(new ListSAMLProviderTagsCommand({ SAMLProviderArn }))).Tags).toEqual([{ Key: 'b', Value: '2' }]);
  });

  it('refuses more than 50 tags with LimitExceededException and reserved aws: keys with InvalidInputException', async () => {
    const { iam } = setup();
    const tags = Array.from({ length: 51 }, (_, index) => ({ Key: `k${index}`, Value: 'v' }));
    expect(await rejection(iam.send(new CreateSAMLProviderCommand({ Name: 'IdP', SAMLMetadataDocument: metadataXml(), Tags: tags })))).toBeInstanceOf(
      LimitExceededException,
    );
    expect(
      await rejection(
        iam.send(new CreateSAMLProviderCommand({ Name: 'IdP', SAMLMetadataDocument: metadataXml(), Tags: [{ Key: 'aws:x', Value: 'v' }] })),
      ),
    ).toBeInstanceOf(InvalidInputException);
  });
});
