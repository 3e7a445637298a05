import { sweepFrom } from './sweep';

sweepFrom('role exists with other policies');
