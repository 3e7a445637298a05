import type {
  CreateUserCommandInput,
  DeleteUserCommandInput,
  DescribeInstanceCommandInput,
  DescribeUserCommandInput,
  ListRoutingProfilesCommandInput,
  ListSecurityProfilesCommandInput,
  ListUsersCommandInput,
} from '@aws-sdk/client-connect';
import type { AccountContext, Operations } from './context';
import { awsError, SeedInvalidError } from './errors';
import { clone, ok, paginate } from './support';

type IdentityManagementType = 'SAML' | 'CONNECT_MANAGED' | 'EXISTING_DIRECTORY';
type InstanceStatus = 'CREATION_IN_PROGRESS' | 'ACTIVE' | 'CREATION_FAILED';

export interface ConnectUserSnapshot {
  Id: string;
  Arn: string;
  Username: string;
  IdentityInfo?: { FirstName?: string; LastName?: string; Email?: string };
  PhoneConfig: { PhoneType: string; AutoAccept?: boolean; AfterContactWorkTimeLimit?: number; DeskPhoneNumber?: string };
  SecurityProfileIds: string[];
  RoutingProfileId: string;
  Tags?: Record<string, string>;
}

interface Instance {
  id: string;
  arn: string;
  account: string;
  identityManagementType: IdentityManagementType;
  status: InstanceStatus;
  users: Map<string, ConnectUserSnapshot>;
  securityProfiles: Map<string, string>;
  routingProfiles: Map<string, string>;
}

export interface AddConnectInstanceOptions {
  identityManagementType?: IdentityManagementType;
  status?: InstanceStatus;
  /** Security profile names; default the four every new instance has. */
  securityProfiles?: readonly string[];
  /** Routing profile names; default the one every new instance has. */
  routingProfiles?: readonly string[];
}

const INSTANCE_ARN = /^arn:([\w-]+):connect:([a-z0-9-]+):(\d{12}):instance\/([0-9a-f-]{36})$/;

/** The security and routing profiles a new Amazon Connect instance comes with (Administrator Guide). */
const DEFAULT_SECURITY_PROFILES = ['Admin', 'Agent', 'CallCenterManager', 'QualityAnalyst'];
const DEFAULT_ROUTING_PROFILES = ['Basic Routing Profile'];

/**
 * A SAML user name as the CreateUser reference states it: up to 64 characters from [a-zA-Z0-9_-.@], with @ only in an
 * email format (testuser@example.com, not testuser@example).
 */
function samlUserNameProblem(username: string): string | undefined {
  if (username.length < 1 || username.length > 64) return 'must be 1 to 64 characters';
  if (!/^[a-zA-Z0-9_\-.@]+$/.test(username)) return 'may contain only a-z, A-Z, 0-9, _, -, . and @';
  if (username.includes('@') && !/^[^@]+@[^@.]+(\.[^@.]+)+$/.test(username)) return 'may contain @ only in an email format';
  return undefined;
}

/**
 * Amazon Connect instances of the organization (each in its account), with their users, security profiles and routing
 * profiles, answering as the Amazon Connect API reference documents: DescribeInstance, ListUsers, DescribeUser,
 * CreateUser (validated as for the instance's identity management type), DeleteUser, ListSecurityProfiles,
 * ListRoutingProfiles; errors ResourceNotFoundException, InvalidParameterException, InvalidRequestException,
 * DuplicateResourceException. A client sees only its own account's instances: another account's is not found.
 */
export class SimulatedConnect {
  private readonly instances = new Map<string, Instance>();

  public constructor(private readonly context: AccountContext) {}

  public addInstance(arn: string, options: AddConnectInstanceOptions = {}): void {
    const match = INSTANCE_ARN.exec(arn);
    if (!match) throw new SeedInvalidError(`not an Amazon Connect instance ARN: ${arn}`);
    const [, , , account = '', id = ''] = match;
    if (this.instances.has(`${account}/${id}`)) return;
    const named = (names: readonly string[]) => new Map(names.map((name) => [this.uuid(), name]));
    this.instances.set(`${account}/${id}`, {
      id,
      arn,
      account,
      identityManagementType: options.identityManagementType ?? 'SAML',
      status: options.status ?? 'ACTIVE',
      users: new Map(),
      securityProfiles: named(options.securityProfiles ?? DEFAULT_SECURITY_PROFILES),
      routingProfiles: named(options.routingProfiles ?? DEFAULT_ROUTING_PROFILES),
    });
  }

  /** Changes an instance's identity management type or status, or removes it (undefined), as a test's starting state. */
  public reshapeInstance(arn: string, options: Pick<AddConnectInstanceOptions, 'identityManagementType' | 'status'> | undefined): void {
    const match = INSTANCE_ARN.exec(arn);
    const key = `${match?.[3]}/${match?.[4]}`;
    const instance = this.instances.get(key);
    if (!instance) throw new SeedInvalidError(`no Amazon Connect instance ${arn} (addConnectInstance)`);
    if (options === undefined) this.instances.delete(key);
    else
      Object.assign(instance, {
        identityManagementType: options.identityManagementType ?? instance.identityManagementType,
        status: options.status ?? instance.status,
      });
  }

  /** A user someone made (in the admin website), with the instance's first security and routing profiles. */
  public addUser(instanceArn: string, username: string, email?: string): string {
    const instance = [...this.instances.values()].find((candidate) => candidate.arn === instanceArn);
    if (!instance) throw new SeedInvalidError(`no Amazon Connect instance ${instanceArn} (addConnectInstance)`);
    return this.create(instance, {
      Username: username,
      ...(instance.identityManagementType === 'CONNECT_MANAGED' ? { Password: 'Simulated-Password-1' } : {}),
      IdentityInfo: {
        FirstName: username.split('@')[0],
        LastName: 'Example',
        Email: email ?? (username.includes('@') ? username : `${username}@example.com`),
      },
      PhoneConfig: { PhoneType: 'SOFT_PHONE' },
      SecurityProfileIds: [[...instance.securityProfiles.keys()][0] ?? ''],
      RoutingProfileId: [...instance.routingProfiles.keys()][0] ?? '',
    }).Id;
  }

  /** The users of every instance, by instance ARN then user name. */
  public snapshot(): Record<string, Record<string, ConnectUserSnapshot>> {
    return Object.fromEntries(
      [...this.instances.values()].map((instance) => [
        instance.arn,
        Object.fromEntries(
          [...instance.users.values()].sort((a, b) => a.Username.localeCompare(b.Username)).map((user) => [user.Username, clone(user)]),
        ),
      ]),
    );
  }

  /** The tags of a user (for the `aws:ResourceTag/<key>` condition keys of a call on it), none when it is not there. */
  public userTags(account: string, instanceId: string, userId: string): Record<string, string> {
    const id = INSTANCE_ARN.exec(instanceId)?.[4] ?? instanceId;
    return { ...this.instances.get(`${account}/${id}`)?.users.get(userId)?.Tags };
  }

  /** The operations as a client of `account` calls them. */
  public operationsIn(account: string): Operations {
    const instance = (operation: string, input: { InstanceId?: string }) => this.instance(operation, account, input.InstanceId);
    return {
      DescribeInstance: (input: DescribeInstanceCommandInput) => {
        const found = instance('DescribeInstance', input);
        return ok({
          Instance: {
            Id: found.id,
            Arn: found.arn,
            IdentityManagementType: found.identityManagementType,
            InstanceStatus: found.status,
            InboundCallsEnabled: true,
            OutboundCallsEnabled: true,
          },
        });
      },
      ListUsers: (input: ListUsersCommandInput) => {
        const users = [...instance('ListUsers', input).users.values()].map(({ Id, Arn, Username }) => ({ Id, Arn, Username }));
        return this.page('ListUsers', users, input, 'UserSummaryList');
      },
      DescribeUser: (input: DescribeUserCommandInput) => ok({ User: clone(this.user(instance('DescribeUser', input), input.UserId)) }),
      CreateUser: (input: CreateUserCommandInput) => {
        const created = this.create(instance('CreateUser', input), input);
        return ok({ UserId: created.Id, UserArn: created.Arn });
      },
      DeleteUser: (input: DeleteUserCommandInput) => {
        const found = instance('DeleteUser', input);
        found.users.delete(this.user(found, input.UserId).Id);
        return ok({});
      },
      ListSecurityProfiles: (input: ListSecurityProfilesCommandInput) =>
        this.page(
          'ListSecurityProfiles',
          this.summaries(instance('ListSecurityProfiles', input), 'securityProfiles'),
          input,
          'SecurityProfileSummaryList',
        ),
      ListRoutingProfiles: (input: ListRoutingProfilesCommandInput) =>
        this.page(
          'ListRoutingProfiles',
          this.summaries(instance('ListRoutingProfiles', input), 'routingProfiles'),
          input,
          'RoutingProfileSummaryList',
        ),
    };
  }

  private summaries(instance: Instance, kind: 'securityProfiles' | 'routingProfiles') {
    const path = kind === 'securityProfiles' ? 'security-profile' : 'routing-profile';
    return [...instance[kind]].map(([Id, Name]) => ({ Id, Arn: `${instance.arn}/${path}/${Id}`, Name }));
  }

  private page(operation: string, items: object[], input: { NextToken?: string; MaxResults?: number }, key: string) {
    const size = input.MaxResults ?? 100;
    if (!Number.isInteger(size) || size < 1 || size > 1000) throw invalid(operation, 'MaxResults must be between 1 and 1000');
    const page = paginate(items, input.NextToken, size);
    if (!page) throw invalid(operation, 'NextToken is not valid');
    return ok({ [key]: page.items, ...(page.next ? { NextToken: page.next } : {}) });
  }

  private create(instance: Instance, input: Omit<CreateUserCommandInput, 'InstanceId'>): ConnectUserSnapshot {
    const fail = (message: string) => invalid('CreateUser', message);
    const username = input.Username ?? '';
    if (instance.identityManagementType === 'SAML') {
      const problem = samlUserNameProblem(username);
      if (problem) throw fail(`Username ${JSON.stringify(username)} ${problem} (an instance using SAML for identity management)`);
      if (input.Password !== undefined) throw fail('Password must not be given for an instance using SAML for identity management');
      const info = input.IdentityInfo ?? {};
      // FirstName and LastName are required with SAML (CreateUser and UserIdentityInfo agree). Email: the CreateUser
      // reference says it is required with SAML, while UserIdentityInfo says including it is an error; the newer
      // CreateUser page is followed here, and the pipeline always sends it (a guess until a real instance says).
      for (const field of ['FirstName', 'LastName', 'Email'] as const) {
        if (!info[field]) throw fail(`IdentityInfo.${field} is required for an instance using SAML for identity management`);
      }
      if ((info.FirstName ?? '').length > 255 || (info.LastName ?? '').length > 300) throw fail('IdentityInfo.FirstName or LastName is too long');
    } else {
      if (username.length < 1 || username.length > 100) throw fail('Username must be 1 to 100 characters');
      if (instance.identityManagementType === 'CONNECT_MANAGED' && !input.Password)
        throw fail('Password is required for an instance using Amazon Connect for identity management');
    }
    const phone = input.PhoneConfig;
    if (!phone?.PhoneType || !['SOFT_PHONE', 'DESK_PHONE'].includes(phone.PhoneType))
      throw fail('PhoneConfig.PhoneType must be SOFT_PHONE or DESK_PHONE');
    if (phone.PhoneType === 'DESK_PHONE' && !phone.DeskPhoneNumber) throw fail('PhoneConfig.DeskPhoneNumber is required for DESK_PHONE');
    const securityProfileIds = input.SecurityProfileIds ?? [];
    if (securityProfileIds.length < 1 || securityProfileIds.length > 10) throw fail('SecurityProfileIds must hold 1 to 10 ids');
    for (const id of securityProfileIds) {
      if (!instance.securityProfiles.has(id)) throw awsError('ResourceNotFoundException', `Security profile ${id} not found`, 'connect');
    }
    if (!instance.routingProfiles.has(input.RoutingProfileId ?? '')) {
      throw awsError('ResourceNotFoundException', `Routing profile ${input.RoutingProfileId} not found`, 'connect');
    }
    if ([...instance.users.values()].some((user) => user.Username === username)) {
      throw awsError('DuplicateResourceException', `User with username ${username} already exists`, 'connect');
    }
    const id = this.uuid();
    const user: ConnectUserSnapshot = {
      Id: id,
      Arn: `${instance.arn}/agent/${id}`,
      Username: username,
      ...(input.IdentityInfo ? { IdentityInfo: clone(input.IdentityInfo) } : {}),
      PhoneConfig: clone(phone) as ConnectUserSnapshot['PhoneConfig'],
      SecurityProfileIds: [...securityProfileIds],
      RoutingProfileId: input.RoutingProfileId ?? '',
      ...(input.Tags ? { Tags: clone(input.Tags) } : {}),
    };
    instance.users.set(id, user);
    return user;
  }

  private user(instance: Instance, userId: string | undefined): ConnectUserSnapshot {
    const user = instance.users.get(userId ?? '');
    if (!user) throw awsError('ResourceNotFoundException', `User ${userId} not found in instance ${instance.id}`, 'connect');
    return user;
  }

  private instance(operation: string, account: string, instanceId: string | undefined): Instance {
    if (!instanceId) throw invalid(operation, 'InstanceId is required');
    // InstanceId is the id, or the instance's ARN (the reference: "You can find the instance ID in the ARN").
    const id = INSTANCE_ARN.exec(instanceId)?.[4] ?? instanceId;
    // Another account's instance is not found: an account sees only its own.
    const found = this.instances.get(`${account}/${id}`);
    if (!found) throw awsError('ResourceNotFoundException', `Instance ${instanceId} not found`, 'connect');
    return found;
  }

  private uuid(): string {
    const { ids } = this.context;
    return `${ids.hex(8)}-${ids.hex(4)}-4${ids.hex(3)}-8${ids.hex(3)}-${ids.hex(12)}`;
  }
}

function invalid(operation: string, message: string): Error {
  return awsError('InvalidParameterException', `${operation}: ${message}`, 'connect');
}
