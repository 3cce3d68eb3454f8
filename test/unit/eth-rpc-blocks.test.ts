// Blocks through the HTTP layer: eth_blockNumber, eth_getBlockByNumber / ByHash and the
// transaction counts, with Lotus's block fields (lotus-eth-rpc.md §2.3, §2.4).
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { blake2b } from '@noble/hashes/blake2.js';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { bytesToHex, concatBytes, hexToBytes } from '../../src/common/hex.js';
import type { DevnetConfig } from '../../src/index.js';
import { devWallet as wallet, RECIPIENT } from '../helpers/dev-wallet.js';
import { setupRpc } from '../helpers/rpc-harness.js';

const ZERO_HASH = '0x' + '00'.repeat(32);
const EMPTY_UNCLES = '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347';
const EMPTY_ROOT = '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421';

const setup = (t: TestContext, overrides: Partial<DevnetConfig> = {}) => setupRpc(t, overrides, { errorHasNoResult: true });

/** blake2b-256 of the CBOR byte string of one block CID: the Ethereum block hash of a one-block tipset. */
const tipsetHash = (blockCid: Uint8Array) => bytesToHex(blake2b(concatBytes(new Uint8Array([0x58, blockCid.length]), blockCid), { dkLen: 32 }));

describe('eth_blockNumber', () => {
  test('is the head epoch: 0 at genesis, then one more per tipset', async (t) => {
    const { result, devnet, send } = await setup(t);
    assert.equal(await result('eth_blockNumber'), '0x0');
    await send({ nonce: 0 });
    assert.equal(await result('eth_blockNumber'), '0x1');
    await devnet.mine();
    assert.equal(await result('eth_blockNumber'), '0x2');
  });
});

describe('eth_getBlockByNumber', () => {
  test('the genesis block has Lotus\'s fields', async (t) => {
    const { result, devnet } = await setup(t);
    const block = await result('eth_getBlockByNumber', ['0x0', false]);
    assert.deepEqual(block, {
      hash: tipsetHash(devnet.head.blockCid.bytes),
      parentHash: ZERO_HASH,
      sha3Uncles: EMPTY_UNCLES,
      miner: '0x0000000000000000000000000000000000000000',
      stateRoot: ZERO_HASH,
      transactionsRoot: EMPTY_ROOT,
      receiptsRoot: ZERO_HASH,
      logsBloom: '0x' + '00'.repeat(256),
      difficulty: '0x0',
      totalDifficulty: '0x0',
      number: '0x0',
      gasLimit: '0x2540be400',
      gasUsed: '0x0',
      timestamp: '0x6553f100',
      extraData: '0x',
      mixHash: ZERO_HASH,
      nonce: '0x0000000000000000',
      baseFeePerGas: '0x5f5e100',
      size: '0x0',
      transactions: [],
      uncles: [],
    });
  });

  test('a block with a 1559 transaction: hash-only and full forms; no gasPrice on 1559 transactions', async (t) => {
    const { result, send, devnet } = await setup(t);
    const txHash = await send({ nonce: 0, value: 5n });
    const tipset = devnet.head;
    const short = await result('eth_getBlockByNumber', ['0x1', false]);
    assert.equal(short.number, '0x1');
    assert.equal(short.hash, tipsetHash(tipset.blockCid.bytes));
    assert.equal(short.parentHash, (await result('eth_getBlockByNumber', ['0x0', false])).hash);
    assert.deepEqual(short.transactions, [txHash]);
    // With transactions the root is 32 zero bytes (Lotus NewEthBlock(hasTransactions)).
    assert.equal(short.transactionsRoot, ZERO_HASH);
    assert.equal(short.gasLimit, '0x2540be400');
    assert.equal(short.miner, '0x0000000000000000000000000000000000000000');
    assert.equal(short.sha3Uncles, EMPTY_UNCLES);
    // The base fee that applied to the messages of this tipset: genesis's 1e8 less 1/8.
    assert.equal(short.baseFeePerGas, '0x53724e0');
    assert.equal(short.gasUsed, `0x${tipset.messages[0].receipt.gasUsed.toString(16)}`);
    assert.ok(Number(short.timestamp) > 1_700_000_000);

    const full = await result('eth_getBlockByNumber', ['0x1', true]);
    assert.equal(full.transactions.length, 1);
    const tx = full.transactions[0];
    assert.equal(tx.hash, txHash);
    assert.equal(tx.blockHash, short.hash);
    assert.equal(tx.blockNumber, '0x1');
    assert.equal(tx.transactionIndex, '0x0');
    assert.equal(tx.type, '0x2');
    assert.equal(tx.from, wallet.address.toLowerCase());
    assert.equal(tx.to, RECIPIENT);
    assert.equal(tx.value, '0x5');
    assert.equal(tx.maxFeePerGas, '0x3b9aca00');
    assert.equal(tx.maxPriorityFeePerGas, '0x30d40');
    assert.equal('gasPrice' in tx, false);
    const { transactions: _a, ...restFull } = full;
    const { transactions: _b, ...restShort } = short;
    assert.deepEqual(restFull, restShort);
  });

  test('safe and finalized lag the head as on Lotus (F3 --f3-lag behind, safe at most 200 behind)', async (t) => {
    const { result, devnet } = await setup(t, { noMining: true, f3Lag: 300 });
    const number = async (tag: string) => (await result('eth_getBlockByNumber', [tag, false])).number;
    await devnet.cheats.mine(5);
    assert.equal(await number('finalized'), '0x0');
    assert.equal(await number('safe'), '0x0');
    await devnet.cheats.mine(995);
    assert.equal(await number('finalized'), '0x2bc'); // 1000 − 300
    assert.equal(await number('safe'), '0x320'); // 1000 − 200
    // State reads take the tags the same way; trace_filter has its own (eth-rpc-traces.test.ts).
    assert.equal(await result('eth_getTransactionCount', ['0x' + '11'.repeat(20), 'finalized']), '0x0');
  });

  test('latest and pending are the head; earliest is refused, as Lotus does (F5); a hex number is that epoch', async (t) => {
    const { result, error, devnet } = await setup(t, { noMining: true });
    await devnet.mine();
    await devnet.mine();
    const head = bytesToHex(devnet.head.hash);
    assert.equal((await result('eth_getBlockByNumber', ['latest', false])).hash, head);
    assert.equal((await result('eth_getBlockByNumber', ['pending', false])).hash, head);
    // node/impl/eth/tipsetresolver.go getTipSetByTag: every method that resolves a block refuses it.
    const refused = { code: 1, message: 'block param "earliest" is not supported' };
    assert.deepEqual(await error('eth_getBlockByNumber', ['earliest', false]), refused);
    assert.deepEqual(await error('eth_getBlockReceipts', ['earliest']), refused);
    assert.deepEqual(await error('eth_feeHistory', ['0x1', 'earliest', []]), refused);
    assert.deepEqual(await error('trace_block', ['earliest']), refused);
    assert.deepEqual(await error('eth_call', [{ to: '0x' + '11'.repeat(20) }, 'earliest']), refused);
    const one = await result('eth_getBlockByNumber', ['0x1', false]);
    assert.equal(one.hash, bytesToHex(devnet.chain.atEpoch(1)!.hash));
    assert.equal(one.parentHash, bytesToHex(devnet.chain.atEpoch(0)!.hash));
    // The genesis base fee less 1/8 per empty tipset.
    assert.equal(one.baseFeePerGas, '0x53724e0');
    assert.equal((await result('eth_getBlockByNumber', ['latest', false])).baseFeePerGas, '0x4904044');
  });

  test('a future block number is an error, not null', async (t) => {
    const { error } = await setup(t);
    assert.deepEqual(await error('eth_getBlockByNumber', ['0x1', false]), { code: 1, message: "requested a future epoch (beyond 'latest')" });
    assert.deepEqual(await error('eth_getBlockTransactionCountByNumber', ['0x5']), { code: 1, message: "requested a future epoch (beyond 'latest')" });
  });

  test('bad parameters are -32602', async (t) => {
    const { error } = await setup(t);
    assert.equal((await error('eth_getBlockByNumber', ['0x0'])).code, -32602);
    assert.equal((await error('eth_getBlockByNumber', ['0x0', 'yes'])).code, -32602);
    assert.equal((await error('eth_getBlockByNumber', ['tip', false])).code, -32602);
  });
});

describe('eth_getBlockByHash', () => {
  test('finds a block by its hash, in both forms', async (t) => {
    const { result, send } = await setup(t);
    const txHash = await send({ nonce: 0 });
    const byNumber = await result('eth_getBlockByNumber', ['0x1', true]);
    assert.deepEqual(await result('eth_getBlockByHash', [byNumber.hash, true]), byNumber);
    assert.deepEqual((await result('eth_getBlockByHash', [byNumber.hash, false])).transactions, [txHash]);
  });

  // Lotus looks the hash up as a tipset CID (EthHash.ToCid: CIDv1 dag-cbor, blake2b-256 digest) and
  // answers the blockstore's miss (lotus b835fab70 node/impl/eth/tipsetresolver.go GetTipSetByHash,
  // chain/store/store.go GetTipSetByCid): a fork's upstream tells an unknown hash so (fork-lookups.ts unlessUnknown).
  test('an unknown hash is an error, not null: Lotus\'s', async (t) => {
    const { error } = await setup(t);
    const unknown = '0x' + '12'.repeat(32);
    const cid = CID.createV1(0x71, Digest.create(0xb220, new Uint8Array(32).fill(0x12))).toString();
    const expected = { code: 1, message: `failed to get tipset by hash: cannot find tipset with cid ${cid}: ipld: could not find ${cid}` };
    assert.deepEqual(await error('eth_getBlockByHash', [unknown, false]), expected);
    assert.deepEqual(await error('eth_getBlockTransactionCountByHash', [unknown]), expected);
    assert.deepEqual(await error('eth_getBalance', [RECIPIENT, { blockHash: unknown }]), expected);
  });
});

describe('eth_getBlockTransactionCountByNumber / ByHash', () => {
  test('count the messages of the tipset', async (t) => {
    const { result, devnet } = await setup(t, { noMining: true });
    for (const nonce of [0, 1, 2]) {
      const raw = await wallet.signTransaction({ type: 2, chainId: 31415926n, nonce, maxFeePerGas: 10n ** 9n, maxPriorityFeePerGas: 200_000n, gasLimit: 10_000_000, to: RECIPIENT });
      await devnet.sendRawTransaction(hexToBytes(raw));
    }
    await devnet.mine();
    assert.equal(await result('eth_getBlockTransactionCountByNumber', ['0x0']), '0x0');
    assert.equal(await result('eth_getBlockTransactionCountByNumber', ['latest']), '0x3');
    assert.equal(await result('eth_getBlockTransactionCountByHash', [bytesToHex(devnet.head.hash)]), '0x3');
  });
});
