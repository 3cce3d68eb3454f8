// The state under a fork: what the upstream held at the fork point, fetched on first touch and kept.
// Reads are synchronous (the EVM's are), so a read of a value not fetched yet throws a
// MissingStateError naming it; whoever runs the work fetches it (`fetch`) and runs the work again
// (StateTree.fetchMissing). What was fetched can be saved and loaded (fork-cache.ts), so a restart
// at the same fork point asks the upstream for nothing it already read.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FilAddress } from '../../common/address.js';
import type { Actor } from '../../fevm/actor.js';
import { forkedSingletonState } from '../../fevm/actor-state.js';
import { MissingStateError, type FetchingStateSource, type MissingState, type StateOverlay } from '../../fevm/state-tree.js';
import type { CronEntry } from '../../fevm/actors/cron.js';
import type { TipsetFees } from '../../mining/chain-store.js';
import { UpstreamDealOps, withUpstreamSchedule } from './deal-ops.js';
import { ForkedMinerDeadlines, mergedSchedule } from './miner-deadlines.js';
import { ForkedActors } from './forked-actors.js';
import { ForkedSlots } from './forked-slots.js';
import { emptyForkTables, FORKED_TABLE_KINDS, withForkedTables, withProvingState, type ForkTables } from './fork-tables.js';
import type { TableList } from './upstream-lists.js';
import type { UpstreamState } from './upstream-state.js';
import type { CodeTable } from '../../fevm/code-table.js';

/** Everything fetched so far: null records an actor or address the upstream does not have. */
export interface ForkData {
  actors: ForkedActors;
  /** By address key (FilAddress.key). */
  ids: Map<string, number | null>;
  slots: ForkedSlots;
  nextId: number | undefined;
  /** Entries of the singletons' tables (fork-tables.ts). */
  tables: ForkTables;
  /** The upstream's tipsets from the fork epoch's down, as premium estimates read them (fetchTipsetFees). */
  tipsetFees: TipsetFees[] | undefined;
  /** The upstream's tipset hashes by epoch below the fork epoch (BLOCKHASH reads them). */
  tipsetHashes: Map<number, Uint8Array>;
}

export const emptyForkData = (): ForkData => ({ actors: new ForkedActors(), ids: new Map(), slots: new ForkedSlots(), nextId: undefined, tables: emptyForkTables(), tipsetFees: undefined, tipsetHashes: new Map() });

/** What warm-up has done: values fetched from the upstream, and reads answered from what was already held. */
export interface ForkProgress {
  actors: number;
  slots: number;
  addresses: number;
  /** Entries of the builtin actors' tables: deals, balances, allocations, claims, power claims. */
  entries: number;
  hits: number;
}

/** Miner.runLate: entries due up to the head's epoch, run each at its own epoch after `prepare`; the state's write that holds them. */
type LateWork = (due: (head: number) => readonly (readonly [number, CronEntry])[], prepare: (overlay: StateOverlay) => void) => Promise<number>;

const slotKey = (id: number, slot: bigint) => `${id}:${slot.toString(16)}`;

/**
 * The upstream's tipset hashes are fetched in runs of this many epochs (from a multiple of it), one
 * batch each: a contract reading several recent block hashes reruns once per run, not per epoch.
 */
const TIPSET_HASH_RUN = 32;

/**
 * The upstream's tipsets before the fork epoch's that premium estimates may read: 20, the 2 × 10
 * blocks GasEstimateMessageGas (and MpoolPushMessage) asks its premium for. An estimate for more
 * blocks than 10 on a fork younger than the walk reads the upstream's 20 and stops there.
 */
const UPSTREAM_FEE_TIPSETS = 20;
/** After a failed read of those tipsets, the next estimate reads them again once this long has passed (a dead upstream does not make every estimate wait). */
const TIPSET_FEES_RETRY_MS = 60_000;

/**
 * The most live sectors of a forked miner that the fork reads whole (its proving state) before
 * answering its balance or its deals, when it had faulty sectors at the fork epoch (caughtUp): from a
 * gateway that is one StateSectorGetInfo per live sector.
 */
export const CATCH_UP_MAX_LIVE_SECTORS = 2_000;

export class ForkSource implements FetchingStateSource {
  readonly progress: ForkProgress = { actors: 0, slots: 0, addresses: 0, entries: 0, hits: 0 };
  /** Told after each fetch that brought something new (the cache saves, the progress line prints). */
  onFetched: () => void = () => undefined;
  /** The fetch of the upstream's tipsets for premium estimates, while under way (fetchTipsetFees); when one last failed, and why. */
  private tipsetFeesFetch: Promise<void> | undefined;
  private tipsetFeesFailedAt = -Infinity;
  private tipsetFeesError: Error | undefined;
  /**
   * Addresses whose reader expects a contract there (eth_getCode's, eth_getStorageAt's, a call's
   * `to`), not fetched yet: their fetch brings the contract's code and State in the same batch as the
   * actor (expectContract).
   */
  private readonly expectedContracts = new Set<string>();
  /**
   * Contracts fetched by address whose code is read and whose storage's shape is still being read
   * (its KAMT, a level a round trip), with that read: eth_getCode answers from the code (readCode)
   * without waiting for it; any other read of the actor waits for the whole actor.
   */
  private readonly codeOnly = new Map<number, { contract: Actor; whole: Promise<void> }>();
  /** Inside readCode: a contract in codeOnly reads as its code-only actor. */
  private readingCode = false;
  /** The deal schedule's read ahead, once started (readDealScheduleAhead). */
  private dealScheduleAhead: Promise<void> | undefined;
  /** Fetches under way, by the key of what they fetch: concurrent reads of one value share one request. */
  private readonly inFlight = new Map<string, Promise<void>>();
  /** The singletons and miners as reads see them: with their tables reading `data.tables` (made once per actor). */
  private readonly withTables = new Map<number, Actor>();
  /** The deal work the upstream's market scheduled, which the cron actor runs at its epochs. */
  private readonly dealOps: UpstreamDealOps;
  /** The deadline closes of the forked miners taken. */
  private readonly minerDeadlines: ForkedMinerDeadlines;
  /**
   * The miners whose proving state the fork has taken, each with the state tree's write that caught
   * it up (0: taken before anything was mined, as the cache's are). A revert to before that write
   * undoes the catch-up, and the miner is taken again on its next read.
   */
  private readonly taken = new Map<number, number>();
  /**
   * Runs work that fell due at past epochs on the head's state and returns the write that holds it
   * (Miner.runLate, in the node's queue): a forked miner's missed deadline closes, when the fork takes
   * it after the fork epoch. The node sets it; a source nothing mines on has nothing to catch up.
   */
  runLate: LateWork | undefined;
  /**
   * The miner whose take runs in this async context: its closes read it before it is taken. Other
   * reads meanwhile (outside the queue) still wait for the take (caughtUp throws for them).
   */
  private readonly taking = new AsyncLocalStorage<number>();

  constructor(
    private readonly upstream: UpstreamState,
    readonly data: ForkData = emptyForkData(),
  ) {
    this.dealOps = new UpstreamDealOps(data.tables);
    this.minerDeadlines = new ForkedMinerDeadlines(this.taken, (id) => data.actors.get(id)?.miner?.provingPeriodOffset);
    // What the cache holds was read at the fork point, before anything was mined.
    for (const miner of data.tables.provingStates.keys()) this.taken.set(miner, 0);
  }

  /** The upstream's actor code CIDs at the fork point. */
  get codes(): CodeTable {
    return this.upstream.codes;
  }

  getActor(id: number): Actor | undefined {
    // Actors created on the fork (IDs from the upstream's NextID on) were never upstream.
    if (this.data.nextId !== undefined && id >= this.data.nextId) return undefined;
    const actor = this.data.actors.get(id);
    if (actor === undefined) {
      const held = this.readingCode ? this.codeOnly.get(id) : undefined;
      if (held) return held.contract;
      throw new MissingStateError([{ kind: 'actor', id }]);
    }
    this.progress.hits++;
    if (actor?.miner) this.caughtUp(id);
    // The reward actor has no table, but its forkedFrom is handed out the same way.
    if (actor && (FORKED_TABLE_KINDS.has(actor.kind) || actor.kind === 'cron' || actor.forkedFrom)) return this.withTablesOf(actor);
    return actor ?? undefined;
  }

  /**
   * Throws MissingStateError until a forked miner's missed deadline closes have run (it is taken),
   * where they can change its balance and its deals: it had faulty sectors at the fork epoch, whose
   * fault fee its closes charge and which they terminate after 42 days, slashing their deals. Its
   * sector count decides (one StateMinerSectorCount); past CATCH_UP_MAX_LIVE_SECTORS live sectors it
   * is not read whole for that.
   */
  private caughtUp(miner: number): void {
    // The take's own work (its closes read the miner and slash its deals) reads it as it stands.
    if (this.taken.has(miner) || this.taking.getStore() === miner) return;
    // Taking it needs the miner itself (its proving period), which comes with its count.
    if (!this.data.actors.has(miner)) throw new MissingStateError([{ kind: 'actor', id: miner }]);
    const count = this.data.tables.sectorCounts.get(miner);
    if (count === undefined) throw new MissingStateError([{ kind: 'sectorCount', miner }]);
    if (count.faulty > 0 && count.live <= CATCH_UP_MAX_LIVE_SECTORS) throw new MissingStateError([{ kind: 'provingState', miner }]);
  }

  private withTablesOf(actor: Actor): Actor {
    let forked = this.withTables.get(actor.id);
    if (!forked) {
      forked =
        actor.kind === 'cron'
          ? // Miners' deadline closes before the market's deal work at one epoch, as builtin-actors' power cron runs before the market's.
            withUpstreamSchedule(actor, mergedSchedule([this.minerDeadlines, this.dealOps]), this.upstream.point.epoch)
          : withForkedTables(actor, this.data.tables, {
              upstreamActor: (id) => this.data.nextId === undefined || id < this.data.nextId,
              taken: (miner) => this.taken.has(miner),
              caughtUp: (miner) => this.caughtUp(miner),
            });
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

  /**
   * Says that a read of `address` expects a contract (Devnet.expectContract): if it is not held,
   * its fetch reads the contract's code and State with its ID and actor (one round trip, not two).
   * Only then, so that a first touch of an account by its 0x address asks for no contract reads.
   */
  expectContract(address: FilAddress): void {
    if (address.ethAddress && !this.data.ids.has(address.key)) this.expectedContracts.add(address.key);
  }

  /**
   * `read`, in which a contract whose code is read but whose storage's shape is not yet reads as an
   * actor without it (no storageShape, no upstreamStorageRoot): for a read of its code alone
   * (Devnet.codeAt: eth_getCode, ots_hasCode). `read` must be synchronous and must not keep the actor.
   */
  readCode<T>(read: () => T): T {
    this.readingCode = true;
    try {
      return read();
    } finally {
      this.readingCode = false;
    }
  }

  getStorage(id: number, generation: number, slot: bigint): bigint | undefined {
    // The upstream's storage is its contracts' first generation; a contract the fork self-destructed starts empty.
    if (generation !== 0) return undefined;
    const actor = this.getActor(id);
    if (!actor?.evm) return undefined;
    const value = this.data.slots.get(id, slot);
    if (value === undefined) throw new MissingStateError([{ kind: 'storage', id, slot }]);
    this.progress.hits++;
    return value;
  }

  nextId(): number | undefined {
    if (this.data.nextId === undefined) throw new MissingStateError([{ kind: 'nextId' }]);
    return this.data.nextId;
  }

  /**
   * The hash of the upstream's tipset at `epoch`, before the fork epoch (for a null round, of the one
   * before it): what BLOCKHASH answers on calibnet for the 256 epochs before the current one, which
   * on a young fork reach below its first tipset.
   */
  tipsetHash(epoch: number): Uint8Array {
    const hash = this.data.tipsetHashes.get(epoch);
    if (hash === undefined) throw new MissingStateError([{ kind: 'tipsetHashes', from: epoch - (epoch % TIPSET_HASH_RUN) }]);
    return hash;
  }

  /**
   * Fetches the upstream's tipsets that premium estimates read past the fork's first tipset, unless
   * they are held (the fork starts at open, so that they are there before any estimate); the fetch
   * under way, for an estimate to wait for, or undefined. They never change. A failure (the upstream
   * down, a gateway past its lookback) leaves them unread, with the error in tipsetFeesError: estimates
   * read the fork's own tipsets, and one TIPSET_FEES_RETRY_MS later tries again.
   */
  fetchTipsetFees(): Promise<void> | undefined {
    if (this.data.tipsetFees) return undefined;
    if (!this.tipsetFeesFetch) {
      if (Date.now() - this.tipsetFeesFailedAt < TIPSET_FEES_RETRY_MS) return undefined;
      this.tipsetFeesFetch = this.upstream.tipsetFees(UPSTREAM_FEE_TIPSETS).then(
        (fees) => {
          this.data.tipsetFees = fees;
          this.onFetched();
        },
        (error: unknown) => {
          this.tipsetFeesFailedAt = Date.now();
          this.tipsetFeesError = error instanceof Error ? error : new Error(String(error));
        },
      );
      void this.tipsetFeesFetch.finally(() => (this.tipsetFeesFetch = undefined));
    }
    return this.tipsetFeesFetch;
  }

  /**
   * Reads ahead what the fork's first tipset's cron reads from the upstream: the market's deal
   * schedule (its DealOpsByEpoch epochs, a HAMT read level by level), then the deals due at the
   * epoch after the fork's, unless held. The node starts it at the first request that leads to a
   * transaction (a nonce or a gas estimate, which tools ask before a send: Devnet.readAheadForMining),
   * so that the send's tipset does not wait for those round trips, and a fork used for calls only
   * reads none of it; once per fork. Cron fetches the same values (one request for both while under
   * way), so it finds the same answers; a failure is met again by cron, which reads them again.
   */
  readDealScheduleAhead(): Promise<void> {
    this.dealScheduleAhead ??= (async () => {
      try {
        await this.fetchValues([{ kind: 'dealOpEpochs' }]);
        // Nothing is read when no deals are due then (load's dealOps case).
        await this.fetchValues([{ kind: 'dealOps', epoch: this.upstream.point.epoch + 1 }]);
      } catch {
        // Cron reads them again when it needs them, and meets the failure there.
      }
    })();
    return this.dealScheduleAhead;
  }

  /** Why the last fetch of the upstream's tipsets for premium estimates failed, until someone takes it (to say it once). */
  takeTipsetFeesError(): Error | undefined {
    const error = this.tipsetFeesError;
    this.tipsetFeesError = undefined;
    return error;
  }

  async fetch(missing: MissingState[]): Promise<void> {
    await this.fetchValues(missing);
    for (const m of missing) if (m.kind === 'provingState') await this.take(m.miner);
  }

  /** Fetches what `missing` names without taking a miner (fetch does both): what needs no queue. */
  async fetchValues(missing: MissingState[]): Promise<void> {
    await Promise.all(missing.map((m) => this.fetchOne(m)));
  }

  /** Whether fetching what `error` names takes a forked miner, which writes the state (its missed closes): only in the node's queue. */
  takes(error: unknown): error is MissingStateError {
    return error instanceof MissingStateError && error.missing.some((m) => m.kind === 'provingState' && !this.taken.has(m.miner));
  }

  revertedTo(write: number): void {
    for (const [miner, at] of this.taken) if (at > write) this.taken.delete(miner);
  }

  /**
   * Takes a forked miner whose proving state is fetched: the deadline closes it had on the upstream's
   * schedule since the fork epoch run first, each at its own epoch, on the head's state, so that what
   * the fork answers about it never depends on when it first read it. Until they are written its
   * proving state reads as missing; if they fail (the upstream), nothing is written or taken.
   */
  private take(miner: number): Promise<void> {
    const key = `take ${miner}`;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = (async () => {
        if (this.taken.has(miner)) return;
        const proving = this.data.tables.provingStates.get(miner);
        if (proving === undefined) return;
        const { runLate } = this;
        const write = runLate
          ? await this.taking.run(miner, () =>
              runLate(
                (head) => this.minerDeadlines.closesOf(miner, this.upstream.point.epoch, head),
                (overlay) => overlay.putActor(withProvingState(overlay.getActor(miner)!, proving)),
              ),
            )
          : 0;
        this.taken.set(miner, write);
      })().finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
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
      case 'actor': {
        if (data.actors.has(missing.id)) return;
        // Its read by address is under way (load's address case), past its code.
        const reading = this.codeOnly.get(missing.id);
        if (reading) return reading.whole;
        const actor = await upstream.actor(missing.id);
        data.actors.set(missing.id, actor);
        this.holdWholeStorage(actor);
        progress.actors++;
        await this.countSectorsOf(actor);
        break;
      }
      case 'address': {
        if (data.ids.has(missing.address.key)) return;
        return this.loadAddress(missing.address);
      }
      case 'storage': {
        if (data.slots.has(missing.id, missing.slot)) return;
        // A slot is read only once its actor is held (getStorage reads the actor first).
        const actor = data.actors.get(missing.id);
        if (!actor) return;
        data.slots.set(missing.id, missing.slot, await upstream.storage(actor, missing.slot));
        progress.slots++;
        break;
      }
      case 'nextId':
        if (data.nextId !== undefined) return;
        data.nextId = await upstream.nextId();
        break;
      case 'tipsetHashes': {
        const end = Math.min(missing.from + TIPSET_HASH_RUN, upstream.point.epoch);
        const epochs = Array.from({ length: Math.max(0, end - missing.from) }, (_, i) => missing.from + i).filter((e) => !data.tipsetHashes.has(e));
        if (epochs.length === 0) return;
        const hashes = await Promise.all(epochs.map((e) => upstream.tipsetHash(e)));
        epochs.forEach((e, i) => data.tipsetHashes.set(e, hashes[i]));
        break;
      }
      default:
        if (!(await this.loadEntry(missing))) return;
        progress.entries++;
    }
    this.onFetched();
  }

  /**
   * Fetches the actor at `address` with its ID (UpstreamState.actor: no actor, no ID). A contract's
   * ID is held as soon as its code is read, the contract itself in codeOnly until its storage's shape
   * is read too: the fetch is done then, and the rest of the read goes on (codeOnly's `whole`), so an
   * eth_getCode answers after one round trip, not 1 + the KAMT's depth.
   */
  private loadAddress(address: FilAddress): Promise<void> {
    const { data, progress } = this;
    let codeRead!: () => void;
    const early = new Promise<void>((resolve) => (codeRead = resolve));
    let settle!: { resolve: () => void; reject: (error: unknown) => void };
    const whole = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    // A failure after the code reaches the reads waiting for the whole actor (load's actor case); a later read asks again by ID.
    whole.catch(() => undefined);
    let contractId: number | undefined;
    this.upstream
      .actor(address, this.expectedContracts.delete(address.key), (contract) => {
        contractId = contract.id;
        data.ids.set(address.key, contract.id);
        this.codeOnly.set(contract.id, { contract, whole });
        codeRead();
      })
      .then(async (actor) => {
        data.ids.set(address.key, actor?.id ?? null);
        this.holdWholeStorage(actor);
        if (actor && !data.actors.has(actor.id)) {
          data.actors.set(actor.id, actor);
          progress.actors++;
          await this.countSectorsOf(actor);
        }
        progress.addresses++;
        this.onFetched();
      })
      .finally(() => {
        if (contractId !== undefined) this.codeOnly.delete(contractId);
      })
      .then(settle.resolve, settle.reject);
    return Promise.race([early, whole]);
  }

  /** A contract comes with its slots when its read brought its storage whole (UpstreamState.takeWholeStorage): its first call asks for none. */
  private holdWholeStorage(actor: Actor | null): void {
    const slots = actor?.evm && this.upstream.takeWholeStorage(actor.id);
    if (slots) this.data.slots.holdWhole(actor.id, slots);
  }

  /** A miner comes with its sector count, which its first read needs (caughtUp): no second run of that read. */
  private async countSectorsOf(actor: Actor | null): Promise<void> {
    if (actor?.miner) await this.fetchValues([{ kind: 'sectorCount', miner: actor.id }]);
  }

  /** Fetches a table entry of a singleton; false if it was held already. */
  private async loadEntry(missing: Exclude<MissingState, { kind: 'actor' | 'address' | 'storage' | 'nextId' | 'tipsetHashes' }>): Promise<boolean> {
    const { tables } = this.data;
    const upstream = this.upstream.tables;
    const fill = async <K, V>(table: Map<K, V>, key: K, read: (key: K) => Promise<V>) => {
      if (table.has(key)) return false;
      table.set(key, await read(key));
      return true;
    };
    switch (missing.kind) {
      case 'deal': {
        if (!(await fill(tables.deals, missing.id, (id) => upstream.deal(id)))) return false;
        // A deal reads once its provider, with its sector count, says whether its missed closes come first (caughtUp).
        const deal = tables.deals.get(missing.id);
        if (deal) await this.fetchValues([{ kind: 'actor', id: deal.proposal.provider }]);
        return true;
      }
      case 'marketBalance':
        return fill(tables.marketBalances, missing.id, (id) => upstream.marketBalance(id));
      case 'allocations':
        return fill(tables.allocations, missing.client, (id) => upstream.allocations(id));
      case 'claims':
        return fill(tables.claims, missing.provider, (id) => upstream.claims(id));
      case 'verifier':
        return fill(tables.verifiers, missing.id, (id) => upstream.verifier(id));
      case 'removeDataCapProposalId':
        return fill(tables.removeDataCapProposalIds, missing.pair, (pair) => upstream.removeDataCapProposalId(pair));
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
      case 'sectorCount':
        return fill(tables.sectorCounts, missing.miner, (id) => upstream.sectorCount(id));
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
