import { FederationError } from '../shared/errors';

/** A group or user the profile assigns is not in the instance's identity store (no such display name or user name). */
export class AssignmentPrincipalNotFoundError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Assignments.PrincipalNotFound';
  }
}
