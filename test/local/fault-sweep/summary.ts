import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How the scenarios of one sweep file ended. */
export interface SweepTally {
  scenarios: number;
  passed: number;
  rolledBack: number;
  provisioned: number;
  incomplete: number;
}

const DIRECTORY = 'FAULT_SWEEP_TALLY_DIR';

/** Each sweep file leaves its counts where the run's teardown finds them (jest's workers share no memory). */
export function recordTally(name: string, tally: SweepTally): void {
  const directory = process.env[DIRECTORY];
  if (!directory) return;
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, `${name.replace(/\W+/g, '-')}.json`), JSON.stringify(tally));
}

/** jest globalSetup: a fresh place for this run's counts (workers inherit the environment). */
export function setup(): void {
  process.env[DIRECTORY] = mkdtempSync(join(tmpdir(), 'fault-sweep-'));
}

/** jest globalTeardown: the sweep's figures in one line, when the run included any of it. */
export function teardown(): void {
  const directory = process.env[DIRECTORY];
  if (!directory) return;
  const files = readdirSync(directory);
  if (files.length > 0) {
    const total: SweepTally = { scenarios: 0, passed: 0, rolledBack: 0, provisioned: 0, incomplete: 0 };
    for (const file of files) {
      const tally = JSON.parse(readFileSync(join(directory, file), 'utf-8')) as SweepTally;
      for (const key of Object.keys(total) as Array<keyof SweepTally>) total[key] += tally[key];
    }
    process.stdout.write(
      `fault sweep: ${total.scenarios} scenarios ran in ${files.length} file(s), ${total.passed} passed (${total.rolledBack} ended as before, ` +
        `${total.provisioned} fully provisioned, ${total.incomplete} Rollback.Incomplete naming what is left)\n`,
    );
  }
  rmSync(directory, { recursive: true, force: true });
}
