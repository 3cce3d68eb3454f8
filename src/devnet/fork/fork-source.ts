// The state under a fork: what the upstream held at the fork point, fetched on first touch and kept.
// Reads are synchronous (the EVM's are), so a read of a value not fetched yet throws a
// MissingStateError naming it; whoever runs the work fetches it (`fetch`) and runs the work again
// (StateTree.fetchMissing). What was fetched can be saved and loaded (fork-cache.ts), so a restart
// at the same fork point asks the upstream for nothing it already read.
import type { FilAddress } from '../../common/address.js';
import type { Actor } from '../../fevm/actor.js';
import { forkedSingletonState } from '../../fevm/actor-state.js';
import { MissingStateError, type FetchingStateSource, type MissingState } from '../../fevm/state-tree.js';
import { UpstreamDealOps, withUpstreamSchedule } from './deal-ops.js';
import { ForkedMinerDeadlines, mergedSchedule } from './miner-deadlines.js';
import { emptyForkTables, FORKED_TABLE_KINDS, withForkedTables, type ForkTables } from './fork-tables.js';
import type { TableList } from './upstream-lists.js';
import type { UpstreamState } from './upstream-state.js';

/** Everything fetched so far: null records an actor or address the upstream does not have. */
export interface ForkData {
  actors: Map<number, Actor | null>;
  /** By address key (FilAddress.key). */
  ids: Map<string, number | null>;
  /** By `${id}:${slot hex}`. */
  slots: Map<string, bigint>;
  nextId: number | undefined;
  /** Entries of the singletons' tables (fork-tables.ts). */
  tables: ForkTables;
}

export const emptyForkData = (): ForkData => ({ actors: new Map(), ids: new Map(), slots: new Map(), nextId: undefined, tables: emptyForkTables() });

/** What warm-up has done: values fetched from the upstream, and reads answered from what was already held. */
export interface ForkProgress {
  actors: number;
  slots: number;
  addresses: number;
  /** Entries of the builtin actors' tables: deals, balances, allocations, claims, power claims. */
  entries: number;
  hits: number;
}

const slotKey = (id: number, slot: bigint) => `${id}:${slot.toString(16)}`;

export class ForkSource implements FetchingStateSource {
  readonly progress: ForkProgress = { actors: 0, slots: 0, addresses: 0, entries: 0, hits: 0 };
  /** Told after each fetch that brought something new (the cache saves, the progress line prints). */
  onFetched: () => void = () => undefined;
  /** Fetches under way, by the key of what they fetch: concurrent reads of one value share one request. */
  private readonly inFlight = new Map<string, Promise<void>>();
  /** The singletons and miners as reads see them: with their tables reading `data.tables` (made once per actor). */
  private readonly withTables = new Map<number, Actor>();
  /** The deal work the upstream's market scheduled, which the cron actor runs at its epochs. */
  private readonly dealOps: UpstreamDealOps;
  /** The deadline closes of the forked miners whose proving state is held. */
  private readonly minerDeadlines: ForkedMinerDeadlines;

  constructor(
    private readonly upstream: UpstreamState,
    readonly data: ForkData = emptyForkData(),
  ) {
    this.dealOps = new UpstreamDealOps(data.tables);
    this.minerDeadlines = new ForkedMinerDeadlines(data.tables, (id) => data.actors.get(id)?.miner?.provingPeriodOffset);
  }

  getActor(id: number): Actor | undefined {
    // Actors created on the fork (IDs from the upstream's NextID on) were never upstream.
    if (this.data.nextId !== undefined && id >= this.data.nextId) return undefined;
    const actor = this.data.actors.get(id);
    if (actor === undefined) throw new MissingStateError([{ kind: 'actor', id }]);
    this.progress.hits++;
    if (actor && (FORKED_TABLE_KINDS.has(actor.kind) || actor.kind === 'cron')) return this.withTablesOf(actor);
    return actor ?? undefined;
  }

  private withTablesOf(actor: Actor): Actor {
    let forked = this.withTables.get(actor.id);
    if (!forked) {
      forked =
        actor.kind === 'cron'
          ? // Miners' deadline closes before the market's deal work at one epoch, as builtin-actors' power cron runs before the market's.
            withUpstreamSchedule(actor, mergedSchedule([this.minerDeadlines, this.dealOps]), this.upstream.point.epoch)
          : withForkedTables(actor, this.data.tables, (id) => this.data.nextId === undefined || id < this.data.nextId);
      // The state handed out, which a write replaces: until then the actor answers the upstream's Head and State.
      if (forked.forkedFrom) forked = { ...forked, forkedFrom: { ...forked.forkedFrom, handedOut: forkedSingletonState(forked) } };
      this.withTables.set(actor.id, forked);
    }
    return forked;
  }

  lookupId(address: FilAddress): number | undefined {
    const id = this.data.ids.get(address.key);
    if (id === undefined) throw new MissingStateError([{ kind: 'address', address }]);
    this.progress.hits++;
    return id ?? undefined;
  }

  getStorage(id: number, generation: number, slot: bigint): bigint | undefined {
    // The upstream's storage is its contracts' first generation; a contract the fork self-destructed starts empty.
    if (generation !== 0) return undefined;
    const actor = this.getActor(id);
    if (!actor?.evm) return undefined;
    const value = this.data.slots.get(slotKey(id, slot));
    if (value === undefined) throw new MissingStateError([{ kind: 'storage', id, slot }]);
    this.progress.hits++;
    return value;
  }

  nextId(): number | undefined {
    if (this.data.nextId === undefined) throw new MissingStateError([{ kind: 'nextId' }]);
    return this.data.nextId;
  }

  async fetch(missing: MissingState[]): Promise<void> {
    await Promise.all(missing.map((m) => this.fetchOne(m)));
  }

  private fetchOne(missing: MissingState): Promise<void> {
    const key = missing.kind === 'address' ? `x${missing.address.key}` : missing.kind === 'storage' ? `s${slotKey(missing.id, missing.slot)}` : JSON.stringify(missing);
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.load(missing).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async load(missing: MissingState): Promise<void> {
    const { data, upstream, progress } = this;
    switch (missing.kind) {
      case 'actor':
        if (data.actors.has(missing.id)) return;
        data.actors.set(missing.id, await upstream.actor(missing.id));
        progress.actors++;
        break;
      case 'address': {
        if (data.ids.has(missing.address.key)) return;
        // The actor comes with its ID (UpstreamState.actor): no actor, no ID.
        const actor = await upstream.actor(missing.address);
        data.ids.set(missing.address.key, actor?.id ?? null);
        if (actor && !data.actors.has(actor.id)) {
          data.actors.set(actor.id, actor);
          progress.actors++;
        }
        progress.addresses++;
        break;
      }
      case 'storage': {
        const key = slotKey(missing.id, missing.slot);
        if (data.slots.has(key)) return;
        // A slot is read only once its actor is held (getStorage reads the actor first).
        const actor = data.actors.get(missing.id);
        if (!actor) return;
        data.slots.set(key, await upstream.storage(actor, missing.slot));
        progress.slots++;
        break;
      }
      case 'nextId':
        if (data.nextId !== undefined) return;
        data.nextId = await upstream.nextId();
        break;
      default:
        if (!(await this.loadEntry(missing))) return;
        progress.entries++;
    }
    this.onFetched();
  }

  /** Fetches a table entry of a singleton; false if it was held already. */
  private async loadEntry(missing: Exclude<MissingState, { kind: 'actor' | 'address' | 'storage' | 'nextId' }>): Promise<boolean> {
    const { tables } = this.data;
    const upstream = this.upstream.tables;
    const fill = async <K, V>(table: Map<K, V>, key: K, read: (key: K) => Promise<V>) => {
      if (table.has(key)) return false;
      table.set(key, await read(key));
      return true;
    };
    switch (missing.kind) {
      case 'deal':
        return fill(tables.deals, missing.id, (id) => upstream.deal(id));
      case 'marketBalance':
        return fill(tables.marketBalances, missing.id, (id) => upstream.marketBalance(id));
      case 'allocations':
        return fill(tables.allocations, missing.client, (id) => upstream.allocations(id));
      case 'claims':
        return fill(tables.claims, missing.provider, (id) => upstream.claims(id));
      case 'verifier':
        return fill(tables.verifiers, missing.id, (id) => upstream.verifier(id));
      case 'datacap':
        return fill(tables.datacap, missing.id, (id) => upstream.datacap(id));
      case 'sectorDeals':
        return fill(tables.sectorDeals, `${missing.provider}:${missing.sector}`, () => upstream.sectorDeals(missing.provider, missing.sector));
      case 'pendingProposal':
        return fill(tables.pendingProposals, missing.cid, (cid) => upstream.pendingProposal(cid));
      case 'datacapAllowances':
        return fill(tables.datacapAllowances, missing.owner, (id) => upstream.datacapAllowances(id));
      case 'powerClaim':
        return fill(tables.powerClaims, missing.miner, (id) => this.upstream.powerClaim(id));
      case 'sector':
        return fill(tables.sectors, `${missing.miner}:${missing.number}`, () => upstream.sector(missing.miner, missing.number));
      case 'provingState':
        return fill(tables.provingStates, missing.miner, (id) => this.upstream.proving.provingState(id));
      case 'tableList':
        if (tables.lists.has(missing.table)) return false;
        this.holdList(await this.upstream.lists.list(missing.table));
        return true;
      case 'dealOpEpochs':
        if (tables.dealOpEpochs) return false;
        tables.dealOpEpochs = await upstream.dealOpEpochs();
        return true;
      case 'dealOps': {
        // Asked for only once the epochs are held (UpstreamDealOps.between).
        const set = this.dealOps.setAt(missing.epoch);
        if (!set || !(await fill(tables.dealOps, missing.epoch, () => upstream.dealOps(set)))) return false;
        // The market's cron reads each of these deals at that epoch: fetched together, not one rerun of cron per deal.
        await this.fetch(tables.dealOps.get(missing.epoch)!.map((id) => ({ kind: 'deal', id })));
        return true;
      }
    }
  }

  /** Keeps a table's list, and the entries it came with where no read fetched them already (the same values). */
  private holdList(list: TableList): void {
    const { tables } = this.data;
    const keep = <K, V>(table: Map<K, V>, entries: Map<K, V>) => {
      for (const [key, value] of entries) if (!table.has(key)) table.set(key, value);
    };
    switch (list.table) {
      case 'deals':
        keep(tables.deals, list.deals);
        break;
      case 'marketBalances':
        keep(tables.marketBalances, list.balances);
        break;
      case 'allocations':
        keep(tables.allocations, list.byClient);
        break;
      case 'claims':
        keep(tables.claims, list.byProvider);
        break;
      case 'miners':
        break;
    }
    tables.lists.set(list.table, list.keys);
  }
}
