// GET, HEAD and PUT /piece/<cid> through fastify's inject(): uploads streamed to the devnet's piece
// store and checked against their CommP, retrieval headers, the 400 / 404 / 413 / 507 answers, and
// pieces kept across anvil_reset.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { describe, test, type TestContext } from 'node:test';
import Fastify from 'fastify';
import { computePieceCid, pieceCidV2 } from '../../src/devnet/storage-providers/piece-cid.js';
import { pieceRoutes } from '../../src/eth-rpc/piece-routes.js';
import { PieceStore, type PieceStoreOptions } from '../../src/devnet/storage-providers/piece-store.js';
import { setupRpc } from '../helpers/rpc-harness.js';

const payload = (length: number, seed = 3) => Buffer.from(Uint8Array.from({ length }, (_, i) => (i * 13 + seed) & 0xff));
/** A server with only the piece routes, on a store of `options`; both closed when the test ends. */
async function pieceApp(t: TestContext, options: PieceStoreOptions) {
  const store = new PieceStore(options);
  const app = Fastify();
  await app.register(pieceRoutes, { store });
  t.after(async () => {
    await app.close();
    store.close();
  });
  return app;
}

const ZERO_1016 = 'baga6ea4seaqb66wjlfkrbye6uqoemcyxmqylwmrm235uclwfpsyx3ge2imidoly';

describe('/piece/<cid> over HTTP', () => {
  test('PUT stores a payload under its CommP in the devnet\'s store; GET serves it back byte for byte', async (t) => {
    const { app, devnet } = await setupRpc(t);
    const bytes = payload(300_000);
    const { cid, size } = computePieceCid(bytes);
    const put = await app.inject({ method: 'PUT', url: `/piece/${cid}`, headers: { 'content-type': 'application/octet-stream' }, payload: bytes });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(put.json(), { pieceCid: cid.toString(), pieceSize: size, payloadSize: 300_000 });
    assert.equal(size, 524_288);
    assert.deepEqual(devnet.pieces.get(cid), { cid, size, payloadSize: 300_000 });
    assert.ok((await buffer((await devnet.pieces.read(cid))!)).equals(bytes));

    const get = await app.inject({ method: 'GET', url: `/piece/${cid}` });
    assert.equal(get.statusCode, 200);
    assert.equal(get.headers['content-type'], 'application/piece');
    assert.equal(get.headers['content-length'], '300000');
    assert.equal(get.headers.etag, `"${cid}"`);
    assert.ok(get.rawPayload.equals(bytes));

    const head = await app.inject({ method: 'HEAD', url: `/piece/${cid}` });
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['content-length'], '300000');
    assert.equal(head.rawPayload.length, 0);
  });

  // audit20 P1: PDP and Synapse name pieces by v2 CIDs (FRC-0069), which carry the payload's padding too.
  test('GET and HEAD take a piece\'s v2 CID too; a v2 CID with the same root and another padding is another piece (404)', async (t) => {
    const { app, devnet } = await setupRpc(t);
    const bytes = payload(1000);
    const piece = await devnet.pieces.put(bytes);
    const v2 = pieceCidV2(piece, 1000);
    const get = await app.inject({ method: 'GET', url: `/piece/${v2}` });
    assert.equal(get.statusCode, 200);
    assert.equal(get.headers.etag, `"${piece.cid}"`);
    assert.ok(get.rawPayload.equals(bytes));
    assert.equal((await app.inject({ method: 'HEAD', url: `/piece/${v2}` })).headers['content-length'], '1000');
    const other = pieceCidV2(piece, 999);
    const missing = await app.inject({ method: 'GET', url: `/piece/${other}` });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.body, `piece ${other} not found\n`);
    assert.equal((await app.inject({ method: 'HEAD', url: `/piece/${other}` })).statusCode, 404);
    // PUT stays v1's: a deal's piece CID.
    const put = await app.inject({ method: 'PUT', url: `/piece/${v2}`, payload: bytes });
    assert.equal(put.statusCode, 400);
    assert.match(put.body, /is a v2 piece CID \(FRC-0069\); deals use the v1 piece CID/);
  });

  test('a body with no content type, or a text one, is taken as raw bytes; JSON-RPC still parses its own', async (t) => {
    const { app, call } = await setupRpc(t);
    const bytes = payload(1000);
    const { cid } = computePieceCid(bytes);
    const bare = await app.inject({ method: 'PUT', url: `/piece/${cid}`, payload: bytes });
    assert.equal(bare.statusCode, 200, bare.body);
    const zeros = await app.inject({ method: 'PUT', url: `/piece/${ZERO_1016}`, headers: { 'content-type': 'text/plain' }, payload: Buffer.alloc(1016) });
    assert.equal(zeros.statusCode, 200, zeros.body);
    assert.equal((await call('eth_chainId')).result, '0x1df5e76');
  });

  test('unknown pieces are 404, malformed CIDs 400, each with a short text body', async (t) => {
    const { app } = await setupRpc(t);
    const missing = await app.inject({ method: 'GET', url: `/piece/${ZERO_1016}` });
    assert.equal(missing.statusCode, 404);
    assert.match(String(missing.headers['content-type']), /^text\/plain/);
    assert.equal(missing.body, `piece ${ZERO_1016} not found\n`);

    const invalid = await app.inject({ method: 'GET', url: '/piece/hello' });
    assert.equal(invalid.statusCode, 400);
    assert.match(invalid.body, /^invalid piece CID "hello"/);
    const notPiece = await app.inject({ method: 'GET', url: '/piece/bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4' });
    assert.equal(notPiece.statusCode, 400);
    assert.match(notPiece.body, /is not a piece CID/);
    const badPut = await app.inject({ method: 'PUT', url: '/piece/hello', payload: payload(100) });
    assert.equal(badPut.statusCode, 400);
  });

  test('a PUT whose payload has another CommP is 400 naming the computed CID, and nothing is stored', async (t) => {
    const { app, devnet } = await setupRpc(t);
    const bytes = payload(2000);
    const computed = computePieceCid(bytes);
    const res = await app.inject({ method: 'PUT', url: `/piece/${ZERO_1016}`, payload: bytes });
    assert.equal(res.statusCode, 400);
    assert.equal(res.body, `the payload's piece CID is ${computed.cid} (padded size 2048), not ${ZERO_1016}\n`);
    assert.equal(devnet.pieces.has(computed.cid), false);

    const empty = await app.inject({ method: 'PUT', url: `/piece/${ZERO_1016}` });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /commP is not defined for payloads shorter than 65 bytes \(got 0\)/);
  });

  test('a payload over the per-piece limit is 413; one the store\'s limit has no room for is 507, naming the limit', async (t) => {
    const app = await pieceApp(t, { maxPayloadBytes: 1000, limitBytes: 1500 });
    const bytes = payload(1001);
    const res = await app.inject({ method: 'PUT', url: `/piece/${computePieceCid(bytes).cid}`, payload: bytes });
    assert.equal(res.statusCode, 413);
    assert.equal(res.body, 'a piece payload may have at most 1000 bytes (--max-piece-size), got 1001\n');

    const first = payload(1000);
    assert.equal((await app.inject({ method: 'PUT', url: `/piece/${computePieceCid(first).cid}`, payload: first })).statusCode, 200);
    const second = payload(600, 4);
    const cid = computePieceCid(second).cid;
    const full = await app.inject({ method: 'PUT', url: `/piece/${cid}`, payload: second });
    assert.equal(full.statusCode, 507);
    assert.match(String(full.headers['content-type']), /^text\/plain/);
    assert.equal(full.body, 'the piece store is full: a payload of 600 bytes does not fit in its limit of 1500 bytes (--piece-store-limit), which holds 1000 bytes of pieces\n');
    assert.equal((await app.inject({ method: 'GET', url: `/piece/${cid}` })).statusCode, 404);
  });

  test("the devnet's store takes its per-piece limit from the config (--max-piece-size)", async (t) => {
    const { app, devnet, call } = await setupRpc(t, { maxPieceSize: 1000 });
    assert.equal(devnet.pieces.maxPayloadBytes, 1000);
    const over = payload(1001);
    const res = await app.inject({ method: 'PUT', url: `/piece/${computePieceCid(over).cid}`, payload: over });
    assert.equal(res.statusCode, 413);
    assert.equal(res.body, 'a piece payload may have at most 1000 bytes (--max-piece-size), got 1001\n');
    const under = payload(1000);
    const ok = await app.inject({ method: 'PUT', url: `/piece/${computePieceCid(under).cid}`, payload: under });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().payloadSize, 1000);
    assert.equal((await call('eth_chainId')).result, '0x1df5e76');
  });

  test('HEAD answers a stored piece\'s headers and 404 for one not stored', async (t) => {
    const app = await pieceApp(t, {});
    const missing = await app.inject({ method: 'HEAD', url: `/piece/${ZERO_1016}` });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.rawPayload.length, 0);
    await app.inject({ method: 'PUT', url: `/piece/${ZERO_1016}`, payload: Buffer.alloc(1016) });
    const head = await app.inject({ method: 'HEAD', url: `/piece/${ZERO_1016}` });
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['content-length'], '1016');
    assert.equal(head.headers.etag, `"${ZERO_1016}"`);
  });

  test('a piece whose file was removed is 404 to GET and HEAD, and a PUT of it stores it again (review R1)', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'fvm-devnet-piece-routes-test-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const app = await pieceApp(t, { dir: join(dir, 'chain.state.pieces') });
    const bytes = payload(200_000);
    const { cid } = computePieceCid(bytes);
    assert.equal((await app.inject({ method: 'PUT', url: `/piece/${cid}`, payload: bytes })).statusCode, 200);
    rmSync(join(dir, 'chain.state.pieces'), { recursive: true });
    const get = await app.inject({ method: 'GET', url: `/piece/${cid}` });
    assert.equal(get.statusCode, 404);
    assert.equal(get.body, `piece ${cid} not found\n`);
    assert.equal((await app.inject({ method: 'HEAD', url: `/piece/${cid}` })).statusCode, 404);
    assert.equal((await app.inject({ method: 'PUT', url: `/piece/${cid}`, payload: bytes })).statusCode, 200);
    const again = await app.inject({ method: 'GET', url: `/piece/${cid}` });
    assert.equal(again.statusCode, 200);
    assert.ok(again.rawPayload.equals(bytes));
  });

  test('devnet_proposeDeal takes an uploaded piece\'s size from the store', async (t) => {
    const { app, result } = await setupRpc(t);
    const bytes = payload(3000);
    const { cid } = computePieceCid(bytes);
    assert.equal((await app.inject({ method: 'PUT', url: `/piece/${cid}`, payload: bytes })).statusCode, 200);
    const deal = await result('devnet_proposeDeal', [{ pieceCid: cid.toString() }]);
    assert.ok(Number.isInteger(deal.dealId), JSON.stringify(deal));
    const proposal = await result('Filecoin.StateMarketStorageDeal', [deal.dealId, null]);
    assert.equal(proposal.Proposal.PieceSize, 4096);
  });

  test('pieces are off-chain: anvil_reset and evm_revert leave them', async (t) => {
    const { app, result } = await setupRpc(t);
    const snapshot = await result('evm_snapshot');
    const bytes = payload(5000);
    const { cid } = computePieceCid(bytes);
    assert.equal((await app.inject({ method: 'PUT', url: `/piece/${cid}`, payload: bytes })).statusCode, 200);
    await result('evm_revert', [snapshot]);
    await result('anvil_reset', []);
    const get = await app.inject({ method: 'GET', url: `/piece/${cid}` });
    assert.equal(get.statusCode, 200);
    assert.ok(get.rawPayload.equals(bytes));
  });
});
