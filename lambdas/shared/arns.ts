import type { ExecutionRequest } from './document';

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

/** The S3 location of the metadata document, as it appears in tags and notifications. */
export function sourceUri(request: Pick<ExecutionRequest, 'bucket' | 'key' | 'versionId'>): string {
  return `s3://${request.bucket}/${request.key}?versionId=${request.versionId}`;
}
