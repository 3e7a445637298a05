import { CloudFormationClient, DescribeStackResourcesCommand, type StackResource } from '@aws-sdk/client-cloudformation';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { STACK_NAME } from '../infra/names';
import { awsCleanupServices } from '../lambdas/cleanup/aws-services';
import { awsClients } from '../lambdas/runtime/clients';
import { constructId } from '../lambdas/runtime/function';
import type { StepName } from '../lambdas/shared/document';
import { parseExecutionDocument } from '../lambdas/shared/document-parse';
import { STEPS } from '../lambdas/steps';
import { type UndoResult, undoExecution } from '../local/undo';
import { CliUsageError } from './errors';

/** The deployed stack's resource of this construct id (CDK prefixes it with the construct path and adds a hash). */
function physical(resources: readonly StackResource[], idPrefix: string, type: string): string {
  const found = resources.find((r) => r.ResourceType === type && r.LogicalResourceId?.startsWith(`Pipeline${idPrefix}`));
  if (!found?.PhysicalResourceId) throw new CliUsageError(`stack ${STACK_NAME} has no ${type} ${idPrefix}: deploy the current version first`);
  return found.PhysicalResourceId;
}

/**
 * `undo <execution-arn>` against the deployed pipeline: the execution's own document from Step Functions, the checks
 * with the current credentials, and each revert run by its deployed function (its own role), under the profile's lock.
 */
export async function undoDeployedExecution(executionArn: string, print: (line: string) => void): Promise<UndoResult> {
  const sfn = new SFNClient({});
  const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  if (described.status !== 'SUCCEEDED')
    throw new CliUsageError(`execution ${executionArn} is ${described.status}: only a succeeded execution can be undone (a failed one rolled back)`);
  const document = parseExecutionDocument(JSON.parse(described.output ?? '{}'));
  if (document.profile.account !== undefined)
    throw new CliUsageError(
      `profile ${document.profile.name}'s IAM lives in account ${document.profile.account}, which only the pipeline's functions reach: undo it there by starting an execution with the earlier metadata (allowOlderVersion), or by hand`,
    );
  const resources = (await new CloudFormationClient({}).send(new DescribeStackResourcesCommand({ StackName: STACK_NAME }))).StackResources ?? [];
  const revertFunctions = Object.fromEntries(
    STEPS.map((step) => [step.name, physical(resources, constructId(step.revert), 'AWS::Lambda::Function')]),
  ) as Record<StepName, string>;
  const services = awsCleanupServices({
    stateMachineArn: described.stateMachineArn ?? '',
    lockTable: physical(resources, 'LockTable', 'AWS::DynamoDB::Table'),
    recordTable: physical(resources, 'RecordTable', 'AWS::DynamoDB::Table'),
    topicArn: physical(resources, 'Topic', 'AWS::SNS::Topic'),
    revertFunctions,
  });
  const clients = awsClients({ region: document.request.region });
  print(`Undoing ${executionArn} (profile ${document.profile.name}) with the deployed revert functions.`);
  return undoExecution(document, {
    iam: clients.iam,
    ssoAdmin: clients.ssoAdmin,
    swb: clients.swb,
    connect: clients.connect,
    environment: document.request,
    now: () => new Date(),
    revert: services.revert,
    takeLock: services.takeLock,
    releaseLock: services.releaseLock,
  });
}
