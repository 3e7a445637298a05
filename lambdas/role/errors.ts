import { FederationError } from '../shared/errors';

/**
 * Thrown by the revert when a role this execution updated no longer exists, so its previous settings cannot be put
 * back; the message lists them.
 */
export class RoleVanishedError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Role.Vanished';
  }
}
