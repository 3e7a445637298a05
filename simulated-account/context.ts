import type { IdGenerator } from './support';

/** What every simulated service needs from the account it belongs to. */
export interface AccountContext {
  account: string;
  region: string;
  partition: string;
  clock: () => Date;
  ids: IdGenerator;
  /** True while a test or the CLI builds a starting state (`SimulatedAccount.seed`): as if long settled, no eventual consistency. */
  seeding: () => boolean;
}

/**
 * Inputs arrive as the SDK command's `input`; each handler declares the SDK's input type of its operation. A table of
 * operations with different input types needs a parameter type every one of them accepts, hence `any` here alone.
 */
// biome-ignore lint/suspicious/noExplicitAny: the operation table's common signature (see above)
type Handler = (input: any) => object;

/** A service's operations by name ('CreateRole'), each applying the call to the state and returning the SDK output. */
export type Operations = Record<string, Handler>;
