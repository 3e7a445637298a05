import * as connect from '@aws-sdk/client-connect';
import * as dynamodb from '@aws-sdk/client-dynamodb';
import * as iam from '@aws-sdk/client-iam';
import * as identitystore from '@aws-sdk/client-identitystore';
import * as s3 from '@aws-sdk/client-s3';
import * as ssoAdmin from '@aws-sdk/client-sso-admin';
import * as sts from '@aws-sdk/client-sts';
import { responseError } from '../lambdas/identity-center/console-client';
import { FederationError } from '../lambdas/shared/errors';
import { LOCK_HELD } from '../lambdas/workflow-errors';

/** The services the simulated account answers for; a call log entry and a fault name one of these. */
/** 'dynamodb' is the state machine's lock table; 'records' the steps' record table (journal entries, saved mappings). */
/** 'portal': the Identity Center portal's unauthenticated HTTPS endpoints (an application's IdP metadata). */
/** 'identitystore': the instance's users and groups, by name. */
/** 'sts': AssumeRole into the organization's accounts (the target roles). 'connect': the Amazon Connect instances. */
export type Service = 's3' | 'iam' | 'sso-admin' | 'identitystore' | 'swb' | 'portal' | 'dynamodb' | 'records' | 'sns' | 'sts' | 'connect';

type ExceptionClass = new (options: { message: string; $metadata: { httpStatusCode?: number } }) => Error;

/**
 * The SDK's own exception classes, per service, so that code under test sees exactly what the real client throws
 * (same class, same `name`, same `$fault`).
 */
const MODELLED: Record<string, Record<string, ExceptionClass>> = {
  iam: {
    NoSuchEntityException: iam.NoSuchEntityException,
    EntityAlreadyExistsException: iam.EntityAlreadyExistsException,
    LimitExceededException: iam.LimitExceededException,
    DeleteConflictException: iam.DeleteConflictException,
    MalformedPolicyDocumentException: iam.MalformedPolicyDocumentException,
    InvalidInputException: iam.InvalidInputException,
    ServiceFailureException: iam.ServiceFailureException,
    ConcurrentModificationException: iam.ConcurrentModificationException,
    UnmodifiableEntityException: iam.UnmodifiableEntityException,
    PolicyNotAttachableException: iam.PolicyNotAttachableException,
  },
  s3: {
    NoSuchKey: s3.NoSuchKey,
    NotFound: s3.NotFound,
    NoSuchBucket: s3.NoSuchBucket,
    BucketAlreadyOwnedByYou: s3.BucketAlreadyOwnedByYou,
    AccessDenied: s3.AccessDenied,
    InvalidRequest: s3.InvalidRequest,
  },
  'sso-admin': {
    ResourceNotFoundException: ssoAdmin.ResourceNotFoundException,
    ThrottlingException: ssoAdmin.ThrottlingException,
    AccessDeniedException: ssoAdmin.AccessDeniedException,
    ValidationException: ssoAdmin.ValidationException,
    ConflictException: ssoAdmin.ConflictException,
    InternalServerException: ssoAdmin.InternalServerException,
    ServiceQuotaExceededException: ssoAdmin.ServiceQuotaExceededException,
  },
  identitystore: {
    ResourceNotFoundException: identitystore.ResourceNotFoundException,
    ThrottlingException: identitystore.ThrottlingException,
    AccessDeniedException: identitystore.AccessDeniedException,
    ValidationException: identitystore.ValidationException,
    InternalServerException: identitystore.InternalServerException,
  },
  connect: {
    ResourceNotFoundException: connect.ResourceNotFoundException,
    InvalidParameterException: connect.InvalidParameterException,
    InvalidRequestException: connect.InvalidRequestException,
    DuplicateResourceException: connect.DuplicateResourceException,
    LimitExceededException: connect.LimitExceededException,
    ThrottlingException: connect.ThrottlingException,
    InternalServiceException: connect.InternalServiceException,
    AccessDeniedException: connect.AccessDeniedException,
  },
  records: {
    ConditionalCheckFailedException: dynamodb.ConditionalCheckFailedException,
    ProvisionedThroughputExceededException: dynamodb.ProvisionedThroughputExceededException,
    RequestLimitExceeded: dynamodb.RequestLimitExceeded,
    ThrottlingException: dynamodb.ThrottlingException,
    InternalServerError: dynamodb.InternalServerError,
    ResourceNotFoundException: dynamodb.ResourceNotFoundException,
  },
};

/** Each SDK client's base exception class: what it throws for an error code its model does not list. */
type ServiceExceptionClass = new (options: {
  name: string;
  $fault: 'client' | 'server';
  $metadata: { httpStatusCode?: number };
  message: string;
}) => Error;
const SERVICE_EXCEPTIONS: Partial<Record<Service, ServiceExceptionClass>> = {
  iam: iam.IAMServiceException,
  s3: s3.S3ServiceException,
  'sso-admin': ssoAdmin.SSOAdminServiceException,
  identitystore: identitystore.IdentitystoreServiceException,
  records: dynamodb.DynamoDBServiceException,
  sts: sts.STSServiceException,
  connect: connect.ConnectServiceException,
};

/** HTTP status codes AWS documents for these errors; anything else is a client error (400). */
const STATUS: Record<string, number> = {
  NoSuchEntityException: 404,
  EntityAlreadyExistsException: 409,
  LimitExceededException: 409,
  DeleteConflictException: 409,
  ConcurrentModificationException: 409,
  ServiceFailureException: 500,
  NoSuchKey: 404,
  NotFound: 404,
  NoSuchBucket: 404,
  NoSuchVersion: 404,
  BucketAlreadyOwnedByYou: 409,
  AccessDenied: 403,
  Forbidden: 403,
  MethodNotAllowed: 405,
  RequestTimeout: 400,
  AccessDeniedException: 403,
  SlowDown: 503,
  InternalError: 500,
  ServiceUnavailable: 503,
  ServiceUnavailableException: 503,
  ResourceNotFoundException: 404,
  InternalServerException: 500,
  ThrottlingException: 429,
  ConflictException: 409,
  InternalServerError: 500,
  InternalServiceException: 500,
  DuplicateResourceException: 409,
};

/** An AWS error as the SDK surfaces it: the modelled class when the service has one, else an Error with that name. */
export type AwsError = Error & { $metadata: { httpStatusCode?: number }; $fault?: 'client' | 'server' };

/**
 * Builds the error a real client would throw for `name`. For a service with modelled errors, `name` may omit the
 * `Exception` suffix ('ServiceFailure' -> ServiceFailureException on IAM, 'Throttling' -> ThrottlingException on
 * sso-admin). Names the SDK does not model (IAM 'Throttling', S3 'NoSuchVersion' and 'SlowDown', any pipeline name
 * such as 'DynamoDB.ConditionalCheckFailedException') become a plain Error carrying that exact name.
 */
export function awsError(name: string, message: string, service?: Service): AwsError {
  const classes = service ? MODELLED[service] : undefined;
  const resolved = classes?.[name] ? name : classes?.[`${name}Exception`] ? `${name}Exception` : undefined;
  const ExceptionClass = resolved ? classes?.[resolved] : undefined;
  if (resolved && ExceptionClass) return new ExceptionClass({ message, $metadata: { httpStatusCode: STATUS[resolved] ?? 400 } }) as AwsError;
  const status = STATUS[name] ?? 400;
  const $metadata = { httpStatusCode: status };
  const $fault: 'server' | 'client' = status >= 500 ? 'server' : 'client';
  // An error the SDK does not model still arrives as the service's base exception, carrying the error code as its name.
  const Base = service ? SERVICE_EXCEPTIONS[service] : undefined;
  if (Base) return new Base({ name, $fault, $metadata, message }) as AwsError;
  return Object.assign(new Error(message), { name, $metadata, $fault });
}

/**
 * An S3 HeadObject failure as SDK v3 reports it. A HEAD response has no body, so the SDK cannot read an error code:
 * a 404 becomes `NotFound` (its modelled class), any other status an S3ServiceException named `Unknown` with the
 * message `UnknownError` (seen against S3 and an independent emulator; AWS documents HEAD errors by status only).
 * The response's headers stay reachable, as the SDK leaves them, on the hidden `$response` (e.g. `x-amz-delete-marker`).
 */
export function headObjectError(status: number, headers: Record<string, string> = {}): AwsError {
  const $metadata = { httpStatusCode: status };
  const error = (
    status === 404
      ? new s3.NotFound({ message: 'UnknownError', $metadata })
      : Object.assign(
          new s3.S3ServiceException({ name: 'Unknown', $fault: status >= 500 ? 'server' : 'client', $metadata, message: 'UnknownError' }),
          { $metadata },
        )
  ) as AwsError;
  Object.defineProperty(error, '$response', { value: { statusCode: status, headers: { ...headers }, body: undefined }, enumerable: false });
  return error;
}

/** Thrown when code sends a command the simulated account does not implement, so a coverage gap is obvious. */
export class UnsupportedCommandError extends FederationError {
  public constructor(service: Service, operation: string) {
    super(`The simulated account does not implement ${service} ${operation} (${operation}Command): add it to simulated-account/`);
    this.name = 'SimulatedAccount.UnsupportedCommand';
  }
}

/** Thrown when a seed helper is misused (an unknown instance, a duplicate ARN): a mistake in the test or CLI setup. */
export class SeedInvalidError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SimulatedAccount.SeedInvalid';
  }
}

/**
 * An SWBService error answer as the service sends it: the JSON 1.1 `__type` and the HTTP status. The simulated
 * service throws these; the in-memory client turns them into `Mapping.*` errors with the HTTP adapter's own
 * translation (`responseError`), and the simulated HTTP endpoint sends them as they are.
 */
export class SwbServiceFault extends Error {
  public readonly status: number;

  public constructor(
    public readonly operation: string,
    type: string,
    message: string,
  ) {
    super(message);
    this.name = type;
    this.status = STATUS[type] ?? 400;
  }

  /** The response body the service sends. */
  public body(): string {
    return JSON.stringify({ __type: `com.amazonaws.swbservice#${this.name}`, message: this.message });
  }

  /** What the HTTP adapter (lambdas/identity-center/console-client.ts) makes of this answer. */
  public asAdapterError(): Error {
    return responseError(this.operation, this.status, null, this.body());
  }
}

/** The error an injected fault named `name` throws on a call to `service`. */
export function injectedError(name: string, service: Service, operation: string): Error {
  const message = `Injected fault: ${service} ${operation} failed with ${name}`;
  if (service === 'swb' && !name.startsWith('Mapping.')) return new SwbServiceFault(operation, name, message);
  // A HEAD response has no body: the client sees the status alone, whatever S3 meant.
  if (service === 's3' && operation === 'HeadObject') return headObjectError(STATUS[name] ?? 400);
  return awsError(name, message, service);
}

/** DynamoDB's failed condition, named as Step Functions' DynamoDB integration reports it. */
export function conditionalCheckFailed(message: string): AwsError {
  return awsError(LOCK_HELD, message);
}
