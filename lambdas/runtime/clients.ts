import { ConnectClient } from '@aws-sdk/client-connect';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { ConsoleApiClient } from '../identity-center/console-client';
import { httpsMetadataFetcher } from '../identity-center/portal';
import { ConfigInvalidError } from '../shared/errors';
import { DynamoDbRecordStore, type RecordStore } from '../shared/records';
import type { IamSession, StepClients } from './function';

/*
 * The one module under lambdas/ that constructs AWS SDK clients: the steps' (awsClients) and the operations' (the
 * cleanup, the daily check: operationsClients). Every deployed function gets its clients here, once per container.
 */

export interface ClientOptions {
  region?: string;
  identityCenterRegion?: string;
  /**
   * The record table's name (a deployed function), or a store to use instead (a live local run keeps its records in
   * its own process). Without it, a step that reads or writes a record fails with a named error.
   */
  recordTable?: string | RecordStore;
  /** The lock table a step's writes are conditional on (LOCK_TABLE), with the record table's name. */
  lockTable?: string;
}

/**
 * The one place that creates AWS clients for the pipeline's steps: the deployed functions (through `lambdaHandler`)
 * and a live local run. Each client is created on first use, so a function builds only those its step calls, once
 * per container, and reuses their connections across invocations as AWS recommends.
 */
export function awsClients(regions: ClientOptions = {}): StepClients {
  // Without a region the SDK finds one itself (AWS_REGION, then the shared config file's profile).
  const at = regions.region ? { region: regions.region } : {};
  // IAM Identity Center may live in another region than the pipeline.
  const identityCenterRegion = regions.identityCenterRegion || regions.region;
  const identityCenter = identityCenterRegion ? { region: identityCenterRegion } : {};
  let s3: S3Client | undefined;
  let iam: IAMClient | undefined;
  let ssoAdmin: SSOAdminClient | undefined;
  let swb: ConsoleApiClient | undefined;
  let identityStore: IdentitystoreClient | undefined;
  let connect: ConnectClient | undefined;
  /**
   * One client per session (an execution's, in one target account), kept while the container lives; the SDK's provider
   * calls AssumeRole on the first request and again only when the credentials near expiry.
   */
  const sessionClients = <Client>(make: (credentials: ReturnType<typeof fromTemporaryCredentials>) => Client) => {
    const sessions = new Map<string, Client>();
    return (session: IamSession): Client => {
      const key = JSON.stringify(session);
      let client = sessions.get(key);
      if (!client) {
        // A warm container serves many executions: keep the newest few sessions only.
        if (sessions.size >= 16) sessions.delete(sessions.keys().next().value as string);
        client = make(fromTemporaryCredentials({ params: assumeRoleParams(session), clientConfig: at }));
        sessions.set(key, client);
      }
      return client;
    };
  };
  let records = typeof regions.recordTable === 'object' ? regions.recordTable : undefined;
  const table = typeof regions.recordTable === 'string' ? regions.recordTable : undefined;
  return {
    get records() {
      if (!records && !table) throw new ConfigInvalidError("RECORD_TABLE: this function keeps the pipeline's records but was given no table");
      records ??= new DynamoDbRecordStore(new DynamoDBClient(at), table ?? '', regions.lockTable);
      return records;
    },
    get s3() {
      s3 ??= new S3Client(at);
      return s3;
    },
    get iam() {
      iam ??= new IAMClient(at);
      return iam;
    },
    iamIn: sessionClients((credentials) => new IAMClient({ ...at, credentials })),
    get connect() {
      connect ??= new ConnectClient(at);
      return connect;
    },
    connectIn: sessionClients((credentials) => new ConnectClient({ ...at, credentials })),
    get ssoAdmin() {
      // No resend by the SDK: a CreateApplicationAssignment whose first answer was lost would come back
      // ConflictException, indistinguishable from someone else's assignment. The state machine retries transient
      // errors itself, after the step has recorded what it knows.
      ssoAdmin ??= new SSOAdminClient({ ...identityCenter, maxAttempts: 1 });
      return ssoAdmin;
    },
    get swb() {
      swb ??= new ConsoleApiClient({ region: identityCenterRegion ?? '' });
      return swb;
    },
    get identityStore() {
      identityStore ??= new IdentitystoreClient(identityCenter);
      return identityStore;
    },
    fetchMetadata: httpsMetadataFetcher,
  };
}

/**
 * What a target-account session asks STS for: the execution's name as session name and source identity (CloudTrail in
 * the target account shows it on every call), 15 minutes (longer than any step function runs), and the session policy
 * if any.
 */
export function assumeRoleParams(session: IamSession) {
  return {
    RoleArn: session.roleArn,
    RoleSessionName: session.sessionName,
    SourceIdentity: session.sessionName,
    DurationSeconds: 900,
    ...(session.policy ? { Policy: session.policy } : {}),
  };
}

/** The clients the operations functions use beside the steps': Step Functions, DynamoDB, Lambda and SNS, each made on first use. */
export interface OperationsClients {
  sfn: SFNClient;
  dynamodb: DynamoDBClient;
  lambda: LambdaClient;
  sns: SNSClient;
}

export function operationsClients(): OperationsClients {
  let sfn: SFNClient | undefined;
  let dynamodb: DynamoDBClient | undefined;
  let lambda: LambdaClient | undefined;
  let sns: SNSClient | undefined;
  return {
    get sfn() {
      sfn ??= new SFNClient({});
      return sfn;
    },
    get dynamodb() {
      dynamodb ??= new DynamoDBClient({});
      return dynamodb;
    },
    get lambda() {
      lambda ??= new LambdaClient({});
      return lambda;
    },
    get sns() {
      sns ??= new SNSClient({});
      return sns;
    },
  };
}
