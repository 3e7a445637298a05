import type { DescribeApplicationCommandInput, ListApplicationsCommandInput, ListInstancesCommandInput } from '@aws-sdk/client-sso-admin';
import type { AccountContext, Operations } from './context';
import { awsError, SeedInvalidError } from './errors';
import { compact, ok, paginate } from './support';

/** The application provider of applications created from the console's "custom SAML 2.0 application". */
export const CUSTOM_SAML_PROVIDER_ARN = 'arn:aws:sso::aws:applicationProvider/custom-saml';

/** An OAuth 2.0 application provider (a trusted token issuer's application, say): not one a profile can use. */
export const OAUTH_PROVIDER_ARN = 'arn:aws:sso::aws:applicationProvider/oauth-example';

/** The providers DescribeApplicationProvider knows, with their federation protocol; any catalog provider is SAML. */
const PROVIDER_PROTOCOLS: Record<string, 'SAML' | 'OAUTH'> = { [CUSTOM_SAML_PROVIDER_ARN]: 'SAML', [OAUTH_PROVIDER_ARN]: 'OAUTH' };

/** A small default page, so that code which forgets to follow NextToken fails in tests rather than in production. */
export const DEFAULT_SSO_PAGE_SIZE = 2;

interface Instance {
  arn: string;
  identityStoreId: string;
  name: string;
  createdDate: Date;
}

interface Application {
  arn: string;
  name: string;
  status: 'ENABLED' | 'DISABLED';
  instanceArn: string;
  providerArn: string;
  description?: string;
  /** The account the application belongs to (ListApplications' ApplicationAccount). */
  account: string;
  createdDate: Date;
}

export interface AddInstanceOptions {
  /** Pin the ARN (arn:aws:sso:::instance/ssoins-<16 hex>), e.g. to match a profile in cdk.json. */
  arn?: string;
  name?: string;
}

export interface AddApplicationOptions {
  name: string;
  status?: 'ENABLED' | 'DISABLED';
  /** Defaults to the only (first) instance. */
  instanceArn?: string;
  /** Pin the ARN (arn:aws:sso::<account>:application/ssoins-<16>/apl-<16>), e.g. to match a profile in cdk.json. */
  arn?: string;
  description?: string;
  providerArn?: string;
  /** The account the application belongs to, for a delegated administrator's view; default this account. */
  account?: string;
}

export interface SsoAdminSnapshot {
  instances: string[];
  applications: Record<string, { name: string; status: string; instanceArn: string; assignments?: string[] }>;
}

const INSTANCE_ARN = /^arn:[^:]+:sso:::instance\/(ssoins-[0-9a-f]{16})$/;
const APPLICATION_ARN = /^arn:[^:]+:sso::(\d{12}):application\/(ssoins-[0-9a-f]{16})\/(apl-[0-9a-f]{16})$/;

/** IAM Identity Center's public admin API, for finding the instance and the application. */
export class SimulatedSsoAdmin {
  private readonly instances = new Map<string, Instance>();
  private readonly applications = new Map<string, Application>();
  /** Application ARN -> `<USER|GROUP>:<principal id>` assigned to it. */
  private readonly assignments = new Map<string, Set<string>>();

  public constructor(private readonly context: AccountContext) {}

  public addInstance(options: AddInstanceOptions = {}): string {
    const arn = options.arn ?? `arn:${this.context.partition}:sso:::instance/ssoins-${this.context.ids.hex(16)}`;
    if (!INSTANCE_ARN.test(arn)) throw new SeedInvalidError(`Not an Identity Center instance ARN: ${arn}`);
    if (this.instances.has(arn)) throw new SeedInvalidError(`Instance ${arn} already exists`);
    this.instances.set(arn, {
      arn,
      identityStoreId: `d-${this.context.ids.hex(10)}`,
      name: options.name ?? 'simulated',
      createdDate: this.context.clock(),
    });
    return arn;
  }

  public addApplication(options: AddApplicationOptions): string {
    const instanceArn = options.instanceArn ?? [...this.instances.keys()][0];
    if (!instanceArn || !this.instances.has(instanceArn)) throw new SeedInvalidError(`No Identity Center instance ${instanceArn ?? '(none added)'}`);
    const instanceId = INSTANCE_ARN.exec(instanceArn)?.[1];
    if (instanceId === undefined) throw new SeedInvalidError(`Not an instance ARN: ${instanceArn}`);
    const arn = options.arn ?? `arn:${this.context.partition}:sso::${this.context.account}:application/${instanceId}/apl-${this.context.ids.hex(16)}`;
    const parts = APPLICATION_ARN.exec(arn);
    if (!parts || parts[2] !== instanceId) throw new SeedInvalidError(`Not an application ARN of instance ${instanceArn}: ${arn}`);
    if (this.applications.has(arn)) throw new SeedInvalidError(`Application ${arn} already exists`);
    this.applications.set(
      arn,
      compact({
        arn,
        name: options.name,
        status: options.status ?? 'ENABLED',
        instanceArn,
        providerArn: options.providerArn ?? CUSTOM_SAML_PROVIDER_ARN,
        description: options.description,
        account: options.account ?? this.context.account,
        createdDate: this.context.clock(),
      }),
    );
    return arn;
  }

  public hasApplication(arn: string): boolean {
    return this.applications.has(arn);
  }

  /** The application whose ARN ends in `apl-<id>` for console instance `ins-<id>`, if any. */
  public applicationOfInstance(instanceId: string): string | undefined {
    const id = instanceId.replace(/^ins-/, 'apl-');
    return [...this.applications.keys()].find((arn) => arn.endsWith(`/${id}`));
  }

  /** Called with the application's ARN when someone is assigned to it (the console then gives it a profile). */
  public onAssigned?: (applicationArn: string) => void;

  /** The console API created an application (CreateApplicationInstance): it appears in the public API too, not enabled. */
  public createdThroughConsole(instanceId: string, name: string, providerArn: string): string {
    const instanceArn = [...this.instances.keys()][0];
    const ssoins = instanceArn ? INSTANCE_ARN.exec(instanceArn)?.[1] : undefined;
    if (!instanceArn || !ssoins) throw new SeedInvalidError('No Identity Center instance to create an application in');
    return this.addApplication({
      name,
      instanceArn,
      providerArn,
      status: 'DISABLED',
      arn: `arn:${this.context.partition}:sso::${this.context.account}:application/${ssoins}/${instanceId.replace(/^ins-/, 'apl-')}`,
    });
  }

  public setApplicationStatus(arn: string, status: 'ENABLED' | 'DISABLED'): void {
    const application = this.applications.get(arn);
    if (application) application.status = status;
  }

  public renameApplication(arn: string, name: string): void {
    const application = this.applications.get(arn);
    if (application) application.name = name;
  }

  public removeApplication(arn: string): void {
    this.applications.delete(arn);
    this.assignments.delete(arn);
  }

  /** The identity store of an instance (the first one by default), where its users and groups live. */
  public identityStoreId(instanceArn?: string): string {
    const instance = instanceArn ? this.instances.get(instanceArn) : [...this.instances.values()][0];
    if (!instance) throw new SeedInvalidError(`No Identity Center instance ${instanceArn ?? '(none added)'}`);
    return instance.identityStoreId;
  }

  private assignmentInput(
    operation: string,
    input: { ApplicationArn?: string; PrincipalId?: string; PrincipalType?: string },
  ): [Set<string>, string] {
    const application = input.ApplicationArn ? this.applications.get(input.ApplicationArn) : undefined;
    if (!application) throw awsError('ResourceNotFoundException', `${operation}: application ${input.ApplicationArn} not found.`, 'sso-admin');
    if (!input.PrincipalId || (input.PrincipalType !== 'USER' && input.PrincipalType !== 'GROUP'))
      throw awsError('ValidationException', `${operation}: PrincipalId and PrincipalType USER or GROUP are required.`, 'sso-admin');
    const set = this.assignments.get(application.arn) ?? new Set<string>();
    this.assignments.set(application.arn, set);
    return [set, `${input.PrincipalType}:${input.PrincipalId}`];
  }

  public readonly operations: Operations = {
    ListInstances: (input: ListInstancesCommandInput) => {
      const instances = [...this.instances.values()].map((instance) => this.instanceView(instance));
      const page = this.page(instances, input.NextToken, input.MaxResults);
      return ok(compact({ Instances: page.items, NextToken: page.next }));
    },
    DescribeInstance: (input: { InstanceArn?: string }) => {
      return ok(this.instanceView(this.instance(input.InstanceArn)));
    },
    ListApplications: (input: ListApplicationsCommandInput) => {
      const instance = this.instance(input.InstanceArn);
      const applications = [...this.applications.values()]
        .filter((application) => application.instanceArn === instance.arn)
        .filter((application) => (input.Filter?.ApplicationAccount ?? this.context.account) === application.account)
        .filter((application) => input.Filter?.ApplicationProvider === undefined || input.Filter.ApplicationProvider === application.providerArn)
        .map((application) => this.view(application));
      const page = this.page(applications, input.NextToken, input.MaxResults);
      return ok(compact({ Applications: page.items, NextToken: page.next }));
    },
    // The API reference lists ConflictException for CreateApplicationAssignment and ResourceNotFoundException for
    // DeleteApplicationAssignment without saying when; a duplicate assignment and a missing one are our reading.
    CreateApplicationAssignment: (input: { ApplicationArn?: string; PrincipalId?: string; PrincipalType?: string }) => {
      const [set, key] = this.assignmentInput('CreateApplicationAssignment', input);
      if (set.has(key)) throw awsError('ConflictException', `${key} is already assigned to ${input.ApplicationArn}.`, 'sso-admin');
      set.add(key);
      if (input.ApplicationArn) this.onAssigned?.(input.ApplicationArn);
      return ok({});
    },
    DeleteApplicationAssignment: (input: { ApplicationArn?: string; PrincipalId?: string; PrincipalType?: string }) => {
      const [set, key] = this.assignmentInput('DeleteApplicationAssignment', input);
      if (!set.delete(key)) throw awsError('ResourceNotFoundException', `${key} is not assigned to ${input.ApplicationArn}.`, 'sso-admin');
      return ok({});
    },
    ListApplicationAssignments: (input: { ApplicationArn?: string; NextToken?: string; MaxResults?: number }) => {
      const application = input.ApplicationArn ? this.applications.get(input.ApplicationArn) : undefined;
      if (!application) throw awsError('ResourceNotFoundException', `Application ${input.ApplicationArn} not found.`, 'sso-admin');
      const items = [...(this.assignments.get(application.arn) ?? [])].sort().map((key) => {
        const [PrincipalType, PrincipalId] = key.split(':');
        return { ApplicationArn: application.arn, PrincipalType, PrincipalId };
      });
      const page = this.page(items, input.NextToken, input.MaxResults);
      return ok(compact({ ApplicationAssignments: page.items, NextToken: page.next }));
    },
    DescribeApplicationProvider: (input: { ApplicationProviderArn?: string }) => {
      const arn = input.ApplicationProviderArn ?? '';
      const protocol = PROVIDER_PROTOCOLS[arn] ?? (/^arn:[^:]+:sso::aws:applicationProvider\/catalog\//.test(arn) ? 'SAML' : undefined);
      if (!protocol) throw awsError('ResourceNotFoundException', `Application provider ${arn} not found.`, 'sso-admin');
      return ok({ ApplicationProviderArn: arn, FederationProtocol: protocol });
    },
    DescribeApplication: (input: DescribeApplicationCommandInput) => {
      const arn = input.ApplicationArn;
      if (arn === undefined || !APPLICATION_ARN.test(arn))
        throw awsError('ValidationException', `The application ARN ${arn} is not valid.`, 'sso-admin');
      const application = this.applications.get(arn);
      if (!application) throw awsError('ResourceNotFoundException', `Application ${input.ApplicationArn} not found.`, 'sso-admin');
      return ok(this.view(application));
    },
  };

  public snapshot(): SsoAdminSnapshot {
    const applications: SsoAdminSnapshot['applications'] = {};
    for (const application of [...this.applications.values()].sort((a, b) => a.arn.localeCompare(b.arn))) {
      const assigned = [...(this.assignments.get(application.arn) ?? [])].sort();
      applications[application.arn] = {
        name: application.name,
        status: application.status,
        instanceArn: application.instanceArn,
        ...(assigned.length > 0 ? { assignments: assigned } : {}),
      };
    }
    return { instances: [...this.instances.keys()].sort(), applications };
  }

  private instance(arn: string | undefined): Instance {
    if (arn === undefined || !INSTANCE_ARN.test(arn)) throw awsError('ValidationException', `The instance ARN ${arn} is not valid.`, 'sso-admin');
    const instance = this.instances.get(arn);
    if (!instance) throw awsError('ResourceNotFoundException', `Instance ${arn} not found.`, 'sso-admin');
    return instance;
  }

  private page<T>(items: T[], token: string | undefined, maxResults: number | undefined): { items: T[]; next?: string } {
    const page = paginate(items, token, maxResults ?? DEFAULT_SSO_PAGE_SIZE);
    if (!page) throw awsError('ValidationException', 'The NextToken is not valid.', 'sso-admin');
    return page;
  }

  /** An instance as ListInstances and DescribeInstance answer it. */
  private instanceView(instance: Instance): Record<string, unknown> {
    return {
      InstanceArn: instance.arn,
      IdentityStoreId: instance.identityStoreId,
      OwnerAccountId: this.context.account,
      Name: instance.name,
      CreatedDate: new Date(instance.createdDate),
      Status: 'ACTIVE',
    };
  }

  private view(application: Application): Record<string, unknown> {
    return compact({
      ApplicationArn: application.arn,
      ApplicationProviderArn: application.providerArn,
      Name: application.name,
      ApplicationAccount: application.account,
      InstanceArn: application.instanceArn,
      Status: application.status,
      PortalOptions: { Visibility: 'ENABLED', SignInOptions: { Origin: 'IDENTITY_CENTER' } },
      Description: application.description,
      CreatedDate: new Date(application.createdDate),
    });
  }
}
