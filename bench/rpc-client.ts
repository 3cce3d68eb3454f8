// JSON-RPC over keep-alive HTTP for the bench: one agent per node, so every request after the
// first reuses an open connection (node:http, whose overhead per request is lower than fetch's).
import { Agent, request } from 'node:http';

// Long enough for a cheat code mining 1000 blocks on a busy machine (Anvil takes seconds).
const REQUEST_TIMEOUT_MS = 120_000;

type RpcReply = { id: number; result?: unknown; error?: { code: number; message: string } };

export class RpcClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly host: string;
  private readonly port: number;
  private nextId = 1;

  constructor(readonly url: string) {
    const { hostname, port } = new URL(url);
    this.host = hostname;
    this.port = Number(port);
  }

  async call<T = string>(method: string, params: unknown[] = []): Promise<T> {
    const reply = (await this.post({ jsonrpc: '2.0', id: this.nextId++, method, params })) as RpcReply;
    if (reply.error) throw new Error(`${method}: ${reply.error.message}`);
    return reply.result as T;
  }

  /** One HTTP request carrying many calls of `method`; the results in request order. */
  async batch<T = string>(method: string, paramsList: unknown[][]): Promise<T[]> {
    const requests = paramsList.map((params) => ({ jsonrpc: '2.0', id: this.nextId++, method, params }));
    const replies = (await this.post(requests)) as RpcReply[];
    const byId = new Map(replies.map((r) => [r.id, r]));
    return requests.map((req) => {
      const r = byId.get(req.id);
      if (!r || r.error) throw new Error(`${method} (batch): ${r?.error?.message ?? 'missing reply'}`);
      return r.result as T;
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private post(body: unknown): Promise<unknown> {
    const payload = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          method: 'POST',
          path: '/',
          agent: this.agent,
          timeout: REQUEST_TIMEOUT_MS,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
            try {
              resolve(JSON.parse(text));
            } catch {
              reject(new Error(`not JSON: ${text.slice(0, 200)}`));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
}
