import { X509Certificate } from 'node:crypto';
import type { ResponseConfig, ResponseSchemaConfig } from '../lambdas/identity-center/console-api';
import { portalHost } from '../lambdas/identity-center/portal';
import type { AccountContext, Operations } from './context';
import { SwbServiceFault } from './errors';
import {
  certificatesInMetadata,
  identityCenterApplicationToken,
  makeMetadataXml,
  makeSelfSignedCertificate,
  sharedRsaKeyPair,
} from './example-metadata';
import { clone, ok } from './support';

/** The console API's id for an application: the application ARN's `apl-...` id with the prefix `ins-`. */
export function swbInstanceId(applicationArn: string): string {
  const match = /\/apl-([0-9a-f]{16})$/.exec(applicationArn);
  if (!match) throw new Error(`Not an IAM Identity Center application ARN: ${applicationArn}`);
  return `ins-${match[1]}`;
}

/** The catalog templates the simulated console offers (ids are this simulation's; the names are the console's). */
const APPLICATION_TEMPLATES = [
  { templateId: 'tpl-0a1b2c3d4e5f6a7b', name: 'Amazon Connect' },
  { templateId: 'tpl-1b2c3d4e5f6a7b8c', name: 'Custom SAML 2.0 application' },
] as const;

/** What creating or deleting an application instance does beside the console API: the public API's application. */
export interface ApplicationHooks {
  /** Registers a new application for the instance id, with this display name; returns nothing. */
  created(instanceId: string, name: string): void;
  renamed(instanceId: string, name: string): void;
  deleted(instanceId: string): void;
}

export interface SwbOptions {
  /**
   * Whether GetApplicationInstance returns the stored configuration. docs/design.md lists this as unconfirmed for the
   * real API; false lets a test exercise the path where the pipeline cannot read what is there. Default true.
   */
  returnsConfiguration?: boolean;
  /**
   * Whether the response configuration keeps a `relayState` field. The field's name is a guess (lambdas/identity-center/console-api.ts); false
   * models an API that drops it silently, so that the step's read-back has something to catch. Default true.
   */
  keepsRelayState?: boolean;
}

export interface SwbInstanceSnapshot {
  responseConfig?: ResponseConfig;
  responseSchemaConfig?: ResponseSchemaConfig;
}

/** One signing certificate of an application, as Identity Center keeps it. */
export interface SimulatedCertificate {
  certificateId: string;
  certificatePem: string;
  notAfter: Date;
  status: 'ACTIVE' | 'INACTIVE';
}

/** How long Identity Center's application certificates are valid: five years. */
const CERTIFICATE_LIFETIME_MS = 5 * 365 * 86_400_000;

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
  /** Each application's signing certificates, made on first use (a key pair and a certificate cost time). */
  private readonly certificates = new Map<string, SimulatedCertificate[]>();
  /** A document an application serves as its own download (serveDocument), until its certificates change. */
  private readonly served = new Map<string, string>();

  public constructor(
    private readonly context: AccountContext,
    private readonly options: SwbOptions = {},
    private readonly hooks?: ApplicationHooks,
  ) {}

  /** The portal host that serves metadata in this account's region. */
  public get portalHost(): string {
    return portalHost(this.context.region);
  }

  public metadataUrl(instanceId: string): string {
    return `https://${this.portalHost}/saml/metadata/${identityCenterApplicationToken(this.context.account, instanceId)}`;
  }

  /** The application's certificates, the first made valid from now for five years when none exists yet. */
  public certificatesOf(instanceId: string): SimulatedCertificate[] {
    let list = this.certificates.get(instanceId);
    if (!list) {
      const yearStart = Date.UTC(this.context.clock().getUTCFullYear(), 0, 1);
      list = [this.newCertificate('ACTIVE', new Date(yearStart + CERTIFICATE_LIFETIME_MS))];
      this.certificates.set(instanceId, list);
    }
    return list;
  }

  /**
   * Identity Center's rotation: a new certificate becomes the active one (the console's "Set as active"), the old one
   * inactive. The metadata served from then on carries the new certificate.
   */
  public rotateCertificate(instanceId: string, notAfter = new Date(this.context.clock().getTime() + CERTIFICATE_LIFETIME_MS)): SimulatedCertificate {
    const list = this.certificatesOf(instanceId);
    for (const certificate of list) certificate.status = 'INACTIVE';
    this.served.delete(instanceId);
    const rotated = this.newCertificate('ACTIVE', notAfter);
    list.push(rotated);
    return rotated;
  }

  /** Sets when the active certificate expires (a test of the expiry watch). */
  public setActiveCertificateExpiry(instanceId: string, notAfter: Date): void {
    const list = this.certificatesOf(instanceId);
    const index = list.findIndex((certificate) => certificate.status === 'ACTIVE');
    const active = list[index];
    if (active) list[index] = { ...this.newCertificate('ACTIVE', notAfter), certificateId: active.certificateId };
    this.served.delete(instanceId);
  }

  /**
   * The application's own download becomes `xml` and its certificates those the document carries (the first one
   * active): an account whose application holds the document a person downloaded from it, as a local run given a
   * file simulates. A rotation afterwards serves a document of the application's making again.
   */
  public serveDocument(instanceId: string, xml: string): boolean {
    // An application only ever holds certificates: a document whose certificates do not parse is never its download.
    const parsed = certificatesInMetadata(xml).flatMap((certificatePem) => {
      try {
        return [{ certificatePem, notAfter: new Date(new X509Certificate(certificatePem).validTo) }];
      } catch {
        return [];
      }
    });
    if (parsed.length === 0) return false;
    this.certificates.set(
      instanceId,
      parsed.map(({ certificatePem, notAfter }, index) => ({
        certificateId: this.context.ids.next('0123456789abcdef', 32),
        certificatePem,
        notAfter,
        status: index === 0 ? 'ACTIVE' : 'INACTIVE',
      })),
    );
    this.served.set(instanceId, xml);
    return true;
  }

  /** The IdP metadata the portal serves for the application: its entityID and its active certificate. */
  public metadataXml(instanceId: string): string {
    const served = this.served.get(instanceId);
    if (served !== undefined) return served;
    const certificates = this.certificatesOf(instanceId);
    const active = certificates.find((certificate) => certificate.status === 'ACTIVE') ?? certificates[0];
    if (!active) throw new Error(`application instance ${instanceId} has no certificate`);
    return makeMetadataXml({
      account: this.context.account,
      region: this.context.region,
      applicationInstanceId: instanceId,
      certificatePem: active.certificatePem,
    });
  }

  /** The instance whose metadata URL this is, if any: what the portal answers for. */
  public instanceForMetadataUrl(url: URL): string | undefined {
    if (url.hostname !== this.portalHost) return undefined;
    return [...this.instances.keys()].find((id) => url.pathname === `/saml/metadata/${identityCenterApplicationToken(this.context.account, id)}`);
  }

  /**
   * Certificates are a function of the account's id seed and the order they are made in, and their dates of the
   * clock's year: two accounts seeded alike make the same certificates, so that a test comparing two accounts' end
   * states (the fault sweep) is not thrown by a serial number or a second on the clock.
   */
  private newCertificate(status: SimulatedCertificate['status'], notAfter: Date): SimulatedCertificate {
    const yearStart = Date.UTC(this.context.clock().getUTCFullYear(), 0, 1);
    const certificateId = this.context.ids.next('0123456789abcdef', 32);
    const certificate = makeSelfSignedCertificate({
      commonName: 'amazonaws.com',
      notBefore: new Date(Math.min(yearStart, notAfter.getTime() - 86_400_000)),
      notAfter,
      keyPair: sharedRsaKeyPair(),
      serial: Buffer.from(certificateId.slice(0, 32), 'hex'),
    });
    return { certificateId, certificatePem: certificate.certificatePem, notAfter, status };
  }

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
      const applicationInstance = {
        instanceId: input.instanceId,
        identityProviderConfig: {
          metadataUrl: this.metadataUrl(input.instanceId),
          issuerUrl: this.metadataUrl(input.instanceId).replace('/metadata/', '/assertion/'),
        },
        status: 'ENABLED',
      };
      if (this.options.returnsConfiguration === false) return ok({ applicationInstance });
      return ok({ applicationInstance, ...clone(instance) });
    },
    ListApplicationTemplates: () =>
      ok({ applicationTemplates: APPLICATION_TEMPLATES.map((t) => ({ templateId: t.templateId, application: { displayName: t.name } })) }),
    CreateApplicationInstance: (input: { templateId?: string; name?: string }) => {
      if (!APPLICATION_TEMPLATES.some((t) => t.templateId === input.templateId))
        throw new SwbServiceFault('CreateApplicationInstance', 'ResourceNotFoundException', `template ${input.templateId} not found`);
      if (typeof input.name !== 'string' || input.name === '')
        throw new SwbServiceFault('CreateApplicationInstance', 'ValidationException', 'name is required');
      const instanceId = `ins-${this.context.ids.hex(16)}`;
      this.instances.set(instanceId, {});
      this.hooks?.created(instanceId, input.name);
      return ok({ applicationInstance: { instanceId, name: input.name, status: 'ENABLED' } });
    },
    UpdateApplicationInstanceDisplayData: (input: { instanceId: string; displayName?: string; description?: string }) => {
      this.instance('UpdateApplicationInstanceDisplayData', input.instanceId);
      if (typeof input.displayName === 'string') this.hooks?.renamed(input.instanceId, input.displayName);
      return ok({});
    },
    DeleteApplicationInstance: (input: { instanceId: string }) => {
      this.instance('DeleteApplicationInstance', input.instanceId);
      this.instances.delete(input.instanceId);
      this.certificates.delete(input.instanceId);
      this.served.delete(input.instanceId);
      this.hooks?.deleted(input.instanceId);
      return ok({});
    },
    ListApplicationInstanceCertificates: (input: { instanceId: string }) => {
      this.instance('ListApplicationInstanceCertificates', input.instanceId);
      return ok({
        certificates: this.certificatesOf(input.instanceId).map((certificate) => ({
          certificateId: certificate.certificateId,
          status: certificate.status,
          expiryDate: certificate.notAfter.getTime() / 1000,
          algorithm: 'SHA256withRSA',
          keySize: 2048,
        })),
      });
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
