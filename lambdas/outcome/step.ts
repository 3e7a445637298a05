import type { PipelineFunction } from '../runtime/function';
import { grants } from '../shared/permissions';
import { describeRun, type Outcome, parseOutcomeEvent } from './outcome';

/**
 * Describes how an execution ends: every notification's words, and a rollback's verdict from what the reverts
 * reported. It writes nothing; it reads only whether the run still holds the profile's lease (a redriven run must not
 * report a provisioning or a rollback as its own).
 */
export const outcomeFunction: PipelineFunction<Outcome> = {
  key: 'outcome',
  kind: 'outcome',
  state: 'Describe outcome',
  handler: { entry: 'lambdas/outcome/handler.ts', export: 'handler' },
  description: 'Describes how an execution ended for the notification, and judges a rollback from its reverts',
  memorySize: 256,
  timeoutSeconds: 30,
  permissions: (scope) => grants(scope).lease(['dynamodb:GetItem']).result(),
  run: async (event, context) =>
    describeRun(parseOutcomeEvent(event), (profile, lease) =>
      context.clients.records.leaseHeld({ profile, lease, now: context.now().toISOString() }),
    ),
};
