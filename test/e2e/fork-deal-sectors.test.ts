// A forked sector's deals on termination: on an fvm-devnet upstream answering as a Lotus gateway, a
// provider seals a deal; the fork terminates that sector (its worker impersonated), and the market
// slashes the deal as builtin-actors does, finding it in the upstream's deals by provider sector
// (ProviderSectors, read with ChainReadObj). The upstream terminating the same sector after the
// fork epoch ends the same way.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { computePieceCid } from '../../src/devnet/storage-providers/piece-cid.js';
import { masked, mineUntilActive, rpc } from '../helpers/fork-calls.js';
import { startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { useForkSuite } from '../helpers/fork-suite.js';

const SEAL_DELAY = 3;
const COLLATERAL = 10n ** 18n;

describe('fork: terminating a forked sector slashes the forked deals in it', () => {
  let upstream: DevnetProcess;
  let fork: DevnetProcess;
  let forkEpoch: number;
  let provider: string;
  let client: string;
  let dealId: number;
  let sector: number;

  useForkSuite('fvm-fork-sectors-', () => [fork, upstream]);

  before(async () => {
    upstream = await startDevnet(['--gateway-only', '--seal-delay', String(SEAL_DELAY)]);
    const piece = computePieceCid(new Uint8Array(3000).map(() => Math.floor(Math.random() * 256)));
    ({ dealId, provider } = await rpc(upstream.url, 'devnet_proposeDeal', [
      { pieceCid: piece.cid.toString(), pieceSize: piece.size, storagePricePerEpoch: '0', providerCollateral: String(COLLATERAL) },
    ]));
    const deal = await mineUntilActive(upstream.url, dealId, SEAL_DELAY);
    sector = deal.State.SectorNumber;
    client = deal.Proposal.Client;
    forkEpoch = Number(await rpc(upstream.url, 'eth_blockNumber'));
    fork = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(forkEpoch), '--storage-providers', '0']);
  });

  test('the deal is slashed on the fork as on the upstream: removed, the provider\'s collateral burnt, the client\'s funds unlocked', async () => {
    const balances = async (url: string) => Promise.all([provider, client].map((a) => rpc(url, 'Filecoin.StateMarketBalance', [a, null])));
    const amounts = (b: { Escrow: string; Locked: string }[]) => b.flatMap(({ Escrow, Locked }) => [BigInt(Escrow), BigInt(Locked)]);
    const change: Record<string, bigint[]> = {};
    for (const [name, node] of [['fork', fork], ['upstream', upstream]] as const) {
      assert.equal((await rpc(node.url, 'Filecoin.StateMarketStorageDeal', [dealId, null])).State.SectorNumber, sector, name);
      const before = amounts(await balances(node.url));
      if (node === fork) {
        // The fork acts for the forked provider once it has read it and its worker is impersonated.
        await rpc(fork.url, 'Filecoin.StateMinerPower', [provider, null]);
        await rpc(fork.url, 'anvil_impersonateAccount', [masked((await rpc(fork.url, 'Filecoin.StateMinerInfo', [provider, null])).Worker)]);
      }
      await rpc(node.url, 'devnet_terminateSectors', [provider, [sector]]);
      await assert.rejects(rpc(node.url, 'Filecoin.StateMarketStorageDeal', [dealId, null]), new RegExp(`deal ${dealId} not found`), name);
      change[name] = amounts(await balances(node.url)).map((amount, i) => amount - before[i]);
    }
    assert.deepEqual(change.fork, change.upstream);
    // The provider's escrow and locked amount both lose the collateral, which is burnt.
    assert.deepEqual(change.fork.slice(0, 2), [-COLLATERAL, -COLLATERAL]);
  });
});
