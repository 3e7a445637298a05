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
  applications: Record<string, { name: string; status: string; instanceArn: string }>;
}

const INSTANCE_ARN = /^arn:[^:]+:sso:::instance\/(ssoins-[0-9a-f]{16})$/;
const APPLICATION_ARN = /^arn:[^:]+:sso::(\d{12}):application\/(ssoins-[0-9a-f]{16})\/(apl-[0-9a-f]{16})$/;

/** IAM Identity Center's public admin API, for finding the instance and the application. */
export class SimulatedSsoAdmin {
  private readonly instances = new Map<string, Instance>();
  private readonly applications = new Map<string, Application>();

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

  public readonly operations: Operations = {
    ListInstances: (input: ListInstancesCommandInput) => {
      const instances = [...this.instances.values()].map((instance) => ({
        InstanceArn: instance.arn,
        IdentityStoreId: instance.identityStoreId,
        OwnerAccountId: this.context.account,
        Name: instance.name,
        CreatedDate: new Date(instance.createdDate),
        Status: 'ACTIVE',
      }));
      const page = this.page(instances, input.NextToken, input.MaxResults);
      return ok(compact({ Instances: page.items, NextToken: page.next }));
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
      applications[application.arn] = { name: application.name, status: application.status, instanceArn: application.instanceArn };
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
