import { INTAKE_ERROR_NAMES, INTAKE_ERRORS, METADATA_ERROR_NAMES, MetadataMalformedError, REQUEST_ERROR_NAMES } from '../../../lambdas/intake/errors';
import { FederationError } from '../../../lambdas/shared/errors';

describe('Intake error names (matched by the state machine, part of the public contract)', () => {
  it('are exactly these', () => {
    expect(INTAKE_ERROR_NAMES).toEqual([
      'Request.Invalid',
      'Request.UnknownProfile',
      'Request.ObjectNotFound',
      'Request.NotCurrentVersion',
      'Metadata.TooLarge',
      'Metadata.TooSmall',
      'Metadata.Encoding',
      'Metadata.UnsafeXml',
      'Metadata.Malformed',
      'Metadata.NotSamlMetadata',
      'Metadata.NotIdentityProvider',
      'Metadata.MultipleIdentityProviders',
      'Metadata.InvalidEntityId',
      'Metadata.NoSingleSignOnService',
      'Metadata.NoSigningCertificate',
      'Metadata.TooManyCertificates',
      'Metadata.BadCertificate',
      'Metadata.CertificateExpired',
      'Metadata.Expired',
      'Metadata.WrongApplication',
      'Metadata.UnpinnedCertificate',
      'Metadata.UnknownSigningCertificate',
      'Metadata.SourceRefused',
      'Metadata.FetchFailed',
    ]);
    expect([...REQUEST_ERROR_NAMES, ...METADATA_ERROR_NAMES]).toEqual(INTAKE_ERROR_NAMES);
  });

  it.each(Object.entries(INTAKE_ERRORS))('%s is a FederationError that carries its name and cause', (name, ErrorClass) => {
    const cause = new Error('underlying');
    const error =
      ErrorClass === MetadataMalformedError
        ? new MetadataMalformedError('bad', { line: 3, column: 7 }, { cause })
        : new (ErrorClass as new (m: string, o?: ErrorOptions) => Error)('bad', { cause });
    expect(error).toBeInstanceOf(FederationError);
    expect(error.name).toBe(name);
    expect(error.cause).toBe(cause);
  });

  it('puts the line and column of a malformed document in the message and on the error', () => {
    const error = new MetadataMalformedError('unclosed tag', { line: 12, column: 40 });
    expect(error.message).toBe('line 12, column 40: unclosed tag');
    expect([error.line, error.column]).toEqual([12, 40]);
  });
});
