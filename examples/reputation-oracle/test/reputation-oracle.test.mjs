// ReputationOracle against fvm-devnet: both storage providers store a deal and score alike; then
// one provider's sector goes faulty (its power drops, and so does its score) and is terminated
// (its deal is slashed, and its score drops again), while the other's stays where it was.
// Run with `npm test` while `npx fvm-devnet` runs (FVM_DEVNET_URL for another address).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { compile, connect, marketDeal, send, until } from '../lib/devnet.mjs';
import { deployOracle, minerIds } from '../scripts/deploy.mjs';

/** data/sample.txt, as `npx fvm-devnet piece data/sample.txt` prints it. */
const PIECE = { pieceCid: 'baga6ea4seaqace2vjm6sw5zmidwz5lrnncozu265tcuaj6gsla7cpxphxugn2jy', pieceSize: 512 };
const Outcome = { Pending: 1n, Active: 2n, Slashed: 3n };

describe('ReputationOracle scores storage providers from chain facts', () => {
  const { signer, rpc, close } = connect();
  let oracle;
  let good; // the provider that keeps its sectors
  let bad; // the provider whose sector fails
  const dealOf = {};

  before(async () => {
    oracle = await deployOracle(signer(0), compile());
    [good, bad] = await minerIds(rpc);
  });
  after(close);

  test('providers that store their deals and keep their power score 100', async () => {
    for (const miner of [good, bad]) {
      // A client makes a deal with each provider (the node's deal client, as `fvm-devnet deal` would).
      const { dealId } = await rpc('devnet_proposeDeal', [{ ...PIECE, provider: `t0${miner}` }]);
      dealOf[miner] = dealId;
      await until(`deal ${dealId} to be sealed`, async () => ((await marketDeal(rpc, dealId))?.State.SectorStartEpoch > 0 ? true : undefined));
      await send(oracle.recordDeal(dealId));
      assert.equal((await oracle.deals(dealId)).outcome, Outcome.Active);
      await send(oracle.observe(miner));
      const { power, peakPower, dealsActivated } = await oracle.providers(miner);
      const lotus = await rpc('Filecoin.StateMinerPower', [`t0${miner}`, null]);
      assert.equal(power, BigInt(lotus.MinerPower.RawBytePower));
      assert.equal(peakPower, power);
      assert.equal(dealsActivated, 1n);
      assert.equal(await oracle.score(miner), 100n);
    }
  });

  test('a faulty sector costs power, and score', async () => {
    const { State } = await marketDeal(rpc, dealOf[bad]);
    await rpc('devnet_faultSectors', [`t0${bad}`, [State.SectorNumber]]);
    await send(oracle.observe(bad));
    const { power, peakPower } = await oracle.providers(bad);
    assert.ok(power < peakPower, 'the faulty sector no longer counts');
    const expected = (50n * power) / peakPower + 50n;
    assert.equal(await oracle.score(bad), expected);
    assert.ok(expected < 100n);

    await send(oracle.observe(good));
    assert.equal(await oracle.score(good), 100n);
  });

  test('a slashed deal costs more', async () => {
    const dealId = dealOf[bad];
    const { State } = await marketDeal(rpc, dealId);
    const before = await oracle.score(bad);
    await rpc('devnet_terminateSectors', [`t0${bad}`, [State.SectorNumber]]);
    await send(oracle.checkDeal(dealId));
    assert.equal((await oracle.deals(dealId)).outcome, Outcome.Slashed);
    await send(oracle.observe(bad));
    const { dealsActivated, dealsSlashed } = await oracle.providers(bad);
    assert.deepEqual([dealsActivated, dealsSlashed], [1n, 1n]);
    const after = await oracle.score(bad);
    assert.ok(after < before - 40n, `score ${before} → ${after}`);

    await send(oracle.checkDeal(dealOf[good]));
    assert.equal((await oracle.deals(dealOf[good])).outcome, Outcome.Active);
    assert.equal(await oracle.score(good), 100n);
  });
});
