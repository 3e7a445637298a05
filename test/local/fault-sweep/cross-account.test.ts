import { sweepFrom } from './sweep';

sweepFrom('empty account', { crossAccount: true });
