// The payment channel actor (builtin-actors actors/paych): a payer (`from`) funds it and signs
// vouchers off-chain; the payee (`to`) redeems them with UpdateChannelState, which adds what they
// owe to ToSend; either party may Settle, and from SETTLE_DELAY epochs later (or the vouchers' least
// settle height) Collect pays ToSend to the payee, the rest back to the payer, and deletes the
// channel. Created by the init actor's Exec (f01 method 2), which runs the constructor with the
// value it was sent. Its methods are internal (numbers below 2^24): accounts and builtin actors may
// call them, an EVM contract may not (restrict_internal_api, exit 18).
import { FilAddress } from '../../../common/address.js';
import { equalBytes } from '../../../common/hex.js';
import { blake2b256 } from '../../../common/hashes.js';
import { formatFil } from '../../../common/units.js';
import { blake2bSyscallGas, emptyLanesGas, laneReadGas, laneWriteGas, stateLoadGas } from '../../builtin-method-gas.js';
import { ExitCode } from '../../exit-code.js';
import { HOST_CALL } from '../../price-list.js';
import { METHOD_SEND } from '../../message.js';
import { address, bytes, tuple } from '../params.js';
import { ActorError, EncodedParams, methodTable, type ActorRuntime, type BuiltinActor } from '../runtime.js';
import { authenticateMessage, fAddress, requireCallerIn, requireCallerKind, resolveToActorId, sendResult } from '../shared.js';
import { ERR_CHANNEL_STATE_UPDATE_AFTER_SETTLED, MAX_LANE, MAX_SECRET_SIZE, paychOf, savePaych, SETTLE_DELAY, type LaneState, type PaychState } from './state.js';
import { signedVoucher, type SignedVoucher } from './voucher.js';

/** ConstructorParams `[from, to]`: both resolved to actor IDs (an f1/f3 with no actor gets an account). */
async function construct(rt: ActorRuntime, params: unknown): Promise<void> {
  const [rawFrom, rawTo] = tuple(params, 2, 'ConstructorParams');
  const fromAddress = address(rawFrom, 'from');
  const toAddress = address(rawTo, 'to');
  requireCallerKind(rt, 'init');
  const to = await resolveToActorId(rt, toAddress, true);
  const from = await resolveToActorId(rt, fromAddress, true);
  rt.chargeGas(emptyLanesGas());
  savePaych(rt, { from, to, toSend: 0n, settlingAt: 0, minSettleHeight: 0, lanes: new Map() });
}

/** UpdateChannelStateParams `[sv, secret]`: redeems a voucher signed by the other party. */
async function updateChannelState(rt: ActorRuntime, params: unknown): Promise<void> {
  const [rawVoucher, rawSecret] = tuple(params, 2, 'UpdateChannelStateParams');
  const voucher = signedVoucher(rawVoucher);
  const secret = bytes(rawSecret, 'secret');
  const state = paychOf(rt);
  requireCallerIn(rt, [state.from, state.to]);
  const signer = rt.caller.id === state.from ? state.to : state.from;
  if (!voucher.signature) throw new ActorError(ExitCode.ErrIllegalArgument, 'voucher has no signature');
  if (state.settlingAt !== 0 && rt.ctx.epoch >= state.settlingAt) {
    throw new ActorError(ERR_CHANNEL_STATE_UPDATE_AFTER_SETTLED, 'no vouchers can be processed after settling at epoch');
  }
  if (secret.length > MAX_SECRET_SIZE) throw new ActorError(ExitCode.ErrIllegalArgument, 'secret must be at most 256 bytes long');
  await authenticate(rt, signer, voucher);
  // rt.resolve_address: a syscall unless it is an ID address, which the SDK answers itself.
  if (voucher.channel.id === undefined) rt.chargeGas(HOST_CALL);
  const channel = rt.state.lookupId(voucher.channel);
  if (channel === undefined) {
    throw new ActorError(ExitCode.ErrIllegalArgument, `voucher payment channel address ${voucher.channel.toString('f')} does not resolve to an ID address`);
  }
  if (channel !== rt.receiverId) {
    throw new ActorError(ExitCode.ErrIllegalArgument, `voucher payment channel address ${channel} does not match receiver ${fAddress(rt.receiverId)}`);
  }
  if (rt.ctx.epoch < voucher.timeLockMin) throw new ActorError(ExitCode.ErrIllegalArgument, 'cannot use this voucher yet');
  if (voucher.timeLockMax !== 0 && rt.ctx.epoch > voucher.timeLockMax) throw new ActorError(ExitCode.ErrIllegalArgument, 'this voucher has expired');
  if (voucher.amount < 0n) throw new ActorError(ExitCode.ErrIllegalArgument, `voucher amount must be non-negative, was ${formatFil(voucher.amount)}`);
  if (voucher.secretHash.length > 0) {
    rt.chargeGas(blake2bSyscallGas(secret.length));
    if (!equalBytes(blake2b256(secret), voucher.secretHash)) throw new ActorError(ExitCode.ErrIllegalArgument, 'incorrect secret');
  }
  if (voucher.extra) {
    // Its data goes as a CBOR block, even empty (builtin-actors sends Some(IpldBlock) whatever it holds).
    const { actor, method, data } = voucher.extra;
    sendResult(await rt.send(actor, method, new EncodedParams(data, true)), 'spend voucher verification failed');
  }
  savePaych(rt, redeemed(rt, paychOf(rt), voucher));
}

/**
 * The signer's AuthenticateMessage of the voucher's signing bytes, sent read-only: an account checks
 * the signature with its key; an actor that answers nothing (an EthAccount) fails it (24).
 */
async function authenticate(rt: ActorRuntime, signer: number, voucher: SignedVoucher): Promise<void> {
  if (!(await authenticateMessage(rt, FilAddress.fromId(signer), voucher.signature!.data, voucher.signingBytes))) {
    throw new ActorError(ExitCode.ErrIllegalArgument, 'voucher sig authentication failed');
  }
}

/** find_lane: the lane's state, refusing an ID past MAX_LANE (2^63 − 1) though a u64 holds it. */
function findLane(lanes: ReadonlyMap<bigint, LaneState>, id: bigint): LaneState | undefined {
  if (id > MAX_LANE) throw new ActorError(ExitCode.ErrIllegalArgument, 'maximum lane ID is 2^63-1');
  return lanes.get(id);
}

/**
 * The state with the voucher redeemed (the transaction of update_channel_state: the state loaded
 * again, the method's first load and its write being invoke-builtin's), charged as its lanes' AMT is
 * read and written.
 */
function redeemed(rt: ActorRuntime, state: PaychState, voucher: SignedVoucher): PaychState {
  const touched = [voucher.lane, ...voucher.merges.map((m) => m.lane)];
  rt.chargeGas(stateLoadGas('paymentchannel') + laneReadGas(state.lanes, touched));
  const lanes = new Map(state.lanes);
  const own = findLane(lanes, voucher.lane);
  if (own && own.nonce >= voucher.nonce) {
    throw new ActorError(ExitCode.ErrIllegalArgument, `voucher has an outdated nonce, existing: ${own.nonce}, voucher: ${voucher.nonce}, cannot redeem`);
  }
  let redeemedFromOthers = 0n;
  for (const merge of voucher.merges) {
    if (merge.lane === voucher.lane) throw new ActorError(ExitCode.ErrIllegalArgument, "voucher cannot merge lanes into it's own lane");
    const other = findLane(lanes, merge.lane);
    if (!other) throw new ActorError(ExitCode.ErrIllegalArgument, `voucher specifies invalid merge lane ${merge.lane}`);
    if (other.nonce >= merge.nonce) throw new ActorError(ExitCode.ErrIllegalArgument, 'merged lane in voucher has outdated nonce, cannot redeem');
    redeemedFromOthers += other.redeemed;
    lanes.set(merge.lane, { ...other, nonce: merge.nonce });
  }
  // What the voucher adds: its amount less what this lane and the merged ones redeemed before.
  const toSend = voucher.amount - (redeemedFromOthers + (own?.redeemed ?? 0n)) + state.toSend;
  if (toSend < 0n) throw new ActorError(ExitCode.ErrIllegalArgument, 'voucher would leave channel balance negative');
  if (toSend > rt.self().balance) throw new ActorError(ExitCode.ErrIllegalArgument, 'not enough funds in channel to cover voucher');
  let { settlingAt, minSettleHeight } = state;
  if (voucher.minSettleHeight !== 0) {
    if (settlingAt !== 0 && settlingAt < voucher.minSettleHeight) settlingAt = voucher.minSettleHeight;
    if (minSettleHeight < voucher.minSettleHeight) minSettleHeight = voucher.minSettleHeight;
  }
  lanes.set(voucher.lane, { redeemed: voucher.amount, nonce: voucher.nonce });
  rt.chargeGas(laneWriteGas(lanes, touched));
  return { ...state, toSend, settlingAt, minSettleHeight, lanes };
}

/** Settle: either party starts the settling period (SETTLE_DELAY, or the vouchers' min settle height if later). */
function settle(rt: ActorRuntime): void {
  const state = paychOf(rt);
  requireCallerIn(rt, [state.from, state.to]);
  if (state.settlingAt !== 0) throw new ActorError(ExitCode.ErrIllegalState, 'channel already settling');
  savePaych(rt, { ...state, settlingAt: Math.max(rt.ctx.epoch + SETTLE_DELAY, state.minSettleHeight) });
}

/** Collect: once settled, ToSend to the payee, the rest to the payer, and the channel deleted. */
async function collect(rt: ActorRuntime): Promise<void> {
  const state = paychOf(rt);
  requireCallerIn(rt, [state.from, state.to]);
  if (state.settlingAt === 0 || rt.ctx.epoch < state.settlingAt) throw new ActorError(ExitCode.ErrForbidden, 'payment channel not settling or settled');
  sendResult(await rt.send(FilAddress.fromId(state.to), METHOD_SEND, undefined, { value: state.toSend }), 'Failed to send funds to `to` address');
  sendResult(await rt.send(FilAddress.fromId(state.from), METHOD_SEND, undefined, { value: rt.self().balance }), 'Failed to send funds to `from` address');
  rt.deleteSelf();
}

export const paychActor: BuiltinActor = {
  methods: methodTable({
    Constructor: { run: construct },
    UpdateChannelState: { legacy: 2, internalOnly: true, run: updateChannelState },
    Settle: { legacy: 3, internalOnly: true, noParams: true, run: settle },
    Collect: { legacy: 4, internalOnly: true, noParams: true, run: collect },
  }),
};
