import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SwbServiceFault, UnsupportedCommandError } from '../../simulated-account/errors';
import type { SimulatedAccount } from '../../simulated-account/index';

/** One request as the endpoint received it, for tests of the HTTP adapter's wire format and signature. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  operation: string;
}

/** A raw HTTP answer, for what the service model cannot express (a proxy's HTML page, a 429 without a body). */
export interface RawAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export interface SwbEndpointOptions {
  /** Answer GetApplicationInstance with the mapping under `applicationInstance` rather than at the top level. */
  nested?: boolean;
}

/**
 * The simulated account's console API (SWBService) on 127.0.0.1 as JSON 1.1 over HTTP, so the real, signing adapter
 * (lambdas/identity-center/console-client.ts) can be tested on the wire: `POST /control/` with `X-Amz-Target:
 * SWBService.<Operation>`. State, faults and the call log are the account's; the endpoint only records requests and,
 * when told, answers one call with raw HTTP.
 */
export class SwbHttpEndpoint {
  public readonly requests: RecordedRequest[] = [];
  public url = '';
  private server: Server | undefined;
  private readonly raw = new Map<string, RawAnswer[]>();

  public constructor(
    private readonly account: SimulatedAccount,
    private readonly options: SwbEndpointOptions = {},
  ) {}

  public async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf-8');
        const operation = String(req.headers['x-amz-target'] ?? '').replace(/^SWBService\./, '');
        this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, operation });
        void this.answer(operation, body).then((answer) => {
          res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1', ...answer.headers });
          res.end(answer.body ?? '');
        });
      });
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/control/`;
  }

  public async stop(): Promise<void> {
    const server = this.server;
    if (server) await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  }

  /** The next call of `operation` gets this raw answer instead of reaching the account. */
  public answerNext(operation: string, answer: RawAnswer): void {
    this.raw.set(operation, [...(this.raw.get(operation) ?? []), answer]);
  }

  private async answer(operation: string, body: string): Promise<RawAnswer> {
    const raw = this.raw.get(operation)?.shift();
    if (raw) return raw;
    try {
      const output = await this.account.swbCall(operation, JSON.parse(body || '{}') as object);
      if (operation !== 'GetApplicationInstance' || !this.options.nested) return { status: 200, body: JSON.stringify(output) };
      const { applicationInstance, ...mapping } = output as { applicationInstance: { instanceId: string } };
      return {
        status: 200,
        body: JSON.stringify({ instanceId: applicationInstance.instanceId, applicationInstance: { ...applicationInstance, ...mapping } }),
      };
    } catch (error) {
      if (error instanceof SwbServiceFault) return { status: error.status, body: error.body() };
      if (error instanceof UnsupportedCommandError)
        return { status: 400, body: new SwbServiceFault(operation, 'UnknownOperationException', operation).body() };
      return { status: 500, body: new SwbServiceFault(operation, 'InternalServerException', (error as Error).message).body() };
    }
  }
}
