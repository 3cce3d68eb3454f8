// The node's record of its payment channels and vouchers (Lotus paychmgr/store.go): per channel, which
// side this node is (Control: its key; Target: the other party), what it added and reserved, the
// create or add-funds message it waits for, the lanes it allocated and every voucher it made or was
// given, with whether it was submitted; per create / add-funds message, its channel and outcome.
// Node-side state, in memory: not part of the chain (see PaychManager for how a rewound chain changes it).
import type { FilAddress } from '../../common/address.js';
import type { CID } from '../../common/cbor.js';
import { equalBytes } from '../../common/hex.js';
import type { SignedVoucher } from '../../fevm/actors/paych/voucher.js';

/** Lotus's DirInbound / DirOutbound: whether this node is the channel's payee or its payer. */
export const DIR_INBOUND = 1;
export const DIR_OUTBOUND = 2;
export type Direction = typeof DIR_INBOUND | typeof DIR_OUTBOUND;

/** A voucher as the store keeps it: its CBOR tuple value and bytes (equality is byte equality, as cborutil.Equals), decoded. */
export interface StoredVoucher {
  readonly value: unknown[];
  readonly bytes: Uint8Array;
  readonly voucher: SignedVoucher;
  /** Submitted, by this node or by a later nonce of its lane that was (Lotus's VoucherInfo.Submitted). */
  submitted: boolean;
  /** The UpdateChannelState message that submitted it, if this node did, so that a rewind that drops it can take it back. */
  submittedIn?: CID;
}

export interface ChannelInfo {
  /** Lotus's ChannelID (a uuid there): the record's key, set when it is made. */
  readonly id: number;
  /** The channel's robust address, once its create message has landed. */
  channel?: FilAddress;
  readonly control: FilAddress;
  readonly target: FilAddress;
  readonly direction: Direction;
  readonly vouchers: StoredVoucher[];
  nextLane: bigint;
  amount: bigint;
  availableAmount: bigint;
  pendingAmount: bigint;
  pendingAvailableAmount: bigint;
  createMsg?: CID;
  addFundsMsg?: CID;
  settling: boolean;
  /** The Settle message that set `settling` (PaychSettle), which a rewind that drops it takes back. */
  settleMsg?: CID;
}

/** A create or add-funds message sent (Lotus's MsgInfo), with the amounts it carries, which a rewind takes back. */
interface MsgInfo {
  readonly channelId: number;
  readonly cid: CID;
  readonly create: boolean;
  readonly amount: bigint;
  readonly available: bigint;
  received: boolean;
  err?: string;
}

/** Lotus's ErrChannelNotTracked. */
export const CHANNEL_NOT_TRACKED = 'channel not tracked';

export const fromOf = (ci: ChannelInfo): FilAddress => (ci.direction === DIR_OUTBOUND ? ci.control : ci.target);
export const toOf = (ci: ChannelInfo): FilAddress => (ci.direction === DIR_OUTBOUND ? ci.target : ci.control);

export const storedVoucherOf = (ci: ChannelInfo, bytes: Uint8Array): StoredVoucher | undefined => ci.vouchers.find((v) => equalBytes(v.bytes, bytes));

export class PaychStore {
  private readonly channels = new Map<number, ChannelInfo>();
  private readonly messages = new Map<string, MsgInfo>();
  private nextId = 1;

  /** Every record, in the order they were made. */
  all(): ChannelInfo[] {
    return [...this.channels.values()];
  }

  byAddress(address: FilAddress): ChannelInfo | undefined {
    for (const ci of this.channels.values()) if (ci.channel?.equals(address)) return ci;
    return undefined;
  }

  byId(id: number): ChannelInfo | undefined {
    return this.channels.get(id);
  }

  message(cid: CID): MsgInfo | undefined {
    return this.messages.get(cid.toString());
  }

  sentMessages(): MsgInfo[] {
    return [...this.messages.values()];
  }

  /** A new outbound channel whose create message `createMsg` carries `amount` (`available` of it not reserved). */
  createChannel(from: FilAddress, to: FilAddress, createMsg: CID, amount: bigint, available: bigint): ChannelInfo {
    const ci: ChannelInfo = {
      id: this.nextId++,
      control: from,
      target: to,
      direction: DIR_OUTBOUND,
      vouchers: [],
      nextLane: 0n,
      amount: 0n,
      availableAmount: 0n,
      pendingAmount: amount,
      pendingAvailableAmount: available,
      createMsg,
      settling: false,
    };
    this.channels.set(ci.id, ci);
    this.saveNewMessage(ci.id, createMsg, true, amount, available);
    return ci;
  }

  /** A channel found on chain (an inbound one a voucher arrived for). */
  trackChannel(info: Pick<ChannelInfo, 'channel' | 'control' | 'target' | 'direction' | 'nextLane'>): ChannelInfo {
    const ci: ChannelInfo = { ...info, id: this.nextId++, vouchers: [], amount: 0n, availableAmount: 0n, pendingAmount: 0n, pendingAvailableAmount: 0n, settling: false };
    this.channels.set(ci.id, ci);
    return ci;
  }

  saveNewMessage(channelId: number, cid: CID, create: boolean, amount: bigint, available: bigint): void {
    this.messages.set(cid.toString(), { channelId, cid, create, amount, available, received: false });
  }

  removeChannel(id: number): void {
    this.channels.delete(id);
  }

  forgetMessage(cid: CID): void {
    this.messages.delete(cid.toString());
  }

  forgetMessagesOf(channelId: number): void {
    for (const [key, info] of this.messages) if (info.channelId === channelId) this.messages.delete(key);
  }

  clear(): void {
    this.channels.clear();
    this.messages.clear();
  }
}
