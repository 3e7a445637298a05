import { S3Client } from '@aws-sdk/client-s3';
import type { ExecutionDocument } from '../shared/document';
import { ConfigInvalidError } from '../shared/errors';
import { parseFederationConfig } from '../shared/profile';
import { intake, readIntakeEnvironment, type IntakeEvent } from './intake';

// Once per container: the configuration is validated at start, and the client reuses its connections.
if (process.env.PROFILES === undefined) throw new ConfigInvalidError('PROFILES: the Intake function needs the federation configuration (JSON) in this environment variable');
const config = parseFederationConfig(process.env.PROFILES, 'PROFILES');
const environment = readIntakeEnvironment(process.env);
const s3 = new S3Client({});

export async function handler(event: IntakeEvent): Promise<ExecutionDocument> {
  return intake(event, { s3, config, environment, now: () => new Date() });
}
