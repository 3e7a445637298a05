import type { SimulatePrincipalPolicyCommandInput } from '@aws-sdk/client-iam';
import type { Operations } from './context';
import { invalidInput } from './iam-documents';
import { type IamState, noSuchEntity } from './iam-model';
import { policiesAllow } from './policy-evaluation';
import { ok } from './support';

/**
 * IAM's policy simulator for a role (SimulatePrincipalPolicy): each action on each resource, decided by the role's
 * inline policies and the default versions of its attached managed policies, with the context entries given (one
 * value each). Permissions boundaries, SCPs and resource policies are not modelled: the answer is 'allowed' or
 * 'implicitDeny' (an explicit Deny is not evaluated by the simulated account's evaluator).
 */
export function simulateOperations(iam: IamState): Operations {
  return {
    SimulatePrincipalPolicy: (input: SimulatePrincipalPolicyCommandInput) => {
      const name = /:role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(input.PolicySourceArn ?? '')?.[1];
      if (!name) throw invalidInput(`PolicySourceArn ${String(input.PolicySourceArn)} is not a role ARN this simulation models.`);
      const role = iam.roles.get(name.toLowerCase());
      if (!role) throw noSuchEntity(`The role with name ${name} cannot be found.`);
      const documents = [
        ...role.inline.values(),
        ...role.attached.flatMap((arn) => {
          const policy = iam.policyByArn(arn) ?? iam.awsPolicies.get(arn);
          const version = policy?.versions.get(policy.defaultVersionId);
          return version ? [version.document] : [];
        }),
      ];
      const context = Object.fromEntries((input.ContextEntries ?? []).map((entry) => [entry.ContextKeyName ?? '', entry.ContextKeyValues?.[0]]));
      // Policy variables (${aws:userid}) take the context's values, as IAM substitutes them.
      const substituted = documents.map((document) => document.replace(/\$\{([\w:/-]+)\}/g, (variable, key: string) => context[key] ?? variable));
      const resources = input.ResourceArns?.length ? input.ResourceArns : ['*'];
      const EvaluationResults = (input.ActionNames ?? []).flatMap((action) =>
        resources.map((resource) => ({
          EvalActionName: action,
          EvalResourceName: resource,
          EvalDecision: policiesAllow(substituted, action, resource, context) ? 'allowed' : 'implicitDeny',
        })),
      );
      return ok({ EvaluationResults, IsTruncated: false });
    },
  };
}
