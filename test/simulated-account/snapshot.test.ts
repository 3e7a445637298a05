import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateSAMLProviderCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  SetDefaultPolicyVersionCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateSAMLProviderCommand,
} from '@aws-sdk/client-iam';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { SimulatedAccount } from '../../simulated-account';
import { accountWithClock, metadataXml, permissions, providerArn, trustPolicy } from './fixtures';

/** An account as a pipeline run might find it: a provider, a role with another policy attached, a mapping. */
async function populated(): Promise<{ account: SimulatedAccount; advance(ms: number): void }> {
  const context = accountWithClock();
  const { account } = context;
  account.putObject('bucket', 'metadata/admin/idp.xml', metadataXml());
  const applicationArn = account.addApplication({ name: 'admins', instanceArn: account.addIdentityCenterInstance() });
  account.setApplicationConfiguration(applicationArn, { responseConfig: { subject: { source: ['${user:email}'] }, properties: {}, ttl: 'PT1H' } });
  const other = account.addAwsManagedPolicy('AmazonConnectReadOnlyAccess');
  await account.seed(async ({ iam }) => {
    await iam.send(new CreateSAMLProviderCommand({ Name: 'IdP', SAMLMetadataDocument: metadataXml('before'), Tags: [{ Key: 'team', Value: 'x' }] }));
    await iam.send(
      new CreateRoleCommand({ RoleName: 'Federation', AssumeRolePolicyDocument: trustPolicy(providerArn('IdP')), Tags: [{ Key: 'a', Value: '1' }] }),
    );
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'Federation', PolicyArn: other }));
    await iam.send(new CreatePolicyCommand({ PolicyName: 'Existing', PolicyDocument: permissions() }));
  });
  return context;
}

describe('account snapshot', () => {
  it('holds the IAM, Identity Center, S3 and lock state, with decoded documents and tags as maps', async () => {
    const { account } = await populated();
    const view = account.snapshot();
    expect(view.iam.samlProviders[providerArn('IdP')]).toMatchObject({ name: 'IdP', metadataDocument: metadataXml('before'), tags: { team: 'x' } });
    expect(view.iam.roles.Federation).toMatchObject({
      trustPolicy: JSON.parse(trustPolicy(providerArn('IdP'))),
      tags: { a: '1' },
      attachedPolicies: ['arn:aws:iam::aws:policy/AmazonConnectReadOnlyAccess'],
      roleId: expect.stringMatching(/^AROA/),
    });
    expect(Object.values(view.iam.policies)[0]).toMatchObject({
      name: 'Existing',
      defaultVersionId: 'v1',
      versions: { v1: JSON.parse(permissions()) },
    });
    expect(Object.keys(view.s3.bucket!)).toEqual(['metadata/admin/idp.xml']);
    expect(Object.values(view.swb)).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(view))).toEqual(view);
  });

  it('does not change with time alone', async () => {
    const { account, advance } = await populated();
    const before = account.snapshot();
    advance(86_400_000);
    expect(account.snapshot()).toEqual(before);
  });

  it("ignores the pipeline's bookkeeping (backups/ in the bucket, the record table), but not other keys", async () => {
    const { account } = await populated();
    const before = account.snapshot();
    const { s3, records } = account.clients();
    await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'backups/e/idp.xml', Body: '{}' }));
    await records.put({ pk: 'journal#e', sk: 'role' }, '{}', undefined);
    expect(account.snapshot()).toEqual(before);
    expect(account.records()).toEqual([{ pk: 'journal#e', sk: 'role', body: '{}', revision: 1 }]);

    await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'metadata/admin/other.xml', Body: 'x' }));
    expect(account.snapshot()).not.toEqual(before);
    await s3.send(new DeleteObjectCommand({ Bucket: 'bucket', Key: 'metadata/admin/other.xml' }));
    expect(account.snapshot()).toEqual(before);
  });

  it('equals the start again after every change is undone', async () => {
    const { account } = await populated();
    const before = account.snapshot();
    const { iam, swb } = account.clients();
    const instanceId = Object.keys(before.swb)[0]!;
    const policyArn = Object.keys(before.iam.policies)[0]!;

    await iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: providerArn('IdP'), SAMLMetadataDocument: metadataXml('after') }));
    await iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: 'Federation', PolicyDocument: trustPolicy(providerArn('IdP')).replace('saml', 'SAML') }),
    );
    await iam.send(new TagRoleCommand({ RoleName: 'Federation', Tags: [{ Key: 'saml-federation:execution', Value: 'e1' }] }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'Federation', PolicyArn: policyArn }));
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: permissions('connect:Other'), SetAsDefault: true }));
    await iam.send(new CreateRoleCommand({ RoleName: 'Extra', AssumeRolePolicyDocument: trustPolicy(providerArn('IdP')) }));
    await swb.updateApplicationInstanceResponseConfiguration(instanceId, { subject: { source: ['x'] }, properties: {}, ttl: 'PT1H' });
    await account.lock.put({ profile: 'admin', owner: 'e1', lease: 'e1#0', expiresAt: '2999-01-01T00:00:00.000Z' });
    expect(account.snapshot()).not.toEqual(before);

    await iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: providerArn('IdP'), SAMLMetadataDocument: metadataXml('before') }));
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'Federation', PolicyDocument: trustPolicy(providerArn('IdP')) }));
    await iam.send(new UntagRoleCommand({ RoleName: 'Federation', TagKeys: ['saml-federation:execution'] }));
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'Federation', PolicyArn: policyArn }));
    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'v1' }));
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'v2' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'Extra' }));
    await swb.updateApplicationInstanceResponseConfiguration(instanceId, before.swb[instanceId]!.responseConfig!);
    await account.lock.release('admin', 'e1#0');
    expect(account.snapshot()).toEqual(before);
  });

  it('tells a role that was deleted and created again from the original (new role id)', async () => {
    const { account } = await populated();
    const before = account.snapshot();
    await account.seed(async ({ iam }) => {
      await iam.send(new DetachRolePolicyCommand({ RoleName: 'Federation', PolicyArn: 'arn:aws:iam::aws:policy/AmazonConnectReadOnlyAccess' }));
      await iam.send(new DeleteRoleCommand({ RoleName: 'Federation' }));
      await iam.send(
        new CreateRoleCommand({
          RoleName: 'Federation',
          AssumeRolePolicyDocument: trustPolicy(providerArn('IdP')),
          Tags: [{ Key: 'a', Value: '1' }],
        }),
      );
      await iam.send(new AttachRolePolicyCommand({ RoleName: 'Federation', PolicyArn: 'arn:aws:iam::aws:policy/AmazonConnectReadOnlyAccess' }));
    });
    const after = account.snapshot();
    expect(after).not.toEqual(before);
    expect({ ...after.iam.roles.Federation, roleId: before.iam.roles.Federation!.roleId }).toEqual(before.iam.roles.Federation);
  });
});
