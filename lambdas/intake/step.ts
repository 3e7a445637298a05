import { applicationLookupGrants } from '../identity-center/grants';
import type { PipelineFunction } from '../runtime/function';
import type { ExecutionDocument } from '../shared/document';
import { grants } from '../shared/permissions';
import { sessionNameOf, targetRoleArn } from '../shared/target-account';
import { intake } from './intake';
import { fetchedMetadataKey } from './request';

/**
 * Intake: the first state. It holds the metadata document in memory while validating it (up to 10,000,000 bytes,
 * several times that while parsing), so it gets 512 MB.
 */
export const intakeFunction: PipelineFunction<ExecutionDocument> = {
  key: 'intake',
  kind: 'intake',
  state: 'Validate metadata',
  handler: { entry: 'lambdas/intake/handler.ts', export: 'handler' },
  description: 'Reads the uploaded metadata (pinned to its version), validates it and resolves the profile',
  memorySize: 512,
  timeoutSeconds: 60,
  // HeadObject and GetObject (pinned to a version) are authorized by s3:GetObject / s3:GetObjectVersion. ListBucket
  // makes a wrong key in a manual input fail as Request.ObjectNotFound rather than as AccessDenied.
  // For an input that names only the profile: find the application and its metadata URL (read-only Identity Center
  // calls), and store the fetched document under the one key per profile that Intake writes. For an upload: the same
  // reads, to check that the application's own metadata carries every certificate of the document.
  permissions: (scope) =>
    applicationLookupGrants(
      grants(scope).objects('ReadUploadedMetadata', ['s3:GetObject', 's3:GetObjectVersion'], ['metadata']).listBucket(),
      ['sso:ListInstances', 'sso:ListApplications', 'sso:GetApplicationInstance'],
      'FetchApplicationMetadata',
    )
      .readRecords('WhichApplicationThePipelineCreated', 'state')
      // The profile's Connect instance, checked before anything changes: here, or through the read role of its account.
      .allow('DescribeProfileConnectInstances', ['connect:DescribeInstance'], (arns) => arns.connectInstances)
      .assumeTargetRoles('read')
      .allow(
        'StoreFetchedMetadata',
        ['s3:PutObject'],
        Object.keys(scope.config.profiles).map((profile) => `${scope.bucketArn}/${fetchedMetadataKey(profile)}`),
      )
      .result(),
  run: (event, context) =>
    intake(event, {
      s3: context.clients.s3,
      identityCenter: { ssoAdmin: context.clients.ssoAdmin, swb: context.clients.swb, fetchMetadata: context.clients.fetchMetadata },
      records: context.clients.records,
      config: context.config,
      environment: context.environment,
      now: context.now,
      connectOf: (profile, executionName) =>
        profile.account === undefined
          ? context.clients.connect
          : context.clients.connectIn({
              roleArn: targetRoleArn(context.environment.partition, profile.account, context.config.pipelineName, 'read'),
              sessionName: sessionNameOf(executionName),
            }),
    }),
};

/**
 * Intake once more, for an application this execution has just created (application.create): the same code and
 * rights, invoked by its own state after the application step, with the profile's name as input.
 */
export const newApplicationIntakeFunction: PipelineFunction<ExecutionDocument> = {
  ...intakeFunction,
  key: 'newApplicationIntake',
  state: "Validate the new application's metadata",
  description: 'Takes and validates the metadata of the application this execution created',
};
