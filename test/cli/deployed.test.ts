import { DescribeExecutionCommand, GetExecutionHistoryCommand, type HistoryEvent, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { describeFailure, startAndFollow } from '../../cli/deployed';
import { readableCause } from '../../lambdas/outcome/outcome';

const sfnMock = mockClient(SFNClient);
const STATE_MACHINE = 'arn:aws:states:us-east-1:111122223333:stateMachine:SamlFederation';
const EXECUTION = 'arn:aws:states:us-east-1:111122223333:execution:SamlFederation:manual-1';

const entered = (name: string): HistoryEvent => ({ type: 'TaskStateEntered', timestamp: new Date(), id: 0, stateEnteredEventDetails: { name } });

/**
 * A deployed execution as Step Functions reports it. Each DescribeExecution call is a moment in its life: the events of
 * that moment have just been written, and the call that reports the final status comes right after the last ones, so a
 * follower that read the history before the status would miss them.
 */
function fakeExecution(steps: HistoryEvent[][], final: { status: 'SUCCEEDED' | 'FAILED'; output?: string; error?: string; cause?: string }) {
  const history: HistoryEvent[] = [];
  let describes = 0;
  sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: new Date() });
  sfnMock.on(DescribeExecutionCommand).callsFake(() => {
    history.push(...(steps[describes] ?? []));
    describes += 1;
    const done = describes >= steps.length;
    return { executionArn: EXECUTION, status: done ? final.status : 'RUNNING', ...(done ? final : {}) };
  });
  // Two events per page, so that following the execution has to page through its history.
  sfnMock.on(GetExecutionHistoryCommand).callsFake((input: { nextToken?: string }) => {
    const start = input.nextToken ? Number(input.nextToken) : 0;
    const page = history.slice(start, start + 2);
    return { events: page, ...(start + 2 < history.length ? { nextToken: String(start + 2) } : {}) };
  });
}

describe('start: following a deployed execution', () => {
  beforeEach(() => sfnMock.reset());

  it('starts with the manual input and prints every state once, in order, through to the last event', async () => {
    fakeExecution(
      [
        [{ type: 'ExecutionStarted', timestamp: new Date(), id: 1 }, entered('Validate metadata'), entered('Take profile lock')],
        [entered('Create or update identity provider'), entered('Create or update federation role'), entered('Attach permissions policy')],
        [
          entered('Map Role attribute in IAM Identity Center'),
          entered('Release profile lock'),
          { type: 'ExecutionSucceeded', timestamp: new Date(), id: 9 },
        ],
      ],
      { status: 'SUCCEEDED', output: JSON.stringify({ receipts: { role: { action: 'created' } } }) },
    );
    const lines: string[] = [];

    const outcome = await startAndFollow(
      new SFNClient({}),
      STATE_MACHINE,
      { bucket: 'b', key: 'metadata/admin/idp.xml', dryRun: true },
      (line) => lines.push(line),
      0,
    );

    expect(sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input).toEqual({
      stateMachineArn: STATE_MACHINE,
      input: JSON.stringify({ bucket: 'b', key: 'metadata/admin/idp.xml', dryRun: true }),
    });
    expect(lines).toEqual([
      `started ${EXECUTION}`,
      '→ Validate metadata',
      '→ Take profile lock',
      '→ Create or update identity provider',
      '→ Create or update federation role',
      '→ Attach permissions policy',
      '→ Map Role attribute in IAM Identity Center',
      '→ Release profile lock',
      '✓ execution succeeded',
    ]);
    expect(outcome).toEqual({
      executionArn: EXECUTION,
      status: 'SUCCEEDED',
      output: { receipts: { role: { action: 'created' } } },
      error: undefined,
      cause: undefined,
    });
  });

  it("prints a failed task and the execution's error, and returns them", async () => {
    fakeExecution(
      [
        [
          entered('Validate metadata'),
          {
            type: 'LambdaFunctionFailed',
            timestamp: new Date(),
            id: 3,
            lambdaFunctionFailedEventDetails: { error: 'Metadata.CertificateExpired', cause: 'every signing certificate has expired' },
          },
        ],
        [
          {
            type: 'ExecutionFailed',
            timestamp: new Date(),
            id: 5,
            executionFailedEventDetails: { error: 'Metadata.CertificateExpired', cause: 'every signing certificate has expired' },
          },
        ],
      ],
      { status: 'FAILED', error: 'Metadata.CertificateExpired', cause: 'every signing certificate has expired' },
    );
    const lines: string[] = [];

    const outcome = await startAndFollow(
      new SFNClient({}),
      STATE_MACHINE,
      { bucket: 'b', key: 'metadata/admin/idp.xml' },
      (line) => lines.push(line),
      0,
    );

    expect(lines.slice(1)).toEqual([
      '→ Validate metadata',
      '  ✗ Metadata.CertificateExpired: every signing certificate has expired',
      '✗ Metadata.CertificateExpired: every signing certificate has expired',
    ]);
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'Metadata.CertificateExpired' });
  });

  it("shows a deployed Lambda's error message rather than its JSON cause with the stack trace", async () => {
    const lambdaCause = JSON.stringify({
      errorType: 'Metadata.Expired',
      errorMessage: 'validUntil 2020-01-01T00:00:00Z is in the past',
      trace: ['Metadata.Expired: ...', '    at validate (/var/task/index.js:1:2)'],
    });
    fakeExecution(
      [
        [
          entered('Validate metadata'),
          {
            type: 'TaskFailed',
            timestamp: new Date(),
            id: 3,
            taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: 'Metadata.Expired', cause: lambdaCause },
          },
        ],
      ],
      { status: 'FAILED', error: 'Metadata.Expired', cause: lambdaCause },
    );
    const lines: string[] = [];

    await startAndFollow(new SFNClient({}), STATE_MACHINE, { bucket: 'b', key: 'metadata/admin/idp.xml' }, (line) => lines.push(line), 0);

    expect(lines).toContain('  ✗ Metadata.Expired: validUntil 2020-01-01T00:00:00Z is in the past');
    expect(lines.join('\n')).not.toContain('/var/task');
  });

  it.each([
    ["an operator's reason", 'the application belongs to another team'],
    ['JSON without an errorMessage', '{"Error":"States.Timeout"}'],
    ['a JSON string', '"quoted"'],
  ])('leaves any other cause as it is: %s', (_name, cause) => {
    expect(readableCause(cause)).toBe(cause);
  });
});

describe('describeFailure', () => {
  it("tells a Rollback.Incomplete from its structured cause: the failed revert and what is left, by the steps' labels", () => {
    const cause = JSON.stringify({
      failedRevert: 'role',
      stillToUndo: ['role', 'identityProvider'],
      failure: { Error: 'AccessDenied', Cause: 'not allowed to attach' },
      revertFailure: { Error: 'ServiceFailureException', Cause: 'IAM is down' },
      leftInPlace: [{ step: 'policy', what: 'policy P: it is now also attached to role/Other' }],
    });
    expect(describeFailure('Rollback.Incomplete', cause)).toEqual([
      'Provisioning failed (AccessDenied: not allowed to attach) and the rollback stopped: reverting the federation role failed (ServiceFailureException: IAM is down).',
      'Still to undo by hand, in this order: federation role, then identity provider.',
      'Left in place by the permissions policy revert: policy P: it is now also attached to role/Other.',
    ]);
  });

  it('says a missing cause is missing rather than printing nothing', () => {
    expect(readableCause(undefined)).toBe('(no cause given)');
  });

  it("shows any other cause as it is, and a deployed Lambda's JSON cause as its message", () => {
    expect(describeFailure('Provisioning.RolledBack', 'AccessDenied: no. Every change this execution made was reverted.')).toEqual([
      'AccessDenied: no. Every change this execution made was reverted.',
    ]);
    expect(describeFailure('Rollback.Incomplete', 'not JSON')).toEqual(['not JSON']);
    expect(describeFailure('Role.Vanished', JSON.stringify({ errorType: 'Role.Vanished', errorMessage: 'gone', trace: ['at x'] }))).toEqual(['gone']);
  });
});
