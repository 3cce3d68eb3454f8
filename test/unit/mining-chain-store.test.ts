// The chain store: tipsets by epoch and by block hash, consecutive appends, ranges, and message
// lookups by CID and by Ethereum transaction hash (lotus-eth-rpc.md §2.3, §3.3).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Wallet } from 'ethers';
import { bytesToHex, hexToBytes } from '../../src/common/hex.js';
import { createDevnet, testConfig } from '../../src/index.js';
import { ChainStore } from '../../src/mining/chain-store.js';
import { buildTipset, type IncludedMessage, type Tipset } from '../../src/mining/tipset.js';
import { fakeIncluded } from '../helpers/fake-messages.js';

const GENESIS_TIME = 1_700_000_000;

function chainOf(length: number, messagesAt: Record<number, IncludedMessage[]> = {}): { store: ChainStore; tipsets: Tipset[] } {
  const store = new ChainStore();
  const tipsets: Tipset[] = [];
  for (let epoch = 0; epoch < length; epoch++) {
    const tipset = buildTipset({
      epoch,
      timestamp: GENESIS_TIME + epoch,
      baseFee: 100_000_000n,
      parent: tipsets[epoch - 1],
      messages: messagesAt[epoch] ?? [],
    });
    store.append(tipset);
    tipsets.push(tipset);
  }
  return { store, tipsets };
}

/** A native (secp256k1-signed) Filecoin message, as if pushed with MpoolPush. */
const nativeMessage = (nonce: number, index: number): IncludedMessage => fakeIncluded({ nonce, index, value: 1n, signatureByte: 1 });

describe('ChainStore', () => {
  test('head, height, atEpoch and byBlockHash', () => {
    const { store, tipsets } = chainOf(4);
    assert.equal(store.height, 3);
    assert.equal(store.head, tipsets[3]);
    for (const tipset of tipsets) {
      assert.equal(store.atEpoch(tipset.epoch), tipset);
      assert.equal(store.byBlockHash(tipset.hash), tipset);
      // A copy of the hash bytes finds it too: lookups are by value.
      assert.equal(store.byBlockHash(Uint8Array.from(tipset.hash)), tipset);
    }
    assert.equal(store.atEpoch(4), undefined);
    assert.equal(store.byBlockHash(new Uint8Array(32)), undefined);
  });

  test('append refuses a tipset that does not follow the head', () => {
    const { store, tipsets } = chainOf(2);
    const skip = buildTipset({ epoch: 3, timestamp: GENESIS_TIME + 3, baseFee: 100n, parent: tipsets[1], messages: [] });
    assert.throws(() => store.append(skip), /tipset 3 does not follow 1/);
    const again = buildTipset({ epoch: 1, timestamp: GENESIS_TIME + 9, baseFee: 100n, parent: tipsets[0], messages: [] });
    assert.throws(() => store.append(again), /tipset 1 does not follow 1/);
    assert.equal(store.height, 1);
  });

  test('range includes both ends and is clamped to the chain', () => {
    const { store, tipsets } = chainOf(5);
    assert.deepEqual(store.range(1, 3), tipsets.slice(1, 4));
    assert.deepEqual(store.range(2, 2), [tipsets[2]]);
    assert.deepEqual(store.range(-10, 1), tipsets.slice(0, 2));
    assert.deepEqual(store.range(3, 100), tipsets.slice(3));
    assert.deepEqual(store.range(3, 2), []);
  });

  test('messageByCid finds an included message with its tipset', () => {
    const m0 = nativeMessage(0, 0);
    const m1 = nativeMessage(1, 1);
    const { store, tipsets } = chainOf(3, { 2: [m0, m1] });
    const found = store.messageByCid(m1.cid.toString());
    assert.ok(found);
    assert.equal(found.tipset, tipsets[2]);
    assert.equal(found.message, m1);
    assert.equal(store.messageByCid(nativeMessage(7, 0).cid.toString()), undefined);
  });

  test("a native message is found by the digest of its CID, as Lotus maps its hash (EthHash.ToCid fallback)", () => {
    const native = nativeMessage(0, 0);
    const { store, tipsets } = chainOf(2, { 1: [native] });
    // lotus-eth-rpc.md §3.3: the Ethereum hash of a native message is the blake2b-256 digest of its
    // CID, and lookups fall back to txHash.ToCid(). chain-store.ts documents the same.
    const found = store.messageByTxHash(native.cid.multihash.digest);
    assert.ok(found, 'the native message was not found by its hash');
    assert.equal(found.tipset, tipsets[1]);
    assert.equal(found.message, native);
  });
});

describe('ChainStore inside a Devnet', () => {
  test('an Ethereum transaction is found by its hash and by its message CID, and unknown hashes are not', async () => {
    const devnet = await createDevnet(testConfig());
    try {
      const raw = await new Wallet('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80').signTransaction({
        type: 2,
        chainId: 31415926n,
        nonce: 0,
        to: '0x52963ef50e27e06d72d59fcb4f3c2a687be3cfef',
        value: 5n,
        gasLimit: 10_000_000,
        maxFeePerGas: 10n ** 9n,
        maxPriorityFeePerGas: 200_000n,
      });
      const hash = await devnet.sendRawTransaction(hexToBytes(raw));
      const byHash = devnet.chain.messageByTxHash(hash);
      assert.ok(byHash);
      assert.equal(byHash.tipset.epoch, 1);
      assert.equal(bytesToHex(byHash.message.ethTx!.hash), bytesToHex(hash));
      const byCid = devnet.chain.messageByCid(byHash.message.cid.toString());
      assert.ok(byCid);
      assert.equal(byCid.message, byHash.message);
      assert.equal(devnet.chain.messageByTxHash(new Uint8Array(32).fill(7)), undefined);
      // The hash of a transaction is keccak256 of its raw bytes, not the digest of its message CID.
      assert.notEqual(bytesToHex(hash), bytesToHex(byHash.message.cid.multihash.digest));
    } finally {
      devnet.close();
    }
  });
});
