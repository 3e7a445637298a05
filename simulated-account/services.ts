import type { ResponseConfig, ResponseSchemaConfig } from '../lambdas/identity-center/console-api';
import { type AddConnectInstanceOptions, SimulatedConnect } from './connect';
import { applicationsOf } from './console';
import type { AccountContext } from './context';
import { SimulatedIam } from './iam';
import type { IamOptions } from './iam-model';
import { type DirectoryUser, SimulatedIdentityStore } from './identity-store';
import { SimulatedLockTable } from './lock-table';
import { SimulatedNotifications } from './notifications';
import type { SimulatedRecordTable } from './record-table';
import { SimulatedS3 } from './s3';
import { type AddApplicationOptions, type AddInstanceOptions, SimulatedSsoAdmin } from './sso-admin';
import { IdGenerator } from './support';
import { SimulatedSwb, swbInstanceId } from './swb';
import type { SwbOptions } from './swb-state';
import { recordTableBeside } from './tables';

/**
 * The account's services and their state, with the helpers that build a starting state directly: unlogged, and
 * without the clients, so a test can set up synchronously what no API call makes (an AWS managed policy, an
 * Identity Center instance, a certificate rotation).
 */
export class SimulatedServices {
  protected readonly s3: SimulatedS3;
  protected readonly iam: SimulatedIam;
  protected readonly ssoAdmin: SimulatedSsoAdmin;
  protected readonly swb: SimulatedSwb;
  protected readonly identityStore: SimulatedIdentityStore;
  protected readonly lockTable: SimulatedLockTable;
  protected readonly topic: SimulatedNotifications;
  protected readonly recordTable: SimulatedRecordTable;
  protected readonly connect: SimulatedConnect;

  protected constructor(context: AccountContext, options: { iam: IamOptions; swb: SwbOptions }) {
    this.s3 = new SimulatedS3(context);
    this.iam = new SimulatedIam(context, options.iam);
    this.ssoAdmin = new SimulatedSsoAdmin(context);
    this.identityStore = new SimulatedIdentityStore(context);
    this.swb = new SimulatedSwb(context, options.swb, applicationsOf(this.ssoAdmin));
    this.ssoAdmin.onAssigned = (applicationArn) => this.swb.ensureProfile(swbInstanceId(applicationArn));
    this.lockTable = new SimulatedLockTable(context.clock);
    this.recordTable = recordTableBeside(this.lockTable);
    this.topic = new SimulatedNotifications(context.ids);
    // Ids of its own, so that adding Connect resources leaves every other id of a seeded account as it was.
    this.connect = new SimulatedConnect({ ...context, ids: new IdGenerator(`${context.partition}:${context.account}:connect`) });
  }

  /** An Amazon Connect instance (in the account its ARN names), SAML and active unless told otherwise. */
  public addConnectInstance(arn: string, options?: AddConnectInstanceOptions): void {
    this.connect.addInstance(arn, options);
  }

  /** Changes an Amazon Connect instance's identity management type or status, or removes it (undefined). */
  public reshapeConnectInstance(arn: string, options: Pick<AddConnectInstanceOptions, 'identityManagementType' | 'status'> | undefined): void {
    this.connect.reshapeInstance(arn, options);
  }

  /** A user of an Amazon Connect instance, made by someone (in the admin website). */
  public addConnectUser(instanceArn: string, username: string, email?: string): string {
    return this.connect.addUser(instanceArn, username, email);
  }

  /** Identity Center rotates the application's signing certificate: a new one becomes active, as after "Set as active". */
  public rotateApplicationCertificate(applicationArn: string, notAfter?: Date): void {
    this.swb.rotateCertificate(swbInstanceId(applicationArn), notAfter);
  }

  /** Sets when the application's active certificate expires. */
  public setApplicationCertificateExpiry(applicationArn: string, notAfter: Date): void {
    this.swb.setActiveCertificateExpiry(swbInstanceId(applicationArn), notAfter);
  }

  /**
   * The application's own download becomes this document, its certificates the document's: the account a person who
   * downloaded `xml` from the application has (a local run given a file, an upload test).
   */
  public serveApplicationDocument(applicationArn: string, xml: string): boolean {
    return this.swb.serveDocument(swbInstanceId(applicationArn), xml);
  }

  /** The IdP metadata the portal serves for the application now. */
  public applicationMetadata(applicationArn: string): string {
    return this.swb.metadataXml(swbInstanceId(applicationArn));
  }

  // ---- seed helpers (not logged) ----

  /** Buckets are versioned, as the pipeline's metadata bucket is, unless `versioned: false` (each put replaces the object). */
  public createBucket(name: string, options: { versioned?: boolean } = {}): void {
    this.s3.createBucket(name, options);
  }

  /** Puts an object (creating the bucket if needed) and returns its version id. */
  public putObject(bucket: string, key: string, body: string | Uint8Array, options: { contentType?: string } = {}): string {
    return this.s3.put(bucket, key, typeof body === 'string' ? Buffer.from(body, 'utf-8') : Buffer.from(body), options);
  }

  /** An object's text (latest or a given version), or undefined when there is none. */
  public getObjectText(bucket: string, key: string, versionId?: string): string | undefined {
    return this.s3.read(bucket, key, versionId)?.toString('utf-8');
  }

  /** Adds an AWS managed policy (arn:<partition>:iam::aws:policy/<path><name>) that roles can attach; returns its ARN. */
  public addAwsManagedPolicy(name: string, document?: string, path = '/'): string {
    const text = document ?? JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'connect:Describe*', Resource: '*' }] });
    return this.iam.addAwsManagedPolicy(name, text, path);
  }

  /** Adds an IAM Identity Center instance; returns arn:aws:sso:::instance/ssoins-<16 hex>. */
  public addIdentityCenterInstance(options: AddInstanceOptions = {}): string {
    return this.ssoAdmin.addInstance(options);
  }

  /** A group in the identity store of the (first) Identity Center instance, found by its display name. */
  public addIdentityStoreGroup(displayName: string, instanceArn?: string): string {
    return this.identityStore.addGroup(this.ssoAdmin.identityStoreId(instanceArn), displayName);
  }

  /** A user in the identity store of the (first) Identity Center instance, found by its user name. */
  public addIdentityStoreUser(userName: string, instanceArn?: string, attributes?: DirectoryUser): string {
    return this.identityStore.addUser(this.ssoAdmin.identityStoreId(instanceArn), userName, attributes);
  }

  /** Makes a user of the identity store a member of one of its groups (both by name). */
  public addIdentityStoreMember(groupName: string, userName: string, instanceArn?: string): void {
    this.identityStore.addMember(this.ssoAdmin.identityStoreId(instanceArn), groupName, userName);
  }

  /**
   * Adds an application (with its SWBService application instance, unconfigured); returns
   * arn:aws:sso::<account>:application/ssoins-<16 hex>/apl-<16 hex>.
   */
  public addApplication(options: AddApplicationOptions): string {
    const arn = this.ssoAdmin.addApplication(options);
    this.swb.addInstance(swbInstanceId(arn));
    return arn;
  }

  /** Seeds an application's attribute configuration, as if mapped in the console. Takes the application ARN or `ins-` id. */
  public setApplicationConfiguration(
    application: string,
    configuration: { responseConfig?: ResponseConfig; responseSchemaConfig?: ResponseSchemaConfig },
  ): void {
    const instanceId = application.startsWith('ins-') ? application : swbInstanceId(application);
    this.swb.configure(instanceId, configuration);
  }
}
