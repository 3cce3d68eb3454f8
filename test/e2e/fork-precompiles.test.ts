// End to end: a contract on the fork calls the FEVM precompiles (resolve_address,
// lookup_delegated_address, call_actor by address) on upstream actors the fork has not read yet, so
// each first touch is fetched from the upstream inside the EVM call; the answers must be the ones
// the same calls give on the upstream at the fork epoch; and BLOCKHASH of the upstream's epochs before
// the fork epoch reads their hashes. Against a full-node and a gateway upstream.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ContractFactory, Interface, JsonRpcProvider, Wallet } from 'ethers';
import { accountFromPrivateKey } from 'iso-filecoin/wallet';
import { FilAddress } from '../../src/common/address.js';
import { bytesToHex } from '../../src/common/hex.js';
import { methodNumber } from '../../src/fevm/actors/runtime.js';
import { compileFixtures } from '../helpers/solc.js';
import { DEV_ACCOUNTS, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { hex, rpc } from '../helpers/fork-calls.js';
import { useForkSuite } from '../helpers/fork-suite.js';

/** Two f1 accounts funded on the upstream: one resolved by address, one sent to through call_actor. */
const native = accountFromPrivateKey(new Uint8Array(32).fill(9), 'SECP256K1', 'testnet');
const payee = accountFromPrivateKey(new Uint8Array(32).fill(10), 'SECP256K1', 'testnet');
/** Two f410 accounts made by a transfer on the upstream: one resolved by address, one looked up by ID. */
const RESOLVED = '0x3333333333333333333333333333333333333333';
const LOOKED_UP = '0x4444444444444444444444444444444444444444';
/** An f410 address that has no actor upstream. */
const ABSENT = '0x5555555555555555555555555555555555555555';
const FIL = 10n ** 18n;

const f410Bytes = (eth: string) => bytesToHex(FilAddress.fromEthAddress(Buffer.from(eth.slice(2), 'hex')).bytes);
const idOf = (f0: string) => BigInt(f0.slice(2));

for (const gatewayOnly of [false, true]) describe(`precompiles on a fork of an fvm-devnet upstream${gatewayOnly ? ' started with --gateway-only' : ''}`, () => {
  let upstream: DevnetProcess;
  let fork: DevnetProcess;
  let probeAddress: string;
  let probe: Interface;
  let forkEpoch: number;
  let miner: string;

  useForkSuite('fvm-fork-precompiles-', () => [fork, upstream]);

  before(async () => {
    upstream = await startDevnet(['--fund', `${native.address.toString()}=1000`, '--fund', `${payee.address.toString()}=1000`, ...(gatewayOnly ? ['--gateway-only'] : [])]);
    const ethProvider = new JsonRpcProvider(upstream.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    const deployer = new Wallet(DEV_ACCOUNTS[0].privateKey, ethProvider);
    const { FevmProbe } = await compileFixtures();
    probe = new Interface(FevmProbe.abi);
    const contract = await new ContractFactory(FevmProbe.abi, FevmProbe.bytecode, deployer).deploy();
    await contract.waitForDeployment();
    probeAddress = await contract.getAddress();
    for (const to of [RESOLVED, LOOKED_UP]) await (await deployer.sendTransaction({ to, value: FIL })).wait();
    [miner] = await rpc(upstream.url, 'Filecoin.StateListMiners', [null]);
    forkEpoch = Number(await rpc(upstream.url, 'eth_blockNumber'));
    ethProvider.destroy();
    fork = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(forkEpoch), '--storage-providers', '0']);
  });

  /** eth_call of the probe's `name(args)` on the fork (its head) and on the upstream at the fork epoch. */
  async function both(name: string, args: unknown[]): Promise<{ onFork: string; onUpstream: string; decoded: any }> {
    const data = probe.encodeFunctionData(name, args);
    const onFork = await rpc(fork.url, 'eth_call', [{ to: probeAddress, data }, 'latest']);
    const onUpstream = await rpc(upstream.url, 'eth_call', [{ to: probeAddress, data }, hex(forkEpoch)]);
    return { onFork, onUpstream, decoded: probe.decodeFunctionResult(name, onFork) };
  }

  test('resolve_address on unread f1 and f410 addresses, and on one with no actor, answers as the upstream', async () => {
    for (const [address, expected] of [
      [bytesToHex(FilAddress.parse(native.address.toString()).bytes), await rpc(upstream.url, 'Filecoin.StateLookupID', [native.address.toString(), null])],
      [f410Bytes(RESOLVED), await rpc(upstream.url, 'Filecoin.StateLookupID', [FilAddress.fromEthAddress(Buffer.from(RESOLVED.slice(2), 'hex')).toString(), null])],
      [f410Bytes(ABSENT), undefined],
    ] as const) {
      const { onFork, onUpstream, decoded } = await both('resolveAddress', [address]);
      assert.equal(onFork, onUpstream, `resolve_address(${address})`);
      assert.equal(decoded.success, true);
      // The actor's ID as one word, or nothing when no actor has the address.
      assert.equal(decoded.output, expected === undefined ? '0x' : `0x${idOf(expected).toString(16).padStart(64, '0')}`);
    }
  });

  test('lookup_delegated_address on the ID of an unread f410 actor answers its f410 address, as the upstream', async () => {
    const id = await rpc(upstream.url, 'Filecoin.StateLookupID', [FilAddress.fromEthAddress(Buffer.from(LOOKED_UP.slice(2), 'hex')).toString(), null]);
    const { onFork, onUpstream, decoded } = await both('lookupDelegatedAddress', [idOf(id)]);
    assert.equal(onFork, onUpstream);
    assert.equal(decoded.success, true);
    assert.equal(decoded.output, f410Bytes(LOOKED_UP));
  });

  test('call_actor by address to an unread miner (GetOwner) and an unread f1 account (a send) answers as the upstream', async () => {
    const minerBytes = bytesToHex(FilAddress.parse(miner).bytes);
    const owner = await both('callActor', [methodNumber('GetOwner'), 0n, 0n, 0n, '0x', minerBytes]);
    assert.equal(owner.onFork, owner.onUpstream);
    const [ok, exitCode, codec, data] = owner.decoded[0];
    assert.deepEqual([ok, exitCode, codec], [true, 0n, 0x51n]);
    assert.ok(data.length > 2, 'GetOwner returned the owner');

    const send = await both('callActor', [0n, 0n, 0n, 0n, '0x', bytesToHex(FilAddress.parse(payee.address.toString()).bytes)]);
    assert.equal(send.onFork, send.onUpstream);
    assert.deepEqual(Array.from(send.decoded[0]).slice(0, 3), [true, 0n, 0n]);
  });

  test('BLOCKHASH of an epoch before the fork epoch is the upstream\'s block hash there, in a transaction mined on the fork and in a call', async () => {
    const upstreamHashes = await Promise.all(Array.from({ length: forkEpoch + 1 }, async (_, n) => (await rpc(upstream.url, 'eth_getBlockByNumber', [hex(n), false])).hash as string));
    // A transaction first, so that its own mining fetches the hashes it reads (the call after reads them held).
    const data = probe.encodeFunctionData('blockHash', [forkEpoch - 1]);
    const hash = await rpc(fork.url, 'eth_sendTransaction', [{ from: DEV_ACCOUNTS[0].address, to: probeAddress, data }]);
    const receipt = await rpc(fork.url, 'eth_getTransactionReceipt', [hash]);
    assert.equal(receipt.status, '0x1');
    const trace = await rpc(fork.url, 'debug_traceTransaction', [hash, { tracer: 'callTracer' }]);
    assert.equal(trace.output, upstreamHashes[forkEpoch - 1]);
    for (let n = 0; n <= forkEpoch; n++) {
      const onFork = await rpc(fork.url, 'eth_call', [{ to: probeAddress, data: probe.encodeFunctionData('blockHash', [n]) }, 'latest']);
      assert.equal(onFork, upstreamHashes[n], `blockhash(${n})`);
      assert.equal((await rpc(fork.url, 'eth_getBlockByNumber', [hex(n), false])).hash, upstreamHashes[n]);
    }
  });
});
