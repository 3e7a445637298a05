import { grants } from '../shared/permissions';
import type { PipelineFunction } from '../shared/pipeline-function';
import { describeOutcome, type Outcome, parseOutcomeEvent } from './outcome';

/**
 * Describes how an execution ends: every notification's words, and a rollback's verdict from what the reverts
 * reported. It reads nothing and writes nothing, so its role holds no statement beyond logs and traces.
 */
export const outcomeFunction: PipelineFunction<Outcome> = {
  key: 'outcome',
  kind: 'outcome',
  state: 'Describe outcome',
  handler: { entry: 'lambdas/outcome/handler.ts', export: 'handler' },
  description: 'Describes how an execution ended for the notification, and judges a rollback from its reverts',
  memorySize: 256,
  timeoutSeconds: 30,
  permissions: (scope) => grants(scope).result(),
  run: async (event) => describeOutcome(parseOutcomeEvent(event)),
};
