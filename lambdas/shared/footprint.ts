import { createHash } from 'node:crypto';
import type { Footprint, StepFootprint } from './document';
import { TAG_PREFIX } from './tags';

/**
 * What a step's resources looked like, field by field: each key names the resource and the field as a person reads
 * it ("role AmazonConnectAdminAccessRole: trust policy"), each value is a short value as it is (a session length, an
 * ARN, a sorted list) or the SHA-256 of a document. A resource that does not exist has its bare name as key and
 * ABSENT as value, and no fields.
 *
 * An apply records two footprints before it changes anything (in its journal entry) and again in its receipt: the one
 * it found (`before`) and the one it leaves (`left`). A revert, the cleanup and `undo` compare the account with them
 * through `changedSince`, the one comparison: a field that is neither what this execution left nor what was there
 * before it was changed by someone else since, and whatever it belongs to is left in place and reported.
 */
export type { Footprint, StepFootprint } from './document';

export const PRESENT = 'present';
export const ABSENT = 'absent';
/** A field the account would not show (the console API may not return a configuration): never counted as a change. */
export const UNREADABLE = 'unreadable';

/** The SHA-256 of a document's canonical text: what a footprint keeps of a policy, a metadata document, a configuration. */
export function digest(text: string): string {
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}

/** A list whose order carries no meaning, as one value. */
export function setValue(items: Iterable<string>): string {
  return [...new Set(items)].sort().join(', ') || '(none)';
}

/** The resource a field belongs to: the key up to its first ": ". */
function resourceOf(key: string): string {
  const colon = key.indexOf(': ');
  return colon === -1 ? key : key.slice(0, colon);
}

/** Whether a value is short enough to show; digests are not worth showing. */
function shown(value: string): string {
  return value.startsWith('sha256:') ? 'another document' : value;
}

/**
 * How the account differs from what a step left, one sentence per resource field, empty when it does not. With
 * `before`, a field may also hold what was there before the step (not written yet, or already put back): only a third
 * value is a change made since. A resource that no longer exists is named once, not field by field.
 */
export function changedSince(left: Footprint, now: Footprint, before?: Footprint): string[] {
  // A field a footprint does not list is one the account does not have (an assignment not made, a resource absent).
  const valueIn = (footprint: Footprint, key: string) => footprint[key] ?? ABSENT;
  const changes: string[] = [];
  const named = new Set<string>();
  for (const [key, value] of Object.entries(left)) {
    const current = valueIn(now, key);
    if (current === value || current === UNREADABLE || value === UNREADABLE) continue;
    if (before !== undefined && current === valueIn(before, key)) continue;
    const resource = resourceOf(key);
    if (named.has(resource)) continue;
    if (key === resource || now[resource] === ABSENT) {
      // The resource itself: gone since (or made since, where this execution left none). Named once, not field by field.
      named.add(resource);
      changes.push(valueIn(now, resource) === ABSENT ? `${resource} no longer exists` : `${resource} exists again`);
      continue;
    }
    if (value === PRESENT && current === ABSENT) {
      changes.push(`${key} was removed since this execution made it`);
      continue;
    }
    changes.push(
      value.startsWith('sha256:') || current.startsWith('sha256:')
        ? `${key} changed since this execution left it`
        : `${key} is now ${shown(current)}, not ${shown(value)} as this execution left it`,
    );
  }
  return changes;
}

/** The footprints of several steps as one: where two name the same field, the later step's value is the one left. */
export function merged(footprints: ReadonlyArray<Footprint | undefined>): Footprint {
  return Object.assign({}, ...footprints.filter((footprint) => footprint !== undefined));
}

/** The ARNs of the resources of a kind a recorded footprint names ("application arn:...", say), in its order. */
export function recordedResources(footprint: Footprint, kind: string): string[] {
  const prefix = `${kind} `;
  return [
    ...new Set(
      Object.keys(footprint)
        .filter((key) => key.startsWith(prefix))
        .map((key) => resourceOf(key).slice(prefix.length)),
    ),
  ];
}

/**
 * The revert's side of the comparison: what stops it, as sentences for its report. Empty when the account still holds
 * what the step left (or, field by field, what was there before it) wherever the revert would write, or when the step
 * recorded no footprint (an execution of an earlier version of the pipeline).
 */
export function laterChanges(recorded: StepFootprint | undefined, now: Footprint): string[] {
  if (recorded === undefined) return [];
  // What the revert would write: the fields the step changed, and every field of a resource it created (a delete takes
  // them all). A field it left as it found it is someone else's to change, and no revert of this step touches it.
  const { before, left } = recorded;
  const guarded = Object.fromEntries(Object.entries(left).filter(([key, value]) => before[key] !== value || before[resourceOf(key)] === ABSENT));
  return changedSince(guarded, now, before).map((change) =>
    change.endsWith(' no longer exists')
      ? `${change}: it was deleted since this execution left it, so what was there before cannot be put back on it`
      : `${change}: left in place, since putting back what was there before this execution would undo that later change`,
  );
}

/**
 * A resource's tags as its footprint keeps them: those someone else put there. The pipeline's own tags say who made
 * the resource and are never evidence on their own (an IAM may drop them); the receipt and journal are the record.
 */
export function tagsValue(tags: ReadonlyArray<{ Key?: string; Value?: string }> | undefined): string {
  return setValue((tags ?? []).filter((tag) => !(tag.Key ?? '').startsWith(TAG_PREFIX)).map((tag) => `${tag.Key ?? ''}=${tag.Value ?? ''}`));
}

/** The key of a role's attached managed policies: the role step leaves them, the policy step changes them. */
export function attachedPoliciesKey(roleName: string): string {
  return `role ${roleName}: attached policies`;
}
