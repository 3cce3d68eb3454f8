// Logs and filters through the HTTP layer: eth_getLogs with Lotus's range rules (lotus-eth-rpc.md
// §6.3), address and topic matching, log fields and blooms, polling filters (§6.4).
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { getCreateAddress, keccak256, type TransactionRequest } from 'ethers';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { testConfig, type createDevnet, type DevnetConfig } from '../../src/index.js';
import { CALL, devWallet as wallet, signTx } from '../helpers/dev-wallet.js';
import { setupRpc } from '../helpers/rpc-harness.js';
import { deriveNodeKeys } from '../../src/devnet/node-keys.js';
import { LIST_ANSWER_MIN } from '../../src/eth-rpc/list-answers.js';

const T0 = '0x' + '11'.repeat(32);
/** Runtime: mem[0..32] = calldata word; log2(0, 32, T0, calldata word); stop. */
const RUNTIME = '600035' + '80' + '600052' + '7f' + T0.slice(2) + '6020' + '6000' + 'a2' + '00';
/** sstore(0, 0x2a), then return the runtime (46 bytes at offset 17). */
const INITCODE = '0x' + '602a600055' + '602e601160003960' + '2e6000f3' + RUNTIME;
const hex = (n: number) => `0x${n.toString(16)}`;
const word = (n: number) => '0x' + n.toString(16).padStart(64, '0');
const OTHER_ADDRESS = '0x52963ef50e27e06d72d59fcb4f3c2a687be3cfef';
/** Lotus's EthGetLogs' prefix of its errors, and of its filter spec's (node/impl/eth/events.go). */
const GET = 'failed to get events for filter: ';
const SPEC = `${GET}failed to parse eth filter spec: `;

/** The harness, with nonces counted here so that tests send without them. */
async function setup(t: TestContext, overrides: Partial<DevnetConfig> = {}) {
  const rpc = await setupRpc(t, overrides, { txDefaults: CALL });
  let nonce = 0;
  const send = (tx: Omit<TransactionRequest, 'nonce'>): Promise<string> => rpc.send({ nonce: nonce++, ...tx });
  /** Deploys the logger; returns its address. */
  const deploy = async (): Promise<string> => {
    const at = nonce;
    await send({ to: null, data: INITCODE });
    return getCreateAddress({ from: wallet.address, nonce: at }).toLowerCase();
  };
  /** Calls the logger with `n` as its calldata word: one log with topics [T0, word(n)] and data word(n). */
  const emit = (contract: string, n: number) => send({ to: contract, data: word(n) });
  return { ...rpc, deploy, emit, send };
}

/** The 2048-bit bloom of the yellow paper: 3 bits per item from keccak256 pairs of bytes. */
function bloom(items: string[]): string {
  const bits = new Uint8Array(256);
  for (const item of items) {
    const h = Buffer.from(keccak256(item).slice(2), 'hex');
    for (let i = 0; i < 6; i += 2) {
      const bit = ((h[i] << 8) | h[i + 1]) & 2047;
      bits[255 - (bit >> 3)] |= 1 << (bit & 7);
    }
  }
  return '0x' + Buffer.from(bits).toString('hex');
}

describe('eth_getLogs', () => {
  test('a log has Lotus\'s fields, also in the receipt, with a matching bloom', async (t) => {
    const { result, deploy, emit } = await setup(t);
    const contract = await deploy();
    const hash = await emit(contract, 7);
    const block = await result('eth_getBlockByNumber', ['latest', false]);
    const logs = await result('eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest' }]);
    const expected = {
      address: contract,
      data: word(7),
      topics: [T0, word(7)],
      removed: false,
      logIndex: '0x0',
      transactionIndex: '0x0',
      transactionHash: hash,
      blockHash: block.hash,
      blockNumber: '0x2',
    };
    assert.deepEqual(logs, [expected]);
    const receipt = await result('eth_getTransactionReceipt', [hash]);
    assert.deepEqual(receipt.logs, [expected]);
    assert.equal(receipt.logsBloom, bloom([contract, T0, word(7)]));
    assert.equal(block.logsBloom, receipt.logsBloom);
  });

  test('a receipt\'s bloom is its own logs\' in a tipset of several transactions, its block\'s when it holds all the tipset\'s logs', async (t) => {
    const { result, deploy, emit, send } = await setup(t);
    const contract = await deploy();
    const zero = '0x' + '00'.repeat(256);
    const alone = await emit(contract, 7);
    await result('evm_setAutomine', [false]);
    const hashes = [await emit(contract, 8), await send({ to: OTHER_ADDRESS, data: '0x' }), await emit(contract, 9)];
    await result('evm_mine');
    await result('evm_mine');
    const [eight, none, nine] = await Promise.all(hashes.map((hash) => result('eth_getTransactionReceipt', [hash])));
    assert.equal(new Set([eight.blockNumber, none.blockNumber, nine.blockNumber]).size, 1);
    const block = await result('eth_getBlockByNumber', [eight.blockNumber, false]);
    assert.equal(eight.logsBloom, bloom([contract, T0, word(8)]));
    assert.equal(none.logsBloom, zero);
    assert.equal(nine.logsBloom, bloom([contract, T0, word(9)]));
    assert.equal(block.logsBloom, bloom([contract, T0, word(8), contract, T0, word(9)]));
    // A tipset whose one transaction with logs is among others without: its receipt's bloom is its block's.
    await send({ to: OTHER_ADDRESS, data: '0x' });
    const withLogs = await emit(contract, 10);
    await result('evm_mine');
    await result('evm_mine');
    const ten = await result('eth_getTransactionReceipt', [withLogs]);
    assert.equal(ten.logsBloom, bloom([contract, T0, word(10)]));
    assert.equal((await result('eth_getBlockByNumber', [ten.blockNumber, false])).logsBloom, ten.logsBloom);
    // Read twice, the same.
    for (let i = 0; i < 2; i++) assert.equal((await result('eth_getTransactionReceipt', [alone])).logsBloom, bloom([contract, T0, word(7)]));
  });

  test('logIndex counts across the tipset', async (t) => {
    const { result, deploy, devnet } = await setup(t);
    const contract = await deploy();
    await devnet.cheats.setMiningMode({ type: 'manual' });
    const [a, b] = [await emitRaw(devnet, contract, 1, 1), await emitRaw(devnet, contract, 2, 2)];
    await devnet.mine();
    const logs = await result('eth_getLogs', [{ fromBlock: 'latest' }]);
    assert.deepEqual(
      logs.map((l: any) => [l.transactionHash, l.transactionIndex, l.logIndex]),
      [
        [a, '0x0', '0x0'],
        [b, '0x1', '0x1'],
      ],
    );
  });

  test('filters by address and topics', async (t) => {
    const { result, deploy, emit } = await setup(t);
    const first = await deploy();
    const second = await deploy();
    await emit(first, 7);
    await emit(first, 8);
    await emit(second, 7);
    const all = { fromBlock: '0x0' };
    const pick = async (filter: object) =>
      (await result('eth_getLogs', [{ ...all, ...filter }])).map((l: { address: string; topics: string[] }) => `${l.address === first ? 'first' : 'second'}:${Number(BigInt(l.topics[1]))}`);
    assert.deepEqual(await pick({}), ['first:7', 'first:8', 'second:7']);
    assert.deepEqual(await pick({ address: first }), ['first:7', 'first:8']);
    assert.deepEqual(await pick({ address: [second, OTHER_ADDRESS] }), ['second:7']);
    assert.deepEqual(await pick({ address: OTHER_ADDRESS }), []);
    assert.deepEqual(await pick({ topics: [T0] }), ['first:7', 'first:8', 'second:7']);
    assert.deepEqual(await pick({ topics: [null, word(7)] }), ['first:7', 'second:7']);
    assert.deepEqual(await pick({ topics: [T0, [word(8), word(9)]] }), ['first:8']);
    assert.deepEqual(await pick({ topics: [word(7)] }), []);
    // A position beyond the log's topics matches nothing unless it is null.
    assert.deepEqual(await pick({ topics: [null, null, word(7)] }), []);
    assert.deepEqual(await pick({ topics: [null, null, null] }), ['first:7', 'first:8', 'second:7']);
    assert.deepEqual(await pick({ address: first, topics: [null, word(7)] }), ['first:7']);
    // An empty list at a position matches any topic there, as Lotus's parseEthTopics skips it (audit19 W4), in eth_getLogs and a log filter.
    assert.deepEqual(await pick({ topics: [[]] }), ['first:7', 'first:8', 'second:7']);
    assert.deepEqual(await pick({ topics: [[], word(8)] }), ['first:8']);
    const filter = await result('eth_newFilter', [{ ...all, topics: [[], null] }]);
    assert.equal((await result('eth_getFilterLogs', [filter])).length, 3);
  });

  test('long address and topic lists (L4: matched as sets) pick the same logs as short ones, in eth_getLogs and a log filter', async (t) => {
    const { result, deploy, emit } = await setup(t);
    const first = await deploy();
    const second = await deploy();
    const filler = Array.from({ length: 10_000 }, (_, i) => '0x' + (i + 1).toString(16).padStart(40, '0'));
    const fillerTopics = Array.from({ length: 100 }, (_, i) => word(1000 + i));
    const filter = await result('eth_newFilter', [{ address: [...filler, second], topics: [null, [...fillerTopics, word(7)]] }]);
    await emit(first, 7);
    await emit(second, 7);
    await emit(second, 8);
    const picked = (logs: { address: string; topics: string[] }[]) => logs.map((l) => `${l.address === first ? 'first' : 'second'}:${Number(BigInt(l.topics[1]))}`);
    assert.deepEqual(picked(await result('eth_getFilterChanges', [filter])), ['second:7']);
    const getLogs = async (address: string[], topics: unknown[] = []) => picked(await result('eth_getLogs', [{ fromBlock: '0x0', address, topics }]));
    assert.deepEqual(await getLogs([...filler, second], [null, [...fillerTopics, word(7)]]), ['second:7']);
    assert.deepEqual(await getLogs([first, ...filler]), ['first:7']);
    assert.deepEqual(await getLogs(filler), []);
    // With masked IDs listed too, a log matches one of each kind (the index's two clauses).
    const maskedIds = Array.from({ length: 20 }, (_, i) => '0xff' + '00'.repeat(11) + (5000 + i).toString(16).padStart(16, '0'));
    assert.deepEqual(await getLogs([...maskedIds, ...filler, second]), []);
  });

  test('a masked ID address finds its contract\'s logs in the chain, as Lotus\'s index does (fidaudit F25)', async (t) => {
    const { result, deploy, emit } = await setup(t);
    const first = await deploy();
    const second = await deploy();
    await emit(first, 7);
    await emit(second, 8);
    /** The contract's masked ID address 0xff00…<actor ID>. */
    const masked = async (contract: string) => {
      const id: string = await result('Filecoin.StateLookupID', [await result('Filecoin.EthAddressToFilecoinAddress', [contract]), null]);
      return '0xff' + BigInt(id.slice(2)).toString(16).padStart(38, '0');
    };
    const [maskedFirst, maskedSecond] = [await masked(first), await masked(second)];
    const pick = async (filter: object) =>
      (await result('eth_getLogs', [{ fromBlock: '0x0', ...filter }])).map((l: { address: string; topics: string[] }) => `${l.address === first ? 'first' : l.address === second ? 'second' : l.address}:${Number(BigInt(l.topics[1]))}`);
    // The logs keep their f410 form as address.
    assert.deepEqual(await pick({ address: maskedFirst }), ['first:7']);
    assert.deepEqual(await pick({ address: [maskedSecond, maskedFirst] }), ['first:7', 'second:8']);
    // Lotus's index ANDs its ID and f410 clauses: an ID and another contract's f410 match nothing.
    assert.deepEqual(await pick({ address: [maskedFirst, first] }), ['first:7']);
    assert.deepEqual(await pick({ address: [maskedFirst, second] }), []);
    // A new filter's past comes from the index too; what it collects afterwards matches the f410 only.
    const id = await result('eth_newFilter', [{ fromBlock: '0x0', address: maskedFirst }]);
    await emit(first, 9);
    const collected = await result('eth_getFilterChanges', [id]);
    assert.deepEqual(collected.map((l: { topics: string[] }) => Number(BigInt(l.topics[1]))), [7]);
  });

  test('blockHash selects one tipset and cannot be combined with a range', async (t) => {
    const { result, error, deploy, emit } = await setup(t);
    const contract = await deploy();
    await emit(contract, 1);
    await emit(contract, 2);
    const two = (await result('eth_getBlockByNumber', ['0x2', false])).hash;
    const logs = await result('eth_getLogs', [{ blockHash: two }]);
    assert.deepEqual(logs.map((l: { data: string }) => l.data), [word(1)]);
    assert.deepEqual(await error('eth_getLogs', [{ blockHash: two, fromBlock: '0x1' }]), { code: 1, message: `${SPEC}must not specify block hash and from/to block` });
    assert.deepEqual(await error('eth_getLogs', [{ blockHash: two, toBlock: 'latest' }]), { code: 1, message: `${SPEC}must not specify block hash and from/to block` });
    // fidaudit F8g: Lotus looks the hash up as a tipset CID (lotus b835fab70 node/impl/eth/events.go,
    // chain/store/store.go GetTipSetByCid; EthHash.ToCid: CIDv1 dag-cbor, blake2b-256 digest).
    const unknown = CID.createV1(0x71, Digest.create(0xb220, new Uint8Array(32).fill(0x99))).toString();
    assert.deepEqual(await error('eth_getLogs', [{ blockHash: '0x' + '99'.repeat(32) }]), {
      code: 1,
      message: `${GET}failed to get tipset by cid: cannot find tipset with cid ${unknown}: ipld: could not find ${unknown}`,
    });
  });

  // fidaudit4 V21: Lotus's eth_newFilter takes a blockHash as the filter's tipset CID and fills the
  // filter from it (node/impl/eth/events.go parseEthFilterSpec, chain/events/filter/event.go Fill and
  // CollectEvents' tipset check, b835fab70); a hash it does not hold is refused with the tipset
  // lookup's error (review2 Q1: chain/index/events.go GetEventsForFilter, node/impl/eth/events.go EthNewFilter).
  test('a log filter by blockHash starts with that block\'s logs and collects no other block\'s; an unknown hash is refused as eth_getLogs refuses it', async (t) => {
    const { result, error, deploy, emit } = await setup(t);
    const contract = await deploy();
    await emit(contract, 1);
    await emit(contract, 2);
    const two = (await result('eth_getBlockByNumber', ['0x2', false])).hash;
    const byHash = await result('eth_newFilter', [{ blockHash: two }]);
    const unknown = '0x' + '99'.repeat(32);
    const refused = await error('eth_newFilter', [{ blockHash: unknown }]);
    const { message: lookup } = await error('eth_getLogs', [{ blockHash: unknown }]);
    assert.match(lookup, /^failed to get events for filter: failed to get tipset by cid: cannot find tipset with cid \w+: ipld: could not find \w+$/);
    assert.deepEqual(refused, { code: 1, message: `failed to install event filter: get events for filter: ${lookup.slice(GET.length)}` });
    await emit(contract, 3);
    assert.deepEqual((await result('eth_getFilterChanges', [byHash])).map((l: { data: string }) => l.data), [word(1)]);
    assert.deepEqual(await result('eth_getFilterChanges', [byHash]), []);
    assert.deepEqual(await error('eth_newFilter', [{ blockHash: two, fromBlock: '0x1' }]), { code: 1, message: 'must not specify block hash and from/to block' });
  });

  // Lotus's EthGetLogs prefixes its errors `failed to get events for filter: `, the spec's `failed to parse eth filter spec: ` (node/impl/eth/events.go at b835fab70).
  test('ranges: hex, latest and earliest only; a future height is not yet available', async (t) => {
    const { result, error, deploy, emit } = await setup(t);
    const contract = await deploy();
    await emit(contract, 1); // epoch 2
    await emit(contract, 2); // epoch 3
    const data = async (filter: object) => (await result('eth_getLogs', [filter])).map((l: { data: string }) => l.data);
    assert.deepEqual(await data({}), [word(2)]);
    assert.deepEqual(await data({ fromBlock: 'earliest', toBlock: '0x2' }), [word(1)]);
    assert.deepEqual(await data({ fromBlock: '0x2', toBlock: '0x3' }), [word(1), word(2)]);
    assert.deepEqual(await error('eth_getLogs', [{ fromBlock: '0x3', toBlock: '0x2' }]), { code: 1, message: `${SPEC}invalid epoch range: to block (2) must be after from block (3)` });
    assert.deepEqual(await error('eth_getLogs', [{ fromBlock: 'latest', toBlock: 'earliest' }]), { code: 1, message: `${SPEC}invalid epoch range: to block (0) must be after from block (3)` });
    assert.deepEqual(await error('eth_getLogs', [{ fromBlock: '0x4' }]), { code: 1, message: `${GET}events for the requested block are not yet available` });
    assert.deepEqual(await error('eth_getLogs', [{ fromBlock: '2' }]), { code: 1, message: `${SPEC}FromBlock is not a hex` });
    assert.deepEqual(await error('eth_getLogs', [{ toBlock: '3' }]), { code: 1, message: `${SPEC}ToBlock is not a hex` });
    for (const tag of ['pending', 'safe', 'finalized']) {
      assert.deepEqual(await error('eth_getLogs', [{ fromBlock: tag }]), { code: 1, message: `${SPEC}FromBlock is not a hex` }, tag);
    }
    assert.deepEqual(await error('eth_getLogs', [{ fromBlock: '0x0', toBlock: '0x4' }]), { code: 1, message: `${GET}events for the requested block are not yet available` });
    assert.deepEqual(await error('eth_getLogs', [{ topics: [null, null, null, null, null] }]), { code: 1, message: `${SPEC}too many topics in filter: 5, max: 4` });
    // eth_newFilter answers the spec's errors in their own words (EthNewFilter does not wrap them).
    assert.deepEqual(await error('eth_newFilter', [{ fromBlock: '2' }]), { code: 1, message: 'FromBlock is not a hex' });
    assert.deepEqual(await error('eth_newFilter', [{ fromBlock: '0x3', toBlock: '0x2' }]), { code: 1, message: 'invalid epoch range: to block (2) must be after from block (3)' });
    assert.deepEqual(await error('eth_newFilter', [{ topics: [null, null, null, null, null] }]), { code: 1, message: 'too many topics in filter: 5, max: 4' });
    assert.equal((await error('eth_getLogs', [{ address: '0x1234' }])).code, -32602);
    assert.equal((await error('eth_getLogs', [{ topics: ['0x1234'] }])).code, -32602);
  });

  test('a range over 2880 epochs is code -32005', async (t) => {
    const { error, result, devnet } = await setup(t, { noMining: true });
    for (let i = 0; i < 2881; i++) await devnet.mine();
    assert.deepEqual(await result('eth_getLogs', [{ fromBlock: '0x1', toBlock: 'latest' }]), []);
    assert.deepEqual(await error('eth_getLogs', [{ fromBlock: 'earliest', toBlock: 'latest' }]), {
      code: -32005,
      message: 'block range exceeds maximum of 2880 (got 2881)',
    });
    // The width is checked before whether the blocks exist, as Lotus does.
    assert.deepEqual(await error('eth_getLogs', [{ fromBlock: '0x1', toBlock: '0xb43' }]), { code: -32005, message: 'block range exceeds maximum of 2880 (got 2882)' });
    assert.equal((await error('eth_getLogs', [{ fromBlock: '0x3', toBlock: '0xb43' }])).message, `${GET}events for the requested block are not yet available`);
  });

  test('a long answer (list-answers.ts) is what JSON.stringify writes of the logs shorter ranges give, also two at once over a socket', async (t) => {
    const { app, deploy, emit, result } = await setup(t);
    const contract = await deploy();
    const count = LIST_ANSWER_MIN + 22;
    for (let i = 0; i < count; i++) await emit(contract, i);
    const head = Number(await result('eth_blockNumber'));
    const logs: { blockNumber: string }[] = [];
    for (let from = 0; from <= head; from += 50) logs.push(...(await result('eth_getLogs', [{ fromBlock: hex(from), toBlock: hex(Math.min(from + 49, head)) }])));
    assert.equal(logs.length, count);
    const request = (id: string, toBlock: string) => ({ jsonrpc: '2.0', id, method: 'eth_getLogs', params: [{ fromBlock: '0x0', toBlock }] });
    const expected = (id: string, to: number) => JSON.stringify({ jsonrpc: '2.0', id, result: logs.filter((log) => Number(log.blockNumber) <= to) });

    const injected = await app.inject({ method: 'POST', url: '/', payload: request('all', 'latest') });
    assert.equal(injected.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(injected.payload, expected('all', head));

    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    const post = async (body: unknown) => (await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).text();
    const [all, older] = await Promise.all([post(request('all', 'latest')), post(request('older', hex(head - 10)))]);
    assert.equal(all, expected('all', head));
    assert.equal(older, expected('older', head - 10));
    assert.equal(await post(request('older', hex(head - 10))), expected('older', head - 10));
  });
});

/** Runtime: LOG0 (no topics, no data) as many times as the calldata word says. */
const MANY_LOGS_RUNTIME = '600035' + '5b' + '8015601457' + '600080a0' + '60019003' + '600356' + '5b00';
/** Copies the 22-byte runtime from offset 11 and returns it. */
const MANY_LOGS_INITCODE = '0x' + '601680600b6000396000f3' + MANY_LOGS_RUNTIME;

describe('eth_getLogs over Lotus\'s MaxFilterResults (10 000)', () => {
  test('more than 10 000 logs from more than one tipset is an error; 10 000, or one tipset\'s, are answered', { timeout: 120_000 }, async (t) => {
    const { result, error, send } = await setup(t);
    const deployHash = await send({ to: null, data: MANY_LOGS_INITCODE });
    const contract = (await result('eth_getTransactionReceipt', [deployHash])).contractAddress;
    const start = Number(await result('eth_blockNumber'));
    for (let i = 0; i < 40; i++) await send({ to: contract, data: word(250) });
    await result('evm_mine');
    const range = { fromBlock: hex(start), toBlock: 'latest', address: contract };
    assert.equal((await result('eth_getLogs', [range])).length, 10_000);
    await send({ to: contract, data: word(250) });
    await result('evm_mine');
    // Lotus's chain index refuses it; EthGetLogs and EthNewFilter's Fill each wrap that in their words.
    assert.deepEqual(await error('eth_getLogs', [range]), { code: 1, message: `${GET}failed to get events for filter from chain indexer: filter matches too many events, try a more restricted filter` });
    assert.deepEqual(await error('eth_newFilter', [range]), { code: 1, message: 'failed to install event filter: get events for filter: filter matches too many events, try a more restricted filter' });

    // 41 calls mined in one tipset: 10 250 logs from one tipset are answered whole.
    await result('evm_setAutomine', [false]);
    const hashes: string[] = [];
    for (let i = 0; i < 41; i++) hashes.push(await send({ to: contract, data: word(250) }));
    await result('evm_mine');
    await result('evm_mine');
    const { blockNumber } = await result('eth_getTransactionReceipt', [hashes[0]]);
    assert.equal((await result('eth_getTransactionReceipt', [hashes[40]])).blockNumber, blockNumber);
    assert.equal((await result('eth_getLogs', [{ fromBlock: blockNumber, toBlock: blockNumber }])).length, 10_250);
  });
});

describe('polling filters', () => {
  test('a log filter collects new matching logs; getFilterLogs drains the same buffer', async (t) => {
    const { result, deploy, emit } = await setup(t);
    const contract = await deploy();
    const id = await result('eth_newFilter', [{ address: contract, topics: [null, word(2)] }]);
    assert.match(id, /^0x[0-9a-f]{32}0{32}$/);
    await emit(contract, 1);
    await emit(contract, 2);
    const changes = await result('eth_getFilterChanges', [id]);
    assert.deepEqual(changes.map((l: { data: string }) => l.data), [word(2)]);
    assert.deepEqual(await result('eth_getFilterChanges', [id]), []);
    await emit(contract, 2);
    assert.deepEqual((await result('eth_getFilterLogs', [id])).map((l: { data: string }) => l.data), [word(2)]);
    assert.deepEqual(await result('eth_getFilterChanges', [id]), []);
  });

  // fidaudit2 G7: Lotus's event filter numbers the events it collects by how many matched it in the
  // tipset (chain/events/filter/event.go CollectEvents); eth_getFilterLogs drains the same buffer.
  test('a log filter numbers its logs by its own matches in each tipset; eth_getLogs across the tipset', async (t) => {
    const { result, deploy, devnet } = await setup(t);
    const contract = await deploy();
    const twos = await result('eth_newFilter', [{ topics: [null, word(2)] }]);
    const twosAgain = await result('eth_newFilter', [{ address: contract, topics: [null, word(2)] }]);
    const all = await result('eth_newFilter', [{}]);
    await devnet.cheats.setMiningMode({ type: 'manual' });
    await emitRaw(devnet, contract, 1, 1);
    await emitRaw(devnet, contract, 2, 2);
    await devnet.mine();
    const numbered = (logs: { data: string; logIndex: string }[]) => logs.map((l) => [l.data, l.logIndex]);
    assert.deepEqual(numbered(await result('eth_getFilterChanges', [twos])), [[word(2), '0x0']]);
    assert.deepEqual(numbered(await result('eth_getFilterLogs', [twosAgain])), [[word(2), '0x0']]);
    assert.deepEqual(numbered(await result('eth_getFilterChanges', [all])), [[word(1), '0x0'], [word(2), '0x1']]);
    assert.deepEqual(numbered(await result('eth_getLogs', [{ fromBlock: 'latest', topics: [null, word(2)] }])), [[word(2), '0x1']]);
  });

  test('a log filter from a past block is filled from the chain first', async (t) => {
    const { result, deploy, emit } = await setup(t);
    const contract = await deploy();
    await emit(contract, 1);
    const id = await result('eth_newFilter', [{ fromBlock: '0x0' }]);
    await emit(contract, 2);
    assert.deepEqual((await result('eth_getFilterChanges', [id])).map((l: { data: string }) => l.data), [word(1), word(2)]);
  });

  // Lotus's EthNewFilter reads a fromBlock left out or 'latest' as the latest executed tipset (head - 1,
  // node/impl/eth/events.go parseEthFilterSpec) and its Fill takes that tipset's events from the index
  // (chain/events/filter/event.go at b835fab70). Here the latest block is the head.
  test('a log filter from latest (or no fromBlock) starts with the latest block\'s logs', async (t) => {
    const { result, deploy, emit } = await setup(t);
    const contract = await deploy();
    await emit(contract, 1);
    await emit(contract, 2);
    const data = async (id: string) => (await result('eth_getFilterChanges', [id])).map((l: { data: string }) => l.data);
    const implicit = await result('eth_newFilter', [{ address: contract }]);
    const latest = await result('eth_newFilter', [{ fromBlock: 'latest', topics: [T0] }]);
    const other = await result('eth_newFilter', [{ address: OTHER_ADDRESS }]);
    assert.deepEqual(await data(implicit), [word(2)]);
    assert.deepEqual(await data(latest), [word(2)]);
    assert.deepEqual(await data(other), []);
    await emit(contract, 3);
    assert.deepEqual(await data(implicit), [word(3)]);
  });

  // review R32: an evm_revert below the head a filter from 'latest' was installed at lowers its start to
  // the first epoch it dropped; a filter with a numeric fromBlock keeps its range; a reorg lowers nothing.
  test('after evm_revert below its install, a filter from latest collects the chain that follows; a numeric fromBlock keeps its range', async (t) => {
    const { result, deploy, emit } = await setup(t);
    const contract = await deploy(); // epoch 1
    const snapshot = await result('evm_snapshot');
    for (let n = 2; n <= 4; n++) await emit(contract, n); // epochs 2 to 4
    const open = await result('eth_newFilter', [{ address: contract }]);
    const numeric = await result('eth_newFilter', [{ fromBlock: '0x4', address: contract }]);
    const data = async (id: string) => (await result('eth_getFilterChanges', [id])).map((l: { data: string; removed: boolean }) => `${l.data.slice(-1)}${l.removed ? ' removed' : ''}`);
    assert.deepEqual(await data(open), ['4']);
    assert.deepEqual(await data(numeric), ['4']);
    await result('evm_revert', [snapshot]);
    // The harness's nonces ran on; the node fills the dev account's own.
    const emitAgain = (n: number) => result('eth_sendTransaction', [{ from: wallet.address, to: contract, data: word(n), gas: hex(100_000_000) }]);
    await emitAgain(7); // epoch 2 again
    await emitAgain(8); // epoch 3
    assert.deepEqual(await data(open), ['4 removed', '7', '8']);
    assert.deepEqual(await data(numeric), ['4 removed']);
  });

  // Lotus installs a filter whose range starts or ends past the head, and its live collection keeps to
  // the range (chain/events/filter/event.go Fill, eventFilter.matchTipset at b835fab70).
  test('a log filter collects only its fromBlock..toBlock, also a range that starts past the head, and a revert of it', async (t) => {
    const { result, deploy, emit } = await setup(t);
    const contract = await deploy(); // epoch 1
    await emit(contract, 2); // epoch 2
    const data = async (id: string) => (await result('eth_getFilterChanges', [id])).map((l: { data: string; removed: boolean }) => `${l.data.slice(-1)}${l.removed ? ' removed' : ''}`);
    const ahead = await result('eth_newFilter', [{ fromBlock: '0x4', toBlock: '0x5' }]);
    const openAhead = await result('eth_newFilter', [{ fromBlock: '0x5' }]);
    const past = await result('eth_newFilter', [{ fromBlock: '0x1', toBlock: '0x2' }]);
    const upTo = await result('eth_newFilter', [{ fromBlock: '0x2', toBlock: '0x4' }]);
    const snapshot = await result('evm_snapshot');
    for (let n = 3; n <= 6; n++) await emit(contract, n); // epochs 3 to 6
    assert.deepEqual(await data(ahead), ['4', '5']);
    assert.deepEqual(await data(openAhead), ['5', '6']);
    assert.deepEqual(await data(past), ['2']);
    assert.deepEqual(await data(upTo), ['2', '3', '4']);
    await result('evm_revert', [snapshot]);
    assert.deepEqual(await data(ahead), ['5 removed', '4 removed']);
    assert.deepEqual(await data(past), []);
  });

  // audit16 A5: Lotus's event filter collects a reverted tipset's events again, answered with
  // `removed: true` (chain/events/filter/event.go EventFilterManager.Revert); its block filter keeps
  // what it collected (TipSetFilterManager.Revert does nothing).
  test('after evm_revert a log filter answers the dropped tipsets\' logs again as removed, newest first; a block filter keeps its hashes', async (t) => {
    const { result, deploy, emit, send } = await setup(t);
    const contract = await deploy();
    await emit(contract, 1);
    const logs = await result('eth_newFilter', [{ address: contract }]);
    const all = await result('eth_newFilter', [{}]);
    // Both start with the latest block's log (a filter from 'latest'), taken here.
    for (const id of [logs, all]) assert.deepEqual((await result('eth_getFilterChanges', [id])).map((l: { data: string }) => l.data), [word(1)]);
    const blocks = await result('eth_newBlockFilter');
    const snapshot = await result('evm_snapshot');
    await emit(contract, 2);
    await emit(contract, 3);
    // A deployment that emits LIST_ANSWER_MIN logs, so that `all` answers a long list, written as one.
    const many = LIST_ANSWER_MIN;
    const emitter = '0x' + '61' + many.toString(16).padStart(4, '0') + '5b' + '80' + '6020' + '6000' + 'a1' + '6001' + '90' + '03' + '80' + '6003' + '57' + '00';
    await send({ to: null, data: emitter, gasLimit: 5_000_000_000 });
    const mined = [(await result('eth_getBlockByNumber', ['0x3', false])).hash, (await result('eth_getBlockByNumber', ['0x4', false])).hash];
    assert.equal(await result('evm_revert', [snapshot]), true);
    const changes = await result('eth_getFilterChanges', [logs]);
    const seen = changes.map((l: { data: string; blockHash: string; removed: boolean }) => [l.data, l.blockHash, l.removed]);
    assert.deepEqual(seen, [
      [word(2), mined[0], false],
      [word(3), mined[1], false],
      [word(3), mined[1], true],
      [word(2), mined[0], true],
    ]);
    assert.deepEqual(await result('eth_getFilterChanges', [logs]), []);
    assert.equal((await result('eth_getFilterChanges', [blocks])).length, 3);
    const long = await result('eth_getFilterChanges', [all]);
    const key = (l: { blockHash: string; logIndex: string }) => `${l.blockHash} ${l.logIndex}`;
    assert.equal(long.length, 2 * (many + 2));
    assert.deepEqual(long.map((l: { removed: boolean }) => l.removed), [...Array(many + 2).fill(false), ...Array(many + 2).fill(true)]);
    // The removed ones: the newest tipset's first, each tipset's in its own order.
    assert.deepEqual(long.slice(many + 2).map(key), [...long.slice(2, many + 2), long[1], long[0]].map(key));
  });

  test('a block filter collects the hash of each new tipset', async (t) => {
    const { result, devnet } = await setup(t, { noMining: true });
    const id = await result('eth_newBlockFilter');
    assert.deepEqual(await result('eth_getFilterChanges', [id]), []);
    await devnet.mine();
    await devnet.mine();
    const expected = [(await result('eth_getBlockByNumber', ['0x1', false])).hash, (await result('eth_getBlockByNumber', ['0x2', false])).hash];
    assert.deepEqual(await result('eth_getFilterChanges', [id]), expected);
    assert.deepEqual(await result('eth_getFilterChanges', [id]), []);
    assert.deepEqual(await result('eth_getFilterChanges', [id.toUpperCase().replace('0X', '0x')]), []);
  });

  test('a pending-transaction filter collects the hashes of new pool messages', async (t) => {
    const { result, send } = await setup(t, { noMining: true });
    const id = await result('eth_newPendingTransactionFilter');
    const hash = await send({ to: OTHER_ADDRESS, value: 1n, gasLimit: 10_000_000 });
    assert.deepEqual(await result('eth_getFilterChanges', [id]), [hash]);
    assert.deepEqual(await result('eth_getFilterChanges', [id]), []);
  });

  test('a pending-transaction filter collects native (f1) messages too, by the hash they are found by once mined, as Lotus collects every message added (F20)', async (t) => {
    const { result, send } = await setup(t, { noMining: true });
    const id = await result('eth_newPendingTransactionFilter');
    const ethHash = await send({ to: OTHER_ADDRESS, value: 1n, gasLimit: 10_000_000 });
    // The deal client: an f1 account whose key the node holds.
    const from = deriveNodeKeys(testConfig().mnemonic).dealClient.address.toString();
    const message = { Version: 0, To: from, From: from, Nonce: 0, Value: '1', GasLimit: 0, GasFeeCap: '0', GasPremium: '0', Method: 0, Params: null };
    const pushed = await result('Filecoin.MpoolPushMessage', [message, null]);
    const nativeHash = await result('Filecoin.EthGetTransactionHashByCid', [pushed.CID]);
    assert.deepEqual(await result('eth_getFilterChanges', [id]), [ethHash, nativeHash]);
    await result('evm_mine');
    assert.equal((await result('eth_getTransactionByHash', [nativeHash])).hash, nativeHash);
  });

  test('getFilterLogs on a block filter is "wrong filter type"; unknown IDs are "filter not found"; uninstall', async (t) => {
    const { result, error } = await setup(t);
    const blocks = await result('eth_newBlockFilter');
    const pending = await result('eth_newPendingTransactionFilter');
    assert.deepEqual(await error('eth_getFilterLogs', [blocks]), { code: 1, message: 'wrong filter type' });
    assert.deepEqual(await error('eth_getFilterLogs', [pending]), { code: 1, message: 'wrong filter type' });
    const unknown = '0x' + 'ab'.repeat(16) + '00'.repeat(16);
    assert.deepEqual(await error('eth_getFilterChanges', [unknown]), { code: 1, message: 'filter not found' });
    assert.deepEqual(await error('eth_getFilterLogs', [unknown]), { code: 1, message: 'filter not found' });
    assert.equal(await result('eth_uninstallFilter', [unknown]), false);
    assert.equal(await result('eth_uninstallFilter', [blocks]), true);
    assert.equal(await result('eth_uninstallFilter', [blocks]), false);
    assert.deepEqual(await error('eth_getFilterChanges', [blocks]), { code: 1, message: 'filter not found' });
  });

  test('at most 100 filters; uninstalling one makes room', async (t) => {
    const { result, error } = await setup(t);
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) ids.push(await result('eth_newBlockFilter'));
    assert.deepEqual(await error('eth_newFilter', [{}]), { code: 1, message: 'maximum number of filters registered' });
    assert.equal(await result('eth_uninstallFilter', [ids[0]]), true);
    assert.match(await result('eth_newPendingTransactionFilter'), /^0x[0-9a-f]{64}$/);
  });

  test('filter IDs are distinct', async (t) => {
    const { result } = await setup(t);
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add(await result('eth_newBlockFilter'));
    assert.equal(ids.size, 5);
  });
});

/** Sends a logger call straight to the devnet (manual mode), returning the hash. */
async function emitRaw(devnet: Awaited<ReturnType<typeof createDevnet>>, contract: string, n: number, nonce: number): Promise<string> {
  const raw = await signTx({ nonce, to: contract, data: word(n) }, { defaults: CALL });
  const hash = await devnet.sendRawTransaction(Uint8Array.from(Buffer.from(raw.slice(2), 'hex')));
  return '0x' + Buffer.from(hash).toString('hex');
}
