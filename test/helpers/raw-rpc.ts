// Raw JSON-RPC calls to a node over HTTP for tests that compare whole answers, errors included (code,
// message, data): `rpc` answers the response's result or error, `ok` the result (failing on an error),
// `failure` the error (failing on a result).
import assert from 'node:assert/strict';

export interface RpcError {
  code: number;
  message: string;
  data?: unknown;
}

/** Calls to the node at `url`; `signal` aborts each one's request (a client that gives up, or times out). */
export function rawRpc(url: string, signal?: AbortSignal) {
  const rpc = async <T = any>(method: string, ...params: unknown[]): Promise<{ result?: T; error?: RpcError }> => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), signal });
    return (await response.json()) as { result?: T; error?: RpcError };
  };
  const ok = async <T = any>(method: string, ...params: unknown[]): Promise<T> => {
    const answer = await rpc<T>(method, ...params);
    assert.equal(answer.error, undefined, `${method}: ${answer.error?.message}`);
    return answer.result as T;
  };
  const failure = async (method: string, ...params: unknown[]): Promise<RpcError> => {
    const { error } = await rpc(method, ...params);
    assert.ok(error, `${method} ${JSON.stringify(params)} should fail`);
    return error;
  };
  return { rpc, ok, failure };
}
