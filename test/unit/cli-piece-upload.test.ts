// Uploading pieces to a listening server: the piece a deal names comes back, refusals and
// unreachable nodes are errors that say so.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { describe, test, type TestContext } from 'node:test';
import Fastify from 'fastify';
import { computePieceCid } from '../../src/devnet/storage-providers/piece-cid.js';
import { pieceRoutes } from '../../src/eth-rpc/piece-routes.js';
import { PieceStore } from '../../src/devnet/storage-providers/piece-store.js';
import { pieceUrl, uploadPiece } from '../../bin/piece-upload.js';

const payload = (length: number) => Uint8Array.from({ length }, (_, i) => (i * 5 + 1) & 0xff);

/** A server with only the piece routes, on a free loopback port. */
async function pieceServer(t: TestContext, store: PieceStore): Promise<string> {
  t.after(() => store.close());
  const app = Fastify();
  await app.register(pieceRoutes, { store });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.after(() => app.close());
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

describe('piece upload', () => {
  test('the payload is stored under its CommP and the piece comes back with its URL', async (t) => {
    const store = new PieceStore();
    const rpc = await pieceServer(t, store);
    const bytes = payload(5000);
    const piece = await uploadPiece(`${rpc}/rpc/v1`, bytes);
    const expected = computePieceCid(bytes);
    assert.ok(piece.cid.equals(expected.cid));
    assert.equal(piece.size, 8192);
    assert.equal(piece.url, `${rpc}/piece/${expected.cid}`);
    assert.deepEqual(new Uint8Array(await buffer((await store.read(expected.cid))!)), bytes);
    const back = await fetch(piece.url);
    assert.deepEqual(new Uint8Array(await back.arrayBuffer()), bytes);
  });

  test('pieceUrl puts /piece/<cid> at the RPC endpoint\'s origin', () => {
    const { cid } = computePieceCid(payload(100));
    assert.equal(pieceUrl('http://127.0.0.1:8545', cid), `http://127.0.0.1:8545/piece/${cid}`);
    assert.equal(pieceUrl('http://localhost:1234/rpc/v1', cid), `http://localhost:1234/piece/${cid}`);
  });

  test('a refusal carries the node\'s answer; an unreachable node is named', async (t) => {
    const rpc = await pieceServer(t, new PieceStore({ maxPayloadBytes: 1000 }));
    await assert.rejects(uploadPiece(rpc, payload(2000)), /the node refused piece baga\w+ \(HTTP 413\): a piece payload may have at most 1000 bytes \(--max-piece-size\), got 2000$/);
    const closed = Fastify();
    await closed.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(closed.server.address() as AddressInfo).port}`;
    await closed.close();
    await assert.rejects(uploadPiece(url, payload(100)), new RegExp(`^Error: cannot reach the node at ${url}: connect ECONNREFUSED`));
  });
});
