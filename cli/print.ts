import type { ExecutionDocument } from '../lambdas/shared/document';
import { ROLE_ATTRIBUTE } from '../lambdas/shared/profile-schema';
import { STEPS, type Step } from '../lambdas/steps';
import { planRows, planTable } from '../local/plan';
import type { LocalExecutionResult, TimelineEntry } from '../local/runner';
import type { SimulatedAccount } from '../simulated-account';
import { describeFailure } from './deployed';

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** Prints one line per state as the execution runs: entered states, retries, caught errors. */
export function timelinePrinter(print: (line: string) => void, started: number): (entry: TimelineEntry) => void {
  return (entry) => {
    const at = `${((Date.now() - started) / 1000).toFixed(3).padStart(7)}s`;
    if (entry.event === 'entered') print(`${at}  → ${entry.state}`);
    else if (entry.event === 'retried') print(`${at}      ↻ retry ${(entry.attempt ?? 0) + 1}`);
    else if (entry.event === 'failed') print(`${at}      ✗ ${entry.error}: ${String(entry.cause ?? '').split('\n')[0]}`);
    else if (entry.event === 'exited') {
      const receipt = receiptIn(entry.state, entry.output);
      if (receipt) {
        print(`${at}      ${receipt.action}: ${receipt.arn}`);
        for (const change of receipt.changes ?? []) print(`${' '.repeat(14)}- ${change}`);
        for (const notice of receipt.notices ?? []) print(`${' '.repeat(14)}! ${notice}`);
      }
    }
  };
}

/** Task state name -> the step it runs and where its result lands in the execution document. */
const STATE_STEP = new Map<string, [Step, 'receipts' | 'reverts']>(
  STEPS.flatMap(
    (step): Array<[string, [Step, 'receipts' | 'reverts']]> => [
      [step.apply.state, [step, 'receipts']],
      [step.revert.state, [step, 'reverts']],
    ],
  ),
);

function receiptIn(state: string, output: unknown): { action: string; arn: string; changes?: string[]; notices?: string[] } | undefined {
  const where = STATE_STEP.get(state);
  if (!where) return undefined;
  const [step, field] = where;
  const found = (output as Partial<Pick<ExecutionDocument, 'receipts' | 'reverts'>> | undefined)?.[field]?.[step.name] as
    | { action: string; arn?: string; changes?: string[]; notices?: string[] }
    | undefined;
  return found ? { action: found.action, arn: found.arn ?? step.label, changes: found.changes, notices: found.notices } : undefined;
}

export function summarize(result: LocalExecutionResult, print: (line: string) => void, account?: SimulatedAccount): void {
  print('');
  if (result.status === 'SUCCEEDED') {
    const receipts = result.output?.receipts ?? {};
    print(result.output?.request.dryRun ? 'Result: SUCCEEDED (dry run: nothing was changed)' : 'Result: SUCCEEDED');
    const dryRun = result.output?.request.dryRun === true;
    if (dryRun) for (const line of planTable(result.output)) print(line);
    // A dry run's table already names each step and resource: the list below is a real run's.
    for (const step of dryRun ? [] : STEPS) {
      const receipt = receipts[step.name];
      // A manual mapping the run waited for and the operator confirmed is done, not pending any more.
      if (!receipt) continue;
      const action = receipt.action === 'pending-confirmation' && !result.output?.request.dryRun ? 'confirmed by operator' : receipt.action;
      print(`  ${pad(`${step.label}:`, 20)} ${pad(action, 21)} ${receipt.arn}`);
      // A read-only step's verdict (the sign-in check's) closes the run's output (run.ts).
      if (!step.readOnly) for (const notice of receipt.notices ?? []) print(`  ${' '.repeat(20)} ! ${notice}`);
    }
    const roleArn = receipts.role?.arn;
    const providerArn = receipts.identityProvider?.arn;
    if (roleArn && providerArn) print(`  ${ROLE_ATTRIBUTE} = ${roleArn},${providerArn}`);
    const details = receipts.attributeMapping?.details as { relayState?: string; relayStateStatus?: string; mode?: string } | undefined;
    if (details?.relayState) {
      const status =
        details.mode === 'manual'
          ? 'to set by hand in IAM Identity Center: manual mode'
          : result.output?.request.dryRun
            ? 'would be written with the mapping and read back'
            : details.relayStateStatus === 'not confirmed'
              ? 'NOT CONFIRMED: check or set it by hand in IAM Identity Center, see the receipt'
              : (details.relayStateStatus ?? 'written');
      print(`  Relay state: ${details.relayState} (${status})`);
    }
    for (const warning of result.output?.metadata.warnings ?? []) print(`  warning: ${warning}`);
  } else {
    print(`Result: FAILED ${result.error}`);
    for (const line of describeFailure(result.error, result.cause)) print(`  ${line}`);
  }
  if (account) {
    // Changes to the account's resources: the pipeline's own lock, records and bucket (its copy of fetched metadata) aside.
    const mutating = account.calls.filter((c) => c.mutating && !['dynamodb', 'records', 's3'].includes(c.service)).length;
    print(
      `  ${result.stateTransitions} state transitions; ${account.calls.length} simulated AWS calls, ${mutating} of them changes (the pipeline's lock, records and bucket excluded)`,
    );
    for (const other of account.accountIds) {
      const there = account.calls.filter((c) => c.account === other);
      if (there.length > 0)
        print(
          `  of them in account ${other}: ${there.length} calls (IAM, Amazon Connect) through assumed roles, ${there.filter((c) => c.mutating).length} changes; ` +
            `${account.calls.filter((c) => c.service === 'sts').length} AssumeRole (session name = execution name)`,
        );
    }
  }
}

/** What --json prints of one execution: its end and what each step did. */
export function executionJson(result: LocalExecutionResult): unknown {
  const receipts = result.output?.receipts;
  return {
    executionName: result.executionName,
    status: result.status,
    ...(result.error ? { error: result.error, cause: result.cause } : {}),
    dryRun: result.output?.request.dryRun ?? false,
    ...(result.output?.request.dryRun ? { plan: planRows(result.output) } : {}),
    receipts: receipts ?? {},
    ...(receipts?.role?.arn && receipts.identityProvider?.arn ? { roleAttribute: `${receipts.role.arn},${receipts.identityProvider.arn}` } : {}),
  };
}
