import { randomUUID } from 'node:crypto';
import type { ApplicationTemplate, ConsoleApi, ServiceProviderConfig } from '../identity-center/console-api';
import { signinAudienceOf } from '../shared/partitions';
import { ApplicationTemplateNotFoundError } from './errors';

/** The catalog template the pipeline creates applications from, by the name the catalog shows. */
export const CONNECT_TEMPLATE_NAME = 'Amazon Connect';
/** Amazon Connect's pre-integrated catalog application (AWS's integration instructions for it name this id). */
const CONNECT_CATALOG_APPLICATION_ID = 'app-20950d6d247fd7bd';
/** The audience Amazon Connect's instructions give the application: AWS sign-in's. */
const CONNECT_AUDIENCE = 'urn:amazon:webservices';
const HTTP_POST_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

/**
 * The name an application is created under, journalled before the creation. Every public caller sends a UUID, and the
 * name is not the display name (the console does not show it; the console model lists it with each instance); a retry after a lost answer, or a revert working from the
 * journal, finds the instance by listing the instances and matching it, where the listing shows names. Being random,
 * it cannot be guessed and taken first by someone who may create applications.
 */
export function creationName(): string {
  return randomUUID();
}

/**
 * The instance created under the journalled name: its id; 'not-created' only when the listing (every page) shows a
 * name for every instance and none is this one; otherwise 'unknown' (a listing without names, or an empty one, which
 * an answer of another shape would also read as, proves nothing: then only a person can tell).
 */
export async function createdUnderCreationName(swb: ConsoleApi, name: string): Promise<{ instanceId: string } | 'not-created' | 'unknown'> {
  const instances = await swb.listApplicationInstances();
  const found = instances.find((instance) => instance.name === name);
  if (found) return { instanceId: found.instanceId };
  return instances.length > 0 && instances.every((instance) => instance.name !== undefined) ? 'not-created' : 'unknown';
}

/**
 * The "Amazon Connect" template, wherever the catalog lists it. The public sources disagree on the list's input and
 * shape (console-api-shapes.ts): asked for Amazon Connect's catalog application first, as the console's own model
 * requires; then with no input, as a hand-written model has it. A refusal names what the list did hold.
 */
export async function connectTemplate(swb: ConsoleApi, profileName: string, displayName: string): Promise<ApplicationTemplate> {
  const seen: ApplicationTemplate[] = [];
  for (const catalogApplicationId of [CONNECT_CATALOG_APPLICATION_ID, undefined]) {
    let templates: ApplicationTemplate[];
    try {
      templates = await swb.listApplicationTemplates(catalogApplicationId);
    } catch (error) {
      // A service whose request has another shape refuses this one (Mapping.Rejected): try the other.
      if ((error as Error).name !== 'Mapping.Rejected') throw error;
      continue;
    }
    const found = templates.find((template) => template.name === CONNECT_TEMPLATE_NAME);
    if (found) return found;
    seen.push(...templates);
  }
  const listed = [...new Set(seen.map((template) => `"${template.name}" (${template.templateId})`))];
  throw new ApplicationTemplateNotFoundError(
    `profile ${profileName}: IAM Identity Center's catalog lists no "${CONNECT_TEMPLATE_NAME}" template (asked for catalog application ${CONNECT_CATALOG_APPLICATION_ID}, then for every template; it listed ${listed.length > 0 ? listed.join(', ') : 'nothing'}), ` +
      `so application "${displayName}" cannot be created. Add "Amazon Connect" from the IAM Identity Center console's catalog, name it "${displayName}", and name it in the profile with application.arn instead of application.create.`,
  );
}

/** Amazon Connect's service provider as its instructions give it: AWS sign-in of the partition receives the assertion. */
export function connectServiceProvider(partition: string): ServiceProviderConfig {
  return {
    audience: CONNECT_AUDIENCE,
    requireRequestSignature: false,
    // As every public caller sends it.
    consumers: [{ location: signinAudienceOf(partition), binding: HTTP_POST_BINDING, defaultValue: false }],
  };
}
