import type { DeployedFunction } from '../runtime/function';
import { allow, type Statement, type WildcardGrant } from '../shared/permissions';

/** The cleanup's Lambda: not a state of the workflow, so not in FUNCTIONS; the status-change rule invokes it. */
export const CLEANUP_FUNCTION: DeployedFunction = {
  handler: { entry: 'lambdas/cleanup/handler.ts', export: 'handler' },
  description: 'Reverts and unlocks after an execution that ended outside its own rollback path (stopped, timed out, failed at runtime)',
  memorySize: 256,
  // It waits for the stopped execution's functions to finish (settleMilliseconds: about 150 s), then runs up to four
  // reverts with retries: the longest Lambda allows.
  timeoutSeconds: 900,
};

/** Where the cleanup's statements point (CDK tokens are fine). */
export interface CleanupScope {
  /** `arn:<partition>:states:<region>:<account>:execution:<state machine name>:*` */
  readonly executionsArn: string;
  readonly revertFunctionArns: string[];
  readonly lockTableArn: string;
  readonly recordTableArn: string;
}

/**
 * What the cleanup may do: read its state machine's executions, invoke the step reverts (each runs with its own role,
 * so the cleanup holds no IAM or Identity Center permission of its own), take and free the profile lock, and read
 * which steps journalled. Publishing to the topic is granted by the topic itself.
 */
export function cleanupPermissions(scope: CleanupScope): { statements: Statement[]; wildcards: WildcardGrant[] } {
  return {
    statements: [
      ...allow('ReadThisStateMachinesExecutions', ['states:DescribeExecution', 'states:GetExecutionHistory'], [scope.executionsArn]),
      ...allow('InvokeStepReverts', ['lambda:InvokeFunction'], scope.revertFunctionArns),
      ...allow('TakeAndFreeProfileLock', ['dynamodb:PutItem', 'dynamodb:DeleteItem'], [scope.lockTableArn]),
      ...allow('ReadJournal', ['dynamodb:GetItem'], [scope.recordTableArn], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['journal#*'] } }),
      // What it decided for each stopped execution, so that a duplicate event or a retry never reverts twice.
      ...allow('RecordWhatItDecided', ['dynamodb:GetItem', 'dynamodb:PutItem'], [scope.recordTableArn], {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['cleanup#*'] },
      }),
    ],
    wildcards: [
      {
        resource: scope.executionsArn,
        reason:
          'Executions are named when they start, so the cleanup reads the executions of this one state machine (execution:<state machine name>:*); reads only, and the event names the execution.',
      },
    ],
  };
}
