import { exampleConfig } from '../helpers/document';
import { synthWithoutBundling } from './cfn';

const { json, stack, pipeline } = synthWithoutBundling(exampleConfig);
const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);

describe('the fleet state machine', () => {
  const fleetId = logicalId(pipeline.fleetStateMachine);
  const federationId = logicalId(pipeline.stateMachine);
  const fleet = json.Resources[fleetId]!;
  const statements = Object.values(json.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes('FleetStateMachineRole'))
    .flatMap((r) => r.Properties.PolicyDocument.Statement as Array<{ Sid?: string; Action: string | string[]; Resource: unknown }>);

  it("runs statemachine/fleet.asl.json with this pipeline's state machine, functions and topic substituted", () => {
    expect(fleet.Type).toBe('AWS::StepFunctions::StateMachine');
    expect(fleet.Properties.DefinitionSubstitutions.FederationStateMachineArn).toEqual({ Ref: federationId });
    expect(Object.keys(fleet.Properties.DefinitionSubstitutions).sort()).toEqual([
      'FederationStateMachineArn',
      'FleetPlanFunctionArn',
      'FleetReportFunctionArn',
      'NotificationTopicArn',
    ]);
    expect(JSON.stringify(fleet.Properties.DefinitionString)).toContain('startExecution.sync:2');
  });

  it("may start only this pipeline's state machine, and follow only its executions", () => {
    const start = statements.find((s) => s.Sid === 'StartProfileExecutions')!;
    expect(start).toMatchObject({ Action: 'states:StartExecution', Resource: { Ref: federationId } });
    expect(statements.filter((s) => [s.Action].flat().includes('states:StartExecution'))).toHaveLength(1);
    const follow = statements.find((s) => s.Sid === 'FollowProfileExecutions')!;
    expect(JSON.stringify(follow.Resource)).toContain(':execution:');
    expect(JSON.stringify(follow.Resource)).toContain(federationId);
    const rule = statements.find((s) => s.Sid === 'ManagedRuleOfSyncExecutions')!;
    expect(JSON.stringify(rule.Resource)).toContain('rule/StepFunctionsGetEventsForStepFunctionsExecutionRule');
  });

  it('is an output with the input it takes', () => {
    expect(JSON.stringify(json.Outputs)).toContain('Apply every profile: start with {}');
  });
});
