import { teardown } from './local/fault-sweep/summary';

export default teardown;
