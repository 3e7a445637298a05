import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { EXPIRY_METRIC } from '../../lambdas/daily-check/check';
import { pascal } from '../../lambdas/runtime/function';
import type { FederationConfig } from '../../lambdas/shared/profile';

/** The notification topic, encrypted with a key of its own, and the email addresses subscribed to it. */
export function createTopic(scope: Construct, config: FederationConfig, removalPolicy: RemovalPolicy, emails: readonly string[]): [Key, Topic] {
  const key = new Key(scope, 'NotificationKey', {
    description: `Encrypts the ${config.pipelineName} notification topic`,
    enableKeyRotation: true,
    removalPolicy,
  });
  // CloudWatch alarm actions publish to the encrypted topic as the CloudWatch service, which needs the key: from this
  // account only (the alarms' ARNs are not known yet here; the topic's policy names them).
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
  );
  const topic = new Topic(scope, 'NotificationTopic', {
    displayName: `SAML federation (${config.pipelineName})`,
    masterKey: key,
    enforceSSL: true,
  });
  for (const email of emails) topic.addSubscription(new EmailSubscription(email));
  return [key, topic];
}

/**
 * The topic's policy (it enforces SSL) replaces SNS's default one, which would let the account's services publish:
 * CloudWatch alarm actions publish as cloudwatch.amazonaws.com, so the policy allows exactly that service, from this
 * account and these alarms only (the confused-deputy conditions AWS recommends). Its key allows the same.
 */
export function allowAlarmsToPublish(topic: Topic, alarms: readonly Alarm[]): void {
  topic.addToResourcePolicy(
    new PolicyStatement({
      sid: 'AllowThisPipelinesAlarmsToPublish',
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': Stack.of(topic).account },
        ArnLike: { 'aws:SourceArn': alarms.map((alarm) => alarm.alarmArn) },
      },
    }),
  );
}

/** An alarm that notifies the topic as soon as the metric counts one event. */
export function alarmOnAny(scope: Construct, topic: Topic, id: string, alarmDescription: string, metric: IMetric): Alarm {
  const alarm = new Alarm(scope, id, {
    alarmDescription,
    metric,
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new SnsAction(topic));
  return alarm;
}

/** One alarm per profile with a schedule: the active signing certificate expires in under 14 days. */
export function createExpiryAlarms(scope: Construct, config: FederationConfig, topic: Topic): Alarm[] {
  return Object.entries(config.profiles)
    .filter(([, profile]) => profile.refresh.enabled)
    .map(([name]) => {
      const alarm = new Alarm(scope, `CertificateExpiryAlarm${pascal(name)}`, {
        alarmDescription: `The IAM Identity Center signing certificate of profile ${name} expires in under 14 days: make a new certificate active in IAM Identity Center; the daily check then installs it.`,
        metric: new Metric({
          namespace: EXPIRY_METRIC.namespace,
          metricName: EXPIRY_METRIC.name,
          dimensionsMap: { [EXPIRY_METRIC.dimension]: name, service: 'saml-federation-check' },
          period: Duration.days(1),
          statistic: 'Minimum',
        }),
        threshold: 14,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        // No datapoint means the check did not run or found no certificate: its own errors say why.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(new SnsAction(topic));
      return alarm;
    });
}
