// Every registered method, called with one parameter too many: each answers -32602 (code 1 for
// those that decode their own params) in Lotus's wording with the request's id and no result, and
// the node keeps answering.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { allMethods, v2Methods } from '../../src/eth-rpc/methods/index.js';
import { setupRpc, type RpcResponse } from '../helpers/rpc-harness.js';

describe('method matrix: a bad-arity call to every method', () => {
  test('each registered method answers -32602 with the request id, no result and no data (a channel method over HTTP: -32601 first)', async (t) => {
    const { app } = await setupRpc(t);
    for (const [url, methods] of [['/', allMethods], ['/rpc/v2', v2Methods]] as const) {
      const names = methods.map((m) => m.name);
      assert.equal(new Set(names).size, names.length, `a method is registered twice on ${url}`);
      for (const [i, method] of methods.entries()) {
        const params = Array.from({ length: method.params.length + 1 }, () => null);
        const res = await app.inject({ method: 'POST', url, payload: { jsonrpc: '2.0', id: i, method: method.name, params } });
        assert.equal(res.statusCode, 200, method.name);
        const required = method.params.filter((p) => !p.optional).length;
        const expected = required === method.params.length ? `${required}` : `${required} to ${method.params.length}`;
        // Those Lotus decodes the params of itself answer its code-1 wording (fidaudit F8a); a channel
        // method over HTTP is refused before its params are counted, as go-jsonrpc refuses it.
        const error = method.channel
          ? { code: -32601, message: `method '${method.name}' not supported in this mode (no out channel support)` }
          : method.rawParams
            ? { code: 1, message: `decoding params: expected ${required} or ${method.params.length} params, got ${params.length}` }
            : { code: -32602, message: `wrong param count (method '${method.name}'): ${params.length} != ${expected}` };
        assert.deepEqual(res.json() as RpcResponse, { jsonrpc: '2.0', id: i, error });
      }
    }
    const after = await app.inject({ method: 'POST', url: '/', payload: { jsonrpc: '2.0', id: 'x', method: 'eth_blockNumber', params: [] } });
    assert.deepEqual(after.json(), { jsonrpc: '2.0', id: 'x', result: '0x0' });
  });
});
