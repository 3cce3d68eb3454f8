// A payment channel's State as Lotus's StateReadState shows it (go-state-types builtin/v18/paych
// State in Go JSON): its parties as ID addresses, ToSend as a decimal string, and its LaneStates
// AMT's root, whose blocks go to `serve` (ChainReadObj: a fork of this node reads the lanes there).
import { lanesAmt, type PaychState } from '../fevm/actors/paych/state.js';
import { cidJson, idJson } from './lotus-json.js';

export function paychStateJson(state: PaychState, serve: (blocks: Uint8Array[]) => void) {
  const lanes = lanesAmt(state.lanes);
  serve([...lanes.blocks.values()]);
  return {
    From: idJson(state.from),
    To: idJson(state.to),
    ToSend: state.toSend.toString(),
    SettlingAt: state.settlingAt,
    MinSettleHeight: state.minSettleHeight,
    LaneStates: cidJson(lanes.root),
  };
}
