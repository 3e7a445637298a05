import type { Operations } from './context';
import { tagRecord } from './iam-documents';
import { IAM_COMMON_ERRORS, IAM_OPERATION_ERRORS } from './iam-errors';
import { type IamSnapshot, IamState, type PolicySnapshot, parseJson, type RoleSnapshot, type SamlProviderSnapshot } from './iam-model';
import { policyOperations } from './iam-policies';
import { roleOperations } from './iam-roles';
import { samlProviderOperations } from './iam-saml-providers';
import { simulateOperations } from './iam-simulate';
import { compact } from './support';

export type { IamSnapshot } from './iam-model';

/**
 * The operations, each held to the errors IAM's API reference lists for it (iam-errors.ts): a modelled error an
 * operation does not list is a mistake of this simulation, and fails the test that meets it instead of passing for
 * an answer IAM never gives.
 */
function answeringOnlyListedErrors(operations: Operations): Operations {
  return Object.fromEntries(
    Object.entries(operations).map(([operation, handler]) => [
      operation,
      (input: Parameters<typeof handler>[0]) => {
        try {
          return handler(input);
        } catch (error) {
          const name = (error as Error).name;
          const listed = [...(IAM_OPERATION_ERRORS[operation] ?? []), ...IAM_COMMON_ERRORS];
          // An AWS answer ($fault set) by a name neither listed for the operation nor common to all; a bug's TypeError passes.
          if (typeof error === 'object' && error !== null && '$fault' in error && !listed.includes(name)) {
            throw new Error(
              `the simulated IAM answered ${operation} with ${name}, which IAM's API reference does not list for it (${listed.join(', ')})`,
            );
          }
          throw error;
        }
      },
    ]),
  );
}

/**
 * IAM's SAML providers, roles and managed policies, with the validation, quotas and conflicts IAM documents: the
 * state (iam-model.ts) and its operations, one module per resource kind.
 */
export class SimulatedIam extends IamState {
  public readonly operations: Operations = answeringOnlyListedErrors({
    ...samlProviderOperations(this),
    ...roleOperations(this),
    ...policyOperations(this),
    ...simulateOperations(this),
  });

  /** Seeds an AWS managed policy (arn:<partition>:iam::aws:policy/<path><name>) that roles can attach. */
  public addAwsManagedPolicy(name: string, document: string, path = '/'): string {
    const arn = `arn:${this.context.partition}:iam::aws:policy${path}${name}`;
    if (!this.awsPolicies.has(arn)) {
      const now = this.context.clock();
      this.awsPolicies.set(arn, {
        name,
        path,
        arn,
        policyId: this.context.ids.iamId('ANPA'),
        createDate: now,
        updateDate: now,
        defaultVersionId: 'v1',
        versions: new Map([['v1', { document, createDate: now }]]),
        nextVersion: 2,
        tags: [],
        awsManaged: true,
      });
    }
    return arn;
  }

  public snapshot(): IamSnapshot {
    const samlProviders: Record<string, SamlProviderSnapshot> = {};
    for (const provider of [...this.providers.values()].sort((a, b) => a.arn.localeCompare(b.arn))) {
      samlProviders[provider.arn] = {
        name: provider.name,
        providerId: provider.uuid,
        metadataDocument: provider.document,
        tags: tagRecord(provider.tags),
      };
    }
    const roles: Record<string, RoleSnapshot> = {};
    for (const role of [...this.roles.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      const inlinePolicies: Record<string, unknown> = {};
      for (const [name, text] of [...role.inline.entries()].sort(([a], [b]) => a.localeCompare(b))) inlinePolicies[name] = parseJson(text);
      roles[role.name] = compact({
        arn: role.arn,
        roleId: role.roleId,
        path: role.path,
        description: role.description,
        maxSessionDuration: role.maxSessionDuration,
        permissionsBoundary: role.permissionsBoundary,
        trustPolicy: parseJson(role.trustPolicy),
        tags: tagRecord(role.tags),
        attachedPolicies: [...role.attached].sort(),
        inlinePolicies,
      });
    }
    const policies: Record<string, PolicySnapshot> = {};
    for (const policy of [...this.policies.values()].sort((a, b) => a.arn.localeCompare(b.arn))) {
      const versions: Record<string, unknown> = {};
      for (const [versionId, version] of [...policy.versions.entries()].sort(([a], [b]) => a.localeCompare(b)))
        versions[versionId] = parseJson(version.document);
      policies[policy.arn] = compact({
        name: policy.name,
        path: policy.path,
        policyId: policy.policyId,
        description: policy.description,
        defaultVersionId: policy.defaultVersionId,
        versions,
        tags: tagRecord(policy.tags),
      });
    }
    return { samlProviders, roles, policies };
  }
}
