/**
 * Property 2: a revert restores only over its own write. What an execution changed may be changed again before its
 * rollback runs, by a person with the console (anything their IAM allows) or by another execution. A revert that put
 * back the state from before the execution would undo that later change without a word; instead it leaves the
 * resource as it is and says so, and the execution ends Rollback.Incomplete naming it.
 */
import { AttachRolePolicyCommand, CreatePolicyVersionCommand, UpdateAssumeRolePolicyCommand, UpdateSAMLProviderCommand } from '@aws-sdk/client-iam';
import { CreateApplicationAssignmentCommand } from '@aws-sdk/client-sso-admin';
import { ROLE_ATTRIBUTE } from '../../lambdas/shared/profile-schema';
import type { SimulatedAccount } from '../../simulated-account';
import { makeRotatedMetadataXml } from '../../simulated-account/example-metadata';
import { admin, execute, mappedAttributes, metadataV1, READ_ONLY, startingAccount } from '../local/workflow-harness';

const PROVIDER = `arn:aws:iam::111122223333:saml-provider/${admin.identityProvider.name}`;
const ROLE = admin.role.name;
const POLICY = `arn:aws:iam::111122223333:policy/${admin.policy.name}`;

/** A person's own trust policy: their account's root may assume the role. */
const THEIR_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' }],
});

/** The execution's last step fails (the console API refuses its first write), so the whole rollback runs. */
function mappingRefused(account: SimulatedAccount): void {
  account.faults.inject({ service: 'swb', operation: 'UpdateApplicationInstanceResponseConfiguration', error: 'AccessDeniedException' });
}

/** Runs `change` as a person would, with their own IAM, just before the mapping step's first write. */
function beforeMappingWrite(account: SimulatedAccount, change: (clients: ReturnType<SimulatedAccount['clients']>) => unknown): void {
  account.interleave({ service: 'swb', operation: 'UpdateApplicationInstanceResponseConfiguration' }, change);
}

function leftInPlaceLines(result: { cause?: string }): string[] {
  return (JSON.parse(result.cause ?? '{}') as { leftInPlace?: Array<{ what: string }> }).leftInPlace?.map((item) => item.what) ?? [];
}

describe("a revert, after a person's change to what the execution changed", () => {
  it('leaves the metadata a person put on the provider since, and says so', async () => {
    const account = await startingAccount('provider exists');
    const theirs = makeRotatedMetadataXml();
    beforeMappingWrite(account, ({ iam }) => iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: PROVIDER, SAMLMetadataDocument: theirs })));
    mappingRefused(account);

    const result = await execute(account, { xml: metadataV1 });

    expect(result).toMatchObject({ status: 'FAILED', error: 'Rollback.Incomplete' });
    expect(leftInPlaceLines(result).join('\n')).toMatch(/SAML provider AmazonConnectAdminAccess/);
    expect(account.snapshot().iam.samlProviders[PROVIDER]!.metadataDocument).toBe(theirs);
  });

  it('leaves the trust policy a person set on the role since, and says so', async () => {
    const account = await startingAccount('role exists with other policies');
    beforeMappingWrite(account, ({ iam }) => iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: ROLE, PolicyDocument: THEIR_TRUST })));
    mappingRefused(account);

    const result = await execute(account, { xml: metadataV1 });

    expect(result).toMatchObject({ status: 'FAILED', error: 'Rollback.Incomplete' });
    expect(leftInPlaceLines(result).join('\n')).toMatch(/role AmazonConnectAdminAccessRole/);
    expect(account.snapshot().iam.roles[ROLE]!.trustPolicy).toEqual(JSON.parse(THEIR_TRUST));
  });

  it('does not delete a role it created once a person attached a policy of their own to it', async () => {
    const account = await startingAccount('empty account');
    beforeMappingWrite(account, ({ iam }) => iam.send(new AttachRolePolicyCommand({ RoleName: ROLE, PolicyArn: READ_ONLY })));
    mappingRefused(account);

    const result = await execute(account, { xml: metadataV1 });

    expect(result).toMatchObject({ status: 'FAILED', error: 'Rollback.Incomplete' });
    expect(account.snapshot().iam.roles[ROLE]?.attachedPolicies).toEqual([READ_ONLY]);
  });

  it('does not delete a policy it created once a person made another version of it the default', async () => {
    const account = await startingAccount('empty account');
    const wider = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'connect:*', Resource: '*' }] });
    beforeMappingWrite(account, ({ iam }) =>
      iam.send(new CreatePolicyVersionCommand({ PolicyArn: POLICY, PolicyDocument: wider, SetAsDefault: true })),
    );
    mappingRefused(account);

    const result = await execute(account, { xml: metadataV1 });

    expect(result).toMatchObject({ status: 'FAILED', error: 'Rollback.Incomplete' });
    expect(account.snapshot().iam.policies[POLICY]?.defaultVersionId).toBe('v2');
  });

  it('does not delete a policy it created once a person added a version of their own to it', async () => {
    const account = await startingAccount('empty account');
    const theirs = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'connect:Describe*', Resource: '*' }] });
    beforeMappingWrite(account, ({ iam }) =>
      iam.send(new CreatePolicyVersionCommand({ PolicyArn: POLICY, PolicyDocument: theirs, SetAsDefault: false })),
    );
    mappingRefused(account);

    const result = await execute(account, { xml: metadataV1 });

    expect(result).toMatchObject({ status: 'FAILED', error: 'Rollback.Incomplete' });
    expect(leftInPlaceLines(result).join('\n')).toMatch(/policy/);
    expect(account.snapshot().iam.policies[POLICY]?.versions.v2).toEqual(JSON.parse(theirs));
  });

  it('leaves the mapping a person changed between its two writes, and says so', async () => {
    const account = await startingAccount('mapping exists');
    const theirs = 'arn:aws:iam::111122223333:role/Theirs,arn:aws:iam::111122223333:saml-provider/Theirs';
    account.interleave({ service: 'swb', operation: 'UpdateApplicationInstanceResponseSchemaConfiguration' }, () => {
      const current = account.snapshot().swb[`ins-${admin.application.arn!.split('/apl-')[1]}`]!;
      account.setApplicationConfiguration(admin.application.arn!, {
        responseConfig: { ...current.responseConfig!, properties: { ...current.responseConfig!.properties, [ROLE_ATTRIBUTE]: { source: [theirs] } } },
      });
    });
    account.faults.inject({ service: 'swb', operation: 'UpdateApplicationInstanceResponseSchemaConfiguration', error: 'AccessDeniedException' });

    const result = await execute(account, { xml: metadataV1 });

    expect(result).toMatchObject({ status: 'FAILED', error: 'Rollback.Incomplete' });
    expect(leftInPlaceLines(result).join('\n')).toMatch(/mapping/);
    expect(mappedAttributes(account)[ROLE_ATTRIBUTE]).toEqual([theirs]);
  });

  it('does not delete an application it created once a person assigned someone to it', async () => {
    const account = await startingAccount('empty account');
    beforeMappingWrite(account, async ({ ssoAdmin }) => {
      const created = Object.entries(account.snapshot().ssoAdmin.applications).find(([, app]) => app.name === 'Amazon Connect - Admin (created)');
      const user = account.addIdentityStoreUser('someone@example.com');
      await ssoAdmin.send(new CreateApplicationAssignmentCommand({ ApplicationArn: created![0], PrincipalId: user, PrincipalType: 'USER' }));
    });
    mappingRefused(account);

    const result = await execute(account, { createApplication: true });

    expect(result).toMatchObject({ status: 'FAILED', error: 'Rollback.Incomplete' });
    expect(Object.values(account.snapshot().ssoAdmin.applications).map((app) => app.name)).toContain('Amazon Connect - Admin (created)');
  });
});
