import { sweepFrom } from './sweep';

// The same sweep when no file is uploaded: Intake fetches the application's metadata and stores it as a new version
// (that write is failed like every other), and the mapping step writes the relay state and reads it back.
sweepFrom('empty account', { fromApplication: true });
