// A fork of a live network, checked against that network directly: `npm run test:live-fork` with
// FVM_DEVNET_LIVE_FORK_URL set to a Lotus endpoint (a public gateway serves every method used here;
// a token, if it needs one, goes in FVM_DEVNET_FORK_TOKEN as for --fork-url). Not part of `npm test`
// (it needs the network); without the URL it fails and says so. Nothing is hard-coded: the deal
// checked is the newest the market still has, its provider and client are the miner and the
// datacap holder read, and the contract is one a recent transaction called.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FilAddress } from '../../src/common/address.js';
import { encodeCbor } from '../../src/common/cbor.js';
import { methodNumber } from '../../src/fevm/actors/runtime.js';
import { startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';

const UPSTREAM = process.env.FVM_DEVNET_LIVE_FORK_URL;
if (!UPSTREAM) {
  console.error('test:live-fork needs FVM_DEVNET_LIVE_FORK_URL, e.g. FVM_DEVNET_LIVE_FORK_URL=https://api.calibration.node.glif.io/rpc/v1 npm run test:live-fork');
  process.exit(1);
}
const UPSTREAM_RPC = /\/rpc\/v\d$/.test(UPSTREAM) ? UPSTREAM : `${UPSTREAM.replace(/\/$/, '')}/rpc/v1`;

async function rpc(url: string, method: string, params: unknown[] = []): Promise<any> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (url === UPSTREAM_RPC && process.env.FVM_DEVNET_FORK_TOKEN) headers.authorization = `Bearer ${process.env.FVM_DEVNET_FORK_TOKEN}`;
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

const hex = (n: number) => `0x${n.toString(16)}`;

describe(`a fork of ${UPSTREAM_RPC}`, () => {
  let fork: DevnetProcess;
  let cacheDir: string;
  let forkEpoch: number;
  /** The key the fork reads the upstream's Filecoin.State* at: the first tipset after the fork epoch. */
  let stateKey: unknown;

  /** A Filecoin.State* method on the fork at its head and on the upstream at the fork point: the same answer. */
  async function same(method: string, params: unknown[]): Promise<any> {
    const theirs = await rpc(UPSTREAM_RPC, method, [...params, stateKey]);
    assert.deepEqual(await rpc(fork.url, method, [...params, null]), theirs, `${method}(${params.join(', ')})`);
    return theirs;
  }

  before(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'fvm-live-fork-'));
    process.env.FVM_DEVNET_CACHE_DIR = cacheDir;
    const head = (await rpc(UPSTREAM_RPC, 'Filecoin.ChainHead')).Height;
    forkEpoch = head - 20;
    fork = await startDevnet(['--fork-url', UPSTREAM_RPC, '--fork-block-number', String(forkEpoch), '--storage-providers', '0']);
    stateKey = (await rpc(UPSTREAM_RPC, 'Filecoin.ChainGetTipSetAfterHeight', [forkEpoch + 1, null])).Cids;
  });

  after(async () => {
    await fork?.stop();
    delete process.env.FVM_DEVNET_CACHE_DIR;
    rmSync(cacheDir, { recursive: true, force: true });
  });

  test('the singletons\' heads and states read as the upstream\'s before anything is written', async () => {
    for (const actor of ['f04', 'f05', 'f06', 'f07']) {
      await same('Filecoin.StateGetActor', [actor]);
      await same('Filecoin.StateReadState', [actor]);
    }
  });

  test('a contract a recent transaction called: its code and first storage slots', async () => {
    let contract: string | undefined;
    for (let epoch = forkEpoch; epoch > forkEpoch - 200 && !contract; epoch--) {
      const block = await rpc(UPSTREAM_RPC, 'eth_getBlockByNumber', [hex(epoch), true]).catch(() => null);
      for (const tx of block?.transactions ?? []) {
        if (tx.to && (await rpc(UPSTREAM_RPC, 'eth_getCode', [tx.to, hex(forkEpoch)])) !== '0x') {
          contract = tx.to;
          break;
        }
      }
    }
    assert.ok(contract, 'no transaction to a contract in the 200 epochs before the fork epoch');
    const code = await rpc(fork.url, 'eth_getCode', [contract, 'latest']);
    assert.equal(code, await rpc(UPSTREAM_RPC, 'eth_getCode', [contract, hex(forkEpoch)]));
    for (const slot of ['0x0', '0x1', '0x2', '0x3']) {
      assert.equal(await rpc(fork.url, 'eth_getStorageAt', [contract, slot, 'latest']), await rpc(UPSTREAM_RPC, 'eth_getStorageAt', [contract, slot, hex(forkEpoch)]), slot);
    }
    assert.equal(await rpc(fork.url, 'eth_getBalance', [contract, 'latest']), await rpc(UPSTREAM_RPC, 'eth_getBalance', [contract, hex(forkEpoch)]));
  });

  test('the newest deal, its provider\'s info and power, its client\'s escrow, datacap, allocations and allowance for the market', async () => {
    const { State: market } = await rpc(UPSTREAM_RPC, 'Filecoin.StateReadState', ['f05', stateKey]);
    // Deals are removed when they end: the newest ID the market still holds.
    let dealId = market.NextID;
    let deal: any;
    while (!deal && dealId > Math.max(0, market.NextID - 500)) {
      dealId--;
      deal = await rpc(UPSTREAM_RPC, 'Filecoin.StateMarketStorageDeal', [dealId, stateKey]).catch(() => undefined);
    }
    assert.ok(deal, 'no deal among the newest 500 IDs');
    await same('Filecoin.StateMarketStorageDeal', [dealId]);
    const { Provider: provider, Client: client } = deal.Proposal;
    await same('Filecoin.StateMinerInfo', [provider]);
    await same('Filecoin.StateMinerPower', [provider]);
    await same('Filecoin.StateMarketBalance', [client]);
    await same('Filecoin.StateVerifiedClientStatus', [client]);
    await same('Filecoin.StateGetAllocations', [client]);
    const params = Buffer.from(encodeCbor([FilAddress.parse(client).bytes, FilAddress.parse('f05').bytes])).toString('base64');
    const message = { From: client, To: 'f07', Value: '0', Method: methodNumber('Allowance'), Params: params, Nonce: 0, GasLimit: 0, GasFeeCap: '0', GasPremium: '0' };
    const [mine, theirs] = await Promise.all([rpc(fork.url, 'Filecoin.StateCall', [message, null]), rpc(UPSTREAM_RPC, 'Filecoin.StateCall', [message, stateKey])]);
    assert.equal(mine.MsgRct.ExitCode, 0);
    assert.equal(mine.MsgRct.Return, theirs.MsgRct.Return);
  });
});
