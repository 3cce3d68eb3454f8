// The chain's identity as a Lotus node shows it (lotus b835fab70, builtin-actors b0a3bdd6), over raw
// JSON-RPC as Lotus's kit and its API tests drive a node: who a block header names as its miner.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FilAddress } from '../../src/common/address.js';
import { decodeCbor } from '../../src/common/cbor.js';
import { startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { rawRpc } from '../helpers/raw-rpc.js';

interface LotusTipSet {
  Cids: { '/': string }[];
  Blocks: { Miner: string }[];
  Height: number;
}

describe('block headers name the miner that won them', () => {
  let node: DevnetProcess;
  let rpc: ReturnType<typeof rawRpc>['ok'];

  before(async () => {
    node = await startDevnet();
    rpc = rawRpc(`${node.url}/rpc/v1`).ok;
  });
  after(() => node?.stop());

  const tipsetAt = (height: number) => rpc<LotusTipSet>('Filecoin.ChainGetTipSetByHeight', height, null);

  test("genesis names t00 (chain/gen/genesis/genesis.go MakeGenesisBlock); each mined tipset the miner its AwardBlockReward pays (chain/consensus/compute_state.go ApplyBlocks: b.Miner), round-robin between the genesis miners", async () => {
    assert.equal((await tipsetAt(0)).Blocks[0].Miner, 't00');
    await rpc('anvil_mine', '0x4');
    const miners: string[] = [];
    for (let height = 1; height <= 4; height++) {
      const tipset = await tipsetAt(height);
      const [miner] = tipset.Blocks.map((b) => b.Miner);
      miners.push(miner);
      const { Trace } = await rpc<{ Trace: { Msg: { To: string; Method: number; Params: string }; ExecutionTrace: { Subcalls: { Msg: { To: string; Method: number; Value: string } }[] } }[] }>('Filecoin.StateCompute', height, null, tipset.Cids);
      const reward = Trace.find((t) => t.Msg.To === 't02' && t.Msg.Method === 2)!;
      // AwardBlockReward's params: [miner, penalty, gas reward, win count]; the miner's ApplyRewards (14) takes it.
      const [awarded] = decodeCbor<[Uint8Array]>(Buffer.from(reward.Msg.Params, 'base64'));
      assert.equal(FilAddress.fromBytes(awarded).toString('t'), miner, `height ${height}`);
      const [apply] = reward.ExecutionTrace.Subcalls;
      assert.deepEqual([apply.Msg.To, apply.Msg.Method], [miner, 14]);
      // The block's reward is in the miner's balance from its own tipset's state on (a tipset's state is after it runs here).
      const balance = (at: LotusTipSet) => rpc<{ Balance: string }>('Filecoin.StateGetActor', miner, at.Cids).then((a) => BigInt(a.Balance));
      assert.equal((await balance(tipset)) - (await balance(await tipsetAt(height - 1))), BigInt(apply.Msg.Value));
    }
    assert.deepEqual([...new Set(miners)].sort(), ['t0111', 't0113']);
    // /rpc/v2's StateGetActor of the head's miner answers it (api_v2_test "StateGetActor", whose kit miner is t01000).
    const head = await rpc<LotusTipSet>('Filecoin.ChainHead');
    const actor = await rawRpc(`${node.url}/rpc/v2`).ok<{ Code: { '/': string } }>('Filecoin.StateGetActor', head.Blocks[0].Miner, { tag: 'latest' });
    assert.ok(actor?.Code, 'the miner is an actor');
  });

  test("the Ethereum block's miner stays 0x0, as Lotus never sets it (node/impl/eth/utils.go newEthBlockFromFilecoinTipSet)", async () => {
    const block = await rawRpc(node.url).ok<{ miner: string }>('eth_getBlockByNumber', 'latest', false);
    assert.equal(block.miner, '0x0000000000000000000000000000000000000000');
  });

  test('with no storage provider no miner wins: the headers name t00 and StateCompute has no AwardBlockReward', async () => {
    const bare = await startDevnet(['--storage-providers', '0']);
    try {
      const { ok } = rawRpc(`${bare.url}/rpc/v1`);
      await ok('anvil_mine', '0x2');
      const tipset = await ok<LotusTipSet>('Filecoin.ChainHead');
      assert.deepEqual([tipset.Height, tipset.Blocks[0].Miner], [2, 't00']);
      const { Trace } = await ok<{ Trace: { Msg: { To: string } }[] }>('Filecoin.StateCompute', 2, null, tipset.Cids);
      assert.deepEqual(Trace.map((t) => t.Msg.To), ['t03']);
    } finally {
      await bare.stop();
    }
  });
});
