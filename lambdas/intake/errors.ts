import { MetadataFetchFailedError, MetadataSourceRefusedError } from '../identity-center/errors';
import { FederationError } from '../shared/errors';

/*
 * Intake's errors. Their names are what the state machine and the person reading a failed execution see, so each
 * message says what was wrong and what to do about it. Nothing in the account has changed when one of them is thrown
 * (invariant 1).
 */

/** Thrown when the execution input is neither an S3 "Object Created" event nor a manual input, or names the wrong bucket, a key outside `metadata/<profile>/`, or an object in a bucket without versioning. */
export class RequestInvalidError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Request.Invalid';
  }
}

/** Thrown when the key's `metadata/<profile>/` prefix names a profile the pipeline was not configured with. */
export class RequestUnknownProfileError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Request.UnknownProfile';
  }
}

/** Thrown when the metadata object, or the version the input names, does not exist (or is a delete marker). */
export class RequestObjectNotFoundError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Request.ObjectNotFound';
  }
}

/** Thrown when a manual start names a version other than the object's current one without `"allowOlderVersion": true`. */
export class RequestNotCurrentVersionError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Request.NotCurrentVersion';
  }
}

/** Thrown when the document's issuer is not the one the profile trusts: its pinned entityID, or its application's. */
export class MetadataWrongApplicationError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Metadata.WrongApplication';
  }
}

/** Thrown when a signing certificate of the document is not among the fingerprints the profile pins. */
export class MetadataUnpinnedCertificateError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Metadata.UnpinnedCertificate';
  }
}

/**
 * Thrown when a signing certificate of an uploaded document is not one the profile's IAM Identity Center application's
 * own metadata carries: an entityID can be copied, a certificate the application signs with cannot.
 */
export class MetadataUnknownSigningCertificateError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Metadata.UnknownSigningCertificate';
  }
}

/** Thrown when the document is larger than IAM accepts (10,000,000), judged from the object's size before reading it. */
export class MetadataTooLargeError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Metadata.TooLarge';
  }
}

/** Thrown when the document is shorter than the 1,000 characters IAM requires. */
export class MetadataTooSmallError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Metadata.TooSmall';
  }
}

/** Thrown when the document is not UTF-8: UTF-16 or UTF-32 (by byte order mark, byte pattern or declaration), another declared encoding, or invalid UTF-8 bytes. */
export class MetadataEncodingError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Metadata.Encoding';
  }
}

/** Thrown when the document holds a DOCTYPE (entity declarations: XXE, billion laughs), a processing instruction or an XInclude. */
export class MetadataUnsafeXmlError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Metadata.UnsafeXml';
  }
}

/** Where in the document a problem was found; lines and columns count from 1. */
export interface DocumentPosition {
  line: number;
  column: number;
}

/** Thrown when the document is not well-formed XML (or breaks the SAML metadata schema in a way that matters); the message gives the line and column. */
export class MetadataMalformedError extends FederationError {
  public readonly line: number;
  public readonly column: number;

  public constructor(message: string, position: DocumentPosition, options?: ErrorOptions) {
    super(`line ${position.line}, column ${position.column}: ${message}`, options);
    this.name = 'Metadata.Malformed';
    this.line = position.line;
    this.column = position.column;
  }
}

/** Thrown when the root element is not a SAML 2.0 metadata `EntityDescriptor` or `EntitiesDescriptor`. */
export class MetadataNotSamlMetadataError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Metadata.NotSamlMetadata';
  }
}

/** Thrown when no entity has an `IDPSSODescriptor` supporting SAML 2.0: service provider metadata, or an IdP of another protocol. */
export class MetadataNotIdentityProviderError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Metadata.NotIdentityProvider';
  }
}

/** Thrown when an `EntitiesDescriptor` holds more than one SAML 2.0 identity provider: IAM would not know which to trust. */
export class MetadataMultipleIdentityProvidersError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Metadata.MultipleIdentityProviders';
  }
}

/** Thrown when the identity provider's `entityID` is missing, blank, or longer than the 1,024 characters SAML allows. */
export class MetadataInvalidEntityIdError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Metadata.InvalidEntityId';
  }
}

/** Thrown when the identity provider lists no `SingleSignOnService` with a `Location`: nobody could sign in. */
export class MetadataNoSingleSignOnServiceError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Metadata.NoSingleSignOnService';
  }
}

/** Thrown when the identity provider has no X.509 certificate in a signing `KeyDescriptor` (`use="signing"` or no `use`). */
export class MetadataNoSigningCertificateError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Metadata.NoSigningCertificate';
  }
}

/** Thrown when the identity provider lists more distinct signing certificates than the execution document can carry. */
export class MetadataTooManyCertificatesError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Metadata.TooManyCertificates';
  }
}

/** Thrown when a signing certificate is not base64, or its bytes are not an X.509 certificate. */
export class MetadataBadCertificateError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Metadata.BadCertificate';
  }
}

/** Thrown when every signing certificate is past its `notAfter`: IAM would refuse every assertion. */
export class MetadataCertificateExpiredError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Metadata.CertificateExpired';
  }
}

/** Thrown when a `validUntil` that applies to the identity provider is in the past. */
export class MetadataExpiredError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Metadata.Expired';
  }
}

/**
 * Every error Intake throws on purpose, by name: the strings the state machine matches and the tests pin. The Malformed
 * constructor takes a position as well, so the map holds the classes, not factories.
 */
export const INTAKE_ERRORS = {
  'Request.Invalid': RequestInvalidError,
  'Request.UnknownProfile': RequestUnknownProfileError,
  'Request.ObjectNotFound': RequestObjectNotFoundError,
  'Request.NotCurrentVersion': RequestNotCurrentVersionError,
  'Metadata.TooLarge': MetadataTooLargeError,
  'Metadata.TooSmall': MetadataTooSmallError,
  'Metadata.Encoding': MetadataEncodingError,
  'Metadata.UnsafeXml': MetadataUnsafeXmlError,
  'Metadata.Malformed': MetadataMalformedError,
  'Metadata.NotSamlMetadata': MetadataNotSamlMetadataError,
  'Metadata.NotIdentityProvider': MetadataNotIdentityProviderError,
  'Metadata.MultipleIdentityProviders': MetadataMultipleIdentityProvidersError,
  'Metadata.InvalidEntityId': MetadataInvalidEntityIdError,
  'Metadata.NoSingleSignOnService': MetadataNoSingleSignOnServiceError,
  'Metadata.NoSigningCertificate': MetadataNoSigningCertificateError,
  'Metadata.TooManyCertificates': MetadataTooManyCertificatesError,
  'Metadata.BadCertificate': MetadataBadCertificateError,
  'Metadata.CertificateExpired': MetadataCertificateExpiredError,
  'Metadata.Expired': MetadataExpiredError,
  'Metadata.WrongApplication': MetadataWrongApplicationError,
  'Metadata.UnpinnedCertificate': MetadataUnpinnedCertificateError,
  'Metadata.UnknownSigningCertificate': MetadataUnknownSigningCertificateError,
  'Metadata.SourceRefused': MetadataSourceRefusedError,
  'Metadata.FetchFailed': MetadataFetchFailedError,
} as const;

export type IntakeErrorName = keyof typeof INTAKE_ERRORS;

/** All of Intake's error names, Request.* first. */
export const INTAKE_ERROR_NAMES = Object.keys(INTAKE_ERRORS) as IntakeErrorName[];
export const REQUEST_ERROR_NAMES = INTAKE_ERROR_NAMES.filter((name) => name.startsWith('Request.'));
export const METADATA_ERROR_NAMES = INTAKE_ERROR_NAMES.filter((name) => name.startsWith('Metadata.'));

/** The profile's Amazon Connect instance does not exist (or is not in the account the pipeline reads it in). Nothing was changed. */
export class ConnectInstanceNotFoundError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Connect.InstanceNotFound';
  }
}

/** The profile's Amazon Connect instance is not ACTIVE (being created, or its creation failed). Nothing was changed. */
export class ConnectInstanceNotActiveError extends FederationError {
  public constructor(message: string) {
    super(message);
    this.name = 'Connect.InstanceNotActive';
  }
}

/** The instance does not use SAML 2.0 identity management, which is chosen at creation and cannot be changed. Nothing was changed. */
export class ConnectNotSamlInstanceError extends FederationError {
  public constructor(message: string) {
    super(message);
    this.name = 'Connect.NotSamlInstance';
  }
}

/** The instance is in another account than the profile's provider, role and policy. Nothing was changed. */
export class ConnectWrongAccountError extends FederationError {
  public constructor(message: string) {
    super(message);
    this.name = 'Connect.WrongAccount';
  }
}
