// What Anvil's and Hardhat's cheat codes do to the chain: snapshots and reverts, reset, editing an
// actor's balance, nonce, code or storage in place, mining many epochs, time, the pool, the next
// base fee, the mining mode and impersonation. Every change runs through the miner's queue, so it
// lands before or after a tipset, never inside one, and keeps the Filecoin state consistent (code
// makes an EVM actor with an ID and an f410 address; a new address gets a Placeholder).
import { EAM_NAMESPACE, FilAddress, isMaskedId } from '../common/address.js';
import { DevnetError, InvalidParamsError } from '../common/errors.js';
import { bytesToHex } from '../common/hex.js';
import { keccak256 } from '../common/hashes.js';
import type { Actor, KeptStorage } from '../fevm/actor.js';
import { createActor, createPlaceholder, resolveAddress, resolveEthAddress, withBalance } from '../fevm/actors/lifecycle.js';
import { EMPTY_KAMT, storageShapeOf, withSlotShaped } from '../fevm/actors/evm/kamt-shape.js';
import type { StateOverlay, StateSnapshot, StateTree } from '../fevm/state-tree.js';
import type { ChainStore } from '../mining/chain-store.js';
import { LAST_TIMESTAMP, NEW_CLOCK, type Clock, type ClockState, type RunInterval } from '../mining/clock.js';
import type { Mempool, PendingMessage } from '../mining/mempool.js';
import type { Miner, MiningMode } from '../mining/miner.js';
import type { Tipset } from '../mining/tipset.js';
import type { DevnetEventEmitter, RevertKind } from './events.js';
import { checkReorgBlocks } from './reorg-blocks.js';

/** The most epochs anvil_mine gives a tipset each; longer runs pass as null rounds, in seconds rather than hours. */
export const MAX_TIPSETS_MINED = 1000;

/**
 * A contract given empty code: an EthAccount at its ID and f410, with its balance, its nonce as the
 * account's (Anvil's) and its storage kept (Actor.keptStorage).
 */
function accountOfContract(contract: Actor): Actor {
  const { evm, storageShape, ...rest } = contract;
  const { storageGeneration, upstreamStorageRoot } = evm!;
  const kept: KeptStorage = { storageGeneration, ...(upstreamStorageRoot !== undefined ? { upstreamStorageRoot } : {}), ...(storageShape ? { shape: storageShape } : {}) };
  return { ...rest, kind: 'ethaccount', nonce: evm!.nonce, keptStorage: kept };
}

/**
 * Refuses (-32602, before anything changes) a cheat code that would take the chain to an epoch or a
 * timestamp past which no tipset could be mined: epochs are JavaScript numbers, exact up to 2^53 - 1
 * (Lotus's ChainEpoch is an int64), timestamps end at LAST_TIMESTAMP; the tipset after the last one
 * asked must still fit.
 */
function checkReach(what: string, lastEpoch: number, lastTimestamp: number): void {
  if (lastEpoch < Number.MAX_SAFE_INTEGER && lastTimestamp < LAST_TIMESTAMP) return;
  const limit = lastEpoch < Number.MAX_SAFE_INTEGER ? `timestamp ${lastTimestamp}, past the last this node can mine (${LAST_TIMESTAMP})` : `epoch ${lastEpoch}, past the last this node can mine (2^53 - 2)`;
  throw new InvalidParamsError(`${what} would take the chain to ${limit}`);
}

/** A point of the chain to come back to: its state, its head's height, its clock. */
export interface Snapshot {
  state: StateSnapshot;
  height: number;
  clock: ClockState;
}

/** Which senders eth_sendTransaction sends for without their key (submission.ts). */
interface Impersonation {
  readonly impersonated: Set<string>;
  autoImpersonate: boolean;
}

/** What the cheat codes change: the node's parts, each only in a task of the miner's queue. */
interface CheatsDeps {
  state: StateTree;
  chain: ChainStore;
  mempool: Mempool;
  miner: Miner;
  clock: Clock;
  events: DevnetEventEmitter;
  impersonation: Impersonation;
  /** Resolves once the storage providers' agents have handled every tipset so far (a Window PoSt due sent and included), when the mining mode lets them. */
  agentsSettled: () => Promise<void>;
  /** Throws while the chain's changes cannot be saved: a cheat code that changes the chain is then refused. */
  checkWritable: () => void;
  /** anvil_reset makes a new instance (anvil_metadata's instanceId): called before its rewind is announced, which --state journals with it. */
  newInstance: () => void;
}

/** The cheat codes as the node serves them: all but the reset of snapshots the node does itself after a load, and where a reset goes. */
export type CheatCodes = Omit<Cheats, 'forgetSnapshots' | 'start'>;

export class Cheats {
  private readonly snapshots = new Map<number, Snapshot>();
  private nextSnapshotId = 0;
  private genesis: Snapshot;

  /**
   * `loaded`: the chain came from a file at start (--state, --load-state), and reset goes back to its
   * first tipset, as Anvil's reset goes back to its genesis whatever it loaded; otherwise to the chain
   * as it is now (genesis, or a fork's first tipset).
   */
  constructor(
    private readonly node: CheatsDeps,
    loaded = false,
  ) {
    this.genesis = loaded ? this.firstTipset() : this.capture();
  }

  /** Where anvil_reset goes back to: genesis, the first tipset of a chain loaded at start, or a fork's first tipset. */
  get start(): Snapshot {
    return this.genesis;
  }

  /** After the whole chain was replaced (anvil_loadState): old snapshots mean nothing; the new chain is where reset goes. */
  forgetSnapshots(): void {
    this.snapshots.clear();
    this.genesis = this.capture();
  }

  /** evm_snapshot: the chain as it is now, to come back to. */
  snapshot(): Promise<number> {
    return this.node.miner.queue.run(async () => {
      const id = this.nextSnapshotId++;
      this.snapshots.set(id, this.capture());
      return id;
    });
  }

  /**
   * evm_revert: back to a snapshot, which (with every later one) is then used up, as in Hardhat;
   * false, changing nothing, for a used or unknown one, as Anvil and Hardhat answer.
   */
  revert(id: number): Promise<boolean> {
    return this.node.miner.queue.run(async () => {
      this.node.checkWritable();
      const snapshot = this.snapshots.get(id);
      if (!snapshot) return false;
      this.restore(snapshot, 'revert');
      for (const other of [...this.snapshots.keys()]) if (other >= id) this.snapshots.delete(other);
      return true;
    });
  }

  /** anvil_reset: back to genesis. */
  reset(): Promise<void> {
    return this.node.miner.queue.run(async () => {
      this.node.checkWritable();
      this.node.newInstance();
      this.restore(this.genesis, 'reset');
      this.snapshots.clear();
    });
  }

  /**
   * anvil_rollback: the last `depth` epochs dropped, as evm_revert drops them (their messages gone
   * with them, the pool kept), and chain time set back to the new head's, as Anvil's rollback sets
   * it. Epochs, not tipsets: a null round counts. A chain never goes below its first tipset (genesis,
   * a fork's starting point); snapshots taken after the new head are used up.
   */
  rollback(depth: number): Promise<void> {
    return this.node.miner.queue.run(async () => {
      this.node.checkWritable();
      const { chain, clock } = this.node;
      this.checkDepth('Rollback', depth);
      const target = chain.atOrBefore(chain.head.epoch - depth)!;
      this.backTo(target, 'revert');
      clock.setTime(target.timestamp);
    });
  }

  /** anvil_rollback's and anvil_reorg's refusal of a depth that goes below the chain's first tipset (Anvil's words). */
  private checkDepth(what: 'Rollback' | 'Reorg', depth: number): void {
    const { chain } = this.node;
    if (chain.head.epoch - depth < chain.first.epoch) {
      const first = chain.first.epoch > 0 ? ` (this chain starts at epoch ${chain.first.epoch})` : '';
      throw new InvalidParamsError(`${what} depth must not exceed current chain height: current height ${chain.head.epoch}, depth ${depth}${first}`);
    }
  }

  /**
   * The errors anvil_reorg answers before anything else, in Anvil's words where it has them: a depth
   * of 0, or past the chain's first tipset (a fork's starting point); a block offset past the new
   * blocks. (The facade refuses one that reaches the finalized tipset, which no Lotus node reverts.)
   */
  checkReorg(depth: number, offsets: readonly number[]): void {
    // Anvil's answer to 0 is an internal error ("Required data unavailable"): nothing to reorganise.
    if (depth === 0) throw new InvalidParamsError('Reorg depth must be at least 1: a reorg replaces the latest block or more');
    this.checkDepth('Reorg', depth);
    const past = offsets.find((offset) => offset >= depth);
    if (past !== undefined) throw new InvalidParamsError(`Block number for reorg tx will exceed the reorged chain height. Block number ${past} must not exceed (depth-1) ${depth - 1}`);
  }

  /**
   * anvil_reorg: the last `depth` epochs dropped as anvil_rollback drops them (their messages gone,
   * the pool kept, as Anvil's), then a tipset mined at each of them again, block offset `i` at epoch
   * head - depth + 1 + i (the tipsets mined over null rounds before it hold nothing), holding only the
   * messages `blocks` gives it (none from the pool, as in Anvil). `blocks` makes them on the state of that parent, the tipset at or before
   * head - depth (a JSON request's nonce counted from there): what it or checkReorgBlocks refuses
   * leaves the chain as it was. The new tipsets are mined as any tipset is, at the clock's next
   * timestamps, but after the old head's: each is a new block, whatever it holds, as a reorg's are.
   */
  reorg(depth: number, offsets: readonly number[], blocks: (parentEpoch: number) => Promise<PendingMessage[][]>): Promise<void> {
    return this.node.miner.queue.run(async () => {
      this.node.checkWritable();
      this.checkReorg(depth, offsets);
      const { chain, state, clock, miner, events } = this.node;
      const oldHead = chain.head;
      const parent = chain.atOrBefore(oldHead.epoch - depth)!;
      const made = await blocks(parent.epoch);
      // The first new tipset is at the epoch after the parent, which is below head - depth + 1 after
      // null rounds: empty ones fill those epochs.
      const fillers = oldHead.epoch - depth - parent.epoch;
      const newBlocks = [...Array.from({ length: fillers }, (): PendingMessage[] => []), ...made];
      await state.untilFetched(() => checkReorgBlocks(state.at(parent.epoch), newBlocks));
      this.backTo(parent, 'reorg');
      try {
        if (clock.upcomingTimestamp(parent.timestamp) <= oldHead.timestamp) clock.setNextTimestamp(oldHead.timestamp + 1);
        for (const messages of newBlocks) await miner.mineWith(messages);
      } finally {
        events.emit('reorged');
      }
    });
  }

  setBalance(eth: Uint8Array, balance: bigint): Promise<void> {
    return this.edit(eth, (state, actor) => {
      if (actor) state.putActor(withBalance(actor, balance));
      else createPlaceholder(state, eth, balance);
    });
  }

  /** anvil_addBalance: adds to the balance, in the same step as reading it. */
  addBalance(eth: Uint8Array, amount: bigint): Promise<void> {
    return this.edit(eth, (state, actor) => {
      if (actor) state.putActor(withBalance(actor, actor.balance + amount));
      else createPlaceholder(state, eth, amount);
    });
  }

  /** Gives a native (f1/f3) address this balance, creating its account if need be (a new storage provider's owner). */
  fundNative(address: FilAddress, balance: bigint): Promise<void> {
    return this.editState((state) => {
      const actor = resolveAddress(state, address);
      if (actor) state.putActor(withBalance(actor, balance));
      else createActor(state, 'account', { robust: address, balance });
    });
  }

  /**
   * Edits the head's state in place: one write at the head epoch, no tipset mined (under instant
   * mining, one follows if the edit made a pooled message ready). On a fork, an
   * edit that read state not fetched yet is staged again once it is fetched, and written once.
   */
  editState(change: (state: StateOverlay) => void): Promise<void> {
    const { state, chain, miner } = this.node;
    return miner.queue.run(async () => {
      this.node.checkWritable();
      const staged = await state.untilFetched(() => {
        const overlay = state.stage();
        change(overlay);
        // The next tipset's header names it: one mined after another edit of the same chain differs (X1).
        overlay.markEdit(state.newEditId());
        return overlay;
      });
      state.commit(staged, chain.head.epoch);
      // A balance given to a sender whose message waited for funds lets the next tipset take it.
      miner.mineWhatIsLeft();
    });
  }

  /**
   * The nonce Ethereum tools see: an EVM actor's own, any other actor's message sequence. A
   * placeholder given a nonce above 0 becomes the EthAccount its first message would have made it
   * (audit26 V1): the FVM takes a placeholder as a sender only at sequence 0 (ref-fvm executor
   * preflight), so on calibnet an f410 account with a nonce is always an EthAccount.
   */
  setNonce(eth: Uint8Array, nonce: number): Promise<void> {
    return this.edit(eth, (state, actor) => {
      const target = actor ?? createPlaceholder(state, eth);
      if (target.evm) state.putActor({ ...target, evm: { ...target.evm, nonce } });
      else if (target.kind === 'placeholder' && nonce > 0) state.putActor({ ...target, kind: 'ethaccount', nonce });
      else state.putActor({ ...target, nonce });
    });
  }

  /**
   * Code makes the actor an EVM actor (keeping its ID and balance), or creates one with an f410.
   * Empty code on an account (EthAccount, placeholder) or a new address changes nothing: it has no
   * code already. Empty code on a contract makes it an EthAccount with the contract's nonce and
   * balance, which can send (impersonated, or by its key), as Hardhat and Anvil leave an account (a
   * devnet cheat: the FEVM never turns a contract into an account); it keeps the contract's storage
   * (Actor.keptStorage), which code set again reads, as Anvil keeps the slots.
   */
  setCode(eth: Uint8Array, code: Uint8Array): Promise<void> {
    if (isMaskedId(eth)) return Promise.reject(new DevnetError('code can only be set at an f410 address, not a masked ID'));
    return this.edit(eth, (state, actor) => {
      if (code.length === 0 && (!actor || actor.kind === 'placeholder' || actor.kind === 'ethaccount')) return;
      const target = actor ?? createActor(state, 'evm', { delegated: FilAddress.fromDelegated(EAM_NAMESPACE, eth) });
      if (target.kind !== 'evm' && target.kind !== 'placeholder' && target.kind !== 'ethaccount') {
        throw new DevnetError(`cannot set code on a ${target.kind} actor`);
      }
      if (code.length === 0) {
        state.putActor(accountOfContract(target));
        return;
      }
      // A former contract's account gets its storage back; any other starts a first generation.
      const { keptStorage, ...rest } = target;
      const { shape, ...storage } = keptStorage ?? { storageGeneration: 0 };
      // An account keeps its nonce as the contract's, as Anvil and Hardhat keep it (CREATE addresses follow it); a new contract's is 1.
      const evm = target.evm ?? { nonce: Math.max(1, target.nonce), ...storage };
      state.putActor({
        ...rest,
        kind: 'evm',
        nonce: 0,
        storageShape: keptStorage ? shape : actor ? storageShapeOf(actor) : EMPTY_KAMT,
        evm: { ...evm, bytecode: code, bytecodeHash: keccak256(code), dead: undefined },
      });
    });
  }

  setStorage(eth: Uint8Array, slot: bigint, value: bigint): Promise<void> {
    return this.edit(eth, (state, actor) => {
      if (!actor?.evm) throw new DevnetError(`${bytesToHex(eth)} is not a contract: only EVM actors have storage`);
      const shaped = withSlotShaped(actor, slot, state.getStorage(actor.id, actor.evm.storageGeneration, slot), value);
      if (shaped !== actor) state.putActor(shaped);
      state.putStorage(actor.id, actor.evm.storageGeneration, slot, value);
    });
  }

  /**
   * anvil_mine / hardhat_mine: advances the chain by `count` epochs, spaced as `run` says when an
   * interval was given (Clock.runTimestamp). Up to MAX_TIPSETS_MINED every epoch gets a tipset, as
   * in Anvil, each handled by the storage providers' agents before the next; beyond, the epochs
   * before the last are null rounds (only the cron work due at them runs: no agent acts, so a forked
   * provider's deadlines closing in them go unproven) and one tipset ends the run.
   */
  async mine(count: number, run?: RunInterval): Promise<void> {
    this.node.checkWritable();
    const { chain, clock } = this.node;
    checkReach(`mining ${count} blocks`, chain.head.epoch + count, clock.upcomingTimestamps(chain.head.timestamp, run)(count));
    // A tipset mined but not saved (--state's journal cannot be written) ends the run with that error: a restart would lose it.
    if (count > MAX_TIPSETS_MINED) {
      await this.node.miner.mineAfterNullRounds(count, run);
      this.node.checkWritable();
      return;
    }
    for (let i = 0; i < count; i++) {
      if (run !== undefined) {
        await this.write(() => {
          const timestamp = clock.runTimestamp(chain.head.timestamp, run, i === 0);
          if (timestamp !== undefined) clock.setNextTimestamp(timestamp);
        });
      }
      await this.node.miner.mine();
      this.node.checkWritable();
      // A running storage provider answers each tipset before the next one comes: so do the agents,
      // whose Window PoSts (a forked provider the node acts for) thus land in every deadline, whatever the timing.
      await this.node.agentsSettled();
    }
  }

  /** evm_setNextBlockTimestamp: the next tipset's timestamp, which must be after the head's. */
  setNextTimestamp(timestamp: number): Promise<void> {
    return this.write(() => {
      const head = this.node.chain.head;
      if (timestamp <= head.timestamp) throw new DevnetError(`timestamp ${timestamp} is not after the latest block's ${head.timestamp}`);
      checkReach(`timestamp ${timestamp}`, head.epoch + 1, timestamp);
      this.node.clock.setNextTimestamp(timestamp);
    });
  }

  /**
   * evm_setTime: chain time set to `timestamp`, so that the next tipset mined now gets it; the seconds
   * from the timestamp that tipset would have had to the one set, or 0, as Anvil answers. Time only
   * moves forward on Filecoin (each tipset after the one before): a time not after the head's is refused.
   */
  setTime(timestamp: number): Promise<number> {
    return this.write(() => {
      const { chain, clock } = this.node;
      const head = chain.head;
      if (timestamp <= head.timestamp) throw new InvalidParamsError(`timestamp ${timestamp} is not after the latest block's ${head.timestamp}: time only moves forward on Filecoin`);
      checkReach(`timestamp ${timestamp}`, head.epoch + 1, timestamp);
      const upcoming = clock.upcomingTimestamp(head.timestamp);
      clock.setTime(timestamp);
      return Math.max(0, timestamp - upcoming);
    });
  }

  /** evm_increaseTime: moves chain time forward; the total it has been moved. */
  increaseTime(seconds: number): Promise<number> {
    return this.write(() => {
      checkReach(`moving time forward by ${seconds} s`, this.node.chain.head.epoch + 1, this.node.clock.now() + seconds);
      return this.node.clock.increase(seconds);
    });
  }

  /** anvil_setBlockTimestampInterval (undefined: anvil_removeBlockTimestampInterval). */
  setTimestampInterval(seconds: number | undefined): Promise<void> {
    return this.write(() => {
      const head = this.node.chain.head;
      if (seconds !== undefined) checkReach(`an interval of ${seconds} s`, head.epoch + 1, head.timestamp + seconds);
      this.node.clock.setInterval(seconds);
    });
  }

  /** evm_setIntervalMining (and evm_setAutomine's modes). */
  setMiningMode(mode: MiningMode): Promise<void> {
    return this.write(() => this.node.miner.setMode(mode));
  }

  /**
   * evm_setAutomine, as Anvil's: on, instant mining (an interval's timer stops), and the messages
   * queued while it was off are mined at once; off, instant mining stops, and interval mining goes
   * on with its timer (as in Anvil and Hardhat).
   */
  async setAutomine(enabled: boolean): Promise<void> {
    const { miner } = this.node;
    const queued = await this.write(() => {
      if (!enabled) {
        if (miner.mode.type === 'instant') miner.setMode({ type: 'manual' });
        return undefined;
      }
      if (miner.mode.type === 'instant') return undefined;
      miner.setMode({ type: 'instant' });
      // Wrapped: the write's task must end before that tipset's can start.
      return { tipset: miner.mineReady() };
    });
    await queued?.tipset;
  }

  /** anvil_setNextBlockBaseFeePerGas: the base fee of the next tipset only. */
  setNextBaseFee(baseFee: bigint): Promise<void> {
    return this.write(() => {
      this.node.miner.nextBaseFee = baseFee;
    });
  }

  /** anvil_setMinGasPrice: the pool's minimum fee cap. */
  setMinimumFeeCap(feeCap: bigint): Promise<void> {
    return this.write(() => {
      this.node.mempool.minimumFeeCap = feeCap;
    });
  }

  /** anvil_dropTransaction: whether the pool held the transaction. */
  dropTransaction(txHash: Uint8Array): Promise<boolean> {
    return this.write(() => {
      const pending = this.node.mempool.getByTxHash(txHash);
      if (pending) this.node.mempool.remove([pending]);
      return pending !== undefined;
    });
  }

  /** anvil_removePoolTransactions: every pending message of the actor an Ethereum address names (none: nothing changes). */
  removePoolTransactions(eth: Uint8Array): Promise<void> {
    const { state, chain, mempool } = this.node;
    return this.node.miner.queue.run(async () => {
      // On a fork, an address never read before is looked up upstream first.
      const sender = await state.untilFetched(() => resolveEthAddress(state.at(chain.head.epoch), eth));
      if (sender) mempool.remove(mempool.pendingFor(sender.id));
    });
  }

  /** anvil_dropAllTransactions: the pending messages (the replaced ones stay, as Lotus's MpoolClear leaves its blockstore). */
  dropAllTransactions(): Promise<void> {
    return this.write(() => this.node.mempool.clear());
  }

  /** anvil_impersonateAccount (true) and anvil_stopImpersonatingAccount (false). */
  impersonate(eth: Uint8Array, enabled: boolean): Promise<void> {
    return this.write(() => {
      if (enabled) this.node.impersonation.impersonated.add(bytesToHex(eth));
      else this.node.impersonation.impersonated.delete(bytesToHex(eth));
    });
  }

  /** anvil_autoImpersonateAccount. */
  autoImpersonate(enabled: boolean): Promise<void> {
    return this.write(() => {
      this.node.impersonation.autoImpersonate = enabled;
    });
  }

  /** A change to the node's settings as one task of the miner's queue: between tipsets, in the order sent. */
  private write<T>(change: () => T): Promise<T> {
    return this.node.miner.queue.run(async () => change());
  }

  private capture(): Snapshot {
    return { state: this.node.state.snapshot(), height: this.node.chain.height, clock: this.node.clock.save() };
  }

  /** The chain at its first tipset, its clock as a new chain's: the wall clock's time, no offset or interval set. */
  private firstTipset(): Snapshot {
    return this.snapshotAt(this.node.chain.first, NEW_CLOCK);
  }

  /** The chain as it was at `tipset`, one of its own, with `clock`. */
  private snapshotAt(tipset: Tipset, clock: ClockState): Snapshot {
    return { state: this.node.state.snapshotAt(tipset.epoch), height: tipset.epoch, clock };
  }

  /**
   * The chain back to `target`, one of its tipsets, as evm_revert goes back to a snapshot taken there
   * (the clock left as it is); the snapshots taken after it are used up.
   */
  private backTo(target: Tipset, kind: RevertKind): void {
    const snapshot = this.snapshotAt(target, this.node.clock.save());
    this.restore(snapshot, kind);
    for (const [id, later] of this.snapshots) if (later.state.write > snapshot.state.write) this.snapshots.delete(id);
  }

  private restore(snapshot: Snapshot, kind: RevertKind): void {
    const tipsets = this.node.chain.all();
    const dropped: Tipset[] = [];
    for (let i = tipsets.length - 1; i >= 0 && tipsets[i].epoch > snapshot.height; i--) dropped.push(tipsets[i]);
    if (dropped.length > 0) this.node.events.emit('reverting', dropped, kind, (until) => this.node.state.branch(snapshot.state, until));
    this.node.state.revert(snapshot.state);
    this.node.chain.truncate(snapshot.height);
    // Anvil keeps its pool across evm_revert and anvil_reorg (what the reverted tipsets took is gone with them) and empties it on reset.
    if (kind !== 'reset') this.node.mempool.reverted(this.node.state.at(this.node.chain.head.epoch));
    else {
      this.node.mempool.clear();
      this.node.mempool.forgetReplaced();
    }
    this.node.clock.restore(snapshot.clock);
    this.node.events.emit('rewound', 'revert');
  }

  /** Edits the actor an Ethereum address names, at the head. */
  private edit(eth: Uint8Array, change: (state: StateOverlay, actor: Actor | undefined) => void): Promise<void> {
    return this.editState((state) => {
      const actor = resolveEthAddress(state, eth);
      if (!actor && isMaskedId(eth)) throw new DevnetError(`no actor has the ID in ${bytesToHex(eth)}`);
      change(state, actor);
    });
  }
}
