import { FUNCTIONS } from '../workflow-functions';
import { awsCleanupServices, readCleanupEnvironment } from './aws-services';
import { cleanUpStoppedExecution, settleMilliseconds } from './cleanup';

const services = awsCleanupServices(readCleanupEnvironment(process.env));
const settle = settleMilliseconds(FUNCTIONS.map((fn) => fn.timeoutSeconds));

/** Invoked by the status-change rule for each execution of the state machine that ends FAILED, TIMED_OUT or ABORTED. */
export const handler = (event: unknown) => cleanUpStoppedExecution(event, services, settle);
