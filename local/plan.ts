import type { ExecutionDocument, Receipt } from '../lambdas/shared/document';
import { STEPS } from '../lambdas/steps';

/** What a planned receipt says the step would do, in a word: create, change, or leave as it is. */
function verb(receipt: Receipt): 'create' | 'change' | 'leave' {
  const planned = (receipt.details as { plannedAction?: string } | undefined)?.plannedAction;
  if (planned === 'create') return 'create';
  if (planned === 'none' || receipt.action === 'unchanged' || receipt.changes.length === 0) return 'leave';
  if (planned === 'update') return 'change';
  // Steps that name no planned action say it in their changes, the creation first: "create policy ...", then "attach ...".
  return /^(would )?create\b/.test(receipt.changes[0] ?? '') ? 'create' : 'change';
}

/** Per step, what a dry run plans: for --json. */
export function planRows(
  doc: Pick<ExecutionDocument, 'receipts'> | undefined,
): Array<{ step: string; would: string; resource: string; changes: string[] }> {
  return STEPS.flatMap((step) => {
    const receipt = doc?.receipts?.[step.name];
    return receipt ? [{ step: step.name, would: verb(receipt), resource: receipt.arn, changes: receipt.changes }] : [];
  });
}

/**
 * A dry run's plan as a table, like `terraform plan`: per step, what it would create, change or leave, the resource, and
 * each change. Empty when the document holds no receipt.
 */
export function planTable(doc: Pick<ExecutionDocument, 'receipts'> | undefined): string[] {
  const rows = STEPS.flatMap((step) => {
    const receipt = doc?.receipts?.[step.name];
    return receipt ? [{ step: step.label, action: verb(receipt), arn: receipt.arn, changes: receipt.changes }] : [];
  });
  if (rows.length === 0) return [];
  const width = (pick: (row: (typeof rows)[number]) => string, title: string) => Math.max(title.length, ...rows.map((row) => pick(row).length));
  const stepWidth = width((row) => row.step, 'Step');
  const actionWidth = width((row) => row.action, 'Would');
  const line = (a: string, b: string, c: string) => `  ${a.padEnd(stepWidth)}  ${b.padEnd(actionWidth)}  ${c}`;
  return [
    line('Step', 'Would', 'Resource'),
    line('-'.repeat(stepWidth), '-'.repeat(actionWidth), '-'.repeat(8)),
    ...rows.flatMap((row) => [line(row.step, row.action, row.arn), ...row.changes.map((change) => line('', '', `- ${change}`))]),
    '',
    `  Plan: ${rows.filter((r) => r.action === 'create').length} to create, ${rows.filter((r) => r.action === 'change').length} to change, ${rows.filter((r) => r.action === 'leave').length} to leave.`,
  ];
}
