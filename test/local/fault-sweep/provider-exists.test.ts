import { sweepFrom } from './sweep';

sweepFrom('provider exists');
