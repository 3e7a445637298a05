import type { IAMClient } from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import { connectFederationPolicy } from '../../../lambdas/policy/policy-document';
import { revertPolicy } from '../../../lambdas/policy/revert';
import type { ExecutionDocument } from '../../../lambdas/shared/document';
import { exampleProfile, makeDocument } from '../../helpers/document';
import { FakeAccount } from './fake-iam';

export const ROLE = 'ConnectAdminFederation';
export const OTHER_ROLE = 'ConnectAgentFederation';
export const POLICY_ARN = 'arn:aws:iam::111122223333:policy/AmazonConnectSSOPolicy';
export const TEAM_ARN = 'arn:aws:iam::111122223333:policy/Team';
export const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
/** A policy a person attached to the role before the pipeline ran: it must survive every revert. */
export const PREEXISTING = 'arn:aws:iam::aws:policy/AmazonConnect_FullAccess';

export const generatedDocument = (): string => connectFederationPolicy(makeDocument().profile.policy.connectInstanceArn!);
export const otherInstanceDocument = (n: number): string =>
  connectFederationPolicy(`arn:aws:connect:us-east-1:111122223333:instance/${String(n).padStart(8, '0')}-4e5f-4a6b-8c7d-9e0f1a2b3c4d`);

export interface Scenario {
  name: string;
  account: () => FakeAccount;
  doc: () => ExecutionDocument;
  /** Version ids cannot come back once deleted: compare documents only. */
  compareVersionIds: boolean;
}

const connectDoc = (): ExecutionDocument => makeDocument();

export const SCENARIOS: Scenario[] = [
  {
    name: 'no policy yet, the role has another policy',
    account: () => new FakeAccount().addRole(ROLE, [PREEXISTING]),
    doc: connectDoc,
    compareVersionIds: true,
  },
  {
    name: 'the policy exists with another instance and is not attached',
    account: () => {
      const account = new FakeAccount().addRole(ROLE, [PREEXISTING]);
      account.addPolicy('AmazonConnectSSOPolicy', [otherInstanceDocument(1), otherInstanceDocument(2)]);
      return account;
    },
    doc: connectDoc,
    compareVersionIds: true,
  },
  {
    name: 'the policy uses all 5 versions and is attached',
    account: () => {
      const account = new FakeAccount().addRole(ROLE, [PREEXISTING, POLICY_ARN]);
      account.addPolicy('AmazonConnectSSOPolicy', [1, 2, 3, 4, 5].map(otherInstanceDocument), { defaultIndex: 2 });
      return account;
    },
    doc: connectDoc,
    compareVersionIds: false,
  },
  {
    name: 'managed policies only, one already attached',
    account: () => {
      const account = new FakeAccount().addRole(ROLE, [PREEXISTING, READ_ONLY]);
      account.addPolicy('Team', [otherInstanceDocument(9)]);
      return account;
    },
    doc: () => {
      const profile = exampleProfile('admin');
      return makeDocument({ profile: { ...profile, policy: { name: 'AmazonConnectSSOPolicy', managedPolicyArns: [READ_ONLY, TEAM_ARN] } } });
    },
    compareVersionIds: true,
  },
];

/** The document as the state machine hands it over: JSON, with the step's receipt when it finished. */
export function asRevertInput(doc: ExecutionDocument, receipt?: unknown): ExecutionDocument {
  const receipts = receipt === undefined ? doc.receipts : { ...doc.receipts, policy: receipt };
  return JSON.parse(JSON.stringify({ ...doc, receipts, failure: { Error: 'Test.Failure', Cause: 'a later step failed' } }));
}

/** Reverts until it succeeds, as the state machine's Retry does, then checks that a second revert changes nothing. */
export async function revertToEnd(account: FakeAccount, deps: { iam: IAMClient; s3: S3Client }, input: ExecutionDocument): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await revertPolicy(input, deps);
      break;
    } catch (error) {
      if (attempt > 5) throw error;
    }
  }
  const start = account.calls.length;
  await expect(revertPolicy(input, deps)).resolves.toMatchObject({ action: 'nothing-to-do' });
  expect(account.changesSince(start)).toEqual([]);
}
