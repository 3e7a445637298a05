/**
 * Attacks by someone who may write the metadata bucket (anyone allowed to upload metadata): what they write where the
 * pipeline used to keep its bookkeeping, or over a backup, must never steer what a revert restores. The bucket policy
 * keeps them out of everything but metadata/<profile>/ (test/infra); these tests show the reverts do not rely on it.
 */
import { applyAttributeMapping } from '../../lambdas/attribute-mapping/apply';
import { revertAttributeMapping } from '../../lambdas/attribute-mapping/revert';
import { applyIdentityProvider } from '../../lambdas/identity-provider/apply';
import { revertIdentityProvider } from '../../lambdas/identity-provider/revert';
import { revertRole } from '../../lambdas/role/revert';
import { federationTrustPolicy } from '../../lambdas/role/trust-policy';
import { journalKey } from '../../lambdas/shared/journal';
import { ROLE_ATTRIBUTE } from '../../lambdas/shared/profile-schema';
import { swbInstanceId } from '../../simulated-account';
import { makeDocument } from '../helpers/document';
import { plantRecord } from '../helpers/records';
import { accountForRoleStep, accountWithUpload, BUCKET, iamWrites, METADATA_V1, providerArn, seedProvider, seedRole } from '../helpers/step-account';
import {
  AGENT_APP,
  APP,
  adminAccount,
  adminDocument,
  consoleConfigured,
  INSTANCE_ID,
  depsOf as mappingDeps,
  overwritingProfile,
  stored,
} from '../lambdas/attribute-mapping/helpers/world';

const EXECUTION = 'exec-0001';
const ROLE = 'AmazonConnectAdminAccessRole';
const LATER_STEP_FAILED = { Error: 'States.TaskFailed', Cause: 'a later step failed' };
/** A step that threw: its revert has no receipt and works from the journal alone. */
const STEP_THREW = { Error: 'ServiceFailureException', Cause: 'the step failed' };

/** A trust policy anyone could assume the role with: what a forged record would like restored. */
const ANYONE = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] });

/** Metadata of the attacker's own identity provider, in the shape IAM accepts. */
const ATTACKER_METADATA = METADATA_V1.replace(/entityID="[^"]+"/, 'entityID="https://attacker.example/idp"');

/** A mapping whose Role attribute lets the attacker's own role and provider in. */
function attackerMapping() {
  const mapping = consoleConfigured();
  return {
    ...mapping,
    responseConfig: {
      ...mapping.responseConfig,
      properties: { [ROLE_ATTRIBUTE]: { source: ['arn:aws:iam::999999999999:role/Attacker,arn:aws:iam::999999999999:saml-provider/Attacker'] } },
    },
  };
}

describe('a bucket writer', () => {
  it('cannot forge a journal entry that makes the role revert restore a trust policy of their choosing', async () => {
    const w = await accountForRoleStep();
    const trusted = JSON.stringify(federationTrustPolicy(providerArn('AmazonConnectAdminAccess')));
    await seedRole(w.account, { trustPolicy: trusted });
    // Where the journal used to live, in the shape a step wrote it.
    w.account.putObject(
      BUCKET,
      `journal/${EXECUTION}/role.json`,
      JSON.stringify({
        step: 'role',
        executionName: EXECUTION,
        intent: ['update role'],
        previous: { trustPolicy: ANYONE },
        details: { roleName: ROLE },
      }),
    );

    const report = await revertRole(makeDocument({ failure: STEP_THREW }), w.account.clients());

    expect(report.action).toBe('nothing-to-do');
    expect(iamWrites(w.account)).toEqual([]);
    expect(w.account.snapshot().iam.roles[ROLE]!.trustPolicy).toEqual(JSON.parse(trusted));
  });

  it("cannot forge a journal entry that makes the role revert remove the role's permissions boundary", async () => {
    const w = await accountForRoleStep();
    await seedRole(w.account, {
      trustPolicy: JSON.stringify(federationTrustPolicy(providerArn('AmazonConnectAdminAccess'))),
      permissionsBoundaryArn: w.boundary,
    });
    w.account.putObject(
      BUCKET,
      `journal/${EXECUTION}/role.json`,
      JSON.stringify({ step: 'role', executionName: EXECUTION, intent: [], previous: { permissionsBoundaryArn: null }, details: { roleName: ROLE } }),
    );

    await revertRole(makeDocument({ failure: STEP_THREW }), w.account.clients());

    expect(iamWrites(w.account)).toEqual([]);
    expect(w.account.snapshot().iam.roles[ROLE]!.permissionsBoundary).toBe(w.boundary);
  });

  it('cannot swap the backup of replaced provider metadata: the revert restores the version apply recorded', async () => {
    const world = accountWithUpload();
    const arn = await seedProvider(world.account, 'AmazonConnectAdminAccess', METADATA_V1);
    const receipt = await applyIdentityProvider(world.document(), world.account.clients());
    expect(receipt.action).toBe('updated');
    world.account.putObject(BUCKET, `backups/${EXECUTION}/identity-provider.xml`, ATTACKER_METADATA);

    const report = await revertIdentityProvider(
      world.document({ receipts: { identityProvider: receipt }, failure: LATER_STEP_FAILED }),
      world.account.clients(),
    );

    expect(report.action).toBe('restored');
    expect(world.account.snapshot().iam.samlProviders[arn]!.metadataDocument).toBe(METADATA_V1);
  });

  it('cannot swap a backup whose version is not pinned: its SHA-256 differs from the record, so the provider is left in place and said so', async () => {
    const world = accountWithUpload({ versioned: false });
    const arn = await seedProvider(world.account, 'AmazonConnectAdminAccess', METADATA_V1);
    const receipt = await applyIdentityProvider(world.document(), world.account.clients());
    world.account.putObject(BUCKET, `backups/${EXECUTION}/identity-provider.xml`, ATTACKER_METADATA);
    const applied = world.account.snapshot().iam.samlProviders[arn]!.metadataDocument;

    const report = await revertIdentityProvider(
      world.document({ receipts: { identityProvider: receipt }, failure: LATER_STEP_FAILED }),
      world.account.clients(),
    );

    expect(report).toMatchObject({
      action: 'left-in-place',
      leftInPlace: [expect.stringMatching(/has SHA-256 [0-9a-f]{64}, not the [0-9a-f]{64} recorded/)],
    });
    expect(iamWrites(world.account)).toEqual(['UpdateSAMLProvider']);
    expect(world.account.snapshot().iam.samlProviders[arn]!.metadataDocument).toBe(applied);
  });

  it('cannot plant a saved mapping that a revert then writes to the application', async () => {
    // The console API does not return the mapping, so the pipeline's own saved mapping is the only "previous" there is.
    const account = adminAccount({ swbReturnsConfiguration: false });
    const planted = {
      profile: 'admin',
      applicationArn: APP,
      instanceId: INSTANCE_ID,
      configuration: attackerMapping(),
      executionName: 'exec-0000',
      writtenBy: 'apply',
      writtenAt: '2030-01-01T00:00:00.000Z',
    };
    account.putObject(BUCKET, 'state/admin/attribute-mapping.json', JSON.stringify(planted));
    const receipt = await applyAttributeMapping(adminDocument({ profile: overwritingProfile() }), mappingDeps(account));
    const agentBefore = account.snapshot().swb[swbInstanceId(AGENT_APP)];

    await revertAttributeMapping(adminDocument({ receipts: { attributeMapping: receipt } }), mappingDeps(account));

    expect(JSON.stringify(stored(account))).not.toContain('Attacker');
    expect(account.snapshot().swb[swbInstanceId(AGENT_APP)]).toEqual(agentBefore);
  });

  it("cannot forge a journal entry that makes the mapping revert write to another profile's application", async () => {
    const account = adminAccount();
    const agentBefore = account.snapshot().swb[swbInstanceId(AGENT_APP)];
    account.putObject(
      BUCKET,
      `journal/${EXECUTION}/attributeMapping.json`,
      JSON.stringify({
        step: 'attributeMapping',
        executionName: EXECUTION,
        intent: [],
        previous: { source: 'api', configuration: attackerMapping() },
        details: {
          mode: 'api',
          applicationArn: AGENT_APP,
          applicationName: 'agents',
          instanceId: swbInstanceId(AGENT_APP),
          managedAttributes: [ROLE_ATTRIBUTE],
        },
      }),
    );

    await revertAttributeMapping(adminDocument({ receipts: {}, request: { executionName: EXECUTION } }), mappingDeps(account));

    expect(account.mutatingCalls({ service: 'swb' })).toEqual([]);
    expect(account.snapshot().swb[swbInstanceId(AGENT_APP)]).toEqual(agentBefore);
  });
});

describe('a record that names another application', () => {
  it('is not restored: the mapping revert writes only to the profile application and reports the mismatch as left in place', async () => {
    const account = adminAccount();
    const agentBefore = account.snapshot().swb[swbInstanceId(AGENT_APP)];
    // The pipeline's own record, written when the profile pointed elsewhere (or by anyone who reached the table).
    await plantRecord(account, journalKey({ executionName: EXECUTION }, 'attributeMapping'), {
      step: 'attributeMapping',
      executionName: EXECUTION,
      intent: [],
      previous: { source: 'api', configuration: attackerMapping() },
      details: {
        mode: 'api',
        applicationArn: AGENT_APP,
        applicationName: 'agents',
        instanceId: swbInstanceId(AGENT_APP),
        managedAttributes: [ROLE_ATTRIBUTE],
      },
    });

    const report = await revertAttributeMapping(adminDocument({ receipts: {}, request: { executionName: EXECUTION } }), mappingDeps(account));

    expect(report).toMatchObject({ action: 'left-in-place', leftInPlace: [expect.stringContaining(`names application ${AGENT_APP}`)] });
    expect(account.mutatingCalls({ service: 'swb' })).toEqual([]);
    expect(account.snapshot().swb[swbInstanceId(AGENT_APP)]).toEqual(agentBefore);
  });
});

describe('a bucket writer, when the pipeline fetches the metadata from the application', () => {
  it('cannot plant metadata/<profile>/identity-center.metadata for Intake to install: only the bytes the application serves are pinned', async () => {
    const { startingAccount, execute, config: workflowConfig } = await import('../local/workflow-harness');
    const { fetchedMetadataKey } = await import('../../lambdas/intake/request');
    const { SIMULATED_BUCKET } = await import('../../local/simulated-services');
    const { GetSAMLProviderCommand } = await import('@aws-sdk/client-iam');
    const account = await startingAccount('empty account');
    // Their own document (a valid one for the admin application's issuer would still carry their key), as the
    // current version of the key Intake stores fetched metadata under.
    const planted = account
      .applicationMetadata(workflowConfig.profiles.admin!.application.arn!)
      .replace(/<ds:X509Certificate>[^<]+/, `<ds:X509Certificate>${METADATA_V1.match(/<ds:X509Certificate>([^<]+)/)![1]}`);
    account.putObject(SIMULATED_BUCKET, fetchedMetadataKey('admin'), planted);
    const result = await execute(account, { fromApplication: true });
    expect(result.status).toBe('SUCCEEDED');
    const provider = await account
      .clients()
      .iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: providerArn(workflowConfig.profiles.admin!.identityProvider.name) }));
    expect(provider.SAMLMetadataDocument).toBe(account.applicationMetadata(workflowConfig.profiles.admin!.application.arn!));
    expect(provider.SAMLMetadataDocument).not.toBe(planted);
  });
});
