import { RETRYABLE_MAPPING_ERRORS } from './identity-center/errors';

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
  /** A revert failed even after retries, or left something in place; the cause is a RollbackIncompleteCause (JSON). */
  rollbackIncomplete: 'Rollback.Incomplete',
  /**
   * This run does not hold the profile's lease (redriven, or its lease ran out): its steps and reverts changed nothing
   * after that, and are not retried (lambdas/shared/lock.ts).
   */
  lockNotHeld: 'Lock.NotHeld',
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
 * Mapping.ServiceError), the record table's DynamoDB (ProvisionedThroughputExceededException, RequestLimitExceeded,
 * ThrottlingException, InternalServerError) and a record written by another attempt between a read and its
 * conditional write (Records.Conflict: the retried step reads it afresh).
 */
/** The application's metadata URL did not answer or answered with an HTTP error (lambdas/identity-center/portal.ts). */
const METADATA_FETCH_FAILED = 'Metadata.FetchFailed';

/** A record changed between its read and its conditional write (lambdas/shared/records.ts). */
const RECORDS_CONFLICT = 'Records.Conflict';

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
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  // Amazon Connect's server fault (its throttling is ThrottlingException, above).
  'InternalServiceException',
  RECORDS_CONFLICT,
];

/** Intake's transient errors: AWS's, and a fetch of an application's metadata that failed (retried like them). */
export const INTAKE_TRANSIENT_ERRORS: readonly string[] = [...TRANSIENT_AWS_ERRORS, METADATA_FETCH_FAILED];

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

/** The fleet (statemachine/fleet.asl.json) ends with this when a profile's execution needs a person. */
export const FLEET_NEEDS_ACTION = 'Fleet.NeedsAction';

/**
 * StartExecution's answers that mean "try again" as the .sync integration names them: too many open executions, and
 * the service's own failures.
 */
const START_EXECUTION_TRANSIENT_ERRORS: readonly string[] = [
  'StepFunctions.ExecutionLimitExceededException',
  'StepFunctions.SdkClientException',
  'StepFunctions.AWSStepFunctionsException',
];

/** Every list the ASL may put in an `ErrorEquals`. */
export const ERROR_GROUPS: Readonly<Record<string, readonly string[]>> = {
  any: [ANY_ERROR],
  lambdaService: LAMBDA_SERVICE_ERRORS,
  transientAws: TRANSIENT_AWS_ERRORS,
  transientIntake: INTAKE_TRANSIENT_ERRORS,
  lockHeld: [LOCK_HELD],
  /** Matched first by every revert's retriers, with no attempt: a revert without the lease stays refused. */
  leaseLost: [WORKFLOW_ERRORS.lockNotHeld],
  transientDynamoDb: DYNAMODB_TRANSIENT_ERRORS,
  transientSns: SNS_TRANSIENT_ERRORS,
  transientStartExecution: START_EXECUTION_TRANSIENT_ERRORS,
};
