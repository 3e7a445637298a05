import { SFNClient } from '@aws-sdk/client-sfn';
import type { ExecutionDocument } from '../../lambdas/shared/document';
import { planTable } from '../../local/plan';
import { describeFailure, startAndFollow } from '../deployed';
import { CliUsageError } from '../errors';
import { type CliIo, type CommandResult, EXIT, type Values } from '../options';

/** `start`: the deployed state machine, on an uploaded object or on a profile's application; --dry-run prints the plan. */
export async function start(values: Values, io: CliIo): Promise<CommandResult> {
  const stateMachineArn = String(values['state-machine-arn']);
  const dryRun = values['dry-run'] === true;
  let input: Record<string, unknown>;
  if (typeof values.profile === 'string' && values.key === undefined) input = { profile: values.profile, ...(dryRun ? { dryRun } : {}) };
  else if (typeof values.bucket === 'string' && typeof values.key === 'string')
    input = { bucket: values.bucket, key: values.key, ...(values['version-id'] ? { versionId: values['version-id'] } : {}), dryRun };
  else
    throw new CliUsageError(
      'start needs --profile <name> (metadata from the application) or --bucket and --key (an uploaded object); the stack outputs show them',
    );
  // The state machine's ARN names its region; an explicit --region (AWS_REGION) still wins.
  const arnRegion = /^arn:[^:]+:states:([a-z0-9-]+):\d{12}:stateMachine:/.exec(stateMachineArn)?.[1];
  if (!arnRegion) throw new CliUsageError(`--state-machine-arn ${stateMachineArn}: not a state machine ARN (the stack output ...StateMachineArn)`);
  const outcome = await startAndFollow(new SFNClient({ region: process.env.AWS_REGION ?? arnRegion }), stateMachineArn, input, io.print);
  const document = outcome.output as ExecutionDocument | undefined;
  if (outcome.status === 'SUCCEEDED' && dryRun) {
    io.print('');
    io.print('Plan (dry run: nothing was changed):');
    for (const line of planTable(document)) io.print(line);
  }
  io.print(`${outcome.status}${outcome.error ? ` ${outcome.error}: ${describeFailure(outcome.error, outcome.cause).join(' ')}` : ''}`);
  return { code: outcome.status === 'SUCCEEDED' ? EXIT.ok : EXIT.failed, json: outcome };
}
