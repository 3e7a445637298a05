import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateSAMLProviderCommand,
  DeleteConflictException,
  DeleteRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  EntityAlreadyExistsException,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMServiceException,
  InvalidInputException,
  LimitExceededException,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  MalformedPolicyDocumentException,
  NoSuchEntityException,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import { SimulatedAccount, type SimulatedAccountOptions } from '../../simulated-account';
import { ACCOUNT, metadataXml, permissions, providerArn, rejection, trustPolicy } from './fixtures';

async function setup(options: SimulatedAccountOptions = {}) {
  const account = new SimulatedAccount(options);
  const { iam } = account.clients();
  const { SAMLProviderArn } = await account.seed(() => iam.send(new CreateSAMLProviderCommand({ Name: 'IdP', SAMLMetadataDocument: metadataXml() })));
  return { account, iam, provider: SAMLProviderArn! };
}

describe('simulated IAM roles', () => {
  it('GetRole returns the trust policy URL-encoded, as IAM does, with a stable role id and the path in the ARN', async () => {
    const { iam, provider } = await setup();
    const document = trustPolicy(provider);
    const created = await iam.send(
      new CreateRoleCommand({
        RoleName: 'Federation',
        Path: '/connect/',
        AssumeRolePolicyDocument: document,
        MaxSessionDuration: 43200,
        Tags: [{ Key: 'k', Value: 'v' }],
      }),
    );
    const read = await iam.send(new GetRoleCommand({ RoleName: 'Federation' }));
    expect(read.Role!.AssumeRolePolicyDocument).toBe(encodeURIComponent(document));
    expect(read.Role!.AssumeRolePolicyDocument).not.toBe(document);
    expect(JSON.parse(decodeURIComponent(read.Role!.AssumeRolePolicyDocument!))).toEqual(JSON.parse(document));
    expect(read.Role).toMatchObject({
      RoleName: 'Federation',
      Path: '/connect/',
      Arn: `arn:aws:iam::${ACCOUNT}:role/connect/Federation`,
      RoleId: created.Role!.RoleId,
      MaxSessionDuration: 43200,
      Tags: [{ Key: 'k', Value: 'v' }],
    });
    expect(read.Role!.RoleId).toMatch(/^AROA[A-Z0-9]{17}$/);

    await iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: 'Federation', PolicyDocument: trustPolicy(provider).replace('SAML:aud', 'saml:aud') }),
    );
    expect((await iam.send(new GetRoleCommand({ RoleName: 'Federation' }))).Role!.RoleId).toBe(created.Role!.RoleId);
  });

  it('a role deleted and created again gets a new role id', async () => {
    const { iam, provider } = await setup();
    const first = await iam.send(new CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: trustPolicy(provider) }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'R' }));
    const second = await iam.send(new CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: trustPolicy(provider) }));
    expect(second.Role!.RoleId).not.toBe(first.Role!.RoleId);
  });

  it('refuses a role name already taken (ignoring case) with EntityAlreadyExistsException', async () => {
    const { iam, provider } = await setup();
    await iam.send(new CreateRoleCommand({ RoleName: 'Federation', AssumeRolePolicyDocument: trustPolicy(provider) }));
    expect(
      await rejection(iam.send(new CreateRoleCommand({ RoleName: 'FEDERATION', AssumeRolePolicyDocument: trustPolicy(provider) }))),
    ).toBeInstanceOf(EntityAlreadyExistsException);
  });

  it.each([
    ['a name with a character outside [\\w+=,.@-]', { RoleName: 'bad/name' }],
    ['a name longer than 64 characters', { RoleName: 'r'.repeat(65) }],
    ['a max session duration under 3,600 s', { RoleName: 'R', MaxSessionDuration: 3599 }],
    ['a max session duration over 43,200 s', { RoleName: 'R', MaxSessionDuration: 43201 }],
  ])("refuses %s with IAM's ValidationError (a model constraint: unmodelled, raised by its code)", async (_what, input) => {
    const { iam, provider } = await setup();
    const error = await rejection(iam.send(new CreateRoleCommand({ AssumeRolePolicyDocument: trustPolicy(provider), ...input })));
    expect(error).toBeInstanceOf(IAMServiceException);
    expect(error).not.toBeInstanceOf(InvalidInputException);
    expect(error).toMatchObject({ name: 'ValidationError', $fault: 'client', message: expect.stringMatching(/^1 validation error detected: /) });
  });

  it('refuses a trust policy naming a provider that does not exist with MalformedPolicyDocumentException "Invalid principal in policy"', async () => {
    const { iam } = await setup();
    const error = await rejection(iam.send(new CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: trustPolicy(providerArn('Nope')) })));
    expect(error).toBeInstanceOf(MalformedPolicyDocumentException);
    expect(error.message).toContain('Invalid principal in policy');
  });

  it('refuses a trust policy naming a provider of another account', async () => {
    const { iam } = await setup();
    const error = await rejection(
      iam.send(new CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: trustPolicy('arn:aws:iam::999999999999:saml-provider/IdP') })),
    );
    expect(error.message).toContain('Invalid principal in policy');
  });

  it('refuses a trust policy that is not JSON with MalformedPolicyDocumentException', async () => {
    const { iam, provider } = await setup();
    await iam.send(new CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: trustPolicy(provider) }));
    expect(await rejection(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'R', PolicyDocument: '{not json' })))).toBeInstanceOf(
      MalformedPolicyDocumentException,
    );
  });

  it('with principalPropagationDelayCalls, refuses the first N role calls naming a new provider, then accepts', async () => {
    const { iam } = await setup({ principalPropagationDelayCalls: 2 });
    const { SAMLProviderArn: provider = '' } = await iam.send(new CreateSAMLProviderCommand({ Name: 'Fresh', SAMLMetadataDocument: metadataXml() }));
    const create = () => iam.send(new CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: trustPolicy(provider) }));
    expect((await rejection(create())).message).toContain('Invalid principal in policy');
    expect(await rejection(create())).toBeInstanceOf(MalformedPolicyDocumentException);
    await expect(create()).resolves.toBeDefined();
  });

  it('a provider in the seeded starting state has long been visible: no propagation delay for it', async () => {
    const { iam, provider } = await setup({ principalPropagationDelayCalls: 2 });
    await expect(iam.send(new CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: trustPolicy(provider) }))).resolves.toBeDefined();
  });

  it('the propagation delay also applies to UpdateAssumeRolePolicy naming a newly created provider', async () => {
    const { iam } = await setup({ principalPropagationDelayCalls: 1 });
    const serviceTrust = JSON.stringify({
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    await iam.send(new CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: serviceTrust }));
    const { SAMLProviderArn: fresh } = await iam.send(new CreateSAMLProviderCommand({ Name: 'Fresh', SAMLMetadataDocument: metadataXml() }));
    const update = () => iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'R', PolicyDocument: trustPolicy(fresh!) }));
    expect((await rejection(update())).message).toContain(fresh);
    await expect(update()).resolves.toBeDefined();
  });

  it('refuses more than 50 tags with LimitExceededException', async () => {
    const { iam, provider } = await setup();
    await iam.send(new CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: trustPolicy(provider) }));
    const tags = Array.from({ length: 51 }, (_, index) => ({ Key: `k${index}`, Value: 'v' }));
    expect(await rejection(iam.send(new TagRoleCommand({ RoleName: 'R', Tags: tags })))).toBeInstanceOf(LimitExceededException);
    expect((await iam.send(new ListRoleTagsCommand({ RoleName: 'R' }))).Tags).toEqual([]);
  });

  it('tags and untags a role', async () => {
    const { iam, provider } = await setup();
    await iam.send(new CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: trustPolicy(provider), Tags: [{ Key: 'a', Value: '1' }] }));
    await iam.send(new TagRoleCommand({ RoleName: 'R', Tags: [{ Key: 'b', Value: '2' }] }));
    await iam.send(new UntagRoleCommand({ RoleName: 'R', TagKeys: ['a'] }));
    expect((await iam.send(new ListRoleTagsCommand({ RoleName: 'R' }))).Tags).toEqual([{ Key: 'b', Value: '2' }]);
  });

  it('answers operations on a missing role with NoSuchEntityException', async () => {
    const { iam } = await setup();
    for (const command of [
      new GetRoleCommand({ RoleName: 'Missing' }),
      new UpdateAssumeRolePolicyCommand({ RoleName: 'Missing', PolicyDocument: '{}' }),
      new DeleteRoleCommand({ RoleName: 'Missing' }),
      new ListAttachedRolePoliciesCommand({ RoleName: 'Missing' }),
      new UpdateRoleCommand({ RoleName: 'Missing', MaxSessionDuration: 3600 }),
    ]) {
      expect(await rejection(iam.send(command as never))).toBeInstanceOf(NoSuchEntityException);
    }
  });

  it('updates the session duration and the permissions boundary in place', async () => {
    const { iam, provider } = await setup();
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'Boundary', PolicyDocument: permissions() }));
    await iam.send(new CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: trustPolicy(provider) }));
    await iam.send(new UpdateRoleCommand({ RoleName: 'R', MaxSessionDuration: 7200 }));
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'R', PermissionsBoundary: Policy!.Arn }));
    expect((await iam.send(new GetRoleCommand({ RoleName: 'R' }))).Role).toMatchObject({
      MaxSessionDuration: 7200,
      PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: Policy!.Arn },
    });
    await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: 'R' }));
    expect((await iam.send(new GetRoleCommand({ RoleName: 'R' }))).Role!.PermissionsBoundary).toBeUndefined();
    expect(
      await rejection(
        iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'R', PermissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/Missing` })),
      ),
    ).toBeInstanceOf(NoSuchEntityException);
  });
});

describe('simulated IAM role policies', () => {
  async function withRole() {
    const context = await setup();
    await context.iam.send(new CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: trustPolicy(context.provider) }));
    return context;
  }

  it('refuses to delete a role with attached policies, then with inline policies, with DeleteConflictException', async () => {
    const { account, iam } = await withRole();
    const managed = account.addAwsManagedPolicy('AmazonConnectReadOnlyAccess');
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'R', PolicyArn: managed }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'R', PolicyName: 'inline', PolicyDocument: permissions() }));

    expect(await rejection(iam.send(new DeleteRoleCommand({ RoleName: 'R' })))).toBeInstanceOf(DeleteConflictException);
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'R', PolicyArn: managed }));
    expect(await rejection(iam.send(new DeleteRoleCommand({ RoleName: 'R' })))).toBeInstanceOf(DeleteConflictException);
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'R', PolicyName: 'inline' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'R' }));
    expect(await rejection(iam.send(new GetRoleCommand({ RoleName: 'R' })))).toBeInstanceOf(NoSuchEntityException);
  });

  it('refuses to attach an unknown policy with NoSuchEntityException', async () => {
    const { iam } = await withRole();
    expect(
      await rejection(iam.send(new AttachRolePolicyCommand({ RoleName: 'R', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/Missing` }))),
    ).toBeInstanceOf(NoSuchEntityException);
  });

  it('refuses an 11th attached policy with LimitExceededException; attaching one already attached changes nothing', async () => {
    const { account, iam } = await withRole();
    for (let index = 0; index < 10; index += 1) {
      await iam.send(new AttachRolePolicyCommand({ RoleName: 'R', PolicyArn: account.addAwsManagedPolicy(`Managed${index}`) }));
    }
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'R', PolicyArn: account.addAwsManagedPolicy('Managed0') }));
    expect(
      await rejection(iam.send(new AttachRolePolicyCommand({ RoleName: 'R', PolicyArn: account.addAwsManagedPolicy('Managed10') }))),
    ).toBeInstanceOf(LimitExceededException);
    expect(account.snapshot().iam.roles.R!.attachedPolicies).toHaveLength(10);
  });

  it('lists attached policies page by page with Marker and IsTruncated', async () => {
    const { account, iam } = await withRole();
    const arns = ['A', 'B', 'C'].map((name) => account.addAwsManagedPolicy(name));
    for (const PolicyArn of arns) await iam.send(new AttachRolePolicyCommand({ RoleName: 'R', PolicyArn }));

    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'R', MaxItems: 2, Marker: marker }));
      seen.push(...page.AttachedPolicies!.map((policy) => policy.PolicyArn!));
      expect(page.IsTruncated).toBe(page.Marker !== undefined);
      marker = page.Marker;
      pages += 1;
    } while (marker);
    expect(pages).toBe(2);
    expect(seen).toEqual(arns);
  });

  it('with iamPageSize, returns fewer items than MaxItems asks, as IAM documents it may', async () => {
    const account = new SimulatedAccount({ iamPageSize: 1 });
    const { iam } = account.clients();
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'R',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    for (const name of ['A', 'B']) await iam.send(new AttachRolePolicyCommand({ RoleName: 'R', PolicyArn: account.addAwsManagedPolicy(name) }));
    const first = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'R', MaxItems: 100 }));
    expect(first.AttachedPolicies).toHaveLength(1);
    expect(first.IsTruncated).toBe(true);
  });

  it('detaching a policy that is not attached is NoSuchEntityException', async () => {
    const { account, iam } = await withRole();
    expect(
      await rejection(iam.send(new DetachRolePolicyCommand({ RoleName: 'R', PolicyArn: account.addAwsManagedPolicy('NotAttached') }))),
    ).toBeInstanceOf(NoSuchEntityException);
  });

  it('keeps inline policies, returns them URL-encoded and refuses invalid ones', async () => {
    const { iam } = await withRole();
    await iam.send(new PutRolePolicyCommand({ RoleName: 'R', PolicyName: 'inline', PolicyDocument: permissions() }));
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'R' }))).PolicyNames).toEqual(['inline']);
    expect((await iam.send(new GetRolePolicyCommand({ RoleName: 'R', PolicyName: 'inline' }))).PolicyDocument).toBe(
      encodeURIComponent(permissions()),
    );
    expect(await rejection(iam.send(new PutRolePolicyCommand({ RoleName: 'R', PolicyName: 'bad', PolicyDocument: '[' })))).toBeInstanceOf(
      MalformedPolicyDocumentException,
    );
    expect(await rejection(iam.send(new DeleteRolePolicyCommand({ RoleName: 'R', PolicyName: 'missing' })))).toBeInstanceOf(NoSuchEntityException);
  });
});
