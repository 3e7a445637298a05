import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand } from '@aws-sdk/client-sns';
import { awsClients, operationsClients } from '../runtime/clients';
import { readPipelineEnvironment } from '../runtime/handler';
import { parseFederationConfig } from '../shared/profile';
import { type CheckResult, checkProfile, EXPIRY_METRIC } from './check';

const environment = readPipelineEnvironment(process.env);
const config = parseFederationConfig(process.env.PROFILES ?? '', 'PROFILES');
const clients = awsClients({
  region: environment.region,
  identityCenterRegion: process.env.IDENTITY_CENTER_REGION,
  recordTable: process.env.RECORD_TABLE,
});
const { sfn, sns } = operationsClients();
// Powertools writes the metric in CloudWatch's embedded metric format to the function's log: no PutMetricData call,
// so no cloudwatch:PutMetricData grant.
const metrics = new Metrics({ namespace: EXPIRY_METRIC.namespace, serviceName: 'saml-federation-check' });

/** The schedule's target: `{"profile": "<name>"}`. */
export async function handler(event: { profile?: unknown }): Promise<CheckResult> {
  if (typeof event?.profile !== 'string') throw new Error('the daily check expects {"profile": "<name>"} from its schedule');
  try {
    return await checkProfile(event.profile, {
      ...clients,
      config,
      environment,
      now: () => new Date(),
      startExecution: async (input) =>
        (await sfn.send(new StartExecutionCommand({ stateMachineArn: process.env.STATE_MACHINE_ARN, input: JSON.stringify(input) }))).executionArn ??
        '',
      putDaysUntilExpiry: async (profile, days) => {
        metrics.addDimension(EXPIRY_METRIC.dimension, profile);
        metrics.addMetric(EXPIRY_METRIC.name, MetricUnit.Count, days);
      },
      putExpiryUnreadable: async (profile) => {
        metrics.addDimension(EXPIRY_METRIC.dimension, profile);
        metrics.addMetric(EXPIRY_METRIC.unreadable, MetricUnit.Count, 1);
      },
      publish: async (subject, message) => {
        await sns.send(new PublishCommand({ TopicArn: process.env.TOPIC_ARN, Subject: subject.slice(0, 100), Message: message }));
      },
    });
  } finally {
    metrics.publishStoredMetrics();
  }
}
