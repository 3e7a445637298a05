import { parseRollbackIncompleteCause } from '../../../lambdas/outcome/cause';
import { describeOutcome, parseOutcomeEvent } from '../../../lambdas/outcome/outcome';
import type { ExecutionDocument, RevertReport } from '../../../lambdas/shared/document';
import { makeDocument } from '../../helpers/document';

const EXECUTION = 'arn:aws:states:us-east-1:111122223333:execution:saml-federation:exec-0001';
const LAMBDA_CAUSE = JSON.stringify({
  errorType: 'AccessDenied',
  errorMessage: 'User: arn:aws:sts::111122223333:assumed-role/x is not authorized to perform: iam:AttachRolePolicy',
  trace: ['AccessDenied: User ...', '    at /var/task/index.js:1:2345'],
});

const restored = (step: RevertReport['step']): RevertReport => ({ step, action: 'restored', changes: [`restored the ${step}`] });
const rolledBack = (reverts: ExecutionDocument['reverts'], extra: Record<string, unknown> = {}) => ({
  ending: 'rolledBack' as const,
  executionId: EXECUTION,
  document: { ...makeDocument({ failure: { Error: 'AccessDenied', Cause: LAMBDA_CAUSE } }), reverts, ...extra },
});

describe('the verdict of a rollback is what the reverts reported', () => {
  it('is Provisioning.RolledBack only when every revert ran and none left anything in place', () => {
    const outcome = describeOutcome(
      rolledBack({ policy: restored('policy'), role: restored('role'), identityProvider: restored('identityProvider') }),
    );
    expect(outcome.Error).toBe('Provisioning.RolledBack');
    expect(outcome.Cause).toMatch(/^AccessDenied: User: .* is not authorized .*\. Every change this execution made was reverted/);
    expect(outcome.subject).toBe('SAML federation: failed and rolled back');
  });

  it('is Rollback.Incomplete when a revert left a resource in place, naming it and why, though every revert ran', () => {
    const leftProvider: RevertReport = {
      step: 'identityProvider',
      action: 'left-in-place',
      changes: [],
      leftInPlace: ['SAML provider AmazonConnectAdminAccess: this execution set out to create it, but its tags do not name this execution'],
    };
    const outcome = describeOutcome(rolledBack({ role: restored('role'), identityProvider: leftProvider }));
    expect(outcome.Error).toBe('Rollback.Incomplete');
    expect(parseRollbackIncompleteCause(outcome.Cause)).toMatchObject({
      stillToUndo: [],
      leftInPlace: [{ step: 'identityProvider', what: leftProvider.leftInPlace![0] }],
    });
    expect(outcome.subject).toBe('SAML federation: ROLLBACK INCOMPLETE, action needed');
    expect(outcome.message).toContain('Left in place by the identity provider revert: SAML provider AmazonConnectAdminAccess');
    expect(outcome.message).not.toContain('as it was before');
  });

  it('is Rollback.Incomplete when a revert failed for good, with what is still to undo and what earlier reverts left', () => {
    const outcome = describeOutcome(
      rolledBack(
        { policy: { step: 'policy', action: 'left-in-place', changes: [], leftInPlace: ['policy P: also attached to role/Other'] } },
        {
          rollbackIncomplete: {
            failedRevert: 'role',
            stillToUndo: ['role', 'identityProvider'],
            failure: { Error: 'AccessDenied', Cause: LAMBDA_CAUSE },
            revertFailure: { Error: 'ServiceFailureException' },
          },
        },
      ),
    );
    expect(parseRollbackIncompleteCause(outcome.Cause)).toEqual({
      failure: { Error: 'AccessDenied', Cause: expect.stringMatching(/^User: /) },
      failedRevert: 'role',
      revertFailure: { Error: 'ServiceFailureException', Cause: '(no cause given)' },
      stillToUndo: ['role', 'identityProvider'],
      leftInPlace: [{ step: 'policy', what: 'policy P: also attached to role/Other' }],
    });
    expect(outcome.message).toContain('Still to undo by hand, in this order: federation role, then identity provider.');
  });
});

describe('messages are for people', () => {
  it("carry a deployed Lambda's error message, never its JSON or stack trace", () => {
    const outcome = describeOutcome(rolledBack({ policy: restored('policy') }));
    expect(outcome.message).toContain('Why: User: arn:aws:sts::111122223333:assumed-role/x is not authorized');
    expect(outcome.message).not.toMatch(/errorType|trace|\/var\/task|[{}]/);
  });

  it("say an operator's rejection without a reason has none, instead of breaking", () => {
    const outcome = describeOutcome({
      ending: 'rolledBack',
      executionId: EXECUTION,
      document: { ...makeDocument({ failure: { Error: 'Mapping.RejectedByOperator' } as never }), reverts: {} },
    });
    expect(outcome).toMatchObject({
      Error: 'Provisioning.RolledBack',
      Cause: 'Mapping.RejectedByOperator: (no cause given). Every change this execution made was reverted; the account is as it was before.',
    });
  });

  it('list what each step did and the metadata warnings when provisioned, in words', () => {
    const document = makeDocument({
      receipts: {
        identityProvider: {
          step: 'identityProvider',
          action: 'created',
          arn: 'arn:aws:iam::111122223333:saml-provider/P',
          changes: ['created SAML provider P'],
        },
        role: { step: 'role', action: 'unchanged', arn: 'arn:aws:iam::111122223333:role/R', changes: [] },
      },
    });
    document.metadata.warnings = ['signing certificate CN=x expires within 30 days'];
    const outcome = describeOutcome({ ending: 'provisioned', executionId: EXECUTION, document });
    expect(outcome.subject).toBe('SAML federation: provisioned');
    expect(outcome.message.split('\n')).toEqual([
      'Outcome: PROVISIONED',
      'Profile: admin',
      'Source: s3://federation-metadata-bucket/metadata/admin/idp.xml?versionId=v1-3HL4kqtJlcpXroDTDmJ',
      `Execution: ${EXECUTION}`,
      'Warning: signing certificate CN=x expires within 30 days',
      'Identity provider: created arn:aws:iam::111122223333:saml-provider/P',
      '  - created SAML provider P',
      'Federation role: unchanged arn:aws:iam::111122223333:role/R',
    ]);
  });

  it('describe a refused input that never became an execution document', () => {
    const outcome = describeOutcome({
      ending: 'rejected',
      executionId: EXECUTION,
      document: {
        input: 'not an object',
        failure: {
          Error: 'Request.Invalid',
          Cause: JSON.stringify({ errorType: 'Request.Invalid', errorMessage: 'the input is "not an object", not a JSON object' }),
        },
      },
    });
    expect(outcome.subject).toBe('SAML federation: metadata rejected');
    expect(outcome.message).toContain('Why: the input is "not an object", not a JSON object');
    expect(outcome.message).toContain('Source: the input "not an object"');
  });

  it('refuse an ending the state machine file does not use', () => {
    expect(() => parseOutcomeEvent({ ending: 'finished', document: {} })).toThrow(
      /"ending" must be one of rejected, lockNotTaken, planned, provisioned, rolledBack/,
    );
  });
});
