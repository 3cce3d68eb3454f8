// Forked storage providers: an fvm-devnet upstream with its simulated storage providers, a contract
// that calls builtin actors as filecoin-solidity does (call_actor_id), and a fork at the upstream's
// head. The forked miners' info reads as the upstream's, and a contract calling a forked miner
// gets the bytes the upstream's contract got at the fork epoch.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Contract, ContractFactory, Interface, JsonRpcProvider, Wallet } from 'ethers';
import { encodeCbor } from '../../src/common/cbor.js';
import { bytesToHex } from '../../src/common/hex.js';
import { methodNumber } from '../../src/fevm/actors/runtime.js';
import { compileFixtures } from '../helpers/solc.js';
import { DEV_ACCOUNTS, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { useForkSuite } from '../helpers/fork-suite.js';

async function rpc(url: string, method: string, params: unknown[] = []): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

describe('fork: storage providers of the upstream', () => {
  let upstream: DevnetProcess;
  let fork: DevnetProcess;
  let caller: string;
  let callerAbi: Interface;
  let miners: string[];
  let forkEpoch: number;

  useForkSuite('fvm-fork-miners-', () => [fork, upstream]);

  before(async () => {
    upstream = await startDevnet(['--gateway-only']);
    const provider = new JsonRpcProvider(upstream.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    const { FilecoinApiCaller } = await compileFixtures();
    callerAbi = new Interface(FilecoinApiCaller.abi);
    const deployed = (await new ContractFactory(FilecoinApiCaller.abi, FilecoinApiCaller.bytecode, new Wallet(DEV_ACCOUNTS[0].privateKey, provider)).deploy()) as Contract;
    await deployed.waitForDeployment();
    caller = await deployed.getAddress();
    provider.destroy();
    miners = await rpc(upstream.url, 'Filecoin.StateListMiners', [null]);
    forkEpoch = Number(await rpc(upstream.url, 'eth_blockNumber'));
    fork = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(forkEpoch)]);
  });

  test('a forked miner\'s info and kind read as the upstream\'s at the fork epoch', async () => {
    assert.equal(miners.length, 2);
    const tipset = await rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [forkEpoch, null]);
    for (const miner of miners) {
      assert.deepEqual(await rpc(fork.url, 'Filecoin.StateMinerInfo', [miner, null]), await rpc(upstream.url, 'Filecoin.StateMinerInfo', [miner, tipset.Cids]));
      const [mine, theirs] = await Promise.all([rpc(fork.url, 'Filecoin.StateGetActor', [miner, null]), rpc(upstream.url, 'Filecoin.StateGetActor', [miner, tipset.Cids])]);
      assert.deepEqual([mine.Code, mine.Balance], [theirs.Code, theirs.Balance]);
    }
  });

  test('call_actor_id from a forked contract to a forked miner answers as on the upstream', async () => {
    const id = BigInt(miners[0].slice(2));
    for (const method of ['GetOwner', 'GetPeerID', 'GetSectorSize', 'GetAvailableBalance', 'GetBeneficiary']) {
      const data = callerAbi.encodeFunctionData('callById', [id, methodNumber(method), 0, 0, 0, '0x']);
      const request = { from: DEV_ACCOUNTS[1].address, to: caller, data };
      const [mine, theirs] = await Promise.all([rpc(fork.url, 'eth_call', [request, 'latest']), rpc(upstream.url, 'eth_call', [request, `0x${forkEpoch.toString(16)}`])]);
      const [exitCode] = callerAbi.decodeFunctionResult('callById', mine);
      assert.equal(exitCode, 0n, method);
      assert.equal(mine, theirs, method);
    }
  });

  test('an account or contract the fork asks about has no power claim: not listed as a miner, and the power actor refuses it', async () => {
    const tipset = await rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [forkEpoch, null]);
    const idOf = async (eth: string) => rpc(upstream.url, 'Filecoin.StateLookupID', [await rpc(upstream.url, 'Filecoin.EthAddressToFilecoinAddress', [eth]), null]);
    const nonMiners: string[] = [await idOf(DEV_ACCOUNTS[0].address), await idOf(caller)];
    for (const id of nonMiners) {
      // Lotus answers zero power for an address without a claim.
      const power = await rpc(fork.url, 'Filecoin.StateMinerPower', [id, null]);
      assert.deepEqual(power, await rpc(upstream.url, 'Filecoin.StateMinerPower', [id, tipset.Cids]));
      assert.equal(power.MinerPower.RawBytePower, '0');
    }
    const listed: string[] = await rpc(fork.url, 'Filecoin.StateListMiners', [null]);
    for (const id of nonMiners) assert.ok(!listed.includes(id), `${id} listed as a miner`);
    for (const id of nonMiners) {
      // builtin-actors' MinerRawPower: "no claim for actor" (USR_ILLEGAL_ARGUMENT).
      const data = callerAbi.encodeFunctionData('callById', [4, methodNumber('MinerRawPower'), 0, 0, 0x51, bytesToHex(encodeCbor(Number(id.slice(2))))]);
      const request = { from: DEV_ACCOUNTS[1].address, to: caller, data };
      const [mine, theirs] = await Promise.all([rpc(fork.url, 'eth_call', [request, 'latest']), rpc(upstream.url, 'eth_call', [request, `0x${forkEpoch.toString(16)}`])]);
      assert.equal(callerAbi.decodeFunctionResult('callById', mine)[0], 16n, id);
      assert.equal(mine, theirs, id);
    }
  });
});
