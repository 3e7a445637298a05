import { connectFederationPolicy } from '../../../lambdas/policy/policy-document';
import { federationTrustPolicy } from '../../../lambdas/role/trust-policy';
import { decodePolicyDocument, sameJson, samePolicyDocument } from '../../../lambdas/shared/policy-json';

const INSTANCE = 'arn:aws:connect:us-east-1:111122223333:instance/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const PROVIDER = 'arn:aws:iam::111122223333:saml-provider/AmazonConnectAdminAccess';

describe('samePolicyDocument on identity policies', () => {
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
    const a = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
        { Effect: 'Deny', Action: 'iam:*', Resource: '*' },
      ],
    };
    const b = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Deny', Action: ['iam:*'], Resource: '*' },
        { Effect: 'Allow', Action: 's3:GetObject', Resource: ['*'] },
      ],
    };
    expect(samePolicyDocument(a, b)).toBe(true);
  });

  it('ignores statement ids, as the runbook policy names its statement "Statement1"', () => {
    const runbook = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'Statement1', Effect: 'Allow', Action: 'connect:GetFederationToken', Resource: [`${INSTANCE}/user/\${aws:userid}`] }],
    };
    expect(samePolicyDocument(runbook, generated)).toBe(true);
  });

  it('treats a single statement object like a list of one, and condition values likewise', () => {
    const one = {
      Version: '2012-10-17',
      Statement: {
        Effect: 'Allow',
        Principal: { Federated: 'arn:aws:iam::111122223333:saml-provider/P' },
        Action: 'sts:AssumeRoleWithSAML',
        Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
      },
    };
    const list = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: ['arn:aws:iam::111122223333:saml-provider/P'] },
          Action: ['sts:AssumeRoleWithSAML'],
          Condition: { StringEquals: { 'SAML:aud': ['https://signin.aws.amazon.com/saml'] } },
        },
      ],
    };
    expect(samePolicyDocument(one, list)).toBe(true);
  });

  it('sees a document scoped to another instance as different', () => {
    const other = connectFederationPolicy('arn:aws:connect:us-east-1:111122223333:instance/ffffffff-4e5f-4a6b-8c7d-9e0f1a2b3c4d');
    expect(samePolicyDocument(encodeURIComponent(other), generated)).toBe(false);
  });

  it('sees a wider grant, another effect or a lost statement as different', () => {
    const base = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'connect:GetFederationToken', Resource: 'x' }] };
    expect(samePolicyDocument(base, { ...base, Statement: [{ ...base.Statement[0], Action: ['connect:GetFederationToken', 'connect:*'] }] })).toBe(
      false,
    );
    expect(samePolicyDocument(base, { ...base, Statement: [{ ...base.Statement[0], Effect: 'Deny' }] })).toBe(false);
    expect(samePolicyDocument(base, { ...base, Statement: [] })).toBe(false);
    expect(samePolicyDocument(base, { ...base, Version: '2008-10-17' })).toBe(false);
  });

  it('keeps resources case-sensitive, as IAM does', () => {
    const lower = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/key' }] };
    const upper = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/KEY' }] };
    expect(samePolicyDocument(lower, upper)).toBe(false);
  });

  it('parses JSON text with surrounding whitespace, URL-encoded text and already-parsed objects', () => {
    expect(decodePolicyDocument(`  ${generated}\n`)).toEqual(JSON.parse(generated));
    expect(decodePolicyDocument(encodeURIComponent(generated))).toEqual(JSON.parse(generated));
    expect(decodePolicyDocument({ Version: '2012-10-17' })).toEqual({ Version: '2012-10-17' });
  });
});

describe('samePolicyDocument on trust policies', () => {
  const ours = federationTrustPolicy(PROVIDER);

  it('recognises the URL-encoded document IAM returns from GetRole', () => {
    expect(samePolicyDocument(encodeURIComponent(JSON.stringify(ours)), ours)).toBe(true);
    expect(decodePolicyDocument(encodeURIComponent(JSON.stringify(ours)))).toEqual(ours);
  });

  it('recognises the console-written form: keys in another order, arrays of one, Sid, other case of action and key', () => {
    const consoleForm = {
      Statement: {
        Condition: { StringEquals: { 'saml:aud': ['https://signin.aws.amazon.com/saml'] } },
        Action: ['sts:assumerolewithsaml'],
        Principal: { Federated: [PROVIDER] },
        Sid: 'TrustIdentityCenter',
        Effect: 'Allow',
      },
      Version: '2012-10-17',
    };
    expect(samePolicyDocument(encodeURIComponent(JSON.stringify(consoleForm, null, 2)), ours)).toBe(true);
  });

  it('ignores statement order and duplicated statements', () => {
    const other = { Effect: 'Allow', Principal: { Service: 'connect.amazonaws.com' }, Action: 'sts:AssumeRole' };
    const a = { Version: '2012-10-17', Statement: [ours.Statement as object, other].flat() };
    const b = { Version: '2012-10-17', Statement: [other, ...(ours.Statement as object[]), other] };
    expect(samePolicyDocument(JSON.stringify(a), JSON.stringify(b))).toBe(true);
  });

  it('sees another provider, another audience, an extra action or a missing condition as a difference', () => {
    const base = () => structuredClone(ours) as any;
    const otherProvider = federationTrustPolicy('arn:aws:iam::111122223333:saml-provider/Other');
    const otherAudience = base();
    otherAudience.Statement[0].Condition.StringEquals['SAML:aud'] = 'https://example.com/saml';
    const extraAction = base();
    extraAction.Statement[0].Action = ['sts:AssumeRoleWithSAML', 'sts:TagSession'];
    const noCondition = base();
    delete noCondition.Statement[0].Condition;
    const extraStatement = base();
    extraStatement.Statement.push({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' });
    for (const different of [otherProvider, otherAudience, extraAction, noCondition, extraStatement]) {
      expect(samePolicyDocument(encodeURIComponent(JSON.stringify(different)), ours)).toBe(false);
    }
  });

  it('treats a missing Version as IAM does (2008-10-17), not as the current version', () => {
    const { Version: _version, ...unversioned } = ours;
    expect(samePolicyDocument(unversioned as never, ours)).toBe(false);
  });

  it('treats Principal "*" and {"AWS": "*"} as the same principal', () => {
    const star = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }] };
    const awsStar = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] };
    expect(samePolicyDocument(star as never, awsStar as never)).toBe(true);
  });

  it('never calls an unreadable document the same', () => {
    expect(samePolicyDocument('%E0%A4%A', ours)).toBe(false);
    expect(samePolicyDocument('not json', 'not json')).toBe(false);
  });
});

describe('sameJson', () => {
  it('ignores the order of object keys and undefined members, not the order of list items', () => {
    expect(sameJson({ a: 1, b: { c: [1, 2], d: undefined } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(sameJson({ c: [1, 2] }, { c: [2, 1] })).toBe(false);
  });
});
