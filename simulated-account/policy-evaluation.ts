/**
 * IAM's policy evaluation as the simulated account models it (Allow statements, Action/NotAction, Resource patterns,
 * the condition operators the pipeline's policies use): shared by STS's trust checks, the sessions' authorizers and
 * IAM's policy simulator.
 */

export interface PolicyStatement {
  NotResource?: string | string[];
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Principal?: string | Record<string, string | string[]>;
  Condition?: Record<string, Record<string, unknown>>;
}

export const list = (value: unknown): string[] => (value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)]);

function glob(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

export function statementsOf(text: string): PolicyStatement[] {
  const document = JSON.parse(text) as { Statement?: PolicyStatement | PolicyStatement[] };
  return Array.isArray(document.Statement) ? document.Statement : document.Statement ? [document.Statement] : [];
}

/** Whether every condition of a statement holds for the request's context keys. */
/** Joins the values of a multi-valued condition key in a request's context. */
export const MULTI_VALUE = '\u0000';

export function conditionsHold(condition: PolicyStatement['Condition'], context: Record<string, string | undefined>): boolean {
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(keys)) {
      const actual = context[key];
      const values = list(expected);
      if (operator === 'Null') {
        if ((actual === undefined) !== (values[0] === 'true')) return false;
        continue;
      }
      // A multi-valued key (aws:TagKeys) arrives as its values joined by MULTI_VALUE: each must match one of `values`.
      if (operator === 'ForAllValues:StringEquals') {
        if (actual !== undefined && !actual.split(MULTI_VALUE).every((value) => values.includes(value))) return false;
        continue;
      }
      if (actual === undefined) return false;
      const matches =
        operator === 'StringEquals' || operator === 'ArnEquals'
          ? values.includes(actual)
          : operator === 'StringLike' || operator === 'ArnLike'
            ? values.some((pattern) => glob(pattern, actual))
            : false;
      if (!matches) return false;
    }
  }
  return true;
}

export function actionMatches(statement: PolicyStatement, action: string): boolean {
  if (statement.NotAction !== undefined) return !list(statement.NotAction).some((pattern) => glob(pattern, action, true));
  return list(statement.Action).some((pattern) => glob(pattern, action, true));
}

/**
 * Identity-policy evaluation: an explicit Deny wins, then any Allow, else denied. A statement applies only when its
 * conditions hold for the request's context keys (a key the request does not carry fails the condition, as IAM
 * evaluates all but Null and IfExists operators); NotResource is not modelled, so such a statement never applies.
 */
export function policiesAllow(
  documents: readonly string[],
  action: string,
  resource: string,
  context: Record<string, string | undefined> = {},
): boolean {
  const statements = documents.flatMap(statementsOf);
  const matching = statements.filter(
    (statement) =>
      statement.NotResource === undefined &&
      actionMatches(statement, action) &&
      list(statement.Resource ?? '*').some((pattern) => glob(pattern, resource)) &&
      conditionsHold(statement.Condition, context),
  );
  if (matching.some((statement) => statement.Effect === 'Deny')) return false;
  return matching.some((statement) => statement.Effect === 'Allow');
}
