import { WORKFLOW_ERRORS } from '../workflow-errors';

/** What one profile's child execution came to, as the fleet's Map hands it on. */
interface ProfileRun {
  profile: string;
  account: string;
  /** The plan's: the child only planned its changes. */
  dryRun?: boolean;
  /** The child's DescribeExecution fields the Task keeps, when it succeeded. */
  execution?: { status?: string; executionArn?: string };
  /** The Task's error when the child did not succeed (States.TaskFailed, its Cause the child's DescribeExecution JSON). */
  failure?: { Error?: string; Cause?: string };
}

type FleetOutcome = 'succeeded' | 'rolled back' | 'needs action';

export interface FleetReport {
  counts: { succeeded: number; rolledBack: number; needsAction: number };
  profiles: Array<{ profile: string; account: string; outcome: FleetOutcome; error?: string; executionArn?: string }>;
  subject: string;
  message: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The child's own error and ARN from the Task's Cause. Step Functions documents the Cause of a failed
 * startExecution.sync as the child's DescribeExecution answer in JSON; its field names are read in either case (the
 * API's `error`, the integration's `Error`), since only an execution in an account shows which, and a Cause that is
 * not that JSON leaves the Task's own error.
 */
function childFailure(failure: NonNullable<ProfileRun['failure']>): { error: string; executionArn?: string; status?: string } {
  let described: unknown;
  try {
    described = JSON.parse(failure.Cause ?? '');
  } catch {
    described = undefined;
  }
  const field = (name: string): string | undefined => {
    if (!isRecord(described)) return undefined;
    const value = described[name] ?? described[name.charAt(0).toLowerCase() + name.slice(1)];
    return typeof value === 'string' ? value : undefined;
  };
  return {
    error: field('Error') ?? failure.Error ?? 'unknown error',
    ...(field('ExecutionArn') ? { executionArn: field('ExecutionArn') } : {}),
    ...(field('Status') ? { status: field('Status') } : {}),
  };
}

/**
 * Sorts each profile's execution into succeeded, rolled back (a step failed and every change was undone: nothing to
 * clean up, the cause to fix) and needs action (a rollback left something, the execution was stopped or timed out,
 * Intake refused the metadata, another execution held the lock, or the child never started), and writes the
 * notification a person reads.
 */
export function reportFleet(input: unknown): FleetReport {
  const groups = isRecord(input) && Array.isArray(input.results) ? (input.results as unknown[]) : [];
  const runs = groups.flatMap((group) => (Array.isArray(group) ? group : [])).filter(isRecord) as unknown as ProfileRun[];
  const profiles = runs.map((run): FleetReport['profiles'][number] => {
    if (!run.failure) return { profile: run.profile, account: run.account, outcome: 'succeeded', executionArn: run.execution?.executionArn };
    const child = childFailure(run.failure);
    const outcome: FleetOutcome = child.error === WORKFLOW_ERRORS.rolledBack ? 'rolled back' : 'needs action';
    return {
      profile: run.profile,
      account: run.account,
      outcome,
      error: child.error,
      ...(child.executionArn ? { executionArn: child.executionArn } : {}),
    };
  });
  const of = (outcome: FleetOutcome) => profiles.filter((p) => p.outcome === outcome);
  const counts = { succeeded: of('succeeded').length, rolledBack: of('rolled back').length, needsAction: of('needs action').length };
  const line = (p: FleetReport['profiles'][number]) =>
    `  ${p.profile} (account ${p.account})${p.error ? `: ${p.error}` : ''}${p.executionArn ? ` ${p.executionArn}` : ''}`;
  const section = (title: string, list: FleetReport['profiles']) => (list.length === 0 ? [] : [`${title}:`, ...list.map(line)]);
  const dryRun = runs.length > 0 && runs.every((run) => run.dryRun === true);
  const message = [
    `${dryRun ? 'Planned (dry run: nothing was changed)' : 'Applied'} ${profiles.length} profile(s): ${counts.succeeded} succeeded, ${counts.rolledBack} rolled back, ${counts.needsAction} need action.`,
    ...section('Need action (see each execution)', of('needs action')),
    ...section('Rolled back (nothing left changed; fix the cause and run again)', of('rolled back')),
    ...section('Succeeded', of('succeeded')),
  ].join('\n');
  const prefix = dryRun ? 'SAML federation fleet (dry run)' : 'SAML federation fleet';
  const subject =
    counts.needsAction > 0
      ? `${prefix}: ${counts.needsAction} profile(s) need action`
      : counts.rolledBack > 0
        ? `${prefix}: ${counts.rolledBack} profile(s) rolled back`
        : `${prefix}: all ${counts.succeeded} profile(s) succeeded`;
  return { counts, profiles, subject, message };
}
