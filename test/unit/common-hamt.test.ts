// The state HAMT against ref-fvm's own test vectors (ipld/hamt/tests/hamt_tests.rs): the same entries
// must give the same root CID; reads by key and walks find what was built, from its blocks alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidOf, type CID } from '../../src/common/cbor.js';
import { actorIdKey, actorIdOfKey, buildHamt, epochKey, epochOfKey, hamtEntries, hamtGet } from '../../src/common/hamt.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: unknown) => new TextDecoder().decode(b as Uint8Array);
/** ref-fvm's tstring(i): the decimal text of i, as the key and as its value. */
const entries = (count: number): [Uint8Array, Uint8Array][] => Array.from({ length: count }, (_, i) => [utf8(String(i)), utf8(String(i))]);

/** A loader over the built blocks that counts what it reads. */
function blockstore(blocks: Uint8Array[]) {
  const byCid = new Map(blocks.map((b) => [cidOf(b).toString(), b]));
  const reads: string[] = [];
  const load = async (cid: CID) => {
    reads.push(cid.toString());
    const block = byCid.get(cid.toString());
    if (!block) throw new Error(`no block ${cid}`);
    return block;
  };
  return { load, reads };
}

test('roots match ref-fvm: the empty map, 200 and 400 entries at bit width 5, in any order', () => {
  assert.equal(buildHamt([], 5).root.toString(), 'bafy2bzaceamp42wmmgr2g2ymg46euououzfyck7szknvfacqscohrvaikwfay');
  assert.equal(buildHamt(entries(200), 5).root.toString(), 'bafy2bzaceczhz54xmmz3xqnbmvxfbaty3qprr6dq7xh5vzwqbirlsnbd36z7a');
  assert.equal(buildHamt(entries(400), 5).root.toString(), 'bafy2bzacecxcp736xkl2mcyjlors3tug6vdlbispbzxvb75xlrhthiw2xwxvw');
  assert.equal(buildHamt(entries(400).reverse(), 5).root.toString(), 'bafy2bzacecxcp736xkl2mcyjlors3tug6vdlbispbzxvb75xlrhthiw2xwxvw');
});

test('a key is found by reading only the nodes on its path; an absent key reads as undefined', async () => {
  const { root, blocks } = buildHamt(entries(400), 3);
  assert.ok(blocks.length > 10);
  const { load, reads } = blockstore(blocks);
  assert.equal(text(await hamtGet(root, utf8('123'), 3, load)), '123');
  assert.ok(reads.length < blocks.length / 4, `read ${reads.length} of ${blocks.length} blocks`);
  assert.equal(await hamtGet(root, utf8('400'), 3, load), undefined);
  assert.equal(await hamtGet(buildHamt([], 3).root, utf8('1'), 3, blockstore(buildHamt([], 3).blocks).load), undefined);
});

test('a walk returns every entry', async () => {
  const { root, blocks } = buildHamt(entries(50), 3);
  const found = await hamtEntries(root, blockstore(blocks).load);
  assert.deepEqual(found.map(([k]) => Number(text(k))).sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
});

test('actor IDs as keys are unsigned varints', () => {
  assert.deepEqual([...actorIdKey(5)], [5]);
  assert.deepEqual([...actorIdKey(1000)], [0xe8, 0x07]);
  assert.equal(actorIdOfKey(actorIdKey(123_456_789)), 123_456_789);
});

test('epochs as keys are signed varints (zigzag), as builtin-actors writes a ChainEpoch', () => {
  // builtin-actors' own vectors (power state.rs epoch_key_test), and integer-encoding's: 150 signed is 300 unsigned.
  assert.deepEqual([101, 102, 103, -1].map((e) => [...epochKey(e)]), [[0xca, 0x01], [0xcc, 0x01], [0xce, 0x01], [0x01]]);
  assert.deepEqual([...epochKey(150)], [...actorIdKey(300)]);
  assert.deepEqual([...epochKey(0)], [0]);
  for (const epoch of [0, 1, -1, 63, -64, 2_880, 5_000_000, -5_000_001]) assert.equal(epochOfKey(epochKey(epoch)), epoch);
});
