// The explorer's way to the node: JSON-RPC over HTTP to the page's own origin (single calls and
// batches) and a WebSocket subscription to new heads, as any other client of the node.

class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

interface RpcAnswer<T = any> {
  result?: T;
  error?: { code: number; message: string };
}

let nextId = 0;

async function post(body: unknown): Promise<any> {
  const res = await fetch('/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new RpcError(-32603, `HTTP ${res.status}`);
  return res.json();
}

/** One call; its error becomes an RpcError. */
export async function call<T = any>(method: string, params: unknown[] = []): Promise<T> {
  const answer = (await post({ jsonrpc: '2.0', id: ++nextId, method, params })) as RpcAnswer<T>;
  if (answer.error) throw new RpcError(answer.error.code, answer.error.message);
  return answer.result as T;
}

/** Many calls in one request; the answers in the calls' order, errors left in place. */
export async function batch<T = any>(calls: [method: string, params: unknown[]][]): Promise<RpcAnswer<T>[]> {
  if (calls.length === 0) return [];
  const first = nextId + 1;
  nextId += calls.length;
  const answers = (await post(calls.map(([method, params], i) => ({ jsonrpc: '2.0', id: first + i, method, params })))) as (RpcAnswer<T> & { id: number })[];
  const byId = new Map(answers.map((a) => [a.id, a]));
  return calls.map((_, i) => byId.get(first + i) ?? { error: { code: -32603, message: 'no answer' } });
}

/** The results of a batch that must all succeed. */
export async function batchResults<T = any>(calls: [method: string, params: unknown[]][]): Promise<T[]> {
  return (await batch<T>(calls)).map((a) => {
    if (a.error) throw new RpcError(a.error.code, a.error.message);
    return a.result as T;
  });
}

/** Calls `onHead` with each new head's number (eth_subscribe newHeads); reconnects when the node restarts. */
export function subscribeHeads(onHead: (epoch: number) => void): void {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`);
  ws.onopen = () => ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] }));
  ws.onmessage = (event) => {
    const message = JSON.parse(String(event.data)) as { method?: string; params?: { result?: { number?: string } } };
    const number = message.method === 'eth_subscription' ? message.params?.result?.number : undefined;
    if (number) onHead(Number(number));
  };
  ws.onclose = () => setTimeout(() => subscribeHeads(onHead), 2000);
}
