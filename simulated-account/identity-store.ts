import type {
  DescribeUserCommandInput,
  GetGroupIdCommandInput,
  GetUserIdCommandInput,
  ListGroupMembershipsCommandInput,
} from '@aws-sdk/client-identitystore';
import type { AccountContext, Operations } from './context';
import { awsError, SeedInvalidError } from './errors';
import { ok, paginate } from './support';

/** What the identity store holds of a user (DescribeUser's fields the pipeline reads). */
export interface DirectoryUser {
  /** Given and family name; either may be missing, as SCIM provisioning allows. */
  givenName?: string;
  familyName?: string;
  /** The primary email; none when the user has no email. */
  email?: string;
}

interface StoredUser extends DirectoryUser {
  userId: string;
  userName: string;
}

interface Store {
  groups: Map<string, { id: string; members: Set<string> }>;
  users: Map<string, StoredUser>;
}

/**
 * The Identity Store of an IAM Identity Center instance: GetGroupId by `displayName`, GetUserId by `userName` (the
 * unique attributes AWS documents for them), DescribeUser and ListGroupMemberships (50 a page, as AWS's maximum). A name
 * or id it does not hold is ResourceNotFoundException, as the service answers.
 */
export class SimulatedIdentityStore {
  private readonly stores = new Map<string, Store>();

  public constructor(private readonly context: AccountContext) {}

  public addGroup(identityStoreId: string, displayName: string): string {
    const store = this.store(identityStoreId);
    if (store.groups.has(displayName)) throw new SeedInvalidError(`Group ${displayName} already exists`);
    const id = this.uuid();
    store.groups.set(displayName, { id, members: new Set() });
    return id;
  }

  /** A user; by default named as their email, with a given and family name taken from it. */
  public addUser(identityStoreId: string, userName: string, attributes?: DirectoryUser): string {
    const store = this.store(identityStoreId);
    if (store.users.has(userName)) throw new SeedInvalidError(`User ${userName} already exists`);
    const userId = this.uuid();
    const local = userName.split('@')[0] ?? userName;
    const defaults: DirectoryUser = userName.includes('@')
      ? { email: userName, givenName: local, familyName: 'Example' }
      : { givenName: local, familyName: 'Example' };
    store.users.set(userName, { userId, userName, ...(attributes ?? defaults) });
    return userId;
  }

  /** Makes a user a member of a group (both by name). */
  public addMember(identityStoreId: string, groupName: string, userName: string): void {
    const store = this.store(identityStoreId);
    const group = store.groups.get(groupName);
    const user = store.users.get(userName);
    if (!group || !user) throw new SeedInvalidError(`no group ${groupName} or user ${userName} in identity store ${identityStoreId}`);
    group.members.add(user.userId);
  }

  public readonly operations: Operations = {
    GetGroupId: (input: GetGroupIdCommandInput) =>
      ok({ GroupId: this.findByName(input, 'groups', 'displayName').id, IdentityStoreId: input.IdentityStoreId }),
    GetUserId: (input: GetUserIdCommandInput) =>
      ok({ UserId: this.findByName(input, 'users', 'userName').userId, IdentityStoreId: input.IdentityStoreId }),
    DescribeUser: (input: DescribeUserCommandInput) => {
      const user = [...this.storeOf(input.IdentityStoreId).users.values()].find((candidate) => candidate.userId === input.UserId);
      if (!user) throw awsError('ResourceNotFoundException', 'USER not found.', 'identitystore');
      return ok({
        IdentityStoreId: input.IdentityStoreId,
        UserId: user.userId,
        UserName: user.userName,
        ...(user.givenName !== undefined || user.familyName !== undefined
          ? {
              Name: {
                ...(user.givenName !== undefined ? { GivenName: user.givenName } : {}),
                ...(user.familyName !== undefined ? { FamilyName: user.familyName } : {}),
              },
            }
          : {}),
        ...(user.email !== undefined ? { Emails: [{ Value: user.email, Type: 'work', Primary: true }] } : {}),
      });
    },
    ListGroupMemberships: (input: ListGroupMembershipsCommandInput) => {
      const group = [...this.storeOf(input.IdentityStoreId).groups.values()].find((candidate) => candidate.id === input.GroupId);
      if (!group) throw awsError('ResourceNotFoundException', 'GROUP not found.', 'identitystore');
      const members = [...group.members].map((userId) => ({
        IdentityStoreId: input.IdentityStoreId,
        GroupId: group.id,
        MemberId: { UserId: userId },
      }));
      const page = paginate(members, input.NextToken, Math.min(input.MaxResults ?? 50, 100));
      if (!page) throw awsError('ValidationException', 'NextToken is not valid', 'identitystore');
      return ok({ GroupMemberships: page.items, ...(page.next ? { NextToken: page.next } : {}) });
    },
  };

  private store(identityStoreId: string): Store {
    const store = this.stores.get(identityStoreId) ?? { groups: new Map(), users: new Map() };
    this.stores.set(identityStoreId, store);
    return store;
  }

  private storeOf(identityStoreId: string | undefined): Store {
    const store = this.stores.get(identityStoreId ?? '');
    if (!store) throw awsError('ResourceNotFoundException', `IdentityStore ${identityStoreId} not found.`, 'identitystore');
    return store;
  }

  // Identity Store ids are UUIDs, optionally prefixed by the store's region-specific part; a UUID is enough here.
  private uuid(): string {
    const { ids } = this.context;
    return `${ids.hex(8)}-${ids.hex(4)}-${ids.hex(4)}-${ids.hex(4)}-${ids.hex(12)}`;
  }

  private findByName<K extends 'groups' | 'users'>(
    input: GetGroupIdCommandInput | GetUserIdCommandInput,
    kind: K,
    path: string,
  ): NonNullable<ReturnType<Store[K]['get']>> {
    const unique = (input.AlternateIdentifier as { UniqueAttribute?: { AttributePath?: string; AttributeValue?: unknown } } | undefined)
      ?.UniqueAttribute;
    if (unique?.AttributePath !== path || typeof unique.AttributeValue !== 'string') {
      throw awsError('ValidationException', `AlternateIdentifier must be UniqueAttribute ${path}`, 'identitystore');
    }
    const found = this.stores.get(input.IdentityStoreId ?? '')?.[kind].get(unique.AttributeValue);
    if (!found) throw awsError('ResourceNotFoundException', `${kind === 'groups' ? 'GROUP' : 'USER'} not found.`, 'identitystore');
    return found as NonNullable<ReturnType<Store[K]['get']>>;
  }
}
