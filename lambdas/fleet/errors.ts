import { FederationError } from '../shared/errors';

/** The fleet's input names a profile the configuration does not define, or is not shaped as documented. */
export class FleetRequestInvalidError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Fleet.RequestInvalid';
  }
}
