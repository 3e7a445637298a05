import { FederationError } from '../shared/errors';

/** IAM Identity Center's catalog offers no "Amazon Connect" template to create the application from. */
export class ApplicationTemplateNotFoundError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Application.TemplateNotFound';
  }
}

/**
 * The creation's answer was lost and the console API's instance list shows no names, so whether an application was
 * created cannot be told; the rollback names the template, the name it was created under and when. Not retried.
 */
export class ApplicationCreationUnknownError extends FederationError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Application.CreationUnknown';
  }
}
