// A payment channel as the fork holds it: its State as Filecoin.StateReadState answers it
// (go-state-types paych.State in Lotus's JSON) and its lanes, read from the LaneStates AMT the State
// names (Filecoin.ChainReadObj, block by block), in the devnet's shapes (fevm/actors/paych/state.ts).
import { readAmtEntries } from '../../common/amt.js';
import { decodeBigInt, type CID } from '../../common/cbor.js';
import type { LaneState, PaychState } from '../../fevm/actors/paych/state.js';
import { idOf } from './upstream-tables.js';

/** go-state-types paych.State as Lotus's JSON writes it. */
export interface LotusPaychState {
  From: string;
  To: string;
  ToSend: string;
  SettlingAt: number;
  MinSettleHeight: number;
  LaneStates: { '/': string };
}

/** The channel's State and its lanes (LaneState `[redeemed, nonce]` by lane ID), reading the lanes AMT with `read`. */
export async function paychStateFromLotus(state: LotusPaychState, lanesRoot: CID, read: (cid: CID) => Promise<Uint8Array>): Promise<PaychState> {
  const lanes = new Map<bigint, LaneState>();
  for (const [lane, value] of await readAmtEntries(lanesRoot, read)) {
    const [redeemed, nonce] = value as [Uint8Array, number | bigint];
    lanes.set(lane, { redeemed: decodeBigInt(redeemed), nonce: BigInt(nonce) });
  }
  return {
    from: idOf(state.From, 'payment channel From'),
    to: idOf(state.To, 'payment channel To'),
    toSend: BigInt(state.ToSend),
    settlingAt: state.SettlingAt,
    minSettleHeight: state.MinSettleHeight,
    lanes,
  };
}
