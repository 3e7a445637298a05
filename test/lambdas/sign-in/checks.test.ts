import { DetachRolePolicyCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { type SignInFacts, signInChecks, signInVerdict } from '../../../lambdas/sign-in/checks';
import { signInStep } from '../../../lambdas/sign-in/step';
import { STEPS } from '../../../lambdas/steps';
import { FUNCTIONS } from '../../../lambdas/workflow-functions';
import { buildFederationDefinition } from '../../../statemachine/build';
import { admin, execute, startingAccount } from '../../local/workflow-harness';

const PROVIDER = 'arn:aws:iam::111122223333:saml-provider/AmazonConnectAdminAccess';
const ROLE = 'arn:aws:iam::111122223333:role/AmazonConnectAdminAccessRole';
const RELAY = 'https://us-east-1.console.aws.amazon.com/connect/federate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const NOW = new Date('2030-01-01T00:00:00.000Z');

/** Everything in place, as an execution leaves it. */
function ready(): SignInFacts {
  return {
    providerArn: PROVIDER,
    providerCertificates: [{ sha256Fingerprint: 'AB:CD', notAfter: '2031-01-01T00:00:00.000Z' }],
    roleArn: ROLE,
    trustPolicy: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: PROVIDER },
          Action: 'sts:AssumeRoleWithSAML',
          Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
        },
      ],
    },
    maxSessionDuration: 43200,
    signinEndpoints: ['https://signin.aws.amazon.com/saml'],
    serviceProvider: { audience: 'urn:amazon:webservices', acsUrls: ['https://signin.aws.amazon.com/saml'] },
    partitionEndpoint: 'https://signin.aws.amazon.com/saml',
    mapping: { role: [`${ROLE},${PROVIDER}`], sessionName: '${user:email}', relayState: RELAY },
    expectedRelayState: RELAY,
    federationToken: 'allowed',
    connectUsers: { checked: 2, missing: [] },
    unreadable: [],
    now: NOW,
  };
}

/** The one check that fails, with its message and fix. */
function failing(facts: SignInFacts) {
  const failed = signInChecks(facts).filter((result) => result.ok === false);
  expect(failed).toHaveLength(1);
  return failed[0]!;
}

describe('the sign-in checks', () => {
  it('hold for an account as an execution leaves it: "sign-in ready: 9 of 9 checks"', () => {
    expect(signInVerdict(signInChecks(ready()))).toEqual({ ready: true, line: 'sign-in ready: 9 of 9 checks', details: [] });
  });

  it.each<[string, (f: SignInFacts) => void, string, RegExp]>([
    [
      'an expired certificate',
      (f) => {
        f.providerCertificates = [{ sha256Fingerprint: 'AB', notAfter: '2029-01-01T00:00:00.000Z' }];
      },
      'provider',
      /expired.*invalid SAML response/,
    ],
    [
      'no provider',
      (f) => {
        delete f.providerCertificates;
      },
      'provider',
      /does not exist/,
    ],
    [
      'a trust of another provider',
      (f) =>
        ((f.trustPolicy as { Statement: Array<{ Principal: unknown }> }).Statement[0]!.Principal = {
          Federated: 'arn:aws:iam::111122223333:saml-provider/Other',
        }),
      'trust',
      /Not authorized to perform sts:AssumeRoleWithSAML/,
    ],
    [
      'a regional sign-in endpoint the trust does not name',
      (f) => {
        f.signinEndpoints = ['https://us-east-1.signin.aws.amazon.com/saml'];
      },
      'trust',
      /SAML:aud.*does not name https:\/\/us-east-1\.signin/,
    ],
    ['a space after the comma of the Role value', (f) => (f.mapping!.role = [`${ROLE}, ${PROVIDER}`]), 'role-attribute', /holds a space/],
    [
      'another role in the Role value',
      (f) => {
        f.mapping!.role = [`arn:aws:iam::111122223333:role/Other,${PROVIDER}`];
      },
      'role-attribute',
      /not this profile's role and provider/,
    ],
    [
      'no RoleSessionName',
      (f) => {
        delete f.mapping!.sessionName;
      },
      'session-name',
      /maps no RoleSessionName/,
    ],
    [
      'a session longer than the role allows',
      (f) => {
        f.mapping!.sessionDuration = '43201';
        f.maxSessionDuration = 43200;
      },
      'session-duration',
      /43201.*maximum 43200/,
    ],
    [
      'a relay state of another instance',
      (f) => {
        f.mapping!.relayState = RELAY.replace('0a1b2c3d', 'ffffffff');
      },
      'relay-state',
      /sign-in lands elsewhere/,
    ],
    [
      'an audience other than urn:amazon:webservices',
      (f) => {
        f.serviceProvider = { audience: 'https://example.com', acsUrls: ['https://signin.aws.amazon.com/saml'] };
      },
      'service-provider',
      /audience is "https:\/\/example\.com"/,
    ],
    [
      'an ACS URL that is no AWS sign-in endpoint',
      (f) => {
        f.serviceProvider = { audience: 'urn:amazon:webservices', acsUrls: ['https://evil.example.com/saml'] };
      },
      'service-provider',
      /not an AWS sign-in endpoint/,
    ],
    ['no connect:GetFederationToken', (f) => (f.federationToken = 'denied'), 'permissions', /GetFederationToken/],
    [
      'a person without a Connect user',
      (f) => {
        f.connectUsers = { checked: 2, missing: ['jane@example.com (user "jane")'] };
      },
      'connect-user',
      /1 of 2 people have no Connect user: jane/,
    ],
  ])('name %s, with its fix', (_what, change, check, message) => {
    const facts = ready();
    change(facts);
    const result = failing(facts);
    expect(result).toMatchObject({ check, message: expect.stringMatching(message), fix: expect.any(String) });
    expect(signInVerdict(signInChecks(facts))).toMatchObject({ ready: false, line: 'sign-in NOT ready: 8 of 9 checks hold' });
  });

  it('count what could not be read apart, never as held', () => {
    const facts = ready();
    delete facts.mapping;
    delete facts.federationToken;
    const verdict = signInVerdict(signInChecks(facts));
    expect(verdict).toMatchObject({ ready: false, line: 'sign-in not confirmed: 4 of 4 checks hold, 5 not checked' });
    expect(verdict.details).toEqual(expect.arrayContaining([expect.stringMatching(/^permissions not checked/)]));
  });

  it('say a provider or role that could not be read was not checked, not that it does not exist', () => {
    const facts = { ...ready(), providerUnread: true, roleUnread: true };
    delete facts.providerCertificates;
    const unknown = signInChecks(facts)
      .filter((r) => r.ok === undefined)
      .map((r) => r.check);
    expect(unknown).toEqual(['provider', 'trust']);
  });

  it('never count as held a trust it cannot fully evaluate (a Deny, another condition), and match SAML:aud patterns as IAM does', () => {
    const trust = (statements: unknown[]) => ({ ...ready(), trustPolicy: { Version: '2012-10-17', Statement: statements } });
    const allow = (ready().trustPolicy as { Statement: Array<Record<string, unknown>> }).Statement[0]!;
    const checkOf = (facts: SignInFacts) => signInChecks(facts).find((r) => r.check === 'trust')!;
    expect(checkOf(trust([allow, { Effect: 'Deny', Principal: { Federated: PROVIDER }, Action: 'sts:AssumeRoleWithSAML' }])).ok).toBeUndefined();
    expect(
      checkOf(trust([{ ...allow, Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml', 'SAML:sub': 'nobody' } } }])).ok,
    ).toBeUndefined();
    expect(checkOf(trust([{ ...allow, Condition: { StringLike: { 'SAML:aud': 'https://*signin.aws.amazon.com/saml' } } }])).ok).toBe(true);
  });

  it('check a configured SessionDuration against the role when the mapping is not read (manual mode), and take only decimal seconds', () => {
    const manual = { ...ready(), configuredSessionDuration: '7200', maxSessionDuration: 3600 };
    delete manual.mapping;
    expect(signInChecks(manual).find((r) => r.check === 'session-duration')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/7200 \(as configured/),
    });
    const hex = ready();
    hex.mapping!.sessionDuration = '0xE10';
    expect(signInChecks(hex).find((r) => r.check === 'session-duration')?.ok).toBe(false);
  });
});

describe('the sign-in check after an execution, on the account it left', () => {
  it('ends a provisioning run with "sign-in ready: 9 of 9 checks" in the notification', async () => {
    const account = await startingAccount('empty account');
    const result = await execute(account);
    expect(result.output?.receipts?.signIn?.details).toMatchObject({ ready: true, line: 'sign-in ready: 9 of 9 checks' });
    expect(account.notifications.messages.at(-1)?.message).toContain('Sign-in check: sign-in ready: 9 of 9 checks');
  });

  it('names, without rolling back, a trust and a permissions policy a person changed during the run', async () => {
    const account = await startingAccount('empty account');
    // Once the mapping is written, just before the check reads: someone narrows the trust to a regional endpoint and detaches the policy.
    const mapped = () => account.calls.some((call) => call.operation === 'UpdateApplicationInstanceResponseSchemaConfiguration');
    account.interleave({ service: 'iam', operation: 'GetSAMLProvider', when: mapped }, async ({ iam }) => {
      const policyArn = 'arn:aws:iam::111122223333:policy/AmazonConnectSSOPolicy';
      await iam.send(new DetachRolePolicyCommand({ RoleName: admin.role.name, PolicyArn: policyArn }));
      const trust = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: PROVIDER },
            Action: 'sts:AssumeRoleWithSAML',
            Condition: { StringEquals: { 'SAML:aud': 'https://eu-west-1.signin.aws.amazon.com/saml' } },
          },
        ],
      };
      await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: admin.role.name, PolicyDocument: JSON.stringify(trust) }));
    });
    const result = await execute(account);
    expect(result.status).toBe('SUCCEEDED');
    const details = result.output?.receipts?.signIn?.details as { line: string; checks: Array<{ check: string; ok?: boolean }> };
    expect(details.line).toBe('sign-in NOT ready: 7 of 9 checks hold');
    expect(details.checks.filter((c) => c.ok === false).map((c) => c.check)).toEqual(['trust', 'permissions']);
    expect(account.notifications.messages.at(-1)?.message).toMatch(/! trust: .*SAML:aud.*fix: put https:\/\/signin\.aws\.amazon\.com\/saml/);
  });
});

describe('a failure of the sign-in check itself', () => {
  it('ends the run as provisioned, rolls nothing back, and says the check was not made', async () => {
    // The workflow as built from the registry, its sign-in check function failing for good (a timeout, say).
    const failing = {
      ...signInStep.apply,
      run: async () => Promise.reject(Object.assign(new Error('Task timed out after 60.00 seconds'), { name: 'States.Timeout' })),
    };
    const workflow = {
      definition: buildFederationDefinition(STEPS),
      functions: FUNCTIONS.map((fn) => (fn.key === signInStep.apply.key ? failing : fn)),
    };
    const account = await startingAccount('empty account');
    const result = await execute(account, { workflow });
    expect({ status: result.status, error: result.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
    expect(account.snapshot().iam.roles[admin.role.name]).toBeDefined();
    expect(account.notifications.messages.at(-1)?.message).toContain('Sign-in check: not made');
  });
});
