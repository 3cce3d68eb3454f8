// Which tipset a Filecoin.* tipset key names: a devnet tipset by its one block, and a fork's first
// tipset, which stands in for the upstream's (of any number of blocks), by its first block or by the
// upstream's whole key; that first tipset answers the upstream's headers, and the tipset mined on it
// names all its blocks as Parents and its weight as ParentWeight (fidaudit4 V2).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cidOf, encodeCbor } from '../../src/common/cbor.js';
import type { Devnet } from '../../src/devnet/devnet.js';
import { heldTipset, tipsetOf } from '../../src/eth-rpc/lotus-params.js';
import { tipsetJson, tipsetKeyJson } from '../../src/eth-rpc/lotus-json.js';
import { buildTipset, type Tipset } from '../../src/mining/tipset.js';

const upstreamBlock = (n: number) => cidOf(encodeCbor({ upstreamBlock: n }));

/** The upstream's two block headers at the fork epoch, as its Lotus JSON gives them (abridged). */
const UPSTREAM_HEADERS = [1, 2].map((n) => ({ Miner: `t0100${n}`, Parents: [{ '/': upstreamBlock(0).toString() }], ParentWeight: '5000', Height: 10, Timestamp: 1_000, ParentBaseFee: '100' }));

/** A chain of a fork's first tipset (two upstream blocks) and one tipset mined on it. */
function forkChain(): { devnet: Devnet; first: Tipset; mined: Tipset } {
  const upstream = { blocks: [upstreamBlock(1), upstreamBlock(2)], headers: UPSTREAM_HEADERS, parentWeight: 5000n, weight: 5200n };
  const first = buildTipset({ epoch: 10, timestamp: 1_000, baseFee: 100n, parent: undefined, messages: [] }, upstream);
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

  test('a fork\'s first tipset is the upstream\'s as it answered it, and the next tipset names all its blocks and its weight', () => {
    const { first, mined } = forkChain();
    const blocks = [upstreamBlock(1), upstreamBlock(2)].map((cid) => ({ '/': cid.toString() }));
    assert.deepEqual(tipsetJson(first), { Cids: blocks, Blocks: UPSTREAM_HEADERS, Height: 10 });
    assert.deepEqual(tipsetKeyJson(first), blocks);
    const { Parents, ParentWeight } = tipsetJson(mined).Blocks[0] as { Parents: unknown; ParentWeight: string };
    assert.deepEqual(Parents, blocks);
    assert.equal(ParentWeight, '5200');
    assert.equal(buildTipset({ epoch: 12, timestamp: 1_060, baseFee: 100n, parent: mined, messages: [] }).header.parentWeight, 5201n);
  });

  test('a mined tipset answers to its one block only; the empty key is the head', () => {
    const { devnet, mined } = forkChain();
    assert.equal(tipsetOf(devnet, [mined.blockCid]), mined);
    assert.equal(tipsetOf(devnet, []), mined);
    assert.throws(() => tipsetOf(devnet, [mined.blockCid, upstreamBlock(1)]), /loading tipset .*: not found/);
  });
});
