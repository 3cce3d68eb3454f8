// Lotus's payment channel manager (paychmgr: manager.go, simple.go, paych.go, state.go), the node-side
// half of payment channels behind Filecoin.Paych*: it opens and funds channels from the node's keys
// (Init Exec, plain sends), waits for those messages (MessageConfidence epochs; at once in instant
// mode), reserves funds, allocates lanes, makes vouchers signed with the payer's key, checks vouchers
// against the chain's lane states and the ones it holds, and sends UpdateChannelState, Settle and
// Collect from its own side of the channel. Lotus's words in its errors.
//
// Differences: the store lives in memory (a --state restart starts it empty, as a Lotus node with a
// new datastore). A rewind (evm_revert, anvil_rollback, anvil_reorg, anvil_reset) takes back what the
// dropped tipsets did: a channel whose create message is gone is forgotten, an add-funds message's
// amounts, a Settle and a voucher's submission are taken back; vouchers, being off-chain, stay.
// anvil_loadState (a chain replaced) forgets everything.
import { FilAddress } from '../../common/address.js';
import { decodeCbor, encodeBigInt, encodeCbor, type CID } from '../../common/cbor.js';
import { DevnetError } from '../../common/errors.js';
import { attoToFil } from '../../common/units.js';
import type { Actor } from '../../fevm/actor.js';
import { actorNotFound, deterministicAddress, resolveAddress } from '../../fevm/actors/lifecycle.js';
import type { LaneState, PaychState } from '../../fevm/actors/paych/state.js';
import { signedVoucher, voucherSigningBytes, type SignedVoucher, type VoucherExtra } from '../../fevm/actors/paych/voucher.js';
import { signedMessageCid, SigType, type Message, type SignedMessage } from '../../fevm/message.js';
import type { MessageReceipt } from '../../fevm/types.js';
import type { Devnet } from '../devnet.js';
import { verifyWalletSignature } from '../wallet.js';
import { addFundsMessage, collectMessage, createChannelMessage, settleMessage, updateMessage } from './messages.js';
import { CHANNEL_NOT_TRACKED, DIR_INBOUND, DIR_OUTBOUND, fromOf, PaychStore, storedVoucherOf, toOf, type ChannelInfo, type Direction, type StoredVoucher } from './store.js';

/** buildconstants.MessageConfidence: the epochs a create or add-funds message waits for. */
export const MESSAGE_CONFIDENCE = 5;

/** What PaychGet and PaychFund answer: the channel (undefined while its create message is pending) and the message to wait for, if one was sent. */
export interface FundsResult {
  channel?: FilAddress;
  waitSentinel?: CID;
}

/** Lotus's api.ChannelAvailableFunds. */
export interface AvailableFunds {
  channel?: FilAddress;
  from: FilAddress;
  to: FilAddress;
  confirmed: bigint;
  pending: bigint;
  nonReserved: bigint;
  pendingAvailable: bigint;
  pendingWaitSentinel?: CID;
  queued: bigint;
  voucherRedeemed: bigint;
}

/** A voucher to make (PaychVoucherCreate's amount and lane, PaychNewPayment's VoucherSpec). */
export interface VoucherSpec {
  amount: bigint;
  lane: bigint;
  timeLockMin?: number;
  timeLockMax?: number;
  minSettleHeight?: number;
  extra?: VoucherExtra;
}

/** A voucher as the API takes and gives it: its CBOR tuple value, and decoded. */
export interface Voucher {
  readonly value: unknown[];
  readonly voucher: SignedVoucher;
}

/** A PaychGet / PaychFund waiting in its pair's queue (Lotus's fundsReq). */
interface FundsRequest {
  readonly amount: bigint;
  readonly reserve: boolean;
  readonly offChain: boolean;
  resolve(result: FundsResult): void;
  reject(error: unknown): void;
}

/** A pair's funds requests not yet taken, whether its queue is being worked, and the amount of those not completed. */
interface FundsQueue {
  readonly requests: FundsRequest[];
  running: boolean;
  queued: bigint;
}

/** newMergedFundsReq's order: off-chain first, then reserving before not, then by amount, smallest first. */
function lotusOrder(a: FundsRequest, b: FundsRequest): number {
  if (a.offChain !== b.offChain) return a.offChain ? -1 : 1;
  if (a.reserve !== b.reserve) return a.reserve ? -1 : 1;
  return a.amount < b.amount ? -1 : a.amount > b.amount ? 1 : 0;
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);

/** Lotus's ErrInsufficientFunds: the channel's balance does not cover the vouchers. */
class InsufficientFunds extends DevnetError {
  constructor(readonly shortfall: bigint) {
    super(`not enough funds in channel to cover voucher - shortfall: ${shortfall}`);
  }
}

const fail = (message: string): never => {
  throw new DevnetError(message);
};

/** A voucher's value from its decoded form's parts (the tuple go-state-types' SignedVoucher encodes). */
export const voucherOf = (value: unknown[]): Voucher => ({ value, voucher: signedVoucher(value) });

const u64 = (n: bigint): number | bigint => (n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n);

export class PaychManager {
  readonly store = new PaychStore();
  /** Per from/to pair: its funds requests (PaychGet, PaychFund). */
  private readonly fundsQueues = new Map<string, FundsQueue>();
  /** Per channel: the tail of its voucher and lane operations (Lotus's channel lock). */
  private readonly locks = new Map<number, Promise<unknown>>();
  /** Per create / add-funds message: its wait, which resolves (never rejects) once the store has its outcome. */
  private readonly waits = new Map<string, Promise<void>>();

  constructor(
    private readonly devnet: Devnet,
    /** MpoolPushMessage: fills in nonce and gas, signs with the node's key, pushes; the signed message. */
    private readonly push: (message: Message) => Promise<SignedMessage>,
  ) {
    devnet.events.on('rewound', (kind) => (kind === 'replace' ? this.store.clear() : this.takeBackRewound()));
  }

  // --- funds (simple.go) --------------------------------------------------------------------------

  /**
   * Ensures a channel from → to exists and reserves `amount` in it (`reserve`, PaychGet) or adds it as
   * available (PaychFund). The request joins the pair's queue; see processQueue.
   */
  getPaych(from: FilAddress, to: FilAddress, amount: bigint, { reserve, offChain }: { reserve: boolean; offChain: boolean }): Promise<FundsResult> {
    if (!reserve && offChain) fail("can't fund payment channels without on-chain operations");
    const key = pairKey(from, to);
    const queue = this.fundsQueues.get(key) ?? { requests: [], running: false, queued: 0n };
    this.fundsQueues.set(key, queue);
    // Counted as queued until it completes, through any wait for a pending message (Lotus's QueuedAmt).
    queue.queued += amount;
    const done = new Promise<FundsResult>((resolve, reject) => queue.requests.push({ amount, reserve, offChain, resolve, reject })).finally(() => {
      queue.queued -= amount;
    });
    void this.processQueue(from, to, queue);
    return done;
  }

  /**
   * processQueue: while the pair has requests, waits for its pending create / add-funds message if
   * any, then takes every queued request as one (mergedFundsReq): with no channel, one create
   * message for them all; else the reserving ones filled from the channel's available funds, and one
   * add-funds message for the rest. Off-chain requests that cannot be filled fail.
   */
  private async processQueue(from: FilAddress, to: FilAddress, queue: FundsQueue): Promise<void> {
    if (queue.running) return;
    queue.running = true;
    try {
      while (queue.requests.length > 0) {
        let merged: FundsRequest[] = [];
        try {
          const ci = await this.outboundActive(from, to);
          const pending = ci?.createMsg ?? ci?.addFundsMsg;
          if (pending) {
            await this.waits.get(pending.toString());
            continue;
          }
          merged = queue.requests.splice(0).sort(lotusOrder);
          await this.fundMerged(from, to, ci, merged);
        } catch (error) {
          // The failure answers every request it was for; those already answered keep their answer.
          for (const request of merged.length > 0 ? merged : queue.requests.splice(0)) request.reject(error);
        }
      }
    } finally {
      queue.running = false;
    }
  }

  private async fundMerged(from: FilAddress, to: FilAddress, ci: ChannelInfo | undefined, requests: FundsRequest[]): Promise<void> {
    let sum = 0n;
    let available = 0n;
    for (const r of requests) {
      sum += r.amount;
      if (!r.reserve) available += r.amount;
    }
    let next = 0;
    if (!ci) {
      // failOffChainNoChannel: the off-chain requests (first in the order) cannot be met without a channel.
      for (const r of requests) {
        if (!r.offChain) break;
        sum -= r.amount;
        r.reject(new DevnetError(`payment channel doesn't exist, create with 'lotus paych add-funds ${from.toString()} ${to.toString()} ${attoToFil(r.amount)}'`));
        next++;
      }
      if (next === requests.length) return;
      const waitSentinel = await this.createChannel(from, to, sum, available);
      for (const r of requests.slice(next)) r.resolve({ waitSentinel });
      return;
    }
    // completeAvailable: the reserving requests, smallest first, from what is available (at most what they ask).
    const reserved = min(ci.availableAmount, sum - available);
    ci.availableAmount -= reserved;
    let used = 0n;
    let failed = 0n;
    for (const r of requests) {
      if (!r.reserve) break;
      if (r.amount > reserved - used) {
        if (!r.offChain) break;
        failed += r.amount;
        r.reject(
          new DevnetError(
            `not enough funds available in the payment channel ${ci.channel!.toString()}; add funds with 'lotus paych add-funds ${from.toString()} ${to.toString()} ${attoToFil(r.amount)}'`,
          ),
        );
        next++;
        continue;
      }
      used += r.amount;
      r.resolve({ channel: ci.channel });
      next++;
    }
    ci.availableAmount += reserved - used;
    const rest = requests.slice(next);
    const amount = sum - used - failed;
    // Lotus leaves requests of nothing to add queued for ever; here they are answered with the channel.
    if (rest.length === 0 || amount <= 0n) {
      for (const r of rest) r.resolve({ channel: ci.channel });
      return;
    }
    const waitSentinel = await this.addFunds(ci, amount, available);
    for (const r of rest) r.resolve({ channel: ci.channel, waitSentinel });
  }

  private async createChannel(from: FilAddress, to: FilAddress, amount: bigint, available: bigint): Promise<CID> {
    let signed: SignedMessage;
    try {
      signed = await this.push(createChannelMessage(this.devnet.codes.codeOf('paymentchannel'), from, to, amount));
    } catch (error) {
      throw error instanceof DevnetError ? new DevnetError(`initializing paych actor: ${error.message}`) : error;
    }
    const mcid = signedMessageCid(signed);
    const ci = this.store.createChannel(from, to, mcid, amount, available);
    this.watch(mcid, (receipt) => {
      if (receipt.exitCode !== 0) {
        this.store.removeChannel(ci.id);
        return `payment channel creation failed (exit code ${receipt.exitCode})`;
      }
      const [, robust] = decodeCbor<[Uint8Array, Uint8Array]>(receipt.returnData);
      ci.channel = FilAddress.fromBytes(robust);
      ci.amount = ci.pendingAmount;
      ci.availableAmount = ci.pendingAvailableAmount;
      ci.pendingAmount = ci.pendingAvailableAmount = 0n;
      ci.createMsg = undefined;
      return undefined;
    });
    return mcid;
  }

  private async addFunds(ci: ChannelInfo, amount: bigint, available: bigint): Promise<CID> {
    const mcid = signedMessageCid(await this.push(addFundsMessage(ci.control, ci.channel!, amount)));
    ci.pendingAmount = amount;
    ci.pendingAvailableAmount = available;
    ci.addFundsMsg = mcid;
    this.store.saveNewMessage(ci.id, mcid, false, amount, available);
    this.watch(mcid, (receipt) => {
      const ok = receipt.exitCode === 0;
      if (ok) {
        ci.amount += ci.pendingAmount;
        ci.availableAmount += ci.pendingAvailableAmount;
      }
      ci.pendingAmount = ci.pendingAvailableAmount = 0n;
      ci.addFundsMsg = undefined;
      return ok ? undefined : `voucher channel creation failed: adding funds (exit code ${receipt.exitCode})`;
    });
    return mcid;
  }

  /**
   * Waits for a create or add-funds message in the background and records its outcome (`landed`
   * answers the error, if any). A message that leaves the pool unmined (a revert took it) fails its
   * wait: its channel's pending change is dropped, and a channel it was creating forgotten.
   */
  private watch(mcid: CID, landed: (receipt: MessageReceipt) => string | undefined): void {
    const done = this.devnet.waitForConfidence(mcid, MESSAGE_CONFIDENCE, true).then(
      (location) => this.received(mcid, landed(location.message.receipt)),
      (error: unknown) => {
        const info = this.store.message(mcid);
        const ci = info && this.store.byId(info.channelId);
        if (ci && info.create) this.store.removeChannel(ci.id);
        else if (ci) {
          ci.pendingAmount = ci.pendingAvailableAmount = 0n;
          ci.addFundsMsg = undefined;
        }
        this.received(mcid, error instanceof Error ? error.message : String(error));
      },
    );
    this.waits.set(mcid.toString(), done);
  }

  private received(mcid: CID, err: string | undefined): void {
    const info = this.store.message(mcid);
    if (info) {
      info.received = true;
      if (err !== undefined) info.err = err;
    }
    this.waits.delete(mcid.toString());
  }

  /** PaychGetWaitReady: the channel once the create / add-funds message `mcid` has landed, or its error. */
  async waitReady(mcid: CID | undefined): Promise<FilAddress> {
    // Undefined: Go's cid.Undef (a null sentinel), which no message has; it prints as its empty bytes in base32 multibase.
    if (!mcid) return fail('Could not find wait msg cid b');
    const info = this.store.message(mcid) ?? fail(`Could not find wait msg cid ${mcid.toString()}`);
    if (!this.store.byId(info.channelId)) fail(CHANNEL_NOT_TRACKED);
    if (!info.received) await this.waits.get(mcid.toString());
    if (info.err !== undefined) fail(info.err);
    const ci = this.store.byId(info.channelId) ?? fail(CHANNEL_NOT_TRACKED);
    return ci.channel!;
  }

  /** PaychAvailableFunds. */
  availableFunds(channel: FilAddress): Promise<AvailableFunds> {
    return this.fundsOf(this.tracked(channel));
  }

  /** PaychAvailableFundsByFromTo: the active outbound channel's, or zeros without a channel. */
  async availableFundsByFromTo(from: FilAddress, to: FilAddress): Promise<AvailableFunds> {
    const ci = await this.outboundActive(from, to);
    if (!ci) return { from, to, confirmed: 0n, pending: 0n, nonReserved: 0n, pendingAvailable: 0n, queued: 0n, voucherRedeemed: 0n };
    return this.fundsOf(ci);
  }

  private async fundsOf(ci: ChannelInfo): Promise<AvailableFunds> {
    let voucherRedeemed = 0n;
    if (ci.channel) {
      const { paych } = await this.paychState(ci.channel);
      for (const lane of this.laneStates(ci, paych).values()) voucherRedeemed += lane.redeemed;
    }
    return {
      ...(ci.channel ? { channel: ci.channel } : {}),
      from: fromOf(ci),
      to: toOf(ci),
      confirmed: ci.amount,
      pending: ci.pendingAmount,
      nonReserved: ci.availableAmount,
      pendingAvailable: ci.pendingAvailableAmount,
      ...(ci.createMsg || ci.addFundsMsg ? { pendingWaitSentinel: ci.createMsg ?? ci.addFundsMsg } : {}),
      queued: this.fundsQueues.get(pairKey(ci.control, ci.target))?.queued ?? 0n,
      voucherRedeemed,
    };
  }

  /** The outbound channel from → to that is not settling (nor settled on chain, nor gone from it), if any. */
  private async outboundActive(from: FilAddress, to: FilAddress): Promise<ChannelInfo | undefined> {
    for (const ci of this.store.all()) {
      if (ci.direction !== DIR_OUTBOUND || ci.settling || !ci.control.equals(from) || !ci.target.equals(to)) continue;
      if (ci.channel) {
        const paych = await this.devnet.untilFetched(() => resolveAddress(this.devnet.stateAt(this.devnet.head.epoch), ci.channel!)?.paych);
        if (!paych || paych.settlingAt !== 0) continue;
      }
      return ci;
    }
    return undefined;
  }

  // --- the store's reads (manager.go) -------------------------------------------------------------

  /** PaychList: the channels with an address. */
  listChannels(): FilAddress[] {
    return this.store.all().flatMap((ci) => (ci.channel ? [ci.channel] : []));
  }

  /** PaychStatus: this node's key in the channel and its direction. */
  status(channel: FilAddress): { control: FilAddress; direction: Direction } {
    const ci = this.tracked(channel);
    return { control: ci.control, direction: ci.direction };
  }

  /** PaychAllocateLane: the channel's next lane. */
  allocateLane(channel: FilAddress): Promise<bigint> {
    const ci = this.tracked(channel);
    return this.locked(ci, async () => ci.nextLane++);
  }

  /** PaychVoucherList: every voucher the node holds for the channel. */
  listVouchers(channel: FilAddress): Voucher[] {
    return this.tracked(channel).vouchers.map(({ value, voucher }) => ({ value, voucher }));
  }

  private tracked(channel: FilAddress): ChannelInfo {
    return this.store.byAddress(channel) ?? fail(CHANNEL_NOT_TRACKED);
  }

  /** Runs `op` after the channel's operations before it. */
  private locked<T>(ci: ChannelInfo, op: () => Promise<T>): Promise<T> {
    const run = (this.locks.get(ci.id) ?? Promise.resolve()).then(op);
    this.locks.set(ci.id, run.catch(() => undefined));
    return run;
  }

  // --- vouchers (paych.go) ------------------------------------------------------------------------

  /**
   * PaychVoucherCreate: a voucher on `spec.lane` with the lane's next nonce, signed with the channel's
   * Control key and stored; when the channel's balance does not cover it, no voucher and the shortfall.
   */
  createVoucher(channel: FilAddress, spec: VoucherSpec): Promise<{ voucher?: Voucher; shortfall: bigint }> {
    const ci = this.tracked(channel);
    return this.locked(ci, async () => {
      let nonce = 0n;
      for (const { voucher } of ci.vouchers) if (voucher.lane === spec.lane && voucher.nonce > nonce) nonce = voucher.nonce;
      const extra = spec.extra ? [spec.extra.actor.bytes, spec.extra.method, spec.extra.data] : null;
      const fields = [channel.bytes, spec.timeLockMin ?? 0, spec.timeLockMax ?? 0, new Uint8Array(), extra, u64(spec.lane), u64(nonce + 1n), encodeBigInt(spec.amount), spec.minSettleHeight ?? 0, []];
      if (!this.devnet.wallet.has(ci.control)) fail(`failed to sign voucher: key not found for ${ci.control.toString()}`);
      const signature = this.devnet.wallet.sign(ci.control, voucherSigningBytes(fields));
      const made = voucherOf([...fields, new Uint8Array([signature.type, ...signature.data])]);
      try {
        await this.addVoucher(ci, made, 0n);
      } catch (error) {
        if (error instanceof InsufficientFunds) return { shortfall: error.shortfall };
        throw error instanceof DevnetError ? new DevnetError(`failed to persist voucher: ${error.message}`) : error;
      }
      return { voucher: made, shortfall: 0n };
    });
  }

  /** PaychVoucherCheckValid: whether the voucher could be redeemed (its channel tracked as inbound if new to the node). */
  async checkVoucherValid(channel: FilAddress, voucher: Voucher): Promise<void> {
    const ci = await this.trackInbound(channel);
    await this.locked(ci, () => this.checkValid(ci, channel, voucher.voucher));
  }

  /** PaychVoucherAdd (AddVoucherInbound): stores the voucher; what it adds over its lane's best so far. */
  async addVoucherInbound(channel: FilAddress, voucher: Voucher, proof: Uint8Array, minDelta: bigint): Promise<bigint> {
    if (proof.length > 0) fail('payment channel proof parameter is not supported');
    const ci = await this.trackInbound(channel);
    return this.locked(ci, () => this.addVoucher(ci, voucher, minDelta));
  }

  /** PaychVoucherCheckSpendable: whether redeeming the stored, unsubmitted voucher would succeed now (run as the payee's call). */
  async checkVoucherSpendable(channel: FilAddress, voucher: Voucher, secret: Uint8Array, proof: Uint8Array): Promise<boolean> {
    if (proof.length > 0) fail('payment channel proof parameter is not supported');
    const ci = this.tracked(channel);
    return this.locked(ci, async () => {
      const { paych } = await this.paychState(channel);
      const stored = storedVoucherOf(ci, encodeCbor(voucher.value)) ?? fail('cannot submit voucher that has not been added to channel');
      if (stored.submitted) return false;
      const { result } = await this.devnet.stateCall(updateMessage(FilAddress.fromId(paych.to), channel, voucher.value, secret), this.devnet.head.epoch);
      return result.exitCode === 0;
    });
  }

  /** PaychVoucherSubmit: UpdateChannelState from the channel's Control; the voucher (and the lane's lower nonces) marked submitted. */
  async submitVoucher(channel: FilAddress, voucher: Voucher, secret: Uint8Array, proof: Uint8Array): Promise<CID> {
    if (proof.length > 0) fail('payment channel proof parameter is not supported');
    const ci = this.tracked(channel);
    return this.locked(ci, async () => {
      const bytes = encodeCbor(voucher.value);
      let stored = storedVoucherOf(ci, bytes);
      if (stored?.submitted) fail('cannot submit voucher that has already been submitted');
      const mcid = signedMessageCid(await this.push(updateMessage(ci.control, channel, voucher.value, secret)));
      if (!stored) {
        stored = { ...voucher, bytes, submitted: false };
        ci.vouchers.push(stored);
      }
      stored.submittedIn = mcid;
      markSubmitted(ci, stored);
      return mcid;
    });
  }

  /** addVoucherUnlocked: a voucher stored once (again: nothing added); checked first; `minDelta` the least it must add. */
  private async addVoucher(ci: ChannelInfo, { value, voucher }: Voucher, minDelta: bigint): Promise<bigint> {
    const bytes = encodeCbor(value);
    if (storedVoucherOf(ci, bytes)) return 0n;
    const lanes = await this.checkValid(ci, ci.channel!, voucher);
    const redeemed = lanes.get(voucher.lane)?.redeemed ?? 0n;
    const delta = voucher.amount - redeemed;
    if (minDelta > delta) fail(`addVoucher: supplied token amount too low; minD=${minDelta}, D=${delta}; laneAmt=${redeemed}; v.Amt=${voucher.amount}`);
    const stored: StoredVoucher = { value, bytes, voucher, submitted: false };
    ci.vouchers.push(stored);
    if (ci.nextLane <= voucher.lane) ci.nextLane = voucher.lane + 1n;
    return delta;
  }

  /**
   * checkVoucherValidUnlocked: for this channel, not locked (message, time, hash), signed by the
   * channel's From, above its lane's best nonce and amount, and covered by the channel's balance
   * with every lane's best; merges refused. The lane states it checked against.
   */
  private async checkValid(ci: ChannelInfo, channel: FilAddress, sv: SignedVoucher): Promise<Map<bigint, LaneState>> {
    if (!sv.channel.equals(channel)) fail(`voucher ChannelAddr doesn't match channel address, got ${sv.channel.toString()}, expected ${channel.toString()}`);
    if (sv.extra) fail('voucher is Message Locked');
    if (sv.timeLockMax !== 0) fail('voucher is Max Time Locked');
    if (sv.timeLockMin !== 0) fail('voucher is Min Time Locked');
    if (sv.secretHash.length !== 0) fail('voucher is Hash Locked');
    const { actor, paych } = await this.paychState(channel);
    const from = await this.keyOf(paych.from);
    if (!sv.signature) fail('signature is nil');
    if (!verifyWalletSignature(from, { type: sv.signature!.type as SigType, data: sv.signature!.data }, sv.signingBytes)) {
      fail(sv.signature!.type === SigType.BLS ? 'bls signature failed to verify' : 'signature did not match');
    }
    const lanes = this.laneStates(ci, paych);
    const lane = lanes.get(sv.lane);
    if (lane) {
      if (sv.nonce <= lane.nonce) fail('nonce too low');
      if (sv.amount <= lane.redeemed) fail('voucher amount is lower than amount for voucher with lower nonce');
    }
    if (sv.merges.length > 0) fail("don't currently support paych lane merges");
    let total = 0n;
    for (const { redeemed } of lanes.values()) total += redeemed;
    total += lane ? (sv.nonce > lane.nonce ? sv.amount - lane.redeemed : 0n) : sv.amount;
    if (actor.balance < total) throw new InsufficientFunds(total - actor.balance);
    return lanes;
  }

  /** The chain's lane states with the node's vouchers applied over them (a voucher replaces its lane's state unless its nonce is lower). */
  private laneStates(ci: ChannelInfo, paych: PaychState): Map<bigint, LaneState> {
    const lanes = new Map(paych.lanes);
    for (const { voucher } of ci.vouchers) {
      if (voucher.merges.length > 0) fail('paych merges not handled yet');
      const lane = lanes.get(voucher.lane);
      if (lane && voucher.nonce < lane.nonce) continue;
      lanes.set(voucher.lane, { redeemed: voucher.amount, nonce: voucher.nonce });
    }
    return lanes;
  }

  /**
   * trackInboundChannel: the channel as the store has it, or else read from the chain as inbound,
   * if the node holds the key of its To.
   */
  private async trackInbound(channel: FilAddress): Promise<ChannelInfo> {
    const known = this.store.byAddress(channel);
    if (known) return known;
    const { paych } = await this.paychState(channel);
    const [from, to] = [await this.keyOf(paych.from), await this.keyOf(paych.to)];
    const again = this.store.byAddress(channel);
    if (again) return again;
    if (!this.devnet.wallet.has(to)) fail(`cannot add voucher for channel ${channel.toString()}: wallet does not have key for address ${to.toString()}`);
    let nextLane = 0n;
    for (const id of paych.lanes.keys()) if (id + 1n > nextLane) nextLane = id + 1n;
    return this.store.trackChannel({ channel, control: to, target: from, direction: DIR_INBOUND, nextLane });
  }

  /** GetPaychState at the head: the channel's actor and its state. */
  private paychState(channel: FilAddress): Promise<{ actor: Actor; paych: PaychState }> {
    return this.devnet.untilFetched(() => {
      const actor = resolveAddress(this.devnet.stateAt(this.devnet.head.epoch), channel) ?? fail(actorNotFound(channel));
      const paych = actor.paych ?? fail(`unknown actor code ${this.devnet.codes.codeOf(actor.kind).toString()}`);
      return { actor, paych };
    });
  }

  /** ResolveToDeterministicAddress of a party's ID at the head: the key address it signs with. */
  private keyOf(id: number): Promise<FilAddress> {
    return this.devnet.untilFetched(
      () => deterministicAddress(this.devnet.stateAt(this.devnet.head.epoch), FilAddress.fromId(id)) ?? fail(`failed to get account key for ${FilAddress.fromId(id).toString()}`),
    );
  }

  // --- settling (paych.go) ------------------------------------------------------------------------

  /** PaychSettle: Settle from the channel's Control; the channel no longer takes funds requests. */
  async settle(channel: FilAddress): Promise<CID> {
    const ci = this.tracked(channel);
    return this.locked(ci, async () => {
      const mcid = signedMessageCid(await this.push(settleMessage(ci.control, channel)));
      ci.settling = true;
      ci.settleMsg = mcid;
      return mcid;
    });
  }

  /** PaychCollect: Collect from the channel's Control. */
  async collect(channel: FilAddress): Promise<CID> {
    const ci = this.tracked(channel);
    return this.locked(ci, async () => signedMessageCid(await this.push(collectMessage(ci.control, channel))));
  }

  // --- rewinds --------------------------------------------------------------------------------------

  /**
   * After a revert: what the node's messages no longer on the chain had done is taken back: a create
   * (the channel forgotten), an add-funds (its amounts), a Settle (the channel takes funds requests
   * again) and a voucher's submission (it, and the lower nonces of its lane it marked, may be submitted again).
   */
  private takeBackRewound(): void {
    // A message the revert left in the pool (evm_revert keeps it) is not dropped: the next tipset mines it.
    const onChain = (cid: CID) => this.devnet.searchMessage(cid, true) !== undefined || this.devnet.pendingMessage(cid) !== undefined;
    for (const info of this.store.sentMessages()) {
      if (!info.received || info.err !== undefined || onChain(info.cid)) continue;
      this.store.forgetMessage(info.cid);
      const ci = this.store.byId(info.channelId);
      if (!ci) continue;
      if (info.create) {
        this.store.removeChannel(ci.id);
        this.store.forgetMessagesOf(ci.id);
      } else {
        ci.amount -= info.amount;
        ci.availableAmount = ci.availableAmount > info.available ? ci.availableAmount - info.available : 0n;
      }
    }
    for (const ci of this.store.all()) {
      if (ci.settleMsg && !onChain(ci.settleMsg)) {
        ci.settling = false;
        ci.settleMsg = undefined;
      }
      const dropped = ci.vouchers.filter((v) => v.submittedIn && !onChain(v.submittedIn));
      if (dropped.length === 0) continue;
      for (const v of dropped) v.submittedIn = undefined;
      for (const v of ci.vouchers) v.submitted = false;
      for (const v of ci.vouchers) if (v.submittedIn) markSubmitted(ci, v);
    }
  }
}

const pairKey = (from: FilAddress, to: FilAddress) => `${from.toString()}->${to.toString()}`;

/** MarkVoucherSubmitted: the voucher and the lower nonces of its lane, which it supersedes. */
function markSubmitted(ci: ChannelInfo, submitted: StoredVoucher): void {
  submitted.submitted = true;
  for (const other of ci.vouchers) if (other.voucher.lane === submitted.voucher.lane && other.voucher.nonce < submitted.voucher.nonce) other.submitted = true;
}
