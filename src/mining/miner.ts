// Tipset production: takes ready messages from the pool, applies them, and appends the tipset to the
// chain, one tipset at a time through the single writer queue. Instantly after each message (the
// default), every blockTimeMs, or only when asked. Many epochs at once (anvil_mine) may pass as null
// rounds: epochs without a tipset, where only the cron work due runs.
import { DevnetError, MessageDroppedError } from '../common/errors.js';
import { nextCronEpoch, type CronEntry } from '../fevm/actors/cron.js';
import { epochTickEnd } from '../fevm/actors/epoch-tick-end.js';
import { EXACT_KPI_EPOCHS } from '../fevm/actors/reward-logic.js';
import { circulatingSupplyOf, forkedVmCirculatingSupply, vmCirculatingSupply, type VmCirculatingSupply } from '../fevm/circulating-supply.js';
import type { Executor } from '../fevm/executor.js';
import type { StateOverlay, StateReader, StateTree } from '../fevm/state-tree.js';
import type { ExecutionContext } from '../fevm/types.js';
import type { CodeTable } from '../fevm/code-table.js';
import { SigType } from '../fevm/message.js';
import type { ChainStore } from './chain-store.js';
import { LAST_TIMESTAMP, type Clock, type RunInterval } from './clock.js';
import type { Mempool, PendingMessage } from './mempool.js';
import { electWinner } from './election.js';
import { every } from './every.js';
import { SerialQueue } from './serial-queue.js';
import { buildTipset, parentEdit, type IncludedMessage, type Tipset } from './tipset.js';

export type MiningMode = { type: 'instant' } | { type: 'interval'; blockTimeMs: number } | { type: 'manual' };

/** What the miner asks of the machine: src/fevm's Executor, or a stand-in in tests. */
export type TipsetExecutor = Pick<Executor, 'applyMessage' | 'awardBlockReward' | 'runCron' | 'runCronEntries' | 'holdConsole' | 'printConsole'>;

/** The state tipsets are built on: overlays staged on the head, committed as an epoch. */
export type MinedState = Pick<StateTree, 'stage' | 'commit' | 'at' | 'fetchMissing' | 'snapshot' | 'revert' | 'editAt'> & Partial<Pick<StateTree, 'fetches'>>;

export interface MinerDeps {
  state: MinedState;
  chain: ChainStore;
  mempool: Mempool;
  executor: TipsetExecutor;
  chainId: bigint;
  /** The randomness beacon's seed (DevnetConfig.seed). */
  seed?: Uint8Array;
  /** The chain's actor code CIDs, asked per tipset (anvil_reset may fork another upstream); absent: a fresh devnet's. */
  codes?: () => CodeTable;
  clock: Clock;
  onTipset: (tipset: Tipset) => void;
  /** A message whose execution threw (a devnet bug, not a failed call): it is dropped, not mined. */
  onMessageError: (message: PendingMessage, error: unknown) => void;
  /** Scheduled actor work that failed (undone; the tipset is still mined). */
  onCronError: (epoch: number, actor: number, error: unknown) => void;
  /** A tipset that interval mining failed to mine (a devnet bug): reported, and the timer goes on. */
  onMiningError: (error: unknown) => void;
  /** On a fork, the upstream's circulating supply at the fork point and that epoch, if it served one (fork-point.ts). */
  forkSupply?: () => { supply: VmCirculatingSupply; epoch: number } | undefined;
}

/**
 * A mined tipset, the messages it left out because the fork's upstream failed to give their state
 * (with that error), and those it dropped because their execution threw (with what it threw).
 */
interface ProducedTipset {
  tipset: Tipset;
  unfetched: Map<PendingMessage, unknown>;
  failed: Map<PendingMessage, unknown>;
}

export class Miner {
  /** Everything that changes the chain or runs the EVM goes through here, one task at a time. */
  readonly queue = new SerialQueue();
  private modeValue: MiningMode = { type: 'instant' };
  /** Stops interval mining's timer (src/mining/every.ts), while it runs. */
  private stopTimer: (() => void) | undefined;
  /** Interval mining's tipset, from its tick until it is mined (or fails). */
  private intervalTipset: Promise<unknown> | undefined;
  /** A base fee for the next tipset (anvil_setNextBlockBaseFeePerGas), instead of the rule's. */
  nextBaseFee: bigint | undefined;
  /** An instant-mining run that is queued but has not started: later messages join it. */
  private queuedInstant: Promise<ProducedTipset> | undefined;
  /** The messages whose sends wait for `queuedInstant`. */
  private waitingInstant: PendingMessage[] = [];
  /** Holds on instant mining (holdInstantMining, joinHold), the batches' among them, and what runs once the last is released. */
  private holds = 0;
  private batchHolds = 0;
  private afterHolds: (() => void)[] = [];

  constructor(private readonly deps: MinerDeps) {
    deps.mempool.onReady = (pending) => this.messageReady(pending);
  }

  get mode(): MiningMode {
    return this.modeValue;
  }

  setMode(mode: MiningMode): void {
    this.stopTimer?.();
    this.stopTimer = undefined;
    this.modeValue = mode;
    if (mode.type === 'interval') {
      this.stopTimer = every(mode.blockTimeMs, () => this.intervalTick());
    }
  }

  /**
   * Interval mining's tick: a tipset, unless the one the last tick queued is not mined yet. A period
   * shorter than a tipset takes (`--block-time 0.001`, or a heavy tipset) would otherwise queue a
   * tipset a tick for ever: the queue, and every client's wait behind it, would grow without end.
   */
  private intervalTick(): void {
    if (this.intervalTipset) return;
    this.intervalTipset = this.mine()
      .catch(this.deps.onMiningError)
      .finally(() => (this.intervalTipset = undefined));
  }

  /**
   * Mines the messages ready in the pool now, in one tipset, or nothing when none is (instant mining
   * turned back on: they are mined at once, as Anvil does, not with the next send). Called from a
   * task of the queue, it runs in the task after it: the promise must not be awaited there.
   */
  mineReady(): Promise<Tipset> | undefined {
    const { mempool, state, chain } = this.deps;
    const ready = mempool.select(state.at(chain.head.epoch), this.nextBaseFee ?? chain.head.nextBaseFee);
    return ready.length > 0 ? this.mine() : undefined;
  }

  /** Mines one tipset now, whatever the mode, with every ready message. */
  mine(): Promise<Tipset> {
    return this.queue.run(async () => (await this.produceTipset()).tipset);
  }

  /**
   * What the instant-mining tipset queued and not started yet will do with `pending`, a message the
   * pool has just made ready (read in the task that added it): the tipset that takes it, or the error
   * that kept it out (a fork's upstream failing, or its execution throwing: then it left the pool, and
   * its send answers that rather than a hash no receipt will ever come for). Undefined outside instant mode.
   */
  queuedTipsetFor(pending: PendingMessage): Promise<Tipset> | undefined {
    return this.queuedInstant?.then(({ tipset, unfetched, failed }) => {
      if (unfetched.has(pending)) throw unfetched.get(pending);
      if (failed.has(pending)) throw new MessageDroppedError(pending.cid.toString(), failed.get(pending));
      return tipset;
    });
  }

  /**
   * Holds instant mining until the returned release is called: the messages made ready meanwhile wait
   * and then go into one tipset. A JSON-RPC batch (or a WebSocket message) that gives other clients
   * a turn while starting its requests holds it, so that its sends still mine together, in the
   * tipset they would have shared had it started them all at once (Dispatcher.handleBatch). A tipset
   * waits only for the holds taken before its messages were ready: a hold asked for while one waits
   * is taken once that tipset is queued (as a batch started at once would have come after it), so
   * clients whose batches follow each other cannot keep the tipset waiting.
   */
  holdInstantMining(): Promise<() => void> {
    if (this.afterHolds.length > 0) return new Promise((resolve) => this.afterHolds.push(() => resolve(this.holdInstantMining())));
    return Promise.resolve(this.takeHold(true));
  }

  /**
   * A send that starts while a hold is taken and no tipset waits for it (a batch's node-signed send,
   * which estimates and signs before its message reaches the pool) holds instant mining too, until
   * the release it is given is called once its message is in the pool or refused: so it mines with
   * the batch's other sends rather than alone after them (readme1 M5). A tipset that already waits
   * takes it only while a batch it waits for is still starting its requests: a batch that yields to
   * other clients (after 10 ms of work, sooner under load) may have sends that were ready before its
   * later ones started, and those must still share their tipset; once the batches' holds are
   * released, a send goes to the next tipset, as in holdInstantMining, so mining cannot starve.
   * Undefined when no hold is taken, or a tipset waits for no batch still starting.
   */
  joinHold(): (() => void) | undefined {
    return this.holds > 0 && (this.afterHolds.length === 0 || this.batchHolds > 0) ? this.takeHold(false) : undefined;
  }

  private takeHold(batch: boolean): () => void {
    this.holds++;
    if (batch) this.batchHolds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (batch) this.batchHolds--;
      if (--this.holds > 0) return;
      for (const run of this.afterHolds.splice(0)) run();
    };
  }

  /**
   * The pool has a message that can run now: in instant mode, a tipset is queued for it (later ones
   * join), once no hold is left. Its sends are answered, so a message the tipset leaves out on a
   * fork's upstream failing (its own, or the whole tipset's) leaves the pool with its send answering
   * the error: it is never mined later.
   */
  private messageReady(pending: PendingMessage): void {
    if (this.modeValue.type !== 'instant') return;
    this.waitingInstant.push(pending);
    this.queueInstantOnce();
  }

  /**
   * Instant mode: a tipset for messages the pool holds ready that no add announced (a sender funded
   * by the last tipset or a cheat code after its later message was held for funds, a run past the
   * block gas limit), as Lotus's next tipset takes them. Not for the senders of those `leftOut` on a
   * fork's failing upstream (their later nonces wait behind them), so that it cannot go on making
   * tipsets for them. Call it from a task of the queue: the tipset runs in a task after it.
   */
  mineWhatIsLeft(leftOut: ReadonlyMap<PendingMessage, unknown> = new Map()): void {
    if (this.modeValue.type !== 'instant' || this.queuedInstant) return;
    const { mempool, state, chain } = this.deps;
    const ready = mempool.select(state.at(chain.head.epoch), this.nextBaseFee ?? chain.head.nextBaseFee);
    if (ready.length === 0) return;
    const held = new Set([...leftOut.keys()].map(senderKey));
    if (ready.some((pending) => !held.has(senderKey(pending)))) this.queueInstantOnce();
  }

  /** Queues the instant-mining tipset unless one is queued, once no hold is left. */
  private queueInstantOnce(): void {
    if (this.queuedInstant) return;
    this.queuedInstant = this.holds === 0 ? this.queueInstant() : new Promise((resolve) => this.afterHolds.push(() => resolve(this.queueInstant())));
    // Whoever waits for it hears of a failure; nobody waiting must not make it an unhandled rejection.
    this.queuedInstant.catch(() => undefined);
  }

  /** Queues the instant-mining tipset of the messages waiting for it. */
  private queueInstant(): Promise<ProducedTipset> {
    return this.queue.run(async () => {
      this.queuedInstant = undefined;
      const waiting = this.waitingInstant;
      this.waitingInstant = [];
      try {
        const produced = await this.produceTipset();
        this.deps.mempool.remove(waiting.filter((message) => produced.unfetched.has(message)));
        this.mineWhatIsLeft(produced.unfetched);
        return produced;
      } catch (error) {
        this.deps.mempool.remove(waiting);
        throw error;
      }
    });
  }

  /**
   * Advances the chain by `epochs` (≥ 1) in one step: the epochs before the last are null rounds, at
   * which only the cron work due runs (each piece at its own epoch; an epoch with none costs nothing),
   * and a tipset with every ready message is mined at the last, its parent the head. Timestamps go on
   * as the run's interval says (Clock.epochTimestamps).
   */
  mineAfterNullRounds(epochs: number, run?: RunInterval): Promise<Tipset> {
    return this.queue.run(async () => {
      const parent = this.deps.chain.head;
      const timestampOf = this.deps.clock.epochTimestamps(parent.timestamp, run);
      const last = parent.epoch + epochs;
      // As in Lotus, null-round cron runs under the base fee of the tipset that follows them.
      const baseFee = this.nextBaseFee ?? parent.nextBaseFee;
      const start = this.deps.state.snapshot();
      try {
        await this.runNullRounds(parent.epoch, last, (epoch) => this.context(epoch, timestampOf(epoch - parent.epoch), baseFee));
        return (await this.produceTipset({ epoch: last, timestamp: timestampOf(epochs) })).tipset;
      } catch (error) {
        // A fork's upstream failed partway (or a devnet bug): the null rounds' commits are undone, so
        // the node stays at its head with its state and mines again from there (unless the tipset
        // itself got on the chain, and what threw came after it).
        if (this.deps.chain.head === parent) this.deps.state.revert(start);
        throw error;
      }
    });
  }

  /**
   * Mines a tipset on the head holding `messages` (anvil_reorg's new blocks), not the pool's, at the
   * next epoch and the clock's next timestamp. Call it only from a task of the queue. A message that
   * a fork's upstream failed to give state for is not mined: that error is thrown, the tipset mined.
   */
  async mineWith(messages: PendingMessage[]): Promise<Tipset> {
    const { tipset, unfetched } = await this.produceTipset(undefined, messages);
    if (unfetched.size > 0) throw unfetched.values().next().value;
    return tipset;
  }

  stop(): void {
    this.stopTimer?.();
  }

  /**
   * Runs scheduled work that fell due at past epochs without running then (on a fork, the deadline
   * closes of a forked miner before the fork first read it), each entry in the context of its own
   * epoch, on the head's state after `prepare`, and writes the result as an edit of the head's state
   * (no tipset). `due` names the entries up to the epoch of the state's head (with none, nothing is
   * written). Call it only from a task of the queue. Returns the state's write that holds the result;
   * on an error (a fork's upstream failing) nothing is written.
   */
  async runLate(due: (head: number) => readonly (readonly [number, CronEntry])[], prepare: (overlay: StateOverlay) => void): Promise<number> {
    const { state, chain, executor } = this.deps;
    const { epoch: head, write } = state.snapshot();
    const entries = due(head);
    if (entries.length === 0) return write;
    const overlay = state.stage();
    await this.untilFetched(overlay, async () => prepare(overlay));
    for (const [epoch, entry] of entries) {
      // The context of the tipset that ran that epoch's cron, or followed it after null rounds.
      const { timestamp, baseFee } = chain.atOrAfter(epoch) ?? chain.head;
      const failures = await this.untilFetched(overlay, () => executor.runCronEntries(overlay, this.context(epoch, timestamp, baseFee), [entry]));
      for (const { actor, error } of failures) this.deps.onCronError(epoch, actor, error);
    }
    state.commit(overlay, head);
    return state.snapshot().write;
  }

  /** The context of everything that runs at `epoch`; calls' contexts have its fields in its order (replay.ts tipsetContext says why). */
  private context(epoch: number, timestamp: number, baseFee: bigint): ExecutionContext {
    const { chain } = this.deps;
    // Computed once per tipset, when a sector is onboarded.
    const figure = this.vmCirculatingSupply(() => this.deps.state.at(epoch - 1), epoch);
    let supply: bigint | undefined;
    const circulatingSupply = figure && (() => (supply ??= figure().circulating));
    return { epoch, timestamp, chainId: this.deps.chainId, baseFee, seed: this.deps.seed, tipsetHash: (e) => chain.hashAt(e), circulatingSupply, codes: this.deps.codes?.() };
  }

  /**
   * How to compute the VM's circulating supply that actors at `height` get, running on the state
   * `parentState` reads (the chain's at the epoch before, or a dropped tipset's kept state): every
   * actor's part summed; on a fork, whose upstream actors are not all at hand, the upstream's own
   * figure at the fork point moved by the fork's work, or none (undefined) if the upstream served no
   * figure (a gateway does not).
   */
  vmCirculatingSupply(parentState: () => StateReader, height: number): (() => VmCirculatingSupply) | undefined {
    const { state } = this.deps;
    if (!state.fetches) {
      return () => {
        const parent = parentState();
        return vmCirculatingSupply(parent, circulatingSupplyOf(parent, height));
      };
    }
    const base = this.deps.forkSupply?.();
    return base && (() => forkedVmCirculatingSupply(parentState(), state.at(base.epoch), base.supply));
  }

  /**
   * Runs the cron work due at the null rounds after epoch `after` and before `before`, jumping from
   * one due epoch to the next; each epoch's work is written to the state as that epoch.
   */
  private async runNullRounds(after: number, before: number, contextAt: (epoch: number) => ExecutionContext): Promise<void> {
    const { state, executor } = this.deps;
    for (let done = after; ; ) {
      const overlay = state.stage();
      // A fork learns the upstream's schedule on first need.
      const due = await this.untilFetched(overlay, async () => nextCronEpoch(overlay));
      // Work enrolled for an epoch already run (or for the current one, while it ran) is due at the next.
      const epoch = due === undefined ? before : Math.max(due, done + 1);
      if (epoch >= before) return;
      const failures = await this.untilFetched(overlay, async () => {
        // On a fork, the null epochs before this one move the power actor's smoothed power and the reward actor's State on, then this
        // epoch's cron; epoch by epoch only near the run's end (kpiThrough), however many pieces it has.
        // The run ends at before - 1, where the tipset's own update (kpiThrough's default window) counts from too.
        const exactFrom = before - EXACT_KPI_EPOCHS;
        epochTickEnd(overlay, epoch - 1, exactFrom);
        const entries = await executor.runCron(overlay, contextAt(epoch));
        epochTickEnd(overlay, epoch, exactFrom);
        return entries;
      });
      for (const { actor, error } of failures) this.deps.onCronError(epoch, actor, error);
      state.commit(overlay, epoch);
      done = epoch;
    }
  }

  /**
   * Runs `work` (the block reward, cron) on `overlay` until it reads no fork state the source has not
   * fetched: what is missing is fetched, and `work` runs again on the overlay as it was before it.
   */
  private async untilFetched<T>(overlay: StateOverlay, work: () => Promise<T>): Promise<T> {
    for (;;) {
      const mark = overlay.checkpoint();
      try {
        const value = await work();
        overlay.commit();
        return value;
      } catch (error) {
        overlay.revertTo(mark);
        if (!(await this.deps.state.fetchMissing(error))) throw error;
      }
    }
  }

  /**
   * Mines a tipset on the head: at the next epoch and the clock's next timestamp unless `at` says
   * otherwise, with the ready messages of the pool unless `messages` names them. A message whose fetch
   * of fork state fails (the upstream failing) is left out, and its sender held, as a message that
   * throws is; it stays in the pool, and `unfetched` says why.
   */
  private async produceTipset(at?: { epoch: number; timestamp: number }, messages?: PendingMessage[]): Promise<ProducedTipset> {
    const { state, chain, mempool, executor } = this.deps;
    const parent = chain.head;
    const epoch = at?.epoch ?? parent.epoch + 1;
    const timestamp = at?.timestamp ?? this.deps.clock.nextTipsetTimestamp(parent.timestamp);
    // The cheat codes keep the chain inside these (Cheats' checkReach): a tipset past them is refused, whatever asked for it.
    if (!(epoch <= Number.MAX_SAFE_INTEGER && timestamp <= LAST_TIMESTAMP)) throw new DevnetError(`cannot mine a tipset at epoch ${epoch}, timestamp ${timestamp}: past the last epoch (2^53 - 1) or timestamp (${LAST_TIMESTAMP}) this node can mine`);
    // Lotus computes a tipset's base fee from its parent's, whatever null rounds lie between.
    const ctx = this.context(epoch, timestamp, this.nextBaseFee ?? parent.nextBaseFee);
    const base = state.snapshot().write;
    const overlay = state.stage();
    // On a fork, the crons of the null epochs before this tipset (Lotus runs them before its messages)
    // move the power actor's smoothed power and the reward actor's State on; the block reward then pays what the last of them computed.
    epochTickEnd(overlay, epoch - 1);
    const selected = blsFirst(messages ?? mempool.select(overlay, ctx.baseFee));
    const included: IncludedMessage[] = [];
    const done: PendingMessage[] = [];
    /** Senders whose message was left out: their later nonces wait in the pool for the gap to fill. */
    const held = new Set<string>();
    const unfetched = new Map<PendingMessage, unknown>();
    // Held until the tipset is mined (one hold for all its messages): a tipset built again prints and
    // reports only once.
    const consoleLines: string[] = [];
    const failed = new Map<PendingMessage, unknown>();
    /** Set when a fetch wrote the head's state mid-tipset: the tipset is built again on it. */
    let buildAgain = false;
    const releaseConsole = executor.holdConsole(consoleLines);
    try {
      messages: for (const pending of selected) {
        // A sender's key (a hex string) is made only once some sender is held.
        if (held.size > 0 && held.has(senderKey(pending))) continue;
        // A throw must not wedge the chain: undo that message's changes and go on without it. A fork's
        // state not fetched yet is fetched, and the message runs again on the state before it (its
        // console.log lines kept once, for the run that counts: a run that throws has its cut).
        for (;;) {
          const mark = overlay.checkpoint();
          const printed = consoleLines.length;
          try {
            const receipt = await executor.applyMessage(overlay, pending.signed.message, pending.chainSize, ctx);
            overlay.commit();
            included.push({ cid: pending.cid, signed: pending.signed, ethTx: pending.ethTx, receipt, index: included.length });
            done.push(pending);
          } catch (error) {
            overlay.revertTo(mark);
            consoleLines.length = printed;
            let fetched: boolean;
            try {
              fetched = await this.deps.state.fetchMissing(error);
            } catch (upstreamError) {
              held.add(senderKey(pending));
              unfetched.set(pending, upstreamError);
              break;
            }
            if (fetched) {
              // A forked miner read for the first time caught up on the head's state (its missed deadline
              // closes, devnet/fork/fork-source.ts): the tipset is built again on top of that.
              buildAgain = state.snapshot().write !== base;
              if (buildAgain) break messages;
              continue;
            }
            held.add(senderKey(pending));
            done.push(pending);
            failed.set(pending, error);
          }
          break;
        }
      }
    } finally {
      releaseConsole();
    }
    if (buildAgain) return this.produceTipset(at, messages);
    // The block's winner, elected on the states before this tipset (election.ts), is paid its reward;
    // cron runs after the messages, as at the end of every Filecoin epoch; on a fork the power
    // actor's part of it then moves its smoothed power and the reward actor's State on.
    const { winner, cronFailures } = await this.untilFetched(overlay, async () => {
      const elected = electWinner(chain, state, parent, epoch);
      if (elected !== undefined) await executor.awardBlockReward(overlay, ctx, elected);
      const failures = await executor.runCron(overlay, ctx);
      epochTickEnd(overlay, epoch);
      return { winner: elected, cronFailures: failures };
    });
    for (const { actor, error } of cronFailures) this.deps.onCronError(epoch, actor, error);
    // The header names the miner the block reward went to, as a Lotus block names its winner (who ApplyBlocks rewards).
    const edit = parentEdit((e) => state.editAt(e), parent);
    const tipset = buildTipset({ epoch, timestamp: ctx.timestamp, baseFee: ctx.baseFee, parent, messages: included, miner: winner, edit, roots: chain.rootsAt(epoch) });
    // State, chain and pool change together, with no await in between: readers never see half a tipset.
    state.commit(overlay, epoch);
    chain.append(tipset);
    // Used up only by a tipset that got mined: one that failed leaves it for the next.
    this.nextBaseFee = undefined;
    this.deps.clock.reached(timestamp);
    mempool.remove(done);
    mempool.prune(state.at(epoch));
    executor.printConsole(consoleLines);
    for (const [pending, error] of failed) this.deps.onMessageError(pending, error);
    this.deps.onTipset(tipset);
    return { tipset, unfetched, failed };
  }
}

/** The key of a message's sender in a tipset's set of held senders. */
function senderKey(pending: PendingMessage): string {
  return pending.signed.message.from.key;
}

/**
 * The selected messages in the order a tipset of one block runs and lists them: its BLS messages, then
 * the others (secp256k1 and delegated), each in selection order (lotus chain/consensus/common.go
 * CreateBlockHeader splits the selection so; chain/store/messages.go MessagesForTipset, at b835fab70).
 * A sender's messages all have its signature type, so its nonces stay in order.
 */
function blsFirst(selected: PendingMessage[]): PendingMessage[] {
  const isBls = (pending: PendingMessage) => pending.signed.signature.type === SigType.BLS;
  if (!selected.some(isBls)) return selected;
  return [...selected.filter(isBls), ...selected.filter((pending) => !isBls(pending))];
}
