/**
 * A tiny stateful stand-in for the IAM and S3 calls the IdentityProvider and Role steps make, wired into
 * aws-sdk-client-mock with `.callsFake`, so a test can run apply then revert and compare the account before and after.
 * Deliberately small: the fuller simulated account lives elsewhere.
 */
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  CreateSAMLProviderCommand,
  DeleteConflictException,
  DeleteRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteRolePolicyCommand,
  DeleteSAMLProviderCommand,
  DetachRolePolicyCommand,
  EntityAlreadyExistsException,
  GetRoleCommand,
  GetSAMLProviderCommand,
  type IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  MalformedPolicyDocumentException,
  NoSuchEntityException,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  ServiceFailureException,
  type Tag,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
  UpdateSAMLProviderCommand,
} from '@aws-sdk/client-iam';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AwsClientStub } from 'aws-sdk-client-mock';

export interface FakeProvider {
  document: string;
  tags: Tag[];
}

export interface FakeRole {
  roleId: string;
  path: string;
  trustPolicy: string;
  maxSessionDuration: number;
  permissionsBoundaryArn?: string;
  description?: string;
  tags: Tag[];
  attached: string[];
  inline: Record<string, string>;
}

type Fault = { command: string; when: 'before' | 'after'; error: Error };

const meta = { $metadata: {} };

export function serviceFailure(): Error {
  return new ServiceFailureException({ ...meta, message: 'injected fault' });
}

export class FakeAccount {
  public readonly providers = new Map<string, FakeProvider>();
  public readonly roles = new Map<string, FakeRole>();
  public readonly objects = new Map<string, string>();
  /** How many more CreateRole/UpdateAssumeRolePolicy calls refuse a provider principal, as IAM does right after creation. */
  public refusePrincipal = 0;
  private readonly faults: Fault[] = [];
  private nextRoleId = 1;

  public constructor(private readonly account = '111122223333') {}

  /** The next call of `command` fails: 'before' changing anything, or 'after' the change took effect (a lost response). */
  public failOnce(command: string, when: 'before' | 'after', error: Error = serviceFailure()): this {
    this.faults.push({ command, when, error });
    return this;
  }

  /** Everything IAM holds, as plain data to compare. */
  public iamState(): unknown {
    return structuredClone({ providers: Object.fromEntries(this.providers), roles: Object.fromEntries(this.roles) });
  }

  public putObject(bucket: string, key: string, body: string): void {
    this.objects.set(`${bucket}/${key}`, body);
  }

  public install(iam: AwsClientStub<IAMClient>, s3?: AwsClientStub<S3Client>): void {
    const on = <I, O>(command: new (input: I) => unknown, effect: (input: I) => O): void => {
      (iam.on(command as never) as unknown as { callsFake(fn: (input: I) => Promise<O>): void }).callsFake((input) =>
        this.run(command.name, () => effect(input)),
      );
    };
    on(GetSAMLProviderCommand, (input) => {
      const provider = this.provider(input.SAMLProviderArn!);
      return { SAMLMetadataDocument: provider.document, Tags: structuredClone(provider.tags), ...meta };
    });
    on(CreateSAMLProviderCommand, (input) => {
      const arn = `arn:aws:iam::${this.account}:saml-provider/${input.Name}`;
      if (this.providers.has(arn)) throw new EntityAlreadyExistsException({ ...meta, message: `provider ${input.Name} exists` });
      this.providers.set(arn, { document: input.SAMLMetadataDocument!, tags: structuredClone(input.Tags ?? []) });
      return { SAMLProviderArn: arn, Tags: input.Tags, ...meta };
    });
    on(UpdateSAMLProviderCommand, (input) => {
      this.provider(input.SAMLProviderArn!).document = input.SAMLMetadataDocument!;
      return { SAMLProviderArn: input.SAMLProviderArn, ...meta };
    });
    on(DeleteSAMLProviderCommand, (input) => {
      this.provider(input.SAMLProviderArn!);
      this.providers.delete(input.SAMLProviderArn!);
      return meta;
    });
    on(GetRoleCommand, (input) => {
      const role = this.role(input.RoleName!);
      return {
        Role: {
          RoleName: input.RoleName,
          RoleId: role.roleId,
          Path: role.path,
          Arn: `arn:aws:iam::${this.account}:role${role.path}${input.RoleName}`,
          CreateDate: new Date(0),
          // IAM returns the trust policy URL-encoded.
          AssumeRolePolicyDocument: encodeURIComponent(role.trustPolicy),
          MaxSessionDuration: role.maxSessionDuration,
          Description: role.description,
          Tags: structuredClone(role.tags),
          ...(role.permissionsBoundaryArn === undefined
            ? {}
            : {
                PermissionsBoundary: {
                  PermissionsBoundaryType: 'PermissionsBoundaryPolicy' as const,
                  PermissionsBoundaryArn: role.permissionsBoundaryArn,
                },
              }),
        },
        ...meta,
      };
    });
    on(CreateRoleCommand, (input) => {
      if (this.roles.has(input.RoleName!)) throw new EntityAlreadyExistsException({ ...meta, message: `role ${input.RoleName} exists` });
      this.checkPrincipal(input.AssumeRolePolicyDocument!);
      const role: FakeRole = {
        roleId: `AROAFAKE${String(this.nextRoleId++).padStart(12, '0')}`,
        path: input.Path ?? '/',
        trustPolicy: input.AssumeRolePolicyDocument!,
        maxSessionDuration: input.MaxSessionDuration ?? 3600,
        ...(input.PermissionsBoundary === undefined ? {} : { permissionsBoundaryArn: input.PermissionsBoundary }),
        ...(input.Description === undefined ? {} : { description: input.Description }),
        tags: structuredClone(input.Tags ?? []),
        attached: [],
        inline: {},
      };
      this.roles.set(input.RoleName!, role);
      return {
        Role: {
          RoleName: input.RoleName,
          RoleId: role.roleId,
          Arn: `arn:aws:iam::${this.account}:role${role.path}${input.RoleName}`,
          Path: role.path,
          CreateDate: new Date(0),
        },
        ...meta,
      };
    });
    on(UpdateAssumeRolePolicyCommand, (input) => {
      const role = this.role(input.RoleName!);
      this.checkPrincipal(input.PolicyDocument!);
      role.trustPolicy = input.PolicyDocument!;
      return meta;
    });
    on(UpdateRoleCommand, (input) => {
      const role = this.role(input.RoleName!);
      if (input.MaxSessionDuration !== undefined) role.maxSessionDuration = input.MaxSessionDuration;
      if (input.Description !== undefined) role.description = input.Description;
      return meta;
    });
    on(PutRolePermissionsBoundaryCommand, (input) => {
      this.role(input.RoleName!).permissionsBoundaryArn = input.PermissionsBoundary!;
      return meta;
    });
    on(DeleteRolePermissionsBoundaryCommand, (input) => {
      delete this.role(input.RoleName!).permissionsBoundaryArn;
      return meta;
    });
    on(ListRoleTagsCommand, (input) => ({ Tags: structuredClone(this.role(input.RoleName!).tags), IsTruncated: false, ...meta }));
    on(AttachRolePolicyCommand, (input) => {
      const role = this.role(input.RoleName!);
      if (!role.attached.includes(input.PolicyArn!)) role.attached.push(input.PolicyArn!);
      return meta;
    });
    on(ListAttachedRolePoliciesCommand, (input) => ({
      AttachedPolicies: this.role(input.RoleName!).attached.map((arn) => ({ PolicyArn: arn, PolicyName: arn.split('/').pop() })),
      IsTruncated: false,
      ...meta,
    }));
    on(DetachRolePolicyCommand, (input) => {
      const role = this.role(input.RoleName!);
      if (!role.attached.includes(input.PolicyArn!)) throw new NoSuchEntityException({ ...meta, message: `${input.PolicyArn} is not attached` });
      role.attached = role.attached.filter((arn) => arn !== input.PolicyArn);
      return meta;
    });
    on(PutRolePolicyCommand, (input) => {
      this.role(input.RoleName!).inline[input.PolicyName!] = input.PolicyDocument!;
      return meta;
    });
    on(ListRolePoliciesCommand, (input) => ({ PolicyNames: Object.keys(this.role(input.RoleName!).inline), IsTruncated: false, ...meta }));
    on(DeleteRolePolicyCommand, (input) => {
      const role = this.role(input.RoleName!);
      if (!(input.PolicyName! in role.inline)) throw new NoSuchEntityException({ ...meta, message: `no inline policy ${input.PolicyName}` });
      delete role.inline[input.PolicyName!];
      return meta;
    });
    on(DeleteRoleCommand, (input) => {
      const role = this.role(input.RoleName!);
      if (role.attached.length > 0 || Object.keys(role.inline).length > 0) {
        throw new DeleteConflictException({ ...meta, message: 'Cannot delete entity, must detach all policies first.' });
      }
      this.roles.delete(input.RoleName!);
      return meta;
    });

    if (s3 === undefined) return;
    s3.on(GetObjectCommand).callsFake((input) =>
      this.run('GetObjectCommand', () => {
        const body = this.objects.get(`${input.Bucket}/${input.Key}`);
        if (body === undefined) throw new NoSuchKey({ ...meta, message: 'The specified key does not exist.' });
        return { Body: { transformToString: async () => body }, ...meta };
      }),
    );
    s3.on(PutObjectCommand).callsFake((input) =>
      this.run('PutObjectCommand', () => {
        this.objects.set(`${input.Bucket}/${input.Key}`, String(input.Body));
        return meta;
      }),
    );
  }

  private async run<O>(command: string, effect: () => O): Promise<O> {
    const fault = (when: Fault['when']): Error | undefined => {
      const index = this.faults.findIndex((f) => f.command === command && f.when === when);
      return index < 0 ? undefined : this.faults.splice(index, 1)[0]!.error;
    };
    const before = fault('before');
    if (before) throw before;
    const result = effect();
    const after = fault('after');
    if (after) throw after;
    return result;
  }

  private provider(arn: string): FakeProvider {
    const provider = this.providers.get(arn);
    if (!provider) throw new NoSuchEntityException({ ...meta, message: `SAML provider ${arn} does not exist` });
    return provider;
  }

  private role(name: string): FakeRole {
    const role = this.roles.get(name);
    if (!role) throw new NoSuchEntityException({ ...meta, message: `The role with name ${name} cannot be found.` });
    return role;
  }

  private checkPrincipal(policy: string): void {
    const federated = JSON.stringify(JSON.parse(policy)).match(/"Federated":"([^"]+)"/)?.[1];
    if (federated === undefined) return;
    if (this.refusePrincipal > 0 || !this.providers.has(federated)) {
      if (this.refusePrincipal > 0) this.refusePrincipal -= 1;
      throw new MalformedPolicyDocumentException({ ...meta, message: `Invalid principal in policy: "FEDERATED":"${federated}"` });
    }
  }
}
