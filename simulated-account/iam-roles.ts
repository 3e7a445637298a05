import type {
  AttachRolePolicyCommandInput,
  CreateRoleCommandInput,
  DeleteRoleCommandInput,
  DeleteRolePermissionsBoundaryCommandInput,
  DeleteRolePolicyCommandInput,
  DetachRolePolicyCommandInput,
  GetRoleCommandInput,
  GetRolePolicyCommandInput,
  ListAttachedRolePoliciesCommandInput,
  ListRolePoliciesCommandInput,
  ListRoleTagsCommandInput,
  PutRolePermissionsBoundaryCommandInput,
  PutRolePolicyCommandInput,
  TagRoleCommandInput,
  UntagRoleCommandInput,
  UpdateAssumeRolePolicyCommandInput,
  UpdateRoleCommandInput,
} from '@aws-sdk/client-iam';
import type { Operations } from './context';
import { awsError } from './errors';
import {
  checkName,
  checkPath,
  checkTags,
  encodeDocument,
  IAM_LIMITS,
  mergeTags,
  parsePolicy,
  policySize,
  policyText,
  removeTags,
} from './iam-documents';
import { copyTags, deleteConflict, type IamState, limitExceeded, noSuchEntity, pageOutput, type Role } from './iam-model';
import { compact, ok } from './support';

/** The role itself: create, read, update, delete; its trust policy, boundary and tags. */
function roles(iam: IamState): Operations {
  return {
    CreateRole: (input: CreateRoleCommandInput) => {
      const name = checkName('roleName', input.RoleName, 64);
      const path = checkPath(input.Path);
      const maxSessionDuration = iam.checkMaxSession(input.MaxSessionDuration ?? 3600);
      const description = iam.checkDescription(input.Description);
      const tags = checkTags(input.Tags);
      if (tags.length > IAM_LIMITS.tagsPerResource) throw limitExceeded(`Cannot exceed quota for TagsPerRole: ${IAM_LIMITS.tagsPerResource}`);
      const boundary = input.PermissionsBoundary === undefined ? undefined : iam.attachablePolicy(input.PermissionsBoundary, true).arn;
      if (iam.roles.has(name.toLowerCase())) throw awsError('EntityAlreadyExistsException', `Role with name ${name} already exists.`, 'iam');
      const trustPolicy = iam.checkTrustPolicy(input.AssumeRolePolicyDocument);
      const role: Role = compact({
        name,
        path,
        arn: `arn:${iam.context.partition}:iam::${iam.context.account}:role${path}${name}`,
        roleId: iam.context.ids.iamId('AROA'),
        createDate: iam.context.clock(),
        trustPolicy,
        description,
        maxSessionDuration,
        permissionsBoundary: boundary,
        tags,
        attached: [],
        inline: new Map<string, string>(),
      });
      iam.roles.set(name.toLowerCase(), role);
      return ok({ Role: iam.roleView(role, false) });
    },
    GetRole: (input: GetRoleCommandInput) => ok({ Role: iam.roleView(iam.role(input.RoleName), true) }),
    UpdateAssumeRolePolicy: (input: UpdateAssumeRolePolicyCommandInput) => {
      const role = iam.role(input.RoleName);
      role.trustPolicy = iam.checkTrustPolicy(input.PolicyDocument);
      return ok({});
    },
    UpdateRole: (input: UpdateRoleCommandInput) => {
      const role = iam.role(input.RoleName);
      const maxSessionDuration = input.MaxSessionDuration === undefined ? undefined : iam.checkMaxSession(input.MaxSessionDuration);
      const description = iam.checkDescription(input.Description);
      if (maxSessionDuration !== undefined) role.maxSessionDuration = maxSessionDuration;
      if (description !== undefined) role.description = description;
      return ok({});
    },
    PutRolePermissionsBoundary: (input: PutRolePermissionsBoundaryCommandInput) => {
      const role = iam.role(input.RoleName);
      role.permissionsBoundary = iam.attachablePolicy(input.PermissionsBoundary, true).arn;
      return ok({});
    },
    DeleteRolePermissionsBoundary: (input: DeleteRolePermissionsBoundaryCommandInput) => {
      const role = iam.role(input.RoleName);
      delete role.permissionsBoundary;
      return ok({});
    },
    DeleteRole: (input: DeleteRoleCommandInput) => {
      const role = iam.role(input.RoleName);
      if (role.attached.length > 0) throw deleteConflict('Cannot delete entity, must detach all policies first.');
      if (role.inline.size > 0) throw deleteConflict('Cannot delete entity, must delete policies first.');
      iam.roles.delete(role.name.toLowerCase());
      return ok({});
    },
    ListRoleTags: (input: ListRoleTagsCommandInput) => ok(pageOutput('Tags', iam.page(copyTags(iam.role(input.RoleName).tags), input))),
    TagRole: (input: TagRoleCommandInput) => {
      const role = iam.role(input.RoleName);
      role.tags = mergeTags(role.tags, checkTags(input.Tags), 'Role');
      return ok({});
    },
    UntagRole: (input: UntagRoleCommandInput) => {
      const role = iam.role(input.RoleName);
      role.tags = removeTags(role.tags, input.TagKeys);
      return ok({});
    },
  };
}

/** The managed policies attached to a role. */
function attachedPolicies(iam: IamState): Operations {
  return {
    ListAttachedRolePolicies: (input: ListAttachedRolePoliciesCommandInput) => {
      const role = iam.role(input.RoleName);
      const attached = role.attached
        .flatMap((arn) => iam.policyByArn(arn) ?? [])
        .filter((policy) => input.PathPrefix === undefined || policy.path.startsWith(input.PathPrefix))
        .map((policy) => ({ PolicyName: policy.name, PolicyArn: policy.arn }));
      return ok(pageOutput('AttachedPolicies', iam.page(attached, input)));
    },
    AttachRolePolicy: (input: AttachRolePolicyCommandInput) => {
      const role = iam.role(input.RoleName);
      const policy = iam.attachablePolicy(input.PolicyArn, false);
      if (role.attached.includes(policy.arn)) return ok({});
      if (role.attached.length >= IAM_LIMITS.managedPoliciesPerRole) {
        throw limitExceeded(`Cannot exceed quota for PoliciesPerRole: ${IAM_LIMITS.managedPoliciesPerRole}`);
      }
      role.attached.push(policy.arn);
      return ok({});
    },
    DetachRolePolicy: (input: DetachRolePolicyCommandInput) => {
      const role = iam.role(input.RoleName);
      const index = role.attached.indexOf(input.PolicyArn ?? '');
      if (index === -1) throw noSuchEntity(`Policy ${input.PolicyArn} was not found.`);
      role.attached.splice(index, 1);
      return ok({});
    },
  };
}

/** A role's inline policies. */
function inlinePolicies(iam: IamState): Operations {
  return {
    ListRolePolicies: (input: ListRolePoliciesCommandInput) => {
      const role = iam.role(input.RoleName);
      return ok(pageOutput('PolicyNames', iam.page([...role.inline.keys()].sort(), input)));
    },
    GetRolePolicy: (input: GetRolePolicyCommandInput) => {
      const role = iam.role(input.RoleName);
      const document = role.inline.get(input.PolicyName ?? '');
      if (document === undefined) throw noSuchEntity(`The role policy with name ${input.PolicyName} cannot be found.`);
      return ok({ RoleName: role.name, PolicyName: input.PolicyName, PolicyDocument: encodeDocument(document) });
    },
    PutRolePolicy: (input: PutRolePolicyCommandInput) => {
      const role = iam.role(input.RoleName);
      const name = checkName('policyName', input.PolicyName, 128);
      const document = policyText(input.PolicyDocument);
      parsePolicy(document, 'identity');
      const sizes = [...role.inline.entries()].filter(([other]) => other !== name).map(([, text]) => policySize(text));
      const total = sizes.reduce((sum, size) => sum + size, 0) + policySize(document);
      if (total > IAM_LIMITS.inlinePoliciesSizePerRole) {
        throw limitExceeded(`Maximum policy size of ${IAM_LIMITS.inlinePoliciesSizePerRole} bytes exceeded for role ${role.name}`);
      }
      role.inline.set(name, document);
      return ok({});
    },
    DeleteRolePolicy: (input: DeleteRolePolicyCommandInput) => {
      const role = iam.role(input.RoleName);
      if (!role.inline.delete(input.PolicyName ?? '')) throw noSuchEntity(`The role policy with name ${input.PolicyName} cannot be found.`);
      return ok({});
    },
  };
}

/** IAM's role operations: the role, its trust policy and boundary, tags, attached and inline policies. */
export function roleOperations(iam: IamState): Operations {
  return { ...roles(iam), ...attachedPolicies(iam), ...inlinePolicies(iam) };
}
