import { sweepFrom } from './sweep';

sweepFrom('mapping exists');
