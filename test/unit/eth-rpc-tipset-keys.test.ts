// Which tipset a Filecoin.* tipset key names: a devnet tipset by its one block, and a fork's first
// tipset, which stands in for the upstream's (of any number of blocks), by its first block or by the
// upstream's whole key.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cidOf, encodeCbor } from '../../src/common/cbor.js';
import type { Devnet } from '../../src/devnet/devnet.js';
import { heldTipset, tipsetOf } from '../../src/eth-rpc/lotus-params.js';
import { buildTipset, type Tipset } from '../../src/mining/tipset.js';

const upstreamBlock = (n: number) => cidOf(encodeCbor({ upstreamBlock: n }));

/** A chain of a fork's first tipset (two upstream blocks) and one tipset mined on it. */
function forkChain(): { devnet: Devnet; first: Tipset; mined: Tipset } {
  const first = buildTipset({ epoch: 10, timestamp: 1_000, baseFee: 100n, parent: undefined, messages: [] }, [upstreamBlock(1), upstreamBlock(2)]);
  const mined = buildTipset({ epoch: 11, timestamp: 1_030, baseFee: 100n, parent: first, messages: [] });
  const byBlock = new Map([first, mined].map((t) => [t.blockCid.toString(), t]));
  const devnet = { head: mined, chain: { byBlockCid: (cid: { toString(): string }) => byBlock.get(cid.toString()) } } as unknown as Devnet;
  return { devnet, first, mined };
}

describe('tipset keys', () => {
  test('a fork\'s first tipset answers to its first block and to the upstream\'s whole key, not to another set of blocks', () => {
    const { devnet, first } = forkChain();
    assert.equal(heldTipset(devnet, [upstreamBlock(1)]), first);
    assert.equal(heldTipset(devnet, [upstreamBlock(1), upstreamBlock(2)]), first);
    assert.equal(heldTipset(devnet, [upstreamBlock(1), upstreamBlock(3)]), undefined);
    assert.equal(heldTipset(devnet, [upstreamBlock(2)]), undefined);
  });

  test('a mined tipset answers to its one block only; the empty key is the head', () => {
    const { devnet, mined } = forkChain();
    assert.equal(tipsetOf(devnet, [mined.blockCid]), mined);
    assert.equal(tipsetOf(devnet, []), mined);
    assert.throws(() => tipsetOf(devnet, [mined.blockCid, upstreamBlock(1)]), /loading tipset .*: not found/);
  });
});
