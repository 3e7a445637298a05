import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { FederationConfig } from '../../lambdas/shared/profile';

/**
 * What the pipeline keeps: the metadata bucket (uploads, fetched documents, backups of replaced provider metadata) and
 * its access-log bucket, the profiles' lock table, and the record table (what executions did). Built in the pipeline's
 * own scope, so their logical ids stay those of earlier releases: a stateful resource whose id changed would be
 * replaced on upgrade, and its data with it.
 */
export interface Storage {
  readonly accessLogsBucket: Bucket;
  readonly bucket: Bucket;
  readonly lockTable: Table;
  readonly recordTable: Table;
}

export interface StorageProps {
  readonly removalPolicy: RemovalPolicy;
  /** How long replaced versions and backups are kept. */
  readonly retention: Duration;
  readonly accessLogRetention: Duration;
  readonly bucketName?: string;
}

export function createStorage(scope: Construct, props: StorageProps): Storage {
  const { removalPolicy } = props;
  const accessLogsBucket = createAccessLogsBucket(scope, removalPolicy, props.accessLogRetention);
  const bucket = createMetadataBucket(scope, accessLogsBucket, props);
  const lockTable = new Table(scope, 'LockTable', {
    partitionKey: { name: 'profile', type: AttributeType.STRING },
    billingMode: BillingMode.PAY_PER_REQUEST,
    // Items expire after the execution's lease (lambdas/shared/lock.ts); TTL only tidies up, the condition decides.
    timeToLiveAttribute: 'ttl',
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: TableEncryption.AWS_MANAGED,
    removalPolicy,
  });
  // Kept out of the metadata bucket, where anyone who may upload metadata could write: a revert restores what these
  // records say, so only the step functions' roles write them, each only under its own keys (lambdas/shared/records.ts).
  const recordTable = new Table(scope, 'RecordTable', {
    partitionKey: { name: 'pk', type: AttributeType.STRING },
    sortKey: { name: 'sk', type: AttributeType.STRING },
    billingMode: BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: TableEncryption.AWS_MANAGED,
    removalPolicy,
  });
  return { accessLogsBucket, bucket, lockTable, recordTable };
}

/** cdk-nag's S1 (server access logging) accepts this bucket without logs of its own: it is another bucket's log destination. */
function createAccessLogsBucket(scope: Construct, removalPolicy: RemovalPolicy, expiration: Duration): Bucket {
  return new Bucket(scope, 'AccessLogsBucket', {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    // Server access log delivery supports only SSE-S3 on the target bucket.
    encryption: BucketEncryption.S3_MANAGED,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [{ id: 'ExpireAccessLogs', expiration }],
    removalPolicy,
  });
}

function createMetadataBucket(scope: Construct, accessLogsBucket: Bucket, props: StorageProps): Bucket {
  const bucket = new Bucket(scope, 'MetadataBucket', {
    bucketName: props.bucketName,
    versioned: true,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    // SSE-S3 rather than KMS: IdP metadata is public by design (an entity id and signing certificates), and so are
    // the backups of replaced provider metadata. A customer managed key would add a
    // kms grant to every function for no confidentiality gain.
    encryption: BucketEncryption.S3_MANAGED,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    serverAccessLogsBucket: accessLogsBucket,
    serverAccessLogsPrefix: 'metadata-bucket/',
    lifecycleRules: [
      { id: 'ExpireReplacedVersions', noncurrentVersionExpiration: props.retention, abortIncompleteMultipartUploadAfter: Duration.days(7) },
      { id: 'ExpireMetadataBackups', prefix: 'backups/', expiration: props.retention },
      { id: 'RemoveExpiredDeleteMarkers', expiredObjectDeleteMarker: true },
    ],
    removalPolicy: props.removalPolicy,
  });
  // EventBridge notifications through the native CloudFormation property: the L2 `eventBridgeEnabled` flag
  // deploys a custom-resource Lambda (with an AWS managed policy and s3:PutBucketNotification on "*") to do the same.
  (bucket.node.defaultChild as CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
  return bucket;
}

/**
 * Whoever may upload metadata may write the bucket; the bucket policy keeps them to `metadata/<profile>/` and keeps
 * everyone but the pipeline's function roles out of the rest (the backups of replaced provider metadata, which a
 * revert restores). Explicit denies, so no identity policy in the account can grant around them.
 */
export function guardBookkeeping(bucket: Bucket, config: FederationConfig, functionRoleArns: string[]): void {
  const objects = (prefix: string) => bucket.arnForObjects(`${prefix}*`);
  bucket.addToResourcePolicy(
    new PolicyStatement({
      sid: 'DenyUploadsOutsideProfileFolders',
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: ['s3:PutObject'],
      notResources: [...Object.keys(config.profiles).map((name) => objects(`metadata/${name}/`)), objects('backups/')],
    }),
  );
  bucket.addToResourcePolicy(
    new PolicyStatement({
      sid: 'DenyBookkeepingWritesButThePipelines',
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
      notResources: [objects('metadata/')],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': functionRoleArns } },
    }),
  );
}
