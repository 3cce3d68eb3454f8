// Forking an nv28 chain: the upstream (an fvm-devnet answering as a Lotus gateway) reports network
// version 28 and its own code CIDs, and the fork runs nv28 too. Its forked storage provider's sectors,
// one of them faulty upstream and one terminated there (still in its partition, as builtin-actors keeps
// it until CompactPartitions), answer actors v18's GenerateSectorLocation, ValidateSectorStatus and
// GetNominalSectorExpiration (Filecoin.StateCall) as the upstream answers them at the fork epoch.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { decodeCbor, encodeCbor } from '../../src/common/cbor.js';
import { methodNumber } from '../../src/fevm/actors/runtime.js';
import { startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { head, rpc } from '../helpers/fork-calls.js';
import { useForkSuite } from '../helpers/fork-suite.js';

describe('fork of an nv28 chain: the v18 sector status methods on a forked miner', () => {
  let upstream: DevnetProcess;
  let fork: DevnetProcess;
  let miner: string;
  let forkEpoch: number;
  let from: string;

  useForkSuite('fvm-fork-sector-status-', () => [fork, upstream]);

  before(async () => {
    upstream = await startDevnet(['--storage-providers', '1', '--gateway-only']);
    [miner] = await rpc(upstream.url, 'Filecoin.StateListMiners', [null]);
    await rpc(upstream.url, 'devnet_faultSectors', [miner, [2]]);
    await rpc(upstream.url, 'devnet_terminateSectors', [miner, [3]]);
    await rpc(upstream.url, 'anvil_mine', ['0x2']);
    forkEpoch = await head(upstream.url);
    fork = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(forkEpoch), '--storage-providers', '0']);
    [from] = await rpc(fork.url, 'Filecoin.WalletList');
  });

  /** A miner method's receipt (exit code and decoded return) through StateCall at the head. */
  async function call(url: string, method: string, params: unknown): Promise<{ exitCode: number; value?: unknown }> {
    const message = { From: from, To: miner, Value: '0', Method: methodNumber(method), Params: Buffer.from(encodeCbor(params)).toString('base64') };
    const { MsgRct } = await rpc(url, 'Filecoin.StateCall', [message, null]);
    return MsgRct.ExitCode === 0 ? { exitCode: 0, value: decodeCbor(new Uint8Array(Buffer.from(MsgRct.Return, 'base64'))) } : { exitCode: MsgRct.ExitCode };
  }

  test('both run network version 28 and name their own actors', async () => {
    assert.equal(await rpc(upstream.url, 'Filecoin.StateNetworkVersion', [null]), 28);
    assert.equal(await rpc(fork.url, 'Filecoin.StateNetworkVersion', [null]), 28);
    assert.equal(await rpc(fork.url, 'eth_protocolVersion'), '0x1c');
    const codes = await rpc(fork.url, 'Filecoin.StateActorCodeCIDs', [28]);
    assert.deepEqual((await rpc(fork.url, 'Filecoin.StateGetActor', [miner, null])).Code, codes.storageminer);
  });

  test('a healthy, a faulty, a terminated and an unknown sector answer as upstream at the fork epoch', async () => {
    // The upstream mines nothing after the fork epoch: its head's state is the one forked.
    assert.equal(await head(upstream.url), forkEpoch);
    for (const sector of [1, 2, 3, 999]) {
      const theirs = await call(upstream.url, 'GenerateSectorLocation', [sector]);
      const mine = await call(fork.url, 'GenerateSectorLocation', [sector]);
      assert.deepEqual(mine, theirs, `GenerateSectorLocation(${sector})`);
      const [status, auxData] = mine.value as [number, Uint8Array];
      assert.equal(status, sector === 1 ? 1 : sector === 2 ? 2 : 0);
      // The terminated sector is Dead at its partition's location, not at (-1, -1) as one never seen.
      if (sector === 3) assert.notDeepEqual(decodeCbor(auxData), [-1, -1]);
      assert.deepEqual(await call(fork.url, 'ValidateSectorStatus', [sector, status, auxData]), { exitCode: 0, value: true });
      assert.deepEqual(await call(fork.url, 'GetNominalSectorExpiration', sector), await call(upstream.url, 'GetNominalSectorExpiration', sector));
    }
    // Where the fork's Lotus methods place it (a gateway upstream does not serve StateSectorPartition).
    const partition = await rpc(fork.url, 'Filecoin.StateSectorPartition', [miner, 1, null]);
    const [, auxData] = (await call(fork.url, 'GenerateSectorLocation', [1])).value as [number, Uint8Array];
    assert.deepEqual(decodeCbor(auxData), [partition.Deadline, partition.Partition]);
    // Lotus's StateSectorGetInfo reads the sectors AMT: the terminated sector is there too.
    assert.deepEqual(await rpc(fork.url, 'Filecoin.StateSectorGetInfo', [miner, 3, null]), await rpc(upstream.url, 'Filecoin.StateSectorGetInfo', [miner, 3, null]));
  });
});
