import { applicationLookupGrants } from '../identity-center/grants';
import { onExecutionDocument, type PipelineFunction, type StepDefinition } from '../runtime/function';
import { grants } from '../shared/permissions';
import { applyAttributeMapping } from './apply';
import { readMappingFootprint } from './footprint';
import { revertAttributeMapping } from './revert';

const HANDLER = 'lambdas/attribute-mapping/handler.ts';

const IDENTITY_CENTER_ACTIONS = [
  'sso:ListInstances',
  'sso:ListApplications',
  'sso:GetApplicationInstance',
  // The Service Authorization Reference lists it among the actions DescribeApplication authorizes.
  'sso:GetManagedApplicationInstance',
  'sso:UpdateApplicationInstanceResponseConfiguration',
  'sso:UpdateApplicationInstanceResponseSchemaConfiguration',
];

/** Apply and revert read and write the same things: the application's configuration, the journal and the saved mapping. */
function mappingPermissions(direction: 'apply' | 'revert'): PipelineFunction['permissions'] {
  return (scope) => {
    const g = applicationLookupGrants(grants(scope), IDENTITY_CENTER_ACTIONS);
    const sid = direction === 'apply' ? 'JournalAndSavedMapping' : 'ReadJournalRestoreSavedMapping';
    return g.records(sid, ['journal', 'state']).result();
  };
}

/**
 * The `Role` attribute mapping of the IAM Identity Center application, through the console's API (or by an operator
 * in manual mode). Its functions call IAM Identity Center in IDENTITY_CENTER_REGION when the stack sets it.
 */
export const attributeMappingStep: StepDefinition<'attributeMapping'> = {
  name: 'attributeMapping',
  label: 'Attribute mapping',
  comment:
    'Sets https://aws.amazon.com/SAML/Attributes/Role to <role ARN>,<provider ARN> on the application; in manual mode it only prepares the mapping.',
  // The application its receipt names.
  readFootprint: (doc, { swb }) => readMappingFootprint(swb, doc.receipts?.attributeMapping?.arn ?? ''),
  apply: {
    key: 'attributeMappingApply',
    kind: 'apply',
    state: 'Map Role attribute in IAM Identity Center',
    handler: { entry: HANDLER, export: 'apply' },
    description: 'Sets the Role attribute mapping of the IAM Identity Center application',
    memorySize: 256,
    timeoutSeconds: 60,
    permissions: mappingPermissions('apply'),
    run: onExecutionDocument(applyAttributeMapping),
  },
  revert: {
    key: 'attributeMappingRevert',
    kind: 'revert',
    state: 'Revert attribute mapping',
    handler: { entry: HANDLER, export: 'revert' },
    description: 'Restores the previous attribute mapping of the IAM Identity Center application',
    memorySize: 256,
    timeoutSeconds: 60,
    permissions: mappingPermissions('revert'),
    run: onExecutionDocument(revertAttributeMapping),
  },
};
