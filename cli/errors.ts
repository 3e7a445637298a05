/** A mistake in how the CLI was called (an option, a path, a profile name): exit code 2, the message alone. */
export class CliUsageError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'Cli.Usage';
  }
}
