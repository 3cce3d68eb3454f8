// The upstream's whole tables at the fork point, for the fork's whole-table views (Lotus's
// StateMarketDeals, StateMarketParticipants, StateGetAllAllocations, StateGetAllClaims,
// StateListMiners): read once, on the first such view, never at start. A full node answers its own
// list methods; a gateway serves only StateListMiners of them (api/api_gateway.go), so from one the
// other tables are walked in the singletons' states (upstream-walk.ts: StateReadState names the
// roots, ChainReadObj reads the blocks).
import type { Allocation, Claim } from '../../fevm/actors/verifreg/state.js';
import type { ListedTable } from '../../fevm/state-tree.js';
import { MARKET_ACTOR_ID, VERIFREG_ACTOR_ID } from '../../fevm/actor.js';
import type { LocatedPoint } from './fork-point.js';
import { BlockWalk, walkAllocations, walkBalances, walkClaims, walkDeals } from './upstream-walk.js';
import {
  allocationFromLotus,
  awaitsAllocation,
  claimFromLotus,
  dealFromLotus,
  groupBy,
  idOf,
  type ForkedDeal,
  type LotusAllocation,
  type LotusClaim,
  type LotusDeal,
  type UpstreamTables,
} from './upstream-tables.js';
import { isMethodNotFound, type Upstream } from './upstream.js';

/** A table's keys at the fork point, with the entries the upstream's list gave for them. */
export type TableList =
  | { table: 'deals'; keys: number[]; deals: Map<number, ForkedDeal> }
  | { table: 'marketBalances'; keys: number[]; balances: Map<number, { escrow: bigint; locked: bigint }> }
  | { table: 'allocations'; keys: number[]; byClient: Map<number, Map<number, Allocation>> }
  | { table: 'claims'; keys: number[]; byProvider: Map<number, Map<number, Claim>> }
  | { table: 'miners'; keys: number[] };

/** The Lotus full-node method that lists each table. */
const LIST_METHODS: Record<ListedTable, string> = {
  deals: 'Filecoin.StateMarketDeals',
  marketBalances: 'Filecoin.StateMarketParticipants',
  allocations: 'Filecoin.StateGetAllAllocations',
  claims: 'Filecoin.StateGetAllClaims',
  miners: 'Filecoin.StateListMiners',
};

/** A Go map keyed by ID (JSON keys are decimal strings; null for an empty one). */
const entriesById = <L>(map: Record<string, L> | null): [number, L][] => Object.entries(map ?? {}).map(([id, value]) => [Number(id), value]);

/** What a user can do instead of listing a table through a gateway, for the walk's error. */
const INSTEAD: Record<Exclude<ListedTable, 'miners'>, string> = {
  deals: 'fork a full node (StateMarketDeals), or read deals one by one (StateMarketStorageDeal)',
  marketBalances: 'fork a full node (StateMarketParticipants), or read balances one by one (StateMarketBalance)',
  allocations: 'fork a full node (StateGetAllAllocations), or read a client\'s allocations (StateGetAllocations)',
  claims: 'fork a full node (StateGetAllClaims), or read a provider\'s claims (StateGetClaims)',
};

/** How a walk names a table in its error. */
const WALKED: Record<Exclude<ListedTable, 'miners'>, string> = { deals: 'market deals', marketBalances: 'market balances', allocations: 'verified allocations', claims: 'verified claims' };

export class UpstreamLists {
  constructor(
    private readonly upstream: Upstream,
    readonly point: LocatedPoint,
    /** The singletons' States (StateReadState), which name the roots a walk starts from. */
    private readonly tables: UpstreamTables,
  ) {}

  /** The table's keys and entries as the upstream listed them at the fork point. */
  async list(table: ListedTable): Promise<TableList> {
    const method = LIST_METHODS[table];
    let answer: unknown;
    try {
      answer = await this.upstream.call(method, [this.point.stateKey]);
    } catch (error) {
      if (isMethodNotFound(error) && table !== 'miners') return this.walk(table);
      throw error;
    }
    switch (table) {
      case 'deals': {
        const all = entriesById(answer as Record<string, LotusDeal> | null).map(([id, deal]): [number, ForkedDeal] => [id, dealFromLotus(deal)]);
        // Read by ID as well: a verified deal not activated yet, for the allocation its list entry does
        // not name; and one whose label the JSON gives as "" (a label of bytes: review2 Q2), for its label.
        const complete = ([, deal]: [number, ForkedDeal]) => !awaitsAllocation(deal) && deal.proposal.label !== '';
        return { table, keys: all.map(([id]) => id), deals: new Map(all.filter(complete)) };
      }
      case 'marketBalances': {
        const all = Object.entries((answer as Record<string, { Escrow: string; Locked: string }> | null) ?? {});
        const balances = new Map(all.map(([address, b]) => [idOf(address, `${method} key`), { escrow: BigInt(b.Escrow), locked: BigInt(b.Locked) }]));
        return { table, keys: [...balances.keys()], balances };
      }
      case 'allocations': {
        const all = new Map(entriesById(answer as Record<string, LotusAllocation> | null).map(([id, a]) => [id, allocationFromLotus(a)]));
        const byClient = groupBy(all, (a) => a.client);
        return { table, keys: [...byClient.keys()], byClient };
      }
      case 'claims': {
        const all = new Map(entriesById(answer as Record<string, LotusClaim> | null).map(([id, c]) => [id, claimFromLotus(c)]));
        const byProvider = groupBy(all, (c) => c.provider);
        return { table, keys: [...byProvider.keys()], byProvider };
      }
      case 'miners':
        return { table, keys: ((answer as string[] | null) ?? []).map((address) => idOf(address, `${method} entry`)) };
    }
  }

  /** The table walked in the singleton's state, block by block (a gateway). */
  private async walk(table: Exclude<ListedTable, 'miners'>): Promise<TableList> {
    const walk = new BlockWalk(this.upstream, WALKED[table], INSTEAD[table]);
    switch (table) {
      case 'deals': {
        const deals = await walkDeals(walk, (await this.tables.stateJson(MARKET_ACTOR_ID)) as Parameters<typeof walkDeals>[1]);
        return { table, keys: [...deals.keys()], deals };
      }
      case 'marketBalances': {
        const balances = await walkBalances(walk, (await this.tables.stateJson(MARKET_ACTOR_ID)) as Parameters<typeof walkBalances>[1]);
        return { table, keys: [...balances.keys()], balances };
      }
      case 'allocations': {
        const byClient = await walkAllocations(walk, (await this.tables.stateJson(VERIFREG_ACTOR_ID)) as Parameters<typeof walkAllocations>[1]);
        return { table, keys: [...byClient.keys()], byClient };
      }
      case 'claims': {
        const byProvider = await walkClaims(walk, (await this.tables.stateJson(VERIFREG_ACTOR_ID)) as Parameters<typeof walkClaims>[1]);
        return { table, keys: [...byProvider.keys()], byProvider };
      }
    }
  }
}
