// The piece store: payloads kept under their own CommP, copies, the expected-CID check and the size limit.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { computePieceCid, PieceError } from '../../src/devnet/storage-providers/piece-cid.js';
import { MAX_PIECE_PAYLOAD_BYTES, PieceMismatchError, PieceStore, PieceTooLargeError } from '../../src/devnet/storage-providers/piece-store.js';

const payload = (length: number, seed = 1) => Uint8Array.from({ length }, (_, i) => (i * 7 + seed) & 0xff);

describe('piece store', () => {
  test('a payload is kept under its CommP, with its padded size, and read back', () => {
    const store = new PieceStore();
    const bytes = payload(1000);
    const stored = store.put(bytes);
    const expected = computePieceCid(bytes);
    assert.ok(stored.cid.equals(expected.cid));
    assert.equal(stored.size, 1024);
    assert.ok(store.has(expected.cid));
    assert.deepEqual(store.get(expected.cid)?.bytes, bytes);
    assert.equal(store.get(computePieceCid(payload(1000, 2)).cid), undefined);
  });

  test('the store keeps its own copy of the payload, also of a Buffer', () => {
    const store = new PieceStore();
    const bytes = payload(500);
    const { cid } = store.put(bytes);
    bytes.fill(0);
    assert.deepEqual(store.get(cid)?.bytes, payload(500));
    const buffer = Buffer.from(payload(600));
    const fromBuffer = store.put(buffer);
    buffer.fill(0);
    assert.deepEqual(fromBuffer.bytes, payload(600));
  });

  test('with an expected CID, a payload whose CommP differs is refused and not kept', () => {
    const store = new PieceStore();
    const other = computePieceCid(payload(300, 9)).cid;
    const computed = computePieceCid(payload(300));
    assert.throws(() => store.put(payload(300), other), (err: unknown) => {
      assert.ok(err instanceof PieceMismatchError);
      assert.ok(err.computed.cid.equals(computed.cid));
      assert.equal(err.message, `the payload's piece CID is ${computed.cid} (padded size 512), not ${other}`);
      return true;
    });
    assert.equal(store.has(computed.cid), false);
    assert.ok(store.put(payload(300), computed.cid).cid.equals(computed.cid));
  });

  test('payloads over the limit (64 MiB by default) are refused before hashing', () => {
    assert.equal(MAX_PIECE_PAYLOAD_BYTES, 64 * 1024 * 1024);
    const store = new PieceStore(1000);
    assert.equal(store.put(payload(1000)).bytes.length, 1000);
    assert.throws(() => store.put(payload(1001)), (err: unknown) => {
      assert.ok(err instanceof PieceTooLargeError && err instanceof PieceError);
      assert.equal(err.message, 'a piece payload may have at most 1000 bytes, got 1001');
      return true;
    });
  });

  test('payloads too short for a CommP are refused', () => {
    assert.throws(() => new PieceStore().put(payload(64)), /commP is not defined for payloads shorter than 65 bytes/);
  });
});
