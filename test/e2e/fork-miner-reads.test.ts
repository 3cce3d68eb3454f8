// What a fork answers about a forked storage provider's deal, or a forked miner's balance, when that
// read is the first of the miner: the same as a fork that read the miner at once. An fvm-devnet
// upstream (answering as a Lotus gateway) whose provider holds a deal in a sector it then faults,
// with two more faulty sectors, forked a few epochs later by several forks that do not prove it. The
// reference fork reads the miner's power at once, so its deadlines close as it mines; the others mine
// as far without reading the miner, then read first the deal (StateMarketStorageDeal), the miner's
// balance (eth_getBalance), or its available balance and the deal's client through a contract's
// call_actor. After a proving period the fault fee was charged (the miner's balance, the burnt
// fees); after the faulty sectors' 42 days the deal was slashed with its terminated sector.
import assert from 'node:assert/strict';
import { ContractFactory, Interface, JsonRpcProvider, Wallet, type Contract } from 'ethers';
import { after, before, describe, test } from 'node:test';
import { encodeCbor } from '../../src/common/cbor.js';
import { bytesToHex } from '../../src/common/hex.js';
import { FAULT_MAX_AGE, WPOST_PROVING_PERIOD as PROVING_PERIOD } from '../../src/fevm/actors/miner/policy.js';
import { methodNumber } from '../../src/fevm/actors/runtime.js';
import { computePieceCid } from '../../src/devnet/storage-providers/piece-cid.js';
import { DEV_ACCOUNTS, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { answerOrError, head, masked, mineTo, mineUntilActive, rpc } from '../helpers/fork-calls.js';
import { stopForkSuite } from '../helpers/fork-suite.js';
import { compileFixtures } from '../helpers/solc.js';

const SEAL_DELAY = 3;

describe('fork: a first read of a forked provider\'s deal or of a forked miner\'s balance answers after the miner\'s missed deadline closes', () => {
  let upstream: DevnetProcess;
  let reference: DevnetProcess;
  let dealFirst: DevnetProcess;
  let balanceFirst: DevnetProcess;
  let callFirst: DevnetProcess;
  let miner: string;
  let dealId: number;
  let callerAddress: string;
  let forkEpoch: number;
  let forkArgs: string[];
  const caller = new Interface(['function callById(uint64,uint64,uint256,uint64,uint64,bytes) payable returns (int256,uint64,bytes)']);

  /** call_actor_id of `method` on actor `id` with CBOR `params`, from the forked contract: its (exit code, codec, data) as eth_call answers them. */
  const callActor = (url: string, id: number, method: string, params: unknown) => {
    const data = caller.encodeFunctionData('callById', [id, methodNumber(method), 0, 0, params === undefined ? 0 : 0x51, params === undefined ? '0x' : bytesToHex(encodeCbor(params))]);
    return rpc(url, 'eth_call', [{ from: DEV_ACCOUNTS[1].address, to: callerAddress, data }, 'latest']);
  };
  const minerId = () => Number(miner.slice(2));
  const burnt = async (url: string) => (await rpc(url, 'Filecoin.StateGetActor', ['f099', null])).Balance;

  before(async () => {
    upstream = await startDevnet(['--storage-providers', '1', '--seal-delay', String(SEAL_DELAY), '--gateway-only']);
    [miner] = await rpc(upstream.url, 'Filecoin.StateListMiners', [null]);
    const piece = computePieceCid(new Uint8Array(3000).map((_, i) => i % 251));
    ({ dealId } = await rpc(upstream.url, 'devnet_proposeDeal', [{ pieceCid: piece.cid.toString(), pieceSize: piece.size, storagePricePerEpoch: '1000000' }]));
    const deal = await mineUntilActive(upstream.url, dealId, SEAL_DELAY);
    await rpc(upstream.url, 'devnet_faultSectors', [miner, [1, 2, deal.State.SectorNumber]]);
    const provider = new JsonRpcProvider(upstream.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    const { FilecoinApiCaller } = await compileFixtures();
    const contract = (await new ContractFactory(FilecoinApiCaller.abi, FilecoinApiCaller.bytecode, new Wallet(DEV_ACCOUNTS[0].privateKey, provider)).deploy()) as Contract;
    await contract.waitForDeployment();
    callerAddress = await contract.getAddress();
    provider.destroy();
    forkEpoch = (await head(upstream.url)) + 5;
    await mineTo(upstream.url, forkEpoch);
    // No disk cache: no fork may find what another read.
    forkArgs = ['--fork-url', upstream.url, '--fork-block-number', String(forkEpoch), '--storage-providers', '0', '--no-fork-cache'];
    [reference, dealFirst, balanceFirst, callFirst] = await Promise.all([startDevnet(forkArgs), startDevnet(forkArgs), startDevnet(forkArgs), startDevnet(forkArgs)]);
    await rpc(reference.url, 'Filecoin.StateMinerPower', [miner, null]);
  });

  after(() => stopForkSuite([reference, dealFirst, balanceFirst, callFirst, upstream], undefined));

  test('after a proving period: the fault fee was charged before the deal, the balance or GetAvailableBalance answers', async () => {
    const periodLater = forkEpoch + PROVING_PERIOD + 100;
    await Promise.all([reference, dealFirst, balanceFirst, callFirst].map((fork) => mineTo(fork.url, periodLater)));
    const feeBurnt = await burnt(reference.url);
    assert.ok(BigInt(feeBurnt) > BigInt(await burnt(upstream.url)), 'the reference fork charged the fault fee');

    // The deal's first read took its provider: the fee it missed is burnt on this fork too.
    assert.deepEqual(await rpc(dealFirst.url, 'Filecoin.StateMarketStorageDeal', [dealId, null]), await rpc(reference.url, 'Filecoin.StateMarketStorageDeal', [dealId, null]));
    assert.equal(await burnt(dealFirst.url), feeBurnt);

    // The miner's own balance, by its masked ID address, less the fee.
    const balance = await rpc(reference.url, 'eth_getBalance', [masked(miner), 'latest']);
    assert.equal(await rpc(balanceFirst.url, 'eth_getBalance', [masked(miner), 'latest']), balance);
    assert.equal((await rpc(balanceFirst.url, 'Filecoin.StateGetActor', [miner, null])).Balance, BigInt(balance).toString());
    assert.equal(await burnt(balanceFirst.url), feeBurnt);

    // A contract's call_actor to the miner's GetAvailableBalance, and to the market about the deal.
    const available = await callActor(reference.url, minerId(), 'GetAvailableBalance', undefined);
    assert.equal(await callActor(callFirst.url, minerId(), 'GetAvailableBalance', undefined), available);
    assert.equal(await burnt(callFirst.url), feeBurnt);
    assert.equal(await callActor(callFirst.url, 5, 'GetDealClient', dealId), await callActor(reference.url, 5, 'GetDealClient', dealId));
  });

  test('after the faulty sectors\' 42 days: a deal first read is slashed with its terminated sector', async () => {
    const terminated = forkEpoch + FAULT_MAX_AGE + PROVING_PERIOD;
    // A fresh fork that reads nothing of the miner until then.
    await dealFirst.stop();
    dealFirst = await startDevnet(forkArgs);
    await Promise.all([mineTo(reference.url, terminated), mineTo(dealFirst.url, terminated)]);
    const theirs = await answerOrError(rpc(reference.url, 'Filecoin.StateMarketStorageDeal', [dealId, null]));
    assert.match(theirs.error, /not found/);
    assert.deepEqual(await answerOrError(rpc(dealFirst.url, 'Filecoin.StateMarketStorageDeal', [dealId, null])), theirs);
    assert.equal(await burnt(dealFirst.url), await burnt(reference.url));
    // The upstream, at its head before all this, still has the deal.
    assert.equal((await rpc(upstream.url, 'Filecoin.StateMarketStorageDeal', [dealId, null])).Proposal.Provider, miner);
  });
});
