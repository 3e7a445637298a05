import { sweepFrom } from './sweep';

// The admin profile creates its IAM Identity Center application: the console API's writes (create, display data),
// Intake's second run on the new application, and the deletion in the rollback are failed like every other write.
sweepFrom('empty account', { createApplication: true });
