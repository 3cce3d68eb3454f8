// Piece CIDs (CommP) against published vectors: Lotus's zero-piece commitments and data-segment's
// CommP vectors; padded sizes; parsing and refusing piece CID strings.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { Piece } from '@web3-storage/data-segment';
import { bytesToHex } from '../../src/common/hex.js';
import { isPieceCid } from '../../src/fevm/actors/market/deal-proposal.js';
import {
  computeFilePieceCid,
  computePieceCid,
  MIN_PIECE_PAYLOAD,
  paddedPieceCid,
  paddedPieceSize,
  parseAnyPieceCid,
  parsePieceCid,
  pieceCidV2,
  pieceCidFromRoot,
  PieceError,
} from '../../src/devnet/storage-providers/piece-cid.js';

// Lotus's zerocomm test (GeneratePieceCIDFromFile over zeros), by unpadded size.
const LOTUS_ZERO_PIECES: [unpadded: number, padded: number, cid: string][] = [
  [1016, 1024, 'baga6ea4seaqb66wjlfkrbye6uqoemcyxmqylwmrm235uclwfpsyx3ge2imidoly'],
  [2032, 2048, 'baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy'],
  [4064, 4096, 'baga6ea4seaqarrd3hdxbhpcd6qnzcxao5wmrditaq2z62ysadp45lc4ndhp7mja'],
  [8128, 8192, 'baga6ea4seaqlfzd37mi7vtmud5rk6xdvb47kltcn6ul5lrhrnwzljv33v3a2gly'],
];
// Lotus's zerocomm.PieceComms[0]: the commitment of a 128-byte all-zero piece.
const ZERO_COMM_128 = '0x3731bb99ac689f66eef5973e4a94da188f4ddcae580724fc6f3fd60dfd488333';

/** data-segment's test payloads: sha512 chained from the empty input, cut to `size` bytes. */
function deriveBuffer(size: number): Uint8Array {
  const out = new Uint8Array(size);
  let block: Uint8Array = new Uint8Array();
  for (let offset = 0; offset < size; offset += 64) {
    block = createHash('sha512').update(block).digest();
    out.set(block.subarray(0, size - offset), offset);
  }
  return out;
}

/** The raw sha2-256 CIDv1 of a payload, which data-segment's vectors give to check the payload. */
const rawCid = (bytes: Uint8Array) => CID.createV1(0x55, Digest.create(0x12, createHash('sha256').update(bytes).digest())).toString();

// data-segment's test/commp/vector.csv: payload size, payload CID, padded piece size, piece CID.
const DATA_SEGMENT_VECTORS: [number, string, number, string][] = [
  [65, 'bafkreie3ntx3nzvhuv63btdsgaeste6gurdigzw2soryitq6m3f3p24nba', 128, 'baga6ea4seaqcq4xx7rqx2lsrm6iky7qqk5jh7pbaj5bgdu22afhp4fodvccb6bq'],
  [127, 'bafkreigrhtbcbnomuh2z6qj3yy7m7o4j2rk5p4uqiejwhux63uiuhqo5xe', 128, 'baga6ea4seaqhufymnk6yhtxu4b7hu6zzlu6k3mi256zmetxdnubt42vcetoywja'],
  [128, 'bafkreigm5zbyyxcmbouprdqhfsuxpjcnyz5rxny4d2efdcy6crgp2lv4v4', 256, 'baga6ea4seaqbk3wfm645ua42tjrtjbk6zguldd5gbqeirbwp4sgipgxr3gypgmi'],
  [1017, 'bafkreiaoftcm3kq6rdcbrtzytf2vvyd53gvfkucrbwlcctm3wyufolbd7e', 2048, 'baga6ea4seaqceuj5hwimksbh7srkxhio6vhekoav4pygwfkmzuq2hmqyuqr52iy'],
  [48890, 'bafkreidaxtavkq3kcupiea7c56w6hjspz7rwompnfj2slmebkpvnf452be', 65536, 'baga6ea4seaqju5lbdcu5lzrycoltfdbgxpxinbili4plcdeeldcmrohpwpuuapi'],
  [196608, 'bafkreidkvmilxtfzojwpilpsyeppwjupnohe3ppdm5mfc7y4jx5tmlat4q', 262144, 'baga6ea4seaqh2gabbcgm4ompmln6soxolb2fwao2ekawx3rlelruhxwq7ns6yia'],
  [520193, 'bafkreigkjiepykfjqyodhgfri65ux7wqqajktezg3clunmtu5vqis3os6y', 1048576, 'baga6ea4seaqld2bhflzw6337tgymt442stnw2kalk3z2qcg6k763erpxapstqai'],
];

describe('piece CIDs', () => {
  test('all-zero pieces have Lotus\'s zero commitments', () => {
    for (const [unpadded, padded, cid] of LOTUS_ZERO_PIECES) {
      const piece = computePieceCid(new Uint8Array(unpadded));
      assert.equal(piece.cid.toString(), cid, `${unpadded} zero bytes`);
      assert.equal(piece.size, padded);
    }
    const smallest = computePieceCid(new Uint8Array(127));
    assert.equal(bytesToHex(smallest.cid.multihash.digest), ZERO_COMM_128);
    assert.equal(smallest.size, 128);
  });

  test('data-segment\'s CommP vectors, from 65 bytes to a 1 MiB piece', () => {
    for (const [size, payloadCid, padded, cid] of DATA_SEGMENT_VECTORS) {
      const payload = deriveBuffer(size);
      assert.equal(rawCid(payload), payloadCid, `the ${size}-byte test payload is data-segment's`);
      const piece = computePieceCid(payload);
      assert.equal(piece.cid.toString(), cid, `${size} bytes`);
      assert.equal(piece.size, padded);
      assert.equal(paddedPieceSize(size), padded);
    }
  });

  test('a piece CID is CIDv1 fil-commitment-unsealed / sha2-256-trunc254-padded, bytes 01 81e203 922020', () => {
    const { cid } = computePieceCid(deriveBuffer(1000));
    assert.equal(bytesToHex(cid.bytes.subarray(0, 7)), '0x0181e203922020');
    assert.equal(cid.bytes.length, 39);
    assert.ok(cid.toString().startsWith('baga6ea4sea'));
    assert.ok(isPieceCid(cid));
    assert.ok(pieceCidFromRoot(cid.multihash.digest).equals(cid));
  });

  test('a file streamed in chunks has the CommP of its bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'piece-cid-'));
    try {
      const path = join(dir, 'payload.bin');
      writeFileSync(path, deriveBuffer(196608));
      const piece = await computeFilePieceCid(path);
      assert.equal(piece.cid.toString(), 'baga6ea4seaqh2gabbcgm4ompmln6soxolb2fwao2ekawx3rlelruhxwq7ns6yia');
      assert.equal(piece.size, 262144);
      assert.equal(piece.payloadSize, 196608);
      writeFileSync(path, new Uint8Array(10));
      await assert.rejects(computeFilePieceCid(path), /shorter than 65 bytes \(got 10\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // audit18 K4: Boost checks data smaller than a deal's PieceSize zero-padded to it (go-fil-commp-hashhash PadCommP).
  test('a piece zero-padded to a larger power of two: Lotus\'s zero pieces, and the CommP of the payload followed by zeros', () => {
    const [[, size1024, zeros1024], , , [, size8192, zeros8192]] = LOTUS_ZERO_PIECES;
    assert.equal(paddedPieceCid({ cid: parsePieceCid(zeros1024), size: size1024 }, size8192)?.toString(), zeros8192);
    for (const [length, , size] of DATA_SEGMENT_VECTORS.slice(0, 5)) {
      const bytes = deriveBuffer(length);
      const piece = computePieceCid(bytes);
      assert.equal(piece.size, size);
      for (const target of [size * 2, size * 16]) {
        const zeroFilled = new Uint8Array((target / 128) * 127);
        zeroFilled.set(bytes);
        assert.equal(paddedPieceCid(piece, target)?.toString(), computePieceCid(zeroFilled).cid.toString(), `${length} bytes to ${target}`);
      }
    }
    const piece = computePieceCid(deriveBuffer(1017));
    for (const size of [2048, 1024, 3072]) assert.equal(paddedPieceCid(piece, size), undefined, `no padding to ${size}`);
  });

  // audit20 P1: the v2 piece CID (FRC-0069) PDP and Synapse use, from the v1 CID and the payload's length.
  test('pieceCidV2 is data-segment\'s v2 piece CID of the payload; parseAnyPieceCid reads v1 and v2 back', () => {
    for (const [length] of DATA_SEGMENT_VECTORS) {
      const bytes = deriveBuffer(length);
      const piece = computePieceCid(bytes);
      const v2 = pieceCidV2(piece, length);
      assert.equal(v2.toString(), Piece.fromPayload(bytes).link.toString(), `${length} bytes`);
      const read = parseAnyPieceCid(v2.toString());
      assert.ok(read.cid.equals(piece.cid));
      assert.equal(read.payloadSize, length);
      assert.deepEqual(parseAnyPieceCid(piece.cid.toString()), { cid: piece.cid });
    }
    assert.throws(() => parseAnyPieceCid('bafkqaaa'), /is not a piece CID/);
  });

  test('padded sizes: 128 per 127-byte quad, rounded up to a power of two', () => {
    const cases: [number, number][] = [
      [65, 128], [127, 128], [128, 256], [254, 256], [255, 512], [508, 512], [509, 1024],
      [300_000, 524_288], [127 << 20, 128 << 20], [(127 << 20) + 1, 256 << 20],
    ];
    for (const [length, padded] of cases) assert.equal(paddedPieceSize(length), padded, `${length} bytes`);
  });

  test('payloads shorter than 65 bytes have no piece', () => {
    assert.equal(MIN_PIECE_PAYLOAD, 65);
    assert.throws(() => computePieceCid(new Uint8Array(64)), /commP is not defined for payloads shorter than 65 bytes \(got 64\)/);
    assert.throws(() => computePieceCid(new Uint8Array()), PieceError);
    assert.throws(() => paddedPieceSize(0), PieceError);
    assert.throws(() => paddedPieceSize(1.5), PieceError);
  });

  test('parsePieceCid accepts v1 piece CIDs and says what is wrong with anything else', () => {
    const text = 'baga6ea4seaqb66wjlfkrbye6uqoemcyxmqylwmrm235uclwfpsyx3ge2imidoly';
    assert.equal(parsePieceCid(text).toString(), text);
    assert.throws(() => parsePieceCid('not-a-cid'), /invalid piece CID "not-a-cid"/);
    assert.throws(() => parsePieceCid(''), PieceError);
    // A dag-cbor blake2b CID (a message CID) is a CID but no piece.
    assert.throws(() => parsePieceCid('bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4'), /is not a piece CID: expected CIDv1, codec fil-commitment-unsealed/);
    // The right codec and hash with a 31-byte digest.
    const short = CID.createV1(0xf101, Digest.create(0x1012, new Uint8Array(31))).toString();
    assert.throws(() => parsePieceCid(short), /is not a piece CID/);
    // A v2 piece CID (FRC-0069) is named as such.
    const v2 = CID.createV1(0x55, Digest.create(0x1011, new Uint8Array(34))).toString();
    assert.throws(() => parsePieceCid(v2), /is a v2 piece CID \(FRC-0069\); deals use the v1 piece CID/);
    assert.throws(() => pieceCidFromRoot(new Uint8Array(31)), /a piece commitment is 32 bytes, got 31/);
  });
});
