/**
 * The Amazon Connect federation policy: lets a federated user get a Connect federation token
 * for the Connect user whose name is their role session, on this one instance only.
 */
export function connectFederationPolicy(connectInstanceArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AmazonConnectFederation',
        Effect: 'Allow',
        Action: 'connect:GetFederationToken',
        Resource: `${connectInstanceArn}/user/\${aws:userid}`,
      },
    ],
  });
}
