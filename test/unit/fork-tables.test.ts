// The builtin actors' tables on a fork: a LazyMap reads the keys it does not hold from its source,
// remembers what the fork deleted, and stays lazy through copies; the fork source gives the power,
// market, verified-registry and datacap actors (and miners' sectors) tables that throw
// MissingStateError naming the entry to fetch (a deal, an escrow, a client's allocations…), never
// ask for keys created on the fork, and the disk cache gives the fetched entries back. A node serves
// the AllocatedSectors block its StateReadState names (ChainReadObj), as a fork reads it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CID } from 'multiformats/cid';
import { decodeBitfield } from '../../src/common/bitfield.js';
import { decodeBigInt, decodeCbor } from '../../src/common/cbor.js';
import { actorIdKey, actorIdOfKey, hamtEntries, hamtGet } from '../../src/common/hamt.js';
import { DATACAP_ACTOR_ID, MARKET_ACTOR_ID, POWER_ACTOR_ID, VERIFREG_ACTOR_ID, type Actor } from '../../src/fevm/actor.js';
import { storedProposalCid, type StoredProposal } from '../../src/fevm/actors/market/deal-proposal.js';
import { EMPTY_MARKET_STATE, MarketLedger } from '../../src/fevm/actors/market/state.js';
import type { MinerState, SectorInfo } from '../../src/fevm/actors/miner/state.js';
import { addClaim, allClaims, claimOf, EMPTY_POWER_STATE } from '../../src/fevm/actors/power.js';
import { EMPTY_VERIFREG_STATE, putOwned, type Allocation } from '../../src/fevm/actors/verifreg/state.js';
import { allowanceOf, changeBalance, DATACAP_HAMT_BIT_WIDTH, EMPTY_DATACAP_STATE, INFINITE_ALLOWANCE, useAllowance } from '../../src/fevm/actors/datacap/state.js';
import { copyMap, LazyMap } from '../../src/fevm/lazy-map.js';
import { MissingStateError } from '../../src/fevm/state-tree.js';
import { ForkCache } from '../../src/devnet/fork/fork-cache.js';
import { ForkSource } from '../../src/devnet/fork/fork-source.js';
import type { UpstreamState } from '../../src/devnet/fork/upstream-state.js';
import type { ForkedDeal } from '../../src/devnet/fork/upstream-tables.js';
import { missingOf } from '../helpers/missing-state.js';
import { plainTables } from '../helpers/plain-tables.js';
import { setupRpc } from '../helpers/rpc-harness.js';
import { actorHead } from '../../src/fevm/actor-state.js';
import { forkedStateJson } from '../../src/eth-rpc/forked-state-json.js';
import { marketStateJson } from '../../src/eth-rpc/methods/filecoin-market.js';
import { testForkPoint } from '../helpers/fork-point.js';

describe('LazyMap', () => {
  const upstream = new Map<number, string>([[1, 'one'], [2, 'two']]);
  const fetched = new Set<number>([1, 2]);
  const source = {
    get: (key: number) => {
      if (!fetched.has(key)) throw new MissingStateError([{ kind: 'deal', id: key }]);
      return upstream.get(key);
    },
    fetched: () => [...upstream].filter(([k]) => fetched.has(k)),
  };

  test('reads the source for keys it does not hold; writes and deletions are its own and survive copies', () => {
    const map = new LazyMap(source);
    assert.equal(map.get(1), 'one');
    assert.deepEqual(missingOf(() => map.get(3)), [{ kind: 'deal', id: 3 }]);
    map.set(4, 'four');
    assert.equal(map.delete(2), true);
    assert.equal(map.get(2), undefined);
    assert.equal(map.has(2), false);
    assert.deepEqual([...map], [[4, 'four'], [1, 'one']]);
    assert.equal(map.size, 2);
    const copy = copyMap(map);
    assert.ok(copy instanceof LazyMap);
    copy.set(2, 'again');
    copy.delete(1);
    assert.deepEqual([...copy.entries()].sort(), [[2, 'again'], [4, 'four']]);
    // The original is untouched by its copy's changes.
    assert.deepEqual([...map.keys()], [4, 1]);
    assert.deepEqual(missingOf(() => copy.has(3)), [{ kind: 'deal', id: 3 }]);
    assert.throws(() => map.clear(), /cannot be cleared/);
    // A plain Map copies as a plain Map.
    assert.ok(!(copyMap(new Map([[1, 'x']])) instanceof LazyMap));
  });
});

const CLIENT = 1001;
const PROVIDER = 1002;
const FORK_EPOCH = 7;
const UPSTREAM_HEAD = CID.parse('bafy2bzaceamp42wmmgr2g2ymg46euououzfyck7szknvfacqscohrvaikwfay');
/** The market's State as the upstream's StateReadState answered it (its tables and next deal ID). */
const UPSTREAM_MARKET_JSON: Record<string, unknown> = {
  ...Object.fromEntries(['Proposals', 'States', 'PendingProposals', 'EscrowTable', 'LockedTable', 'PendingDealAllocationIds'].map((table) => [table, { '/': UPSTREAM_HEAD.toString() }])),
  NextID: 10,
};
const piece = CID.parse('baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq');
const proposal: StoredProposal = {
  pieceCid: piece,
  pieceSize: 2048,
  verifiedDeal: false,
  label: 'x',
  client: CLIENT,
  provider: PROVIDER,
  startEpoch: 100,
  endEpoch: 600,
  storagePricePerEpoch: 2n,
  providerCollateral: 0n,
  clientCollateral: 0n,
};
const activeDeal: ForkedDeal = { proposal, state: { sectorNumber: 3, sectorStartEpoch: 50, lastUpdatedEpoch: 60, slashEpoch: -1 } };
const pendingDeal: ForkedDeal = { proposal: { ...proposal, label: 'pending', verifiedDeal: true }, allocationId: 9 };
const allocation: Allocation = { client: CLIENT, provider: PROVIDER, data: piece, size: 2048, termMin: 10, termMax: 20, expiration: 300 };
const singleton = (id: number, kind: Actor['kind'], state: Partial<Actor>): Actor => ({ id, kind, nonce: 0, balance: 0n, ...state });
const miner: MinerState = {
  owner: CLIENT,
  worker: CLIENT,
  controlAddresses: [],
  beneficiary: CLIENT,
  sectorSize: 2048n,
  peerId: new Uint8Array(),
  multiaddrs: [],
  windowPoStProofType: 5,
  windowPoStPartitionSectors: 2349,
  consensusFaultElapsed: -1,
  allocatedSectors: [0, 1],
};
const sector: SectorInfo = {
  sectorNumber: 0,
  sealProof: 5,
  sealedCid: piece,
  activation: 10,
  expiration: 9000,
  dealWeight: 0n,
  verifiedDealWeight: 100n,
  initialPledge: 3n,
  powerBaseEpoch: 10,
  flags: 1,
  dailyFee: 0n,
};

/** The upstream's reads, answered from a fixed world, counting each call. */
function fakeUpstream(faultySectors = 0) {
  const calls: string[] = [];
  const log = <T>(what: string, value: T) => {
    calls.push(what);
    return Promise.resolve(value);
  };
  const actors: Record<number, Actor> = {
    [POWER_ACTOR_ID]: singleton(POWER_ACTOR_ID, 'storagepower', { power: { ...EMPTY_POWER_STATE, totalRawBytePower: 99n, minerCount: 1 } }),
    [MARKET_ACTOR_ID]: singleton(MARKET_ACTOR_ID, 'storagemarket', { market: { ...EMPTY_MARKET_STATE, nextId: 10 }, forkedFrom: { head: UPSTREAM_HEAD, stateJson: UPSTREAM_MARKET_JSON } }),
    [VERIFREG_ACTOR_ID]: singleton(VERIFREG_ACTOR_ID, 'verifiedregistry', { verifreg: { ...EMPTY_VERIFREG_STATE, nextAllocationId: 10 } }),
    [DATACAP_ACTOR_ID]: singleton(DATACAP_ACTOR_ID, 'datacap', { datacap: { ...EMPTY_DATACAP_STATE, supply: 5n } }),
    [PROVIDER]: singleton(PROVIDER, 'storageminer', { miner }),
  };
  const tables = {
    deal: (id: number) => log(`deal ${id}`, id === 1 ? activeDeal : id === 2 ? pendingDeal : null),
    marketBalance: (id: number) => log(`balance ${id}`, id === CLIENT ? { escrow: 1000n, locked: 400n } : { escrow: 0n, locked: 0n }),
    allocations: (client: number) => log(`allocations ${client}`, new Map(client === CLIENT ? [[9, allocation]] : [])),
    claims: (provider: number) => log(`claims ${provider}`, new Map()),
    verifier: (id: number) => log(`verifier ${id}`, id === CLIENT ? 4096n : null),
    datacap: (id: number) => log(`datacap ${id}`, id === CLIENT ? 3n * 10n ** 18n : null),
    pendingProposal: (cid: string) => log(`pending ${cid}`, cid === storedProposalCid(pendingDeal.proposal).toString() ? CID.parse(cid) : null),
    datacapAllowances: (owner: number) => log(`allowances ${owner}`, new Map(owner === CLIENT ? [[MARKET_ACTOR_ID, 5n * 10n ** 18n]] : [])),
    sector: (miner: number, number: number) => log(`sector ${miner} ${number}`, number === 0 ? sector : null),
    // Without faulty sectors, the miner's missed closes change neither its balance nor its deals.
    sectorCount: (miner: number) => log(`sectorCount ${miner}`, { live: 2, faulty: faultySectors }),
  };
  const upstream = {
    point: { epoch: FORK_EPOCH },
    actor: (id: number) => log(`actor ${id}`, actors[id] ?? null),
    nextId: () => log('nextId', 2000),
    // A claim for the miner only, as UpstreamState.powerClaim answers.
    powerClaim: (id: number) => log(`power ${id}`, id === PROVIDER ? { rawBytePower: 7n, qualityAdjPower: 70n } : null),
    tables,
    proving: { provingState: (miner: number) => log(`proving ${miner}`, { sectors: [], postSubmissions: [] }) },
  };
  return { upstream: upstream as unknown as UpstreamState, calls };
}

/** A source with the singletons and the next actor ID fetched. */
async function forkSource(faultySectors = 0) {
  const { upstream, calls } = fakeUpstream(faultySectors);
  const source = new ForkSource(upstream);
  await source.fetch([{ kind: 'nextId' }, ...[POWER_ACTOR_ID, MARKET_ACTOR_ID, VERIFREG_ACTOR_ID, DATACAP_ACTOR_ID].map((id) => ({ kind: 'actor' as const, id }))]);
  calls.length = 0;
  return { source, calls };
}

/** Runs `read` against the source, fetching what it misses, as the dispatcher and the miner do. */
async function settle<T>(source: ForkSource, read: () => T): Promise<T> {
  for (;;) {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof MissingStateError)) throw error;
      await source.fetch(error.missing);
    }
  }
}

describe('forked singletons', () => {
  test('market: deals and balances by key; deals and actors made on the fork are never asked for', async () => {
    const { source, calls } = await forkSource();
    const market = () => source.getActor(MARKET_ACTOR_ID)!.market!;
    assert.deepEqual(missingOf(() => market().proposals.get(1)), [{ kind: 'deal', id: 1 }]);
    assert.deepEqual(await settle(source, () => market().proposals.get(1)), proposal);
    assert.deepEqual(market().states.get(1), activeDeal.state);
    assert.equal(await settle(source, () => market().states.get(2)), undefined);
    assert.equal(market().pendingDealAllocationIds.get(2), 9);
    assert.equal(await settle(source, () => market().proposals.get(5)), undefined);
    // From the market's NextID on, a deal is the fork's own.
    assert.equal(market().proposals.get(10), undefined);
    assert.equal(await settle(source, () => market().escrow.get(CLIENT)), 1000n);
    assert.equal(market().locked.get(CLIENT), 400n);
    assert.equal(await settle(source, () => market().escrow.get(PROVIDER)), undefined);
    assert.equal(market().escrow.get(2500), undefined);
    // The pending set is the upstream's, looked up by proposal CID.
    const pendingCid = storedProposalCid(pendingDeal.proposal).toString();
    const activeCid = storedProposalCid(proposal).toString();
    assert.deepEqual(missingOf(() => market().pendingProposals.has(pendingCid)), [{ kind: 'pendingProposal', cid: pendingCid }]);
    assert.equal(await settle(source, () => market().pendingProposals.has(pendingCid)), true);
    assert.equal(await settle(source, () => market().pendingProposals.has(activeCid)), false);
    // A deal comes with its provider and the provider's sector count (ForkSource.caughtUp), once.
    assert.deepEqual(calls, ['deal 1', `actor ${PROVIDER}`, `sectorCount ${PROVIDER}`, 'deal 2', 'deal 5', `balance ${CLIENT}`, `balance ${PROVIDER}`, `pending ${pendingCid}`, `pending ${activeCid}`]);
    assert.equal(source.progress.entries, 8);

    // A ledger changes its copy; the forked state and its source are untouched.
    const ledger = new MarketLedger(market());
    ledger.addEscrow(CLIENT, 1n);
    ledger.proposals.delete(1);
    const after = ledger.snapshot();
    assert.equal(after.escrow.get(CLIENT), 1001n);
    assert.equal(after.proposals.get(1), undefined);
    assert.deepEqual(missingOf(() => after.proposals.get(3)), [{ kind: 'deal', id: 3 }]);
    assert.equal(market().escrow.get(CLIENT), 1000n);
    assert.deepEqual(market().proposals.get(1), proposal);
  });

  test('verified registry, datacap and power: entries by actor; the power claim moves to the state once changed', async () => {
    const { source, calls } = await forkSource();
    const verifreg = () => source.getActor(VERIFREG_ACTOR_ID)!.verifreg!;
    assert.deepEqual(missingOf(() => verifreg().allocations.get(CLIENT)), [{ kind: 'allocations', client: CLIENT }]);
    assert.deepEqual(await settle(source, () => verifreg().allocations.get(CLIENT)?.get(9)), allocation);
    assert.equal(await settle(source, () => verifreg().claims.get(PROVIDER)), undefined);
    assert.equal(await settle(source, () => verifreg().verifiers.get(CLIENT)), 4096n);
    const added = putOwned(verifreg().allocations, CLIENT, 10, { ...allocation, size: 4096 });
    assert.deepEqual([...added.get(CLIENT)!.keys()], [9, 10]);
    assert.deepEqual(missingOf(() => added.get(PROVIDER + 1)), [{ kind: 'allocations', client: PROVIDER + 1 }]);

    const datacap = () => source.getActor(DATACAP_ACTOR_ID)!.datacap!;
    assert.equal(datacap().supply, 5n);
    assert.equal(await settle(source, () => changeBalance(datacap(), CLIENT, -(10n ** 18n)).balances.get(CLIENT)), 2n * 10n ** 18n);
    assert.equal(await settle(source, () => datacap().balances.get(PROVIDER)), undefined);
    // Allowances by owner (the token's HAMT on the upstream): what the market may still spend of a client's datacap.
    assert.deepEqual(missingOf(() => allowanceOf(datacap(), CLIENT, MARKET_ACTOR_ID)), [{ kind: 'datacapAllowances', owner: CLIENT }]);
    assert.equal(await settle(source, () => allowanceOf(datacap(), CLIENT, MARKET_ACTOR_ID)), 5n * 10n ** 18n);
    assert.equal(await settle(source, () => allowanceOf(datacap(), PROVIDER, MARKET_ACTOR_ID)), 0n);
    const spent = useAllowance(datacap(), CLIENT, MARKET_ACTOR_ID, 10n ** 18n);
    assert.equal(allowanceOf(spent, CLIENT, MARKET_ACTOR_ID), 4n * 10n ** 18n);
    assert.deepEqual(missingOf(() => spent.allowances.get(CLIENT + 5)), [{ kind: 'datacapAllowances', owner: CLIENT + 5 }]);
    assert.equal(allowanceOf(datacap(), CLIENT, MARKET_ACTOR_ID), 5n * 10n ** 18n);

    const power = () => source.getActor(POWER_ACTOR_ID)!.power!;
    assert.deepEqual(await settle(source, () => claimOf(power(), PROVIDER)), { rawBytePower: 7n, qualityAdjPower: 70n });
    // An actor that is not a miner has no claim, and is not among the claims listed.
    assert.equal(await settle(source, () => claimOf(power(), CLIENT)), undefined);
    assert.deepEqual(allClaims(power()), [[PROVIDER, { rawBytePower: 7n, qualityAdjPower: 70n }]]);
    // A miner created on the fork has no upstream claim to read.
    const withNew = addClaim(power(), 2500, { rawBytePower: 0n, qualityAdjPower: 0n });
    assert.deepEqual(allClaims(withNew).map(([id]) => id), [2500, PROVIDER]);
    assert.deepEqual(calls, [`allocations ${CLIENT}`, `claims ${PROVIDER}`, `verifier ${CLIENT}`, `datacap ${CLIENT}`, `datacap ${PROVIDER}`, `allowances ${CLIENT}`, `allowances ${PROVIDER}`, `power ${PROVIDER}`, `power ${CLIENT}`]);
  });

  test('a miner: its upstream sectors by number, apart from its proving state; its allocated numbers as upstream', async () => {
    const { source, calls } = await forkSource();
    await source.fetch([{ kind: 'actor', id: PROVIDER }]);
    const forked = () => source.getActor(PROVIDER)!.miner!;
    assert.deepEqual(forked().allocatedSectors, [0, 1]);
    assert.deepEqual(missingOf(() => forked().upstreamSectors!.get(0)), [{ kind: 'sector', miner: PROVIDER, number: 0 }]);
    assert.deepEqual(await settle(source, () => forked().upstreamSectors!.get(0)), sector);
    assert.equal(await settle(source, () => forked().upstreamSectors!.get(1)), undefined);
    assert.deepEqual([...forked().upstreamSectors!.keys()], [0]);
    // Its proving state (all its sectors, by deadline and partition) is a separate entry.
    assert.deepEqual(missingOf(() => forked().sectors!.size), [{ kind: 'provingState', miner: PROVIDER }]);
    assert.deepEqual(calls, ['actor 1002', 'sectorCount 1002', 'sector 1002 0', 'sector 1002 1']);
  });

  test('a deal whose provider had faulty sectors reads once the provider is taken, whose closes read it as it stands', async () => {
    const { source, calls } = await forkSource(1);
    const market = () => source.getActor(MARKET_ACTOR_ID)!.market!;
    // The take's closes (Miner.runLate) read the miner and slash its deals before it is taken.
    const readInTake: unknown[] = [];
    source.runLate = async () => {
      readInTake.push(market().proposals.get(1), source.getActor(PROVIDER)!.id);
      return 1;
    };
    assert.deepEqual(missingOf(() => market().proposals.get(1)), [{ kind: 'deal', id: 1 }]);
    await source.fetch([{ kind: 'deal', id: 1 }]);
    assert.deepEqual(missingOf(() => market().proposals.get(1)), [{ kind: 'provingState', miner: PROVIDER }]);
    assert.deepEqual(missingOf(() => source.getActor(PROVIDER)), [{ kind: 'provingState', miner: PROVIDER }]);
    assert.deepEqual(await settle(source, () => market().proposals.get(1)), proposal);
    assert.deepEqual(readInTake, [proposal, PROVIDER]);
    assert.equal(source.getActor(PROVIDER)!.id, PROVIDER);
    assert.deepEqual(calls, ['deal 1', `actor ${PROVIDER}`, `sectorCount ${PROVIDER}`, `proving ${PROVIDER}`]);
  });

  test('the cache gives back the fetched entries, and a source loaded from it answers without the upstream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fork-tables-'));
    try {
      const { source } = await forkSource();
      await settle(source, () => [source.getActor(MARKET_ACTOR_ID)!.market!.proposals.get(1), source.getActor(MARKET_ACTOR_ID)!.market!.proposals.get(2), source.getActor(VERIFREG_ACTOR_ID)!.verifreg!.allocations.get(CLIENT)]);
      const point = testForkPoint(7);
      const cache = new ForkCache(dir);
      cache.save('http://up/rpc/v1', 7, point, source.data);
      const loaded = cache.load(point);
      // Loaded, a table that is a Map decodes an entry when it is read (StoredEntries): compared as plain Maps.
      assert.deepEqual(plainTables(loaded.tables), plainTables(source.data.tables));
      const offline = new ForkSource(fakeUpstream().upstream, loaded);
      assert.deepEqual(offline.getActor(MARKET_ACTOR_ID)!.market!.proposals.get(2), pendingDeal.proposal);
      assert.deepEqual(offline.getActor(VERIFREG_ACTOR_ID)!.verifreg!.allocations.get(CLIENT)?.get(9), allocation);
      // Saved again: a table that grew since it was loaded (the fork only adds entries) is stored anew, the others as they were loaded.
      loaded.tables.deals.set(99, null);
      cache.save('http://up/rpc/v1', 7, point, loaded);
      const again = cache.load(point);
      assert.deepEqual(plainTables(again.tables), plainTables(loaded.tables));
      assert.equal(again.tables.deals.get(99), null);
      assert.deepEqual(new Map(again.tables.allocations), source.data.tables.allocations);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a miner\'s AllocatedSectors block', () => {
  test('Filecoin.ChainReadObj serves the bitfield Filecoin.StateReadState links to, as Lotus does', async (t) => {
    const { result, error } = await setupRpc(t, { storageProviders: 1 });
    const [address] = await result('Filecoin.StateListMiners', [null]);
    const { State } = await result('Filecoin.StateReadState', [address, null]);
    const bytes = new Uint8Array(Buffer.from(await result('Filecoin.ChainReadObj', [State.AllocatedSectors]), 'base64'));
    const sectors = await result('Filecoin.StateMinerSectors', [address, null, null]);
    assert.deepEqual(decodeBitfield(decodeCbor<Uint8Array>(bytes)), sectors.map((s: { SectorNumber: number }) => s.SectorNumber));
    assert.equal(await result('Filecoin.ChainHasObj', [State.AllocatedSectors]), true);
    // The HAMT and AMT roots stand for structures the devnet does not build: not served.
    assert.match((await error('Filecoin.ChainReadObj', [State.Sectors])).message, /block not found/);
  });
});

describe('a forked singleton\'s Head and State', () => {
  test('the upstream\'s until the fork writes; then the fork\'s own, the same whatever else the fork reads', async () => {
    const { source } = await forkSource();
    const forked = () => source.getActor(MARKET_ACTOR_ID)!;
    const json = () => forkedStateJson(forked(), () => marketStateJson(forked().market!, [], () => undefined)) as Record<string, unknown>;
    assert.equal(actorHead(forked()).toString(), UPSTREAM_HEAD.toString());
    assert.deepEqual(json(), UPSTREAM_MARKET_JSON);
    await settle(source, () => [forked().market!.proposals.get(1), forked().market!.escrow.get(CLIENT)]);
    assert.equal(actorHead(forked()).toString(), UPSTREAM_HEAD.toString());
    assert.deepEqual(json(), UPSTREAM_MARKET_JSON);

    // A write (an escrow top-up) makes a new state: its Head and roots are the fork's own from then on.
    const ledger = new MarketLedger(forked().market!);
    ledger.addEscrow(CLIENT, 1n);
    const written: Actor = { ...forked(), market: ledger.snapshot() };
    const writtenJson = () => forkedStateJson(written, () => marketStateJson(written.market!, [], () => undefined)) as Record<string, any>;
    const head = actorHead(written);
    const state = writtenJson();
    assert.notEqual(head.toString(), UPSTREAM_HEAD.toString());
    assert.notDeepEqual(state.EscrowTable, UPSTREAM_MARKET_JSON.EscrowTable);
    assert.equal(state.NextID, 10);
    // Reading more entries changes neither.
    await settle(source, () => [written.market!.proposals.get(2), written.market!.escrow.get(PROVIDER), written.market!.locked.get(CLIENT)]);
    assert.equal(actorHead(written).toString(), head.toString());
    assert.deepEqual(writtenJson(), state);
  });
});

describe('the datacap token\'s allowances HAMT', () => {
  test('Filecoin.StateReadState links to it in builtin-actors\' layout and Filecoin.ChainReadObj serves its blocks', async (t) => {
    const { result } = await setupRpc(t);
    const { client } = await result('devnet_addVerifiedClient', ['0x70997970C51812dc3A010C7d01b50e0d17dc79C8', '1048576']);
    const { State } = await result('Filecoin.StateReadState', ['f07', null]);
    assert.equal(State.Token.HamtBitWidth, DATACAP_HAMT_BIT_WIDTH);
    const load = async (cid: CID) => new Uint8Array(Buffer.from(await result('Filecoin.ChainReadObj', [{ '/': cid.toString() }]), 'base64'));
    const root = CID.parse(State.Token.Allowances['/']);
    // AddVerifiedClient mints with the market as operator: an infinite allowance for it.
    const own = CID.asCID(await hamtGet(root, actorIdKey(Number(client.slice(2))), DATACAP_HAMT_BIT_WIDTH, load))!;
    assert.ok(own);
    const operators = await hamtEntries(own, load);
    assert.deepEqual(operators.map(([operator, amount]) => [actorIdOfKey(operator), decodeBigInt(amount as Uint8Array)]), [[MARKET_ACTOR_ID, INFINITE_ALLOWANCE]]);
    assert.equal(await hamtGet(root, actorIdKey(MARKET_ACTOR_ID), DATACAP_HAMT_BIT_WIDTH, load), undefined);
  });
});

