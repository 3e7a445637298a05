import { X509Certificate } from 'node:crypto';
import { portalHost } from '../lambdas/identity-center/portal';
import { signinAudienceOf } from '../lambdas/shared/partitions';
import type { AccountContext, Operations } from './context';
import { SwbServiceFault } from './errors';
import {
  certificatesInMetadata,
  identityCenterApplicationToken,
  makeMetadataXml,
  makeSelfSignedCertificate,
  sharedRsaKeyPair,
} from './example-metadata';
import { clone } from './support';
import { swbOperations } from './swb-operations';
import type { ApplicationHooks, InstanceSetup, SimulatedCertificate, SwbInstanceSnapshot, SwbOptions, SwbState } from './swb-state';

/** The console API's id for an application: the application ARN's `apl-...` id with the prefix `ins-`. */
export function swbInstanceId(applicationArn: string): string {
  const match = /\/apl-([0-9a-f]{16})$/.exec(applicationArn);
  if (!match) throw new Error(`Not an IAM Identity Center application ARN: ${applicationArn}`);
  return `ins-${match[1]}`;
}

/** How long Identity Center's application certificates are valid: five years. */
const CERTIFICATE_LIFETIME_MS = 5 * 365 * 86_400_000;

/**
 * IAM Identity Center's console API (SWBService) in memory: one configuration per application instance. It fails as
 * the service answers (SwbServiceFault): ResourceNotFoundException for an unknown instance, ValidationException for
 * a malformed request.
 */
export class SimulatedSwb implements SwbState {
  private readonly instances = new Map<string, SwbInstanceSnapshot>();
  /** How each instance was created and set up (an application seeded as existing is enabled and set up). */
  public readonly setups = new Map<string, InstanceSetup>();
  /** Each application's signing certificates, made on first use (a key pair and a certificate cost time). */
  private readonly certificates = new Map<string, SimulatedCertificate[]>();
  /** A document an application serves as its own download (serveDocument), until its certificates change. */
  private readonly served = new Map<string, string>();

  public constructor(
    public readonly context: AccountContext,
    public readonly options: SwbOptions = {},
    public readonly hooks?: ApplicationHooks,
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
    // An application that exists was set up in the console: enabled, with its service provider's endpoint.
    // Every instance has the name it was created under (callers send a UUID).
    if (!this.setups.has(instanceId))
      this.setups.set(instanceId, {
        name: this.context.ids.hex(32),
        status: 'ENABLED',
        // As the Amazon Connect catalog entry is set up in the console: AWS sign-in receives the assertion.
        serviceProviderConfig: {
          audience: 'urn:amazon:webservices',
          requireRequestSignature: false,
          consumers: [
            { location: signinAudienceOf(this.context.partition), binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', defaultValue: false },
          ],
        },
        profiles: [],
      });
  }

  /** An instance created through CreateApplicationInstance: not enabled and not set up until those calls are made. */
  public createInstance(name: string, templateId: string): string {
    const instanceId = `ins-${this.context.ids.hex(16)}`;
    this.instances.set(instanceId, {});
    this.setups.set(instanceId, { name, templateId, status: 'DISABLED', profiles: [] });
    return instanceId;
  }

  /** Assigning people to an application gives it a profile (the public callers' notes), once. */
  public ensureProfile(instanceId: string): void {
    const setup = this.setups.get(instanceId);
    if (setup && setup.profiles.length === 0) setup.profiles.push(`p-${this.context.ids.hex(16)}`);
  }

  public removeInstance(instanceId: string): void {
    this.instances.delete(instanceId);
    this.setups.delete(instanceId);
    this.certificates.delete(instanceId);
    this.served.delete(instanceId);
  }

  /** What GetApplicationInstance and ListApplicationInstances show of an instance. */
  public instanceView(instanceId: string): Record<string, unknown> {
    const setup = this.setups.get(instanceId);
    return {
      instanceId,
      ...(setup?.name !== undefined ? { name: setup.name } : {}),
      identityProviderConfig: {
        metadataUrl: this.metadataUrl(instanceId),
        issuerUrl: this.metadataUrl(instanceId).replace('/metadata/', '/assertion/'),
      },
      status: setup?.status ?? 'ENABLED',
      ...(setup?.serviceProviderConfig ? { serviceProviderConfig: clone(setup.serviceProviderConfig) } : {}),
    };
  }

  /** The stored mapping of an instance (for GetApplicationInstance and the update operations). */
  public configurationOf(operation: string, instanceId: unknown): SwbInstanceSnapshot {
    return this.instance(operation, instanceId);
  }

  public instanceIds(): string[] {
    return [...this.instances.keys()].sort();
  }

  /** Seeds a configuration, as if someone had mapped the attributes in the console. */
  public configure(instanceId: string, configuration: SwbInstanceSnapshot): void {
    this.instances.set(instanceId, { ...this.instances.get(instanceId), ...clone(configuration) });
  }

  /** The operations, each request held to the public shape first (swb-operations.ts). */
  public readonly operations: Operations = swbOperations(this);

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
