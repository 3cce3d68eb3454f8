// Whole-table lists on a fork (StateListMiners, StateMarketDeals, StateMarketParticipants,
// StateGetAllAllocations, StateGetAllClaims), against an fvm-devnet upstream that answers as a full
// node and one that answers as a Lotus gateway (--gateway-only, which serves none of these but
// StateListMiners: the fork walks the market's and the registry's tables with ChainReadObj). On the
// upstream the node's deal client is made a verified client and makes a verified deal that is sealed
// (a claim) and one that is not (a pending deal and its allocation). The fork's lists are the
// upstream's at the fork epoch; then they show a new miner, deal, allocation and claim made on the
// fork, the allocation gone once sealed, and the upstream's unsealed deal gone once it times out; a
// restart at the same point lists them from the disk cache with the upstream stopped.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { deriveNodeKeys } from '../../src/devnet/node-keys.js';
import { nextUpdateEpoch } from '../../src/fevm/actors/market/policy.js';
import { hex, rpc } from '../helpers/fork-calls.js';
import { DEV_MNEMONIC, pollUntil, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { useForkSuite } from '../helpers/fork-suite.js';
import { randomVerifiedPiece } from '../helpers/verified-piece.js';

const SEAL_DELAY = 3;
const COLLATERAL = String(10n ** 18n);
const DEAL_CLIENT = deriveNodeKeys(DEV_MNEMONIC).dealClient.address.toString('t');

interface Lists {
  miners: string[];
  deals: Record<string, { Proposal: { Client: string; Provider: string; StartEpoch: number }; State: { SectorStartEpoch: number } }>;
  participants: Record<string, { Escrow: string; Locked: string }>;
  allocations: Record<string, { Client: number; Provider: number }>;
  claims: Record<string, { Client: number; Provider: number }>;
}

/** The five list methods' answers at `key`. */
async function listsOf(url: string, key: unknown): Promise<Lists> {
  const [miners, deals, participants, allocations, claims] = await Promise.all(
    ['StateListMiners', 'StateMarketDeals', 'StateMarketParticipants', 'StateGetAllAllocations', 'StateGetAllClaims'].map((m) => rpc(url, `Filecoin.${m}`, [key])),
  );
  return { miners, deals, participants, allocations, claims };
}

/**
 * The same lists built from a gateway's per-entry methods: every deal ID below the market's NextID,
 * and the balances, allocations and claims of every actor that can have any (the deal client, the
 * miners, the deals' parties). A full node's list methods must answer the same.
 */
async function listsByEntry(url: string, key: unknown): Promise<Lists> {
  const miners: string[] = await rpc(url, 'Filecoin.StateListMiners', [key]);
  const { NextID } = (await rpc(url, 'Filecoin.StateReadState', ['f05', key])).State;
  const deals: Lists['deals'] = {};
  for (let id = 0; id < NextID; id++) {
    try {
      deals[id] = await rpc(url, 'Filecoin.StateMarketStorageDeal', [id, key]);
    } catch (error) {
      assert.match(String(error), /not found/);
    }
  }
  const parties = [...new Set([DEAL_CLIENT, ...miners, ...Object.values(deals).flatMap((d) => [d.Proposal.Client, d.Proposal.Provider])])].map((a) => a.replace(/^f/, 't'));
  const ids = await Promise.all(parties.map((a) => rpc(url, 'Filecoin.StateLookupID', [a, key])));
  const participants: Lists['participants'] = {};
  const allocations: Lists['allocations'] = {};
  const claims: Lists['claims'] = {};
  for (const id of ids) {
    const balance = await rpc(url, 'Filecoin.StateMarketBalance', [id, key]);
    if (balance.Escrow !== '0') participants[id] = balance;
    Object.assign(allocations, await rpc(url, 'Filecoin.StateGetAllocations', [id, key]));
    Object.assign(claims, await rpc(url, 'Filecoin.StateGetClaims', [id, key]));
  }
  return { miners, deals, participants, allocations, claims };
}

/** Lists compared as sets: the miners in any order. */
const sorted = (lists: Lists): Lists => ({ ...lists, miners: [...lists.miners].sort() });

for (const gateway of [false, true]) {
  describe(`fork: whole-table lists of an upstream ${gateway ? 'gateway (walked with ChainReadObj)' : 'full node (its list methods)'}`, () => {
    let upstream: DevnetProcess;
    let fork: DevnetProcess;
    let forkKey: unknown;
    let idleProvider: string;
    let unsealedDeal: number;
    let atFork: Lists;
    let forkEpoch: number;

    useForkSuite('fvm-fork-lists-', () => [fork, upstream]);

    before(async () => {
      upstream = await startDevnet([...(gateway ? ['--gateway-only'] : []), '--seal-delay', String(SEAL_DELAY)]);
      const [provider] = await rpc(upstream.url, 'Filecoin.StateListMiners', [null]);
      [, idleProvider] = await rpc(upstream.url, 'Filecoin.StateListMiners', [null]);
      await rpc(upstream.url, 'devnet_addVerifiedClient', [DEAL_CLIENT, String(4 * 2 ** 20)]);
      // A verified deal the upstream's provider seals: a claim.
      const sealed = randomVerifiedPiece();
      const { dealId } = await rpc(upstream.url, 'devnet_proposeDeal', [{ pieceCid: sealed.cid.toString(), pieceSize: sealed.size, verifiedDeal: true, provider, providerCollateral: COLLATERAL }]);
      await pollUntil('the upstream to seal its verified deal', async () => {
        await rpc(upstream.url, 'anvil_mine', [hex(SEAL_DELAY)]);
        return (await rpc(upstream.url, 'Filecoin.StateMarketStorageDeal', [dealId, null])).State.SectorStartEpoch > 0 || undefined;
      });
      // And one the fork forks before it is sealed: a pending deal with its allocation.
      const pending = randomVerifiedPiece();
      const head = Number(await rpc(upstream.url, 'eth_blockNumber'));
      ({ dealId: unsealedDeal } = await rpc(upstream.url, 'devnet_proposeDeal', [
        { pieceCid: pending.cid.toString(), pieceSize: pending.size, verifiedDeal: true, provider: idleProvider, startEpoch: head + 200, providerCollateral: COLLATERAL },
      ]));
      forkEpoch = Number(await rpc(upstream.url, 'eth_blockNumber'));
      forkKey = (await rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [forkEpoch, null])).Cids;
      atFork = await listsByEntry(upstream.url, forkKey);
      fork = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(forkEpoch), '--storage-providers', '0', '--seal-delay', String(SEAL_DELAY)]);
    });

    test('the lists read as the upstream\'s at the fork epoch, every entry, not only what the fork has read', async () => {
      // The upstream's world: both miners, both deals, a claim and a pending allocation.
      assert.equal(atFork.miners.length, 2);
      assert.equal(Object.keys(atFork.deals).length, 2);
      assert.equal(Object.keys(atFork.claims).length, 1);
      assert.equal(Object.keys(atFork.allocations).length, 1);
      if (!gateway) assert.deepEqual(sorted(await listsOf(upstream.url, forkKey)), sorted(atFork));
      assert.deepEqual(sorted(await listsOf(fork.url, null)), sorted(atFork));
      // A read of one entry afterwards answers the same as the list (the list's entries are kept).
      assert.deepEqual(await rpc(fork.url, 'Filecoin.StateMarketStorageDeal', [unsealedDeal, null]), atFork.deals[unsealedDeal]);
      // Every actor too, fetched together (a gateway serves no StateListActors to compare with).
      const actors: string[] = await rpc(fork.url, 'Filecoin.StateListActors', [null]);
      if (!gateway) assert.deepEqual(actors, await rpc(upstream.url, 'Filecoin.StateListActors', [forkKey]));
      for (const miner of atFork.miners) assert.ok(actors.includes(miner), miner);
    });

    test('a miner, deal, allocation and claim made on the fork are added, the sealed allocation removed', async () => {
      const { miner } = await rpc(fork.url, 'devnet_addStorageProvider', []);
      assert.deepEqual((await rpc(fork.url, 'Filecoin.StateListMiners', [null])).sort(), [...atFork.miners, miner].sort());

      const piece = randomVerifiedPiece();
      const { dealId } = await rpc(fork.url, 'devnet_proposeDeal', [{ pieceCid: piece.cid.toString(), pieceSize: piece.size, verifiedDeal: true, provider: miner, providerCollateral: COLLATERAL }]);
      const published = await listsOf(fork.url, null);
      assert.deepEqual(Object.keys(published.deals).sort(), [...Object.keys(atFork.deals), String(dealId)].sort());
      assert.equal(published.deals[dealId].Proposal.Provider, miner);
      const [newAllocation] = Object.keys(published.allocations).filter((id) => !(id in atFork.allocations));
      assert.equal(Object.keys(published.allocations).length, Object.keys(atFork.allocations).length + 1);
      assert.equal(published.allocations[newAllocation].Provider, Number(miner.slice(2)));
      assert.equal(published.participants[miner].Locked, COLLATERAL);

      await pollUntil('the new provider to seal the deal', async () => {
        await rpc(fork.url, 'anvil_mine', [hex(SEAL_DELAY)]);
        return (await rpc(fork.url, 'Filecoin.StateMarketStorageDeal', [dealId, null])).State.SectorStartEpoch > 0 || undefined;
      });
      const sealed = await listsOf(fork.url, null);
      // The allocation became the provider's claim, under the same ID.
      assert.deepEqual(sealed.allocations, atFork.allocations);
      assert.deepEqual(Object.keys(sealed.claims).sort(), [...Object.keys(atFork.claims), newAllocation].sort());
      assert.equal(sealed.claims[newAllocation].Provider, Number(miner.slice(2)));
      assert.ok(sealed.deals[dealId].State.SectorStartEpoch > 0);
    });

    test('the upstream\'s unsealed deal leaves the list when it times out on the fork, and the provider\'s collateral with it', async () => {
      const deal = atFork.deals[unsealedDeal];
      const check = nextUpdateEpoch(unsealedDeal, deal.Proposal.StartEpoch);
      await rpc(fork.url, 'anvil_mine', [hex(check - Number(await rpc(fork.url, 'eth_blockNumber')))]);
      const after = await listsOf(fork.url, null);
      assert.ok(!(String(unsealedDeal) in after.deals));
      // Its collateral was burnt: the provider's escrow and locked amounts fall by it, and a provider left with no escrow leaves the participants.
      const provider = deal.Proposal.Provider;
      const [escrow, locked] = [atFork.participants[provider].Escrow, atFork.participants[provider].Locked].map((amount) => BigInt(amount) - BigInt(COLLATERAL));
      const remaining = escrow === 0n ? undefined : { Escrow: escrow.toString(), Locked: locked.toString() };
      assert.deepEqual(after.participants[provider], remaining);
      assert.deepEqual(Object.keys(after.participants).filter((id) => id !== provider).sort(), Object.keys(atFork.participants).filter((id) => id !== provider).concat(after.miners.filter((m) => !atFork.miners.includes(m))).sort());
      // The upstream is untouched.
      assert.deepEqual(sorted(await listsByEntry(upstream.url, forkKey)), sorted(atFork));
    });

    test('a restart at the same epoch lists the same from the disk cache with the upstream stopped', async () => {
      await fork.stop();
      await upstream.stop();
      fork = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(forkEpoch), '--storage-providers', '0']);
      assert.deepEqual(sorted(await listsOf(fork.url, null)), sorted(atFork));
    });
  });
}
