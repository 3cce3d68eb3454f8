// A --state file written by the node before nv28 (test/fixtures/state, commit 79adac7: network
// version 27, actors v17) loads into this one: the state stores each actor's kind, not its code
// CID, so its actors answer actors v18's code CIDs, as after calibnet's FireHorse migration
// (docs/architecture.md, "Network version"); the chain, balances, its multisig and its storage
// providers' sectors are there, the v18 miner methods read those sectors, and the chain goes on.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { JsonRpcProvider, Wallet } from 'ethers';
import { decodeCbor, encodeCbor } from '../../src/common/cbor.js';
import { DEV_ACCOUNTS, startDevnet } from '../helpers/devnet-process.js';
import { glifClient } from '../helpers/glif.js';
import { REPO_ROOT } from '../helpers/solc.js';

const dir = mkdtempSync(join(tmpdir(), 'fvm-devnet-nv27-state-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('a state file of the nv27 node', () => {
  test('loads with actors v18 code CIDs, its chain, multisig and sectors intact, and goes on', async () => {
    const file = join(dir, 'chain.state');
    copyFileSync(join(REPO_ROOT, 'test', 'fixtures', 'state', 'nv27-79adac7.state'), file);
    const node = await startDevnet(['--state', file]);
    try {
      assert.match(node.output(), /Chain loaded at height 4/);
      const lotus = glifClient(node.url);
      assert.equal(await lotus.request('StateNetworkVersion', null), 28);
      const codes = await lotus.request('StateActorCodeCIDs', 28);
      assert.deepEqual((await lotus.request('StateGetActor', 't0118', null)).Code, codes.multisig);
      assert.deepEqual((await lotus.request('StateGetActor', 't0111', null)).Code, codes.storageminer);
      const multisig = await lotus.request('StateReadState', 't0118', null);
      assert.equal(multisig.Balance, '1000');
      assert.equal(multisig.State.NumApprovalsThreshold, 1);

      const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1, staticNetwork: true });
      assert.equal(await provider.getBalance('0x000000000000000000000000000000000000beef'), 0x1234n);
      const next = await new Wallet(DEV_ACCOUNTS[0].privateKey, provider).sendTransaction({ to: DEV_ACCOUNTS[5].address, value: 1n });
      const receipt = await next.wait();
      assert.equal(receipt?.status, 1);
      assert.equal(receipt?.blockNumber, 5);
      // Multicall3 is placed at genesis only, so a chain saved before it has none (README, viem).
      assert.equal(await provider.getCode('0xcA11bde05977b3631167028862bE2a173976CA11'), '0x');
      provider.destroy();

      // A sector the nv27 node sealed at genesis, read with actors v18's GetNominalSectorExpiration.
      const [sector] = await lotus.request('StateMinerSectors', 't0111', null, null);
      const [from] = await lotus.request('WalletList');
      const call = { From: from, To: 't0111', Value: '0', Method: 3010055991, Params: Buffer.from(encodeCbor(sector.SectorNumber)).toString('base64') };
      const { MsgRct } = await lotus.request('StateCall', call, null);
      assert.equal(MsgRct.ExitCode, 0);
      assert.equal(decodeCbor(new Uint8Array(Buffer.from(MsgRct.Return, 'base64'))), sector.Expiration);
    } finally {
      await node.stop();
    }
  });
});
