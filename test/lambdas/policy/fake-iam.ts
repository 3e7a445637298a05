import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListAttachedRolePoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListPolicyTagsCommand,
  ListPolicyVersionsCommand,
  SetDefaultPolicyVersionCommand,
} from '@aws-sdk/client-iam';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { AwsStub } from 'aws-sdk-client-mock';
import { canonicalPolicyDocument } from '../../../lambdas/shared/policy-json';
import type { Tag } from '../../../lambdas/shared/tags';

/** An error shaped as the SDK throws it: tests and code look at `name` only. */
export function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

interface FakeVersion {
  id: string;
  document: string;
  createDate: Date;
}

interface FakePolicy {
  name: string;
  arn: string;
  defaultVersionId: string;
  versions: FakeVersion[];
  nextVersion: number;
  tags: Tag[];
}

/** Calls IAM answers without changing anything; everything else in `IAM_COMMANDS` changes the account. */
const READS = new Set(['GetPolicy', 'GetPolicyVersion', 'ListPolicyVersions', 'ListPolicyTags', 'ListEntitiesForPolicy', 'ListAttachedRolePolicies']);

const IAM_COMMANDS = [
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListAttachedRolePoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListPolicyTagsCommand,
  ListPolicyVersionsCommand,
  SetDefaultPolicyVersionCommand,
] as const;

type Input = Record<string, any>;

/**
 * A tiny stateful IAM (managed policies, their versions and tags, role attachments) plus the S3 objects the journal
 * uses, answering with the errors IAM documents. Pages are deliberately small so that pagination is exercised.
 */
export class FakeAccount {
  public readonly policies = new Map<string, FakePolicy>();
  public readonly roles = new Map<string, string[]>();
  public readonly objects = new Map<string, string>();
  /** Operation names in call order, IAM and S3 alike. */
  public readonly calls: string[] = [];
  public attachmentQuota = 10;
  private clock = Date.parse('2024-01-01T00:00:00Z');
  private mutations = 0;
  private failAtMutation: { at: number; error: Error; afterActing: boolean } | undefined;
  private readonly failures: { operation: string; error: Error }[] = [];
  private readonly interleaved: { operation: string; action: () => unknown }[] = [];

  public constructor(
    private readonly account = '111122223333',
    private readonly pageSize = 2,
  ) {}

  public addRole(name: string, attached: string[] = []): this {
    this.roles.set(name, [...attached]);
    return this;
  }

  /** A customer managed policy with these version documents (oldest first); `defaultIndex` picks the default. */
  public addPolicy(name: string, documents: string[], options: { defaultIndex?: number; tags?: Tag[] } = {}): string {
    const arn = `arn:aws:iam::${this.account}:policy/${name}`;
    const versions = documents.map((document, index) => ({ id: `v${index + 1}`, document, createDate: this.tick() }));
    this.policies.set(arn, {
      name,
      arn,
      versions,
      defaultVersionId: versions[options.defaultIndex ?? documents.length - 1]!.id,
      nextVersion: documents.length + 1,
      tags: options.tags ?? [],
    });
    return arn;
  }

  /** The next call of `operation` (e.g. 'AttachRolePolicy') throws `error` instead of acting; later calls succeed. */
  public failNext(operation: string, error: Error = awsError('ServiceFailureException')): this {
    this.failures.push({ operation, error });
    return this;
  }

  /**
   * Just before the next call of `operation` reaches the account, runs `action` (which may call the account itself):
   * another execution or a person acting between a step's read and its write.
   */
  public beforeNext(operation: string, action: () => unknown): this {
    this.interleaved.push({ operation, action });
    return this;
  }

  /**
   * The `at`-th change to the account from now on (1-based, IAM writes and S3 puts) throws instead of acting, or, with
   * `afterActing`, acts and then throws (the answer lost on the way back, as a timeout does).
   */
  public failAtChange(at: number, error: Error = awsError('ServiceFailureException'), options: { afterActing?: boolean } = {}): this {
    this.mutations = 0;
    this.failAtMutation = { at, error, afterActing: options.afterActing ?? false };
    return this;
  }

  /** Changes made to the account so far (IAM writes and S3 puts), counted since the last `failAtChange`. */
  public get changeCount(): number {
    return this.mutations;
  }

  /** The changing calls (IAM writes and S3 puts) made since `calls` had `index` entries. */
  public changesSince(index: number): string[] {
    return this.calls.slice(index).filter((operation) => !READS.has(operation) && operation !== 'GetObject');
  }

  /**
   * The account as a person would compare it: policies (documents compared semantically, with or without version
   * ids) and role attachments. Dates and the journal are left out: they are bookkeeping, not permissions.
   */
  public snapshot(options: { versionIds?: boolean } = {}): unknown {
    const withIds = options.versionIds ?? true;
    const policies = [...this.policies.values()]
      .sort((a, b) => a.arn.localeCompare(b.arn))
      .map((policy) => ({
        arn: policy.arn,
        tags: [...policy.tags].sort((a, b) => a.Key.localeCompare(b.Key)),
        defaultDocument: canonicalPolicyDocument(this.version(policy, policy.defaultVersionId).document),
        versions: policy.versions
          .map((version) => ({
            ...(withIds ? { id: version.id } : {}),
            document: canonicalPolicyDocument(version.document),
            isDefault: version.id === policy.defaultVersionId,
          }))
          .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      }));
    const roles = Object.fromEntries(
      [...this.roles.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, attached]) => [name, [...attached].sort()]),
    );
    return { policies, roles };
  }

  /** Routes the mocked clients' commands to this account. */
  public install(iamMock: AwsStub<any, any, any>, s3Mock: AwsStub<any, any, any>): this {
    for (const command of IAM_COMMANDS) {
      const operation = command.name.replace(/Command$/, '');
      iamMock.on(command as any).callsFake(async (input: Input) => this.dispatch(operation, input));
    }
    s3Mock.on(PutObjectCommand).callsFake(async (input: Input) => this.dispatch('PutObject', input));
    s3Mock.on(GetObjectCommand).callsFake(async (input: Input) => this.dispatch('GetObject', input));
    return this;
  }

  private async dispatch(operation: string, input: Input): Promise<unknown> {
    const first = this.interleaved.findIndex((entry) => entry.operation === operation);
    if (first >= 0) await this.interleaved.splice(first, 1)[0]!.action();
    return this.handle(operation, input);
  }

  private tick(): Date {
    this.clock += 60_000;
    return new Date(this.clock);
  }

  private handle(operation: string, input: Input): unknown {
    this.calls.push(operation);
    const injected = this.failures.findIndex((failure) => failure.operation === operation);
    if (injected >= 0) throw this.failures.splice(injected, 1)[0]!.error;
    const handler = (this as unknown as Record<string, (input: Input) => unknown>)[`op${operation}`];
    if (!handler) throw new Error(`fake account does not implement ${operation}`);
    if (!READS.has(operation) && operation !== 'GetObject') {
      this.mutations += 1;
      const fault = this.failAtMutation;
      if (fault && this.mutations === fault.at) {
        this.failAtMutation = undefined;
        if (fault.afterActing) handler.call(this, input);
        throw fault.error;
      }
    }
    return handler.call(this, input);
  }

  private policy(arn: string): FakePolicy {
    const policy = this.policies.get(arn);
    if (!policy) throw awsError('NoSuchEntityException', `Policy ${arn} does not exist or is not attachable.`);
    return policy;
  }

  private version(policy: FakePolicy, id: string): FakeVersion {
    const version = policy.versions.find((candidate) => candidate.id === id);
    if (!version) throw awsError('NoSuchEntityException', `Policy ${policy.arn} version ${id} does not exist.`);
    return version;
  }

  private role(name: string): string[] {
    const attached = this.roles.get(name);
    if (!attached) throw awsError('NoSuchEntityException', `The role with name ${name} cannot be found.`);
    return attached;
  }

  private page<T>(items: T[], marker: string | undefined, key: string): Record<string, unknown> {
    const start = marker ? Number(marker) : 0;
    const end = start + this.pageSize;
    return { [key]: items.slice(start, end), IsTruncated: end < items.length, ...(end < items.length ? { Marker: String(end) } : {}) };
  }

  private attachmentCount(arn: string): number {
    return [...this.roles.values()].filter((attached) => attached.includes(arn)).length;
  }

  private describePolicy(policy: FakePolicy): Record<string, unknown> {
    return {
      PolicyName: policy.name,
      Arn: policy.arn,
      Path: '/',
      DefaultVersionId: policy.defaultVersionId,
      AttachmentCount: this.attachmentCount(policy.arn),
    };
  }

  private checkDocument(document: unknown): string {
    try {
      JSON.parse(String(document));
    } catch {
      throw awsError('MalformedPolicyDocumentException', 'Syntax errors in policy.');
    }
    return String(document);
  }

  protected opGetPolicy(input: Input): unknown {
    return { Policy: this.describePolicy(this.policy(input.PolicyArn)) };
  }

  protected opGetPolicyVersion(input: Input): unknown {
    const policy = this.policy(input.PolicyArn);
    const version = this.version(policy, input.VersionId);
    // IAM hands documents back URL-encoded.
    return {
      PolicyVersion: {
        VersionId: version.id,
        Document: encodeURIComponent(version.document),
        IsDefaultVersion: version.id === policy.defaultVersionId,
        CreateDate: version.createDate,
      },
    };
  }

  protected opListPolicyVersions(input: Input): unknown {
    const policy = this.policy(input.PolicyArn);
    // Newest first, as the console shows them: the step must not rely on the order.
    const versions = [...policy.versions]
      .reverse()
      .map((version) => ({ VersionId: version.id, IsDefaultVersion: version.id === policy.defaultVersionId, CreateDate: version.createDate }));
    return this.page(versions, input.Marker, 'Versions');
  }

  protected opListPolicyTags(input: Input): unknown {
    return this.page(this.policy(input.PolicyArn).tags, input.Marker, 'Tags');
  }

  protected opListEntitiesForPolicy(input: Input): unknown {
    this.policy(input.PolicyArn);
    const roles = [...this.roles.entries()].filter(([, attached]) => attached.includes(input.PolicyArn)).map(([RoleName]) => ({ RoleName }));
    return { ...this.page(roles, input.Marker, 'PolicyRoles'), PolicyUsers: [], PolicyGroups: [] };
  }

  protected opListAttachedRolePolicies(input: Input): unknown {
    const attached = this.role(input.RoleName).map((PolicyArn) => ({ PolicyArn, PolicyName: PolicyArn.split('/').pop() }));
    return this.page(attached, input.Marker, 'AttachedPolicies');
  }

  protected opCreatePolicy(input: Input): unknown {
    const arn = `arn:aws:iam::${this.account}:policy/${input.PolicyName}`;
    if (this.policies.has(arn)) throw awsError('EntityAlreadyExistsException', `A policy called ${input.PolicyName} already exists.`);
    const policy: FakePolicy = {
      name: input.PolicyName,
      arn,
      versions: [{ id: 'v1', document: this.checkDocument(input.PolicyDocument), createDate: this.tick() }],
      defaultVersionId: 'v1',
      nextVersion: 2,
      tags: (input.Tags ?? []).map((tag: Tag) => ({ Key: tag.Key, Value: tag.Value })),
    };
    this.policies.set(arn, policy);
    return { Policy: this.describePolicy(policy) };
  }

  protected opCreatePolicyVersion(input: Input): unknown {
    const policy = this.policy(input.PolicyArn);
    if (policy.versions.length >= 5) throw awsError('LimitExceededException', 'A managed policy can have up to 5 versions.');
    const version = { id: `v${policy.nextVersion++}`, document: this.checkDocument(input.PolicyDocument), createDate: this.tick() };
    policy.versions.push(version);
    if (input.SetAsDefault) policy.defaultVersionId = version.id;
    return { PolicyVersion: { VersionId: version.id, IsDefaultVersion: input.SetAsDefault === true, CreateDate: version.createDate } };
  }

  protected opDeletePolicyVersion(input: Input): unknown {
    const policy = this.policy(input.PolicyArn);
    this.version(policy, input.VersionId);
    if (policy.defaultVersionId === input.VersionId) throw awsError('DeleteConflictException', 'Cannot delete the default version of a policy.');
    policy.versions = policy.versions.filter((version) => version.id !== input.VersionId);
    return {};
  }

  protected opSetDefaultPolicyVersion(input: Input): unknown {
    const policy = this.policy(input.PolicyArn);
    policy.defaultVersionId = this.version(policy, input.VersionId).id;
    return {};
  }

  protected opDeletePolicy(input: Input): unknown {
    const policy = this.policy(input.PolicyArn);
    if (this.attachmentCount(policy.arn) > 0) throw awsError('DeleteConflictException', 'Cannot delete a policy attached to entities.');
    if (policy.versions.length > 1)
      throw awsError(
        'DeleteConflictException',
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions.",
      );
    this.policies.delete(policy.arn);
    return {};
  }

  protected opAttachRolePolicy(input: Input): unknown {
    const attached = this.role(input.RoleName);
    const awsManaged = /^arn:aws:iam::aws:policy\//.test(input.PolicyArn);
    if (!awsManaged) this.policy(input.PolicyArn);
    if (attached.includes(input.PolicyArn)) return {};
    if (attached.length >= this.attachmentQuota)
      throw awsError('LimitExceededException', `Cannot exceed quota for PoliciesPerRole: ${this.attachmentQuota}`);
    attached.push(input.PolicyArn);
    return {};
  }

  protected opDetachRolePolicy(input: Input): unknown {
    const attached = this.role(input.RoleName);
    if (!attached.includes(input.PolicyArn)) throw awsError('NoSuchEntityException', `Policy ${input.PolicyArn} was not found.`);
    attached.splice(attached.indexOf(input.PolicyArn), 1);
    return {};
  }

  protected opPutObject(input: Input): unknown {
    this.objects.set(input.Key, String(input.Body));
    return {};
  }

  protected opGetObject(input: Input): unknown {
    const body = this.objects.get(input.Key);
    if (body === undefined) throw awsError('NoSuchKey', 'The specified key does not exist.');
    return { Body: { transformToString: async () => body } };
  }
}
