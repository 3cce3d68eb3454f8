// The finalized and safe tipsets, as Lotus computes them: finalized is the newer of simulated F3's
// certificate (f3Lag behind the head) and head − 900; safe the newer of finalized and head − 200.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { EC_FINALITY, finality, SAFE_HEIGHT_DISTANCE } from '../../src/mining/finality.js';
import { createDevnet, testConfig, type Devnet } from '../../src/index.js';
import { ChainStore } from '../../src/mining/chain-store.js';
import { buildTipset, type Tipset } from '../../src/mining/tipset.js';

async function chainOf(t: TestContext, epochs: number, f3Lag?: number): Promise<Devnet> {
  const devnet = await createDevnet(testConfig({ noMining: true, storageProviders: 0, ...(f3Lag === undefined ? {} : { f3Lag }) }));
  t.after(() => devnet.close());
  await devnet.cheats.mine(epochs);
  return devnet;
}

/** A chain with a tipset at each of `epochs` (ascending, from 0); the epochs left out are null rounds. */
function chainAt(epochs: number[]): ChainStore {
  const store = new ChainStore();
  let parent: Tipset | undefined;
  for (const epoch of epochs) store.append((parent = buildTipset({ epoch, timestamp: 1_700_000_000 + epoch, baseFee: 100n, parent, messages: [] })));
  return store;
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

  test(`ChainGetTipSetFinalityStatus's F3 counts within ${EC_FINALITY} epochs of the head; its finalized tipset is the \`finalized\` tag's, also at null rounds`, () => {
    // Tipsets at 0..1000 and 1251..2100: epochs 1001..1250 are null rounds, head − 900 (1200) among them.
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    const chain = chainAt([...range(0, 1000), ...range(1251, 2100)]);
    const at = (f3Lag: number) => {
      const { f3, f3Finalized, finalized } = finality(chain, f3Lag);
      return { f3: f3.epoch, f3Finalized: f3Finalized?.epoch ?? null, finalized: finalized.epoch };
    };
    // F3's tipset behind the null rounds is EC finality's, 1100 epochs back: the status has no F3.
    assert.deepEqual(at(880), { f3: 1000, f3Finalized: null, finalized: 1000 });
    assert.deepEqual(at(920), { f3: 1000, f3Finalized: null, finalized: 1000 });
    assert.deepEqual(at(849), { f3: 1251, f3Finalized: 1251, finalized: 1251 });
    // Lotus's status (node/impl/full/chain_v2.go): EC finality, or F3's tipset if it counts and is newer.
    const ec = chain.atOrBefore(2100 - EC_FINALITY)!;
    for (let f3Lag = 0; f3Lag <= 2100; f3Lag++) {
      const { f3Finalized, finalized } = finality(chain, f3Lag);
      assert.equal(finalized, f3Finalized && f3Finalized.epoch > ec.epoch ? f3Finalized : ec, `--f3-lag ${f3Lag}`);
    }
  });
});
