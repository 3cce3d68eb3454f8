// The fork's upstream client against a real HTTP server on loopback: answers, JSON-RPC errors passed
// on as answers (also go-jsonrpc's HTTP 500 ones), retries with backoff on 5xx / 429 / a gateway's
// rate limit / timeouts / refused connections, and errors that name the call; answers past the size
// bound refused unretried; the URL forms --fork-url accepts; the node's own server's 508 refusing
// the fork, in Fork.open also with a fork point cached for the URL.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import pino from 'pino';
import { Fork } from '../../src/devnet/fork/fork.js';
import { ForkCache } from '../../src/devnet/fork/fork-cache.js';
import { emptyForkData } from '../../src/devnet/fork/fork-source.js';
import { ANSWER_MAX_BYTES, displayUrl, SELF_HEADER, SelfUpstreamError, namesListenAddress, TABLE_ANSWER_MAX_BYTES, Upstream, UpstreamAnswerError, UpstreamError, upstreamEndpoint } from '../../src/devnet/fork/upstream.js';
import { toJsonRpcError } from '../../src/eth-rpc/errors.js';
import { testForkPoint } from '../helpers/fork-point.js';

/** A server whose n-th request (from 0) is answered by `answer(n, body, res)`. */
async function serve(t: TestContext, answer: (n: number, body: { method: string; params: unknown[]; id: number }, req: IncomingMessage, res: ServerResponse) => void) {
  let n = 0;
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => answer(n++, JSON.parse(text), req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/rpc/v1`, requests: () => n };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('upstream client', () => {
  test('answers results, sends the token, and passes a JSON-RPC error on with its code', async (t) => {
    const seen: string[] = [];
    const { url } = await serve(t, (_n, body, req, res) => {
      seen.push(String(req.headers.authorization));
      if (body.method === 'Filecoin.StateLookupID') json(res, 200, { jsonrpc: '2.0', id: body.id, error: { code: 10, message: 'actor not found' } });
      else json(res, 200, { jsonrpc: '2.0', id: body.id, result: body.params });
    });
    const upstream = new Upstream(new URL(url), { token: 'secret', retries: 0 });
    assert.deepEqual(await upstream.call('echo', [1, 'a']), [1, 'a']);
    const error = await upstream.call('Filecoin.StateLookupID', ['t1abc', null]).catch((e: unknown) => e);
    assert.ok(error instanceof UpstreamAnswerError);
    assert.equal(error.code, 10);
    assert.equal(error.message, 'upstream Filecoin.StateLookupID: actor not found');
    assert.deepEqual(seen, ['Bearer secret', 'Bearer secret']);
  });

  test("an upstream revert keeps its data, so that a routed eth_call's revert still decodes in ethers and viem", async (t) => {
    const revert = '0x08c379a0' + '00'.repeat(31) + '20' + '00'.repeat(31) + '04' + Buffer.from('nope').toString('hex').padEnd(64, '0');
    const { url } = await serve(t, (_n, body, _req, res) => json(res, 200, { jsonrpc: '2.0', id: body.id, error: { code: 3, message: 'execution reverted', data: revert } }));
    const error = await new Upstream(new URL(url), { retries: 0 }).call('eth_call', [{}, '0x1']).catch((e: unknown) => e);
    assert.ok(error instanceof UpstreamAnswerError);
    assert.deepEqual(toJsonRpcError(error, pino({ enabled: false })), { code: 3, message: 'upstream eth_call: execution reverted', data: revert });
  });

  test('retries 5xx and 429 with backoff, then answers', async (t) => {
    const { url, requests } = await serve(t, (n, body, _req, res) => {
      if (n === 0) json(res, 503, {});
      else if (n === 1) json(res, 429, {});
      else json(res, 200, { jsonrpc: '2.0', id: body.id, result: 'ok' });
    });
    const upstream = new Upstream(new URL(url), { retries: 3, backoffMs: 10 });
    assert.equal(await upstream.call('eth_chainId', []), 'ok');
    assert.equal(requests(), 3);
    assert.deepEqual(upstream.stats, { requests: 3, retries: 2 });
  });

  test('a slow upstream times out; after the retries the error names the call and the URL', async (t) => {
    const { url } = await serve(t, (_n, body, _req, res) => {
      setTimeout(() => json(res, 200, { jsonrpc: '2.0', id: body.id, result: 'late' }), 300);
    });
    const upstream = new Upstream(new URL(url), { retries: 1, backoffMs: 10, timeoutMs: 50 });
    await assert.rejects(upstream.call('eth_getCode', ['0x00', '0x1']), (e: unknown) => {
      assert.ok(e instanceof UpstreamError);
      assert.equal(e.message, `upstream eth_getCode failed after 2 attempts: timed out (${url})`);
      return true;
    });
    // Counted by the client: on a loaded machine an attempt may time out before the server has read it.
    assert.deepEqual(upstream.stats, { requests: 2, retries: 1 });
  });

  test('a refused connection and a non-JSON-RPC answer are failures, not answers', async (t) => {
    const { url } = await serve(t, (_n, _body, _req, res) => json(res, 200, { hello: 'world' }));
    await assert.rejects(new Upstream(new URL(url), { retries: 0 }).call('eth_chainId', []), /upstream eth_chainId failed after 1 attempts: not a JSON-RPC answer/);
    // A port nothing listens on: one that was just free.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(new Upstream(new URL(`http://127.0.0.1:${port}/rpc/v1`), { retries: 0 }).call('eth_chainId', []), /upstream eth_chainId failed after 1 attempts: .*ECONNREFUSED/);
  });

  test('calls made together go as one batch; each gets its own answer or error, matched by id', async (t) => {
    const { url, requests } = await serve(t, (_n, body, _req, res) => {
      const batch = body as unknown as { method: string; params: unknown[]; id: number }[];
      assert.ok(Array.isArray(batch));
      const replies = batch.map((call) =>
        call.method === 'Filecoin.StateLookupID' ? { jsonrpc: '2.0', id: call.id, error: { code: 10, message: 'actor not found' } } : { jsonrpc: '2.0', id: call.id, result: call.params[0] },
      );
      json(res, 200, replies.reverse());
    });
    const upstream = new Upstream(new URL(url));
    const [a, b, missing] = await Promise.allSettled([upstream.call('eth_getStorageAt', [1]), upstream.call('eth_getStorageAt', [2]), upstream.call('Filecoin.StateLookupID', ['t1abc', null])]);
    assert.deepEqual([a, b], [
      { status: 'fulfilled', value: 1 },
      { status: 'fulfilled', value: 2 },
    ]);
    assert.ok(missing.status === 'rejected' && missing.reason instanceof UpstreamAnswerError && missing.reason.rpcCode === 10);
    assert.equal(requests(), 1);
  });

  test('an upstream that refuses batches (HTTP 500, as an older go-jsonrpc) gets the calls one by one, at most `concurrency` at once', async (t) => {
    let open = 0;
    let most = 0;
    const { url, requests } = await serve(t, (_n, body, _req, res) => {
      if (Array.isArray(body)) {
        json(res, 500, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
        return;
      }
      most = Math.max(most, ++open);
      setTimeout(() => {
        open--;
        json(res, 200, { jsonrpc: '2.0', id: body.id, result: body.params[0] });
      }, 5);
    });
    const upstream = new Upstream(new URL(url), { concurrency: 4, backoffMs: 10 });
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => upstream.call('eth_getStorageAt', [i])));
    assert.deepEqual(answers, Array.from({ length: 30 }, (_, i) => i));
    assert.equal(most, 4);
    // One refused batch, then each call alone; later calls made together do not try a batch again.
    assert.equal(requests(), 31);
    await Promise.all([upstream.call('eth_getStorageAt', [1]), upstream.call('eth_getStorageAt', [2])]);
    assert.equal(requests(), 33);
  });

  test('a passing 502 or 503 to the first batch (a gateway, not the node) does not switch batches off', async (t) => {
    const batches: number[] = [];
    const { url, requests } = await serve(t, (n, body, _req, res) => {
      if (Array.isArray(body)) batches.push(n);
      if (n < 2) {
        res.writeHead(n === 0 ? 502 : 503, { 'content-type': 'text/html' });
        res.end('<html>Bad Gateway</html>');
        return;
      }
      const calls = Array.isArray(body) ? body : [body];
      const replies = calls.map((call) => ({ jsonrpc: '2.0', id: call.id, result: call.params[0] }));
      json(res, 200, Array.isArray(body) ? replies : replies[0]);
    });
    const upstream = new Upstream(new URL(url), { backoffMs: 10 });
    // The first batch fails (502): its calls go alone, the first of them retried after a 503.
    assert.deepEqual(await Promise.all([upstream.call('eth_getStorageAt', [1]), upstream.call('eth_getStorageAt', [2])]), [1, 2]);
    assert.equal(requests(), 4);
    // Calls made together later go as one batch again.
    assert.deepEqual(await Promise.all([upstream.call('eth_getStorageAt', [3]), upstream.call('eth_getStorageAt', [4])]), [3, 4]);
    assert.equal(requests(), 5);
    assert.deepEqual(batches, [0, 4]);
  });

  test("go-jsonrpc's HTTP 500 to a call it cannot dispatch is the upstream's answer, not retried; a 500 or 429 without it is retried", async (t) => {
    const { url, requests } = await serve(t, (n, body, _req, res) => {
      if (body.method === 'Filecoin.StateMinerSectors') json(res, 500, { jsonrpc: '2.0', id: body.id, error: { code: -32601, message: "method 'Filecoin.StateMinerSectors' not found" } });
      else if (n === 1) json(res, 500, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
      else if (n === 2) json(res, 429, { jsonrpc: '2.0', id: body.id, error: { code: 1, message: 'too many requests' } });
      else json(res, 200, { jsonrpc: '2.0', id: body.id, result: 'ok' });
    });
    const upstream = new Upstream(new URL(url), { backoffMs: 10 });
    const error = await upstream.call('Filecoin.StateMinerSectors', ['f01000', null, []]).catch((e: unknown) => e);
    assert.ok(error instanceof UpstreamAnswerError);
    assert.equal(error.rpcCode, -32601);
    assert.equal(error.message, "upstream Filecoin.StateMinerSectors: method 'Filecoin.StateMinerSectors' not found");
    assert.equal(requests(), 1);
    assert.equal(await upstream.call('eth_chainId', []), 'ok');
    assert.equal(requests(), 4);
    assert.deepEqual(upstream.stats, { requests: 4, retries: 2 });
  });

  test("a Lotus gateway's rate limit (server busy, HTTP 200) is retried with backoff, alone or in a batch, then named", async (t) => {
    const busy = (res: ServerResponse, id: unknown) => json(res, 200, { jsonrpc: '2.0', id, error: { code: 1, message: 'server busy. rate: Wait(n=3) would exceed context deadline' } });
    let refusals = 0;
    const { url } = await serve(t, (_n, body, _req, res) => {
      if (Array.isArray(body)) {
        // The batch's first call is refused by the limiter, the other answered.
        json(res, 200, body.map((call, i) => (i === 0 ? { jsonrpc: '2.0', id: call.id, error: { code: 1, message: 'connection limited. rate: Wait(n=1) would exceed context deadline' } } : { jsonrpc: '2.0', id: call.id, result: call.params[0] })));
      } else if (body.method === 'Filecoin.ChainHead') busy(res, body.id);
      else if (refusals++ < 2) busy(res, body.id);
      else json(res, 200, { jsonrpc: '2.0', id: body.id, result: body.params[0] });
    });
    const upstream = new Upstream(new URL(url), { retries: 2, backoffMs: 10 });
    assert.equal(await upstream.call('eth_getStorageAt', [7]), 7);
    assert.equal(upstream.stats.retries, 2);
    assert.deepEqual(await Promise.all([upstream.call('eth_getStorageAt', [1]), upstream.call('eth_getStorageAt', [2])]), [1, 2]);
    await assert.rejects(upstream.call('Filecoin.ChainHead', []), (e: unknown) => {
      assert.ok(e instanceof UpstreamError);
      assert.equal(e.message, `upstream Filecoin.ChainHead failed after 3 attempts: rate limited: server busy. rate: Wait(n=3) would exceed context deadline (${url})`);
      return true;
    });
  });

  test('an answer past the bound fails its call at once, named, and the client runs on; a batch answered so goes call by call; a table may be larger', async (t) => {
    // A result of 33 MiB: past ANSWER_MAX_BYTES, within TABLE_ANSWER_MAX_BYTES.
    const huge = Buffer.alloc(33 * 2 ** 20, 'a');
    const { url, requests } = await serve(t, (_n, body, _req, res) => {
      const calls = Array.isArray(body) ? body : [body];
      res.writeHead(200, { 'content-type': 'application/json' });
      calls.forEach((call, i) => {
        res.write(`${i === 0 ? (Array.isArray(body) ? '[' : '') : ','}{"jsonrpc":"2.0","id":${call.id},"result":`);
        if (call.method === 'Filecoin.StateGetActor' || call.method === 'Filecoin.StateMarketDeals') {
          res.write('"');
          res.write(huge);
          res.write('"}');
        } else res.write(`${JSON.stringify(call.params[0])}}`);
      });
      res.end(Array.isArray(body) ? ']' : '');
    });
    const upstream = new Upstream(new URL(url), { retries: 3, backoffMs: 10 });
    const tooLarge = (e: unknown) => {
      assert.ok(e instanceof UpstreamError);
      assert.equal(e.message, `upstream Filecoin.StateGetActor failed after 1 attempts: answer larger than ${ANSWER_MAX_BYTES / 2 ** 20} MiB (${url})`);
      return true;
    };
    await assert.rejects(upstream.call('Filecoin.StateGetActor', ['f01', null]), tooLarge);
    assert.equal(requests(), 1);
    // Together: the batch's answer is too large, so each call goes alone, bounded alone.
    const [actor, word] = await Promise.allSettled([upstream.call('Filecoin.StateGetActor', ['f01', null]), upstream.call('eth_getStorageAt', ['0x01'])]);
    assert.ok(actor.status === 'rejected' && tooLarge(actor.reason));
    assert.deepEqual(word, { status: 'fulfilled', value: '0x01' });
    assert.equal(requests(), 4);
    // A whole table's list has a larger bound.
    assert.equal(((await upstream.call('Filecoin.StateMarketDeals', [null])) as string).length, huge.length);
    assert.ok(huge.length < TABLE_ANSWER_MAX_BYTES);
  });

  test('an answer that streams without end is cut at the bound, not held until the timeout', async (t) => {
    const { url, requests } = await serve(t, (_n, _body, _req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"jsonrpc":"2.0","id":1,"result":"');
      const chunk = 'a'.repeat(2 ** 20);
      const more = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', more);
      };
      more();
    });
    // Not "timed out": the read stopped at the bound, and the same request was not sent again.
    await assert.rejects(new Upstream(new URL(url), { retries: 1, timeoutMs: 5_000 }).call('eth_getCode', ['0x00', '0x1']), /upstream eth_getCode failed after 1 attempts: answer larger than 32 MiB/);
    assert.equal(requests(), 1);
  });

  test('401 says how to give a token, without retrying', async (t) => {
    const { url, requests } = await serve(t, (_n, _body, _req, res) => json(res, 401, {}));
    await assert.rejects(new Upstream(new URL(url), { retries: 3 }).call('Filecoin.ChainHead', []), /HTTP 401 \(set FVM_DEVNET_FORK_TOKEN/);
    assert.equal(requests(), 1);
  });

  // U97: a node asked by its own fork (anvil_reset to its own URL) answers 508 to the request that
  // names it, marked with that name. reread-s57 A.2: only that 508 is the node itself; a host's or
  // proxy's 508 to a named request (every request is named) is retried as any 5xx.
  test('sends the node\'s name in SELF_HEADER; a 508 marked with it says a node cannot fork itself, without retrying; any other 508 is retried', async (t) => {
    const named: (string | undefined)[] = [];
    let mark: string | undefined;
    const { url, requests } = await serve(t, (_n, _body, req, res) => {
      named.push(req.headers[SELF_HEADER] as string | undefined);
      res.writeHead(508, { 'content-type': 'application/json', ...(mark === undefined ? {} : { [SELF_HEADER]: mark }) });
      res.end('{}');
    });
    mark = 'node-a';
    await assert.rejects(new Upstream(new URL(url), { retries: 3, self: 'node-a' }).call('Filecoin.ChainHead', []), /^SelfUpstreamError: upstream Filecoin.ChainHead: http:\/\/127\.0\.0\.1:\d+\/rpc\/v1 is this node itself \(HTTP 508 Loop Detected\): a node cannot fork itself/);
    assert.equal(requests(), 1);
    assert.deepEqual(named, ['node-a']);
    // Unmarked (a host's resource limit, a proxy's loop), or marked with another name: a 5xx, retried.
    for (const other of [undefined, 'node-b']) {
      mark = other;
      const sent = requests();
      await assert.rejects(new Upstream(new URL(url), { retries: 2, backoffMs: 10, self: 'node-a' }).call('Filecoin.ChainHead', []), /^UpstreamError: upstream Filecoin.ChainHead failed after 3 attempts: HTTP 508/);
      assert.equal(requests() - sent, 3);
    }
  });

  // reread-s57 A.1: Fork.open took the 508 as an upstream that is down and started from the cache,
  // which held a point for the URL (another node's that listened there, or a fork of this one's).
  test('Fork.open: a 508 to the node\'s own name refuses the fork, even with a fork point cached for the URL', async (t) => {
    const { url } = await serve(t, (_n, _body, req, res) => {
      res.writeHead(508, { 'content-type': 'application/json', [SELF_HEADER]: String(req.headers[SELF_HEADER]) });
      res.end('{}');
    });
    const dir = mkdtempSync(join(tmpdir(), 'fork-self-cached-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const point = testForkPoint(7);
    const cache = new ForkCache(dir);
    cache.save(displayUrl(new URL(url)), undefined, point, emptyForkData());
    assert.deepEqual(cache.pointFor(displayUrl(new URL(url)), undefined), point);
    const opened = Fork.open({ url, cacheDir: dir, upstream: { self: 'node-a', retries: 3 } }, () => undefined, () => undefined, []);
    await assert.rejects(opened, (error: unknown) => error instanceof SelfUpstreamError && /is this node itself \(HTTP 508 Loop Detected\): a node cannot fork itself/.test(error.message));
  });

  // audit16 L5: the answer was OpenSSL's "wrong version number", five times over.
  test('https:// to a port that speaks plain HTTP says to use http://, without retrying', async (t) => {
    const { url } = await serve(t, (_n, _body, _req, res) => json(res, 200, { jsonrpc: '2.0', id: 1, result: null }));
    const tls = new URL(url.replace('http://', 'https://'));
    await assert.rejects(new Upstream(tls, { retries: 3, backoffMs: 10_000 }).call('Filecoin.ChainHead', []), /upstream Filecoin\.ChainHead: https:\/\/127\.0\.0\.1:\d+\/rpc\/v1 does not answer TLS; if it serves plain HTTP, use http:\/\//);
  });

  test('moveTo (anvil_setRpcUrl): later calls go to the new endpoint with the token given; one in flight on the old is retried there', async (t) => {
    const held: ServerResponse[] = [];
    const old = await serve(t, (_n, _body, _req, res) => held.push(res));
    const seen: string[] = [];
    const next = await serve(t, (_n, body, req, res) => {
      seen.push(`${body.method} ${req.headers.authorization}`);
      json(res, 200, { jsonrpc: '2.0', id: body.id, result: 'new' });
    });
    const upstream = new Upstream(new URL(old.url), { token: 'secret', retries: 2, backoffMs: 10 });
    const inFlight = upstream.call('eth_chainId', []);
    while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    upstream.moveTo(new URL(next.url), 'other');
    assert.equal(upstream.endpoint.toString(), next.url);
    assert.equal(await inFlight, 'new');
    assert.equal(await upstream.call('eth_blockNumber', []), 'new');
    upstream.moveTo(new URL(next.url), undefined);
    assert.equal(await upstream.call('eth_gasPrice', []), 'new');
    assert.deepEqual(seen, ['eth_chainId Bearer other', 'eth_blockNumber Bearer other', 'eth_gasPrice undefined']);
    assert.equal(old.requests(), 1);
  });

  test('--fork-url with or without /rpc/v1; shown without credentials or query', () => {
    assert.equal(upstreamEndpoint('http://lotus:1234').toString(), 'http://lotus:1234/rpc/v1');
    assert.equal(upstreamEndpoint('https://api.calibration.node.glif.io/').toString(), 'https://api.calibration.node.glif.io/rpc/v1');
    assert.equal(upstreamEndpoint('https://node.example/rpc/v1').toString(), 'https://node.example/rpc/v1');
    assert.equal(upstreamEndpoint('wss://node.example/rpc/v1').toString(), 'https://node.example/rpc/v1');
    assert.equal(displayUrl(upstreamEndpoint('https://user:pw@node.example/rpc/v1?token=abc')), 'https://node.example/rpc/v1');
    assert.throws(() => upstreamEndpoint('not a url'), /--fork-url not a url is not a URL/);
    assert.throws(() => upstreamEndpoint('ftp://node.example'), /expected an http\(s\) URL/);
  });

  test("--fork-url naming the node's own listen address (its host in any spelling, or another name reaching it, and its port)", () => {
    // The machine's interfaces, as a node on 0.0.0.0 or :: would find them: loopback, a LAN's.
    const machine = ['127.0.0.1', '::1', '192.168.1.5', 'fe80::1'];
    const names = (url: string, host: string, port: number) => namesListenAddress(upstreamEndpoint(url), host, port, () => machine);
    const own: [string, string, number][] = [
      ['http://127.0.0.1:8545', '127.0.0.1', 8545],
      ['http://localhost:8545/rpc/v1', '127.0.0.1', 8545],
      ['http://localhost.:8545', '127.0.0.1', 8545],
      ['http://LOCALHOST:8545', '::1', 8545],
      ['http://[::1]:8545', '::1', 8545],
      ['http://[0:0:0:0:0:0:0:1]:8545', '::1', 8545],
      ['http://127.0.0.1:8545', 'localhost', 8545],
      ['http://0.0.0.0:8545', '127.0.0.1', 8545],
      ['http://0.0.0.0:8545', '0.0.0.0', 8545],
      ['http://0.0.0.0:8545', '::', 8545],
      ['http://[::]:8545', '::1', 8545],
      ['http://[::]:8545', '::', 8545],
      ['http://127.0.0.2:8545', '0.0.0.0', 8545],
      ['http://[::1]:8545', '::', 8545],
      ['http://127.0.0.1:8545', '::', 8545],
      ['http://[::ffff:127.0.0.1]:8545', '::', 8545],
      ['http://[::ffff:127.0.0.1]:8545', '127.0.0.1', 8545],
      ['http://127.0.0.1:8545', '::ffff:127.0.0.1', 8545],
      ['http://192.168.1.5:8545', '192.168.1.5', 8545],
      ['http://192.168.1.5:8545', '0.0.0.0', 8545],
      ['http://192.168.1.5:8545', '::', 8545],
      ['http://[::ffff:192.168.1.5]:8545', '0.0.0.0', 8545],
      ['http://[fe80::1]:8545', '::', 8545],
      ['http://127.0.0.1', '127.0.0.1', 80],
      ['https://127.0.0.1', '127.0.0.1', 443],
    ];
    for (const [url, host, port] of own) assert.equal(names(url, host, port), true, `${url} on ${host}:${port}`);
    const other: [string, string, number][] = [
      ['http://127.0.0.1:8546', '127.0.0.1', 8545],
      ['http://127.0.0.1:8545', '127.0.0.1', 0],
      ['http://127.0.0.2:8545', '127.0.0.1', 8545],
      ['http://0.0.0.0:8545', '127.0.0.2', 8545],
      ['http://0.0.0.0:8545', '::1', 8545],
      ['http://[::]:8545', '127.0.0.1', 8545],
      ['http://[::]:8545', '0.0.0.0', 8545],
      ['http://[::1]:8545', '127.0.0.1', 8545],
      ['http://127.0.0.1:8545', '::1', 8545],
      ['http://[::1]:8545', '0.0.0.0', 8545],
      ['http://[fe80::1]:8545', '0.0.0.0', 8545],
      ['http://192.168.1.6:8545', '0.0.0.0', 8545],
      ['http://192.168.1.5:8545', '127.0.0.1', 8545],
      ['http://lotus:8545', '127.0.0.1', 8545],
      ['http://lotus:8545', '0.0.0.0', 8545],
      ['https://127.0.0.1', '127.0.0.1', 80],
    ];
    for (const [url, host, port] of other) assert.equal(names(url, host, port), false, `${url} on ${host}:${port}`);
  });
});
