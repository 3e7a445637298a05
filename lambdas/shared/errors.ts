/**
 * Base class of every error this pipeline raises on purpose.
 *
 * The `name` of each subclass is the string the state machine matches in `Retry` and `Catch`
 * (`"ErrorEquals": ["Metadata.CertificateExpired"]`), so names are part of the public contract:
 * each family keeps its names in one module, and tests pin them.
 */
export abstract class FederationError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** Thrown when the deployed or local configuration (profiles, environment) is invalid. */
export class ConfigInvalidError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Config.Invalid';
  }
}

/** Thrown when a step receives an execution document that is not shaped as the previous state produces it. */
export class DocumentInvalidError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Document.Invalid';
  }
}

/**
 * A field AWS always returns although the SDK types it optional (a role's ARN, a policy's default version): its
 * absence is a surprise worth naming rather than a value to guess.
 */
export function returned<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`AWS answered without ${what}`);
  return value;
}
