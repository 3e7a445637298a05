import { FederationError } from '../shared/errors';

/** Thrown when CreateSAMLProvider fails because the account already holds IAM's maximum of 100 SAML providers. */
export class IdentityProviderQuotaExceededError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IdentityProvider.QuotaExceeded';
  }
}

/**
 * Thrown by the revert when a provider this execution updated no longer exists, so its previous metadata cannot be
 * put back in place; the message says where the backup is.
 */
export class IdentityProviderVanishedError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IdentityProvider.Vanished';
  }
}
