import { signinAudienceOf } from '../shared/partitions';

interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: '*' | Record<string, string | string[]>;
  Action?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
  [key: string]: unknown;
}

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

/**
 * The trust policy of a SAML 2.0 federation role: console and programmatic access, as the IAM console's "Allow
 * programmatic and AWS Management Console access" makes it, with the sign-in audience of the provider's partition.
 */
export function federationTrustPolicy(providerArn: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: 'sts:AssumeRoleWithSAML',
        Condition: { StringEquals: { 'SAML:aud': signinAudienceOf(providerArn.split(':')[1] ?? 'aws') } },
      },
    ],
  };
}
