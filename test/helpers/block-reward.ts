// The block reward of a tipset as a Lotus node shows it: StateCompute's AwardBlockReward (t02 method 2),
// whose params name the miner it pays (Lotus's ApplyBlocks: AwardBlockRewardParams{Miner: b.Miner}).
import assert from 'node:assert/strict';
import { FilAddress } from '../../src/common/address.js';
import { decodeCbor } from '../../src/common/cbor.js';

/** A JSON-RPC call answering the result (a raw client's `ok`, a harness's `result`). */
export type LotusCall = (method: string, params: unknown[]) => Promise<any>;

export interface RewardedTipSet {
  Cids: { '/': string }[];
  Blocks: { Miner: string }[];
  Height: number;
}

export interface AwardBlockReward {
  Msg: { To: string; Method: number; Params: string };
  ExecutionTrace: { Subcalls: { Msg: { To: string; Method: number; Value: string } }[] };
}

/** The tipset at `height`, the miner its header names, the miner its AwardBlockReward pays, and that reward's trace. */
export async function blockReward(call: LotusCall, height: number): Promise<{ tipset: RewardedTipSet; header: string; awarded: string; reward: AwardBlockReward }> {
  const tipset: RewardedTipSet = await call('Filecoin.ChainGetTipSetByHeight', [height, null]);
  const { Trace } = (await call('Filecoin.StateCompute', [height, null, tipset.Cids])) as { Trace: AwardBlockReward[] };
  const reward = Trace.find((t) => t.Msg.To === 't02' && t.Msg.Method === 2);
  assert.ok(reward, `StateCompute at height ${height} has no AwardBlockReward`);
  // AwardBlockReward's params: [miner, penalty, gas reward, win count].
  const [awarded] = decodeCbor<[Uint8Array]>(Buffer.from(reward.Msg.Params, 'base64'));
  return { tipset, header: tipset.Blocks[0].Miner, awarded: FilAddress.fromBytes(awarded).toString('t'), reward };
}
