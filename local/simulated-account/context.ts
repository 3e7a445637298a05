import type { IdGenerator } from './support';

/** What every simulated service needs from the account it belongs to. */
export interface AccountContext {
  account: string;
  region: string;
  partition: string;
  clock: () => Date;
  ids: IdGenerator;
}

// Inputs arrive as the SDK command's `input`; each handler narrows it to the SDK's input type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handler = (input: any) => object;

/** A service's operations by name ('CreateRole'), each applying the call to the state and returning the SDK output. */
export type Operations = Record<string, Handler>;
