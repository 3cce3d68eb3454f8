// The gas of a forked contract's storage is the upstream's: the fork reads the contract's KAMT root
// (StateReadState's ContractState, then ChainReadObj) and prices its SLOADs, SSTOREs and flush on the
// root's real buckets. The oracle is the upstream itself: its own Ethereum transactions after the
// fork epoch, replayed raw on a fork at that epoch, use the same gas (writes to several slots, a new
// slot, an overwrite), and eth_estimateGas on the fork answers what the upstream answered at that epoch.
// A fork of that fork reads the same root through it (the middle fork answers the upstream's
// ContractState while it has written none of the contract's slots) and is exact too.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Interface, JsonRpcProvider, Wallet } from 'ethers';
import { DEV_ACCOUNTS, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { head, rpc } from '../helpers/fork-calls.js';
import { useForkSuite } from '../helpers/fork-suite.js';
import { compileSolidity } from '../helpers/solc.js';

const STORE_SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Store {
  uint256 public a = 1;
  uint256 public b = 2;
  mapping(uint256 => uint256) public m;
  function set(uint256 k, uint256 v) external { m[k] = v; }
  function setA(uint256 v) external { a = v; }
}`;
const store = new Interface(['function set(uint256 k, uint256 v)', 'function setA(uint256 v)']);

/** Sends each call to `to` from the first dev account, one per tipset; their hashes. */
async function sendAll(url: string, to: string, calls: string[]): Promise<string[]> {
  const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1, staticNetwork: true });
  try {
    const wallet = new Wallet(DEV_ACCOUNTS[0].privateKey, provider);
    const hashes: string[] = [];
    for (const data of calls) hashes.push((await (await wallet.sendTransaction({ to, data })).wait())!.hash);
    return hashes;
  } finally {
    provider.destroy();
  }
}

const sets = (pairs: [number, number][]) => pairs.map(([k, v]) => store.encodeFunctionData('set', [k, v]));

describe('fork: a forked contract\'s storage gas is the upstream\'s', () => {
  let upstream: DevnetProcess;
  let fork: DevnetProcess | undefined;
  /** A fork of the fork, at the same epoch. */
  let forkOfFork: DevnetProcess | undefined;
  let address: string;
  let forkEpoch: number;
  /** The upstream's transactions after the fork epoch. */
  let after_: string[];
  /** The upstream's estimates at the fork epoch, by call data. */
  const estimates = new Map<string, string>();
  const estimated = [...sets([[500, 1], [3, 9], [4, 0]]), store.encodeFunctionData('setA', [7])];

  useForkSuite('fvm-fork-storage-gas-', () => [forkOfFork, fork, upstream]);

  before(async () => {
    upstream = await startDevnet();
    const { Store } = await compileSolidity({ 'Store.sol': STORE_SOURCE });
    const provider = new JsonRpcProvider(upstream.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    try {
      address = (await (await new Wallet(DEV_ACCOUNTS[0].privateKey, provider).sendTransaction({ data: Store!.bytecode })).wait())!.contractAddress!;
    } finally {
      provider.destroy();
    }
    // Mapping entries spread over the root's buckets: most alone in theirs (kept in the root), a few sharing one (a node).
    await sendAll(upstream.url, address, sets(Array.from({ length: 24 }, (_, i): [number, number] => [i, i + 1])));
    forkEpoch = await head(upstream.url);
    for (const data of estimated) estimates.set(data, await rpc(upstream.url, 'eth_estimateGas', [{ from: DEV_ACCOUNTS[0].address, to: address, data }]));
    // After the fork epoch: several slots, a new one, an overwrite, a slot cleared, a plain variable.
    after_ = await sendAll(upstream.url, address, [...sets([[5, 50], [6, 60], [7, 70], [100, 1], [3, 9], [4, 0]]), store.encodeFunctionData('setA', [7])]);
    fork = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(forkEpoch)]);
    forkOfFork = await startDevnet(['--fork-url', fork.url, '--fork-block-number', String(forkEpoch)]);
  });

  test('eth_estimateGas on the fork, and on a fork of it, answers what the upstream answered at the fork epoch', async () => {
    for (const node of [fork!, forkOfFork!]) {
      for (const data of estimated) {
        assert.equal(await rpc(node.url, 'eth_estimateGas', [{ from: DEV_ACCOUNTS[0].address, to: address, data }]), estimates.get(data), data.slice(0, 74));
      }
    }
  });

  test('the upstream\'s own transactions after the fork epoch, replayed raw on the fork and on a fork of it, use the same gas', async () => {
    for (const node of [fork!, forkOfFork!]) {
      const gas: [string, string][] = [];
      for (const hash of after_) {
        const raw = await rpc(upstream.url, 'eth_getRawTransactionByHash', [hash]);
        assert.equal(await rpc(node.url, 'eth_sendRawTransaction', [raw]), hash);
        const [theirs, mine] = [await rpc(upstream.url, 'eth_getTransactionReceipt', [hash]), await rpc(node.url, 'eth_getTransactionReceipt', [hash])];
        assert.equal(mine.status, '0x1');
        gas.push([mine.gasUsed, theirs.gasUsed]);
      }
      assert.deepEqual(gas.map(([mine]) => Number(mine)), gas.map(([, theirs]) => Number(theirs)), node.url);
      for (const slot of [0, 1]) assert.equal(await rpc(node.url, 'eth_getStorageAt', [address, `0x${slot}`, 'latest']), await rpc(upstream.url, 'eth_getStorageAt', [address, `0x${slot}`, 'latest']));
    }
  });
});
