import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResponseConfig, ResponseSchemaConfig } from '../../../../lambdas/attribute-mapping/swb-api';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  operation: string;
}

export interface InjectedAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

interface StoredInstance {
  responseConfig?: ResponseConfig;
  responseSchemaConfig?: ResponseSchemaConfig;
}

/**
 * Stands in for `https://sso.<region>.amazonaws.com/control/` on 127.0.0.1: keeps each application instance's mapping in
 * memory, answers as JSON 1.1, and can be told to fail the next call of an operation or to hide the mapping on reads
 * (the behaviour DESIGN.md cannot confirm).
 */
export class FakeSwbService {
  public readonly requests: RecordedRequest[] = [];
  public readonly instances = new Map<string, StoredInstance>();
  /** False: GetApplicationInstance answers without the mapping, as the real API might. */
  public returnsConfig = true;
  /** True: the mapping is returned under `applicationInstance` rather than at the top level. */
  public nested = false;
  private readonly faults = new Map<string, InjectedAnswer[]>();
  private server: Server | undefined;
  public url = '';

  public constructor(private readonly log: string[] = []) {}

  public async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf-8');
        const target = String(req.headers['x-amz-target'] ?? '');
        const operation = target.replace(/^SWBService\./, '');
        this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, operation });
        this.log.push(`swb:${operation}`);
        const answer = this.answer(operation, body);
        res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1', ...answer.headers });
        res.end(answer.body ?? '');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/control/`;
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.server?.close((error) => (error ? reject(error) : resolve())) ?? resolve());
  }

  public reset(): void {
    this.requests.length = 0;
    this.instances.clear();
    this.faults.clear();
    this.returnsConfig = true;
    this.nested = false;
  }

  /** The next call of `operation` gets this answer instead of being served. */
  public failNext(operation: string, answer: InjectedAnswer): void {
    this.faults.set(operation, [...(this.faults.get(operation) ?? []), answer]);
  }

  public writes(): RecordedRequest[] {
    return this.requests.filter((request) => request.operation.startsWith('Update'));
  }

  private answer(operation: string, body: string): InjectedAnswer {
    const fault = this.faults.get(operation)?.shift();
    if (fault) return fault;
    const input = JSON.parse(body) as { instanceId: string; responseConfig?: ResponseConfig; responseSchemaConfig?: ResponseSchemaConfig };
    const stored = this.instances.get(input.instanceId);
    switch (operation) {
      case 'GetApplicationInstance': {
        if (!stored) return error(400, 'ResourceNotFoundException', `no application instance ${input.instanceId}`);
        const mapping = this.returnsConfig ? structuredClone(stored) : {};
        const view = { instanceId: input.instanceId, name: 'app', ...(this.nested ? {} : mapping) };
        return { status: 200, body: JSON.stringify(this.nested ? { applicationInstance: { ...view, ...mapping } } : view) };
      }
      case 'UpdateApplicationInstanceResponseConfiguration':
        if (!stored) return error(400, 'ResourceNotFoundException', `no application instance ${input.instanceId}`);
        stored.responseConfig = structuredClone(input.responseConfig);
        return { status: 200, body: '{}' };
      case 'UpdateApplicationInstanceResponseSchemaConfiguration':
        if (!stored) return error(400, 'ResourceNotFoundException', `no application instance ${input.instanceId}`);
        stored.responseSchemaConfig = structuredClone(input.responseSchemaConfig);
        return { status: 200, body: '{}' };
      default:
        return error(400, 'UnknownOperationException', operation);
    }
  }
}

export function error(status: number, type: string, message: string): InjectedAnswer {
  return { status, body: JSON.stringify({ __type: `com.amazonaws.swbservice#${type}`, message }) };
}
