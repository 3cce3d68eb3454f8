// estimateGasPremium on a fork: past the fork's first tipset (the upstream's at the fork epoch, held
// without its messages) the walk reads the upstream's tipsets (ChainView.upstreamFees), that one's
// first when the walk went through it, each counting its blocks toward the gas target as Lotus's
// GasEstimateGasPremium counts len(pts.Blocks()); 2 × n tipsets in all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateGasPremium } from '../../src/devnet/fee-estimates.js';
import type { ChainView, TipsetFees } from '../../src/mining/chain-store.js';
import type { IncludedMessage, Tipset } from '../../src/mining/tipset.js';

/** A message of the fork's own: only what the estimate reads of it. */
const own = (premium: bigint, gasLimit: number) => ({ signed: { message: { gasPremium: premium, gasLimit, gasFeeCap: premium } } }) as unknown as IncludedMessage;

/** A chain of `count` tipsets after the fork's first (the anchor), the i-th with `messages(i)`; its head. */
function forkChain(count: number, upstream: TipsetFees[] | undefined, messages: (i: number) => IncludedMessage[] = () => []) {
  const tipsets = [{ messages: [] }, ...Array.from({ length: count }, (_, i) => ({ messages: messages(i + 1) }))] as unknown as Tipset[];
  const chain = { first: tipsets[0], parentOf: (t: Tipset) => tipsets[tipsets.indexOf(t) - 1], upstreamFees: () => upstream } as unknown as ChainView;
  return { chain, head: tipsets.at(-1)! };
}

const G = 1_000_000_000;
/** Three messages of 3 G gas each: over 2 blocks' 52.5 % of the target (5.25 G) the premium lands between the first two, over 4 blocks' (10.5 G) it does not run out. */
const heavy = [
  { premium: 500_000n, gasLimit: 3 * G },
  { premium: 300_000n, gasLimit: 3 * G },
  { premium: 100_000n, gasLimit: 3 * G },
];

test('from the fork\'s first tipset, the walk reads the upstream\'s tipsets before it, counting their blocks', () => {
  const oneBlock = forkChain(0, [{ blocks: 1, fees: [] }, { blocks: 1, fees: heavy }, { blocks: 1, fees: [] }]);
  assert.equal(estimateGasPremium(oneBlock.chain, oneBlock.head, 1), 400_000n);
  const threeBlocks = forkChain(0, [{ blocks: 1, fees: [] }, { blocks: 3, fees: heavy }, { blocks: 1, fees: [] }]);
  assert.equal(estimateGasPremium(threeBlocks.chain, threeBlocks.head, 1), 200_000n);
  // Without the upstream's tipsets (a plain chain, or not fetched): the floor.
  const alone = forkChain(0, undefined);
  assert.equal(estimateGasPremium(alone.chain, alone.head, 1), 200_000n);
  assert.equal(estimateGasPremium(alone.chain, alone.head, 10), 100_000n);
});

test('a walk through the fork\'s first tipset reads the upstream\'s messages of it, not its own empty list, and stops at 2 × n tipsets', () => {
  // One own tipset after the anchor: n = 1 reads the anchor (as the upstream's fork-epoch tipset) and the upstream's before it.
  const { chain, head } = forkChain(1, [{ blocks: 1, fees: heavy }, { blocks: 1, fees: [] }, { blocks: 1, fees: [{ premium: 900_000n, gasLimit: G }] }]);
  assert.equal(estimateGasPremium(chain, head, 1), 400_000n);
  // n = 2 reads one more (the list ends there): 3 blocks' 7.875 G runs out at the last premium.
  assert.equal(estimateGasPremium(chain, head, 2), 200_000n);
});

test('the fork\'s own tipsets come first, each one block', () => {
  const { chain, head } = forkChain(2, [{ blocks: 1, fees: [] }, { blocks: 1, fees: [{ premium: 900_000n, gasLimit: G }] }], (i) => (i === 2 ? [own(300_000n, G), own(250_000n, G)] : []));
  // n = 1: the head's parent (own, empty) and the anchor's upstream messages (none): the floor.
  assert.equal(estimateGasPremium(chain, head, 1), 200_000n);
  // From the tipset before the head: its parent is the anchor, then the upstream's tipset before it.
  const parent = chain.parentOf(head)!;
  assert.equal(estimateGasPremium(chain, parent, 1), 900_000n);
});
