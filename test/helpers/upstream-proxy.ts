// A loopback proxy in front of an upstream node for fork tests, which misbehaves on command: it
// holds each request or delays each answer, refuses connections (a dead upstream), or answers HTTP 500 to the JSON-RPC
// methods named in `failing`, alone or in a batch (an upstream that breaks at one step of a warm-up),
// or refuses the methods named in `unserved` as not found (an upstream that does not serve them), alone or in a batch.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';

export interface ProxyMode {
  /** Delay of each answer, once the upstream has given it. */
  delayMs: number;
  /** Delay before each request goes on to the upstream (so it dies with the request still to answer). */
  holdMs: number;
  dead: boolean;
  /** Methods answered with HTTP 500 (which the fork's client retries, then reports). */
  failing: Set<string>;
  /**
   * Methods answered "method not found" (-32601): a single request's with HTTP 500 as Lotus (go-jsonrpc)
   * and --gateway-only answer it; in a batch, that call's answer in the batch's (the others forwarded).
   */
  unserved: Set<string>;
  /** Methods of a single request answered with this JSON-RPC error (HTTP 200): an upstream in trouble. */
  refused: Map<string, { code: number; message: string }>;
  /** The methods of every request received so far, in order (to time a fault to a step of a warm-up). */
  received: string[];
  /** The same, one entry per request (a batch's methods together): the round trips a step took. */
  requests: string[][];
  /** The Authorization header of every request received so far, in order (undefined where it had none). */
  authorizations: (string | undefined)[];
}

/** A call of a JSON-RPC batch. */
interface BatchEntry {
  id: unknown;
  method: string;
}

/** A proxy to `target` for test `t` (closed when it ends), and the switches that make it misbehave. */
export async function upstreamProxy(t: TestContext, target: string): Promise<{ url: string; mode: ProxyMode }> {
  const mode: ProxyMode = { delayMs: 0, holdMs: 0, dead: false, failing: new Set(), unserved: new Set(), refused: new Map(), received: [], requests: [], authorizations: [] };
  const server = createServer((req, res) => {
    if (mode.dead) {
      req.socket.destroy();
      return;
    }
    mode.authorizations.push(req.headers.authorization);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    /** A batch with unserved methods: those answered "method not found" in it, as go-jsonrpc does, the others by the target (one batch). */
    const answerWithUnserved = (batch: BatchEntry[]) => {
      const unserved = batch.filter(({ method }) => mode.unserved.has(method));
      const served = batch.filter(({ method }) => !mode.unserved.has(method));
      const answer = (answers: unknown[]) => {
        const errors = unserved.map(({ id, method }) => ({ jsonrpc: '2.0', id, error: { code: -32601, message: `method '${method}' not found` } }));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([...answers, ...errors]));
      };
      if (served.length === 0) return answer([]);
      const forward = request(`${target}${req.url}`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (upstream) => {
        let text = '';
        upstream.on('data', (chunk: Buffer) => (text += chunk));
        upstream.on('end', () => {
          // A target that did not answer the batch as one (a JSON-RPC error for it all, not JSON): its answer as it is.
          let answers: unknown;
          try {
            answers = JSON.parse(text);
          } catch {
            answers = undefined;
          }
          if (Array.isArray(answers)) answer(answers);
          else res.writeHead(upstream.statusCode ?? 502, upstream.headers).end(text);
        });
      });
      forward.on('error', () => res.destroy());
      forward.end(JSON.stringify(served));
    };
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let methods: unknown[];
      try {
        const request = JSON.parse(body.toString()) as unknown;
        methods = (Array.isArray(request) ? request : [request]).map((r) => (r as { method?: unknown }).method);
      } catch {
        methods = [];
      }
      for (const method of methods) mode.received.push(String(method));
      mode.requests.push(methods.map(String));
      // A batch fails if any of its calls does.
      if (methods.some((method) => typeof method === 'string' && mode.failing.has(method))) {
        res.writeHead(500).end();
        return;
      }
      const single = methods.length === 1 && !body.toString().trimStart().startsWith('[');
      if (single && mode.unserved.has(methods[0] as string)) {
        const { id } = JSON.parse(body.toString()) as { id: unknown };
        const error = { code: -32601, message: `method '${methods[0]}' not found` };
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id, error }));
        return;
      }
      if (!single && methods.some((method) => mode.unserved.has(method as string))) {
        answerWithUnserved(JSON.parse(body.toString()) as BatchEntry[]);
        return;
      }
      const refusal = single ? mode.refused.get(methods[0] as string) : undefined;
      if (refusal) {
        const { id } = JSON.parse(body.toString()) as { id: unknown };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id, error: refusal }));
        return;
      }
      setTimeout(() => {
        const forward = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
          setTimeout(() => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          }, mode.delayMs);
        });
        // A client that gave up (timed out) leaves the forwarded request to fail: that is expected here.
        forward.on('error', () => res.destroy());
        forward.end(body);
      }, mode.holdMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, mode };
}
