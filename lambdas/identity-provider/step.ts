import { onExecutionDocument, type StepDefinition } from '../runtime/function';
import { grants } from '../shared/permissions';
import { applyIdentityProvider } from './apply';
import { readProviderFootprint } from './footprint';
import { revertIdentityProvider } from './revert';

const HANDLER = 'lambdas/identity-provider/handler.ts';

/**
 * The IAM SAML identity provider. Its functions hold the metadata document in memory (IAM accepts up to 10,000,000
 * characters: about 20 MB as a JavaScript string, more while comparing), so they get 512 MB.
 */
export const identityProviderStep: StepDefinition<'identityProvider'> = {
  name: 'identityProvider',
  label: 'Identity provider',
  comment: 'Creates the IAM SAML provider, or replaces its metadata in place (certificate rotation).',
  readFootprint: (doc, { iam }) => readProviderFootprint(doc, iam),
  apply: {
    key: 'identityProviderApply',
    kind: 'apply',
    targetAccess: 'apply',
    state: 'Create or update identity provider',
    handler: { entry: HANDLER, export: 'apply' },
    description: 'Creates the IAM SAML identity provider or updates its metadata',
    memorySize: 512,
    timeoutSeconds: 60,
    permissions: (scope) =>
      grants(scope)
        .allow(
          'CreateOrUpdateProfileSamlProviders',
          ['iam:GetSAMLProvider', 'iam:CreateSAMLProvider', 'iam:UpdateSAMLProvider', 'iam:TagSAMLProvider', 'iam:ListSAMLProviderTags'],
          (arns) => arns.samlProviders,
        )
        .objects('ReadUploadedMetadata', ['s3:GetObject', 's3:GetObjectVersion'], ['metadata'])
        .objects('BackUpReplacedMetadata', ['s3:PutObject'], ['backups'])
        .records('JournalOfThisExecution', ['journal'])
        .result(),
    run: onExecutionDocument(applyIdentityProvider),
  },
  revert: {
    key: 'identityProviderRevert',
    kind: 'revert',
    targetAccess: 'revert',
    state: 'Revert identity provider',
    handler: { entry: HANDLER, export: 'revert' },
    description: 'Restores the previous SAML provider metadata, or deletes a provider this execution created',
    memorySize: 512,
    timeoutSeconds: 60,
    permissions: (scope) =>
      grants(scope)
        .allow(
          'RestoreOrDeleteProfileSamlProviders',
          ['iam:GetSAMLProvider', 'iam:ListSAMLProviderTags', 'iam:UpdateSAMLProvider', 'iam:DeleteSAMLProvider'],
          (arns) => arns.samlProviders,
        )
        .objects('ReadMetadataBackup', ['s3:GetObject', 's3:GetObjectVersion'], ['backups'])
        .records('JournalOfThisExecution', ['journal'])
        .result(),
    run: onExecutionDocument(revertIdentityProvider),
  },
};
