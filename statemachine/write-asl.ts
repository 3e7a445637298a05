import { writeFileSync } from 'node:fs';
import { renderDefinition } from './build';
import { ASL_PATH } from './definition';

// `npm run build:asl`: writes statemachine/federation.asl.json from the step registry (statemachine/build.ts).
writeFileSync(ASL_PATH, renderDefinition());
process.stdout.write(`wrote ${ASL_PATH}\n`);
