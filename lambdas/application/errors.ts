import { FederationError } from '../shared/errors';

/** IAM Identity Center's catalog offers no "Amazon Connect" template to create the application from. */
export class ApplicationTemplateNotFoundError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Application.TemplateNotFound';
  }
}
