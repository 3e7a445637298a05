import type {
  CreatePolicyCommandInput,
  CreatePolicyVersionCommandInput,
  DeletePolicyCommandInput,
  DeletePolicyVersionCommandInput,
  GetPolicyCommandInput,
  GetPolicyVersionCommandInput,
  ListEntitiesForPolicyCommandInput,
  ListPoliciesCommandInput,
  ListPolicyTagsCommandInput,
  ListPolicyVersionsCommandInput,
  SetDefaultPolicyVersionCommandInput,
  TagPolicyCommandInput,
  UntagPolicyCommandInput,
} from '@aws-sdk/client-iam';
import type { Operations } from './context';
import { awsError } from './errors';
import { checkName, checkPath, checkTags, encodeDocument, IAM_LIMITS, mergeTags, removeTags } from './iam-documents';
import { copyTags, deleteConflict, type IamState, limitExceeded, type ManagedPolicy, pageOutput } from './iam-model';
import { compact, ok } from './support';

/** A customer managed policy itself: create, read, list, delete. */
function managedPolicies(iam: IamState): Operations {
  return {
    CreatePolicy: (input: CreatePolicyCommandInput) => {
      const name = checkName('policyName', input.PolicyName, 128);
      const path = checkPath(input.Path);
      const description = iam.checkDescription(input.Description);
      const tags = checkTags(input.Tags);
      if (tags.length > IAM_LIMITS.tagsPerResource) throw limitExceeded(`Cannot exceed quota for TagsPerPolicy: ${IAM_LIMITS.tagsPerResource}`);
      const document = iam.checkManagedDocument(input.PolicyDocument);
      if (iam.policies.has(name.toLowerCase())) {
        throw awsError('EntityAlreadyExistsException', `A policy called ${name} already exists. Duplicate names are not allowed.`, 'iam');
      }
      const now = iam.context.clock();
      const policy: ManagedPolicy = compact({
        name,
        path,
        arn: `arn:${iam.context.partition}:iam::${iam.context.account}:policy${path}${name}`,
        policyId: iam.context.ids.iamId('ANPA'),
        description,
        createDate: now,
        updateDate: now,
        defaultVersionId: 'v1',
        versions: new Map([['v1', { document, createDate: now }]]),
        nextVersion: 2,
        tags,
        awsManaged: false,
      });
      iam.policies.set(name.toLowerCase(), policy);
      const view = iam.policyView(policy);
      delete view.Description;
      return ok({ Policy: view });
    },
    GetPolicy: (input: GetPolicyCommandInput) => ok({ Policy: iam.policyView(iam.policy(input.PolicyArn)) }),
    ListPolicies: (input: ListPoliciesCommandInput) => {
      const scope = input.Scope ?? 'All';
      const all = [...(scope === 'Local' ? [] : iam.awsPolicies.values()), ...(scope === 'AWS' ? [] : iam.policies.values())];
      const matching = all
        .filter((policy) => input.PathPrefix === undefined || policy.path.startsWith(input.PathPrefix))
        .filter((policy) => !input.OnlyAttached || iam.attachmentCount(policy.arn) > 0)
        .sort((a, b) => a.arn.localeCompare(b.arn))
        .map((policy) => {
          const view = iam.policyView(policy);
          delete view.Description;
          delete view.Tags;
          return view;
        });
      return ok(pageOutput('Policies', iam.page(matching, input)));
    },
    DeletePolicy: (input: DeletePolicyCommandInput) => {
      const policy = iam.customerPolicy(input.PolicyArn);
      if (iam.attachmentCount(policy.arn) > 0 || iam.boundaryUsageCount(policy.arn) > 0) {
        throw deleteConflict('Cannot delete a policy attached to entities.');
      }
      if (policy.versions.size > 1) {
        throw deleteConflict(
          "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
        );
      }
      iam.policies.delete(policy.name.toLowerCase());
      return ok({});
    },
  };
}

/** A managed policy's versions, and which of them is the default. */
function policyVersions(iam: IamState): Operations {
  return {
    GetPolicyVersion: (input: GetPolicyVersionCommandInput) => {
      const policy = iam.policy(input.PolicyArn);
      const [, version] = iam.version(policy, input.VersionId);
      return ok({
        PolicyVersion: {
          Document: encodeDocument(version.document),
          VersionId: input.VersionId,
          IsDefaultVersion: policy.defaultVersionId === input.VersionId,
          CreateDate: new Date(version.createDate),
        },
      });
    },
    ListPolicyVersions: (input: ListPolicyVersionsCommandInput) => {
      const policy = iam.policy(input.PolicyArn);
      const versions = [...policy.versions.entries()]
        .sort(([a], [b]) => Number(b.slice(1)) - Number(a.slice(1)))
        .map(([versionId, version]) => ({
          VersionId: versionId,
          IsDefaultVersion: versionId === policy.defaultVersionId,
          CreateDate: new Date(version.createDate),
        }));
      return ok(pageOutput('Versions', iam.page(versions, input)));
    },
    CreatePolicyVersion: (input: CreatePolicyVersionCommandInput) => {
      const policy = iam.customerPolicy(input.PolicyArn);
      const document = iam.checkManagedDocument(input.PolicyDocument);
      if (policy.versions.size >= IAM_LIMITS.versionsPerPolicy) {
        throw limitExceeded(
          `A managed policy can have up to ${IAM_LIMITS.versionsPerPolicy} versions. Before you create a new version, you must delete an existing version.`,
        );
      }
      const versionId = `v${policy.nextVersion}`;
      const now = iam.context.clock();
      policy.nextVersion += 1;
      policy.versions.set(versionId, { document, createDate: now });
      if (input.SetAsDefault) {
        policy.defaultVersionId = versionId;
        policy.updateDate = now;
      }
      return ok({ PolicyVersion: { VersionId: versionId, IsDefaultVersion: policy.defaultVersionId === versionId, CreateDate: new Date(now) } });
    },
    SetDefaultPolicyVersion: (input: SetDefaultPolicyVersionCommandInput) => {
      const policy = iam.customerPolicy(input.PolicyArn);
      const [versionId] = iam.version(policy, input.VersionId);
      policy.defaultVersionId = versionId;
      policy.updateDate = iam.context.clock();
      return ok({});
    },
    DeletePolicyVersion: (input: DeletePolicyVersionCommandInput) => {
      const policy = iam.customerPolicy(input.PolicyArn);
      const [versionId] = iam.version(policy, input.VersionId);
      if (policy.defaultVersionId === versionId) throw deleteConflict('Cannot delete the default version of a policy.');
      policy.versions.delete(versionId);
      return ok({});
    },
  };
}

/** A managed policy's tags, and the roles it is attached to or bounds. */
function policyTagsAndUse(iam: IamState): Operations {
  return {
    ListPolicyTags: (input: ListPolicyTagsCommandInput) => ok(pageOutput('Tags', iam.page(copyTags(iam.policy(input.PolicyArn).tags), input))),
    TagPolicy: (input: TagPolicyCommandInput) => {
      const policy = iam.customerPolicy(input.PolicyArn);
      policy.tags = mergeTags(policy.tags, checkTags(input.Tags), 'Policy');
      return ok({});
    },
    UntagPolicy: (input: UntagPolicyCommandInput) => {
      const policy = iam.customerPolicy(input.PolicyArn);
      policy.tags = removeTags(policy.tags, input.TagKeys);
      return ok({});
    },
    ListEntitiesForPolicy: (input: ListEntitiesForPolicyCommandInput) => {
      const policy = iam.policy(input.PolicyArn);
      const usage = input.PolicyUsageFilter;
      const roles =
        input.EntityFilter === undefined ||
        input.EntityFilter === 'Role' ||
        input.EntityFilter === 'LocalManagedPolicy' ||
        input.EntityFilter === 'AWSManagedPolicy'
          ? [...iam.roles.values()]
              .filter((role) => input.PathPrefix === undefined || role.path.startsWith(input.PathPrefix))
              .filter(
                (role) =>
                  (usage !== 'PermissionsBoundary' && role.attached.includes(policy.arn)) ||
                  (usage !== 'PermissionsPolicy' && role.permissionsBoundary === policy.arn),
              )
              .sort((a, b) => a.name.localeCompare(b.name))
              .map((role) => ({ RoleName: role.name, RoleId: role.roleId }))
          : [];
      const page = iam.page(roles, input);
      return ok(compact({ PolicyGroups: [], PolicyUsers: [], PolicyRoles: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker }));
    },
  };
}

/** IAM's managed policy operations: policies, their versions and tags, and what they are attached to. */
export function policyOperations(iam: IamState): Operations {
  return { ...managedPolicies(iam), ...policyVersions(iam), ...policyTagsAndUse(iam) };
}
