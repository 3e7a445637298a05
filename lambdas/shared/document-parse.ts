import type { ExecutionDocument } from './document';
import { DocumentInvalidError } from './errors';
import { parseResolvedProfile } from './profile';

/**
 * Checks the parts of the execution document every step relies on. Intake produced it, so a failure here means the
 * state machine was started at the wrong state or a person edited the input: say which field is wrong.
 */
export function parseExecutionDocument(event: unknown): ExecutionDocument {
  const doc = event as Partial<ExecutionDocument> | null;
  if (doc === null || typeof doc !== 'object') throw new DocumentInvalidError('the step input must be the execution document, an object');
  const request = doc.request;
  if (!request || typeof request !== 'object') throw new DocumentInvalidError('request: missing; start the execution at Intake');
  for (const field of ['bucket', 'key', 'versionId', 'sha256', 'executionName', 'account', 'partition', 'profile'] as const) {
    if (typeof request[field] !== 'string' || request[field] === '') {
      throw new DocumentInvalidError(`request.${field}: expected a non-empty string, got ${JSON.stringify(request[field])}`);
    }
  }
  if (typeof request.dryRun !== 'boolean')
    throw new DocumentInvalidError(`request.dryRun: expected a boolean, got ${JSON.stringify(request.dryRun)}`);
  if (!doc.metadata || typeof doc.metadata.entityId !== 'string') throw new DocumentInvalidError('metadata.entityId: missing');
  const profile = parseResolvedProfile(doc.profile);
  return { ...(doc as ExecutionDocument), profile, receipts: doc.receipts ?? {} };
}
