// The finalized and safe tipsets, as Lotus computes them: finalized is the newer of simulated F3's
// certificate (f3Lag behind the head) and head − 900; safe the newer of finalized and head − 200.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { EC_FINALITY, SAFE_HEIGHT_DISTANCE } from '../../src/mining/finality.js';
import { createDevnet, testConfig, type Devnet } from '../../src/index.js';

async function chainOf(t: TestContext, epochs: number, f3Lag?: number): Promise<Devnet> {
  const devnet = await createDevnet(testConfig({ noMining: true, storageProviders: 0, ...(f3Lag === undefined ? {} : { f3Lag }) }));
  t.after(() => devnet.close());
  await devnet.cheats.mine(epochs);
  return devnet;
}

const epochs = (devnet: Devnet) => {
  const { f3, finalized, safe } = devnet.finality();
  return { f3: f3.epoch, finalized: finalized.epoch, safe: safe.epoch };
};

describe('finality', () => {
  test('by default F3 finalizes 10 epochs behind the head; genesis until the chain is longer', async (t) => {
    const devnet = await chainOf(t, 5);
    assert.deepEqual(epochs(devnet), { f3: 0, finalized: 0, safe: 0 });
    await devnet.cheats.mine(25);
    assert.deepEqual(epochs(devnet), { f3: 20, finalized: 20, safe: 20 });
  });

  test(`safe is never more than ${SAFE_HEIGHT_DISTANCE} epochs behind the head`, async (t) => {
    const devnet = await chainOf(t, 1000, 300);
    assert.deepEqual(epochs(devnet), { f3: 700, finalized: 700, safe: 800 });
  });

  test(`with F3 as far behind as EC finality (${EC_FINALITY}), finalized is head − ${EC_FINALITY}`, async (t) => {
    const devnet = await chainOf(t, 1000, EC_FINALITY);
    assert.deepEqual(epochs(devnet), { f3: 100, finalized: 100, safe: 800 });
  });

  test('a height in a null round names the tipset before it', async (t) => {
    // 5 000 epochs at once: null rounds up to the tipset at 5 000.
    const devnet = await chainOf(t, 5000);
    assert.deepEqual(epochs(devnet), { f3: 0, finalized: 0, safe: 0 });
  });
});
