// Past states read over HTTP at old heights, as ethers and a Lotus client send the reads: once their
// actors' versions are past, the state tree keeps most as what changed from the version before
// (fevm/actor-change.ts, state-tree.ts ActorHistory), and every read must answer as it did while the
// version was the newest: at old heights, at the heights an evm_revert kept, at the tipset keys it
// dropped, and after a --state restart. The contract is paid and writes a new slot each transaction,
// so its actor changes each transaction (balance and state root; its nonce does not: only CREATE
// raises a contract's), the miners, reward and power actors change every tipset; 40 transactions
// make more versions than one run of changes (32).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Contract, ContractFactory, JsonRpcProvider, Wallet } from 'ethers';
import { DEV_ACCOUNTS, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { hex, rpc } from '../helpers/fork-calls.js';
import { compileSolidity } from '../helpers/solc.js';

const TALLY_SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
contract Tally {
  uint256 public total;
  uint256[] public items;
  function add(uint256 v) external payable {
    total += v;
    items.push(v);
  }
}
`;

const dir = mkdtempSync(join(tmpdir(), 'fvm-devnet-past-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** What the node answers about one height: eth reads by its number, Filecoin reads by its tipset key. */
interface Answers {
  total: string;
  balance: string;
  contractActor: unknown;
  miners: unknown[];
  minerStates: unknown[];
  reward: unknown;
  power: unknown;
}

describe('past states at old heights, after a revert, at dropped keys and after a --state restart', () => {
  const file = join(dir, 'chain.state');
  let node: DevnetProcess;
  let tally: Contract;
  let contractF410: string;
  let miners: string[];
  /** By height: the tipset key and what the node answered while that height was the head. */
  const answered = new Map<number, { key: unknown; answers: Answers }>();
  after(() => node?.stop());

  const ethReads = async (url: string, height: number) => ({
    total: (await rpc(url, 'eth_call', [{ to: await tally.getAddress(), data: tally.interface.encodeFunctionData('total') }, hex(height)])) as string,
    balance: (await rpc(url, 'eth_getBalance', [await tally.getAddress(), hex(height)])) as string,
  });
  const filecoinReads = async (url: string, key: unknown) => ({
    contractActor: await rpc(url, 'Filecoin.StateGetActor', [contractF410, key]),
    miners: await Promise.all(miners.map((miner) => rpc(url, 'Filecoin.StateGetActor', [miner, key]))),
    minerStates: await Promise.all(miners.map((miner) => rpc(url, 'Filecoin.StateReadState', [miner, key]))),
    reward: await rpc(url, 'Filecoin.StateReadState', ['f02', key]),
    power: await rpc(url, 'Filecoin.StateReadState', ['f04', key]),
  });
  const reads = async (url: string, height: number, key: unknown): Promise<Answers> => ({ ...(await ethReads(url, height)), ...(await filecoinReads(url, key)) });

  /** Sends add(v) paying v attoFIL, and records what the node answers at the height it was mined in. */
  const addAndRecord = async (url: string, v: number): Promise<number> => {
    const receipt = await (await tally.getFunction('add')(v, { value: v })).wait();
    const height = receipt!.blockNumber;
    const { Cids: key } = await rpc(url, 'Filecoin.ChainGetTipSetByHeight', [height, null]);
    answered.set(height, { key, answers: await reads(url, height, key) });
    return height;
  };

  const assertAnswersAsRecorded = async (url: string, heights: Iterable<number>) => {
    for (const height of heights) {
      const { key, answers } = answered.get(height)!;
      assert.deepEqual(await reads(url, height, key), answers, `height ${height}`);
    }
  };

  let provider: JsonRpcProvider;
  let snapshotHeight: number;
  let dropped: number[];

  test('every height answers as it did when it was the head', async () => {
    node = await startDevnet(['--state', file]);
    provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    const wallet = new Wallet(DEV_ACCOUNTS[0].privateKey, provider);
    const { Tally } = await compileSolidity({ 'Tally.sol': TALLY_SOURCE });
    tally = (await (await new ContractFactory(Tally.abi, Tally.bytecode, wallet).deploy()).waitForDeployment()) as Contract;
    contractF410 = (await rpc(node.url, 'Filecoin.EthAddressToFilecoinAddress', [await tally.getAddress()])) as string;
    miners = await rpc(node.url, 'Filecoin.StateListMiners', [null]);
    assert.ok(miners.length >= 1);
    let snapshot = '';
    for (let v = 1; v <= 40; v++) {
      const height = await addAndRecord(node.url, v);
      if (v === 20) {
        snapshotHeight = height;
        snapshot = await rpc(node.url, 'evm_snapshot');
      }
    }
    await assertAnswersAsRecorded(node.url, answered.keys());
    // The reads do answer each height's own state: the tally grew by one add a height.
    const totals = [...answered.values()].map(({ answers }) => BigInt(answers.total));
    assert.deepEqual(totals, totals.map((_, i) => BigInt(((i + 1) * (i + 2)) / 2)));

    assert.equal(await rpc(node.url, 'evm_revert', [snapshot]), true);
    dropped = [...answered.keys()].filter((height) => height > snapshotHeight);
  });

  test('after an evm_revert: the heights kept, the dropped tipsets by key, and the new ones', async () => {
    const droppedAnswers = new Map(dropped.map((height) => [height, answered.get(height)!]));
    for (const height of dropped) answered.delete(height);
    for (let v = 1001; v <= 1010; v++) await addAndRecord(node.url, v);
    await assertAnswersAsRecorded(node.url, answered.keys());
    for (const [height, { key, answers }] of droppedAnswers) {
      // Ethereum reads name a height of the chain; a dropped tipset is read by its key.
      const { total: _total, balance: _balance, ...filecoin } = answers;
      assert.deepEqual(await filecoinReads(node.url, key), filecoin, `dropped height ${height}`);
    }
    const newest = answered.get(Math.max(...answered.keys()))!.answers;
    assert.equal(BigInt(newest.total), (20n * 21n) / 2n + 10_055n);
  });

  test('after a --state restart', async () => {
    provider.destroy();
    await node.stop();
    node = await startDevnet(['--state', file]);
    await assertAnswersAsRecorded(node.url, answered.keys());
  });
});
