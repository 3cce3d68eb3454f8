// anvil_metadata and web3_clientVersion as OpenZeppelin Upgrades reads them (upgrades-core 1.46,
// src/provider.ts and src/manifest.ts): a development network by its client's name; a manifest per
// chain id and instanceId, the id naming the chain (kept by a saved chain, new for a new one); and on
// a fork, the upstream's chain, whose manifest is then read as well, and an id of its own.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex } from '../../src/common/hex.js';
import { decodeChain } from '../../src/devnet/persistence.js';
import { readStateFile } from '../../src/devnet/state-file.js';
import { startDevnet, testConfig } from '../../src/index.js';
import { setupRpc } from '../helpers/rpc-harness.js';

describe('what OpenZeppelin Upgrades reads of the node', () => {
  test("web3_clientVersion's name before the first '/' is anvil, which upgrades-core takes for a development network", async (t) => {
    const { result } = await setupRpc(t);
    const version: string = await result('web3_clientVersion');
    assert.equal(version.split('/', 1)[0], 'anvil');
    assert.match(version, /fvm-devnet/);
    assert.equal((await result('anvil_metadata')).clientVersion, version);
  });

  test("instanceId is the chain's genesis hash: another for a new chain, the same for the chain loaded from a dump", async (t) => {
    const a = await setupRpc(t, { genesisTimestamp: 1_700_000_000 });
    const b = await setupRpc(t, { genesisTimestamp: 1_700_000_100 });
    const metadataA = await a.result('anvil_metadata');
    const genesisA = await a.result('eth_getBlockByNumber', ['0x0', false]);
    assert.equal(metadataA.instanceId, genesisA.hash);
    assert.equal(metadataA.forkedNetwork, null);
    assert.notEqual((await b.result('anvil_metadata')).instanceId, metadataA.instanceId);

    // Mining, snapshots and reverts leave it: the chain is the same one.
    const snapshot = await a.result('evm_snapshot');
    await a.result('evm_mine');
    await a.result('evm_revert', [snapshot]);
    await a.result('evm_mine');
    assert.equal((await a.result('anvil_metadata')).instanceId, metadataA.instanceId);

    // A node that loads a's chain (as one restarted with --state reads its file) names it as a does.
    assert.equal(await b.result('anvil_loadState', [await a.result('anvil_dumpState')]), true);
    assert.equal((await b.result('anvil_metadata')).instanceId, metadataA.instanceId);
  });

  test('anvil_reset and hardhat_reset draw a new instanceId each time, as Anvil 1.7.1 does (a new chain: a new OpenZeppelin manifest); a revert after keeps it', async (t) => {
    const { result } = await setupRpc(t);
    const ids = [(await result('anvil_metadata')).instanceId];
    for (const reset of ['anvil_reset', 'hardhat_reset', 'anvil_reset']) {
      await result(reset);
      ids.push((await result('anvil_metadata')).instanceId);
    }
    assert.equal(new Set(ids).size, 4);
    for (const id of ids) assert.match(id, /^0x[0-9a-f]{64}$/);
    const snapshot = await result('evm_snapshot');
    await result('evm_mine');
    await result('evm_revert', [snapshot]);
    assert.equal((await result('anvil_metadata')).instanceId, ids[3]);
  });

  test('the id a reset draws is kept with the chain: a node restarted on its --state file names it again, so proxies deployed after the reset stay upgradeable (review R3)', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'fvm-devnet-instance-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const config = testConfig({ statePath: join(dir, 'chain.state') });
    const instanceId = async (url: string) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'anvil_metadata', params: [] }) });
      return ((await res.json()) as { result: { instanceId: string } }).result.instanceId;
    };
    const call = (url: string, method: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: [] }) });
    const first = await startDevnet(config);
    const genesisId = await instanceId(first.url);
    await call(first.url, 'anvil_reset');
    await call(first.url, 'evm_mine');
    const drawn = await instanceId(first.url);
    assert.notEqual(drawn, genesisId);
    // Killed: the journal's record of the reset carries the id.
    const journaled = readStateFile(config.statePath!);
    assert.equal(bytesToHex(journaled!.instanceId!), drawn);
    await first.close();
    // Stopped: the whole file, written at exit, carries it.
    const again = await startDevnet(config);
    try {
      assert.equal(await instanceId(again.url), drawn);
      // And a dump (anvil_dumpState) carries it to the node that loads it.
      assert.equal(bytesToHex(decodeChain(again.devnet.save(), 'the dump').instanceId!), drawn);
      // Another reset draws another.
      await call(again.url, 'hardhat_reset');
      assert.notEqual(await instanceId(again.url), drawn);
    } finally {
      // Before the directory goes (t.after): the node saves its file at close.
      await again.close();
    }
  });

  test("on a fork, forkedNetwork names the upstream's chain id and the tipset the fork starts from", async (t) => {
    const upstream = await startDevnet(testConfig({ chainId: 314159n }));
    t.after(() => upstream.close());
    await upstream.devnet.mine();
    await upstream.devnet.mine();
    const fork = await setupRpc(t, { fork: { url: upstream.url, chainId: 31415926n } });
    const metadata = await fork.result('anvil_metadata');
    const start = upstream.devnet.chain.atEpoch(metadata.forkedNetwork.forkBlockNumber);
    assert.ok(start, `the upstream has no tipset at ${metadata.forkedNetwork.forkBlockNumber}`);
    assert.deepEqual(metadata.forkedNetwork, {
      chainId: 314159,
      forkBlockNumber: start.epoch,
      forkBlockHash: (await fork.result('eth_getBlockByNumber', ['0x' + start.epoch.toString(16), false])).hash,
    });
    assert.equal(metadata.chainId, 31415926);
    // Its own id, kept while it runs, not the upstream tipset's hash (another fork's, or a devnet upstream's own id).
    assert.match(metadata.instanceId, /^0x[0-9a-f]{64}$/);
    assert.notEqual(metadata.instanceId, metadata.forkedNetwork.forkBlockHash);
    await fork.result('evm_mine');
    assert.equal((await fork.result('anvil_metadata')).instanceId, metadata.instanceId);
    // A re-fork is a new chain: a new id.
    await fork.result('anvil_reset', [{ forking: { jsonRpcUrl: upstream.url, blockNumber: 1 } }]);
    const reforked = await fork.result('anvil_metadata');
    assert.notEqual(reforked.instanceId, metadata.instanceId);
    assert.equal(reforked.forkedNetwork.forkBlockNumber, 1);
    // A plain reset of the fork, back to where it starts, is a new instance too (Anvil's reset_instance_id in both branches).
    await fork.result('anvil_reset');
    assert.notEqual((await fork.result('anvil_metadata')).instanceId, reforked.instanceId);
  });
});
