// ReplicaKeeper against fvm-devnet: the contract refuses to put two replicas on one provider; two
// replicas are stored with two storage providers; one provider's sector goes faulty and, 42
// proving periods later, is terminated, slashing the deal, and the keeper replaces it; near the
// deals' end the keeper renews both. Run with `npm test` while
// `npx fvm-devnet` runs (FVM_DEVNET_URL for another address).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { compile, connect, marketDeal, until } from '../lib/devnet.mjs';
import { deployKeeper } from '../scripts/deploy.mjs';

const REPLICAS = 2;
const START_DELAY = 100;
const RENEW_WINDOW = 2880;
/** A sector faulty for 42 proving periods (of 2 880 epochs) is terminated by the miner actor. */
const FAULT_MAX_AGE = 42 * 2880;
const ZERO_ID = '0x' + '0'.repeat(64);

describe('ReplicaKeeper keeps two replicas alive', () => {
  const { signer, rpc, close } = connect();
  let keeper;

  before(async () => {
    keeper = await deployKeeper(signer(0), compile(), { replicas: REPLICAS, startDelay: START_DELAY, renewWindow: RENEW_WINDOW });
  });
  after(close);

  const head = async () => Number(await rpc('eth_blockNumber'));
  const replica = async (slot) => keeper.replicaOf(slot);
  const openProposals = async () =>
    (await Promise.all([...Array(REPLICAS).keys()].map((s) => keeper.pendingProposal(s)))).filter((id) => id !== ZERO_ID);

  /**
   * What a keeper bot does: wait for the providers to answer its last proposals, maintain(), then wait
   * for them to take the new ones. maintain() reads what the providers did, so one estimated while a
   * provider publishes is estimated for the state before, and runs out of gas on the state after. A
   * provider that already holds a replica is refused, and its proposal lapses at its start epoch:
   * the bot mines past it and calls maintain() again. Resolves with the deals once all are sealed.
   */
  async function keepUntilStored() {
    // Before the loop, not in it: a proposal left to lapse after anvil_mine stays open until the next maintain().
    await until('the last proposals to be answered', async () => ((await openProposals()).length === 0 ? true : undefined));
    for (let round = 0; round < 4; round++) {
      await (await keeper.maintain()).wait();
      await until('the providers to answer', async () => ((await openProposals()).length === 0 ? true : undefined), { timeoutMs: 2000 }).catch(() => undefined);
      if ((await openProposals()).length > 0) {
        await rpc('anvil_mine', [START_DELAY]);
        continue;
      }
      return Promise.all(
        [...Array(REPLICAS).keys()].map(async (slot) => {
          const { dealId } = await replica(slot);
          return until(`deal ${dealId} to be sealed`, async () => {
            const deal = await marketDeal(rpc, dealId);
            return deal?.State.SectorStartEpoch > 0 ? { dealId, ...deal } : undefined;
          });
        }),
      );
    }
    throw new Error('the replicas were not all stored after 4 rounds of maintain()');
  }

  /** The replicas are active deals of this contract, with distinct providers. */
  async function assertReplicated(deals) {
    assert.equal(deals.length, REPLICAS);
    assert.equal(new Set(deals.map((d) => d.Proposal.Provider)).size, REPLICAS, 'one replica per provider');
    const client = await rpc('Filecoin.EthAddressToFilecoinAddress', [await keeper.getAddress()]);
    const clientId = await rpc('Filecoin.StateLookupID', [client, null]);
    for (const deal of deals) {
      assert.equal(deal.Proposal.Client, clientId);
      assert.equal(deal.Proposal.PieceCID['/'], await keeper.label());
      assert.equal(deal.State.SlashEpoch, -1);
    }
    assert.equal(await keeper.healthyReplicas.staticCall(), BigInt(REPLICAS));
  }

  test('refuses a second replica on a provider that holds one, and proposes it again', async () => {
    // Only the first provider takes pieces this size for now: both proposals go to it.
    const [first, second] = await rpc('Filecoin.StateListMiners', [null]);
    const { maxPieceSize } = await rpc('devnet_getStorageAsk', [second]);
    await rpc('devnet_setStorageAsk', [second, { maxPieceSize: 256 }]);
    await (await keeper.maintain()).wait();
    // It publishes the first; the contract refuses to vouch for the second (AuthenticateMessage).
    await until('one replica to be stored', async () => ((await openProposals()).length === 1 ? true : undefined));
    const slots = await Promise.all([0, 1].map(replica));
    assert.deepEqual(slots.map((r) => r.stored).sort(), [false, true]);
    assert.equal(`t0${slots.find((r) => r.stored).provider}`, first);

    // The refused proposal lapses at its start epoch; then maintain() proposes that replica again.
    await rpc('devnet_setStorageAsk', [second, { maxPieceSize }]);
    await rpc('anvil_mine', [START_DELAY]);
    const receipt = await (await keeper.maintain()).wait();
    const events = receipt.logs.map((l) => keeper.interface.parseLog(l)?.name);
    assert.ok(events.includes('ProposalUnanswered') && events.includes('ReplicaProposed'), events.join(', '));
  });

  test('stores the piece with two providers', async () => {
    // The last proposal the test before made goes to the provider without a replica: keepUntilStored
    // waits for it to be taken before maintain() runs, as a bot waits.
    const deals = await keepUntilStored();
    await assertReplicated(deals);
  });

  test('replaces a replica whose sector stays faulty until it is terminated', async () => {
    const { dealId } = await replica(0);
    const deal = await marketDeal(rpc, dealId);
    await rpc('devnet_faultSectors', [deal.Proposal.Provider, [deal.State.SectorNumber]]);
    // Still healthy while faulty: the deal stands until the miner actor gives up on the sector.
    assert.equal(await keeper.status.staticCall(0), 0n);
    await rpc('anvil_mine', [FAULT_MAX_AGE + 2880]);
    assert.equal(await marketDeal(rpc, dealId), undefined, 'the market dropped the slashed deal');
    assert.equal(await keeper.status.staticCall(0), 3n); // Lost

    const deals = await keepUntilStored();
    assert.notEqual((await replica(0)).dealId, dealId);
    await assertReplicated(deals);
  });

  test('renews both replicas before their deals end', async () => {
    const before = await Promise.all([0, 1].map(async (slot) => (await replica(slot)).dealId));
    const firstEnd = Math.min(...(await Promise.all([0, 1].map(async (slot) => Number((await replica(slot)).endEpoch)))));
    await rpc('anvil_mine', [firstEnd - RENEW_WINDOW - (await head())]);
    let deals = await keepUntilStored();
    // The later replica may still have had time left: one more round near its end renews it too.
    const lastEnd = Math.max(...(await Promise.all(before.map(async (id) => Number((await marketDeal(rpc, id))?.Proposal.EndEpoch ?? 0)))));
    if (lastEnd > (await head()) + RENEW_WINDOW) {
      await rpc('anvil_mine', [lastEnd - RENEW_WINDOW - (await head())]);
      deals = await keepUntilStored();
    }
    const after = deals.map((d) => BigInt(d.dealId));
    assert.ok(after.every((id) => !before.includes(id)), 'both replicas are in new deals');
    // Past the old deals' end they are gone, and the new ones carry on.
    await rpc('anvil_mine', [lastEnd + 10 - (await head())]);
    for (const id of before) await until(`deal ${id} to complete`, async () => ((await marketDeal(rpc, id)) === undefined ? true : undefined));
    await assertReplicated(await Promise.all(after.map(async (id) => ({ dealId: id, ...(await marketDeal(rpc, id)) }))));
  });
});
