import { connectFederationPolicy } from '../../../lambdas/policy/policy-document';

const INSTANCE = 'arn:aws:connect:us-east-1:111122223333:instance/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

describe('connectFederationPolicy', () => {
  it('allows only connect:GetFederationToken on the instance user named by the federated session', () => {
    expect(JSON.parse(connectFederationPolicy(INSTANCE))).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AmazonConnectFederation',
          Effect: 'Allow',
          Action: 'connect:GetFederationToken',
          Resource: `${INSTANCE}/user/\${aws:userid}`,
        },
      ],
    });
  });
});
