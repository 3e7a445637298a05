import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SimulatedAccount } from '../../simulated-account';
import { IAM_OPERATION_ERRORS } from '../../simulated-account/iam-errors';

/** The modelled errors of an IAM command, as the installed SDK's service model documents them (@throws). */
function sdkErrors(operation: string): string[] {
  const typings = readFileSync(
    join(require.resolve('@aws-sdk/client-iam'), '..', '..', 'dist-types', 'commands', `${operation}Command.d.ts`),
    'utf-8',
  );
  return [...typings.matchAll(/@throws \{@link (\w+)\}/g)].map((match) => match[1]!).filter((name) => name !== 'IAMServiceException');
}

describe('the simulated IAM errors', () => {
  it.each(Object.keys(IAM_OPERATION_ERRORS))('lists for %s exactly the errors the SDK models for it', (operation) => {
    expect([...IAM_OPERATION_ERRORS[operation]!].sort()).toEqual(sdkErrors(operation).sort());
  });

  it('implements every operation it lists, and lists every operation it implements', () => {
    const implemented = Object.keys((new SimulatedAccount() as unknown as { iam: { operations: object } }).iam.operations);
    expect(implemented.sort()).toEqual(Object.keys(IAM_OPERATION_ERRORS).sort());
  });
});
