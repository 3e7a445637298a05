import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { WildcardGrant } from '../lambdas/shared/permissions';

/**
 * cdk-nag 3 names each IAM5 finding after the flattened resource (`Resource::<Bucket1234.Arn>/journal/*`), so an
 * acknowledgement has to spell it the same way. This mirrors cdk-nag's flattenCfnReference; should the two ever
 * disagree, the finding stays unacknowledged and synth fails, which is the safe direction.
 */
function flattenReference(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/}/g, '>');
  const node = value as Record<string, unknown>;
  if (Array.isArray(node['Fn::Join'])) {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(flattenReference).join(delimiter);
  }
  if (node['Fn::Sub'] !== undefined) return flattenReference(node['Fn::Sub']);
  if (Array.isArray(node['Fn::GetAtt'])) {
    const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
  }
  if (node['Fn::ImportValue'] !== undefined) return flattenReference(node['Fn::ImportValue']);
  if (node.Ref !== undefined) return `<${flattenReference(node.Ref)}>`;
  return JSON.stringify(node);
}

/** Acknowledges one cdk-nag finding on a construct (and everything below it), with the reason it is acceptable. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * Acknowledges the IAM5 finding of each deliberate wildcard resource on `scope` (a role: its default policy sits
 * below it). Findings with the same resource are merged, their reasons joined, since cdk-nag reports each once per
 * policy. Wildcards not listed here stay findings.
 */
export function acknowledgeWildcards(scope: IConstruct, grants: readonly WildcardGrant[]): void {
  const reasons = new Map<string, string[]>();
  for (const grant of grants) {
    const id = `AwsSolutions-IAM5[Resource::${flattenReference(Stack.of(scope).resolve(grant.resource))}]`;
    reasons.set(id, [...new Set([...(reasons.get(id) ?? []), grant.reason])]);
  }
  for (const [id, list] of reasons) acknowledge(scope, id, list.join(' '));
}
