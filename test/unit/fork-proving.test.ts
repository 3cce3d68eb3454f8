// A forked miner's proving state: read from a full node on loopback (Lotus's JSON: sectors, the 48
// deadlines' partitions, faults with their early expirations, PoSt submissions), and from a gateway
// (which answers StateMinerSectors "method not found") by walking the miner's state blocks as an
// fvm-devnet upstream serves them; then held by the fork's source, where the miner's sectors and PoSt
// submissions read it whole, on first touch.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import { decodeBitfield } from '../../src/common/bitfield.js';
import { bitfieldJson } from '../../src/common/bitfield-json.js';
import { decodeBigInt, decodeCbor, type CID as BlockCid } from '../../src/common/cbor.js';
import type { Actor } from '../../src/fevm/actor.js';
import { deadlineBlocks } from '../../src/fevm/actors/miner/deadline-blocks.js';
import { deadlineEndAtOrAfter, deadlineInfo, FAULT_MAX_AGE } from '../../src/fevm/actors/miner/policy.js';
import { loadMiner, type MinerState } from '../../src/fevm/actors/miner/state.js';
import { MissingStateError } from '../../src/fevm/state-tree.js';
import { CATCH_UP_MAX_LIVE_SECTORS, ForkSource, emptyForkData } from '../../src/devnet/fork/fork-source.js';
import { sectorFromLotus, UpstreamProving, type ForkedProving } from '../../src/devnet/fork/upstream-proving.js';
import type { UpstreamState } from '../../src/devnet/fork/upstream-state.js';
import type { SectorCount } from '../../src/devnet/fork/upstream-tables.js';
import { Upstream } from '../../src/devnet/fork/upstream.js';
import { testForkPoint } from '../helpers/fork-point.js';

const point = testForkPoint(500);
/** A forked miner (its proving state aside), as upstream-miner.ts makes it. */
const MINER: MinerState = { owner: 1, worker: 1, controlAddresses: [], beneficiary: 1, sectorSize: 32n << 30n, peerId: new Uint8Array(), multiaddrs: [], windowPoStProofType: 3, windowPoStPartitionSectors: 2349, consensusFaultElapsed: -1, postsRequired: true };
const CID = 'bagboea4b5abcb3u54p6jvqv2ayf3pxy5dhufj6agddf2gcxw752lbsfer4m4dv6x';

const lotusSector = (n: number, expiration = 900_000) => ({
  SectorNumber: n,
  SealProof: 8,
  SealedCID: { '/': CID },
  Activation: 10,
  Expiration: expiration,
  DealWeight: n === 4 ? '100' : '0',
  VerifiedDealWeight: '0',
  InitialPledge: '7',
  PowerBaseEpoch: 10,
  Flags: 1,
  DailyFee: '0',
});

/**
 * A Lotus full node with a miner whose sectors 1–4 sit in deadline 2 (partitions 0 and 1) and 7 in
 * deadline 5; 3 and 7 are faulty, 7 declared recovered; 5, terminated, is still in partition 1 (AllSectors, not LiveSectors).
 */
function fullNodeAnswer(method: string, params: unknown[]): unknown {
  switch (method) {
    case 'Filecoin.StateMinerSectors':
      return [1, 2, 3, 4, 5, 7].map((n) => lotusSector(n, n === 7 ? 1000 : 900_000));
    case 'Filecoin.StateMinerDeadlines':
      return Array.from({ length: 48 }, (_, d) => ({ PostSubmissions: bitfieldJson(d === 2 ? [1] : []), DisputableProofCount: 0, DailyFee: '0' }));
    case 'Filecoin.StateMinerPartitions': {
      const partition = (live: number[], faulty: number[], recovering: number[] = [], dead: number[] = []) => ({
        AllSectors: bitfieldJson([...live, ...dead].sort((a, b) => a - b)),
        FaultySectors: bitfieldJson(faulty),
        RecoveringSectors: bitfieldJson(recovering),
        LiveSectors: bitfieldJson(live),
        ActiveSectors: [0],
      });
      if (params[1] === 2) return [partition([1, 2, 3], [3]), partition([4], [], [], [5])];
      if (params[1] === 5) return [partition([7], [7], [7])];
      return null;
    }
    case 'Filecoin.StateSectorExpiration':
      // Sector 3's fault terminates it early; sector 7 expires on time first.
      return params[1] === 3 ? { OnTime: 0, Early: 400 + FAULT_MAX_AGE } : { OnTime: 1000, Early: 0 };
  }
  throw new Error(`unexpected ${method}`);
}

/** The same miner's state as an fvm-devnet upstream holds it, for a gateway to serve its blocks. */
function upstreamMiner(): MinerState {
  const sector = (n: number, deadline: number, partition: number, faultEpoch?: number, recovering = false) => ({
    ...sectorFromLotus(lotusSector(n, n === 7 ? 1000 : 900_000)),
    hasData: n === 4,
    deadline,
    partition,
    ...(faultEpoch === undefined ? {} : { faultEpoch }),
    ...(recovering ? { recovering: true as const } : {}),
  });
  const sectors = [sector(1, 2, 0), sector(2, 2, 0), sector(3, 2, 0, 400), sector(4, 2, 1), sector(7, 5, 0, 450, true)];
  const dead = sector(5, 2, 1);
  return { ...MINER, sectors: new Map(sectors.map((s) => [s.sectorNumber, s])), postSubmissions: new Map([[2, [1]]]), deadSectors: new Map([[5, dead]]) };
}

/**
 * A loopback upstream: a full node (fullNodeAnswer), or a gateway that has no StateMinerSectors but
 * serves the miner's state blocks (deadline-blocks.ts) and its sectors one by one.
 */
async function serve(
  t: TestContext,
  gateway: boolean,
  options: { rootError?: { code: number; message: string }; slowDeadline?: number } = {},
): Promise<{ upstream: Upstream; methods: string[] }> {
  const methods: string[] = [];
  const blocks = deadlineBlocks(upstreamMiner(), point.epoch);
  // The partitions AMT of options.slowDeadline, answered last: one call per request (batches refused), that one late.
  const block = (cid: BlockCid) => decodeCbor<unknown[]>(blocks.blocks.get(cid.toString())!);
  const slow = options.slowDeadline === undefined ? undefined : String((block((block(blocks.root)[0] as BlockCid[])[options.slowDeadline]) as BlockCid[])[0]);
  const gatewayAnswer = (method: string, params: unknown[]): unknown => {
    if (method === 'Filecoin.StateReadState') return { State: { Deadlines: { '/': blocks.root.toString() } } };
    if (method === 'Filecoin.ChainReadObj' && options.rootError && (params[0] as { '/': string })['/'] === blocks.root.toString()) throw options.rootError;
    if (method === 'Filecoin.ChainReadObj') return Buffer.from(blocks.blocks.get((params[0] as { '/': string })['/'])!).toString('base64');
    if (method === 'Filecoin.StateSectorGetInfo') return lotusSector(params[1] as number, params[1] === 7 ? 1000 : 900_000);
    throw new Error('not a gateway method');
  };
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', async () => {
      const body = JSON.parse(text) as { id: number; method: string; params: unknown[] } | { id: number; method: string; params: unknown[] }[];
      if (slow !== undefined && Array.isArray(body)) return res.writeHead(400).end('no batches');
      if (slow !== undefined && !Array.isArray(body) && (body.params[0] as { '/'?: string })?.['/'] === slow) await new Promise((resolve) => setTimeout(resolve, 50));
      const answer = (call: { id: number; method: string; params: unknown[] }) => {
        methods.push(call.method);
        if (gateway && call.method === 'Filecoin.StateMinerSectors') return { jsonrpc: '2.0', id: call.id, error: { code: -32601, message: `method '${call.method}' not found` } };
        try {
          return { jsonrpc: '2.0', id: call.id, result: (gateway ? gatewayAnswer : fullNodeAnswer)(call.method, call.params) };
        } catch (error) {
          return { jsonrpc: '2.0', id: call.id, error };
        }
      };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(Array.isArray(body) ? body.map(answer) : answer(body)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { upstream: new Upstream(new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/rpc/v1`), { retries: 0 }), methods };
}

/** Each sector's number, deadline, partition, fault epoch, and whether it is recovering. */
const placements = (proving: ForkedProving) => proving.sectors.map((s) => [s.sectorNumber, s.deadline, s.partition, s.faultEpoch, s.recovering ?? false]).sort((a, b) => (a[0] as number) - (b[0] as number));

describe('a forked miner\'s proving state', () => {
  test('from a full node: each sector in its deadline and partition, faults from their early expiration, recoveries, PoSt submissions', async (t) => {
    const { upstream } = await serve(t, false);
    const proving = (await new UpstreamProving(upstream, point).provingState(1000))!;
    const place = (n: number) => proving.sectors.find((s) => s.sectorNumber === n)!;
    assert.deepEqual(
      placements(proving),
      [
        [1, 2, 0, undefined, false],
        [2, 2, 0, undefined, false],
        [3, 2, 0, 400, false],
        [4, 2, 1, undefined, false],
        [7, 5, 0, point.epoch, true],
      ],
    );
    assert.equal(place(4).hasData, true);
    assert.equal(place(1).hasData, false);
    assert.equal(place(1).initialPledge, 7n);
    assert.deepEqual(proving.postSubmissions, [[2, [1]]]);
    // The terminated sector its partition still holds (AllSectors less LiveSectors), where it was.
    assert.deepEqual(proving.deadSectors, [{ ...sectorFromLotus(lotusSector(5)), hasData: false, deadline: 2, partition: 1 }]);
  });

  test('from a gateway: by walking the miner\'s Deadlines, Deadline and Partition blocks (their Recoveries too); faults from their early expiration', async (t) => {
    const { upstream, methods } = await serve(t, true);
    const proving = (await new UpstreamProving(upstream, point).provingState(1000))!;
    // As from a full node: sector 3's fault from its partition's expiration queue, which holds it at the end of
    // its deadline FAULT_MAX_AGE on (builtin-actors' quantization): the fault counts from that deadline's end; 7 expires on time first.
    assert.deepEqual(placements(proving), [
      [1, 2, 0, undefined, false],
      [2, 2, 0, undefined, false],
      [3, 2, 0, deadlineEndAtOrAfter(400, upstreamMiner().provingPeriodOffset ?? 0, 2), false],
      [4, 2, 1, undefined, false],
      [7, 5, 0, point.epoch, true],
    ]);
    assert.deepEqual(proving.sectors.find((s) => s.sectorNumber === 4), { ...sectorFromLotus(lotusSector(4)), hasData: true, deadline: 2, partition: 1 });

    assert.deepEqual(proving.postSubmissions, [[2, [1]]]);
    // The terminated sector (its partition's Terminated), read with StateSectorGetInfo as the live ones.
    assert.deepEqual(proving.deadSectors, [{ ...sectorFromLotus(lotusSector(5)), hasData: false, deadline: 2, partition: 1 }]);
    assert.deepEqual(new Set(methods), new Set(['Filecoin.StateMinerSectors', 'Filecoin.StateReadState', 'Filecoin.ChainReadObj', 'Filecoin.StateSectorGetInfo']));
  });

  test('from a gateway: sectors in number order, whatever order the upstream\'s answers come in', async (t) => {
    const { upstream } = await serve(t, true, { slowDeadline: 2 });
    const proving = (await new UpstreamProving(upstream, point).provingState(1000))!;
    assert.deepEqual(
      proving.sectors.map((s) => s.sectorNumber),
      [1, 2, 3, 4, 7],
    );
  });

  test('from a gateway that does not keep the Deadlines block: none; any other upstream error is thrown, not taken for an answer', async (t) => {
    const missing = await serve(t, true, { rootError: { code: 1, message: 'blockstore get: ipld: could not find bafy' } });
    assert.equal(await new UpstreamProving(missing.upstream, point).provingState(1000), null);
    const failing = await serve(t, true, { rootError: { code: 1, message: 'rate limit exceeded' } });
    await assert.rejects(new UpstreamProving(failing.upstream, point).provingState(1000), /rate limit exceeded/);
  });

  test("a served Deadline block's daily fee is its live sectors', faulty ones included", () => {
    const miner = upstreamMiner();
    const sectors = new Map([...miner.sectors!].map(([n, s]) => [n, { ...s, dailyFee: BigInt(n) * 1000n }]));
    const blocks = deadlineBlocks({ ...miner, sectors }, point.epoch);
    const block = (cid: BlockCid) => decodeCbor<unknown[]>(blocks.blocks.get(cid.toString())!);
    const dailyFee = (d: number) => decodeBigInt(block((block(blocks.root)[0] as BlockCid[])[d]).at(-1) as Uint8Array);
    assert.equal(dailyFee(2), 10_000n);
    assert.equal(dailyFee(5), 7000n);
    assert.equal(dailyFee(0), 0n);
  });

  test("a served Deadline block shows the upstream's proven partitions only in the challenge window open at the fork", () => {
    const open = deadlineInfo(point.epoch, 0);
    const miner = { ...upstreamMiner(), provingPeriodOffset: 0, postSubmissions: new Map([[open.index, [0]]]), upstreamPostWindow: open.open };
    const posted = (epoch: number) => {
      const blocks = deadlineBlocks(miner, epoch);
      const block = (cid: BlockCid) => decodeCbor<unknown[]>(blocks.blocks.get(cid.toString())!);
      return decodeBitfield(block((block(blocks.root)[0] as BlockCid[])[open.index])[2] as Uint8Array);
    };
    assert.deepEqual(posted(point.epoch), [0]);
    assert.deepEqual(posted(open.close), []);
    assert.deepEqual(posted(open.open + 48 * 60), []);
  });

  test('the fork\'s miner reads it whole on first touch; with it, sectors are not read one by one', async () => {
    const actor: Actor = { id: 1000, kind: 'storageminer', nonce: 0, balance: 0n, miner: MINER };
    const state: ForkedProving = { sectors: [{ ...sectorFromLotus(lotusSector(1)), hasData: false, deadline: 2, partition: 0 }], postSubmissions: [[2, [0]]], deadSectors: [] };
    const asked: number[] = [];
    const upstream = { point, proving: { provingState: async (id: number) => (asked.push(id), state) } } as unknown as UpstreamState;
    const data = emptyForkData();
    data.actors.set(1000, actor);
    // No faulty sector: the miner reads without its proving state.
    data.tables.sectorCounts.set(1000, { live: 1, faulty: 0 });
    data.nextId = 2000;
    const source = new ForkSource(upstream, data);
    const forked = loadMiner(source.getActor(1000)!.miner!);
    assert.throws(() => forked.sectors.get(1), (e: unknown) => e instanceof MissingStateError && e.missing[0].kind === 'provingState');
    assert.throws(() => [...forked.sectors.values()], MissingStateError);
    await source.fetch([{ kind: 'provingState', miner: 1000 }]);
    assert.equal(forked.sectors.get(1)!.deadline, 2);
    assert.equal(forked.sectors.size, 1);
    assert.deepEqual(forked.postSubmissions?.get(2), [0]);
    // The sector list is the proving state's: a sector not in it is none, with nothing fetched.
    assert.equal(forked.upstreamSectors?.get(9), undefined);
    assert.deepEqual(asked, [1000]);
  });

  test('a miner with faulty sectors at the fork epoch reads once its proving state is taken, up to CATCH_UP_MAX_LIVE_SECTORS live sectors', async () => {
    const state: ForkedProving = { sectors: [], postSubmissions: [], deadSectors: [] };
    const cases: [SectorCount, boolean][] = [
      [{ live: 3, faulty: 1 }, true],
      [{ live: CATCH_UP_MAX_LIVE_SECTORS + 1, faulty: 1 }, false],
      [{ live: 3, faulty: 0 }, false],
    ];
    for (const [count, takes] of cases) {
      const asked: string[] = [];
      const upstream = {
        point,
        proving: { provingState: async (id: number) => (asked.push(`proving ${id}`), state) },
        tables: { sectorCount: async (id: number) => (asked.push(`count ${id}`), count) },
      } as unknown as UpstreamState;
      const data = emptyForkData();
      data.actors.set(1000, { id: 1000, kind: 'storageminer', nonce: 0, balance: 7n, miner: MINER });
      data.nextId = 2000;
      const source = new ForkSource(upstream, data);
      assert.throws(() => source.getActor(1000), (e: unknown) => e instanceof MissingStateError && e.missing[0].kind === 'sectorCount');
      await source.fetch([{ kind: 'sectorCount', miner: 1000 }]);
      if (takes) {
        assert.throws(() => source.getActor(1000), (e: unknown) => e instanceof MissingStateError && e.missing[0].kind === 'provingState');
        await source.fetch([{ kind: 'provingState', miner: 1000 }]);
      }
      assert.equal(source.getActor(1000)!.balance, 7n, JSON.stringify(count));
      assert.deepEqual(asked, takes ? ['count 1000', 'proving 1000'] : ['count 1000'], JSON.stringify(count));
    }
  });

  test('against an upstream that cannot tell, the miner holds no forked sector in its proving state', async () => {
    const upstream = { point, proving: { provingState: async () => null } } as unknown as UpstreamState;
    const data = emptyForkData();
    data.actors.set(1000, { id: 1000, kind: 'storageminer', nonce: 0, balance: 0n, miner: MINER });
    data.tables.sectorCounts.set(1000, { live: 1, faulty: 0 });
    data.nextId = 2000;
    const source = new ForkSource(upstream, data);
    await source.fetch([{ kind: 'provingState', miner: 1000 }]);
    const forked = loadMiner(source.getActor(1000)!.miner!);
    assert.equal(forked.sectors.size, 0);
    // Sectors are then read one by one.
    assert.throws(() => forked.upstreamSectors?.get(1), (e: unknown) => e instanceof MissingStateError && e.missing[0].kind === 'sector');
  });
});
