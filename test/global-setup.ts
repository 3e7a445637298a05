import { setup } from './local/fault-sweep/summary';

export default setup;
