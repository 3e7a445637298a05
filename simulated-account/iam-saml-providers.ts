import type {
  CreateSAMLProviderCommandInput,
  DeleteSAMLProviderCommandInput,
  GetSAMLProviderCommandInput,
  ListSAMLProviderTagsCommandInput,
  TagSAMLProviderCommandInput,
  UntagSAMLProviderCommandInput,
  UpdateSAMLProviderCommandInput,
} from '@aws-sdk/client-iam';
import type { Operations } from './context';
import { awsError } from './errors';
import { checkName, checkTags, IAM_LIMITS, mergeTags, removeTags } from './iam-documents';
import { copyTags, type IamState, limitExceeded, pageOutput, type SamlProvider } from './iam-model';
import { compact, ok } from './support';

/** IAM's SAML provider operations: create, read, update, delete, tags. */
export function samlProviderOperations(iam: IamState): Operations {
  return {
    CreateSAMLProvider: (input: CreateSAMLProviderCommandInput) => {
      const name = checkName('name', input.Name, 128, /^[\w._-]+$/);
      const document = iam.checkMetadata(input.SAMLMetadataDocument);
      const tags = checkTags(input.Tags);
      if (tags.length > IAM_LIMITS.tagsPerResource) throw limitExceeded(`Cannot exceed quota for TagsPerSAMLProvider: ${IAM_LIMITS.tagsPerResource}`);
      if (iam.providers.has(name.toLowerCase())) throw awsError('EntityAlreadyExistsException', `SAMLProvider ${name} already exists.`, 'iam');
      if (iam.providers.size >= IAM_LIMITS.samlProvidersPerAccount) {
        throw limitExceeded(`Cannot exceed quota for SAMLProvidersPerAccount: ${IAM_LIMITS.samlProvidersPerAccount}`);
      }
      const now = iam.context.clock();
      const provider: SamlProvider = {
        name,
        arn: `arn:${iam.context.partition}:iam::${iam.context.account}:saml-provider/${name}`,
        uuid: iam.context.ids.uuid(),
        document,
        createDate: now,
        validUntil: iam.validUntil(document, now),
        tags,
        // A provider in the starting state has long been visible to IAM as a principal.
        unpropagatedCalls: iam.context.seeding() ? 0 : (iam.options.principalPropagationDelayCalls ?? 0),
      };
      iam.providers.set(name.toLowerCase(), provider);
      return ok(compact({ SAMLProviderArn: provider.arn, Tags: tags.length > 0 ? copyTags(tags) : undefined }));
    },
    GetSAMLProvider: (input: GetSAMLProviderCommandInput) => {
      const provider = iam.provider(input.SAMLProviderArn);
      return ok(
        compact({
          SAMLProviderUUID: provider.uuid,
          SAMLMetadataDocument: provider.document,
          CreateDate: new Date(provider.createDate),
          ValidUntil: new Date(provider.validUntil),
          Tags: provider.tags.length > 0 ? copyTags(provider.tags) : undefined,
        }),
      );
    },
    UpdateSAMLProvider: (input: UpdateSAMLProviderCommandInput) => {
      const provider = iam.provider(input.SAMLProviderArn);
      if (input.SAMLMetadataDocument !== undefined) {
        const document = iam.checkMetadata(input.SAMLMetadataDocument);
        provider.document = document;
        provider.validUntil = iam.validUntil(document, iam.context.clock());
      }
      return ok({ SAMLProviderArn: provider.arn });
    },
    DeleteSAMLProvider: (input: DeleteSAMLProviderCommandInput) => {
      const provider = iam.provider(input.SAMLProviderArn);
      iam.providers.delete(provider.name.toLowerCase());
      return ok({});
    },
    ListSAMLProviders: () =>
      ok({
        SAMLProviderList: [...iam.providers.values()]
          .sort((a, b) => a.arn.localeCompare(b.arn))
          .map((provider) => ({ Arn: provider.arn, ValidUntil: new Date(provider.validUntil), CreateDate: new Date(provider.createDate) })),
      }),
    TagSAMLProvider: (input: TagSAMLProviderCommandInput) => {
      const provider = iam.provider(input.SAMLProviderArn);
      provider.tags = mergeTags(provider.tags, checkTags(input.Tags), 'SAMLProvider');
      return ok({});
    },
    UntagSAMLProvider: (input: UntagSAMLProviderCommandInput) => {
      const provider = iam.provider(input.SAMLProviderArn);
      provider.tags = removeTags(provider.tags, input.TagKeys);
      return ok({});
    },
    ListSAMLProviderTags: (input: ListSAMLProviderTagsCommandInput) =>
      ok(pageOutput('Tags', iam.page(copyTags(iam.provider(input.SAMLProviderArn).tags), input))),
  };
}
