import { FederationError } from '../shared/errors';

/**
 * The AttributeMapping step's error names. The state machine matches these strings: it retries
 * `RETRYABLE_MAPPING_ERRORS` and rolls back on the others.
 */
export const MAPPING_ERROR_NAMES = {
  applicationNotFound: 'Mapping.ApplicationNotFound',
  applicationAmbiguous: 'Mapping.ApplicationAmbiguous',
  applicationDisabled: 'Mapping.ApplicationDisabled',
  instanceNotFound: 'Mapping.InstanceNotFound',
  throttled: 'Mapping.Throttled',
  serviceError: 'Mapping.ServiceError',
  accessDenied: 'Mapping.AccessDenied',
  rejected: 'Mapping.Rejected',
  rejectedByOperator: 'Mapping.RejectedByOperator',
  currentUnreadable: 'Mapping.CurrentUnreadable',
} as const;

/** Transient: the state machine retries these with backoff. */
export const RETRYABLE_MAPPING_ERRORS: readonly string[] = [MAPPING_ERROR_NAMES.throttled, MAPPING_ERROR_NAMES.serviceError];

/** Thrown when the configured application ARN or display name matches no application of the Identity Center instance. */
export class ApplicationNotFoundError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = MAPPING_ERROR_NAMES.applicationNotFound;
  }
}

/** Thrown when several applications carry the configured display name, so the profile must name one by ARN. */
export class ApplicationAmbiguousError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = MAPPING_ERROR_NAMES.applicationAmbiguous;
  }
}

/** Thrown when DescribeApplication shows the application exists but is not ENABLED. */
export class ApplicationDisabledError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = MAPPING_ERROR_NAMES.applicationDisabled;
  }
}

/** Thrown when no instanceArn is configured and ListInstances returns none, or several instances. */
export class InstanceNotFoundError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = MAPPING_ERROR_NAMES.instanceNotFound;
  }
}

/** Thrown when IAM Identity Center throttles a call (HTTP 429 or a throttling error type); retryable. */
export class MappingThrottledError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = MAPPING_ERROR_NAMES.throttled;
  }
}

/** Thrown on an HTTP 5xx, a network failure or a timeout talking to IAM Identity Center; retryable. */
export class MappingServiceError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = MAPPING_ERROR_NAMES.serviceError;
  }
}

/**
 * Thrown before any write when the console API does not return the application's current response configuration and
 * the profile does not say what to do then (attributeMapping.onUnreadable): a write replaces the configuration whole,
 * so it would erase what a person set in the console. Not retried: the answer will not change by waiting.
 */
export class MappingCurrentUnreadableError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = MAPPING_ERROR_NAMES.currentUnreadable;
  }
}

/** Thrown when IAM Identity Center refuses the caller's permissions (AccessDeniedException, HTTP 403). */
export class MappingAccessDeniedError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = MAPPING_ERROR_NAMES.accessDenied;
  }
}

/** Thrown when the console API refuses a request for any other reason (4xx validation); carries the AWS error type. */
export class MappingRejectedError extends FederationError {
  public readonly awsType: string | undefined;
  public readonly statusCode: number | undefined;

  public constructor(message: string, details: { awsType?: string; statusCode?: number } = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = MAPPING_ERROR_NAMES.rejected;
    this.awsType = details.awsType;
    this.statusCode = details.statusCode;
  }
}

/**
 * The public sso-admin API answers with SDK error names; translate the transient and permission ones so that the
 * state machine retries this step on one list of names whichever API threw.
 */
export function translateSsoAdminError(error: unknown, what: string): unknown {
  const name = (error as Error | undefined)?.name;
  const message = `${what}: ${name}: ${(error as Error | undefined)?.message ?? String(error)}`;
  if (name === 'ThrottlingException' || name === 'Throttling' || name === 'TooManyRequestsException') {
    return new MappingThrottledError(message, { cause: error });
  }
  if (name === 'InternalServerException' || name === 'ServiceUnavailableException') return new MappingServiceError(message, { cause: error });
  if (name === 'AccessDeniedException') return new MappingAccessDeniedError(message, { cause: error });
  return error;
}

/**
 * Thrown when the metadata URL an application gives is not one the pipeline fetches from (not HTTPS, not the Identity
 * Center portal of the region), or its answer is over IAM's size limit. Nothing was stored or changed.
 */
export class MetadataSourceRefusedError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Metadata.SourceRefused';
  }
}

/** Thrown when the application's metadata URL did not answer, or answered with an HTTP error; the state machine retries it. */
export class MetadataFetchFailedError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Metadata.FetchFailed';
  }
}

/**
 * Thrown when a profile creates its application (application.create) and an application of that display name exists
 * that the pipeline has no record of creating: a name is not an identity (created-application.ts). Not retried.
 */
export class ApplicationNotRecordedError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Application.NotRecorded';
  }
}
