import type { ResponseConfig, ResponseSchemaConfig } from '../../lambdas/attribute-mapping/swb-api';
import type { Operations } from './context';
import { SwbServiceFault } from './errors';
import { clone, ok } from './support';

/** The console API's id for an application: the application ARN's `apl-...` id with the prefix `ins-`. */
export function swbInstanceId(applicationArn: string): string {
  const match = /\/apl-([0-9a-f]{16})$/.exec(applicationArn);
  if (!match) throw new Error(`Not an IAM Identity Center application ARN: ${applicationArn}`);
  return `ins-${match[1]}`;
}

export interface SwbOptions {
  /**
   * Whether GetApplicationInstance returns the stored configuration. DESIGN.md lists this as unconfirmed for the
   * real API; false lets a test exercise the path where the pipeline cannot read what is there. Default true.
   */
  returnsConfiguration?: boolean;
  /**
   * Whether the response configuration keeps a `relayState` field. The field's name is a guess (swb-api.ts); false
   * models an API that drops it silently, so that the step's read-back has something to catch. Default true.
   */
  keepsRelayState?: boolean;
}

export interface SwbInstanceSnapshot {
  responseConfig?: ResponseConfig;
  responseSchemaConfig?: ResponseSchemaConfig;
}

function isSourceList(value: unknown): boolean {
  return (
    Array.isArray((value as { source?: unknown } | null)?.source) && (value as { source: unknown[] }).source.every((item) => typeof item === 'string')
  );
}

/**
 * IAM Identity Center's console API (SWBService) in memory: one configuration per application instance. It fails as
 * the service answers (SwbServiceFault): ResourceNotFoundException for an unknown instance, ValidationException for
 * a malformed request.
 */
export class SimulatedSwb {
  private readonly instances = new Map<string, SwbInstanceSnapshot>();

  public constructor(private readonly options: SwbOptions = {}) {}

  public addInstance(instanceId: string): void {
    if (!this.instances.has(instanceId)) this.instances.set(instanceId, {});
  }

  /** Seeds a configuration, as if someone had mapped the attributes in the console. */
  public configure(instanceId: string, configuration: SwbInstanceSnapshot): void {
    this.instances.set(instanceId, { ...this.instances.get(instanceId), ...clone(configuration) });
  }

  public readonly operations: Operations = {
    GetApplicationInstance: (input: { instanceId: string }) => {
      const instance = this.instance('GetApplicationInstance', input.instanceId);
      if (this.options.returnsConfiguration === false) return ok({ instanceId: input.instanceId });
      return ok({ instanceId: input.instanceId, ...clone(instance) });
    },
    UpdateApplicationInstanceResponseConfiguration: (input: { instanceId: string; responseConfig: ResponseConfig }) => {
      const instance = this.instance('UpdateApplicationInstanceResponseConfiguration', input.instanceId);
      const config = input.responseConfig;
      const valid =
        config !== null &&
        typeof config === 'object' &&
        isSourceList(config.subject) &&
        config.properties !== null &&
        typeof config.properties === 'object' &&
        Object.values(config.properties).every(isSourceList) &&
        typeof config.ttl === 'string' &&
        (config.relayState === undefined || typeof config.relayState === 'string');
      if (!valid) throw new SwbServiceFault('UpdateApplicationInstanceResponseConfiguration', 'ValidationException', 'responseConfig is malformed');
      instance.responseConfig = clone(config);
      if (this.options.keepsRelayState === false) delete instance.responseConfig.relayState;
      return ok({});
    },
    UpdateApplicationInstanceResponseSchemaConfiguration: (input: { instanceId: string; responseSchemaConfig: ResponseSchemaConfig }) => {
      const instance = this.instance('UpdateApplicationInstanceResponseSchemaConfiguration', input.instanceId);
      const config = input.responseSchemaConfig;
      const valid =
        config !== null &&
        typeof config === 'object' &&
        typeof config.subject?.include === 'string' &&
        typeof config.subject?.nameIdFormat === 'string' &&
        config.properties !== null &&
        typeof config.properties === 'object' &&
        Object.values(config.properties).every((property) => typeof property?.attrNameFormat === 'string' && typeof property?.include === 'string');
      if (!valid)
        throw new SwbServiceFault('UpdateApplicationInstanceResponseSchemaConfiguration', 'ValidationException', 'responseSchemaConfig is malformed');
      instance.responseSchemaConfig = clone(config);
      return ok({});
    },
  };

  public snapshot(): Record<string, SwbInstanceSnapshot> {
    const out: Record<string, SwbInstanceSnapshot> = {};
    for (const [id, instance] of [...this.instances.entries()].sort(([a], [b]) => a.localeCompare(b))) out[id] = clone(instance);
    return out;
  }

  private instance(operation: string, instanceId: unknown): SwbInstanceSnapshot {
    if (typeof instanceId !== 'string' || !/^ins-[0-9a-f]{16}$/.test(instanceId)) {
      throw new SwbServiceFault(operation, 'ValidationException', `instanceId ${String(instanceId)} is not valid`);
    }
    const instance = this.instances.get(instanceId);
    if (!instance) throw new SwbServiceFault(operation, 'ResourceNotFoundException', `application instance ${instanceId} not found`);
    return instance;
  }
}
