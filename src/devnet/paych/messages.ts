// The messages Lotus's paych manager sends (chain/actors/builtin/paych/message18.go and paychmgr's
// add funds): unsigned, without nonce or gas, for MpoolPushMessage to complete from the node's wallet.
import { FilAddress } from '../../common/address.js';
import { encodeCbor, type CID } from '../../common/cbor.js';
import { INIT_ACTOR_ID } from '../../fevm/actor.js';
import { InitMethod } from '../../fevm/actors/init.js';
import { PaychMethod } from '../../fevm/actors/paych/state.js';
import { METHOD_SEND, unsentMessage, type Message } from '../../fevm/message.js';

/** Create: Init's Exec of the paymentchannel code with ConstructorParams [from, to], sent `amount`. */
export const createChannelMessage = (paychCode: CID, from: FilAddress, to: FilAddress, amount: bigint): Message =>
  unsentMessage(from, FilAddress.fromId(INIT_ACTOR_ID), InitMethod.Exec, encodeCbor([paychCode, encodeCbor([from.bytes, to.bytes])]), amount);

/** Add funds: a plain send of `amount` to the channel. */
export const addFundsMessage = (from: FilAddress, channel: FilAddress, amount: bigint): Message => unsentMessage(from, channel, METHOD_SEND, new Uint8Array(), amount);

/** Update: UpdateChannelState with [voucher, secret] (the voucher as its CBOR tuple value). */
export const updateMessage = (from: FilAddress, channel: FilAddress, voucher: unknown, secret: Uint8Array): Message =>
  unsentMessage(from, channel, PaychMethod.UpdateChannelState, encodeCbor([voucher, secret]));

export const settleMessage = (from: FilAddress, channel: FilAddress): Message => unsentMessage(from, channel, PaychMethod.Settle, new Uint8Array());

export const collectMessage = (from: FilAddress, channel: FilAddress): Message => unsentMessage(from, channel, PaychMethod.Collect, new Uint8Array());
