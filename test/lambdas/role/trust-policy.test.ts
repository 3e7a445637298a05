import { federationTrustPolicy } from '../../../lambdas/role/trust-policy';

const PROVIDER = 'arn:aws:iam::111122223333:saml-provider/AmazonConnectAdminAccess';

describe('federationTrustPolicy', () => {
  it('trusts the provider for AssumeRoleWithSAML with the AWS sign-in audience', () => {
    expect(federationTrustPolicy(PROVIDER)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: PROVIDER },
          Action: 'sts:AssumeRoleWithSAML',
          Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
        },
      ],
    });
  });
});
