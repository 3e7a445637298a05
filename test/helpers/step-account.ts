/**
 * The starting accounts of the IdentityProvider and Role step tests: one simulated AWS account
 * (simulated-account) whose metadata bucket holds the uploaded document, built with the same IAM calls the
 * steps make, so that a test states what the account held before and compares what it holds after.
 */
import { AttachRolePolicyCommand, CreateRoleCommand, CreateSAMLProviderCommand, PutRolePolicyCommand, type Tag } from '@aws-sdk/client-iam';
import type { ExecutionDocument } from '../../lambdas/shared/document';
import { pipelineTags } from '../../lambdas/shared/tags';
import { type CallInfo, type Service, SimulatedAccount, type SimulatedAccountOptions } from '../../simulated-account';
import { makeMetadataXml, makeRotatedMetadataXml } from '../../simulated-account/example-metadata';
import { makeDocument } from './document';
import { journalJson } from './records';

const ACCOUNT_ID = '111122223333';
export const BUCKET = 'federation-metadata-bucket';
export const METADATA_KEY = 'metadata/admin/idp.xml';
const EXECUTION = 'exec-0001';

/** IdP metadata as IAM Identity Center exports it, before and after a certificate rotation; IAM accepts both. */
export const METADATA_V1 = makeMetadataXml();
export const METADATA_V2 = makeRotatedMetadataXml();

export const providerArn = (name: string) => `arn:aws:iam::${ACCOUNT_ID}:saml-provider/${name}`;
export const roleArn = (name: string, path = '/') => `arn:aws:iam::${ACCOUNT_ID}:role${path}${name}`;

/** The tags the pipeline puts on what an execution creates: this one, or another (an earlier run, a concurrent one). */
export const tagsOfExecution = (executionName = EXECUTION): Tag[] => pipelineTags(makeDocument({ request: { executionName } }).request);

export interface StepAccount {
  account: SimulatedAccount;
  /** The version id S3 gave the uploaded metadata object. */
  versionId: string;
  /** An execution document (test/helpers/document.ts) pinned to the uploaded version. */
  document(overrides?: Parameters<typeof makeDocument>[0]): ExecutionDocument;
}

/**
 * An account whose metadata bucket (versioned, as the stack creates it, unless told otherwise) holds `metadata` at
 * metadata/admin/idp.xml, as Intake found it, and nothing else: no SAML provider, no role.
 */
export function accountWithUpload(options: SimulatedAccountOptions & { metadata?: string; versioned?: boolean } = {}): StepAccount {
  const { metadata = METADATA_V2, versioned = true, ...accountOptions } = options;
  const account = new SimulatedAccount(accountOptions);
  account.createBucket(BUCKET, { versioned });
  const versionId = account.putObject(BUCKET, METADATA_KEY, metadata, { contentType: 'application/samlmetadata+xml' });
  return {
    account,
    versionId,
    document: (overrides = {}) => makeDocument({ ...overrides, request: { versionId, ...overrides.request } }),
  };
}

export interface RoleStepAccount {
  account: SimulatedAccount;
  /** AWS managed policies: two to use as permissions boundaries, and ReadOnlyAccess to attach. */
  boundary: string;
  oldBoundary: string;
  readOnly: string;
}

/**
 * An account as the Role step finds it after the IdentityProvider step: the profile's SAML provider (AmazonConnectAdminAccess)
 * and an older one (OldIdP) exist, and the metadata bucket that holds the journal. No role yet. With
 * `principalPropagationDelayCalls`, AmazonConnectAdminAccess was created moments ago (IAM may not yet accept it as a
 * principal); OldIdP has long been there.
 */
export async function accountForRoleStep(options: SimulatedAccountOptions = {}): Promise<RoleStepAccount> {
  const account = new SimulatedAccount(options);
  account.createBucket(BUCKET);
  await seedProvider(account, 'OldIdP', METADATA_V1);
  await account.clients().iam.send(new CreateSAMLProviderCommand({ Name: 'AmazonConnectAdminAccess', SAMLMetadataDocument: METADATA_V2 }));
  account.clearCalls();
  return {
    account,
    boundary: account.addAwsManagedPolicy('FederationBoundary'),
    oldBoundary: account.addAwsManagedPolicy('OldBoundary'),
    readOnly: account.addAwsManagedPolicy('ReadOnlyAccess'),
  };
}

/** Creates a SAML provider as someone (a person, another execution) did before; returns its ARN. */
export async function seedProvider(account: SimulatedAccount, name: string, document: string, tags: Tag[] = []): Promise<string> {
  const created = await account.seed(({ iam }) =>
    iam.send(new CreateSAMLProviderCommand({ Name: name, SAMLMetadataDocument: document, Tags: tags })),
  );
  return created.SAMLProviderArn!;
}

export interface SeededRole {
  name?: string;
  path?: string;
  trustPolicy: string;
  maxSessionDuration?: number;
  permissionsBoundaryArn?: string;
  tags?: Tag[];
  /** Managed policies attached after creation, in this order. */
  attached?: string[];
  /** Inline policies by name. */
  inline?: Record<string, string>;
}

/** Creates a role (its trust policy must name providers that exist) as it stood before the execution; returns its role id. */
export async function seedRole(account: SimulatedAccount, role: SeededRole): Promise<string> {
  const name = role.name ?? 'AmazonConnectAdminAccessRole';
  return account.seed(async ({ iam }) => {
    const created = await iam.send(
      new CreateRoleCommand({
        RoleName: name,
        Path: role.path,
        AssumeRolePolicyDocument: role.trustPolicy,
        MaxSessionDuration: role.maxSessionDuration,
        PermissionsBoundary: role.permissionsBoundaryArn,
        Tags: role.tags,
      }),
    );
    for (const policyArn of role.attached ?? []) await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: policyArn }));
    for (const [policyName, document] of Object.entries(role.inline ?? {})) {
      await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: policyName, PolicyDocument: document }));
    }
    return created.Role!.RoleId!;
  });
}

/** The operations called on one service, in the order the account applied them (failed calls included). */
export function operations(account: SimulatedAccount, service: Service): string[] {
  return account.calls.filter((call) => call.service === service).map((call) => call.operation);
}

/** The IAM operations that write, in order. */
export function iamWrites(account: SimulatedAccount): string[] {
  return account.mutatingCalls({ service: 'iam' }).map((call) => call.operation);
}

/** The inputs of every call of `operation`, in order. */
export function inputsOf<T = Record<string, unknown>>(account: SimulatedAccount, operation: string): T[] {
  return account.calls.filter((call) => call.operation === operation).map((call) => call.input as T);
}

/** Position of the first call of `operation` (optionally on keys under `prefix`) in the log, to check what came first. */
export function positionOf(account: SimulatedAccount, operation: string, prefix?: string): number {
  const index = account.calls.findIndex((call) => call.operation === operation && (prefix === undefined || keyOf(call).startsWith(prefix)));
  if (index === -1) throw new Error(`no ${operation} call${prefix === undefined ? '' : ` under ${prefix}`} was made`);
  return index;
}

/** For a fault's `when`: only calls on S3 keys (the backups) or record keys (`journal#`) under `prefix`. */
export const onKeysUnder =
  (prefix: string) =>
  (call: CallInfo): boolean =>
    keyOf(call).startsWith(prefix);

/** An S3 call's key, or a record table call's partition key. */
function keyOf(call: CallInfo): string {
  const input = call.input as { Key?: unknown; Item?: { pk?: { S?: string } } };
  if (call.service === 'records') return String((input.Key as { pk?: { S?: string } } | undefined)?.pk?.S ?? input.Item?.pk?.S ?? '');
  return String(input.Key ?? '');
}

/** This execution's journal entry for a step, as the record table holds it (undefined when none was written). */
export function journalEntry(account: SimulatedAccount, step: 'identityProvider' | 'role'): Record<string, unknown> | undefined {
  return journalJson(account, EXECUTION, step);
}
