import { z } from 'zod';
import { RETRYABLE_MAPPING_ERRORS } from '../lambdas/attribute-mapping/errors';
import { STEP_NAMES, type StepName, stepNamed } from '../lambdas/steps';

/**
 * Every error name statemachine/federation.asl.json raises or matches, in one place. The workflow's own names are part
 * of the public contract (people and alarms match them); the retry groups say what the ASL treats as transient. A
 * test holds each `ErrorEquals` list and each raised `Error` of the file to these constants.
 */

/** The names the workflow's own states give an execution that fails after Intake. */
export const WORKFLOW_ERRORS = {
  /** Another execution held the profile's lock for longer than this one waits; nothing changed. */
  lockTimeout: 'Lock.Timeout',
  /** A step failed and every revert succeeded; the cause carries the original error. */
  rolledBack: 'Provisioning.RolledBack',
  /** A revert failed even after retries; the cause is a RollbackIncompleteCause (JSON). */
  rollbackIncomplete: 'Rollback.Incomplete',
} as const;

/** Step Functions' wildcard: any error. */
export const ANY_ERROR = 'States.ALL';

/**
 * The Lambda service's own failures (not the function's): the ASL retries them on every Lambda task, the set the
 * Step Functions developer guide recommends for Lambda tasks ("Handle transient Lambda service exceptions").
 */
export const LAMBDA_SERVICE_ERRORS: readonly string[] = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/**
 * AWS answers that mean "try again", as the steps' clients name them: IAM ('Throttling', ServiceFailureException,
 * ConcurrentModificationException), S3 (SlowDown, InternalError, ServiceUnavailable, RequestTimeout), IAM Identity
 * Center's sso-admin (ThrottlingException) and its console API through the adapter (Mapping.Throttled,
 * Mapping.ServiceError).
 */
export const TRANSIENT_AWS_ERRORS: readonly string[] = [
  'Throttling',
  'ThrottlingException',
  'ServiceFailureException',
  'ConcurrentModificationException',
  'SlowDown',
  'InternalError',
  'ServiceUnavailable',
  'RequestTimeout',
  ...RETRYABLE_MAPPING_ERRORS,
];

/** The lock's conditional put or delete failed: another execution holds the profile (DynamoDB integration's name). */
export const LOCK_HELD = 'DynamoDB.ConditionalCheckFailedException';

/** DynamoDB answers that mean "try again", as the Step Functions DynamoDB integration names them. */
export const DYNAMODB_TRANSIENT_ERRORS: readonly string[] = [
  'DynamoDB.ProvisionedThroughputExceededException',
  'DynamoDB.ThrottlingException',
  'DynamoDB.InternalServerErrorException',
  'DynamoDB.RequestLimitExceeded',
];

/** SNS answers that mean "try again", as the Step Functions SNS integration names them. */
export const SNS_TRANSIENT_ERRORS: readonly string[] = ['SNS.ThrottledException', 'SNS.InternalErrorException', 'SNS.KMSThrottlingException'];

/** Every list the ASL may put in an `ErrorEquals`. */
export const ERROR_GROUPS: Readonly<Record<string, readonly string[]>> = {
  any: [ANY_ERROR],
  lambdaService: LAMBDA_SERVICE_ERRORS,
  transientAws: TRANSIENT_AWS_ERRORS,
  lockHeld: [LOCK_HELD],
  transientDynamoDb: DYNAMODB_TRANSIENT_ERRORS,
  transientSns: SNS_TRANSIENT_ERRORS,
};

const stepName = z.custom<StepName>((value) => typeof value === 'string' && (STEP_NAMES as readonly string[]).includes(value), {
  message: `must be one of the steps ${STEP_NAMES.join(', ')}`,
});
const stateError = z.object({ Error: z.string(), Cause: z.string().optional().default('') });

/**
 * The cause of Rollback.Incomplete, as the state machine's "Rollback incomplete" state writes it (the JSON text of
 * `$.rollbackIncomplete`): which revert failed and how, what a person must still undo (that step and every earlier
 * one, newest first), and the failure that started the rollback.
 */
export const RollbackIncompleteCauseSchema = z.object({
  failedRevert: stepName,
  stillToUndo: z.array(stepName).min(1),
  failure: stateError,
  revertFailure: stateError,
});
export type RollbackIncompleteCause = z.infer<typeof RollbackIncompleteCauseSchema>;

/** Reads a Rollback.Incomplete cause; throws when it is not the structured shape (a person or an old execution wrote it). */
export function parseRollbackIncompleteCause(cause: string | undefined): RollbackIncompleteCause {
  let json: unknown;
  try {
    json = JSON.parse(cause ?? '');
  } catch {
    throw new TypeError(`a Rollback.Incomplete cause is JSON, got ${JSON.stringify(cause)}`);
  }
  return RollbackIncompleteCauseSchema.parse(json);
}

/** The cause in words, for people: the step labels come from the registry. */
export function describeRollbackIncomplete(cause: RollbackIncompleteCause): string[] {
  const label = (name: StepName) => stepNamed(name).label.toLowerCase();
  return [
    `Provisioning failed (${cause.failure.Error}: ${cause.failure.Cause}) and the rollback stopped: reverting the ${label(cause.failedRevert)} failed (${cause.revertFailure.Error}: ${cause.revertFailure.Cause}).`,
    `Still to undo by hand, in this order: ${cause.stillToUndo.map(label).join(', then ')}.`,
  ];
}
