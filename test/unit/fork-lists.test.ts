// Whole-table lists on a fork: a LazyMap lists every key only once its source has the upstream's list
// (MissingStateError `tableList` until then), merged with what the fork wrote and deleted, and names
// every entry it still lacks in one error; and a gateway walk reads back exactly the market's and the
// registry's tables that a node lays out as builtin-actors does (StateReadState's roots, its blocks),
// refusing a table larger than its block limit with an error that says what to do instead.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CID } from 'multiformats/cid';
import { cidOf } from '../../src/common/cbor.js';
import type { StoredProposal } from '../../src/fevm/actors/market/deal-proposal.js';
import { dealTablesLayout, EMPTY_MARKET_STATE, type MarketState } from '../../src/fevm/actors/market/state.js';
import { allocationsHamt, claimsHamt, EMPTY_VERIFREG_STATE, type Allocation, type Claim } from '../../src/fevm/actors/verifreg/state.js';
import { LazyMap, wholeKeys, wholeTable } from '../../src/fevm/lazy-map.js';
import { MissingStateError } from '../../src/fevm/state-tree.js';
import { missingOf } from '../helpers/missing-state.js';
import { BlockWalk, walkAllocations, walkBalances, walkClaims, walkDeals } from '../../src/devnet/fork/upstream-walk.js';
import { allActors } from '../../src/eth-rpc/methods/filecoin-state-actors.js';
import type { StateReader } from '../../src/fevm/state-tree.js';

describe('LazyMap: whole-table reads', () => {
  const upstream = new Map<number, string>([[1, 'one'], [2, 'two'], [3, 'three']]);
  const fetched = new Set<number>([1, 2]);
  let listed = false;
  const table = new LazyMap<number, string>({
    get: (key) => {
      if (!fetched.has(key)) throw new MissingStateError([{ kind: 'deal', id: key }]);
      return upstream.get(key);
    },
    fetched: () => [...upstream].filter(([key]) => fetched.has(key)),
    listed: () => {
      if (!listed) throw new MissingStateError([{ kind: 'tableList', table: 'deals' }]);
      return upstream.keys();
    },
  });

  test('asks for the upstream\'s list first, then names every entry not fetched in one error, then lists the merge', () => {
    table.set(4, 'four');
    table.delete(2);
    // Iterating shows what is held and fetched, never asking for more.
    assert.deepEqual([...table.keys()].sort(), [1, 4]);
    assert.deepEqual(missingOf(() => wholeKeys(table)), [{ kind: 'tableList', table: 'deals' }]);
    listed = true;
    assert.deepEqual(wholeKeys(table).sort(), [1, 3, 4]);
    assert.deepEqual(missingOf(() => wholeTable(table)), [{ kind: 'deal', id: 3 }]);
    fetched.add(3);
    assert.deepEqual(wholeTable(table).sort(), [[1, 'one'], [3, 'three'], [4, 'four']]);
    // A copy lists the same; a plain Map lists itself.
    assert.deepEqual(wholeTable(table.copy()).sort(), wholeTable(table).sort());
    assert.deepEqual(wholeTable(new Map([[5, 'five']])), [[5, 'five']]);
  });

  test('a forked table nobody lists refuses to list whole', () => {
    const unlisted = new LazyMap<number, string>({ get: () => undefined, fetched: () => [] });
    assert.throws(() => wholeKeys(unlisted), /cannot be listed/);
  });
});

describe('every actor of a forked state', () => {
  /** A fork's state whose upstream has `count` actors, none read yet. */
  const unread = (count: number) => ({ nextId: () => count, getActor: (id: number) => { throw new MissingStateError([{ kind: 'actor', id }]); } }) as unknown as StateReader;

  test('names every actor not read yet in one error, so that one fetch brings them all', () => {
    assert.deepEqual(missingOf(() => allActors(unread(3))), [0, 1, 2].map((id) => ({ kind: 'actor', id })));
  });

  test('refuses to fetch a real network\'s millions of actors, saying what to read instead', () => {
    assert.throws(() => allActors(unread(2_000_000)), /more than 10000 of the fork's upstream actors have not been read \(one Filecoin.StateGetActor each\): read actors by address instead/);
  });
});

describe('gateway walk of the market and the registry', () => {
  const piece = CID.parse('baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq');
  const proposal = (id: number, label: StoredProposal['label'], verifiedDeal: boolean): StoredProposal => ({
    pieceCid: piece,
    pieceSize: 2048,
    verifiedDeal,
    client: 1000 + id,
    provider: 2000,
    label,
    startEpoch: 100 + id,
    endEpoch: 600_000,
    storagePricePerEpoch: 7n,
    providerCollateral: 10n ** 18n,
    clientCollateral: 0n,
  });
  // Enough deals that the proposals AMT has inner nodes.
  const proposals = new Map(Array.from({ length: 70 }, (_, id) => [id, proposal(id, id % 2 ? 'text' : new Uint8Array([id]), id % 3 === 0)] as const));
  const market: MarketState = {
    ...EMPTY_MARKET_STATE,
    proposals,
    states: new Map([[1, { sectorNumber: 4, sectorStartEpoch: 90, lastUpdatedEpoch: -1, slashEpoch: -1 }]]),
    pendingDealAllocationIds: new Map([[3, 11]]),
    escrow: new Map([[1001, 5n], [2000, 10n ** 19n]]),
    locked: new Map([[2000, 10n ** 18n]]),
  };
  const allocation: Allocation = { client: 1003, provider: 2000, data: piece, size: 2048, termMin: 518_400, termMax: 5_256_000, expiration: 130 };
  const claim: Claim = { provider: 2000, client: 1001, data: piece, size: 2048, termMin: 518_400, termMax: 5_256_000, termStart: 90, sector: 4 };
  const registry = { ...EMPTY_VERIFREG_STATE, allocations: new Map([[1003, new Map([[11, allocation]])]]), claims: new Map([[2000, new Map([[12, claim]])]]) };

  /** An upstream that serves these blocks (ChainReadObj) and counts the reads. */
  function upstreamOf(blocks: Iterable<Uint8Array>) {
    const byCid = new Map([...blocks].map((b) => [cidOf(b).toString(), b]));
    const served = {
      reads: 0,
      readObj: async (cid: CID) => {
        served.reads++;
        const block = byCid.get(cid.toString());
        if (!block) throw new Error(`no block ${cid.toString()}`);
        return block;
      },
    };
    return served;
  }
  const link = (cid: CID) => ({ '/': cid.toString() });

  test('deals (proposal, state, pending allocation) and balances read back as the market holds them', async () => {
    const layout = dealTablesLayout(market);
    const walk = new BlockWalk(upstreamOf(layout.blocks), 'market deals', 'fork a full node');
    const json = { Proposals: link(layout.proposals), States: link(layout.states), PendingDealAllocationIds: link(layout.pendingDealAllocationIds), EscrowTable: link(layout.escrow), LockedTable: link(layout.locked) };
    const deals = await walkDeals(walk, json);
    assert.deepEqual([...deals.keys()], [...proposals.keys()]);
    for (const [id, p] of proposals) assert.deepEqual(deals.get(id)!.proposal, p);
    assert.deepEqual(deals.get(1)!.state, market.states.get(1));
    assert.equal(deals.get(3)!.allocationId, 11);
    assert.deepEqual([deals.get(0)!.state, deals.get(0)!.allocationId], [undefined, undefined]);
    assert.deepEqual(
      await walkBalances(walk, json),
      new Map([[1001, { escrow: 5n, locked: 0n }], [2000, { escrow: 10n ** 19n, locked: 10n ** 18n }]]),
    );
  });

  test('allocations by client and claims by provider read back as the registry holds them', async () => {
    const [allocations, claims] = [allocationsHamt(registry), claimsHamt(registry)];
    const walk = new BlockWalk(upstreamOf([...allocations.blocks, ...claims.blocks]), 'verified allocations', 'fork a full node');
    assert.deepEqual(await walkAllocations(walk, { Allocations: link(allocations.root) }), registry.allocations);
    assert.deepEqual(await walkClaims(walk, { Claims: link(claims.root) }), registry.claims);
  });

  test('a walk past its block limit stops with an error naming the table and what to use instead', async () => {
    const layout = dealTablesLayout(market);
    const upstream = upstreamOf(layout.blocks);
    const walk = new BlockWalk(upstream, 'market deals', 'fork a full node (StateMarketDeals)', 2);
    await assert.rejects(
      walkDeals(walk, { Proposals: link(layout.proposals), States: link(layout.states), PendingDealAllocationIds: link(layout.pendingDealAllocationIds) }),
      /the upstream's market deals are too many to list through a gateway \(more than 2 state blocks, one ChainReadObj each\): fork a full node \(StateMarketDeals\)/,
    );
    assert.equal(upstream.reads, 2);
  });
});
