import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  DeleteConflictException,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DetachRolePolicyCommand,
  EntityAlreadyExistsException,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  LimitExceededException,
  ListEntitiesForPolicyCommand,
  ListPolicyTagsCommand,
  ListPolicyVersionsCommand,
  MalformedPolicyDocumentException,
  NoSuchEntityException,
  SetDefaultPolicyVersionCommand,
  TagPolicyCommand,
} from '@aws-sdk/client-iam';
import { SimulatedAccount } from '../../simulated-account';
import { ACCOUNT, permissions, rejection } from './fixtures';

function setup() {
  const account = new SimulatedAccount();
  return { account, iam: account.clients().iam };
}

async function createPolicy(iam: ReturnType<typeof setup>['iam'], name = 'AmazonConnectSSOPolicy') {
  const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: permissions(), Tags: [{ Key: 'k', Value: 'v' }] }));
  return Policy!.Arn!;
}

describe('simulated IAM managed policies', () => {
  it('creates a policy with version v1 as default, tags and an attachment count', async () => {
    const { iam } = setup();
    const arn = await createPolicy(iam);
    expect(arn).toBe(`arn:aws:iam::${ACCOUNT}:policy/AmazonConnectSSOPolicy`);
    const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
    expect(Policy).toMatchObject({ DefaultVersionId: 'v1', AttachmentCount: 0, Tags: [{ Key: 'k', Value: 'v' }], IsAttachable: true });
    expect((await iam.send(new ListPolicyTagsCommand({ PolicyArn: arn }))).Tags).toEqual([{ Key: 'k', Value: 'v' }]);
    await iam.send(new TagPolicyCommand({ PolicyArn: arn, Tags: [{ Key: 'other', Value: 'x' }] }));
    expect((await iam.send(new ListPolicyTagsCommand({ PolicyArn: arn }))).Tags).toHaveLength(2);
  });

  it('GetPolicyVersion returns the document URL-encoded', async () => {
    const { iam } = setup();
    const arn = await createPolicy(iam);
    const { PolicyVersion } = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }));
    expect(PolicyVersion).toMatchObject({ VersionId: 'v1', IsDefaultVersion: true });
    expect(PolicyVersion!.Document).toBe(encodeURIComponent(permissions()));
    expect(decodeURIComponent(PolicyVersion!.Document!)).toBe(permissions());
  });

  it('refuses a duplicate name with EntityAlreadyExistsException and invalid JSON with MalformedPolicyDocumentException', async () => {
    const { iam } = setup();
    await createPolicy(iam);
    expect(await rejection(createPolicy(iam))).toBeInstanceOf(EntityAlreadyExistsException);
    expect(await rejection(iam.send(new CreatePolicyCommand({ PolicyName: 'Other', PolicyDocument: '{"Statement": [' })))).toBeInstanceOf(
      MalformedPolicyDocumentException,
    );
    const withPrincipal = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }] });
    expect(await rejection(iam.send(new CreatePolicyCommand({ PolicyName: 'Other', PolicyDocument: withPrincipal })))).toBeInstanceOf(
      MalformedPolicyDocumentException,
    );
  });

  it('refuses a sixth version with LimitExceededException', async () => {
    const { iam } = setup();
    const arn = await createPolicy(iam);
    for (let index = 2; index <= 5; index += 1) {
      await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: permissions(`connect:Action${index}`) }));
    }
    expect(await rejection(iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: permissions() })))).toBeInstanceOf(
      LimitExceededException,
    );
    expect((await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions!.map((version) => version.VersionId)).toEqual([
      'v5',
      'v4',
      'v3',
      'v2',
      'v1',
    ]);
  });

  it('sets a new default version, and never reuses a deleted version number', async () => {
    const { iam } = setup();
    const arn = await createPolicy(iam);
    const created = await iam.send(
      new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: permissions('connect:Other'), SetAsDefault: true }),
    );
    expect(created.PolicyVersion).toMatchObject({ VersionId: 'v2', IsDefaultVersion: true });
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.DefaultVersionId).toBe('v2');

    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }));
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' }));
    const next = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: permissions('connect:Third') }));
    expect(next.PolicyVersion!.VersionId).toBe('v3');
    expect(await rejection(iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' })))).toBeInstanceOf(NoSuchEntityException);
  });

  it('refuses to delete the default version with DeleteConflictException', async () => {
    const { iam } = setup();
    const arn = await createPolicy(iam);
    expect(await rejection(iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' })))).toBeInstanceOf(DeleteConflictException);
  });

  it('refuses to delete a policy while attached, and while it has other versions, with DeleteConflictException', async () => {
    const { iam } = setup();
    const arn = await createPolicy(iam);
    const trust = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    await iam.send(new CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: trust }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'R', PolicyArn: arn }));
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.AttachmentCount).toBe(1);
    expect((await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn }))).PolicyRoles).toEqual([
      { RoleName: 'R', RoleId: expect.stringMatching(/^AROA/) },
    ]);
    expect(await rejection(iam.send(new DeletePolicyCommand({ PolicyArn: arn })))).toBeInstanceOf(DeleteConflictException);

    await iam.send(new DetachRolePolicyCommand({ RoleName: 'R', PolicyArn: arn }));
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: permissions('connect:Other') }));
    expect(await rejection(iam.send(new DeletePolicyCommand({ PolicyArn: arn })))).toBeInstanceOf(DeleteConflictException);

    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
    expect(await rejection(iam.send(new GetPolicyCommand({ PolicyArn: arn })))).toBeInstanceOf(NoSuchEntityException);
  });

  it('answers a missing policy or version with NoSuchEntityException', async () => {
    const { iam } = setup();
    const missing = `arn:aws:iam::${ACCOUNT}:policy/Missing`;
    expect(await rejection(iam.send(new GetPolicyCommand({ PolicyArn: missing })))).toBeInstanceOf(NoSuchEntityException);
    const arn = await createPolicy(iam);
    expect(await rejection(iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v9' })))).toBeInstanceOf(NoSuchEntityException);
  });

  it('serves seeded AWS managed policies read-only', async () => {
    const { account, iam } = setup();
    const arn = account.addAwsManagedPolicy('AmazonConnect_FullAccess');
    expect(arn).toBe('arn:aws:iam::aws:policy/AmazonConnect_FullAccess');
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.DefaultVersionId).toBe('v1');
    expect((await rejection(iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: permissions() })))).name).toBe('AccessDenied');
  });
});
