import { sweepFrom } from './sweep';

// The admin profile creates the Connect user of a person its group holds (connectUsers.create): CreateUser, its
// journal, and the DeleteUser of the rollback are failed like every other write. The cross-account sweep does the same
// through the target roles.
sweepFrom('empty account', { createConnectUsers: true });
