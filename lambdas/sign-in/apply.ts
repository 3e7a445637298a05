import type { ConnectUsersReceipt } from '../connect-users/apply';
import type { StepDeps } from '../runtime/function';
import type { ExecutionDocument, Receipt } from '../shared/document';
import { logger } from '../shared/logger';
import { type CheckResult, signInChecks, signInVerdict, unreadableLines } from './checks';
import { gatherSignInFacts } from './facts';

export const STEP = 'signIn' as const;

export type SignInReceipt = Receipt & { step: typeof STEP; details: { ready: boolean; line: string; checks: CheckResult[] } };

/**
 * The sign-in check after every execution: each link a sign-in to Amazon Connect crosses, as the account now holds it.
 * It changes nothing and never fails the execution: a failing check is named, with its fix, in the receipt (the run's
 * output, the notification) while the account stays as configured.
 */
export async function checkSignIn(doc: ExecutionDocument, deps: StepDeps): Promise<SignInReceipt> {
  const arn = doc.receipts?.role?.arn ?? doc.profile.role.name;
  if (doc.request.dryRun) {
    return { step: STEP, action: 'planned', arn, changes: [], details: { ready: false, line: 'sign-in: checked after a real run', checks: [] } };
  }
  // The Connect users as this execution's step found (or made) them.
  const found = doc.receipts?.connectUsers as ConnectUsersReceipt | undefined;
  const connectUsers = found && {
    present: [...found.details.present, ...found.details.created.map((user) => user.username)],
    missing: found.details.missing,
  };
  const facts = await gatherSignInFacts({ ...doc, ...(connectUsers ? { connectUsers } : {}) }, deps);
  const checks = signInChecks(facts);
  const judged = signInVerdict(checks);
  const verdict = { ...judged, details: [...judged.details, ...unreadableLines(facts)] };
  logger.info('sign-in check', { ready: verdict.ready, failed: checks.filter((c) => c.ok === false).map((c) => c.check) });
  // Something to act on only when a check fails or could not be made.
  const notices = verdict.details.length > 0 ? { notices: [verdict.line, ...verdict.details] } : {};
  return { step: STEP, action: 'unchanged', arn, changes: [], details: { ...verdict, checks }, ...notices };
}
