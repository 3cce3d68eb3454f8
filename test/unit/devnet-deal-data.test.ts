// A contract deal's data download (deal-data.ts) against a loopback server that takes the request
// and never answers: the --request-timeout ends it with a refusal, the node's close with a rejection,
// and neither leaves a timer or a listener behind (review R2's nit: the two signals are combined by
// hand, AbortSignal.any being Node 20.3's).
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import { receiveDealData } from '../../src/devnet/storage-providers/deal-data.js';
import { computePieceCid } from '../../src/devnet/storage-providers/piece-cid.js';
import { PieceStore } from '../../src/devnet/storage-providers/piece-store.js';

/** A server that holds every request open; the URL of its /data.car and the requests it holds. */
async function holdingServer(t: TestContext): Promise<{ url: string; held: ServerResponse[] }> {
  const held: ServerResponse[] = [];
  const server = createServer((_req, res) => void held.push(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/data.car`, held };
}

const data = computePieceCid(new Uint8Array(1000).map((_, i) => i & 0xff));
const piece = { pieceCid: data.cid, pieceSize: data.size };

describe('a contract deal\'s download', () => {
  test('a server that never answers: refused after the timeout, naming it', async (t) => {
    const { url } = await holdingServer(t);
    const store = new PieceStore();
    t.after(() => store.close());
    const cancel = new AbortController();
    const missing = await receiveDealData(store, piece, { locationRef: url, carSize: 1000 }, 200, cancel.signal);
    assert.match(missing ?? '', new RegExp(`^cannot fetch ${url}: no answer within 200 ms \\(--request-timeout\\), and piece ${data.cid} was not uploaded`));
  });

  test('the node closing ends it at once, whatever the timeout (0: none)', async (t) => {
    const { url, held } = await holdingServer(t);
    const store = new PieceStore();
    t.after(() => store.close());
    for (const timeoutMs of [0, 60_000]) {
      const cancel = new AbortController();
      const receiving = receiveDealData(store, piece, { locationRef: url, carSize: 1000 }, timeoutMs, cancel.signal);
      while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      const res = held.shift()!;
      const ended = new Promise<void>((resolve) => res.on('close', resolve));
      cancel.abort(new Error('the node closed'));
      await assert.rejects(receiving, /the node closed/);
      await ended;
    }
    // Closed before it starts: nothing is fetched.
    const closed = AbortSignal.abort(new Error('the node closed'));
    await assert.rejects(receiveDealData(store, piece, { locationRef: url, carSize: 1000 }, 0, closed), /the node closed/);
    assert.equal(held.length, 0);
  });
});
