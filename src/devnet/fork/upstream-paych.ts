// A payment channel as the fork holds it: its State as Filecoin.StateReadState answers it
// (go-state-types paych.State in Lotus's JSON) and its lanes, read from the LaneStates AMT the State
// names (Filecoin.ChainReadObj, block by block), in the devnet's shapes (fevm/actors/paych/state.ts).
import { FilAddress } from '../../common/address.js';
import { readAmtEntries } from '../../common/amt.js';
import { decodeBigInt, type CID } from '../../common/cbor.js';
import { DevnetError } from '../../common/errors.js';
import type { LaneState, PaychState } from '../../fevm/actors/paych/state.js';

/** go-state-types paych.State as Lotus's JSON writes it. */
export interface LotusPaychState {
  From: string;
  To: string;
  ToSend: string;
  SettlingAt: number;
  MinSettleHeight: number;
  LaneStates: { '/': string };
}

/** A party the channel keeps as an actor ID: anything else is not what builtin-actors stores. */
function idOf(text: string, what: string): number {
  const id = FilAddress.parse(text).id;
  if (id === undefined) throw new DevnetError(`upstream payment channel ${what} ${text} is not an ID address`);
  return id;
}

/** The channel's State and its lanes (LaneState `[redeemed, nonce]` by lane ID), reading the lanes AMT with `read`. */
export async function paychStateFromLotus(state: LotusPaychState, lanesRoot: CID, read: (cid: CID) => Promise<Uint8Array>): Promise<PaychState> {
  const lanes = new Map<bigint, LaneState>();
  for (const [lane, value] of await readAmtEntries(lanesRoot, read)) {
    const [redeemed, nonce] = value as [Uint8Array, number | bigint];
    lanes.set(lane, { redeemed: decodeBigInt(redeemed), nonce: BigInt(nonce) });
  }
  return {
    from: idOf(state.From, 'From'),
    to: idOf(state.To, 'To'),
    toSend: BigInt(state.ToSend),
    settlingAt: state.SettlingAt,
    minSettleHeight: state.MinSettleHeight,
    lanes,
  };
}
