import { reportFleet } from '../../../lambdas/fleet/report';

const failed = (error: string, extra: Record<string, unknown> = {}) => ({
  Error: 'States.TaskFailed',
  Cause: JSON.stringify({ ExecutionArn: `arn:aws:states:us-east-1:111122223333:execution:sf:${error}`, Status: 'FAILED', Error: error, ...extra }),
});

describe('the fleet report', () => {
  it('sorts each execution into succeeded, rolled back and needs action', () => {
    const report = reportFleet({
      results: [
        [
          { profile: 'a', account: '222222222222', execution: { status: 'SUCCEEDED', executionArn: 'arn:a' } },
          { profile: 'b', account: '222222222222', failure: failed('Provisioning.RolledBack') },
        ],
        [
          { profile: 'c', account: '333333333333', failure: failed('Rollback.Incomplete') },
          { profile: 'd', account: '333333333333', failure: failed('Metadata.Expired') },
        ],
      ],
    });
    expect(report.counts).toEqual({ succeeded: 1, rolledBack: 1, needsAction: 2 });
    expect(report.profiles.map((p) => [p.profile, p.outcome, p.error])).toEqual([
      ['a', 'succeeded', undefined],
      ['b', 'rolled back', 'Provisioning.RolledBack'],
      ['c', 'needs action', 'Rollback.Incomplete'],
      ['d', 'needs action', 'Metadata.Expired'],
    ]);
    expect(report.subject).toBe('SAML federation fleet: 2 profile(s) need action');
    expect(report.message.split('\n')[0]).toBe('Applied 4 profile(s): 1 succeeded, 1 rolled back, 2 need action.');
  });

  it("reads the child's error whatever the case of the cause's fields, and keeps the task's own when the cause is not JSON", () => {
    const report = reportFleet({
      results: [
        [
          {
            profile: 'a',
            account: '1',
            failure: { Error: 'States.TaskFailed', Cause: JSON.stringify({ status: 'FAILED', error: 'Provisioning.RolledBack' }) },
          },
          { profile: 'b', account: '1', failure: { Error: 'States.Timeout', Cause: 'the child did not answer' } },
          { profile: 'c', account: '1', failure: { Error: 'StepFunctions.ExecutionLimitExceededException' } },
        ],
      ],
    });
    expect(report.profiles.map((p) => [p.profile, p.outcome, p.error])).toEqual([
      ['a', 'rolled back', 'Provisioning.RolledBack'],
      ['b', 'needs action', 'States.Timeout'],
      ['c', 'needs action', 'StepFunctions.ExecutionLimitExceededException'],
    ]);
  });

  it('treats a stopped or timed-out child as needing action, and says all succeeded only when they did', () => {
    expect(reportFleet({ results: [[{ profile: 'a', account: '1', failure: failed('States.Aborted', { Status: 'ABORTED' }) }]] }).counts).toEqual({
      succeeded: 0,
      rolledBack: 0,
      needsAction: 1,
    });
    expect(reportFleet({ results: [[{ profile: 'a', account: '1', execution: { status: 'SUCCEEDED' } }]] }).subject).toBe(
      'SAML federation fleet: all 1 profile(s) succeeded',
    );
  });

  it('says a dry run planned and changed nothing', () => {
    const report = reportFleet({ results: [[{ profile: 'a', account: '1', dryRun: true, execution: { status: 'SUCCEEDED' } }]] });
    expect(report.subject).toBe('SAML federation fleet (dry run): all 1 profile(s) succeeded');
    expect(report.message.split('\n')[0]).toBe('Planned (dry run: nothing was changed) 1 profile(s): 1 succeeded, 0 rolled back, 0 need action.');
  });
});
