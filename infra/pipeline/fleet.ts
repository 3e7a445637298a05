import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { FLEET_FUNCTIONS } from '../../lambdas/fleet/function';
import { substitutionName } from '../../lambdas/runtime/function';
import type { FunctionPermissions } from '../../lambdas/shared/permissions';
import { readFleetAslText } from '../../statemachine/fleet';
import { acknowledge, acknowledgeWildcards } from '../nag';
import { type FunctionSite, operationsFunction, PUBLISHER_KMS_REASON } from './functions';
import { loggedStateMachine } from './workflow';

export interface FleetProps {
  readonly stateMachine: StateMachine;
  readonly bucket: Bucket;
  readonly topic: Topic;
  readonly includeExecutionData: boolean;
}

/**
 * The fleet (statemachine/fleet.asl.json): its plan and report functions, which call no AWS API, and a state
 * machine that may start this pipeline's state machine and follow its executions (the .sync integration's managed
 * EventBridge rule), invoke those two functions and publish the report.
 */
export function createFleet(site: FunctionSite, props: FleetProps): StateMachine {
  const stack = Stack.of(site.scope);
  const environment = {
    PROFILES: JSON.stringify(site.config),
    METADATA_BUCKET: props.bucket.bucketName,
    ACCOUNT_ID: stack.account,
    PARTITION: stack.partition,
    POWERTOOLS_SERVICE_NAME: site.config.pipelineName,
    NODE_OPTIONS: '--enable-source-maps',
  };
  const none: FunctionPermissions = { statements: [], wildcards: [] };
  const plan = operationsFunction(site, 'FleetPlanFunction', FLEET_FUNCTIONS.plan, none, environment);
  const report = operationsFunction(site, 'FleetReportFunction', FLEET_FUNCTIONS.report, none, environment);
  const fleet = loggedStateMachine(
    site.scope,
    'FleetStateMachine',
    {
      text: readFleetAslText(),
      substitutions: {
        [substitutionName(FLEET_FUNCTIONS.plan)]: plan.functionArn,
        [substitutionName(FLEET_FUNCTIONS.report)]: report.functionArn,
        FederationStateMachineArn: props.stateMachine.stateMachineArn,
        NotificationTopicArn: props.topic.topicArn,
      },
    },
    {
      id: 'FleetStateMachineLogs',
      retention: site.logRetention,
      removalPolicy: site.removalPolicy,
      includeExecutionData: props.includeExecutionData,
    },
  );
  fleet.addToRolePolicy(
    new PolicyStatement({ sid: 'InvokeFleetFunctions', actions: ['lambda:InvokeFunction'], resources: [plan.functionArn, report.functionArn] }),
  );
  fleet.addToRolePolicy(
    new PolicyStatement({ sid: 'StartProfileExecutions', actions: ['states:StartExecution'], resources: [props.stateMachine.stateMachineArn] }),
  );
  const executions = stack.formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${stack.splitArn(props.stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  fleet.addToRolePolicy(
    new PolicyStatement({ sid: 'FollowProfileExecutions', actions: ['states:DescribeExecution', 'states:StopExecution'], resources: [executions] }),
  );
  // The rule Step Functions manages for every .sync integration with Step Functions (its documented name).
  fleet.addToRolePolicy(
    new PolicyStatement({
      sid: 'ManagedRuleOfSyncExecutions',
      actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
      resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForStepFunctionsExecutionRule' })],
    }),
  );
  props.topic.grantPublish(fleet);
  acknowledgeWildcards(fleet.role, [
    {
      resource: executions,
      reason:
        "The fleet follows (DescribeExecution) and, when stopped, stops the executions it starts: their names are generated when they start, so the grant covers this pipeline's state machine's executions only.",
    },
  ]);
  acknowledge(fleet.role, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', PUBLISHER_KMS_REASON);
  return fleet;
}
