import { connectFederationPolicy, parsePolicyDocument, samePolicyDocument } from '../../../lambdas/policy/policy-document';

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

describe('samePolicyDocument', () => {
  const generated = connectFederationPolicy(INSTANCE);

  it('recognises the document IAM hands back URL-encoded', () => {
    expect(samePolicyDocument(encodeURIComponent(generated), generated)).toBe(true);
  });

  it('ignores key order, single value versus list, statement order and action case', () => {
    const rewritten = {
      Statement: [
        { Resource: [`${INSTANCE}/user/\${aws:userid}`], Action: ['CONNECT:GetFederationToken'], Effect: 'Allow', Sid: 'AmazonConnectFederation' },
      ],
      Version: '2012-10-17',
    };
    expect(samePolicyDocument(JSON.stringify(rewritten), generated)).toBe(true);
    const a = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }, { Effect: 'Deny', Action: 'iam:*', Resource: '*' }] };
    const b = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: ['iam:*'], Resource: '*' }, { Effect: 'Allow', Action: 's3:GetObject', Resource: ['*'] }] };
    expect(samePolicyDocument(a, b)).toBe(true);
  });

  it('ignores statement ids, as the runbook policy names its statement "Statement1"', () => {
    const runbook = { Version: '2012-10-17', Statement: [{ Sid: 'Statement1', Effect: 'Allow', Action: 'connect:GetFederationToken', Resource: [`${INSTANCE}/user/\${aws:userid}`] }] };
    expect(samePolicyDocument(runbook, generated)).toBe(true);
  });

  it('treats a single statement object like a list of one, and condition values likewise', () => {
    const one = { Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::111122223333:saml-provider/P' }, Action: 'sts:AssumeRoleWithSAML', Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } } } };
    const list = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: ['arn:aws:iam::111122223333:saml-provider/P'] }, Action: ['sts:AssumeRoleWithSAML'], Condition: { StringEquals: { 'SAML:aud': ['https://signin.aws.amazon.com/saml'] } } }] };
    expect(samePolicyDocument(one, list)).toBe(true);
  });

  it('sees a document scoped to another instance as different', () => {
    const other = connectFederationPolicy('arn:aws:connect:us-east-1:111122223333:instance/ffffffff-4e5f-4a6b-8c7d-9e0f1a2b3c4d');
    expect(samePolicyDocument(encodeURIComponent(other), generated)).toBe(false);
  });

  it('sees a wider grant, another effect or a lost statement as different', () => {
    const base = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'connect:GetFederationToken', Resource: 'x' }] };
    expect(samePolicyDocument(base, { ...base, Statement: [{ ...base.Statement[0], Action: ['connect:GetFederationToken', 'connect:*'] }] })).toBe(false);
    expect(samePolicyDocument(base, { ...base, Statement: [{ ...base.Statement[0], Effect: 'Deny' }] })).toBe(false);
    expect(samePolicyDocument(base, { ...base, Statement: [] })).toBe(false);
    expect(samePolicyDocument(base, { ...base, Version: '2008-10-17' })).toBe(false);
  });

  it('keeps resources case-sensitive, as IAM does', () => {
    const lower = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/key' }] };
    const upper = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/KEY' }] };
    expect(samePolicyDocument(lower, upper)).toBe(false);
  });

  it('parses JSON text with surrounding whitespace and already-parsed objects', () => {
    expect(parsePolicyDocument(`  ${generated}\n`)).toEqual(JSON.parse(generated));
    expect(parsePolicyDocument({ Version: '2012-10-17' })).toEqual({ Version: '2012-10-17' });
  });
});
