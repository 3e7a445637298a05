import type { GetGroupIdCommandInput, GetUserIdCommandInput } from '@aws-sdk/client-identitystore';
import type { AccountContext, Operations } from './context';
import { awsError, SeedInvalidError } from './errors';
import { ok } from './support';

/**
 * The Identity Store of an IAM Identity Center instance, for resolving the names a profile assigns: GetGroupId by
 * `displayName`, GetUserId by `userName` (the unique attributes AWS documents for them). A name it does not hold is
 * ResourceNotFoundException, as the service answers.
 */
export class SimulatedIdentityStore {
  private readonly principals = new Map<string, { groups: Map<string, string>; users: Map<string, string> }>();

  public constructor(private readonly context: AccountContext) {}

  public addGroup(identityStoreId: string, displayName: string): string {
    return this.add(identityStoreId, 'groups', displayName);
  }

  public addUser(identityStoreId: string, userName: string): string {
    return this.add(identityStoreId, 'users', userName);
  }

  public readonly operations: Operations = {
    GetGroupId: (input: GetGroupIdCommandInput) => ok({ GroupId: this.find(input, 'groups', 'displayName'), IdentityStoreId: input.IdentityStoreId }),
    GetUserId: (input: GetUserIdCommandInput) => ok({ UserId: this.find(input, 'users', 'userName'), IdentityStoreId: input.IdentityStoreId }),
  };

  private add(identityStoreId: string, kind: 'groups' | 'users', name: string): string {
    const store = this.principals.get(identityStoreId) ?? { groups: new Map(), users: new Map() };
    this.principals.set(identityStoreId, store);
    if (store[kind].has(name)) throw new SeedInvalidError(`${kind === 'groups' ? 'Group' : 'User'} ${name} already exists`);
    // Identity Store ids are UUIDs, optionally prefixed by the store's region-specific part; a UUID is enough here.
    const id = `${this.context.ids.hex(8)}-${this.context.ids.hex(4)}-${this.context.ids.hex(4)}-${this.context.ids.hex(4)}-${this.context.ids.hex(12)}`;
    store[kind].set(name, id);
    return id;
  }

  private find(input: GetGroupIdCommandInput | GetUserIdCommandInput, kind: 'groups' | 'users', path: string): string {
    const unique = (input.AlternateIdentifier as { UniqueAttribute?: { AttributePath?: string; AttributeValue?: unknown } } | undefined)
      ?.UniqueAttribute;
    if (unique?.AttributePath !== path || typeof unique.AttributeValue !== 'string') {
      throw awsError('ValidationException', `AlternateIdentifier must be UniqueAttribute ${path}`, 'identitystore');
    }
    const id = this.principals.get(input.IdentityStoreId ?? '')?.[kind].get(unique.AttributeValue);
    if (!id) throw awsError('ResourceNotFoundException', `${kind === 'groups' ? 'GROUP' : 'USER'} not found.`, 'identitystore');
    return id;
  }
}
