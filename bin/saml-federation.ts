#!/usr/bin/env -S npx tsx
// Structured step logs are for CloudWatch; the CLI prints its own timeline.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// Imported after the environment is set, because the logger reads it when it loads.
void import('../cli/main').then(({ main }) =>
  main(process.argv.slice(2), {
    print: (line) => console.log(line),
    error: (line) => console.error(line),
    cwd: process.cwd(),
    isTTY: process.stdout.isTTY,
    env: process.env,
  })
    .then((code) => {
      process.exitCode = code;
    })
    .catch((error: Error) => {
      console.error(`${error.name}: ${error.message}`);
      process.exitCode = 1;
    }),
);
