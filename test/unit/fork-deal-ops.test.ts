// The market's deal work on a fork, as the upstream scheduled it: builtin-actors' DealOpsByEpoch (a
// HAMT by signed-varint epoch of HAMT sets of deal IDs), which a node serves for its own market,
// read back through StateReadState and ChainReadObj (only epochs after the fork epoch; entries under
// the unsigned keys of before actors v14 are never reached); the cron actor hands each epoch's deals
// out once, beside its own queue, fetching them first, and a revert runs them again.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildAmt } from '../../src/common/amt.js';
import { cidOf, CID } from '../../src/common/cbor.js';
import { actorIdKey, actorIdOfKey, buildHamt, epochKey, hamtEntries, hamtGet } from '../../src/common/hamt.js';
import { createGenesisState } from '../../src/devnet/genesis.js';
import { UpstreamDealOps, withUpstreamSchedule } from '../../src/devnet/fork/deal-ops.js';
import { emptyForkTables } from '../../src/devnet/fork/fork-tables.js';
import { UpstreamLists } from '../../src/devnet/fork/upstream-lists.js';
import { UpstreamTables } from '../../src/devnet/fork/upstream-tables.js';
import type { Upstream } from '../../src/devnet/fork/upstream.js';
import { CRON_ACTOR_ID, MARKET_ACTOR_ID } from '../../src/fevm/actor.js';
import { enrollCron, nextCronEpoch, takeDueCron } from '../../src/fevm/actors/cron.js';
import { storedProposalValue } from '../../src/fevm/actors/market/deal-proposal.js';
import { dealOpsByEpochHamt, MARKET_HAMT_BIT_WIDTH } from '../../src/fevm/actors/market/state.js';
import { nextUpdateEpoch } from '../../src/fevm/actors/market/policy.js';
import { computePieceCid } from '../../src/devnet/storage-providers/piece-cid.js';
import { missingOf } from '../helpers/missing-state.js';
import { setupRpc } from '../helpers/rpc-harness.js';
import { testForkPoint } from '../helpers/fork-point.js';

const FORK_EPOCH = 1000;
const point = testForkPoint(FORK_EPOCH);

/** An upstream whose market State names `root` and whose ChainReadObj serves `blocks`. */
function upstreamWith(root: CID, blocks: Uint8Array[]): Upstream {
  const byCid = new Map(blocks.map((b) => [cidOf(b).toString(), b]));
  return {
    call: async (method: string, params: unknown[]) => {
      assert.deepEqual([method, params[0]], ['Filecoin.StateReadState', `f0${MARKET_ACTOR_ID}`]);
      return { State: { DealOpsByEpoch: { '/': root.toString() } } };
    },
    readObj: async (cid: CID) => byCid.get(cid.toString()) ?? assert.fail(`no block ${cid}`),
  } as unknown as Upstream;
}

const check = (id: number) => ({ actor: MARKET_ACTOR_ID, event: id });

describe("a forked deal's label (fidaudit4 V15)", () => {
  test("one of bytes, which Lotus's JSON writes as \"\", is read from the proposal in the market's Proposals AMT, also after a list of all deals; a string label is taken from the JSON", async () => {
    const piece = computePieceCid(new Uint8Array(300).fill(2));
    const terms = { pieceCid: piece.cid, pieceSize: piece.size, verifiedDeal: false, client: 1001, provider: 1002, startEpoch: 2000, endEpoch: 600_000, storagePricePerEpoch: 5n, providerCollateral: 7n, clientCollateral: 0n };
    const labels: Record<number, string | Uint8Array> = { 3: new Uint8Array([0x01, 0x71, 0xff]), 4: 'bafy-root', 5: '' };
    const amt = buildAmt(new Map(Object.entries(labels).map(([id, label]) => [Number(id), storedProposalValue({ ...terms, label })])), 5);
    const asked: string[] = [];
    const upstream = {
      call: async (method: string, params: unknown[]) => {
        asked.push(`${method} ${String(params[0])}`);
        if (method === 'Filecoin.StateReadState') return { State: { Proposals: { '/': amt.root.toString() } } };
        const label = labels[params[0] as number]!;
        return {
          Proposal: { PieceCID: { '/': piece.cid.toString() }, PieceSize: piece.size, VerifiedDeal: false, Client: 'f01001', Provider: 'f01002', Label: typeof label === 'string' ? label : '', StartEpoch: 2000, EndEpoch: 600_000, StoragePricePerEpoch: '5', ProviderCollateral: '7', ClientCollateral: '0' },
          State: { SectorNumber: 0, SectorStartEpoch: -1, LastUpdatedEpoch: -1, SlashEpoch: -1 },
        };
      },
      readObj: async (cid: CID) => amt.blocks.get(cid.toString()) ?? assert.fail(`no block ${cid}`),
    } as unknown as Upstream;
    const tables = new UpstreamTables(upstream, point);
    assert.deepEqual((await tables.deal(3))!.proposal.label, new Uint8Array([0x01, 0x71, 0xff]));
    assert.equal((await tables.deal(4))!.proposal.label, 'bafy-root');
    assert.equal((await tables.deal(5))!.proposal.label, '');
    assert.deepEqual(asked, ['Filecoin.StateMarketStorageDeal 3', `Filecoin.StateReadState f0${MARKET_ACTOR_ID}`, 'Filecoin.StateMarketStorageDeal 4', 'Filecoin.StateMarketStorageDeal 5']);

    // Listed first (a full node's StateMarketDeals, review2 Q2): a deal whose JSON label is "" is left to be read by ID, which finds its bytes.
    const listing = {
      call: async (method: string, params: unknown[]) => {
        if (method !== 'Filecoin.StateMarketDeals') return upstream.call(method, params);
        return Object.fromEntries(await Promise.all([3, 4, 5].map(async (id) => [String(id), await upstream.call('Filecoin.StateMarketStorageDeal', [id])])));
      },
      readObj: upstream.readObj,
    } as unknown as Upstream;
    const listed = await new UpstreamLists(listing, point, new UpstreamTables(listing, point)).list('deals');
    assert.ok(listed.table === 'deals');
    assert.deepEqual(listed.keys, [3, 4, 5]);
    assert.deepEqual([...listed.deals.keys()], [4]);
    assert.equal(listed.deals.get(4)!.proposal.label, 'bafy-root');
  });
});

describe('the upstream market\'s DealOpsByEpoch', () => {
  test('a node\'s Filecoin.StateReadState links to its own in builtin-actors\' layout and Filecoin.ChainReadObj serves its blocks', async (t) => {
    const { result } = await setupRpc(t);
    const piece = computePieceCid(new Uint8Array(300).fill(1));
    const { dealId } = await result('devnet_proposeDeal', [{ pieceCid: piece.cid.toString(), pieceSize: piece.size, startEpoch: 500 }]);
    const { State } = await result('Filecoin.StateReadState', ['f05', null]);
    const load = async (cid: CID) => new Uint8Array(Buffer.from(await result('Filecoin.ChainReadObj', [{ '/': cid.toString() }]), 'base64'));
    const root = CID.parse(State.DealOpsByEpoch['/']);
    // The deal's one check, at the first epoch at or after its start equal to its ID modulo 30 days.
    const set = CID.asCID(await hamtGet(root, epochKey(nextUpdateEpoch(dealId, 500)), MARKET_HAMT_BIT_WIDTH, load))!;
    assert.ok(set);
    assert.deepEqual((await hamtEntries(set, load)).map(([id, unit]) => [actorIdOfKey(id), unit]), [[dealId, null]]);
    assert.equal((await hamtEntries(root, load)).length, 1);
  });

  test('its epochs after the fork epoch, ascending, and each epoch\'s deal IDs, from the blocks alone', async () => {
    // 100 epochs (an outer HAMT of several levels), one with more deals than a bucket holds.
    const ops: [number, number[]][] = Array.from({ length: 100 }, (_, i) => [950 + i * 7, [i]]);
    ops[60] = [ops[60][0], [60, 6000, 60_000, 600_000, 7]];
    const { root, blocks } = dealOpsByEpochHamt(ops);
    const tables = new UpstreamTables(upstreamWith(root, blocks), point);
    const epochs = await tables.dealOpEpochs();
    assert.deepEqual(epochs.map(([epoch]) => epoch), ops.map(([epoch]) => epoch).filter((epoch) => epoch > FORK_EPOCH));
    const sets = new Map(epochs);
    assert.deepEqual((await tables.dealOps(sets.get(ops[60][0])!)).sort((a, b) => a - b), [7, 60, 6000, 60_000, 600_000]);
    assert.deepEqual(await tables.dealOps(sets.get(ops[99][0])!), [99]);
  });

  test('entries under the unsigned epoch keys of before actors v14 read as epochs cron never reaches', async () => {
    const set = buildHamt([[actorIdKey(5), null]], MARKET_HAMT_BIT_WIDTH);
    // Epoch 4000 under its unsigned key reads as 2000's signed key: cron looks it up at 2000, long past upstream.
    const past = buildHamt([[actorIdKey(4000), set.root]], MARKET_HAMT_BIT_WIDTH);
    assert.deepEqual(await new UpstreamTables(upstreamWith(past.root, [...set.blocks, ...past.blocks]), { ...point, epoch: 3000 }).dealOpEpochs(), []);
    // Epoch 4001 under its unsigned key reads as a negative epoch.
    const odd = buildHamt([[actorIdKey(4001), set.root]], MARKET_HAMT_BIT_WIDTH);
    assert.deepEqual(await new UpstreamTables(upstreamWith(odd.root, [...set.blocks, ...odd.blocks]), point).dealOpEpochs(), []);
  });
});

describe('the fork\'s cron runs the upstream\'s deal work', () => {
  test('the schedule asks for the epochs first, then the sets of the epochs due, and hands them out in epoch order', () => {
    const tables = emptyForkTables();
    const schedule = new UpstreamDealOps(tables);
    assert.deepEqual(missingOf(() => schedule.next(FORK_EPOCH)), [{ kind: 'dealOpEpochs' }]);
    const [a, b, c] = ['a', 'b', 'c'].map((s) => cidOf(new TextEncoder().encode(s)));
    tables.dealOpEpochs = [[1001, a], [1500, b], [90_000, c]];
    assert.equal(schedule.next(FORK_EPOCH), 1001);
    assert.equal(schedule.next(1001), 1500);
    assert.equal(schedule.next(90_000), undefined);
    assert.deepEqual([schedule.setAt(1500), schedule.setAt(1499)], [b, undefined]);
    assert.deepEqual(missingOf(() => schedule.between(FORK_EPOCH, 1500)), [{ kind: 'dealOps', epoch: 1001 }, { kind: 'dealOps', epoch: 1500 }]);
    tables.dealOps.set(1001, [4, 2]);
    tables.dealOps.set(1500, [3]);
    assert.deepEqual(schedule.between(FORK_EPOCH, 1500), [[1001, check(4)], [1001, check(2)], [1500, check(3)]]);
    assert.deepEqual(schedule.between(1001, 1499), []);
  });

  test('the cron actor runs them beside its queue, each once, as the chain\'s own state (a revert runs them again)', () => {
    const tables = emptyForkTables();
    tables.dealOpEpochs = [[1001, cidOf(new Uint8Array([1]))], [1500, cidOf(new Uint8Array([2]))]];
    tables.dealOps.set(1001, [1001]).set(1500, [1500]);
    const tree = createGenesisState([], 0n);
    const staged = tree.stage();
    staged.putActor(withUpstreamSchedule(staged.getActor(CRON_ACTOR_ID)!, new UpstreamDealOps(tables), FORK_EPOCH));
    tree.commit(staged, FORK_EPOCH);

    const state = tree.stage();
    enrollCron(state, 1200, { actor: 100, event: 'queued' });
    enrollCron(state, 1500, { actor: 100, event: 'queued too' });
    assert.equal(nextCronEpoch(state), 1001);
    assert.deepEqual(takeDueCron(state, 1001), [check(1001)]);
    assert.equal(nextCronEpoch(state), 1200);
    assert.deepEqual(takeDueCron(state, 1600), [{ actor: 100, event: 'queued' }, { actor: 100, event: 'queued too' }, check(1500)]);
    assert.equal(nextCronEpoch(state), undefined);
    assert.deepEqual(takeDueCron(state, 1700), []);
    // The committed state is from before: its deal work is still to run.
    assert.deepEqual(takeDueCron(tree.stage(), 1500), [check(1001), check(1500)]);
  });
});
