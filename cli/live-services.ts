import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { awsClients } from '../lambdas/runtime/clients';
import { returned } from '../lambdas/shared/errors';
import { type HeldLock, MemoryRecordStore } from '../lambdas/shared/records';
import { LOCK_HELD } from '../lambdas/workflow-errors';
import type { LocalServices } from '../local/runner';
import { CliUsageError } from './errors';

/**
 * The account of the current credentials and the region, as the AWS CLI finds them (--region / AWS_REGION, then the
 * AWS profile's region; the SDK's default credential chain).
 */
export async function currentAccount(): Promise<{ account: string; region: string; partition: string }> {
  let region: string;
  try {
    region = await new STSClient({}).config.region();
  } catch {
    throw new CliUsageError('no AWS Region for this command: pass --region <region>, or set region for the AWS profile (aws configure)');
  }
  const identity = await new STSClient({ region }).send(new GetCallerIdentityCommand({}));
  const callerArn = returned(identity.Arn, 'the caller ARN (STS GetCallerIdentity)');
  return { account: returned(identity.Account, 'the account (STS GetCallerIdentity)'), region, partition: callerArn.split(':')[1] ?? 'aws' };
}

/**
 * The same steps against the AWS account of the current credentials, with no deployment: the lock is held in this
 * process (one local run at a time) and notifications are printed instead of published.
 */
export async function liveServices(bucket: string, print: (line: string) => void): Promise<LocalServices> {
  const { account, region, partition } = await currentAccount();
  const locks = new Map<string, HeldLock>();
  return {
    // As in the deployed functions: IAM Identity Center may live in another region than the bucket.
    // The journal lives as long as the run: a live run deploys no record table, and no other process reads it. Its
    // leased writes check the lock this process holds.
    clients: awsClients({
      region,
      identityCenterRegion: process.env.IDENTITY_CENTER_REGION,
      recordTable: new MemoryRecordStore((profile) => locks.get(profile)),
    }),
    environment: { account, region, partition, bucket },
    takeLock(item, now, replacing = item.lease) {
      const held = locks.get(item.profile);
      if (held && held.lease !== item.lease && held.lease !== replacing && held.expiresAt >= now) {
        throw Object.assign(new Error(`profile ${item.profile} is locked by ${held.owner}`), { name: LOCK_HELD });
      }
      locks.set(item.profile, { owner: item.owner, lease: item.lease, expiresAt: item.expiresAt });
    },
    readLock(profile) {
      return locks.get(profile);
    },
    releaseLock(profile, lease) {
      if (locks.get(profile)?.lease === lease) locks.delete(profile);
    },
    publish(subject, message) {
      print(`\n[notification] ${subject}\n${message}\n`);
    },
  };
}
