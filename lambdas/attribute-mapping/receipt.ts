import type { Receipt } from '../shared/document';
import type { MappingConfiguration } from './mapping';

/**
 * Where the previous configuration came from. The console API may not return the mapping (docs/design.md), so the step
 * falls back to what the pipeline itself last wrote; when neither exists the previous values are unknown and a revert
 * can only take the pipeline's attributes out again.
 */
type PreviousSource = 'api' | 'pipeline-state' | 'unknown';

/** The receipt's and the journal's `previous`. */
export interface PreviousMapping {
  source: PreviousSource;
  /** Absent when `source` is 'unknown'. */
  configuration?: MappingConfiguration;
}

/** What an operator must enter in manual mode; the state machine publishes it with the task token. */
interface ManualMapping {
  applicationName: string;
  applicationArn: string;
  /** Attribute name -> value, the Role attribute included. */
  attributes: Record<string, string>;
  subject: { source: string; nameIdFormat: string };
  relayState?: string;
  /** The text for people: the application, then each attribute and value. */
  message: string;
}

/** The two halves the console API writes separately (docs/design.md): a failure can leave one written and not the other. */
export type MappingPart = 'responseConfig' | 'responseSchemaConfig';

/** The receipt's and the journal's `details`. */
export type AttributeMappingDetails = {
  mode: 'api' | 'manual';
  applicationArn: string;
  applicationName: string;
  instanceArn?: string;
  /** The console API's id, `ins-<id>`. */
  instanceId: string;
  /** Attributes the pipeline sets for this profile; a revert of an unknown previous configuration removes them. */
  managedAttributes: string[];
  /** The profile's relay state, written with the response configuration. */
  relayState?: string;
  /** What the read-back after the write showed of the relay state; only 'written and read back' claims it. */
  relayStateStatus?: 'written and read back' | 'already set' | 'not confirmed';
  /** The configuration written (apply), about to be written (journal) or that would be written (dry run). */
  configuration?: MappingConfiguration;
  /**
   * The parts this execution has started to write, recorded in the journal before each write: when the current
   * configuration cannot be read, a revert rewrites only these, never a part the apply did not touch.
   */
  attempted?: MappingPart[];
  manual?: ManualMapping;
};

export type AttributeMappingReceipt = Receipt<PreviousMapping> & { step: 'attributeMapping'; details: AttributeMappingDetails };
