// The message pool: pending messages per sender in nonce order, checked with Lotus's rules and
// wording (chain/messagepool/messagepool.go) before they are accepted.
import type { CID } from '../common/cbor.js';
import { MessageRejectedError } from '../common/errors.js';
import { bytesToHex } from '../common/hex.js';
import { formatFil } from '../common/units.js';
import { canSend } from '../fevm/actor.js';
import { actorNotFound, resolveAddress } from '../fevm/actors/lifecycle.js';
import type { EthTransaction } from '../fevm/eth-tx.js';
import { TOTAL_FILECOIN } from '../fevm/actors/market/policy.js';
import { BLOCK_GAS_LIMIT } from '../fevm/gas.js';
import { encodeSignedMessage, messageCid, SigType, type SignedMessage } from '../fevm/message.js';
import { onChainMessage } from '../fevm/price-list.js';
import type { StateReader } from '../fevm/state-tree.js';
import { blockInclusionError } from './block-inclusion.js';

export interface PendingMessage {
  cid: CID;
  signed: SignedMessage;
  ethTx?: EthTransaction;
  /** Serialized size, on which chain inclusion is charged. */
  chainSize: number;
}

/** A message Mempool.select takes as pending besides the pool's, and its sender's actor ID. */
export interface Restored {
  senderId: number;
  pending: PendingMessage;
}

/**
 * How Mempool.select reads the pool on the state of a tipset other than the head (Filecoin.MpoolSelect
 * at a key): Lotus keys its pool by the senders' key addresses and reads each in that tipset's state
 * (chain/messagepool/selection.go createMessageChains, GetActorAfter), and takes back as pending the
 * messages a reorg from the head to that tipset reverts.
 */
export interface OffHead {
  /** A pooled sender's actor ID in that state, found by its address; undefined when it has no actor there. */
  senderIdThere: (senderId: number) => number | undefined;
  /** The messages taken back, each in its sender's place at its nonce (over the pool's there). */
  restored: readonly Restored[];
}

/** Lotus's limits for locally pushed messages; an untrusted push (MpoolPushUntrusted) may leave fewer pending per sender. */
const MAX_MESSAGE_SIZE = 64 << 10;
const MAX_PENDING_PER_SENDER = 1000;
const MAX_UNTRUSTED_PENDING_PER_SENDER = 100;
/** Replace-by-fee: the new premium must beat the old by more than 10 %. */
const RBF_NUM = 110n;
const RBF_DENOM = 100n;

/** A pooled message's sender, and its keys in the lookup maps once indexed. */
interface PoolEntry {
  senderId: number;
  cidKey: string | undefined;
  txKey: string | undefined;
}

/** How far the list of messages not indexed yet may outgrow the pool before it drops those gone. */
const UNINDEXED_SLACK = 256;

/** A message a replacement pushed out of the pool, and its sender's actor ID. */
export interface ReplacedMessage {
  pending: PendingMessage;
  senderId: number;
}

/** A sender's run of pending messages as an add walked it (Mempool.knownRuns). */
interface KnownRun {
  stateNonce: number;
  balance: bigint;
  baseFee: bigint | undefined;
  /** The nonce after the run's last message: a gap, or the first message the balance left cannot fund. */
  end: number;
  /** The balance left once the run's messages are reserved (their maxCost) and their values sent. */
  left: bigint;
}


/** The most a message can cost its sender in gas: what the pool's balance checks count. */
const maxCost = (pending: PendingMessage) => BigInt(pending.signed.message.gasLimit) * pending.signed.message.gasFeeCap;

export class Mempool {
  /** Lotus's minimum fee cap (100 attoFIL); anvil_setMinGasPrice raises it. */
  minimumFeeCap = 100n;

  /** A fee cap the node fills in, raised to the minimum if below it: one the pool admits. */
  admittedFeeCap(feeCap: bigint): bigint {
    return feeCap > this.minimumFeeCap ? feeCap : this.minimumFeeCap;
  }
  /** Sender actor ID -> nonce -> message. Keyed by ID, so an f1 sender's messages from its f1 and
   * f0 addresses share one nonce sequence. */
  private readonly bySender = new Map<number, Map<number, PendingMessage>>();
  /** The most each sender's pending messages can cost (gas limit × fee cap, summed): kept as they come and go, not summed per add. */
  private readonly pendingCost = new Map<number, bigint>();
  private readonly entries = new Map<PendingMessage, PoolEntry>();
  /**
   * The same messages by CID and by Ethereum transaction hash, for lookups without a scan; a CID by the
   * hex of its bytes (its base32 text would stay cached on the CID, a rope of a piece per character,
   * for as long as the chain keeps the message). Indexed on the first lookup after they came
   * (`unindexed`), not on add: in instant mode most messages leave the pool, mined, before anyone
   * looks one up, and the hex keys, map entries and their removal cost as much again as the add.
   */
  private readonly byCid = new Map<string, PendingMessage>();
  private readonly byTxHash = new Map<string, PendingMessage>();
  /** Messages added since the last lookup, some of them gone since (skipped when indexed). */
  private unindexed: PendingMessage[] = [];
  /**
   * The messages replacements pushed out, in the order they were, and by the hex of their CID: Lotus
   * puts every message its pool takes in its blockstore (messagepool.go addLocked), which keeps them
   * all, across restarts too, so a replaced one can still be read and waited for; a --state file
   * keeps them with the chain (`replacedSince`, `keepReplaced`).
   */
  private readonly replacedLog: ReplacedMessage[] = [];
  private readonly replaced = new Map<string, ReplacedMessage>();
  /** The replaced Ethereum transactions by the hex of their hash (Lotus's chain index keeps the hash of every one it was sent). */
  private readonly replacedTxs = new Map<string, PendingMessage>();
  /** The hex of a secp or delegated pending or replaced message's unsigned CID, made when a lookup by one first reads it (getByUnsignedCid). */
  private readonly unsignedKeys = new WeakMap<PendingMessage, string>();
  /**
   * Each sender's run as its last add found it (takenAfterAdd): the state nonce, balance and base fee
   * it was walked at, the nonce after its last message, and the balance its messages leave; every
   * message in it pays the base fee. Forgotten when one of the sender's messages leaves the pool.
   */
  private readonly knownRuns = new Map<number, KnownRun>();
  /** Called with a message that joins the pool able to run now (no nonce gap before it): the miner's cue, set by the miner. */
  onReady: (pending: PendingMessage) => void = () => {};

  /**
   * The rules a message must meet whatever the state, or throws with the first it breaks: Lotus's
   * checkMessage but its last, the signature, which a submitter checks after these (submission.ts) as
   * Lotus does (chain/messagepool/messagepool.go at b835fab70).
   */
  checkMessage(pending: PendingMessage): void {
    const { signed } = pending;
    const msg = signed.message;
    // The signed message's size (SignedMessage.Size), a BLS one's signature too, which its chain size leaves out.
    const size = signed.signature.type === SigType.BLS ? encodeSignedMessage(signed).length : pending.chainSize;
    if (size > MAX_MESSAGE_SIZE) throw new MessageRejectedError(`mpool message too large (${size}B): message too big`);
    const invalid = blockInclusionError(msg);
    if (invalid) throw new MessageRejectedError(`message not valid for block inclusion: ${invalid}`);
    // All the FIL there will ever be (what ValidForBlockInclusion lets through by being equal).
    if (msg.value >= TOTAL_FILECOIN) throw new MessageRejectedError('cannot send more filecoin than will ever exist');
    if (msg.gasFeeCap < this.minimumFeeCap) throw new MessageRejectedError('gas fee cap too low');
    // Nonces are JavaScript numbers here, exact up to 2^53 - 1: as EIP-2681 keeps an account's nonce
    // below 2^64 - 1, a message may not take the sender's nonce to a number this node cannot count.
    if (!(msg.nonce < Number.MAX_SAFE_INTEGER)) throw new MessageRejectedError(`nonce has max value: ${msg.nonce} is the last nonce this node can count to (2^53 - 1); no message can follow it`);
  }

  /**
   * Checks a message against the state it would run on and queues it, or throws with Lotus's reason.
   * Call it from the miner's queue: the pool is chain state. Whether it can run now: no nonce gap
   * before it; with `baseFee` (the next tipset's), also that tipset's producer takes it (see select).
   * `untrusted`: pushed as Lotus's MpoolPushUntrusted pushes (its gateway's sends), with its lower
   * cap on a sender's pending messages (chain/messagepool/messagepool.go msgSet.add). `checked`: the
   * submitter ran checkMessage already (MpoolPush does, before the signature), so it is not run again.
   */
  add(pending: PendingMessage, state: StateReader, baseFee?: bigint, untrusted = false, checked = false): boolean {
    const msg = pending.signed.message;
    // In Lotus's order: message validity (checkMessage), then the state-dependent checks (addTs).
    if (!checked) this.checkMessage(pending);
    // Lotus's addTs looks the sender's nonce up first: a sender with no actor fails there.
    const sender = resolveAddress(state, msg.from);
    if (!sender) throw new MessageRejectedError(`failed to look up actor state nonce: ${actorNotFound(msg.from)}: validation failure`);
    const stateNonce = sender.nonce;
    if (msg.nonce < stateNonce) {
      throw new MessageRejectedError(`minimum expected nonce is ${stateNonce}, got ${msg.nonce}: message nonce too low`);
    }
    if (!canSend(sender)) {
      throw new MessageRejectedError(`sender actor ${msg.from.toString()} is not a valid top-level sender`);
    }
    // Lotus's pool minimum, its OnChainMessage, is the FVM's inclusion charge since nv18 (gas.ts
    // onChainMessageCharge); Lotus checks it after the sender (verifyMsgBeforeAdd), as
    // ValidForBlockInclusion again, the other rules passed above.
    const tooLittle = blockInclusionError(msg, onChainMessage(pending.chainSize));
    if (tooLittle) throw new MessageRejectedError(`verify msg failed: message will not be included in a block: ${tooLittle}`);

    const balance = sender.balance;
    const required = BigInt(msg.gasLimit) * msg.gasFeeCap;
    if (balance < required) {
      throw new MessageRejectedError(
        `failed to check balance: not enough funds (required: ${formatFil(required)}, balance: ${formatFil(balance)}): not enough funds to execute transaction`,
      );
    }
    const senderId = sender.id;
    const queue = this.bySender.get(senderId) ?? new Map<number, PendingMessage>();
    const existing = queue.get(msg.nonce);
    // The others: a message this one replaces does not count.
    const pendingCost = (this.pendingCost.get(senderId) ?? 0n) - (existing ? maxCost(existing) : 0n);
    if (balance < required + pendingCost) {
      throw new MessageRejectedError(
        `failed to check balance: not enough funds including pending messages (required: ${formatFil(required + pendingCost)}, balance: ${formatFil(balance)}): validation failure`,
      );
    }

    if (existing) {
      const who = `message from ${msg.from.toString()} with nonce ${msg.nonce} already in mpool`;
      if (existing.cid.equals(pending.cid)) throw new MessageRejectedError(`failed to add locked: ${who}: message with nonce already exists`);
      const minPremium = (existing.signed.message.gasPremium * RBF_NUM) / RBF_DENOM + 1n;
      if (msg.gasPremium < minPremium) {
        throw new MessageRejectedError(
          `failed to add locked: ${who}, increase GasPremium to ${minPremium} from ${msg.gasPremium} to trigger replace by fee: replace by fee has too low GasPremium`,
        );
      }
    } else if (queue.size >= (untrusted ? MAX_UNTRUSTED_PENDING_PER_SENDER : MAX_PENDING_PER_SENDER)) {
      throw new MessageRejectedError('failed to add locked: too many pending messages for actor');
    }
    if (existing) {
      this.unindex(existing);
      this.keepReplaced({ pending: existing, senderId });
    }
    queue.set(msg.nonce, pending);
    this.pendingCost.set(senderId, pendingCost + required);
    this.entries.set(pending, { senderId, cidKey: undefined, txKey: undefined });
    this.unindexed.push(pending);
    this.bySender.set(senderId, queue);
    const ready = msg.nonce < stateNonce + this.takenAfterAdd(senderId, queue, stateNonce, balance, baseFee, msg.nonce);
    if (ready) this.onReady(pending);
    return ready;
  }

  /**
   * How many of a sender's pending messages from its state nonce the next tipset takes (takenCount of
   * runFrom's run), once the message at nonce `added` has joined its queue. One at the end of the run
   * the sender's last add left (a new message, or one that replaces the message the balance stopped
   * that run at), at the same state nonce, balance and base fee, walks on from there rather than from
   * the state nonce, and one past that end leaves the run as it was: a pipelined sender's adds between
   * two tipsets would otherwise each walk the whole run (its maxCost and balance arithmetic, a few
   * bigints a message).
   */
  private takenAfterAdd(senderId: number, queue: Map<number, PendingMessage>, stateNonce: number, balance: bigint, baseFee: bigint | undefined, added: number): number {
    const known = this.knownRuns.get(senderId);
    const sameRun = known !== undefined && known.stateNonce === stateNonce && known.balance === balance && known.baseFee === baseFee;
    // Past the run's end (a batch's requests read out of order): the run still stops where it did.
    if (sameRun && added > known.end) return known.end - stateNonce;
    const onKnown = sameRun && known.end === added;
    let end = onKnown ? known.end : stateNonce;
    let left = onKnown ? known.left : balance;
    for (let next = queue.get(end); next; next = queue.get(++end)) {
      // A fee cap under the base fee: the tipset's producer weighs the run (takenCount's reward chains).
      if (baseFee !== undefined && next.signed.message.gasFeeCap < baseFee) {
        this.knownRuns.delete(senderId);
        return takenCount(this.runFrom(queue, stateNonce, balance), baseFee);
      }
      const required = maxCost(next);
      if (left < required) break;
      left -= required + next.signed.message.value;
    }
    this.knownRuns.set(senderId, { stateNonce, balance, baseFee, end, left });
    return end - stateNonce;
  }

  /** The pending message with this CID. */
  getByCid(cid: CID): PendingMessage | undefined {
    this.index();
    return this.byCid.get(bytesToHex(cid.bytes));
  }

  /** A message a replacement pushed out of the pool, by its CID. */
  getReplaced(cid: CID): ReplacedMessage | undefined {
    return this.replaced.get(bytesToHex(cid.bytes));
  }

  /**
   * The secp or delegated message, pending or pushed out by a replacement, whose unsigned CID is `cid`:
   * Lotus's pool puts that form in its blockstore too as it takes the message (lotus b835fab70
   * chain/messagepool/messagepool.go:981-987 addLocked), so its GetCMessage reads it before any
   * tipset includes the message. A walk of the pool and the replaced messages, each hashed on the
   * first walk that reads it. A message's own CID finds none: a BLS message's is its unsigned one,
   * which the walk skips (another message of the same fields has the same BLS From, so no other
   * signature), and another's is the CID of the signed envelope (a CBOR array of two, the message and
   * its signature), where an unsigned CID's is of the message alone (an array of ten).
   */
  getByUnsignedCid(cid: CID): PendingMessage | undefined {
    const key = bytesToHex(cid.bytes);
    for (const pending of this.entries.keys()) if (this.unsignedKey(pending) === key) return pending;
    for (const { pending } of this.replacedLog) if (this.unsignedKey(pending) === key) return pending;
    return undefined;
  }

  /** The hex of a message's unsigned CID; undefined for a BLS message, whose CID is that one. */
  private unsignedKey(pending: PendingMessage): string | undefined {
    if (pending.signed.signature.type === SigType.BLS) return undefined;
    let key = this.unsignedKeys.get(pending);
    if (key === undefined) this.unsignedKeys.set(pending, (key = bytesToHex(messageCid(pending.signed.message).bytes)));
    return key;
  }

  /** A replaced Ethereum transaction, by its hash. */
  getReplacedTx(hash: Uint8Array): PendingMessage | undefined {
    return this.replacedTxs.get(bytesToHex(hash));
  }

  /** Keeps a message a replacement pushed out (one kept already, by its CID, stays as it is): on add, and as a saved chain holds them. */
  keepReplaced(message: ReplacedMessage): void {
    const key = bytesToHex(message.pending.cid.bytes);
    if (this.replaced.has(key)) return;
    this.replaced.set(key, message);
    this.replacedLog.push(message);
    if (message.pending.ethTx) this.replacedTxs.set(bytesToHex(message.pending.ethTx.hash), message.pending);
  }

  /** The replaced messages kept, in the order they were replaced, from the `from`-th on. */
  replacedSince(from = 0): ReplacedMessage[] {
    return this.replacedLog.slice(from);
  }

  /** How many replaced messages are kept. */
  get replacedCount(): number {
    return this.replacedLog.length;
  }

  /** Forgets the replaced messages after the first `keep` (anvil_reset, a replaced chain: all, as the chain they were sent to is gone). */
  forgetReplaced(keep = 0): void {
    for (const { pending } of this.replacedLog.splice(keep)) {
      this.replaced.delete(bytesToHex(pending.cid.bytes));
      if (pending.ethTx) this.replacedTxs.delete(bytesToHex(pending.ethTx.hash));
    }
  }

  /** Whether the message with this CID, or one that replaced it, is waiting in the pool. */
  stillPending(cid: CID): boolean {
    if (this.getByCid(cid)) return true;
    const replaced = this.getReplaced(cid);
    return replaced !== undefined && this.bySender.get(replaced.senderId)?.has(replaced.pending.signed.message.nonce) === true;
  }

  /** The pending Ethereum transaction with this hash. */
  getByTxHash(hash: Uint8Array): PendingMessage | undefined {
    this.index();
    return this.byTxHash.get(bytesToHex(hash));
  }

  /** Indexes the messages added since the last lookup that are still in the pool. */
  private index(): void {
    for (const pending of this.unindexed) {
      const entry = this.entries.get(pending);
      if (!entry || entry.cidKey !== undefined) continue;
      entry.cidKey = bytesToHex(pending.cid.bytes);
      this.byCid.set(entry.cidKey, pending);
      if (pending.ethTx) this.byTxHash.set((entry.txKey = bytesToHex(pending.ethTx.hash)), pending);
    }
    this.unindexed = [];
  }

  /**
   * The messages that can run now, in order: each sender's run of consecutive nonces from its state
   * nonce that its balance can fund (runFrom), within the block gas limit. A nonce gap holds back
   * everything after it. With `baseFee` (a
   * tipset's), what Lotus's block producer takes at that base fee, in its order (rewardChains): the
   * senders' chains by gas reward per gas, highest first (a tie by total gas reward, as Lotus's
   * msgChain.Before, then in arrival order), a sender's nonces
   * in order; without, the runs in the order their senders reached the pool (txpool_*'s ready set).
   * With `offHead`, on the state of a tipset other than the head (OffHead).
   */
  select(state: StateReader, baseFee?: bigint, offHead?: OffHead): PendingMessage[] {
    const runs: [number, PendingMessage[]][] = [];
    for (const [senderId, queue] of offHead ? this.queuesOffHead(offHead) : this.bySender) {
      const sender = state.getActor(senderId);
      if (!sender) continue;
      const run = this.runFrom(queue, sender.nonce, sender.balance);
      if (run.length > 0) runs.push([senderId, run]);
    }
    // One sender (instant mining's usual tipset) needs no order: only how much of its run is taken.
    const ordered = baseFee !== undefined && runs.length > 1;
    const chains: RewardChain[] = [];
    for (const [senderId, run] of runs) {
      if (!ordered) chains.push({ senderId, run, start: 0, length: takenCount(run, baseFee), reward: 0, gasLimit: 0, perf: 0 });
      else if (run.length > 1) chains.push(...rewardChains(senderId, run, baseFee));
      else {
        const chain = messageChain(senderId, run, 0, baseFee);
        if (chain.reward >= 0) chains.push(chain);
      }
    }
    // Array.prototype.sort is stable: chains equal in both keep their senders' arrival order.
    if (ordered) chains.sort((a, b) => b.perf - a.perf || b.reward - a.reward);
    const selected: PendingMessage[] = [];
    /** Senders a message of which did not fit: their later nonces cannot run either (Lotus trims the chain). */
    const cut = new Set<number>();
    let gas = 0;
    for (const { senderId, run, start, length } of chains) {
      if (cut.has(senderId)) continue;
      for (let i = start; i < start + length; i++) {
        const next = run[i];
        if (gas + next.signed.message.gasLimit > BLOCK_GAS_LIMIT) {
          cut.add(senderId);
          break;
        }
        gas += next.signed.message.gasLimit;
        selected.push(next);
      }
    }
    return selected;
  }

  /** The pool's queues by their senders' IDs in another state, with `restored` in them: the senders it changes copied, those it brings last. */
  private queuesOffHead({ senderIdThere, restored }: OffHead): Map<number, Map<number, PendingMessage>> {
    const queues = new Map<number, Map<number, PendingMessage>>();
    for (const [senderId, queue] of this.bySender) {
      const there = senderIdThere(senderId);
      if (there !== undefined) queues.set(there, queue);
    }
    const copied = new Set<number>();
    for (const { senderId, pending } of restored) {
      if (!copied.has(senderId)) {
        queues.set(senderId, new Map(queues.get(senderId)));
        copied.add(senderId);
      }
      queues.get(senderId)!.set(pending.signed.message.nonce, pending);
    }
    return queues;
  }

  /**
   * A sender's run of consecutive nonces from `nonce`, up to the first message whose gas reserve
   * `balance` no longer covers once the earlier ones' reserves and values are spent (Lotus's
   * createMessageChains, chain/messagepool/selection.go: the pool admits a message on reserves
   * alone, so a later one may not fit; the producer leaves it pending).
   */
  private runFrom(queue: Map<number, PendingMessage>, nonce: number, balance: bigint): PendingMessage[] {
    const run: PendingMessage[] = [];
    let left = balance;
    for (let next = queue.get(nonce); next; next = queue.get(++nonce)) {
      const required = maxCost(next);
      if (left < required) break;
      left -= required + next.signed.message.value;
      run.push(next);
    }
    return run;
  }

  /** Drops messages a tipset has taken (whether they succeeded or not). */
  remove(messages: PendingMessage[]): void {
    for (const pending of messages) {
      const entry = this.entries.get(pending);
      if (entry) this.drop(entry.senderId, this.bySender.get(entry.senderId)!, pending);
    }
  }

  /** Drops what the state has moved past: included messages, and any left with a stale nonce. */
  prune(state: StateReader): void {
    for (const [senderId, queue] of this.bySender) {
      const stateNonce = state.getActor(senderId)?.nonce ?? 0;
      for (const [nonce, pending] of queue) {
        if (nonce < stateNonce) this.drop(senderId, queue, pending);
      }
    }
  }

  /** The nonce a sender's next message should carry, counting its pending run (Lotus MpoolGetNonce). */
  nextNonce(senderId: number, stateNonce: number): number {
    const queue = this.bySender.get(senderId);
    let nonce = stateNonce;
    while (queue?.has(nonce)) nonce++;
    return nonce;
  }

  /**
   * The state went back to a snapshot (evm_revert): the pool stays, as Anvil's does, but for the
   * messages whose sender is no longer the actor they were queued for (created after the snapshot:
   * its ID may go to another actor), or cannot be told without a fork's upstream.
   */
  reverted(state: StateReader): void {
    for (const [senderId, queue] of this.bySender) {
      for (const pending of queue.values()) {
        if (senderAt(state, pending) !== senderId) this.drop(senderId, queue, pending);
      }
    }
  }

  /**
   * Empties the pool (anvil_reset, anvil_loadState, anvil_dropAllTransactions); the replaced messages
   * stay, as Lotus's MpoolClear leaves its blockstore (`forgetReplaced` forgets them).
   */
  clear(): void {
    this.bySender.clear();
    this.pendingCost.clear();
    this.knownRuns.clear();
    this.entries.clear();
    this.byCid.clear();
    this.byTxHash.clear();
    this.unindexed = [];
  }

  /** A sender's pending messages by nonce (Lotus MessagePool.PendingFor). */
  pendingFor(senderId: number): PendingMessage[] {
    const queue = this.bySender.get(senderId);
    return queue ? [...queue.values()].sort((a, b) => a.signed.message.nonce - b.signed.message.nonce) : [];
  }

  pending(): PendingMessage[] {
    return [...this.bySender.values()].flatMap((queue) => [...queue.values()]);
  }

  get size(): number {
    let n = 0;
    for (const queue of this.bySender.values()) n += queue.size;
    return n;
  }

  /** Takes a message out of its sender's queue (and the sender out of the pool with its last one). */
  private drop(senderId: number, queue: Map<number, PendingMessage>, pending: PendingMessage): void {
    queue.delete(pending.signed.message.nonce);
    this.knownRuns.delete(senderId);
    this.unindex(pending);
    if (queue.size > 0) {
      this.pendingCost.set(senderId, this.pendingCost.get(senderId)! - maxCost(pending));
    } else {
      this.bySender.delete(senderId);
      this.pendingCost.delete(senderId);
    }
  }

  private unindex(pending: PendingMessage): void {
    const entry = this.entries.get(pending)!;
    this.entries.delete(pending);
    if (entry.cidKey !== undefined) this.byCid.delete(entry.cidKey);
    if (entry.txKey !== undefined) this.byTxHash.delete(entry.txKey);
    // Nobody looked a message up for a long while: forget those gone, so the list stays the pool's size.
    if (this.unindexed.length > 2 * this.entries.size + UNINDEXED_SLACK) this.unindexed = this.unindexed.filter((p) => this.entries.has(p));
  }
}

/**
 * Consecutive messages of one sender's run as Lotus's selection weighs them (msgChain): their gas
 * reward, gas limit and reward per gas (gasPerf, a float64 in Lotus too).
 */
interface RewardChain {
  senderId: number;
  run: readonly PendingMessage[];
  start: number;
  length: number;
  /** attoFIL as a double, as Lotus's gasPerf is one: exact below 2^53, its sign always. */
  reward: number;
  gasLimit: number;
  perf: number;
}

/** How many of a sender's run a tipset at `baseFee` takes: all of it without one, or when each message pays the base fee. */
function takenCount(run: readonly PendingMessage[], baseFee: bigint | undefined): number {
  if (baseFee === undefined || run.every((pending) => pending.signed.message.gasFeeCap >= baseFee)) return run.length;
  return rewardChains(0, run, baseFee).reduce((taken, chain) => taken + chain.length, 0);
}

/**
 * A sender's run as Lotus's block producer weighs it at `baseFee` (chain/messagepool/selection.go at
 * b835fab70): cut into chains whose reward per gas does not fall, then merged until each earns more
 * per gas than the next (createMessageChains); the chains up to the first with a negative reward,
 * which selectMessagesOptimal and selectMessagesGreedy take in order of reward per gas (msgChain.Before:
 * gasPerf, then the reward). A message earns min(fee cap − base fee, premium) × gas limit, three times
 * over when negative (getGasReward): one whose fee cap is under the base fee waits in the pool, unless
 * later messages of its sender earn enough to carry it.
 */
function rewardChains(senderId: number, run: readonly PendingMessage[], baseFee: bigint): RewardChain[] {
  const chains: RewardChain[] = [];
  for (let i = 0; i < run.length; i++) {
    const link = messageChain(senderId, run, i, baseFee);
    // Joined, a chain earns no less per gas than before when the new message earns no less (mediants).
    const last = chains.at(-1);
    if (last && link.perf >= last.perf) join(last, link);
    else chains.push(link);
  }
  for (let merged = true; merged; ) {
    merged = false;
    for (let i = chains.length - 1; i > 0; i--) {
      if (chains[i].perf < chains[i - 1].perf) continue;
      join(chains[i - 1], chains[i]);
      chains.splice(i, 1);
      merged = true;
    }
  }
  const negative = chains.findIndex((chain) => chain.reward < 0);
  return negative < 0 ? chains : chains.slice(0, negative);
}

/** The chain of the run's message `i` alone. */
function messageChain(senderId: number, run: readonly PendingMessage[], i: number, baseFee: bigint): RewardChain {
  const { message } = run[i].signed;
  const reward = gasReward(message, baseFee);
  return { senderId, run, start: i, length: 1, reward, gasLimit: message.gasLimit, perf: reward / message.gasLimit };
}

/** Appends chain `b` (the messages after `a`'s) to `a`. */
function join(a: RewardChain, b: RewardChain): void {
  a.length += b.length;
  a.reward += b.reward;
  a.gasLimit += b.gasLimit;
  a.perf = a.reward / a.gasLimit;
}

function gasReward(message: { gasFeeCap: bigint; gasPremium: bigint; gasLimit: number }, baseFee: bigint): number {
  const overBaseFee = message.gasFeeCap - baseFee;
  const reward = Number(overBaseFee < message.gasPremium ? overBaseFee : message.gasPremium) * message.gasLimit;
  return reward < 0 ? reward * 3 : reward;
}

/** The ID of a message's sender in `state`; undefined when it has none, or when a fork's state it needs is not fetched yet. */
function senderAt(state: StateReader, pending: PendingMessage): number | undefined {
  try {
    return resolveAddress(state, pending.signed.message.from)?.id;
  } catch {
    return undefined;
  }
}
