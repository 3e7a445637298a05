#!/usr/bin/env -S npx tsx
// Structured step logs are for CloudWatch; the CLI prints its own timeline.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// The steps' modules create their SDK clients on load, as a Lambda container does; a local run needs a region for
// that even though the simulated account never calls AWS. A live run uses the region of the current profile.
process.env.AWS_REGION ??= process.env.AWS_DEFAULT_REGION ?? 'us-east-1';

// Imported after the environment is set, because the steps read it when they load.
void import('../local/cli').then(({ main }) =>
  main(process.argv.slice(2), { print: (line) => console.log(line), cwd: process.cwd() })
    .then((code) => {
      process.exitCode = code;
    })
    .catch((error: Error) => {
      console.error(`${error.name}: ${error.message}`);
      process.exitCode = 1;
    }),
);
