import { decodePolicyDocument, federationTrustPolicy, sameTrustPolicy } from '../../../lambdas/role/trust-policy';

const PROVIDER = 'arn:aws:iam::111122223333:saml-provider/ConnectAdminIdP';

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

describe('sameTrustPolicy', () => {
  const ours = federationTrustPolicy(PROVIDER);

  it('recognises the URL-encoded document IAM returns from GetRole', () => {
    expect(sameTrustPolicy(encodeURIComponent(JSON.stringify(ours)), ours)).toBe(true);
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
    expect(sameTrustPolicy(encodeURIComponent(JSON.stringify(consoleForm, null, 2)), ours)).toBe(true);
  });

  it('ignores statement order and duplicated statements', () => {
    const other = { Effect: 'Allow', Principal: { Service: 'connect.amazonaws.com' }, Action: 'sts:AssumeRole' };
    const a = { Version: '2012-10-17', Statement: [ours.Statement as object, other].flat() };
    const b = { Version: '2012-10-17', Statement: [other, ...(ours.Statement as object[]), other] };
    expect(sameTrustPolicy(JSON.stringify(a), JSON.stringify(b))).toBe(true);
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
      expect(sameTrustPolicy(encodeURIComponent(JSON.stringify(different)), ours)).toBe(false);
    }
  });

  it('treats a missing Version as IAM does (2008-10-17), not as the current version', () => {
    const { Version: _version, ...unversioned } = ours;
    expect(sameTrustPolicy(unversioned as never, ours)).toBe(false);
  });

  it('treats Principal "*" and {"AWS": "*"} as the same principal', () => {
    const star = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }] };
    const awsStar = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] };
    expect(sameTrustPolicy(star as never, awsStar as never)).toBe(true);
  });

  it('never calls an unreadable document the same', () => {
    expect(sameTrustPolicy('%E0%A4%A', ours)).toBe(false);
    expect(sameTrustPolicy('not json', 'not json')).toBe(false);
  });
});
