import {
  ApplicationAmbiguousError,
  ApplicationDisabledError,
  ApplicationNotFoundError,
  InstanceNotFoundError,
  MappingAccessDeniedError,
  MappingCurrentUnreadableError,
  MappingRejectedError,
  MappingServiceError,
  MappingThrottledError,
  RETRYABLE_MAPPING_ERRORS,
  translateSsoAdminError,
} from '../../../lambdas/identity-center/errors';
import { FederationError } from '../../../lambdas/shared/errors';

describe('attribute-mapping error names (matched by the state machine)', () => {
  it.each([
    [new ApplicationNotFoundError('x'), 'Mapping.ApplicationNotFound'],
    [new ApplicationAmbiguousError('x'), 'Mapping.ApplicationAmbiguous'],
    [new ApplicationDisabledError('x'), 'Mapping.ApplicationDisabled'],
    [new InstanceNotFoundError('x'), 'Mapping.InstanceNotFound'],
    [new MappingThrottledError('x'), 'Mapping.Throttled'],
    [new MappingServiceError('x'), 'Mapping.ServiceError'],
    [new MappingAccessDeniedError('x'), 'Mapping.AccessDenied'],
    [new MappingRejectedError('x'), 'Mapping.Rejected'],
    [new MappingCurrentUnreadableError('x'), 'Mapping.CurrentUnreadable'],
  ])('%s is named %s and is a FederationError', (error, name) => {
    expect(error.name).toBe(name);
    expect(error).toBeInstanceOf(FederationError);
  });

  it('retries only throttling and service errors', () => {
    expect([...RETRYABLE_MAPPING_ERRORS].sort()).toEqual(['Mapping.ServiceError', 'Mapping.Throttled']);
  });

  it('passes the underlying error on as cause', () => {
    const cause = new Error('socket hang up');
    expect(new MappingServiceError('no answer', { cause }).cause).toBe(cause);
  });

  it('translates the sso-admin throttling, server and permission errors, and lets others through', () => {
    const sdk = (name: string) => Object.assign(new Error(name), { name });
    expect((translateSsoAdminError(sdk('ThrottlingException'), 'ListApplications') as Error).name).toBe('Mapping.Throttled');
    expect((translateSsoAdminError(sdk('InternalServerException'), 'ListApplications') as Error).name).toBe('Mapping.ServiceError');
    expect((translateSsoAdminError(sdk('AccessDeniedException'), 'ListApplications') as Error).name).toBe('Mapping.AccessDenied');
    const validation = sdk('ValidationException');
    expect(translateSsoAdminError(validation, 'ListApplications')).toBe(validation);
  });
});
