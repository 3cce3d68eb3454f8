// A deal's life after publishing: activation by its provider's miner (SectorContentChanged,
// BatchActivateDeals), payments as epochs pass (SettleDealPayments), completion, the timeout of a deal
// never activated (cron at its check epoch, or a settlement after its start), termination with its sector, and the getters' answers
// and exit codes at each step.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeBitfield } from '../../src/common/bitfield.js';
import { decodeBigInt, decodeCbor, encodeCbor } from '../../src/common/cbor.js';
import { BURNT_FUNDS_ACTOR_ID, MARKET_ACTOR_ID } from '../../src/fevm/actor.js';
import { DEAL_UPDATES_INTERVAL, nextUpdateEpoch } from '../../src/fevm/actors/market/policy.js';
import { methodNumber } from '../../src/fevm/actors/runtime.js';
import { ExitCode } from '../../src/fevm/exit-code.js';
import { FIL, MarketHarness, MIN_DURATION, pieceCid, setupMarket } from '../helpers/market-harness.js';

const SECTOR_CONTENT_CHANGED = methodNumber('SectorContentChanged');
const BATCH_ACTIVATE_DEALS = 6;
const ON_MINER_SECTORS_TERMINATE = 7;
const SETTLE = methodNumber('SettleDealPayments');
const PRICE = 1000n;
const FEE = PRICE * BigInt(MIN_DURATION);

/** A published deal (ID 0) of 2 KiB, starting 100 epochs from now. */
async function published() {
  const m = await setupMarket();
  const r = await m.publish([m.signed(m.fields())]);
  assert.equal(r.exitCode, 0, r.error);
  const deal = m.h.market.proposals.get(0)!;
  const get = async (name: string, id = 0) => {
    const reply = await m.h.call(m.client.actor.id, MARKET_ACTOR_ID, methodNumber(name), id);
    return { exitCode: reply.exitCode, error: reply.error, value: reply.returnData.length ? decodeCbor(reply.returnData) : undefined };
  };
  const activate = (sector: number, payload: unknown = 0, size = 2048, data = pieceCid()) =>
    m.h.call(m.miner.id, MARKET_ACTOR_ID, SECTOR_CONTENT_CHANGED, [[sector, deal.endEpoch + 10, [[data, size, encodeCbor(payload)]]]]);
  const settle = async (ids: number[]) => {
    const reply = await m.h.call(m.client.actor.id, MARKET_ACTOR_ID, SETTLE, encodeBitfield(ids));
    assert.equal(reply.exitCode, 0, reply.error);
    const [[successes, failures], settlements] = decodeCbor(reply.returnData) as [[number, [number, number][]], [Uint8Array, boolean][]];
    return { successes, failures, settlements: settlements.map(([p, done]) => [decodeBigInt(p), done]), events: MarketHarness.events(reply.events) };
  };
  return { ...m, deal, get, activate, settle };
}

describe('deal activation', () => {
  test('SectorContentChanged accepts a piece naming its deal, emits deal-activated, and the getters follow', async () => {
    const { h, miner, client, activate, get } = await published();
    assert.deepEqual(await get('GetDealActivation'), { exitCode: 0, error: undefined, value: [-1, -1] });
    const notActive = await get('GetDealSector');
    assert.equal(notActive.exitCode, 33);
    assert.equal(notActive.error, 'deal 0 not yet activated');

    h.epoch += 10;
    const r = await activate(42);
    assert.equal(r.exitCode, 0, r.error);
    assert.deepEqual(decodeCbor(r.returnData), [[true]]);
    assert.deepEqual(MarketHarness.events(r.events), [['deal-activated', { id: 0, client: client.actor.id, provider: miner.id }]]);
    assert.deepEqual(h.market.states.get(0), { sectorNumber: 42, sectorStartEpoch: h.epoch, lastUpdatedEpoch: -1, slashEpoch: -1 });
    assert.deepEqual((await get('GetDealActivation')).value, [h.epoch, -1]);
    assert.deepEqual((await get('GetDealSector')).value, 42);
    // Activated once only.
    assert.deepEqual(decodeCbor((await activate(43)).returnData), [[false]]);
  });

  test('pieces that do not match their deal are refused without failing the call', async () => {
    const { h, activate } = await published();
    assert.deepEqual(decodeCbor((await activate(1, 0, 4096)).returnData), [[false]]);
    assert.deepEqual(decodeCbor((await activate(1, 0, 2048, pieceCid(9))).returnData), [[false]]);
    assert.deepEqual(decodeCbor((await activate(1, 5)).returnData), [[false]]);
    assert.deepEqual(decodeCbor((await activate(1, 'not a deal id')).returnData), [[false]]);
    h.epoch += 101; // past the start epoch
    assert.deepEqual(decodeCbor((await activate(1)).returnData), [[false]]);
    assert.equal(h.market.states.size, 0);
  });

  test('another miner may not activate the deal; a non-miner may not call at all', async () => {
    const { h, owner, client, deal } = await published();
    const other = h.newMiner(owner.actor.id);
    const r = await h.call(other.id, MARKET_ACTOR_ID, SECTOR_CONTENT_CHANGED, [[1, deal.endEpoch, [[pieceCid(), 2048, encodeCbor(0)]]]]);
    assert.deepEqual(decodeCbor(r.returnData), [[false]]);
    const byAccount = await h.call(client.actor.id, MARKET_ACTOR_ID, SECTOR_CONTENT_CHANGED, [[1, deal.endEpoch, []]]);
    assert.equal(byAccount.exitCode, ExitCode.ErrForbidden);
    assert.match(byAccount.error!, /^caller cid type \w+ not one of supported$/);
  });

  test('BatchActivateDeals activates a sector’s deals together and reports them', async () => {
    const { h, miner, client, deal, publish, signed, fields } = await published();
    await publish([signed(fields({ pieceCid: pieceCid(2) }))]);
    const r = await h.call(miner.id, MARKET_ACTOR_ID, BATCH_ACTIVATE_DEALS, [[[7, 8, deal.endEpoch, [0, 1]], [8, 8, deal.endEpoch, [1]], [9, 8, deal.endEpoch - 1, [5]]], false]);
    assert.equal(r.exitCode, 0, r.error);
    assert.deepEqual(decodeCbor(r.returnData), [
      [1, [[1, ExitCode.ErrIllegalArgument], [2, ExitCode.ErrNotFound]]],
      [[[[client.actor.id, 0, pieceCid(), 2048], [client.actor.id, 0, pieceCid(2), 2048]], null]],
    ]);
    assert.deepEqual([...h.market.providerSectors.get(miner.id)!], [[7, [0, 1]]]);
  });
});

describe('payments, completion and timeouts', () => {
  test('escrow flows from client to provider as epochs pass, and the deal completes at its end', async () => {
    const { h, client, miner, deal, activate, settle, get } = await published();
    await activate(1);
    // Before the start: nothing is due.
    assert.deepEqual((await settle([0])).settlements, [[0n, false]]);
    h.epoch = deal.startEpoch + 2880;
    assert.deepEqual((await settle([0])).settlements, [[2880n * PRICE, false]]);
    assert.equal(h.market.escrow.get(miner.id), 10n * FIL + 2880n * PRICE);
    assert.equal(h.market.locked.get(client.actor.id), 2n * FIL + FEE - 2880n * PRICE);
    h.epoch += 100;
    assert.deepEqual((await settle([0])).settlements, [[100n * PRICE, false]]);

    h.epoch = deal.endEpoch + 50;
    const end = await settle([0]);
    assert.deepEqual(end.settlements, [[FEE - 2980n * PRICE, true]]);
    assert.deepEqual(end.events, [['deal-completed', { id: 0, client: client.actor.id, provider: miner.id }]]);
    assert.equal(h.market.escrow.get(miner.id), 10n * FIL + FEE);
    assert.equal(h.market.escrow.get(client.actor.id), 100n * FIL - FEE);
    assert.equal(h.market.locked.get(client.actor.id), undefined);
    assert.equal(h.market.locked.get(miner.id), undefined);
    assert.equal(h.market.totalClientStorageFee, 0n);
    assert.equal(h.market.providerSectors.size, 0);
    // Cleaned up: getters answer EX_DEAL_EXPIRED, and unknown IDs USR_NOT_FOUND.
    assert.deepEqual(await get('GetDealClient'), { exitCode: 32, error: 'deal 0 expired', value: undefined });
    assert.equal((await get('GetDealActivation')).exitCode, 32);
    assert.deepEqual(await get('GetDealClient', 1), { exitCode: ExitCode.ErrNotFound, error: 'no such deal 1', value: undefined });
    assert.deepEqual((await settle([0])).failures, [[0, 32]]);
  });

  test('a deal not activated by its start epoch stays until its cron check, then times out: provider collateral burnt, client unlocked, no event', async () => {
    const { h, client, miner, deal, get } = await published();
    // Deal 0's check is the first epoch at or after its start that is 0 modulo 30 days of epochs.
    const check = nextUpdateEpoch(0, deal.startEpoch);
    assert.equal(check, DEAL_UPDATES_INTERVAL);
    for (const epoch of [deal.startEpoch, check - 1]) {
      h.epoch = epoch;
      assert.deepEqual(await h.runCron(), []);
      assert.equal(h.market.proposals.size, 1, `still held at epoch ${epoch}`);
    }
    assert.equal((await get('GetDealProvider')).value, miner.id);
    h.epoch = check;
    assert.deepEqual(await h.runCron(), []);
    assert.equal(h.market.proposals.size, 0);
    assert.equal(h.market.pendingProposals.size, 0);
    assert.equal(h.balance(BURNT_FUNDS_ACTOR_ID), FIL);
    assert.equal(h.market.escrow.get(miner.id), 9n * FIL);
    assert.equal(h.market.locked.get(miner.id), undefined);
    assert.equal(h.market.escrow.get(client.actor.id), 100n * FIL);
    assert.equal(h.market.locked.get(client.actor.id), undefined);
    assert.equal((await get('GetDealProvider')).exitCode, 32);
  });

  test('a settlement after the start epoch times a deal never activated out before its check', async () => {
    const { h, deal, settle } = await published();
    h.epoch = deal.startEpoch + 1;
    const reply = await settle([0]);
    assert.deepEqual(reply.failures, [[0, 32]]);
    assert.deepEqual(reply.events, []);
    assert.equal(h.market.proposals.size, 0);
    assert.equal(h.balance(BURNT_FUNDS_ACTOR_ID), FIL);
    // The check finds nothing left to do.
    h.epoch = nextUpdateEpoch(0, deal.startEpoch);
    assert.deepEqual(await h.runCron(), []);
    assert.equal(h.balance(BURNT_FUNDS_ACTOR_ID), FIL);
  });

  test('each deal is checked on its own offset in the update interval (next_update_epoch)', () => {
    assert.equal(nextUpdateEpoch(7, 7), 7);
    assert.equal(nextUpdateEpoch(7, 8), DEAL_UPDATES_INTERVAL + 7);
    assert.equal(nextUpdateEpoch(3, 200), DEAL_UPDATES_INTERVAL + 3);
    assert.equal(nextUpdateEpoch(DEAL_UPDATES_INTERVAL + 5, 10), DEAL_UPDATES_INTERVAL + 5);
    assert.equal(nextUpdateEpoch(2, 3 * DEAL_UPDATES_INTERVAL + 2), 3 * DEAL_UPDATES_INTERVAL + 2);
  });

  test('an activated deal only leaves the pending set when its cron check comes', async () => {
    const { h, deal, activate } = await published();
    await activate(1);
    h.epoch = nextUpdateEpoch(0, deal.startEpoch);
    await h.runCron();
    assert.equal(h.market.pendingProposals.size, 0);
    assert.equal(h.market.proposals.size, 1);
    assert.equal(h.balance(BURNT_FUNDS_ACTOR_ID), 0n);
  });

  test('a deal settled before its check is settled by cron there, and every update interval after', async () => {
    const { h, miner, deal, activate, settle } = await published();
    await activate(1);
    h.epoch = deal.startEpoch + 10;
    await settle([0]);
    const check = nextUpdateEpoch(0, deal.startEpoch);
    h.epoch = check;
    assert.deepEqual(await h.runCron(), []);
    // Paid up to the check: the provider has the price of every epoch since the start.
    assert.equal(h.market.escrow.get(miner.id), 10n * FIL + BigInt(check - deal.startEpoch) * PRICE);
    assert.equal(h.market.states.get(0)?.lastUpdatedEpoch, check);
    h.epoch = check + DEAL_UPDATES_INTERVAL - 1;
    await h.runCron();
    assert.equal(h.market.states.get(0)?.lastUpdatedEpoch, check);
    h.epoch = check + DEAL_UPDATES_INTERVAL;
    await h.runCron();
    assert.equal(h.market.states.get(0)?.lastUpdatedEpoch, check + DEAL_UPDATES_INTERVAL);
  });

  // fidaudit6 D6: builtin-actors v18 settle_deal_payments records last_updated_epoch whatever
  // process_deal_update paid, so a settlement before the start puts the deal on cron's payment path.
  test('a deal settled before its start records the settlement\'s epoch; its check pays it from the start and reschedules it', async () => {
    const { h, miner, deal, activate, settle } = await published();
    await activate(1);
    h.epoch = deal.startEpoch - 10;
    assert.deepEqual((await settle([0])).settlements, [[0n, false]]);
    assert.equal(h.market.states.get(0)?.lastUpdatedEpoch, deal.startEpoch - 10);
    const check = nextUpdateEpoch(0, deal.startEpoch);
    h.epoch = check;
    await h.runCron();
    assert.equal(h.market.escrow.get(miner.id), 10n * FIL + BigInt(check - deal.startEpoch) * PRICE);
    assert.equal(h.market.states.get(0)?.lastUpdatedEpoch, check);
    h.epoch = check + DEAL_UPDATES_INTERVAL;
    await h.runCron();
    assert.equal(h.market.states.get(0)?.lastUpdatedEpoch, check + DEAL_UPDATES_INTERVAL);
  });

  test('the getters answer the proposal’s terms', async () => {
    const { client, miner, deal, get } = await published();
    assert.deepEqual((await get('GetDealDataCommitment')).value, [pieceCid(), 2048]);
    assert.equal((await get('GetDealClient')).value, client.actor.id);
    assert.equal((await get('GetDealProvider')).value, miner.id);
    assert.equal((await get('GetDealLabel')).value, 'bafy-root');
    assert.deepEqual((await get('GetDealTerm')).value, [deal.startEpoch, MIN_DURATION]);
    assert.equal(decodeBigInt((await get('GetDealTotalPrice')).value as Uint8Array), FEE);
    assert.equal(decodeBigInt((await get('GetDealClientCollateral')).value as Uint8Array), 2n * FIL);
    assert.equal(decodeBigInt((await get('GetDealProviderCollateral')).value as Uint8Array), FIL);
    assert.equal((await get('GetDealVerified')).value, false);
  });
});

describe('termination', () => {
  test('OnMinerSectorsTerminate pays up to the epoch, refunds the client, burns the provider collateral', async () => {
    const { h, client, miner, deal, activate, settle, get } = await published();
    await activate(3);
    h.epoch = deal.startEpoch + 1000;
    await settle([0]);
    h.epoch += 500;
    const r = await h.call(miner.id, MARKET_ACTOR_ID, ON_MINER_SECTORS_TERMINATE, [h.epoch, encodeBitfield([3])]);
    assert.equal(r.exitCode, 0, r.error);
    assert.deepEqual(MarketHarness.events(r.events), [['deal-terminated', { id: 0, client: client.actor.id, provider: miner.id }]]);
    assert.equal(h.balance(BURNT_FUNDS_ACTOR_ID), FIL);
    assert.equal(h.market.escrow.get(miner.id), 9n * FIL + 1500n * PRICE);
    assert.equal(h.market.escrow.get(client.actor.id), 100n * FIL - 1500n * PRICE);
    assert.equal(h.market.locked.size, 0);
    assert.equal(h.market.totalProviderLockedCollateral + h.market.totalClientLockedCollateral + h.market.totalClientStorageFee, 0n);
    assert.equal((await get('GetDealSector')).exitCode, 32);
  });

  test('a termination reported for an epoch before the deal’s last settlement (a forked miner’s missed close) slashes it as of that settlement', async () => {
    const { h, client, miner, deal, activate, settle } = await published();
    await activate(3);
    h.epoch = deal.startEpoch + 1000;
    await settle([0]);
    h.epoch += 500;
    const r = await h.call(miner.id, MARKET_ACTOR_ID, ON_MINER_SECTORS_TERMINATE, [deal.startEpoch + 600, encodeBitfield([3])]);
    assert.equal(r.exitCode, 0, r.error);
    assert.equal(h.balance(BURNT_FUNDS_ACTOR_ID), FIL);
    // Paid up to the settlement, nothing after it; the rest of the client's fee unlocked.
    assert.equal(h.market.escrow.get(miner.id), 9n * FIL + 1000n * PRICE);
    assert.equal(h.market.escrow.get(client.actor.id), 100n * FIL - 1000n * PRICE);
    assert.equal(h.market.locked.size, 0);
    assert.equal(h.market.totalProviderLockedCollateral + h.market.totalClientLockedCollateral + h.market.totalClientStorageFee, 0n);
  });

  test('a deal already past its end is not slashed; another miner’s sectors are not touched', async () => {
    const { h, owner, miner, deal, activate } = await published();
    await activate(3);
    const other = h.newMiner(owner.actor.id);
    await h.call(other.id, MARKET_ACTOR_ID, ON_MINER_SECTORS_TERMINATE, [h.epoch, encodeBitfield([3])]);
    assert.equal(h.market.proposals.size, 1);
    h.epoch = deal.endEpoch + 1;
    await h.call(miner.id, MARKET_ACTOR_ID, ON_MINER_SECTORS_TERMINATE, [h.epoch, encodeBitfield([3])]);
    assert.equal(h.market.proposals.size, 1);
    assert.equal(h.balance(BURNT_FUNDS_ACTOR_ID), 0n);
  });

  // X6: builtin-actors b0a3bdd6 market get_deal_activation/get_deal_sector, settle_deal_payments,
  // cron_tick → process_deal_update (issue 1388). Only a fork of a pre-nv22 state holds such a deal.
  test('a legacy deal marked for termination before nv22 answers as expired, refuses settlement, and its cron check slashes and removes it', async () => {
    const { h, client, miner, deal, activate, settle, get } = await published();
    await activate(3);
    h.epoch = deal.startEpoch + 1000;
    await settle([0]);
    // Marked as a termination before nv22 left it, for cron to process.
    const market = h.state.getActor(MARKET_ACTOR_ID)!;
    const slashEpoch = deal.startEpoch + 1500;
    h.state.putActor({ ...market, market: { ...h.market, states: new Map([[0, { ...h.market.states.get(0)!, slashEpoch }]]) } });
    h.epoch = slashEpoch + 10;
    for (const getter of ['GetDealActivation', 'GetDealSector']) assert.deepEqual(await get(getter), { exitCode: 32, error: 'deal 0 expired', value: undefined }, getter);
    const refused = await h.call(client.actor.id, MARKET_ACTOR_ID, SETTLE, encodeBitfield([0]));
    assert.deepEqual([refused.exitCode, refused.error], [ExitCode.ErrIllegalArgument, 'deal 0 is marked for termination and cannot be settled']);
    // Its check: paid up to the slash epoch, the rest of the client's fee and its collateral unlocked, the provider's collateral burnt.
    h.epoch = nextUpdateEpoch(0, deal.startEpoch);
    assert.deepEqual(await h.runCron(), []);
    assert.equal(h.market.proposals.size, 0);
    assert.equal(h.market.states.size, 0);
    assert.equal(h.market.providerSectors.get(miner.id)?.get(3), undefined);
    assert.equal(h.balance(BURNT_FUNDS_ACTOR_ID), FIL);
    assert.equal(h.market.escrow.get(miner.id), 9n * FIL + 1500n * PRICE);
    assert.equal(h.market.escrow.get(client.actor.id), 100n * FIL - 1500n * PRICE);
    assert.equal(h.market.totalProviderLockedCollateral + h.market.totalClientLockedCollateral + h.market.totalClientStorageFee, 0n);
  });

  test('the internal methods are refused to callers that are not miners', async () => {
    const { h, client } = await published();
    const r = await h.call(client.actor.id, MARKET_ACTOR_ID, ON_MINER_SECTORS_TERMINATE, [h.epoch, encodeBitfield([3])]);
    assert.equal(r.exitCode, ExitCode.ErrForbidden);
  });
});
