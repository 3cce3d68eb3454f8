// Lotus's own filter tests, ported: what lotus itests/eth_filter_test.go (b835fab70) asserts of eth_getLogs,
// eth_newFilter / eth_getFilterChanges / eth_getFilterLogs, `logs` subscriptions, receipts' blooms and
// log numbering, against the real node with ethers and raw JSON-RPC over HTTP and WebSocket. Lotus's
// "latest" is the head's parent and its tipsets come on a timer; here each call is mined at once, so
// the tests wait for nothing.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Contract, ContractFactory, id, keccak256, NonceManager, zeroPadValue, toBeHex } from 'ethers';
import WebSocket from 'ws';
import { compileFixtures, type CompiledContract } from '../helpers/solc.js';
import { DEV_ACCOUNTS, pollUntil } from '../helpers/devnet-process.js';
import { rawRpc } from '../helpers/raw-rpc.js';
import { useDevnet } from '../helpers/use-devnet.js';

type Hex = string;
interface Log {
  address: Hex;
  topics: Hex[];
  data: Hex;
  blockHash: Hex;
  blockNumber: Hex;
  transactionHash: Hex;
  transactionIndex: Hex;
  logIndex: Hex;
  removed: boolean;
}
/** A log as a filter case expects it: who logged what. */
interface Shape {
  address: Hex;
  topics: Hex[];
  data: Hex;
}

const word = (n: number) => zeroPadValue(toBeHex(n), 32);
const topic0 = (signature: string) => id(signature);
const shape = (log: Shape): Shape => ({ address: log.address.toLowerCase(), topics: log.topics, data: log.data });

/** One call of Lotus's invocation list (prepareEventMatrixInvocations): the contract (1 or 2), the function, its arguments. */
interface Invocation {
  contract: 1 | 2;
  fn: string;
  args: number[];
}

/** Each function's event signature and how many of its arguments are indexed. */
const EVENTS: Record<string, [string, number]> = {
  zeroData: ['ZeroData()', 0],
  oneData: ['OneData(uint256)', 0],
  twoData: ['TwoData(uint256,uint256)', 0],
  threeData: ['ThreeData(uint256,uint256,uint256)', 0],
  oneIndexed: ['OneIndexed(uint256)', 1],
  twoIndexed: ['TwoIndexed(uint256,uint256)', 2],
  threeIndexed: ['ThreeIndexed(uint256,uint256,uint256)', 3],
  oneIndexedWithData: ['OneIndexedWithData(uint256,uint256)', 1],
  twoIndexedWithData: ['TwoIndexedWithData(uint256,uint256,uint256)', 2],
  threeIndexedWithData: ['ThreeIndexedWithData(uint256,uint256,uint256,uint256)', 3],
};

/** Lotus's seventeen invocations, in its order (itests/eth_filter_test.go prepareEventMatrixInvocations). */
const INVOCATIONS: Invocation[] = [
  { contract: 1, fn: 'zeroData', args: [] },
  { contract: 1, fn: 'oneData', args: [23] },
  { contract: 1, fn: 'oneIndexed', args: [44] },
  { contract: 2, fn: 'twoIndexed', args: [44, 19] },
  { contract: 1, fn: 'oneData', args: [44] },
  { contract: 1, fn: 'twoData', args: [555, 666] },
  { contract: 2, fn: 'zeroData', args: [] },
  { contract: 1, fn: 'threeData', args: [1, 2, 3] },
  { contract: 2, fn: 'threeIndexed', args: [44, 27, 19] },
  { contract: 1, fn: 'oneIndexedWithData', args: [44, 19] },
  { contract: 1, fn: 'oneIndexedWithData', args: [46, 12] },
  { contract: 1, fn: 'twoIndexedWithData', args: [44, 27, 19] },
  { contract: 1, fn: 'threeIndexedWithData', args: [44, 27, 19, 12] },
  { contract: 2, fn: 'oneIndexedWithData', args: [50, 9] },
  { contract: 1, fn: 'twoIndexedWithData', args: [46, 27, 19] },
  { contract: 1, fn: 'twoIndexedWithData', args: [46, 14, 19] },
  { contract: 1, fn: 'twoIndexed', args: [40, 20] },
];

/** The log an invocation makes: the event's hash and its indexed arguments as topics, the rest as data. */
function logOf(invocation: Invocation, addresses: Record<1 | 2, Hex>): Shape {
  const [signature, indexed] = EVENTS[invocation.fn]!;
  const data = invocation.args.slice(indexed);
  return {
    address: addresses[invocation.contract].toLowerCase(),
    topics: [topic0(signature), ...invocation.args.slice(0, indexed).map(word)],
    data: data.length ? '0x' + data.map((n) => word(n).slice(2)).join('') : '0x',
  };
}

/** A filter case of Lotus's getTopicFilterTestCases / getAddressFilterTestCases: its spec (no range) and the invocations it finds. */
interface FilterCase {
  name: string;
  spec: (addresses: Record<1 | 2, Hex>) => { address?: Hex | Hex[]; topics?: (Hex | Hex[] | null)[] };
  finds: number[];
}
const ev = (fn: string) => topic0(EVENTS[fn]![0]);
const TOPIC_CASES: FilterCase[] = [
  { name: 'all EventZeroData events', spec: () => ({ topics: [ev('zeroData')] }), finds: [0, 6] },
  { name: 'all EventOneData events', spec: () => ({ topics: [ev('oneData')] }), finds: [1, 4] },
  { name: 'all EventTwoData events', spec: () => ({ topics: [ev('twoData')] }), finds: [5] },
  { name: 'all EventThreeData events', spec: () => ({ topics: [ev('threeData')] }), finds: [7] },
  { name: 'all EventOneIndexed events', spec: () => ({ topics: [ev('oneIndexed')] }), finds: [2] },
  { name: 'all EventTwoIndexed events', spec: () => ({ topics: [ev('twoIndexed')] }), finds: [3, 16] },
  { name: 'all EventThreeIndexed events', spec: () => ({ topics: [ev('threeIndexed')] }), finds: [8] },
  { name: 'all EventOneIndexedWithData events', spec: () => ({ topics: [ev('oneIndexedWithData')] }), finds: [9, 10, 13] },
  { name: 'all EventTwoIndexedWithData events', spec: () => ({ topics: [ev('twoIndexedWithData')] }), finds: [11, 14, 15] },
  { name: 'all EventThreeIndexedWithData events', spec: () => ({ topics: [ev('threeIndexedWithData')] }), finds: [12] },
  { name: 'topic2 of 44', spec: () => ({ topics: [null, word(44)] }), finds: [2, 3, 8, 9, 11, 12] },
  { name: 'topic2 of 46', spec: () => ({ topics: [null, word(46)] }), finds: [10, 14, 15] },
  { name: 'topic2 of 50', spec: () => ({ topics: [null, word(50)] }), finds: [13] },
  { name: 'topic2 of 46 or 50', spec: () => ({ topics: [null, [word(46), word(50)]] }), finds: [10, 13, 14, 15] },
  { name: 'topic1 EventTwoIndexedWithData and topic3 of 27', spec: () => ({ topics: [ev('twoIndexedWithData'), null, word(27)] }), finds: [11, 14] },
  { name: 'topic1 EventTwoIndexedWithData or EventOneIndexed and topic2 of 44', spec: () => ({ topics: [[ev('twoIndexedWithData'), ev('oneIndexed')], word(44)] }), finds: [2, 11] },
];
const ADDRESS_CASES: FilterCase[] = [
  { name: 'all events from contract2', spec: (a) => ({ address: a[2] }), finds: [3, 6, 8, 13] },
  { name: 'topic2 of 44 from contract2', spec: (a) => ({ address: a[2], topics: [null, word(44)] }), finds: [3, 8] },
  { name: 'EventOneIndexedWithData from contract1 or contract2', spec: (a) => ({ address: [a[1], a[2]], topics: [ev('oneIndexedWithData')] }), finds: [9, 10, 13] },
];
const ALL_CASES = [...TOPIC_CASES, ...ADDRESS_CASES];

/** The yellow paper's 2048-bit bloom of `items`: three bits from the first six bytes of each one's keccak256. */
function bloomOf(items: Hex[]): Hex {
  const bits = new Uint8Array(256);
  for (const item of items) {
    const h = Buffer.from(keccak256(item).slice(2), 'hex');
    for (let i = 0; i < 6; i += 2) {
      const bit = ((h[i]! << 8) | h[i + 1]!) & 2047;
      bits[255 - (bit >> 3)]! |= 1 << (bit & 7);
    }
  }
  return '0x' + Buffer.from(bits).toString('hex');
}

describe("Lotus's filter itests (itests/eth_filter_test.go, b835fab70)", () => {
  const node = useDevnet();
  let signer: NonceManager;
  let matrix: CompiledContract;
  let rpc: ReturnType<typeof rawRpc>['rpc'], ok: ReturnType<typeof rawRpc>['ok'];
  const deploy = async (): Promise<Contract> => {
    const contract = await new ContractFactory(matrix.abi, matrix.bytecode, signer).deploy();
    await contract.waitForDeployment();
    return contract as Contract;
  };
  /** Runs the invocations one by one, each mined at once; answers their receipts in order. */
  const invoke = async (invocations: Invocation[], contracts: Record<1 | 2, Contract>) => {
    const receipts = [];
    for (const { contract, fn, args } of invocations) receipts.push((await (await contracts[contract].getFunction(fn)(...args)).wait())!);
    return receipts;
  };

  before(async () => {
    ({ rpc, ok } = rawRpc(node.url));
    signer = new NonceManager(node.wallet);
    matrix = (await compileFixtures()).EventMatrix!;
  });

  // TestEthGetLogs, TestEthGetFilterChanges, TestEthGetFilterLogs and TestEthSubscribeLogs: the same
  // cases through eth_getLogs, filters made before the calls, and subscriptions made before them.
  test('the topic and address cases find the same logs through eth_getLogs, both polls of a filter and a logs subscription, as the receipts hold them', async (t) => {
    const contracts = { 1: await deploy(), 2: await deploy() } as Record<1 | 2, Contract>;
    const addresses = { 1: await contracts[1].getAddress(), 2: await contracts[2].getAddress() } as Record<1 | 2, Hex>;
    const changes = new Map<string, string>();
    const drained = new Map<string, string>();
    for (const c of ALL_CASES) {
      changes.set(c.name, await ok('eth_newFilter', { fromBlock: 'latest', ...c.spec(addresses) }));
      drained.set(c.name, await ok('eth_newFilter', { fromBlock: 'latest', ...c.spec(addresses) }));
    }
    // TestEthSubscribeLogs takes the topic cases, over two sockets (a gateway, as calibnet's public
    // endpoints are, allows 16 subscriptions a connection). Each socket also has a newHeads subscription:
    // the head of an empty tipset mined after the calls says every earlier notification on it has arrived.
    const notified = new Map<FilterCase, Log[]>();
    const markers: { hash: Hex }[][] = [];
    const subscribe = async (cases: FilterCase[]) => {
      const socket = new WebSocket(node.wsUrl);
      t.after(() => socket.close());
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      const marker: { hash: Hex }[] = [];
      markers.push(marker);
      const byId = new Map<string, unknown[]>();
      const lists: unknown[][] = [...cases.map((c) => notified.set(c, []).get(c)!), marker];
      socket.on('message', (raw) => {
        const message = JSON.parse(String(raw));
        if (message.method === 'eth_subscription') byId.get(message.params.subscription)!.push(message.params.result);
        else byId.set(message.result, lists[message.id]!);
      });
      const params = [...cases.map((c) => ['logs', c.spec(addresses)]), ['newHeads']];
      params.forEach((p, i) => socket.send(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'eth_subscribe', params: p })));
      await pollUntil('the subscriptions', async () => (byId.size === lists.length ? true : undefined));
    };
    await subscribe(TOPIC_CASES.slice(0, 8));
    await subscribe(TOPIC_CASES.slice(8));

    const receipts = await invoke(INVOCATIONS, contracts);
    await ok('evm_mine');
    const { hash: last } = await ok<{ hash: Hex }>('eth_getBlockByNumber', 'latest', false);
    await pollUntil('the empty tipset\'s head', async () => (markers.every((heads) => heads.some((h) => h.hash === last)) ? true : undefined));

    const expected = INVOCATIONS.map((inv) => logOf(inv, addresses));
    for (const c of ALL_CASES) {
      const want = c.finds.map((i) => expected[i]);
      const logs = await ok<Log[]>('eth_getLogs', { fromBlock: '0x0', ...c.spec(addresses) });
      assert.deepEqual(logs.map(shape), want, `eth_getLogs: ${c.name}`);
      // Each log is its receipt's one log, field for field (TestEthGetLogs).
      for (const [k, log] of logs.entries()) {
        const receipt = await ok<{ logs: Log[] }>('eth_getTransactionReceipt', log.transactionHash);
        assert.equal(receipt.logs.length, 1);
        assert.deepEqual(receipt.logs[0], log, `${c.name} #${k}`);
        assert.equal(log.transactionHash, receipts[c.finds[k]!]!.hash);
      }
      assert.deepEqual((await ok<Log[]>('eth_getFilterChanges', changes.get(c.name))).map(shape), want, `eth_getFilterChanges: ${c.name}`);
      assert.deepEqual((await ok<Log[]>('eth_getFilterLogs', drained.get(c.name))).map(shape), want, `eth_getFilterLogs: ${c.name}`);
    }
    TOPIC_CASES.forEach((c) => {
      const logs = notified.get(c)!;
      assert.deepEqual(logs.map(shape), c.finds.map((k) => expected[k]), `subscription: ${c.name}`);
      assert.ok(logs.every((l) => l.removed === false && receipts.some((r) => r.hash === l.transactionHash && r.blockHash === l.blockHash)), c.name);
    });
  });

  test('TestEthGetLogsWithBlockRanges: partitions of EventTwoIndexedWithData by height, from genesis, earliest and latest', async () => {
    const contracts = { 1: await deploy(), 2: await deploy() } as Record<1 | 2, Contract>;
    const addresses = { 1: await contracts[1].getAddress(), 2: await contracts[2].getAddress() } as Record<1 | 2, Hex>;
    const start = Number(await ok('eth_blockNumber'));
    const receipts = await invoke(INVOCATIONS, contracts);
    // The three EventTwoIndexedWithData calls, each mined in its own tipset: one partition each.
    const picks = [11, 14, 15];
    const heights = picks.map((i) => receipts[i]!.blockNumber);
    assert.deepEqual(heights, [...new Set(heights)].sort((a, b) => a - b));
    const [p1, p2, p3] = picks.map((i) => [logOf(INVOCATIONS[i]!, addresses)]);
    const [h1, h2, h3] = heights as [number, number, number];
    const topics = [ev('twoIndexedWithData')];
    const hex = (n: number) => toBeHex(n);
    // Logs of this test's own calls: the first test's contracts logged the same events earlier.
    const ours = (logs: Log[]) => logs.filter((l) => Number(l.blockNumber) > start).map(shape);
    const cases: [string, object, Shape[][]][] = [
      ['from genesis', { fromBlock: '0x0' }, [p1!, p2!, p3!]],
      ['from the start of partition 1', { fromBlock: hex(h1) }, [p1!, p2!, p3!]],
      ['from the start of partition 2', { fromBlock: hex(h2) }, [p2!, p3!]],
      ['from the start of partition 3', { fromBlock: hex(h3) }, [p3!]],
      ['after the end of partition 3', { fromBlock: hex(h3 + 1) }, []],
      ['from genesis to the end of partition 1', { fromBlock: '0x0', toBlock: hex(h1) }, [p1!]],
      ['from genesis to the end of partition 2', { fromBlock: '0x0', toBlock: hex(h2) }, [p1!, p2!]],
      ['from genesis to the end of partition 3', { fromBlock: '0x0', toBlock: hex(h3) }, [p1!, p2!, p3!]],
      ['from genesis to before partition 1', { fromBlock: '0x0', toBlock: hex(h1 - 1) }, []],
      ['partition 1', { fromBlock: hex(h1), toBlock: hex(h1) }, [p1!]],
      ['partition 2', { fromBlock: hex(h2), toBlock: hex(h2) }, [p2!]],
      ['partition 3', { fromBlock: hex(h3), toBlock: hex(h3) }, [p3!]],
      ['earliest to the end of partition 1', { fromBlock: 'earliest', toBlock: hex(h1) }, [p1!]],
      ['the start of partition 3 to latest', { fromBlock: hex(h3), toBlock: 'latest' }, [p3!]],
      ['earliest to latest', { fromBlock: 'earliest', toBlock: 'latest' }, [p1!, p2!, p3!]],
    ];
    for (const [name, range, parts] of cases) assert.deepEqual(ours(await ok<Log[]>('eth_getLogs', { ...range, topics })), parts.flat(), name);
  });

  test('TestEthNewFilterMergesHistoricWithRealtime: a filter from earliest answers the logs before it and after it in one poll', async () => {
    const contract = await deploy();
    const address = (await contract.getAddress()).toLowerCase();
    const calls: [string, number][] = [
      ['oneData', 1],
      ['oneIndexed', 2],
      ['oneData', 3],
      ['oneIndexed', 4],
    ];
    const run = async ([fn, n]: [string, number]) => (await (await contract.getFunction(fn)(n)).wait())!;
    await run(calls[0]!);
    await run(calls[1]!);
    const filter = await ok('eth_newFilter', { fromBlock: 'earliest', address });
    await run(calls[2]!);
    await run(calls[3]!);
    const expected = calls.map(([fn, n]) => logOf({ contract: 1, fn, args: [n] }, { 1: address, 2: address }));
    assert.deepEqual((await ok<Log[]>('eth_getFilterChanges', filter)).map(shape), expected);
  });

  test('TestEthNewFilterDefaultSpec: a filter without criteria collects each call\'s log; a decimal fromBlock is refused', async () => {
    const contract = await deploy();
    const address = (await contract.getAddress()).toLowerCase();
    const filter = await ok('eth_newFilter', {});
    for (let i = 0; i < 3; i++) await (await contract.getFunction('threeIndexedWithData')(0x1111, 0x2222, 0x3333, 0x4444)).wait();
    const logs = await ok<Log[]>('eth_getFilterChanges', filter);
    const one = logOf({ contract: 1, fn: 'threeIndexedWithData', args: [0x1111, 0x2222, 0x3333, 0x4444] }, { 1: address, 2: address });
    assert.deepEqual(logs.map(shape), [one, one, one]);
    assert.deepEqual((await rpc('eth_newFilter', { fromBlock: '2812200', toBlock: '2812200' })).error, { code: 1, message: 'FromBlock is not a hex' });
  });

  test('TestTxReceiptBloom: an empty block\'s bloom is empty; a receipt\'s holds its log\'s address and topics; a block\'s is its receipts\' together', async () => {
    await ok('evm_mine');
    const empty = await ok<{ logsBloom: Hex }>('eth_getBlockByNumber', 'latest', false);
    assert.equal(empty.logsBloom, '0x' + '00'.repeat(256));
    const contract = await deploy();
    const receipt = (await (await contract.getFunction('zeroData')()).wait())!;
    const raw = await ok<{ logsBloom: Hex; logs: Log[]; to: Hex; blockHash: Hex; blockNumber: Hex }>('eth_getTransactionReceipt', receipt.hash);
    assert.equal(raw.logs.length, 1);
    assert.equal(raw.logsBloom, bloomOf([raw.to, ev('zeroData')]));
    const byHash = await ok<{ logsBloom: Hex }>('eth_getBlockByHash', raw.blockHash, false);
    const blockReceipts = await ok<{ logsBloom: Hex }[]>('eth_getBlockReceipts', raw.blockHash);
    const or = new Uint8Array(256);
    for (const r of blockReceipts) Buffer.from(r.logsBloom.slice(2), 'hex').forEach((b, i) => (or[i]! |= b));
    assert.equal(byHash.logsBloom, '0x' + Buffer.from(or).toString('hex'));
    assert.notEqual(byHash.logsBloom, '0x' + 'ff'.repeat(256));
    assert.equal((await ok<{ logsBloom: Hex }>('eth_getBlockByNumber', raw.blockNumber, false)).logsBloom, byHash.logsBloom);
  });

  test('TestMultipleEvents: logs of three transactions in one tipset are numbered 0 to 9 across it; eth_getLogs by blockHash answers the receipts\' logs', async () => {
    const contract = await deploy();
    await ok('evm_setAutomine', false);
    try {
      const sent = [];
      for (const count of [4, 3, 3]) sent.push(await contract.getFunction('many')(count));
      await ok('evm_mine');
      const receipts = await Promise.all(sent.map((tx) => ok<{ logs: Log[]; blockHash: Hex }>('eth_getTransactionReceipt', tx.hash)));
      assert.deepEqual(receipts.map((r) => r.logs.length), [4, 3, 3]);
      assert.equal(new Set(receipts.map((r) => r.blockHash)).size, 1);
      const logs = receipts.flatMap((r) => r.logs);
      assert.deepEqual(logs.map((l) => Number(l.logIndex)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      assert.deepEqual(await ok<Log[]>('eth_getLogs', { blockHash: receipts[0]!.blockHash }), logs);
    } finally {
      await ok('evm_setAutomine', true);
    }
  });

  test('TestEthNewBlockFilter and TestEthNewPendingTransactionFilter: each new tipset\'s hash, each sent transaction\'s hash', async () => {
    const blocks = await ok('eth_newBlockFilter');
    const pending = await ok('eth_newPendingTransactionFilter');
    const hashes = [];
    for (let i = 0; i < 5; i++) hashes.push((await (await signer.sendTransaction({ to: DEV_ACCOUNTS[1]!.address, value: 1n })).wait())!);
    const blockHashes = await ok<Hex[]>('eth_getFilterChanges', blocks);
    assert.deepEqual(blockHashes, hashes.map((r) => r.blockHash));
    for (const r of hashes) assert.equal((await ok<{ hash: Hex }>('eth_getBlockByNumber', toBeHex(r.blockNumber), false)).hash, r.blockHash);
    assert.deepEqual(await ok<Hex[]>('eth_getFilterChanges', pending), hashes.map((r) => r.hash));
  });
});
