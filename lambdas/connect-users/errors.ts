import { FederationError } from '../shared/errors';

/** A person's session name is not a user name Amazon Connect accepts on an instance using SAML; nothing was created. */
export class ConnectUsersInvalidUserNameError extends FederationError {
  public constructor(message: string) {
    super(message);
    this.name = 'ConnectUsers.InvalidUserName';
  }
}

/** A person's identity-store record lacks a field the session name or Connect's CreateUser needs; nothing was created. */
export class ConnectUsersMissingIdentityFieldError extends FederationError {
  public constructor(message: string) {
    super(message);
    this.name = 'ConnectUsers.MissingIdentityField';
  }
}

/** The session-name expression holds an IAM Identity Center attribute this product cannot evaluate; nothing was created. */
export class ConnectUsersUnsupportedSessionNameError extends FederationError {
  public constructor(message: string) {
    super(message);
    this.name = 'ConnectUsers.UnsupportedSessionName';
  }
}

/** A security or routing profile `connectUsers.create` names is not in the instance; nothing was created. */
export class ConnectUsersProfileNotFoundError extends FederationError {
  public constructor(message: string) {
    super(message);
    this.name = 'ConnectUsers.ProfileNotFound';
  }
}

/** Two people the profile assigns would sign in as one Connect user (the same session name, in any case); nothing was created. */
export class ConnectUsersSharedUserNameError extends FederationError {
  public constructor(message: string) {
    super(message);
    this.name = 'ConnectUsers.SharedUserName';
  }
}
