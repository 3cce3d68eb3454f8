// A running fork's reads of actors from an upstream on loopback (audit15 C13): answers of the shapes
// Lotus gives are taken; an answer of another shape to StateLookupID or StateGetActor is refused with
// an error naming the call, what it answered and the upstream (code 1), not a bare TypeError (-32603)
// nor an address parser's "unknown address network".
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { FilAddress } from '../../src/common/address.js';
import { decodeCbor, encodeBigInt } from '../../src/common/cbor.js';
import { DevnetError } from '../../src/common/errors.js';
import { forkCodeTable, type ForkPoint } from '../../src/devnet/fork/fork-point.js';
import { UpstreamState } from '../../src/devnet/fork/upstream-state.js';
import { minerStateFromLotus, vestingBlockOf, vestingFundsOf, type LotusMinerFunds, type LotusMinerInfo } from '../../src/devnet/fork/upstream-miner.js';
import { deadlineCronActive } from '../../src/fevm/actors/miner/state.js';
import { Upstream } from '../../src/devnet/fork/upstream.js';
import { cidOf } from '../../src/common/cbor.js';
import { buildStorageKamt } from '../../src/fevm/actors/evm/storage-kamt.js';
import { EMPTY_KAMT, pointersOf, walk, withSlot, type KamtNode } from '../../src/fevm/actors/evm/kamt-shape.js';
import { testForkPoint } from '../helpers/fork-point.js';

const point = testForkPoint(7);

/** A dag-cbor block and its CID, as the upstream's ChainReadObj serves it. */
async function block(value: unknown): Promise<{ cid: CID; bytes: Uint8Array }> {
  const bytes = dagCbor.encode(value);
  return { cid: CID.create(1, dagCbor.code, await sha256.digest(bytes)), bytes };
}

/** A fork point whose upstream's manifest names one kind with this code CID. */
const pointWithCode = (kind: string, code: CID): ForkPoint => ({ ...point, manifest: { cid: point.manifest.cid, entries: [[kind, code.toString()]] } });
/** UpstreamState's point and code CIDs, as Fork.open gives them once the point's manifest is read. */
const withCodes = (at: ForkPoint): [ForkPoint, Promise<ReturnType<typeof forkCodeTable>>] => [at, Promise.resolve(forkCodeTable(at))];

/** An upstream whose manifest has one kind, account, and which answers StateLookupID and StateGetActor with `lookup` and `actor`. */
async function upstreamAnswering(t: TestContext, lookup: unknown, actor: unknown, requests: string[][] = []): Promise<UpstreamState> {
  const accountCode = (await block('account code')).cid;
  const results: Record<string, (params: unknown[]) => unknown> = {
    // An account's state without a key address.
    'Filecoin.StateReadState': () => ({ State: {} }),
    'Filecoin.StateLookupID': () => lookup,
    'Filecoin.StateGetActor': () => (actor === 'lotus' ? { Code: { '/': accountCode.toString() }, Head: { '/': accountCode.toString() }, Nonce: 3, Balance: '5000' } : actor),
  };
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      type Call = { id: number; method: string; params: unknown[] };
      const body = JSON.parse(text) as Call | Call[];
      requests.push((Array.isArray(body) ? body : [body]).map(({ method, params }) => `${method} ${typeof params[0] === 'string' ? params[0] : ''}`.trim()));
      const answer = (call: Call) => ({ jsonrpc: '2.0', id: call.id, result: results[call.method]!(call.params) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(Array.isArray(body) ? body.map(answer) : answer(body)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return new UpstreamState(new Upstream(new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/rpc/v1`), { retries: 0 }), ...withCodes(pointWithCode('account', accountCode)));
}

const ADDRESS = FilAddress.parse('f1ick6svk3i23qdgn74hz2yu4wsoryzuaw4h3jk4y');

describe('a fork reading actors from its upstream', () => {
  test('answers of the shapes Lotus gives: the actor', async (t) => {
    const actor = await (await upstreamAnswering(t, 'f0100', 'lotus')).actor(ADDRESS);
    assert.deepEqual(actor && [actor.id, actor.kind, actor.nonce, actor.balance], [100, 'account', 3, 5000n]);
  });

  test('a singleton whose State the fork reads (the burnt funds account\'s key) comes with it in one batch', async (t) => {
    const requests: string[][] = [];
    const actor = await (await upstreamAnswering(t, 'f099', 'lotus', requests)).actor(99);
    assert.deepEqual(actor && [actor.id, actor.kind, actor.robust], [99, 'account', undefined]);
    assert.deepEqual(requests, [['Filecoin.StateReadState f099', 'Filecoin.StateGetActor f099']]);
  });

  test('an answer of another shape is refused naming the call, what it answered and the upstream', async (t) => {
    const cases: [unknown, unknown, RegExp][] = [
      // audit15's repro: "f01" for every call of the batch.
      ['f0100', 'f01', /^upstream Filecoin\.StateGetActor answered "f01", not an actor \(http:\/\/127\.0\.0\.1:\d+\/rpc\/v1\)$/],
      ['0xzz', 'lotus', /^upstream Filecoin\.StateLookupID answered "0xzz", not an ID address \(http:/],
      [null, 'lotus', /^upstream Filecoin\.StateLookupID answered null, not an ID address /],
      ['f1ick6svk3i23qdgn74hz2yu4wsoryzuaw4h3jk4y', 'lotus', /^upstream Filecoin\.StateLookupID answered "f1ick6.*", not an ID address /],
      ['f0100', { Balance: '-5' }, /^upstream Filecoin\.StateGetActor answered \{"Balance":"-5"\}, not an actor /],
      ['f0100', { Code: { '/': 'x' }, Head: { '/': 'x' }, Nonce: -1, Balance: '5' }, /^upstream Filecoin\.StateGetActor answered .*, not an actor /],
    ];
    for (const [lookup, actor, reason] of cases) {
      const state = await upstreamAnswering(t, lookup, actor);
      await assert.rejects(state.actor(ADDRESS), (err: Error) => err instanceof DevnetError && err.code === 1 && reason.test(err.message), JSON.stringify([lookup, actor]));
    }
  });
});

describe('a forked miner\'s vesting funds, as Lotus\'s JSON gives the State (fidaudit4 V13)', () => {
  const fund = (epoch: number, amount: bigint) => [epoch, encodeBigInt(amount)];
  const read = (state: LotusMinerFunds, value: unknown) => vestingFundsOf(state, value === undefined ? undefined : decodeCbor(dagCbor.encode(value)));
  const funds: Omit<LotusMinerFunds, 'VestingFunds'> = { InitialPledge: '0', PreCommitDeposits: '0', FeeDebt: '0', ProvingPeriodStart: 0, LockedFunds: '6' };

  test('actors v16+: the head inline, the others in the tail block (a head drawn to zero kept, as the state keeps it); before v16: the block of a struct of the list', async () => {
    const tail = await block([fund(200, 2n), fund(300, 3n)]);
    const v16: LotusMinerFunds = { ...funds, VestingFunds: { Head: { Epoch: 100, Amount: '1' }, Tail: { '/': tail.cid.toString() } } };
    assert.equal(vestingBlockOf(v16), tail.cid.toString());
    assert.deepEqual(read(v16, [fund(200, 2n), fund(300, 3n)]), [{ epoch: 100, amount: 1n }, { epoch: 200, amount: 2n }, { epoch: 300, amount: 3n }]);
    assert.deepEqual(read({ ...v16, VestingFunds: { Head: { Epoch: 100, Amount: '0' }, Tail: { '/': tail.cid.toString() } } }, [fund(200, 2n)]), [{ epoch: 100, amount: 0n }, { epoch: 200, amount: 2n }]);
    const v15: LotusMinerFunds = { ...funds, VestingFunds: { '/': tail.cid.toString() } };
    assert.equal(vestingBlockOf(v15), tail.cid.toString());
    assert.deepEqual(read(v15, [[fund(200, 2n)]]), [{ epoch: 200, amount: 2n }]);
    // None: null from Lotus, absent from an fvm-devnet.
    for (const none of [{ ...funds, VestingFunds: null }, funds]) {
      assert.equal(vestingBlockOf(none), undefined);
      assert.deepEqual(read(none, undefined), []);
    }
  });
});

describe("a forked miner's DeadlineCronActive, from the upstream's State", () => {
  const info: LotusMinerInfo = {
    Owner: 'f0100', Worker: 'f0100', NewWorker: '<empty>', WorkerChangeEpoch: -1, ControlAddresses: null, PeerId: null, Multiaddrs: null,
    WindowPoStProofType: 8, SectorSize: 34359738368, WindowPoStPartitionSectors: 2349, ConsensusFaultElapsed: -1, PendingOwnerAddress: null,
    Beneficiary: 'f0100', BeneficiaryTerm: { Quota: '0', UsedQuota: '0', Expiration: 0 }, PendingBeneficiaryTerm: null,
  };
  // Pre-committed (sector 1 allocated) with a deposit locked: what a state file without the flag would derive as on.
  const funds: LotusMinerFunds = { InitialPledge: '0', PreCommitDeposits: '5', FeeDebt: '0', ProvingPeriodStart: 0 };

  test("the upstream's flag as it is, not derived from its funds", () => {
    assert.equal(deadlineCronActive(minerStateFromLotus(info, { ...funds, DeadlineCronActive: false }, [1], 100)), false);
    assert.equal(deadlineCronActive(minerStateFromLotus(info, { ...funds, PreCommitDeposits: '0', DeadlineCronActive: true }, [1], 100)), true);
  });
});

// review R7 (on 5154e50): a contract's storage root the upstream does not hold (an fvm-devnet serves the
// root it built for its own StateReadState until it restarts) leaves the shape unknown, not the contract unread.
describe('a fork reading a contract\'s storage root from its upstream', () => {
  const CONTRACT = FilAddress.fromEthAddress(new Uint8Array(20).fill(0xaa));

  /** An upstream with one contract, t0120 (0xaa…aa), whose State names the KAMT root of `slots` (none: empty), its blocks served or not. */
  async function contractUpstream(t: TestContext, servesRoot: boolean, slots: [bigint, bigint][] = []): Promise<{ upstream: UpstreamState; root: CID; requests: string[][] }> {
    const evmCode = (await block('evm code')).cid;
    const kamt = buildStorageKamt(slots);
    const root = { cid: kamt.root, bytes: kamt.blocks.at(-1)! };
    const kamtBlocks = kamt.blocks.map((bytes) => ({ cid: cidOf(bytes), bytes }));
    const blocks = new Map((servesRoot ? kamtBlocks : []).map((b) => [b.cid.toString(), Buffer.from(b.bytes).toString('base64')]));
    // Each HTTP request's methods (a batch's in order).
    const requests: string[][] = [];
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk) => (text += chunk));
      req.on('end', () => {
        type Call = { id: number; method: string; params: unknown[] };
        const answer = ({ id, method, params }: Call) => {
          const reply = (result: unknown) => ({ jsonrpc: '2.0', id, result });
          if (method === 'Filecoin.StateReadState') return reply({ State: { Nonce: 1, ContractState: { '/': root.cid.toString() } } });
          if (method === 'Filecoin.StateGetActor') return reply({ Code: { '/': evmCode.toString() }, Head: { '/': evmCode.toString() }, Nonce: 0, Balance: '0', DelegatedAddress: CONTRACT.toString() });
          if (method === 'eth_getCode') return reply('0x6000');
          if (method === 'Filecoin.StateLookupID') return reply('f0120');
          const cid = (params[0] as { '/': string })['/'];
          return blocks.has(cid) ? reply(blocks.get(cid)) : { jsonrpc: '2.0', id, error: { code: 1, message: `blockstore: block not found: ${cid}` } };
        };
        const body = JSON.parse(text) as Call | Call[];
        requests.push((Array.isArray(body) ? body : [body]).map(({ method, params }) => `${method} ${typeof params[0] === 'string' ? params[0] : ''}`.trim()));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(Array.isArray(body) ? body.map(answer) : answer(body)));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const upstream = new UpstreamState(new Upstream(new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/rpc/v1`), { retries: 0 }), ...withCodes(pointWithCode('evm', evmCode)));
    return { upstream, root: root.cid, requests };
  }

  test('a contract read by its Ethereum address where a contract is expected comes in one round trip with its code and State, the same actor as by ID; otherwise no contract reads go with the lookup', async (t) => {
    const byId = await (await contractUpstream(t, true)).upstream.actor(120);
    const expected = await contractUpstream(t, true);
    assert.deepEqual(await expected.upstream.actor(CONTRACT, true), byId);
    const f410 = CONTRACT.toString();
    assert.deepEqual(expected.requests, [[`eth_getCode 0x${'aa'.repeat(20)}`, `Filecoin.StateReadState ${f410}`, `Filecoin.StateLookupID ${f410}`, `Filecoin.StateGetActor ${f410}`], ['Filecoin.ChainReadObj']]);
    const unexpected = await contractUpstream(t, true);
    assert.deepEqual(await unexpected.upstream.actor(CONTRACT), byId);
    assert.deepEqual(unexpected.requests, [[`Filecoin.StateLookupID ${f410}`, `Filecoin.StateGetActor ${f410}`], [`eth_getCode 0x${'aa'.repeat(20)}`, 'Filecoin.StateReadState f0120'], ['Filecoin.ChainReadObj']]);
  });

  test('a root it serves gives the shape and is kept for a fork of the fork; one it does not hold leaves the shape unknown', async (t) => {
    const served = await contractUpstream(t, true);
    const read = await served.upstream.actor(120);
    assert.deepEqual(read?.storageShape, EMPTY_KAMT);
    assert.equal(read?.evm?.upstreamStorageRoot, served.root.toString());
    const missing = await (await contractUpstream(t, false)).upstream.actor(120);
    assert.equal(missing?.kind, 'evm');
    assert.equal(missing?.storageShape, undefined);
    assert.equal(missing?.evm?.upstreamStorageRoot, undefined);
  });

  test('the nodes below the root are read with it: the shape is the upstream KAMT\'s, node by node (G11)', async (t) => {
    // Slots 0 and 1 in a node below the root, a mapping-like key alone in the root's bucket 16.
    const slots: [bigint, bigint][] = [[0n, 1n], [1n, 0x1234n], [(1n << 255n) | 99n, 7n]];
    const { upstream } = await contractUpstream(t, true, slots);
    const read = await upstream.actor(120);
    const written = slots.reduce((shape, [slot, value]) => withSlot(shape, slot, 0n, value), EMPTY_KAMT);
    assert.deepEqual(read?.storageShape, written);
    assert.equal(read?.storageShape?.links, 1);
    // Read whole, the KAMT gives the slots' values too, handed out once.
    assert.deepEqual(upstream.takeWholeStorage(120), new Map(slots));
    assert.equal(upstream.takeWholeStorage(120), undefined);
  });

  test('a KAMT of more nodes than a fork reads leaves the level past them opaque, priced as a modelled node', async (t) => {
    // 300 pairs of adjacent slots (2k, 2k+1) spread by a multiplier: below the root, levels of 4, 128
    // and 300 nodes (the last the two-slot ones). The fork reads whole levels while it stays within
    // 256 nodes: 4 + 128, not the 300.
    const slots: [bigint, bigint][] = Array.from({ length: 600 }, (_, i) => [((BigInt(i >> 1) * 0x0da740da740da740da740da740da740da740da740da740da740da740da740dn) % (1n << 255n)) * 2n + BigInt(i % 2), 1n]);
    const { upstream } = await contractUpstream(t, true, slots);
    const read = await upstream.actor(120);
    // Not read whole: its slots are asked for as they are read.
    assert.equal(upstream.takeWholeStorage(120), undefined);
    const nodes = (node: KamtNode): KamtNode[] => pointersOf(node).flatMap((p) => ('node' in p ? [p.node, ...nodes(p.node)] : []));
    const below = nodes(read!.storageShape!);
    assert.deepEqual([below.filter((node) => node.pointers).length, below.filter((node) => !node.pointers).length], [132, 300]);
    // Reaching a slot opens its unread node as a modelled 300-byte one.
    const reached: number[] = [];
    walk(read!.storageShape!, slots[0]![0], true, (_id, node) => reached.push(node.bytes));
    assert.equal(reached.length, 3);
    assert.equal(reached.at(-1), 300);
  });
});
