#!/usr/bin/env node
import { buildApp } from './build-app';

try {
  buildApp().app.synth();
} catch (error) {
  // A configuration mistake is the user's to fix: print the field-naming message alone, without a stack trace.
  if ((error as Error).name === 'Config.Invalid') {
    console.error(`Invalid configuration: ${(error as Error).message}`);
    process.exit(1);
  }
  throw error;
}
