import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { substitutionName } from '../../lambdas/runtime/function';
import { STEP_NAMES } from '../../lambdas/steps';
import { SUBSTITUTION_NAMES } from '../../statemachine/definition';
import { exampleConfig } from '../helpers/document';
import {
  ACCOUNT,
  FUNCTION_KEYS,
  flatten,
  functionRoles,
  functionSpec,
  logicalId,
  REGION,
  resourcesOfType,
  roleStatements,
  type SynthesizedPipeline,
  synthWithoutBundling,
} from './cfn';

let synth: SynthesizedPipeline;
let ids: { bucket: string; accessLogs: string; table: string; topic: string; key: string; stateMachine: string; queue: string };

beforeAll(() => {
  synth = synthWithoutBundling(exampleConfig, { notificationEmails: ['ops@example.com'] });
  const { stack, pipeline } = synth;
  ids = {
    bucket: logicalId(stack, pipeline.bucket),
    accessLogs: logicalId(stack, pipeline.accessLogsBucket),
    table: logicalId(stack, pipeline.lockTable),
    topic: logicalId(stack, pipeline.topic),
    key: logicalId(stack, pipeline.topicKey),
    stateMachine: logicalId(stack, pipeline.stateMachine),
    queue: logicalId(stack, pipeline.deadLetterQueue),
  };
});

/** The SSL-only deny statement CDK writes for `enforceSSL`. */
const denyInsecureTransport = Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });

describe('metadata bucket', () => {
  it('is versioned, private, encrypted and logs access to the separate log bucket', () => {
    const bucket = synth.json.Resources[ids.bucket]!;
    expect(bucket.Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: ids.accessLogs } },
    });
  });

  it('refuses requests that do not use TLS', () => {
    synth.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: ids.bucket },
      PolicyDocument: { Statement: Match.arrayWith([denyInsecureTransport]) },
    });
  });

  it('sends its events to EventBridge', () => {
    expect(synth.json.Resources[ids.bucket]!.Properties.NotificationConfiguration).toEqual({
      EventBridgeConfiguration: { EventBridgeEnabled: true },
    });
  });

  it('expires replaced versions and backups of replaced provider metadata after 90 days but keeps current metadata', () => {
    const rules = synth.json.Resources[ids.bucket]!.Properties.LifecycleConfiguration.Rules as Record<string, any>[];
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 90 }, Status: 'Enabled' }),
        expect.objectContaining({ Prefix: 'backups/', ExpirationInDays: 90 }),
      ]),
    );
    const expiringPrefixes = rules.filter((rule) => rule.ExpirationInDays !== undefined).map((rule) => rule.Prefix);
    expect(expiringPrefixes).toEqual(['backups/']);
  });

  /** The metadata bucket's policy statements, with ARNs written out. */
  const bucketStatements = () => {
    const [, policy] = resourcesOfType(synth.json, 'AWS::S3::BucketPolicy').find(([, r]) => r.Properties.Bucket.Ref === ids.bucket)!;
    return (policy.Properties.PolicyDocument.Statement as Record<string, any>[]).map((statement) =>
      JSON.parse(JSON.stringify(statement), (_key, value) =>
        value && typeof value === 'object' && !Array.isArray(value) && (value['Fn::Join'] || value['Fn::GetAtt'] || value.Ref)
          ? flatten(value)
          : value,
      ),
    );
  };
  const bucket = () => `<${ids.bucket}.Arn>`;

  it("denies writes and deletes outside metadata/ to every principal but the pipeline's function roles (aws:PrincipalArn)", () => {
    const deny = bucketStatements().find((statement) => statement.Sid === 'DenyBookkeepingWritesButThePipelines');
    const functionRoles = FUNCTION_KEYS.map((key) => `<${logicalId(synth.stack, synth.pipeline.functions[key]!.role as never)}.Arn>`).sort();
    expect({ ...deny, Condition: undefined }).toEqual({
      Sid: 'DenyBookkeepingWritesButThePipelines',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
      NotResource: `${bucket()}/metadata/*`,
      Condition: undefined,
    });
    expect(Object.keys(deny.Condition)).toEqual(['ArnNotEquals']);
    expect([...deny.Condition.ArnNotEquals['aws:PrincipalArn']].sort()).toEqual(functionRoles);
  });

  it('denies uploads under metadata/<name>/ for a name that is not a profile', () => {
    const deny = bucketStatements().find((statement) => statement.Sid === 'DenyUploadsOutsideProfileFolders');
    expect(deny).toEqual({
      Sid: 'DenyUploadsOutsideProfileFolders',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:PutObject',
      NotResource: [...Object.keys(exampleConfig.profiles).map((name) => `${bucket()}/metadata/${name}/*`), `${bucket()}/backups/*`],
    });
  });

  it('is retained when removed from the stack', () => {
    expect(synth.json.Resources[ids.bucket]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('access log bucket', () => {
  it('is private, encrypted with SSE-S3 (the only option for access logs) and TLS-only', () => {
    expect(synth.json.Resources[ids.accessLogs]!.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    synth.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: ids.accessLogs },
      PolicyDocument: { Statement: Match.arrayWith([denyInsecureTransport]) },
    });
  });

  it('accepts log delivery only from the metadata bucket', () => {
    synth.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: ids.accessLogs },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: Match.objectLike({ ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [ids.bucket, 'Arn'] } } }),
          }),
        ]),
      },
    });
  });
});

describe('upload rule', () => {
  const rule = () => resourcesOfType(synth.json, 'AWS::Events::Rule')[0]![1].Properties;

  it('matches S3 "Object Created" events for *.xml keys under metadata/ in this bucket only', () => {
    expect(rule().EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: [{ Ref: ids.bucket }] }, object: { key: [{ wildcard: 'metadata/*.xml' }, { wildcard: 'metadata/*.XML' }] } },
    });
  });

  it('lets through uploads for a profile and nothing the pipeline writes itself', () => {
    // EventBridge wildcard semantics: "*" matches any run of characters, "/" included.
    const patterns = (rule().EventPattern.detail.object.key as { wildcard: string }[]).map((p) => p.wildcard);
    const toRegExp = (pattern: string) =>
      new RegExp(
        `^${pattern
          .split('*')
          .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
          .join('.*')}$`,
      );
    const matches = (key: string) => patterns.some((pattern) => toRegExp(pattern).test(key));
    expect(matches('metadata/admin/idp.xml')).toBe(true);
    expect(matches('metadata/admin/IdP.XML')).toBe(true);
    expect(matches('metadata/agent/2026-rotation.xml')).toBe(true);
    expect(matches('backups/exec-1/identity-provider.xml')).toBe(false);
    expect(matches('journal/exec-1/identityProvider.json')).toBe(false);
    expect(matches('state/admin/attribute-mapping.json')).toBe(false);
  });

  it('starts the state machine, retrying for a bounded time, then parks the event in the dead-letter queue', () => {
    expect(rule().Targets).toEqual([
      expect.objectContaining({
        Arn: { Ref: ids.stateMachine },
        RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 8 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [ids.queue, 'Arn'] } },
      }),
    ]);
  });

  it('starts executions through a role that can do nothing else', () => {
    const roleId = rule().Targets[0].RoleArn['Fn::GetAtt'][0] as string;
    expect(roleStatements(synth.json, roleId)).toEqual([
      expect.objectContaining({ Effect: 'Allow', actions: ['states:StartExecution'], resources: [`<${ids.stateMachine}>`] }),
    ]);
  });

  it('has an encrypted, TLS-only dead-letter queue that only the rule may write to', () => {
    expect(synth.json.Resources[ids.queue]!.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
    const [, policy] = resourcesOfType(synth.json, 'AWS::SQS::QueuePolicy')[0]!;
    const statements = policy.Properties.PolicyDocument.Statement as Record<string, any>[];
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Condition: { ArnEquals: { 'aws:SourceArn': expect.anything() } },
        }),
      ]),
    );
  });
});

describe('lock table', () => {
  it('keys one item per profile, bills per request, expires items by "ttl", keeps point-in-time recovery and is encrypted', () => {
    expect(synth.json.Resources[ids.table]!.Properties).toEqual({
      AttributeDefinitions: [{ AttributeName: 'profile', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'profile', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    expect(synth.json.Resources[ids.table]!.DeletionPolicy).toBe('Retain');
  });
});

describe('record table', () => {
  it('keys records by pk and sk, bills per request, keeps point-in-time recovery, is encrypted and retained', () => {
    const id = logicalId(synth.stack, synth.pipeline.recordTable);
    expect(synth.json.Resources[id]!.Properties).toEqual({
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    expect(synth.json.Resources[id]!.DeletionPolicy).toBe('Retain');
  });
});

describe('notification topic', () => {
  it('is encrypted with a customer managed key that rotates', () => {
    expect(synth.json.Resources[ids.topic]!.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [ids.key, 'Arn'] });
    expect(synth.json.Resources[ids.key]!.Properties.EnableKeyRotation).toBe(true);
  });

  it('refuses publishing without TLS', () => {
    synth.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: ids.topic }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('lets CloudWatch alarms publish through the key, from this account only', () => {
    const statements = synth.json.Resources[ids.key]!.Properties.KeyPolicy.Statement as Record<string, any>[];
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        }),
      ]),
    );
  });

  it("lets this pipeline's CloudWatch alarms publish to the topic (its SSL-only policy replaces the default one that would)", () => {
    const alarmIds = resourcesOfType(synth.json, 'AWS::CloudWatch::Alarm').map(([id]) => id);
    // Failed executions, unstarted uploads, a failed cleanup, and the certificate expiry of each of the two profiles.
    expect(alarmIds).toHaveLength(5);
    synth.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: ids.topic }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowThisPipelinesAlarmsToPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: ids.topic },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': alarmIds.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })) },
            },
          },
        ]),
      },
    });
  });

  it('subscribes the configured email addresses', () => {
    synth.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: ids.topic } });
  });
});

describe('functions', () => {
  it.each([...FUNCTION_KEYS])('%s runs on nodejs24.x / arm64 with active tracing, its own log group and the pipeline environment', (key) => {
    const fn = synth.json.Resources[logicalId(synth.stack, synth.pipeline.functions[key])]!.Properties;
    expect(fn).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: `index.${functionSpec(key).handler.export}`,
      TracingConfig: { Mode: 'Active' },
    });
    const logGroupId = fn.LoggingConfig.LogGroup.Ref as string;
    expect(synth.json.Resources[logGroupId]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 365 } });
    const env = fn.Environment.Variables;
    expect(JSON.parse(env.PROFILES)).toEqual(exampleConfig);
    expect(env).toMatchObject({
      METADATA_BUCKET: { Ref: ids.bucket },
      RECORD_TABLE: { Ref: logicalId(synth.stack, synth.pipeline.recordTable) },
      ACCOUNT_ID: { Ref: 'AWS::AccountId' },
      PARTITION: { Ref: 'AWS::Partition' },
      POWERTOOLS_SERVICE_NAME: exampleConfig.pipelineName,
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('gives the steps that hold a 10 MB metadata document 512 MB, the others 256 MB', () => {
    const memory = (key: string) => synth.json.Resources[logicalId(synth.stack, synth.pipeline.functions[key])]!.Properties.MemorySize;
    expect(memory('intake')).toBe(512);
    expect(memory('identityProviderApply')).toBe(512);
    expect(memory('policyApply')).toBe(256);
  });

  it('lets Role apply outlast its IAM propagation retries (about 60 s)', () => {
    const timeout = synth.json.Resources[logicalId(synth.stack, synth.pipeline.functions.roleApply)]!.Properties.Timeout;
    expect(timeout).toBeGreaterThan(60);
  });

  it('runs each function under its own role, none with an AWS managed policy', () => {
    const roles = Object.values(functionRoles(synth));
    expect(new Set(roles).size).toBe(FUNCTION_KEYS.length);
    for (const [, role] of resourcesOfType(synth.json, 'AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('lets each function write only to its own log group', () => {
    const roles = functionRoles(synth);
    for (const key of FUNCTION_KEYS) {
      const fn = synth.json.Resources[logicalId(synth.stack, synth.pipeline.functions[key])]!.Properties;
      const logs = roleStatements(synth.json, roles[key]).filter((s) => s.actions.some((a) => a.startsWith('logs:')));
      expect(logs).toEqual([
        expect.objectContaining({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`<${fn.LoggingConfig.LogGroup.Ref}.Arn>`] }),
      ]);
    }
  });
});

describe('state machine', () => {
  const props = () => synth.json.Resources[ids.stateMachine]!.Properties;

  it('is a Standard workflow that logs ALL events without execution data, with X-Ray tracing', () => {
    expect(props()).toMatchObject({
      StateMachineType: 'STANDARD',
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: expect.anything() } }],
      },
      TracingConfiguration: { Enabled: true },
    });
  });

  it('binds every placeholder of the ASL file to the function, table or topic it names', () => {
    const expected: Record<string, unknown> = {
      LockTableName: { Ref: ids.table },
      NotificationTopicArn: { Ref: ids.topic },
    };
    for (const key of FUNCTION_KEYS) {
      expected[substitutionName(functionSpec(key))] = { 'Fn::GetAtt': [logicalId(synth.stack, synth.pipeline.functions[key]), 'Arn'] };
    }
    expect(Object.keys(props().DefinitionSubstitutions).sort()).toEqual([...SUBSTITUTION_NAMES].sort());
    expect(props().DefinitionSubstitutions).toEqual(expected);
  });

  it("may invoke exactly the workflow's functions, take, read and release the lock and publish to the topic, and nothing else", () => {
    const roleId = props().RoleArn['Fn::GetAtt'][0] as string;
    const statements = roleStatements(synth.json, roleId);
    const byAction = (action: string) => statements.filter((s) => s.actions.includes(action));
    const functionArns = FUNCTION_KEYS.map((key) => `<${logicalId(synth.stack, synth.pipeline.functions[key])}.Arn>`);
    expect(byAction('lambda:InvokeFunction')).toEqual([expect.objectContaining({ actions: ['lambda:InvokeFunction'], resources: functionArns })]);
    expect(byAction('dynamodb:PutItem')).toEqual([
      expect.objectContaining({ actions: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:DeleteItem'], resources: [`<${ids.table}.Arn>`] }),
    ]);
    expect(byAction('sns:Publish')).toEqual([expect.objectContaining({ resources: [`<${ids.topic}>`] })]);
    expect(byAction('kms:Decrypt')).toEqual([expect.objectContaining({ resources: [`<${ids.key}.Arn>`] })]);
    const services = new Set(statements.flatMap((s) => s.actions.map((a) => a.split(':')[0])));
    expect([...services].sort()).toEqual(['dynamodb', 'kms', 'lambda', 'logs', 'sns', 'xray']);
  });

  it('times out after the longest operator wait (7 days) and the lock margin (1 hour), so no execution runs on unseen', () => {
    expect(JSON.parse(props().DefinitionString).TimeoutSeconds).toBe(7 * 86_400 + 3600);
  });
});

describe('cleanup after a stopped execution', () => {
  const stoppedRule = () =>
    resourcesOfType(synth.json, 'AWS::Events::Rule').find(([, rule]) => rule.Properties.EventPattern.source?.[0] === 'aws.states')![1].Properties;
  const cleanupId = () => logicalId(synth.stack, synth.pipeline.cleanupFunction);

  it('runs on every status change to FAILED, TIMED_OUT or ABORTED of this state machine', () => {
    expect(stoppedRule().EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [{ Ref: ids.stateMachine }] },
    });
    expect(stoppedRule().Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [cleanupId(), 'Arn'] },
        RetryPolicy: { MaximumEventAgeInSeconds: 21_600, MaximumRetryAttempts: 8 },
      }),
    ]);
  });

  it('gets the state machine, lock table, record table, topic and each step revert from its environment', () => {
    const env = synth.json.Resources[cleanupId()]!.Properties.Environment.Variables;
    expect(env).toMatchObject({
      STATE_MACHINE_ARN: { Ref: ids.stateMachine },
      LOCK_TABLE: { Ref: ids.table },
      RECORD_TABLE: { Ref: logicalId(synth.stack, synth.pipeline.recordTable) },
      NOTIFICATION_TOPIC_ARN: { Ref: ids.topic },
    });
    const reverts = JSON.parse(
      JSON.stringify(env.REVERT_FUNCTIONS['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : flatten(part))).join('')),
    );
    expect(JSON.parse(reverts)).toEqual(
      Object.fromEntries(STEP_NAMES.map((step) => [step, `<${logicalId(synth.stack, synth.pipeline.functions[`${step}Revert`]!)}.Arn>`])),
    );
  });

  it("reads only this state machine's executions, invokes only the step reverts, and holds no IAM or Identity Center permission", () => {
    const roleId = synth.json.Resources[cleanupId()]!.Properties.Role['Fn::GetAtt'][0] as string;
    const statements = roleStatements(synth.json, roleId).filter((s) => s.Effect === 'Allow');
    const byAction = (action: string) => statements.filter((s) => s.actions.includes(action)).flatMap((s) => s.resources);
    expect(byAction('states:DescribeExecution')).toEqual([`arn:aws:states:${REGION}:${ACCOUNT}:execution:<${ids.stateMachine}.Name>:*`]);
    expect(byAction('lambda:InvokeFunction').sort()).toEqual(
      STEP_NAMES.map((step) => `<${logicalId(synth.stack, synth.pipeline.functions[`${step}Revert`]!)}.Arn>`).sort(),
    );
    expect(byAction('dynamodb:DeleteItem')).toEqual([`<${ids.table}.Arn>`]);
    // Its own decisions, under cleanup#<execution>, so a duplicate event never reverts twice; the journal, read only.
    const records = statements.filter((s) => s.resources.includes(`<${logicalId(synth.stack, synth.pipeline.recordTable)}.Arn>`));
    expect(records.map((s) => [s.actions, s.Condition])).toEqual([
      [['dynamodb:GetItem'], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['journal#*'] } }],
      [['dynamodb:GetItem', 'dynamodb:PutItem'], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['cleanup#*'] } }],
    ]);
    const services = new Set(statements.flatMap((s) => s.actions.map((a) => a.split(':')[0])));
    expect([...services].sort()).toEqual(['dynamodb', 'kms', 'lambda', 'logs', 'sns', 'states', 'xray']);
  });

  it('raises an alarm on the topic when a cleanup fails', () => {
    const alarm = synth.json.Resources[logicalId(synth.stack, synth.pipeline.cleanupAlarm)]!.Properties;
    expect(alarm).toMatchObject({
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: cleanupId() } }],
      Threshold: 1,
      AlarmActions: [{ Ref: ids.topic }],
    });
  });
});

describe('alarms', () => {
  const alarms = () => resourcesOfType(synth.json, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);

  it('notify the topic when an execution fails (at least one in 5 minutes)', () => {
    expect(alarms()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Namespace: 'AWS/States',
          MetricName: 'ExecutionsFailed',
          Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: ids.stateMachine } }],
          Statistic: 'Sum',
          Period: 300,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          AlarmActions: [{ Ref: ids.topic }],
        }),
      ]),
    );
  });

  it('notify the topic when an upload could not start an execution (event in the dead-letter queue)', () => {
    expect(alarms()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.queue, 'QueueName'] } }],
          Threshold: 1,
          AlarmActions: [{ Ref: ids.topic }],
        }),
      ]),
    );
  });
});

describe('outputs', () => {
  const outputs = () => Object.values(synth.json.Outputs).map((output) => ({ ...output, value: flatten(output.Value) }));

  it('give the bucket, an upload prefix per profile, the state machine and the topic', () => {
    const values = outputs().map((output) => output.value);
    expect(values).toEqual(
      expect.arrayContaining([
        `<${ids.bucket}>`,
        `s3://<${ids.bucket}>/metadata/admin/`,
        `s3://<${ids.bucket}>/metadata/agent/`,
        `<${ids.stateMachine}>`,
        `<${ids.topic}>`,
      ]),
    );
  });

  it('give a manual input that Intake accepts: bucket, a key under a profile prefix, dry run', () => {
    const sample = outputs().find((output) => output.value.startsWith('{'));
    expect(JSON.parse(sample!.value)).toEqual({ bucket: `<${ids.bucket}>`, key: 'metadata/admin/idp.xml', dryRun: true });
  });
});

describe('props', () => {
  it('apply the documented overrides: bucket name, execution data in logs, retention, removal policy', () => {
    const custom = synthWithoutBundling(exampleConfig, {
      bucketName: 'acme-saml-metadata',
      logExecutionData: true,
      oldVersionRetention: Duration.days(30),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const bucket = custom.json.Resources[logicalId(custom.stack, custom.pipeline.bucket)]!;
    expect(bucket.Properties.BucketName).toBe('acme-saml-metadata');
    expect(bucket.DeletionPolicy).toBe('Delete');
    expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } })]),
    );
    expect(custom.json.Resources[logicalId(custom.stack, custom.pipeline.lockTable)]!.DeletionPolicy).toBe('Delete');
    expect(custom.json.Resources[logicalId(custom.stack, custom.pipeline.stateMachine)]!.Properties.LoggingConfiguration.IncludeExecutionData).toBe(
      true,
    );
    expect(resourcesOfType(custom.json, 'AWS::SNS::Subscription')).toEqual([]);
  });

  it("pass an Identity Center region other than the stack's to the functions", () => {
    const custom = synthWithoutBundling(exampleConfig, { identityCenterRegion: 'eu-west-1' });
    const fn = custom.json.Resources[logicalId(custom.stack, custom.pipeline.functions.attributeMappingApply)]!;
    expect(fn.Properties.Environment.Variables.IDENTITY_CENTER_REGION).toBe('eu-west-1');
    expect(
      synth.json.Resources[logicalId(synth.stack, synth.pipeline.functions.attributeMappingApply)]!.Properties.Environment.Variables
        .IDENTITY_CENTER_REGION,
    ).toBeUndefined();
  });

  it('refuse a retention shorter than a manual-mapping execution can wait, naming the prop', () => {
    const config = structuredClone(exampleConfig);
    config.profiles.admin!.attributeMapping = { ...config.profiles.admin!.attributeMapping, mode: 'manual', manualTimeoutSeconds: 7 * 86_400 };
    expect(() => synthWithoutBundling(config, { oldVersionRetention: Duration.days(7) })).toThrow(/^oldVersionRetention: .*9 days/);
  });

  it("refuse an operator wait longer than 7 days, which would outlive the state machine's own timeout", () => {
    const config = structuredClone(exampleConfig) as any;
    config.profiles.admin.attributeMapping = { ...config.profiles.admin.attributeMapping, mode: 'manual', manualTimeoutSeconds: 45 * 86_400 };
    expect(() => synthWithoutBundling(config)).toThrow(
      /samlFederation\.profiles\.admin\.attributeMapping\.manualTimeoutSeconds: must be at most 604800 \(7 days\)/,
    );
  });

  it('refuse two profiles that would make one policy differently, naming both', () => {
    const config = structuredClone(exampleConfig);
    config.profiles.agent!.policy = {
      ...config.profiles.agent!.policy,
      connectInstanceArn: 'arn:aws:connect:us-east-1:111122223333:instance/11111111-2222-4333-8444-555555555555',
    };
    expect(() => synthWithoutBundling(config)).toThrow(
      /profiles\.agent\.policy\.name: profiles admin and agent both name policy "AmazonConnectSSOPolicy" \(profiles\.admin\.policy\.name\)/,
    );
  });

  it('refuse an unvalidated configuration with the field that is wrong', () => {
    const bad = structuredClone(exampleConfig) as any;
    bad.profiles.agent.identityProvider.name = 'has spaces';
    expect(() => synthWithoutBundling(bad)).toThrow(/samlFederation\.profiles\.agent\.identityProvider\.name/);
  });

  it('refuse profiles that would not fit in a Lambda environment (4 KB)', () => {
    const many = structuredClone(exampleConfig);
    for (let i = 0; i < 8; i++)
      many.profiles[`extra-${i}`] = { ...exampleConfig.profiles.admin!, role: { ...exampleConfig.profiles.admin!.role, name: `Extra${i}` } };
    expect(() => synthWithoutBundling(many)).toThrow(/samlFederation\.profiles: .*4096 bytes/);
  });
});

describe('the daily check: refresh and certificate watch', () => {
  const checkId = () => logicalId(synth.stack, synth.pipeline.checkFunction);
  const schedules = () => resourcesOfType(synth.json, 'AWS::Scheduler::Schedule').map(([, schedule]) => schedule.Properties);

  it("has one daily schedule per profile, invoking the check function with the profile's name", () => {
    expect(
      schedules()
        .map((s) => [s.ScheduleExpression, s.Target.Input])
        .sort(),
    ).toEqual([
      ['rate(1 day)', JSON.stringify({ profile: 'admin' })],
      ['rate(1 day)', JSON.stringify({ profile: 'agent' })],
    ]);
    for (const schedule of schedules()) expect(schedule.Target.Arn).toEqual({ 'Fn::GetAtt': [checkId(), 'Arn'] });
  });

  it('runs no schedule for a profile with refresh.enabled: false, and takes its refresh.schedule', () => {
    const config = structuredClone(exampleConfig) as any;
    config.profiles.admin.refresh = { enabled: false, schedule: 'rate(1 day)' };
    config.profiles.agent.refresh = { enabled: true, schedule: 'cron(0 6 * * ? *)' };
    const other = synthWithoutBundling(config);
    const found = resourcesOfType(other.json, 'AWS::Scheduler::Schedule').map(([, s]) => [
      s.Properties.ScheduleExpression,
      s.Properties.Target.Input,
    ]);
    expect(found).toEqual([['cron(0 6 * * ? *)', JSON.stringify({ profile: 'agent' })]]);
  });

  it('lets the schedules invoke the check function and nothing else', () => {
    const roleArn = schedules()[0]!.Target.RoleArn['Fn::GetAtt'][0] as string;
    expect(roleStatements(synth.json, roleArn)).toEqual([
      expect.objectContaining({ Effect: 'Allow', actions: ['lambda:InvokeFunction'], resources: [`<${checkId()}.Arn>`] }),
    ]);
    expect(synth.json.Resources[roleArn]!.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
  });

  it("may read the profiles' providers and applications and start this state machine, and change nothing", () => {
    const roleId = synth.json.Resources[checkId()]!.Properties.Role['Fn::GetAtt'][0] as string;
    const statements = roleStatements(synth.json, roleId).filter((s) => s.Effect === 'Allow');
    const actions = statements.flatMap((s) => s.actions);
    const byAction = (action: string) => statements.filter((s) => s.actions.includes(action)).flatMap((s) => s.resources);
    expect(byAction('iam:GetSAMLProvider').sort()).toEqual([
      `arn:aws:iam::${ACCOUNT}:saml-provider/AmazonConnectAdminAccess`,
      `arn:aws:iam::${ACCOUNT}:saml-provider/AmazonConnectAgentAccess`,
    ]);
    expect(byAction('states:StartExecution')).toEqual([`<${ids.stateMachine}>`]);
    // No IAM write, no Identity Center write, no S3, no record write: the executions it starts make every change.
    const writes = actions.filter((a) => /^(iam|sso|s3|dynamodb):(Create|Update|Delete|Put|Attach|Detach|Tag|TransactWrite)/.test(a));
    expect(writes).toEqual([]);
    // The record table, read: which application the pipeline created for a profile with application.create.
    expect(statements.filter((s) => s.actions.some((a) => a.startsWith('dynamodb:'))).map((s) => s.actions)).toEqual([['dynamodb:GetItem']]);
    expect(new Set(actions.map((a) => a.split(':')[0]))).toEqual(new Set(['sso', 'iam', 'dynamodb', 'states', 'sns', 'kms', 'logs', 'xray']));
  });

  it('raises an alarm per profile when the signing certificate expires in under 14 days, on the topic', () => {
    const alarms = synth.pipeline.expiryAlarms.map((alarm) => synth.json.Resources[logicalId(synth.stack, alarm)]!.Properties);
    expect(alarms.map((a) => a.Dimensions.find((d: { Name: string }) => d.Name === 'Profile').Value).sort()).toEqual(['admin', 'agent']);
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({
        Namespace: 'SamlFederation',
        MetricName: 'DaysUntilCertificateExpiry',
        Threshold: 14,
        ComparisonOperator: 'LessThanThreshold',
        AlarmActions: [{ Ref: ids.topic }],
      });
    }
  });
});
