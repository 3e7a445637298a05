import { FederationError } from '../shared/errors';

/** Thrown when AttachRolePolicy hits IAM's quota of managed policies per role (10 by default, adjustable to 20). */
export class PolicyAttachmentQuotaExceededError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Policy.AttachmentQuotaExceeded';
  }
}

/** The generated policy's name is taken by a policy this pipeline did not create, and the profile does not adopt it. */
export class PolicyNotOwnedError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Policy.NotOwned';
  }
}
