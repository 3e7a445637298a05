import { TagRoleCommand, UntagRoleCommand } from '@aws-sdk/client-iam';
import { intakeFunction, newApplicationIntakeFunction } from '../../lambdas/intake/step';
import { outcomeFunction } from '../../lambdas/outcome/step';
import { onExecutionDocument, type PipelineFunction, type StepDefinition } from '../../lambdas/runtime/function';
import { roleArn } from '../../lambdas/shared/arns';
import type { ExecutionDocument, Receipt, RevertReport, StepName } from '../../lambdas/shared/document';
import { readJournal, writeJournal } from '../../lambdas/shared/journal';
import { grants } from '../../lambdas/shared/permissions';
import { STEPS } from '../../lambdas/steps';
import { FUNCTIONS } from '../../lambdas/workflow-functions';
import { runLocalExecution } from '../../local/runner';
import { holdDocument, SIMULATED_BUCKET, simulatedServices } from '../../local/simulated-services';
import { buildFederationDefinition, renderDefinition } from '../../statemachine/build';
import { readAslText, registryProblems } from '../../statemachine/definition';
import { admin, config, metadataV1, resources, startingAccount } from '../local/workflow-harness';

describe('statemachine/build.ts', () => {
  it('wrote statemachine/federation.asl.json, byte for byte (npm run build:asl regenerates it)', () => {
    expect(readAslText()).toBe(renderDefinition());
  });

  it("builds a definition the registry's own check accepts", () => {
    expect(registryProblems(buildFederationDefinition())).toEqual([]);
  });
});

/**
 * A step added the way a new one is: its folder (here, its functions inline) and one entry in the registry. It tags
 * the federation role, journalling first, and its revert takes the tag off.
 */
const TAG = { Key: 'team', Value: 'contact-centre' };
const NAME = 'roleTag' as StepName;

async function applyRoleTag(doc: ExecutionDocument, deps: Parameters<Parameters<typeof onExecutionDocument>[0]>[1]): Promise<Receipt> {
  const arn = roleArn({ partition: doc.request.partition, account: doc.request.account }, doc.profile.role.name, doc.profile.role.path);
  if (doc.request.dryRun) return { step: NAME, action: 'planned', arn, changes: [`would tag ${arn}`] };
  await writeJournal(deps.records, doc.request, { step: NAME, intent: [`tag ${arn}`] }, deps.now);
  await deps.iam.send(new TagRoleCommand({ RoleName: doc.profile.role.name, Tags: [TAG] }));
  return { step: NAME, action: 'updated', arn, changes: [`tagged ${arn}`] };
}

async function revertRoleTag(doc: ExecutionDocument, deps: Parameters<Parameters<typeof onExecutionDocument>[0]>[1]): Promise<RevertReport> {
  const tagged = doc.receipts?.[NAME]?.action === 'updated' || (await readJournal(deps.records, doc.request, NAME)) !== undefined;
  if (!tagged) return { step: NAME, action: 'nothing-to-do', changes: [] };
  await deps.iam.send(new UntagRoleCommand({ RoleName: doc.profile.role.name, TagKeys: [TAG.Key] }));
  return { step: NAME, action: 'restored', changes: ['took the tag off'] };
}

function fn(key: string, kind: 'apply' | 'revert', state: string, run: PipelineFunction['run']): PipelineFunction<never> {
  return {
    key,
    kind,
    state,
    handler: { entry: 'test/statemachine/build.test.ts', export: key },
    description: state,
    memorySize: 128,
    timeoutSeconds: 30,
    permissions: (scope) => grants(scope).result(),
    run: run as PipelineFunction<never>['run'],
  };
}

const roleTagStep: StepDefinition = {
  name: NAME,
  label: 'Role tag',
  comment: "Tags the federation role with the profile's team.",
  apply: fn('roleTagApply', 'apply', 'Tag federation role', onExecutionDocument(applyRoleTag)),
  revert: fn('roleTagRevert', 'revert', 'Revert role tag', onExecutionDocument(revertRoleTag)),
  readFootprint: async () => ({}),
};

/** The registry with the new step after the role, and the functions of that workflow. */
const afterRole = STEPS.findIndex((step) => step.name === 'role') + 1;
const steps: StepDefinition[] = [...STEPS.slice(0, afterRole), roleTagStep, ...STEPS.slice(afterRole)];
const functions = [intakeFunction, newApplicationIntakeFunction, ...steps.flatMap((step) => [step.apply, step.revert]), outcomeFunction];
const workflow = { definition: buildFederationDefinition(steps), functions };

async function run(account: Awaited<ReturnType<typeof startingAccount>>) {
  const key = 'metadata/admin/idp.xml';
  holdDocument(account, config, 'admin', metadataV1);
  const versionId = account.putObject(SIMULATED_BUCKET, key, metadataV1);
  return runLocalExecution({
    services: simulatedServices(account),
    config,
    input: { bucket: SIMULATED_BUCKET, key, versionId },
    retryIntervalMs: 0,
    workflow,
  });
}

const tagsOfRole = (account: Awaited<ReturnType<typeof startingAccount>>) => account.snapshot().iam.roles[admin.role.name]?.tags ?? {};

describe('a step added as one registry entry', () => {
  it('is wired by the builder: its Task, its revert and its place in every rollback', () => {
    expect(registryProblems(workflow.definition, steps, functions)).toEqual([]);
    expect(workflow.definition.States['Create or update federation role']?.Next).toBe('Tag federation role');
    expect(workflow.definition.States['Tag federation role']?.Next).toBe('Attach permissions policy');
    expect(workflow.definition.States['Revert permissions policy']?.Next).toBe('Revert role tag');
    expect(workflow.definition.States['Revert role tag']?.Next).toBe('Revert federation role');
    expect(functions).toHaveLength(FUNCTIONS.length + 2);
  });

  it('runs with the others and leaves its change', async () => {
    const account = await startingAccount('role exists with other policies');
    const result = await run(account);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output?.receipts?.[NAME]).toMatchObject({ action: 'updated' });
    expect(tagsOfRole(account)).toMatchObject({ [TAG.Key]: TAG.Value });
  });

  it('when it fails, the rollback reverts it and every earlier step', async () => {
    const account = await startingAccount('role exists with other policies');
    const before = resources(account);
    account.faults.inject({ service: 'iam', operation: 'TagRole', error: 'AccessDenied', afterEffect: true });
    const result = await run(account);
    expect(result).toMatchObject({ status: 'FAILED', error: 'Provisioning.RolledBack' });
    expect(result.timeline.some((entry) => entry.state === 'Revert role tag' && entry.event === 'entered')).toBe(true);
    expect(resources(account)).toEqual(before);
  });

  it('when a later step fails, the rollback reverts it in its turn', async () => {
    const account = await startingAccount('role exists with other policies');
    const before = resources(account);
    account.faults.inject({ service: 'swb', operation: 'UpdateApplicationInstanceResponseConfiguration', error: 'AccessDeniedException' });
    const result = await run(account);
    expect(result).toMatchObject({ status: 'FAILED', error: 'Provisioning.RolledBack' });
    expect(result.output).toBeUndefined();
    expect(tagsOfRole(account)).not.toHaveProperty(TAG.Key);
    expect(resources(account)).toEqual(before);
  });
});
