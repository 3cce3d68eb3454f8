// Where a fork starts, read from an upstream on loopback: answers of the shapes Lotus gives are
// taken; an answer of another shape (a string where a tipset is expected) stops the start with an
// error naming the upstream call and what it answered (audit15 C11), not a bare TypeError.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import { DevnetError } from '../../src/common/errors.js';
import { checkServesForkPoint, forkCodeTable, locateForkPoint } from '../../src/devnet/fork/fork-point.js';
import { CID, cidOf, encodeCbor } from '../../src/common/cbor.js';
import { Upstream } from '../../src/devnet/fork/upstream.js';

/** The whole fork point, its state facts awaited (what Fork.open puts together). */
const resolveForkPoint = async (...args: Parameters<typeof locateForkPoint>) => {
  const { located, facts } = await locateForkPoint(...args);
  return { ...(await facts), ...located };
};

const tipset = (height: number) => ({ Cids: [{ '/': `bafy2bzace${height}` }], Height: height, Blocks: [{ Timestamp: 1_700_000_000 + 30 * height, ParentBaseFee: '100', ParentWeight: String(1000 + 7 * height) }] });

/** What a calibnet-like Lotus answers: head 100, F3 finalized at 50. */
/** Calibnet's upgrade heights (a few of them), as StateGetNetworkParams' ForkUpgradeParams gives them. */
const UPGRADES = { UpgradeSmokeHeight: -2, UpgradeWatermelonHeight: 1_013_134, UpgradeTockHeight: 2_558_014, UpgradeXxHeight: 9_999_999_999, BreezeGasTampingDuration: 120 };
const SUPPLY = { FilVested: '5', FilMined: '0', FilBurnt: '2', FilLocked: '1', FilCirculating: '3', FilReserveDisbursed: '0' };

/** Two entries of calibnet's actors v18 manifest (Lotus build/builtin_actors_gen.go), which the system actor's state names. */
const CODES: [string, string][] = [
  ['system', 'bafk2bzacecq366vuipuunlityjeaj7q7iexemcpkv7b5netouxcow4qr4cr6c'],
  ['multisig', 'bafk2bzacechrsbw65ojbktr63swju5g7275fl3lxminrz7damr4me6wq6fjxm'],
];
/** The root of the init actor's AddressMap HAMT. */
const ADDRESS_MAP = 'bafy2bzacedanaddressmaproot';
const MANIFEST_DATA = encodeCbor(CODES.map(([name, code]) => [name, CID.parse(code)]));
const MANIFEST = encodeCbor([1, cidOf(MANIFEST_DATA)]);
const BLOCKS = new Map([MANIFEST, MANIFEST_DATA].map((bytes) => [cidOf(bytes).toString(), Buffer.from(bytes).toString('base64')]));

const LOTUS: Record<string, (params: unknown[]) => unknown> = {
  'Filecoin.StateNetworkName': () => 'calibrationnet',
  'Filecoin.ChainGetGenesis': () => tipset(0),
  eth_chainId: () => '0x4cb2f',
  'Filecoin.ChainHead': () => tipset(100),
  'Filecoin.ChainGetFinalizedTipSet': () => tipset(50),
  'Filecoin.ChainGetTipSetByHeight': ([height]) => tipset(height as number),
  'Filecoin.ChainGetTipSetAfterHeight': ([height]) => tipset(height as number),
  'Filecoin.ChainGetTipSet': ([key]) => tipset(Number(/\d+$/.exec((key as { '/': string }[])[0]['/'])![0])),
  'Filecoin.Version': () => ({ Version: '1.36.2+calibnet+git.b835fab70', APIVersion: 0x20000, BlockDelay: 30 }),
  // The figure for the state `key` names (its height in FilMined, to see which was asked).
  'Filecoin.StateVMCirculatingSupplyInternal': ([key]) => ({ ...SUPPLY, FilMined: /\d+$/.exec((key as { '/': string }[])[0]['/'])![0] }),
  'Filecoin.StateGetNetworkParams': () => ({ NetworkName: 'calibrationnet', BlockDelaySecs: 30, ForkUpgradeParams: UPGRADES }),
  'Filecoin.StateReadState': ([address]) => ({ State: address === 'f00' ? { BuiltinActors: { '/': cidOf(MANIFEST).toString() } } : { AddressMap: { '/': ADDRESS_MAP } } }),
  'Filecoin.ChainReadObj': ([cid]) => BLOCKS.get((cid as { '/': string })['/']),
};

/**
 * An upstream answering as LOTUS does, but `changed`'s methods with its values (a function: its value
 * for the call's params; an Error: as a JSON-RPC error); each request's methods are pushed to
 * `requests`, a batch's in one entry.
 */
async function upstreamAnswering(t: TestContext, changed: Record<string, unknown> = {}, requests: string[][] = []): Promise<Upstream> {
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      const body = JSON.parse(text) as { id: number; method: string; params: unknown[] } | { id: number; method: string; params: unknown[] }[];
      requests.push((Array.isArray(body) ? body : [body]).map(({ method }) => method));
      const answer = (call: { id: number; method: string; params: unknown[] }) => {
        const given = call.method in changed ? changed[call.method] : LOTUS[call.method]!;
        const result = typeof given === 'function' ? (given as (params: unknown[]) => unknown)(call.params) : given;
        return result instanceof Error ? { jsonrpc: '2.0', id: call.id, error: { code: 1, message: result.message } } : { jsonrpc: '2.0', id: call.id, result };
      };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(Array.isArray(body) ? body.map(answer) : answer(body)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return new Upstream(new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/rpc/v1`), { retries: 0 });
}

describe('fork point', () => {
  test('answers of the shapes Lotus gives: the F3-finalized tipset, its state read from the next', async (t) => {
    const point = await resolveForkPoint(await upstreamAnswering(t), undefined);
    assert.deepEqual([point.epoch, point.stateKey, point.networkName, point.chainId, point.genesis], [50, tipset(51).Cids, 'calibrationnet', '314159', 'bafy2bzace0']);
    // The fork's first tipset answers the upstream's headers; its weight is the next tipset's ParentWeight.
    assert.deepEqual([point.headers, point.weight], [tipset(50).Blocks, tipset(51).Blocks[0].ParentWeight]);
    // What the upstream's VM gave actors at the fork point, read with the state's key.
    assert.deepEqual(point.circulatingSupply, { ...SUPPLY, FilMined: '51' });
    // The upstream's upgrade heights, which the fork's StateGetNetworkParams answers.
    assert.deepEqual(point.upgradeHeights, UPGRADES);
    // The upstream's actors manifest at the fork point (its system actor's), whose code CIDs the fork's actors have.
    assert.deepEqual(point.manifest, { cid: cidOf(MANIFEST).toString(), entries: CODES });
    assert.equal(forkCodeTable(point).kindOf(CODES[1]![1]), 'multisig');
    // And its init actor's AddressMap root, which the fork's t01 answers.
    assert.equal(point.addressMap, ADDRESS_MAP);
  });

  test('an upstream that refuses StateGetNetworkParams leaves the point without upgrade heights (the fork answers its own)', async (t) => {
    const point = await resolveForkPoint(await upstreamAnswering(t, { 'Filecoin.StateGetNetworkParams': new Error("method 'Filecoin.StateGetNetworkParams' not found") }), undefined);
    assert.equal(point.epoch, 50);
    assert.equal('upgradeHeights' in point, false);
  });

  test('an upstream that refuses StateVMCirculatingSupplyInternal (a Lotus gateway) leaves the point without a circulating supply', async (t) => {
    const point = await resolveForkPoint(await upstreamAnswering(t, { 'Filecoin.StateVMCirculatingSupplyInternal': new Error("method 'Filecoin.StateVMCirculatingSupplyInternal' not found") }), undefined);
    assert.equal(point.epoch, 50);
    assert.equal('circulatingSupply' in point, false);
  });

  // fidaudit4 V16: a fork answers its upstream's network name, so a fork of a fork knows it by its Version.
  test('an fvm-devnet (by its network name, or by its Version when it is a fork answering its upstream\'s name) is read at the fork tipset itself', async (t) => {
    for (const changed of [{ 'Filecoin.StateNetworkName': 'fvm-devnet' }, { 'Filecoin.Version': { Version: '1.36.2+fvm-devnet', APIVersion: 0x20000, BlockDelay: 4 } }]) {
      const point = await resolveForkPoint(await upstreamAnswering(t, changed), 100);
      assert.deepEqual([point.epoch, point.stateKey], [100, tipset(100).Cids], JSON.stringify(changed));
      // Known (the disk cache's), it asks for no tipset after its head, which an fvm-devnet refuses.
      const requests: string[][] = [];
      await resolveForkPoint(await upstreamAnswering(t, { ...changed, 'Filecoin.ChainGetTipSetAfterHeight': new Error('looking for tipset with height greater than start point') }, requests), 100, point);
      assert.ok(!requests.flat().includes('Filecoin.ChainGetTipSetAfterHeight'), JSON.stringify(requests));
    }
    // An endpoint that refuses Filecoin.Version (review R7: a provider's allow-list) is forked, read as Lotus.
    const refused = await resolveForkPoint(await upstreamAnswering(t, { 'Filecoin.Version': new Error("method 'Filecoin.Version' not found") }), 50);
    assert.deepEqual([refused.epoch, refused.stateKey], [50, tipset(51).Cids]);
  });

  test('an answer of another shape stops the start naming the call and what it answered', async (t) => {
    const cases: [Record<string, unknown>, RegExp, number?][] = [
      [{ 'Filecoin.ChainGetGenesis': '0x1' }, /^upstream Filecoin\.ChainGetGenesis answered "0x1", not a tipset \(http:\/\/127\.0\.0\.1:\d+\/rpc\/v1\)$/],
      [{ 'Filecoin.ChainHead': { Cids: 'x', Blocks: [], Height: 'y' } }, /^upstream Filecoin\.ChainHead answered \{"Cids":"x","Blocks":\[\],"Height":"y"\}, not a tipset /],
      [{ 'Filecoin.StateNetworkName': 7 }, /^upstream Filecoin\.StateNetworkName answered 7, not a network name /],
      [{ eth_chainId: 'calibrationnet' }, /^upstream eth_chainId answered "calibrationnet", not a hex chain id /],
      [{ 'Filecoin.Version': '1.36.2' }, /^upstream Filecoin\.Version answered "1\.36\.2", not a version /],
      [{ 'Filecoin.ChainGetFinalizedTipSet': [] }, /^upstream Filecoin\.ChainGetFinalizedTipSet answered \[\], not a tipset /],
      [{ 'Filecoin.ChainGetTipSetByHeight': { Cids: [{ '/': 'b' }], Height: 50, Blocks: [{}] } }, /^upstream Filecoin\.ChainGetTipSetByHeight answered .*, not a tipset /, 50],
      [{ 'Filecoin.ChainGetTipSetAfterHeight': null }, /^upstream Filecoin\.ChainGetTipSetAfterHeight answered null, not a tipset /],
    ];
    for (const [changed, reason, epoch] of cases) {
      await assert.rejects(resolveForkPoint(await upstreamAnswering(t, changed), epoch), (err: Error) => err instanceof DevnetError && reason.test(err.message), JSON.stringify(changed));
    }
    // Where F3 is not served, null: head − 900 (here 0, the upstream being young).
    assert.equal((await resolveForkPoint(await upstreamAnswering(t, { 'Filecoin.ChainGetFinalizedTipSet': null }), undefined)).epoch, 0);
  });

  test("the tipset at the fork epoch (or the finalized one) and the head's manifest are asked in the first batch: a start reads the point in 3 round trips", async (t) => {
    for (const epoch of [undefined, 60]) {
      const requests: string[][] = [];
      const point = await resolveForkPoint(await upstreamAnswering(t, {}, requests), epoch);
      assert.equal(point.epoch, epoch ?? 50);
      assert.ok(requests[0]!.includes(epoch === undefined ? 'Filecoin.ChainGetFinalizedTipSet' : 'Filecoin.ChainGetTipSetByHeight'), JSON.stringify(requests[0]));
      assert.ok(requests[0]!.includes('Filecoin.StateReadState'), JSON.stringify(requests[0]));
      // Then the state's key (Lotus: the next tipset) with the manifest's block, then the state's reads with the manifest's data.
      assert.deepEqual(
        requests.slice(1).map((batch) => [...batch].sort()),
        [
          ['Filecoin.ChainGetTipSetAfterHeight', 'Filecoin.ChainReadObj'],
          ['Filecoin.ChainReadObj', 'Filecoin.StateReadState', 'Filecoin.StateReadState', 'Filecoin.StateVMCirculatingSupplyInternal'],
        ],
      );
      assert.deepEqual(point.manifest, { cid: cidOf(MANIFEST).toString(), entries: CODES });
    }
    // An upstream the disk cache noted as Lotus: the next tipset goes in the first batch too, 3 round trips.
    const requests: string[][] = [];
    const point = await resolveForkPoint(await upstreamAnswering(t, {}, requests), 60, undefined, true);
    assert.deepEqual([point.epoch, point.stateKey], [60, tipset(61).Cids]);
    assert.ok(requests[0]!.includes('Filecoin.ChainGetTipSetAfterHeight'), JSON.stringify(requests[0]));
    assert.equal(requests.length, 3, JSON.stringify(requests));
    // An epoch beyond the head is refused as before, its tipset's answer (an error from Lotus) unread.
    const beyond = { 'Filecoin.ChainGetTipSetByHeight': new Error('looking for tipset with height greater than start point') };
    await assert.rejects(resolveForkPoint(await upstreamAnswering(t, beyond), 101), /^DevnetError: --fork-block-number 101 is beyond the upstream's head \(100\)$/);
  });

  test("the fork point's manifest is its state's when the head's is another (a network upgrade between them) or cannot be read", async (t) => {
    const upgraded = encodeCbor([1, cidOf(encodeCbor([['system', CID.parse(CODES[1]![1])]]))]);
    // The head's state (the empty key) names `manifest`; the fork point's, the one LOTUS serves.
    const headNames = (manifest: Uint8Array) => (params: unknown[]) =>
      params[0] === 'f00' && (params[1] as unknown[]).length === 0 ? { State: { BuiltinActors: { '/': cidOf(manifest).toString() } } } : LOTUS['Filecoin.StateReadState']!(params);
    let reads = 0;
    const firstReadFails = (params: unknown[]) => (reads++ === 0 ? new Error('blockstore get: timeout') : LOTUS['Filecoin.ChainReadObj']!(params));
    for (const changed of [{ 'Filecoin.StateReadState': headNames(upgraded) }, { 'Filecoin.ChainReadObj': firstReadFails }]) {
      const point = await resolveForkPoint(await upstreamAnswering(t, changed), 60);
      assert.deepEqual(point.manifest, { cid: cidOf(MANIFEST).toString(), entries: CODES });
    }
    assert.equal(reads, 3);
  });

  test("a known point (the disk cache's) of the same tipset and state gives what was read from that state; another point reads it", async (t) => {
    const known = await resolveForkPoint(await upstreamAnswering(t), 60);
    const requests: string[][] = [];
    // The upstream's circulating supply answers otherwise now: the known point's is kept, as its keys name the same state.
    const changed = { 'Filecoin.StateVMCirculatingSupplyInternal': { ...SUPPLY, FilMined: '999' } };
    const again = await resolveForkPoint(await upstreamAnswering(t, changed, requests), 60, known);
    assert.deepEqual(again, known);
    // One round trip: the known point is Lotus's (its state the next tipset's), so the next tipset goes in the first batch.
    assert.deepEqual(requests.map((batch) => [...batch].sort()), [['Filecoin.ChainGetGenesis', 'Filecoin.ChainGetTipSetAfterHeight', 'Filecoin.ChainGetTipSetByHeight', 'Filecoin.ChainHead', 'Filecoin.StateGetNetworkParams', 'Filecoin.StateNetworkName', 'Filecoin.Version', 'eth_chainId']]);
    // A known point of another tipset (the cache's for epoch 59) does not: the state at 60 is read.
    const other = await resolveForkPoint(await upstreamAnswering(t, changed), 60, await resolveForkPoint(await upstreamAnswering(t), 59));
    assert.deepEqual([other.epoch, other.circulatingSupply?.FilMined], [60, '999']);
  });

  test('another endpoint is taken for the fork (anvil_setRpcUrl) only if it is the same chain and serves the fork point', async (t) => {
    const point = await resolveForkPoint(await upstreamAnswering(t), undefined);
    await checkServesForkPoint(await upstreamAnswering(t), point);
    await assert.rejects(checkServesForkPoint(await upstreamAnswering(t, { 'Filecoin.ChainGetGenesis': tipset(7) }), point), /^DevnetError: http:\/\/127\.0\.0\.1:\d+\/rpc\/v1 is another chain: its genesis is bafy2bzace7, the fork's bafy2bzace0$/);
    const pruned = { 'Filecoin.ChainGetTipSet': new Error('loading tipset {bafy2bzace51}: blockstore: block not found') };
    await assert.rejects(checkServesForkPoint(await upstreamAnswering(t, pruned), point), /does not serve the tipset the fork reads its state from \(epoch 50\): loading tipset \{bafy2bzace51\}: blockstore: block not found$/);
  });
});
