// A payment channel's state (builtin-actors actors/paych/src/state.rs): the payer (`from`) and the
// payee (`to`) as actor IDs, what the vouchers redeemed so far owe the payee (paid on Collect), the
// epoch from which the channel may be collected once settling, the least such epoch the vouchers
// asked for, and the lanes: per lane ID, what its vouchers redeemed and the last nonce used.
// Immutable: each change returns a new state. The lanes are kept as a Map; their AMT (bit width 3)
// is built from it when a Head, a read or a gas charge needs it, block for block as builtin-actors'.
import { idAddressBytes } from '../../../common/address.js';
import { buildAmt, type Amt } from '../../../common/amt.js';
import { encodeBigInt } from '../../../common/cbor.js';
import { ExitCode } from '../../exit-code.js';
import { ActorError, type ActorRuntime } from '../runtime.js';

/** LANE_STATES_AMT_BITWIDTH. */
const LANE_STATES_AMT_BIT_WIDTH = 3;
/** SETTLE_DELAY: twelve hours of 30-second epochs after Settle before Collect. */
export const SETTLE_DELAY = 12 * 120;
/** MAX_LANE: the highest lane ID find_lane looks up (i64::MAX). */
export const MAX_LANE = (1n << 63n) - 1n;
/** MAX_SECRET_SIZE: the longest preimage UpdateChannelState takes. */
export const MAX_SECRET_SIZE = 256;
/** ERR_CHANNEL_STATE_UPDATE_AFTER_SETTLED: a voucher submitted once the channel has settled. */
export const ERR_CHANNEL_STATE_UPDATE_AFTER_SETTLED = 32;

/** The method numbers (builtin-actors paych Method); all internal: no FRC-42 exports. */
export const PaychMethod = {
  Constructor: 1,
  UpdateChannelState: 2,
  Settle: 3,
  Collect: 4,
} as const;

/** LaneState `[redeemed, nonce]` (the nonce a u64: bigint). */
export interface LaneState {
  readonly redeemed: bigint;
  readonly nonce: bigint;
}

export interface PaychState {
  readonly from: number;
  readonly to: number;
  readonly toSend: bigint;
  readonly settlingAt: number;
  readonly minSettleHeight: number;
  /** By lane ID (u64, up to MAX_LANE: bigint). */
  readonly lanes: ReadonlyMap<bigint, LaneState>;
}

export function paychOf(rt: ActorRuntime): PaychState {
  const state = rt.self().paych;
  if (!state) throw new ActorError(ExitCode.ErrIllegalState, 'payment channel state not constructed');
  return state;
}

export const savePaych = (rt: ActorRuntime, paych: PaychState): void => rt.update({ paych });

const laneStateValue = (lane: LaneState): unknown => [encodeBigInt(lane.redeemed), lane.nonce];

/** Each lanes Map's AMT, built once: a state's lanes are not changed once it holds them. */
const builtAmts = new WeakMap<ReadonlyMap<bigint, LaneState>, Amt>();

/**
 * The lanes' AMT (`Array<LaneState>`, bit width 3). An UpdateChannelState reads the lanes before and
 * after the update and the new state's Head reads them again: one build for each Map.
 */
export function lanesAmt(lanes: ReadonlyMap<bigint, LaneState>): Amt {
  let amt = builtAmts.get(lanes);
  if (!amt) builtAmts.set(lanes, (amt = buildAmt(new Map([...lanes].map(([id, lane]) => [id, laneStateValue(lane)])), LANE_STATES_AMT_BIT_WIDTH)));
  return amt;
}

/** The CBOR value of the state: `[from, to, to_send, settling_at, min_settle_height, lane_states]`. */
export function paychStateValue(state: PaychState): unknown {
  return [
    idAddressBytes(state.from),
    idAddressBytes(state.to),
    encodeBigInt(state.toSend),
    state.settlingAt,
    state.minSettleHeight,
    lanesAmt(state.lanes).root,
  ];
}
