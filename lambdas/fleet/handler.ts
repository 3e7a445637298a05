import { readPipelineEnvironment } from '../runtime/handler';
import { ConfigInvalidError } from '../shared/errors';
import { parseFederationConfig } from '../shared/profile';
import { type FleetPlan, planFleet } from './plan';
import { type FleetReport, reportFleet } from './report';

if (process.env.PROFILES === undefined) throw new ConfigInvalidError('PROFILES: the fleet needs the federation configuration (JSON)');
const config = parseFederationConfig(process.env.PROFILES, 'PROFILES');
const environment = readPipelineEnvironment(process.env);

export async function plan(event: unknown): Promise<FleetPlan> {
  return planFleet(event, config, environment.account);
}

export async function report(event: unknown): Promise<FleetReport> {
  return reportFleet(event);
}
