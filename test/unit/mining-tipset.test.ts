// Tipsets: the block hash is the digest of the tipset key CID (Lotus chain/types/tipset_key.go,
// lotus-eth-rpc.md §2.3), parents link by key, sums of gas, and determinism.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blake2b } from '@noble/hashes/blake2.js';
import { FilAddress } from '../../src/common/address.js';
import { cidOf, encodeCbor } from '../../src/common/cbor.js';
import { bytesToHex, concatBytes } from '../../src/common/hex.js';
import { toFilecoinMessage, type EthTransaction } from '../../src/fevm/eth-tx.js';
import { nextBaseFee } from '../../src/fevm/gas.js';
import { signedMessageCid } from '../../src/fevm/message.js';
import { OWN_BUFFER_FROM } from '../../src/mining/digest-slab.js';
import { buildTipset, compactMessages, DecodedColdTipsets, encodeBlockHeader, isCold, parentStateRootDigestOf, stateRootDigestOf, tipsetKeyCid, type BlockHeader, type IncludedMessage, type Tipset } from '../../src/mining/tipset.js';
import { fakeIncluded } from '../helpers/fake-messages.js';
import { heapUsed } from '../helpers/heap.js';

/** CIDv1 ‖ dag-cbor (0x71) ‖ multihash blake2b-256 (varint 0xb220 = a0 e4 02) ‖ length 32. */
const CID_PREFIX = '0x0171a0e40220';

/** blake2b-256 of the CBOR byte string (major type 2) that holds the concatenated block CIDs. */
function expectedBlockHash(blockCids: Uint8Array[]): Uint8Array {
  const payload = concatBytes(...blockCids);
  assert.ok(payload.length >= 24 && payload.length < 256, 'test helper handles one-byte lengths only');
  const header = new Uint8Array([0x58, payload.length]);
  return blake2b(concatBytes(header, payload), { dkLen: 32 });
}

const included = (nonce: number, gasLimit: number, gasUsed: number, index: number): IncludedMessage => fakeIncluded({ nonce, index, gasLimit, gasUsed });

const genesis = (): Tipset => buildTipset({ epoch: 0, timestamp: 1_700_000_000, baseFee: 100_000_000n, parent: undefined, messages: [] });

describe('tipset hashes', () => {
  test('the block hash is blake2b-256 of the CBOR byte string of the block CID bytes', () => {
    const tipset = genesis();
    assert.equal(tipset.blockCid.bytes.length, 38);
    assert.equal(bytesToHex(tipset.hash), bytesToHex(expectedBlockHash([tipset.blockCid.bytes])));
  });

  test('the block hash is the 32-byte digest of the tipset key CID (dag-cbor, blake2b-256)', () => {
    const tipset = genesis();
    assert.equal(tipset.key.version, 1);
    assert.equal(tipset.key.code, 0x71);
    assert.equal(tipset.key.multihash.code, 0xb220);
    assert.equal(bytesToHex(tipset.key.bytes), CID_PREFIX + bytesToHex(tipset.hash).slice(2));
    assert.equal(bytesToHex(tipset.blockCid.bytes).slice(0, CID_PREFIX.length), CID_PREFIX);
    assert.ok(tipset.key.equals(tipsetKeyCid([tipset.blockCid])));
  });

  test('tipsetKeyCid over several block CIDs hashes their concatenation in order', () => {
    const a = genesis().blockCid;
    const b = buildTipset({ epoch: 1, timestamp: 1_700_000_001, baseFee: 100n, parent: undefined, messages: [] }).blockCid;
    const ab = tipsetKeyCid([a, b]);
    assert.equal(bytesToHex(ab.multihash.digest), bytesToHex(expectedBlockHash([a.bytes, b.bytes])));
    assert.notEqual(bytesToHex(ab.multihash.digest), bytesToHex(tipsetKeyCid([b, a]).multihash.digest));
  });

  test('a child links to its parent key, and the parent hash is the digest of that key', () => {
    const parent = genesis();
    const child = buildTipset({ epoch: 1, timestamp: 1_700_000_001, baseFee: 87_500_000n, parent, messages: [] });
    assert.equal(parent.parentKey, undefined);
    assert.ok(child.parentKey?.equals(parent.key));
    assert.equal(bytesToHex(child.parentKey!.multihash.digest), bytesToHex(parent.hash));
    assert.notEqual(bytesToHex(child.hash), bytesToHex(parent.hash));
  });

  test('the same inputs give the same tipset; any header field changes the hash', () => {
    const base = { epoch: 1, timestamp: 1_700_000_001, baseFee: 87_500_000n, parent: genesis(), messages: [] as IncludedMessage[] };
    const hash = (overrides: Partial<typeof base>) => bytesToHex(buildTipset({ ...base, ...overrides }).hash);
    const reference = hash({});
    assert.equal(hash({}), reference);
    assert.notEqual(hash({ timestamp: 1_700_000_002 }), reference);
    assert.notEqual(hash({ baseFee: 87_500_001n }), reference);
    assert.notEqual(hash({ messages: [included(0, 1_000_000, 400_000, 0)] }), reference);
  });
});

describe('state roots (RootFormat)', () => {
  const base = { epoch: 2, timestamp: 1_700_000_002, baseFee: 87_500_000n, messages: [] as IncludedMessage[], miner: 1000 };
  const parent = buildTipset({ epoch: 1, timestamp: 1_700_000_001, baseFee: 87_500_000n, parent: genesis(), messages: [] });
  const root = (overrides: Partial<Parameters<typeof buildTipset>[0]>) => buildTipset({ ...base, parent, ...overrides }).stateRoot.toString();

  test("a tipset's root names its epoch, timestamp, miner and base fee, which decide its state, where format 9's and 8's named none (X7, A2.1)", () => {
    const reference = root({});
    assert.equal(root({}), reference);
    const others = { timestamp: { timestamp: 1_700_000_003 }, epoch: { epoch: 3 }, miner: { miner: 1001 }, baseFee: { baseFee: 100_000_000n } };
    for (const [name, other] of Object.entries(others)) {
      assert.notEqual(root(other), reference, name);
      assert.equal(root({ ...other, roots: 9 }), root({ roots: 9 }), name);
      assert.equal(root({ ...other, roots: 8 }), root({ roots: 8 }), name);
    }
  });

  test("a block mined after a cheat-code edit names it in its ParentStateRoot, which its root follows from; format 9 named it in the root alone, 8 nowhere (R83)", () => {
    const edited = buildTipset({ ...base, parent, edit: 7 });
    assert.ok(!edited.header.parentStateRoot.equals(parent.stateRoot));
    assert.ok(buildTipset({ ...base, parent }).header.parentStateRoot.equals(parent.stateRoot));
    assert.notEqual(root({ edit: 8 }), edited.stateRoot.toString());
    for (const roots of [8, 9] as const) assert.ok(buildTipset({ ...base, parent, edit: 7, roots }).header.parentStateRoot.equals(parent.stateRoot));
    assert.notEqual(root({ edit: 7, roots: 9 }), root({ roots: 9 }));
    assert.equal(root({ edit: 7, roots: 8 }), root({ roots: 8 }));
  });

  test("the root digests read without a header or CID (StateChangedActors' scan) are the header's and the tipset's (A2.8)", () => {
    for (const tipset of [genesis(), parent, buildTipset({ ...base, parent }), buildTipset({ ...base, parent, edit: 7 })]) {
      assert.deepEqual(parentStateRootDigestOf(tipset), tipset.header.parentStateRoot.multihash.digest);
      assert.deepEqual(stateRootDigestOf(tipset), tipset.stateRoot.multihash.digest);
    }
  });
});

describe('tipset contents', () => {
  test('gasUsed sums the receipts', () => {
    const messages = [included(0, 1_000_000, 400_000, 0), included(1, 3_000_000, 2_500_000, 1)];
    const tipset = buildTipset({ epoch: 1, timestamp: 1_700_000_001, baseFee: 100n, parent: genesis(), messages });
    assert.equal(tipset.gasUsed, 2_900_000);
    // Kept with their CIDs as digests in the tipset's buffer: the same messages, receipts and CIDs.
    assert.equal(tipset.messages.length, 2);
    tipset.messages.forEach((m, i) => {
      assert.equal(m.signed, messages[i].signed);
      assert.equal(m.receipt, messages[i].receipt);
      assert.equal(m.index, i);
      assert.ok(m.cid.equals(messages[i].cid));
    });
    assert.equal(tipset.epoch, 1);
    assert.equal(tipset.timestamp, 1_700_000_001);
    assert.equal(tipset.baseFee, 100n);
  });

  test('an Ethereum transaction is kept with its fields, and its signed message is the one made from it', () => {
    const tx = (nonce: number, to: Uint8Array | null, input: Uint8Array): EthTransaction => ({
      type: 2, hash: blake2b(new Uint8Array([nonce]), { dkLen: 32 }), chainId: 31415926n, nonce, from: new Uint8Array(20).fill(0xaa), to, value: 5n, input,
      gasLimit: 1_000_000, maxFeePerGas: 2_000n, maxPriorityFeePerGas: 100n, v: 1n, r: 7n, s: 9n,
    });
    const txs = [tx(0, new Uint8Array(20).fill(0xbb), new Uint8Array([1, 2, 3])), tx(1, null, new Uint8Array([0x60, 0x00])), tx(2, new Uint8Array(20).fill(0xcc), new Uint8Array())];
    const messages = txs.map((ethTx, index): IncludedMessage => {
      const signed = toFilecoinMessage(ethTx);
      return { cid: signedMessageCid(signed), signed, ethTx, receipt: { exitCode: 0, returnData: new Uint8Array(), gasUsed: 1, events: [] }, index };
    });
    const tipset = buildTipset({ epoch: 1, timestamp: 1_700_000_001, baseFee: 100n, parent: genesis(), messages: [included(0, 1_000_000, 1, 0), ...messages] });
    tipset.messages.slice(1).forEach((m, i) => {
      const kept = m.ethTx!;
      for (const field of ['type', 'chainId', 'nonce', 'value', 'gasLimit', 'maxFeePerGas', 'maxPriorityFeePerGas', 'v', 'r', 's'] as const) assert.equal(kept[field], txs[i][field]);
      for (const field of ['hash', 'from', 'to', 'input'] as const) assert.deepEqual(kept[field] && [...kept[field]], txs[i][field] && [...txs[i][field]!]);
      assert.ok(signedMessageCid(m.signed).equals(messages[i].cid));
    });
    assert.equal(tipset.messages[2].ethTx!.to, null);
    assert.equal(tipset.messages[3].ethTx!.input.length, 0);
    assert.equal(tipset.messages[0].ethTx, undefined);
  });

  test('an empty tipset uses no gas', () => {
    const tipset = genesis();
    assert.equal(tipset.gasUsed, 0);
    assert.deepEqual(tipset.messages, []);
  });

  test("an empty tipset's messages and receipts roots are the empty lists' CIDs, its parent's read by its child's header, though no empty tipset keeps them", () => {
    const emptyMessages = cidOf(encodeCbor([[], []]));
    const emptyReceipts = cidOf(encodeCbor([]));
    const chain = [genesis()];
    for (let epoch = 1; epoch < 6; epoch++) {
      const messages = epoch === 3 ? [included(0, 1_000_000, 1000, 0)] : [];
      chain.push(buildTipset({ epoch, timestamp: 1_700_000_000 + epoch, baseFee: 100n, parent: chain[epoch - 1], messages }));
    }
    for (const tipset of chain) {
      if (tipset.epoch === 3) {
        assert.ok(!tipset.receiptsRoot.equals(emptyReceipts) && !tipset.header.messages.equals(emptyMessages), 'a tipset with messages has roots of its own');
        continue;
      }
      assert.ok(tipset.receiptsRoot.equals(emptyReceipts), `epoch ${tipset.epoch}'s receipts root`);
      assert.ok(tipset.header.messages.equals(emptyMessages), `epoch ${tipset.epoch}'s messages root`);
    }
    assert.ok(chain[4].header.parentMessageReceipts.equals(chain[3].receiptsRoot));
    assert.ok(chain[5].header.parentMessageReceipts.equals(emptyReceipts));
    // An empty tipset's run is 24 bytes of numbers (timestamp, miner, parent weight, epoch, base fee) and three digests
    // (block, key, state root); a tipset with messages has five digests and its messages'. Runs follow one another in one chunk.
    assert.equal(chain[2].hash.buffer, chain[1].hash.buffer);
    assert.equal(chain[2].hash.byteOffset - chain[1].hash.byteOffset, 24 + 3 * 32);
    assert.equal(chain[4].hash.byteOffset - chain[3].hash.byteOffset, 24 + (5 + 1) * 32);
  });

  test('base fees read back exact, beyond 2^53 too, and the next base fee is the one the messages made, or none made for an empty tipset', () => {
    const big = 2n ** 60n + 3n;
    const messages = [included(0, 9_000_000_000, 1000, 0)];
    const parent = buildTipset({ epoch: 1, timestamp: 1_700_000_001, baseFee: big, parent: genesis(), messages: [] });
    const filled = buildTipset({ epoch: 2, timestamp: 1_700_000_002, baseFee: 500n, parent, messages });
    for (const [tipset, baseFee, next] of [
      [genesis(), 100_000_000n, nextBaseFee(100_000_000n, [])],
      [parent, big, nextBaseFee(big, [])],
      [filled, 500n, nextBaseFee(500n, [{ gasLimit: 9_000_000_000, gasFeeCap: messages[0].signed.message.gasFeeCap, gasPremium: messages[0].signed.message.gasPremium }])],
    ] as const) {
      assert.equal(typeof tipset.baseFee, 'bigint');
      assert.equal(tipset.baseFee, baseFee);
      assert.equal(tipset.header.parentBaseFee, baseFee);
      assert.equal(tipset.nextBaseFee, next);
    }
    assert.notEqual(filled.nextBaseFee, nextBaseFee(500n, []), 'its message moved the next base fee');
  });

  test('an empty tipset is an object of three fields: 48 B of heap a tipset kept (46.2-49.1 measured, under 52 asked), where its epoch and base fee as fields made it 64', () => {
    const TIPSETS = 100_000;
    const parent = genesis();
    // Tipsets on one parent, kept in an array made before: what the heap gains is the tipsets alone.
    const kept: Tipset[] = new Array(TIPSETS).fill(parent);
    const build = (i: number) => buildTipset({ epoch: 1, timestamp: 1_700_000_001 + i, baseFee: 100n, parent, messages: [] });
    // Built before, as the file's other tests do, so that the code V8 compiles for buildTipset and
    // the feedback it keeps are not counted: alone, 40 000 tipsets unwarmed measured ~101 B, and the
    // nine fields' 96 B overlapped the eight's (X21).
    for (let i = 0; i < 10_000; i++) build(i);
    const before = heapUsed();
    for (let i = 0; i < TIPSETS; i++) kept[i] = build(i);
    const perTipset = (heapUsed() - before) / TIPSETS;
    assert.deepEqual([kept[7].messages.length, kept[7].gasUsed, kept[7].nextBaseFee], [0, 0, nextBaseFee(100n, [])]);
    assert.ok(perTipset < 52, `an empty tipset took ${perTipset.toFixed(1)} B`);
  });

  test("empty tipsets share one messages array, which refuses a write (it would reach every one): read-only to the compiler, frozen for one that gets past it", () => {
    const a = genesis();
    const b = buildTipset({ epoch: 1, timestamp: 1_700_000_001, baseFee: 100n, parent: a, messages: [] });
    assert.equal(a.messages, b.messages);
    // @ts-expect-error Tipset.messages is read-only: the compiler refuses the write.
    assert.throws(() => a.messages.push(included(0, 1, 1, 0)), TypeError);
    assert.deepEqual(b.messages, []);
  });
});

describe('what a tipset keeps of itself', () => {
  /** Everything a tipset names by digest: its block CID, key, hash, roots, its messages' CIDs, and its header's parents. */
  const named = (tipset: Tipset) =>
    [tipset.blockCid, tipset.key, tipset.stateRoot, tipset.receiptsRoot, tipset.header.messages, ...tipset.messages.map((m) => m.cid), ...tipset.header.parents]
      .map(String)
      .concat(bytesToHex(tipset.hash));

  test("a chain of thousands of tipsets (their digests cut from shared chunks, a big one's in a buffer of its own) names what it named when each was built, and once its messages are cold", () => {
    const chain: Tipset[] = [genesis()];
    const namedAtBuild = [named(chain[0])];
    // Digests (block, key, three roots, then one per message) from a chunk's quarter on get a buffer of their own (digest-slab.ts).
    const OWN_BUFFER_MESSAGES = 520;
    assert.ok((5 + OWN_BUFFER_MESSAGES) * 32 >= OWN_BUFFER_FROM, 'a tipset of OWN_BUFFER_MESSAGES messages gets a buffer of its own');
    for (let epoch = 1; epoch < 3000; epoch++) {
      // Mostly empty, some with a few messages, one in five hundred with a buffer of its own.
      const count = epoch % 500 === 0 ? OWN_BUFFER_MESSAGES : epoch % 7 === 0 ? 3 : 0;
      const messages = Array.from({ length: count }, (_, i) => included(epoch * 1000 + i, 1_000_000, 1000, i));
      const tipset = buildTipset({ epoch, timestamp: 1_700_000_000 + epoch, baseFee: 100n, parent: chain[epoch - 1], messages });
      chain.push(tipset);
      namedAtBuild.push(named(tipset));
      assert.deepEqual(tipset.messages.map((m) => String(m.cid)), messages.map((m) => String(m.cid)), `epoch ${epoch}'s message CIDs`);
    }
    chain.forEach((tipset, epoch) => assert.deepEqual(named(tipset), namedAtBuild[epoch], `epoch ${epoch} after the whole chain was built`));
    // Cold, their messages are decoded from the tipset's encoded buffer, their CIDs still read from its digests.
    const decoded = new DecodedColdTipsets();
    for (const tipset of chain) compactMessages(tipset, decoded);
    assert.ok(isCold(chain[500]) && isCold(chain[7]));
    chain.forEach((tipset, epoch) => assert.deepEqual(named(tipset), namedAtBuild[epoch], `epoch ${epoch} cold`));
    // The same chain built again: the same hashes.
    let parent: Tipset | undefined = undefined;
    for (let epoch = 0; epoch < 50; epoch++) {
      const count = epoch % 7 === 0 && epoch > 0 ? 3 : 0;
      const messages = Array.from({ length: count }, (_, i) => included(epoch * 1000 + i, 1_000_000, 1000, i));
      parent = buildTipset({ epoch, timestamp: 1_700_000_000 + epoch, baseFee: epoch === 0 ? 100_000_000n : 100n, parent, messages });
      assert.equal(bytesToHex(parent.hash), bytesToHex(chain[epoch].hash), `epoch ${epoch} built again`);
    }
  });

  test("a fork's first tipset with messages keeps them as a devnet tipset does, cold or hot, and answers the upstream's block", () => {
    const messages = [included(0, 1_000_000, 1000, 0), included(1, 1_000_000, 3000, 1)];
    const input = { epoch: 10, timestamp: 1_700_000_010, baseFee: 100n, parent: undefined, messages };
    const upstreamBlock = cidOf(encodeCbor({ upstreamBlock: 10 }));
    const first = buildTipset(input, { blocks: [upstreamBlock], headers: [], parentWeight: 5n, weight: 6n });
    const devnetOwn = buildTipset(input);
    const answers = (t: Tipset) => [t.messages.map((m) => m.cid.toString()), t.gasUsed, t.nextBaseFee, t.receiptsRoot.toString(), t.header.messages.toString()];
    assert.deepEqual(answers(first), answers(devnetOwn));
    assert.deepEqual(answers(first)[1], 4000);
    assert.equal(first.blockCid, upstreamBlock);
    assert.notEqual(first.blockCid.toString(), devnetOwn.blockCid.toString());
    compactMessages(first, new DecodedColdTipsets());
    assert.ok(isCold(first));
    assert.deepEqual(answers(first), answers(devnetOwn));
  });

  test("a tipset's timestamp, miner, parent weight, epoch and base fee, kept in its run's bytes, read back exact at their edges (32 bits, 2^53) and past them, in its header and its block CID", () => {
    const TWO_32 = 2 ** 32;
    const cases = [
      { timestamp: 0, miner: 0, weight: 0n, epoch: 0, baseFee: 0n },
      { timestamp: 1_700_000_000, miner: 1000, weight: 12_345n, epoch: 10, baseFee: 100n },
      { timestamp: TWO_32 - 2, miner: TWO_32 - 2, weight: BigInt(TWO_32) - 1n, epoch: TWO_32 - 3, baseFee: BigInt(TWO_32) - 2n },
      { timestamp: TWO_32 - 1, miner: TWO_32 - 1, weight: BigInt(TWO_32), epoch: TWO_32 - 2, baseFee: BigInt(TWO_32) - 1n },
      { timestamp: TWO_32, miner: TWO_32, weight: BigInt(TWO_32) + 1n, epoch: TWO_32 - 1, baseFee: BigInt(TWO_32) },
      // The last timestamp a node mines (clock.ts LAST_TIMESTAMP), an ID past 32 bits, weights at and past 2^53,
      // the last epochs a node mines (2^53 - 2, the one after), base fees past 32 bits and past 2^53.
      { timestamp: 8.64e12, miner: 2 ** 40 + 5, weight: 2n ** 53n - 1n, epoch: Number.MAX_SAFE_INTEGER - 1, baseFee: 2n ** 53n },
      { timestamp: 1_700_000_000, miner: 1000, weight: 2n ** 53n, epoch: TWO_32, baseFee: 2n ** 60n + 3n },
      { timestamp: 1_700_000_000, miner: 1000, weight: 2n ** 70n + 3n, epoch: 10, baseFee: 100n },
      // One field wide, the others in the run: each read from where it is kept.
      { timestamp: 1_700_000_000, miner: 1000, weight: 12_345n, epoch: 10, baseFee: BigInt(TWO_32) * 5n },
      { timestamp: 1_700_000_000, miner: 1000, weight: 12_345n, epoch: TWO_32 + 7, baseFee: 100n },
    ];
    for (const [i, { timestamp, miner, weight, epoch, baseFee }] of cases.entries()) {
      const upstream = { blocks: [cidOf(encodeCbor({ upstreamBlock: i }))], headers: [], parentWeight: weight, weight: weight + 1n };
      const first = buildTipset({ epoch, timestamp, baseFee, parent: undefined, messages: [], miner }, upstream);
      const child = buildTipset({ epoch: epoch + 1, timestamp, baseFee, parent: first, messages: [included(0, 1_000_000, 1000, 0)], miner });
      for (const [tipset, parentWeight, height] of [
        [first, weight, epoch],
        [child, weight + 1n, epoch + 1],
      ] as const) {
        const { header } = tipset;
        assert.deepEqual(
          [tipset.timestamp, header.timestamp, header.miner.toString(), header.parentWeight, tipset.epoch, header.height, tipset.baseFee, header.parentBaseFee],
          [timestamp, timestamp, `t0${miner}`, parentWeight, height, height, baseFee, baseFee],
          `case ${i}, epoch ${height}`,
        );
      }
      // The block CID is of the header with these values, as a plain header object encodes them.
      const h = child.header;
      const plain: BlockHeader = { miner: FilAddress.fromId(miner), ticket: h.ticket, electionProof: h.electionProof, parents: h.parents, parentWeight: weight + 1n, height: epoch + 1, parentStateRoot: h.parentStateRoot, parentMessageReceipts: h.parentMessageReceipts, messages: h.messages, timestamp, parentBaseFee: baseFee };
      assert.equal(child.blockCid.toString(), cidOf(encodeBlockHeader(plain)).toString(), `case ${i}'s block CID`);
    }
  });

  test('parent weights are exact: small ones, and an upstream weight beyond 2^53 and the ones after it', () => {
    const chain = [genesis()];
    for (let epoch = 1; epoch < 5; epoch++) chain.push(buildTipset({ epoch, timestamp: 1_700_000_000 + epoch, baseFee: 100n, parent: chain[epoch - 1], messages: [] }));
    assert.deepEqual(chain.map((t) => t.header.parentWeight), [0n, 1n, 2n, 3n, 4n]);
    const big = 2n ** 70n + 1n;
    const upstream = { blocks: [chain[0].blockCid], headers: [], parentWeight: big, weight: big + 7n };
    const first = buildTipset({ epoch: 10, timestamp: 1_700_000_010, baseFee: 100n, parent: undefined, messages: [] }, upstream);
    const child = buildTipset({ epoch: 11, timestamp: 1_700_000_011, baseFee: 100n, parent: first, messages: [] });
    const grandchild = buildTipset({ epoch: 12, timestamp: 1_700_000_012, baseFee: 100n, parent: child, messages: [] });
    assert.equal(first.header.parentWeight, big);
    assert.equal(child.header.parentWeight, big + 7n);
    assert.equal(grandchild.header.parentWeight, big + 8n);
    const edge = 2n ** 53n;
    const atEdge = buildTipset({ epoch: 10, timestamp: 1_700_000_010, baseFee: 100n, parent: undefined, messages: [] }, { ...upstream, parentWeight: edge - 1n, weight: edge });
    const pastEdge = buildTipset({ epoch: 11, timestamp: 1_700_000_011, baseFee: 100n, parent: atEdge, messages: [] });
    assert.equal(atEdge.header.parentWeight, edge - 1n);
    assert.equal(pastEdge.header.parentWeight, edge);
    assert.equal(buildTipset({ epoch: 12, timestamp: 1_700_000_012, baseFee: 100n, parent: pastEdge, messages: [] }).header.parentWeight, edge + 1n);
  });
});
