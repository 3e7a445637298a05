/** The audience AWS sign-in expects in a SAML assertion for console federation. */
export const SAML_SIGNIN_AUDIENCE = 'https://signin.aws.amazon.com/saml';

export interface PolicyStatement {
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

/** The trust policy of a SAML 2.0 federation role (DESIGN.md, "AWS facts"). */
export function federationTrustPolicy(providerArn: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: 'sts:AssumeRoleWithSAML',
        Condition: { StringEquals: { 'SAML:aud': SAML_SIGNIN_AUDIENCE } },
      },
    ],
  };
}
