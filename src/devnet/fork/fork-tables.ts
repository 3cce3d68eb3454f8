// The builtin actors' tables on a fork: the power, market, verified-registry and datacap actors as
// the upstream held them, and miners' sectors (one by one, and in their proving state). Their scalars are read with the actor
// (upstream-tables.ts); each table is a LazyMap (fevm/lazy-map.ts) whose keys come from what the fork
// fetched, one key at a time: a key not fetched yet throws MissingStateError naming it, and the work
// runs again once it is fetched. Keys of actors created on the fork (IDs from the upstream's NextID
// on) and deals published on it (IDs from the market's NextID on) were never upstream and read as
// absent without a fetch. The tables that Lotus's list methods show whole (deals, market balances,
// allocations, claims, miners) also take the upstream's list of their keys, fetched once on the first
// whole-table read (`lists`), which brings the entries with it where the upstream's list has them.
import type { CID } from '../../common/cbor.js';
import type { Actor, ActorKind } from '../../fevm/actor.js';
import type { MinerState, SectorInfo, SectorOnChainInfo } from '../../fevm/actors/miner/state.js';
import type { Claim as PowerClaim } from '../../fevm/actors/power.js';
import type { Allocation, Claim } from '../../fevm/actors/verifreg/state.js';
import { LazyMap, type MapSource } from '../../fevm/lazy-map.js';
import { MissingStateError, type ListedTable, type MissingState } from '../../fevm/state-tree.js';
import type { ForkedProving } from './upstream-proving.js';
import type { ForkedDeal, SectorCount } from './upstream-tables.js';

/** The kinds whose tables the fork reads by key: the singletons, and miners (their sectors). */
export const FORKED_TABLE_KINDS: ReadonlySet<ActorKind> = new Set<ActorKind>(['storagepower', 'storagemarket', 'verifiedregistry', 'datacap', 'storageminer']);

/**
 * The entries fetched so far, by the key the upstream reads them by; null records "none upstream".
 * Entries are only ever added (the upstream's at the fork point never change): the disk cache stores
 * a table again only when its size changed (fork-cache.ts storedTable), so an entry changed in place
 * would be saved stale.
 */
export interface ForkTables {
  deals: Map<number, ForkedDeal | null>;
  /** Market escrow and locked amounts by actor ID. */
  marketBalances: Map<number, { escrow: bigint; locked: bigint }>;
  /** A client's allocations, by client ID. */
  allocations: Map<number, ReadonlyMap<number, Allocation>>;
  /** A provider's claims, by provider ID. */
  claims: Map<number, ReadonlyMap<number, Claim>>;
  /** Verifiers' allowances (bytes) by actor ID. */
  verifiers: Map<number, bigint | null>;
  /** The next RemoveDataCapProposalID of a `${verifier}:${client}` pair (null: none upstream, it starts at 0). */
  removeDataCapProposalIds: Map<string, number | null>;
  /** Datacap balances (tokens) by actor ID. */
  datacap: Map<number, bigint | null>;
  /** The upstream market's pending proposals by CID string: the CID, or null if it is not in the set. */
  pendingProposals: Map<string, CID | null>;
  /** The deal IDs of providers' sectors, by `${provider}:${sector number}` (null: none). */
  sectorDeals: Map<string, readonly number[] | null>;
  /** Datacap allowances by owner ID: operator ID -> tokens (empty: none). */
  datacapAllowances: Map<number, ReadonlyMap<number, bigint>>;
  /** Miners' power claims by actor ID (null: not a miner, no claim). */
  powerClaims: Map<number, PowerClaim | null>;
  /** Miners' sectors, by `${miner}:${sector number}`. */
  sectors: Map<string, SectorInfo | null>;
  /** Miners' proving states by actor ID (null: the upstream cannot list sectors, a gateway). */
  provingStates: Map<number, ForkedProving | null>;
  /** Miners' sector counts at the fork epoch, by actor ID. */
  sectorCounts: Map<number, SectorCount>;
  /** The upstream's keys of the tables listed whole so far (deal IDs, participants, clients, providers, miners). */
  lists: Map<ListedTable, readonly number[]>;
  /** The epochs after the fork epoch for which the upstream's market scheduled deal work, ascending, each with its set's CID (read once). */
  dealOpEpochs?: readonly (readonly [epoch: number, set: CID])[];
  /** The deal IDs the upstream's market scheduled at an epoch, by epoch (read one epoch at a time). */
  dealOps: Map<number, readonly number[]>;
}

export const emptyForkTables = (): ForkTables => ({
  deals: new Map(),
  marketBalances: new Map(),
  allocations: new Map(),
  claims: new Map(),
  verifiers: new Map(),
  removeDataCapProposalIds: new Map(),
  datacap: new Map(),
  datacapAllowances: new Map(),
  pendingProposals: new Map(),
  sectorDeals: new Map(),
  powerClaims: new Map(),
  sectors: new Map(),
  provingStates: new Map(),
  sectorCounts: new Map(),
  lists: new Map(),
  dealOps: new Map(),
});

/**
 * A table read from `fetched`: `upstream(key)` says whether the key can exist upstream at all,
 * `missing(key)` names what to fetch, `value` maps what was fetched to the table's value (undefined: none),
 * `listed` gives the upstream's keys where the table can be listed whole.
 */
function tableSource<K, F, V>(
  fetched: Map<K, F | null>,
  upstream: (key: K) => boolean,
  missing: (key: K) => MissingState,
  value: (entry: F) => V | undefined,
  listed?: () => Iterable<K>,
): MapSource<K, V> {
  return {
    ...(listed ? { listed } : {}),
    get(key) {
      if (!upstream(key)) return undefined;
      const entry = fetched.get(key);
      if (entry === undefined) throw new MissingStateError([missing(key)]);
      return entry === null ? undefined : value(entry);
    },
    *fetched() {
      for (const [key, entry] of fetched) {
        const v = entry === null ? undefined : value(entry);
        if (v !== undefined) yield [key, v];
      }
    },
  };
}

/** Zero amounts are absent from the market's and the token's tables, as the actors keep them. */
const nonZero = (amount: bigint | null) => (amount ? amount : undefined);

/**
 * A miner's tables of its proving state (its sectors, its PoSts), whose every read needs the whole
 * state: `proving()` gives it, or undefined while the fork has not taken it (a key, or the list, then
 * throws MissingStateError naming it). Against an upstream that cannot tell (null), they hold nothing forked.
 */
function provingTables(miner: number, proving: () => ForkedProving | null | undefined): Pick<MinerState, 'sectors' | 'postSubmissions' | 'deadSectors'> {
  const table = <K, V>(entries: (state: ForkedProving) => [K, V][]) => {
    let held: Map<K, V> | undefined;
    const all = () => {
      const state = proving();
      if (state === undefined) throw new MissingStateError([{ kind: 'provingState', miner }]);
      return (held ??= new Map(state ? entries(state) : []));
    };
    return new LazyMap<K, V>({ get: (key) => all().get(key), fetched: () => all().entries() });
  };
  return {
    sectors: table((p) => p.sectors.map((s): [number, SectorOnChainInfo] => [s.sectorNumber, s])),
    postSubmissions: table((p) => p.postSubmissions),
    deadSectors: table((p) => p.deadSectors.map((s): [number, SectorOnChainInfo] => [s.sectorNumber, s])),
  };
}

/**
 * A forked miner as it reads when the fork takes it (ForkSource): its proving state `proving`, which
 * the fork's reads of the miner do not see until the missed deadline closes ran on it.
 */
export function withProvingState(actor: Actor, proving: ForkedProving | null): Actor {
  return { ...actor, miner: { ...actor.miner!, ...provingTables(actor.id, () => proving) } };
}

/**
 * The market's deals by provider and sector: each upstream provider has a table of its own, whose
 * sectors are read one by one (a provider's whole table can be large).
 */
function providerSectors(sectorDeals: Map<string, readonly number[] | null>, upstreamActor: (id: number) => boolean): MapSource<number, ReadonlyMap<number, readonly number[]>> {
  const tables = new Map<number, LazyMap<number, readonly number[]>>();
  const tableOf = (provider: number) => {
    let table = tables.get(provider);
    if (!table) {
      const prefix = `${provider}:`;
      table = new LazyMap<number, readonly number[]>({
        get(sector) {
          const ids = sectorDeals.get(prefix + sector);
          if (ids === undefined) throw new MissingStateError([{ kind: 'sectorDeals', provider, sector }]);
          return ids ?? undefined;
        },
        *fetched() {
          for (const [key, ids] of sectorDeals) if (ids && key.startsWith(prefix)) yield [Number(key.slice(prefix.length)), ids];
        },
      });
      tables.set(provider, table);
    }
    return table;
  };
  return {
    get: (provider) => (upstreamActor(provider) ? tableOf(provider) : undefined),
    *fetched() {
      const providers = new Set([...sectorDeals].filter(([, ids]) => ids).map(([key]) => Number(key.split(':')[0])));
      for (const provider of providers) yield [provider, tableOf(provider)];
    },
  };
}

/** What a forked actor's tables ask of the fork source about actors and miners. */
interface ForkedTableChecks {
  /** Whether an actor ID existed upstream (below its NextID). */
  upstreamActor(id: number): boolean;
  /** Whether a miner's proving state was taken on: its sectors' deadlines and partitions then read. */
  taken(miner: number): boolean;
  /** Throws MissingStateError while a provider's deals must wait for its deadlines missed since the fork to be closed (a faulty one is taken on first). */
  caughtUp(miner: number): void;
}

/** The actor with its tables reading `tables`, as `checks` allow (ForkSource). */
export function withForkedTables(
  actor: Actor,
  tables: ForkTables,
  { upstreamActor, taken, caughtUp }: ForkedTableChecks,
): Actor {
  const listOf = (table: ListedTable) => () => {
    const keys = tables.lists.get(table);
    if (!keys) throw new MissingStateError([{ kind: 'tableList', table }]);
    return keys;
  };
  const byActor = <F, V>(fetched: Map<number, F | null>, missing: (id: number) => MissingState, value: (entry: F) => V | undefined, listed?: ListedTable) =>
    new LazyMap(tableSource(fetched, upstreamActor, missing, value, listed && listOf(listed)));
  if (actor.market) {
    const upstreamDeal = (id: number) => id < actor.market!.nextId;
    const deal = <V>(value: (deal: ForkedDeal) => V | undefined) => {
      const source = tableSource(tables.deals, upstreamDeal, (id) => ({ kind: 'deal', id }), value, listOf('deals'));
      return new LazyMap<number, V>({
        ...source,
        // An upstream deal reads as its provider's missed deadline closes left it (a terminated sector slashes it).
        get(id) {
          const found = source.get(id);
          const upstream = tables.deals.get(id);
          if (upstream) caughtUp(upstream.proposal.provider);
          return found;
        },
      });
    };
    const balance = (field: 'escrow' | 'locked') => byActor(tables.marketBalances, (id) => ({ kind: 'marketBalance', id }), (b) => nonZero(b[field]), 'marketBalances');
    return {
      ...actor,
      market: {
        ...actor.market,
        proposals: deal((d) => d.proposal),
        states: deal((d) => d.state),
        providerSectors: new LazyMap(providerSectors(tables.sectorDeals, upstreamActor)),
        pendingProposals: new LazyMap(tableSource(tables.pendingProposals, () => true, (cid) => ({ kind: 'pendingProposal', cid }), (cid: CID) => cid)),
        pendingDealAllocationIds: deal((d) => d.allocationId),
        escrow: balance('escrow'),
        locked: balance('locked'),
      },
    };
  }
  if (actor.verifreg) {
    return {
      ...actor,
      verifreg: {
        ...actor.verifreg,
        verifiers: byActor(tables.verifiers, (id) => ({ kind: 'verifier', id }), (allowance) => allowance),
        // A pair with an actor made on the fork never signed upstream.
        removeDataCapProposalIds: new LazyMap(
          tableSource(
            tables.removeDataCapProposalIds,
            (pair) => pair.split(':').every((id) => upstreamActor(Number(id))),
            (pair) => ({ kind: 'removeDataCapProposalId', pair }),
            (id: number) => id,
          ),
        ),
        allocations: byActor(tables.allocations, (client) => ({ kind: 'allocations', client }), (own) => (own.size ? own : undefined), 'allocations'),
        claims: byActor(tables.claims, (provider) => ({ kind: 'claims', provider }), (own) => (own.size ? own : undefined), 'claims'),
      },
    };
  }
  if (actor.datacap) {
    return {
      ...actor,
      datacap: {
        ...actor.datacap,
        balances: byActor(tables.datacap, (id) => ({ kind: 'datacap', id }), nonZero),
        allowances: byActor(tables.datacapAllowances, (owner) => ({ kind: 'datacapAllowances', owner }), (own) => (own.size ? own : undefined)),
      },
    };
  }
  if (actor.miner) {
    const prefix = `${actor.id}:`;
    const upstreamSectors: MapSource<number, SectorInfo> = {
      get(number) {
        // With the miner's proving state, its sectors are there (dead ones in deadSectors), not here.
        if (tables.provingStates.get(actor.id)) return undefined;
        const sector = tables.sectors.get(prefix + number);
        if (sector === undefined) throw new MissingStateError([{ kind: 'sector', miner: actor.id, number }]);
        return sector ?? undefined;
      },
      *fetched() {
        if (tables.provingStates.get(actor.id)) return;
        for (const [key, sector] of tables.sectors) if (sector && key.startsWith(prefix)) yield [sector.sectorNumber, sector];
      },
    };
    return {
      ...actor,
      miner: {
        ...actor.miner,
        upstreamSectors: new LazyMap(upstreamSectors),
        ...provingTables(actor.id, () => (taken(actor.id) ? tables.provingStates.get(actor.id) : undefined)),
      },
    };
  }
  if (actor.power) {
    return { ...actor, power: { ...actor.power, upstreamClaims: byActor(tables.powerClaims, (miner) => ({ kind: 'powerClaim', miner }), (claim) => claim, 'miners') } };
  }
  return actor;
}
