import type { ExecutionDocument, ExecutionRequest } from './document';
import { iamAccountOf } from './target-account';

type Account = Pick<ExecutionRequest, 'partition' | 'account'>;

export function samlProviderArn(at: Account, name: string): string {
  return `arn:${at.partition}:iam::${at.account}:saml-provider/${name}`;
}

export function roleArn(at: Account, name: string, path = '/'): string {
  return `arn:${at.partition}:iam::${at.account}:role${path}${name}`;
}

export function customerPolicyArn(at: Account, name: string): string {
  return `arn:${at.partition}:iam::${at.account}:policy/${name}`;
}

/** Where an execution's IAM provider, role and policy live: the profile's target account, or the pipeline's own. */
export function iamAt(doc: Pick<ExecutionDocument, 'request' | 'profile'>): Account {
  return { partition: doc.request.partition, account: iamAccountOf(doc.profile, doc.request.account) };
}

/** The S3 location of the metadata document, as it appears in tags and notifications. */
export function sourceUri(request: Pick<ExecutionRequest, 'bucket' | 'key' | 'versionId'>): string {
  return `s3://${request.bucket}/${request.key}?versionId=${request.versionId}`;
}
