// The Lotus chain readers and whole-state methods through the JSON-RPC server: ChainGetGenesis,
// ChainGetPath, ChainGetParentMessages, ChainGetMessagesInTipset, ChainHasObj, ChainStatObj,
// StateListActors, StateListMessages, StateChangedActors, StateCirculatingSupply, StateReplay,
// StateCompute.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FilAddress } from '../../src/common/address.js';
import { cidOf, decodeCbor, encodeCbor } from '../../src/common/cbor.js';
import { DEFAULT_MNEMONIC, testConfig } from '../../src/config.js';
import { deriveStorageProviderKeys } from '../../src/devnet/storage-providers/keys.js';
import { ETH_NULL_ADDRESS_BALANCE } from '../../src/devnet/genesis.js';
import { CRON_ACTOR_ID, MARKET_ACTOR_ID } from '../../src/fevm/actor.js';
import { nextCronEpoch } from '../../src/fevm/actors/cron.js';
import { CronQueue } from '../../src/fevm/actors/cron-queue.js';
import { CREATE_MINER_DEPOSIT } from '../../src/fevm/actors/power.js';
import type { Devnet } from '../../src/devnet/devnet.js';
import { setupRpc } from '../helpers/rpc-harness.js';
import { devWallet, RECIPIENT } from '../helpers/dev-wallet.js';
import { PLEDGE_32GIB } from '../helpers/pledge.js';

const FIL = 10n ** 18n;
const [provider] = deriveStorageProviderKeys(DEFAULT_MNEMONIC, 1);
const OWNER = provider.address.toString();
const DEV0 = FilAddress.fromEthAddress(Buffer.from(devWallet.address.slice(2), 'hex')).toString();
const TARGET = FilAddress.fromEthAddress(Buffer.from(RECIPIENT.slice(2), 'hex')).toString();

/** A plain transfer from the storage provider's owner key, which the node holds. */
const ownerTransfer = (to: string, value = FIL) => ({ From: OWNER, To: to, Value: value.toString(), Method: 0 });

describe('chain readers', () => {
  test('ChainGetGenesis is the epoch-0 tipset; ChainGetPath lists applies forwards and reverts backwards', async (t) => {
    const { result, error, send } = await setupRpc(t);
    const genesis = await result('Filecoin.ChainGetGenesis');
    assert.equal(genesis.Height, 0);
    assert.deepEqual(genesis, await result('Filecoin.ChainGetTipSetByHeight', [0, null]));
    await send({ nonce: 0 });
    await send({ nonce: 1 });
    const head = await result('Filecoin.ChainHead');
    assert.equal(head.Height, 2);
    const forward = await result('Filecoin.ChainGetPath', [genesis.Cids, head.Cids]);
    assert.deepEqual(forward.map((c: { Type: string; Val: { Height: number } }) => [c.Type, c.Val.Height]), [['apply', 1], ['apply', 2]]);
    const backward = await result('Filecoin.ChainGetPath', [head.Cids, genesis.Cids]);
    assert.deepEqual(backward.map((c: { Type: string; Val: { Height: number } }) => [c.Type, c.Val.Height]), [['revert', 2], ['revert', 1]]);
    assert.deepEqual(await result('Filecoin.ChainGetPath', [head.Cids, head.Cids]), []);
    // An empty key is no tipset (Lotus loads its blocks), not the head; `from` is loaded first.
    const refused = (end: string) => ({ code: 1, message: `loading ${end} tipset {}: NewTipSet called with zero length array of blocks` });
    for (const empty of [null, []]) {
      assert.deepEqual(await error('Filecoin.ChainGetPath', [genesis.Cids, empty]), refused('to'));
      assert.deepEqual(await error('Filecoin.ChainGetPath', [empty, head.Cids]), refused('from'));
      assert.deepEqual(await error('Filecoin.ChainGetPath', [empty, empty]), refused('from'));
    }
  });

  test('ChainGetMessagesInTipset and ChainGetParentMessages: {Cid, Message}, null when none', async (t) => {
    const { result, send } = await setupRpc(t);
    const genesis = await result('Filecoin.ChainHead');
    assert.equal(await result('Filecoin.ChainGetMessagesInTipset', [genesis.Cids]), null);
    assert.equal(await result('Filecoin.ChainGetParentMessages', [genesis.Cids[0]]), null);
    const hash = await send({ nonce: 0 });
    const cid = await result('Filecoin.EthGetMessageCidByTransactionHash', [hash]);
    const tipset = await result('Filecoin.ChainHead');
    const inTipset = await result('Filecoin.ChainGetMessagesInTipset', [tipset.Cids]);
    assert.equal(inTipset.length, 1);
    assert.deepEqual(inTipset[0].Cid, cid);
    assert.equal(inTipset[0].Message.To, TARGET);
    assert.equal(await result('Filecoin.ChainGetParentMessages', [tipset.Cids[0]]), null);
    await result('evm_mine');
    const child = await result('Filecoin.ChainHead');
    assert.deepEqual(await result('Filecoin.ChainGetParentMessages', [child.Cids[0]]), inTipset);
  });

  test('ChainHasObj and ChainStatObj over block headers and messages', async (t) => {
    const { result, error, send } = await setupRpc(t);
    const hash = await send({ nonce: 0 });
    const cid = await result('Filecoin.EthGetMessageCidByTransactionHash', [hash]);
    const head = await result('Filecoin.ChainHead');
    assert.equal(await result('Filecoin.ChainHasObj', [cid]), true);
    assert.equal(await result('Filecoin.ChainHasObj', [head.Cids[0]]), true);
    assert.equal(await result('Filecoin.ChainHasObj', [{ '/': 'bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4' }]), false);
    const raw = Buffer.from(await result('Filecoin.ChainReadObj', [cid]), 'base64');
    assert.deepEqual(await result('Filecoin.ChainStatObj', [cid, null]), { Size: raw.length, Links: 1 });
    // A header links to its parent's header, which the chain holds: both are counted, unless the base holds it.
    const header = Buffer.from(await result('Filecoin.ChainReadObj', [head.Cids[0]]), 'base64');
    const parent = await result('Filecoin.ChainGetTipSetByHeight', [0, null]);
    const parentHeader = Buffer.from(await result('Filecoin.ChainReadObj', [parent.Cids[0]]), 'base64');
    assert.deepEqual(await result('Filecoin.ChainStatObj', [head.Cids[0], null]), { Size: header.length + parentHeader.length, Links: 2 });
    assert.deepEqual(await result('Filecoin.ChainStatObj', [head.Cids[0], parent.Cids[0]]), { Size: header.length, Links: 1 });
    assert.match((await error('Filecoin.ChainStatObj', [{ '/': 'bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4' }, null])).message, /could not find/);
    const bad = await error('Filecoin.ChainHasObj', [{ '/': 'nope' }]);
    assert.equal(bad.code, -32602);
    assert.match(bad.message, /'cid'/);
  });
});

describe('ChainReadObj of state tables', () => {
  test("answers a block of its head's state it has not laid out for anyone yet, as Lotus's blockstore holds every one (H15)", async (t) => {
    // Two nodes of one configuration: what the first lays out for StateReadState, the second holds
    // too (a fork that learned a CID from one upstream and reads it from the other).
    const a = await setupRpc(t);
    const b = await setupRpc(t);
    const market = await a.result('Filecoin.StateReadState', ['f05', null]);
    const [minerId] = await a.result('Filecoin.StateListMiners', [null]);
    const miner = await a.result('Filecoin.StateReadState', [minerId, null]);
    const emptyHamt = { '/': 'bafy2bzaceamp42wmmgr2g2ymg46euououzfyck7szknvfacqscohrvaikwfay' };
    for (const cid of [emptyHamt, market.State.Proposals, market.State.States, miner.State.Deadlines, miner.State.AllocatedSectors]) {
      assert.equal(await b.result('Filecoin.ChainHasObj', [cid]), true, JSON.stringify(cid));
      assert.equal(await b.result('Filecoin.ChainReadObj', [cid]), await a.result('Filecoin.ChainReadObj', [cid]));
    }
    assert.equal(await b.result('Filecoin.ChainReadObj', [emptyHamt]), 'gkCA');
  });
});

describe('whole-state readers', () => {
  test('StateListActors names every actor by ID, the singletons first', async (t) => {
    const { result } = await setupRpc(t);
    const actors: string[] = await result('Filecoin.StateListActors', [null]);
    for (const id of ['t00', 't01', 't02', 't03', 't04', 't05', 't06', 't07', 't010', 't080', 't099', 't0100', 't0111']) assert.ok(actors.includes(id), id);
    assert.equal(new Set(actors).size, actors.length);
  });

  test('StateListMessages matches From and To as the messages name them, newest first, down to toHeight', async (t) => {
    const { result, error, send } = await setupRpc(t);
    const first = await result('Filecoin.MpoolPushMessage', [ownerTransfer(TARGET), null]);
    await send({ nonce: 0 });
    const second = await result('Filecoin.MpoolPushMessage', [ownerTransfer(TARGET), null]);
    assert.deepEqual(await result('Filecoin.StateListMessages', [{ From: OWNER }, null, 0]), [second.CID, first.CID]);
    const toTarget = await result('Filecoin.StateListMessages', [{ To: TARGET }, null, 0]);
    assert.equal(toTarget.length, 3);
    assert.deepEqual(await result('Filecoin.StateListMessages', [{ From: OWNER, To: TARGET }, null, 3]), [second.CID]);
    assert.equal((await result('Filecoin.StateListMessages', [{ From: DEV0 }, null, 0])).length, 1);
    // An address that names no actor has no messages.
    assert.equal(await result('Filecoin.StateListMessages', [{ To: 't0999999' }, null, 0]), null);
    assert.match((await error('Filecoin.StateListMessages', [{}, null, 0])).message, /must specify at least To or From in message filter/);
    const bad = await error('Filecoin.StateListMessages', [{ To: 'x' }, null, 0]);
    assert.equal(bad.code, -32602);
    assert.match(bad.message, /'match.To'/);
  });

  test('StateChangedActors between two headers\' state roots: the sender, the recipient, burnt funds, the reward actor', async (t) => {
    const { result, error } = await setupRpc(t);
    await result('Filecoin.MpoolPushMessage', [ownerTransfer(TARGET), null]);
    await result('evm_mine');
    const child = await result('Filecoin.ChainHead');
    const parent = await result('Filecoin.ChainGetTipSetByHeight', [1, null]);
    const changed = await result('Filecoin.StateChangedActors', [parent.Blocks[0].ParentStateRoot, child.Blocks[0].ParentStateRoot]);
    const owner = await result('Filecoin.StateLookupID', [OWNER, null]);
    const target = await result('Filecoin.StateLookupID', [TARGET, null]);
    for (const id of [owner, target, 't099']) assert.ok(changed[id], `${id} changed`);
    assert.equal(changed[target].Balance, FIL.toString());
    assert.deepEqual(changed[owner], await result('Filecoin.StateGetActor', [owner, null]));
    assert.equal(changed['t07'], undefined);
    assert.deepEqual(await result('Filecoin.StateChangedActors', [child.Blocks[0].ParentStateRoot, child.Blocks[0].ParentStateRoot]), {});
    assert.match((await error('Filecoin.StateChangedActors', [{ '/': 'bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4' }, child.Blocks[0].ParentStateRoot])).message, /failed to load old state tree/);
  });

  test('StateCirculatingSupply counts accounts, contracts and miners\' unlocked funds, not burnt fees', async (t) => {
    const { result } = await setupRpc(t);
    const minerFunds = async () => {
      let total = 0n;
      for (const m of (await result('Filecoin.StateListMiners', [null])) as string[]) total += BigInt(await result('Filecoin.StateMinerAvailableBalance', [m, null]));
      return total;
    };
    const before = BigInt(await result('Filecoin.StateCirculatingSupply', [null]));
    // Dev accounts, funded owners and node keys: (10 + 2 + 3) × 10 000 FIL, and the null address's 1 000 FIL;
    // each genesis miner what its worker sent for its 10 sectors (a deposit and a pledge each, 1 FIL less 15 693 250 560
    // attoFIL at builtin-actors' capped rate) less the pre-seal pledge locked (1 attoFIL a sector).
    const genesisMinerFunds = 2n * (20n * PLEDGE_32GIB - 10n);
    assert.equal(await minerFunds(), genesisMinerFunds);
    assert.equal(before, 15n * testConfig().balance + ETH_NULL_ADDRESS_BALANCE + genesisMinerFunds);
    const balance = async (id: string) => BigInt((await result('Filecoin.StateGetActor', [id, null])).Balance);
    const [burntBefore, rewardBefore] = [await balance('t099'), await balance('t02')];
    await result('Filecoin.MpoolPushMessage', [ownerTransfer(TARGET), null]);
    const burnt = (await balance('t099')) - burntBefore;
    assert.ok(burnt > 0n);
    // The sender paid the burnt fee and the tip (held by the reward actor until it pays it out);
    // a miner got the block reward, 5 FIL minted, of which three quarters are locked, vesting (builtin-actors apply_rewards).
    const rewardHeld = (await balance('t02')) - rewardBefore;
    const after = BigInt(await result('Filecoin.StateCirculatingSupply', [null]));
    let [locked, minersBalance] = [0n, 0n];
    for (const m of (await result('Filecoin.StateListMiners', [null])) as string[]) {
      locked += BigInt((await result('Filecoin.StateReadState', [m, null])).State.LockedFunds);
      minersBalance += await balance(m);
    }
    // Three quarters of the reward (5 FIL and the premiums it paid out), beside the creation deposit each
    // genesis miner has locked since genesis (never in the supply).
    const lockedRewards = locked - 2n * CREATE_MINER_DEPOSIT;
    assert.ok(lockedRewards >= (5n * FIL * 3n) / 4n);
    assert.equal(after, before - burnt - rewardHeld + 5n * FIL - lockedRewards);
    // What the genesis miners hold neither as locked funds nor as pledge is available.
    assert.equal(await minerFunds(), minersBalance - locked - 20n);
  });
});

interface Trace {
  Msg: { From: string; To: string; Method: number; Value: string; Params: string | null };
  MsgRct: { ExitCode: number };
  Subcalls: Trace[] | null;
}

/** An InvocResult with its Duration, which each run measures anew, set aside. */
const withoutDuration = (r: { Duration: number }) => ({ ...r, Duration: 0 });

/** The first epoch with scheduled cron work (the storage providers' deadlines) and the miners with work at it. */
function firstDeadlineWork(devnet: Devnet): { due: number; miners: string[] } {
  const state = devnet.stateAt(devnet.head.epoch);
  const due = nextCronEpoch(state)!;
  const [, entries] = CronQueue.of(state.getActor(CRON_ACTOR_ID)!.cron!.queue).list()[0];
  const miners = [...new Set(entries.map((entry) => entry.actor).filter((id) => id !== MARKET_ACTOR_ID))].map((id) => `t0${id}`);
  assert.ok(miners.length > 0);
  return { due, miners };
}

describe('StateReplay and StateCompute', () => {
  test('StateCompute\'s cron message holds the work that ran: a miner\'s deadline work as its OnDeferredCronEvent under the power actor\'s OnEpochTickEnd', async (t) => {
    const { result, devnet } = await setupRpc(t);
    // The first epoch with scheduled work (the storage providers' deadlines), mined up to.
    const { due, miners } = firstDeadlineWork(devnet);
    // Its tipset right after the one before it: no null rounds' crons listed first.
    await result('anvil_mine', [due - 1 - devnet.head.epoch]);
    await result('anvil_mine', [1]);
    const head = await result('Filecoin.ChainHead');
    assert.equal(head.Height, due);
    const [, cron] = (await result('Filecoin.StateCompute', [head.Height, [], head.Cids])).Trace;
    const [power, market] = cron.ExecutionTrace.Subcalls as Trace[];
    const sends = (trace: Trace) => [trace.Msg.From, trace.Msg.To, trace.Msg.Method, trace.MsgRct.ExitCode];
    // builtin-actors power on_epoch_tick_end: ThisEpochReward, each miner's OnDeferredCronEvent (12), UpdateNetworkKPI.
    assert.deepEqual(power.Subcalls!.map(sends), [['t04', 't02', 3, 0], ...miners.map((miner) => ['t04', miner, 12, 0]), ['t04', 't02', 4, 0]]);
    // Its params: [proving-deadline payload, the reward's smoothed estimate, the power's]; the payload builtin-actors' CronEventPayload [1].
    const [payload] = decodeCbor<[Uint8Array]>(Buffer.from(power.Subcalls![1].Msg.Params!, 'base64'));
    assert.deepEqual(decodeCbor(payload), [1]);
    assert.deepEqual(sends(market), ['t03', 't05', 9, 0]);
  });

  test('StateCompute lists the cron of each null round before the tipset first, as Lotus\'s ApplyBlocks runs them; past 2880 null rounds it refuses', async (t) => {
    const { result, error, devnet } = await setupRpc(t);
    // The first epoch with scheduled work (the storage providers' deadlines): inside the null rounds below.
    const { due, miners } = firstDeadlineWork(devnet);
    await result('anvil_mine', [due - 1000 - devnet.head.epoch]);
    const start = devnet.head.epoch;
    // Past 1000 epochs anvil_mine makes null rounds and one tipset: 1999 null rounds here.
    await result('anvil_mine', [2000]);
    const head = await result('Filecoin.ChainHead');
    assert.equal(head.Height, start + 2000);
    assert.ok(due > start && due < head.Height);
    const { Trace } = await result('Filecoin.StateCompute', [head.Height, [], head.Cids]);
    assert.equal(Trace.length, 1999 + 2);
    const nulls = Trace.slice(0, 1999);
    // One EpochTick (t00 → t03, method 2) per null epoch, in order, its epoch as nonce; then the tipset's reward and cron.
    assert.deepEqual(nulls.map((r: Trace & { Msg: { Nonce: number } }) => [r.Msg.From, r.Msg.To, r.Msg.Method, r.Msg.Nonce]), Array.from({ length: 1999 }, (_, i) => ['t00', 't03', 2, start + 1 + i]));
    assert.deepEqual(Trace.slice(1999).map((r: Trace & { Msg: { Nonce: number } }) => [r.Msg.To, r.Msg.Method, r.Msg.Nonce]), [['t02', 2, head.Height], ['t03', 2, head.Height]]);
    for (const r of nulls) assert.deepEqual([r.MsgRct.ExitCode, r.Error], [0, '']);
    // The null epoch with the providers' deadline work holds it: each miner's OnDeferredCronEvent under OnEpochTickEnd.
    const sends = (trace: Trace) => [trace.Msg.From, trace.Msg.To, trace.Msg.Method, trace.MsgRct.ExitCode];
    const [power] = nulls[due - start - 1].ExecutionTrace.Subcalls as Trace[];
    assert.deepEqual(power.Subcalls!.map(sends), [['t04', 't02', 3, 0], ...miners.map((miner) => ['t04', miner, 12, 0]), ['t04', 't02', 4, 0]]);
    // The epoch before it had none.
    assert.deepEqual((nulls[due - start - 2].ExecutionTrace.Subcalls as Trace[])[0].Subcalls!.map(sends), [['t04', 't02', 3, 0], ['t04', 't02', 4, 0]]);
    // Up to 2880 null rounds are listed; past them the trace is refused, naming the bound and the count, never cut.
    await result('anvil_mine', [2881]);
    const atBound = await result('Filecoin.ChainHead');
    const listed: (Trace & { Msg: { Nonce: number } })[] = (await result('Filecoin.StateCompute', [atBound.Height, [], atBound.Cids])).Trace;
    // The 2880 null rounds' EpochTicks, then the tipset's own cron (after its block reward, if a provider still won one: they
    // proved nothing in those null rounds).
    assert.deepEqual(listed.slice(0, 2880).map((r) => r.Msg.To), Array(2880).fill('t03'));
    assert.deepEqual(listed.filter((r) => r.Msg.To === 't03').map((r) => r.Msg.Nonce), Array.from({ length: 2880 + 1 }, (_, i) => head.Height + 1 + i));
    await result('anvil_mine', [2882]);
    const past = await result('Filecoin.ChainHead');
    assert.deepEqual(await error('Filecoin.StateCompute', [past.Height, [], past.Cids]), {
      code: 1,
      message: `the tipset at epoch ${past.Height} follows 2881 null rounds: its execution trace would list one cron message per null round, and this node lists at most 2880`,
    });
  });

  test('StateCompute after a trillion null rounds is refused at once, without listing their epochs (review R44)', async (t) => {
    const { result, error } = await setupRpc(t, { storageProviders: 0 });
    await result('anvil_mine', ['0xe8d4a51001']);
    const head = await result('Filecoin.ChainHead');
    assert.deepEqual(await error('Filecoin.StateCompute', [head.Height, [], head.Cids]), {
      code: 1,
      message: `the tipset at epoch ${head.Height} follows 1000000000000 null rounds: its execution trace would list one cron message per null round, and this node lists at most 2880`,
    });
    // The node still answers.
    assert.equal((await result('Filecoin.ChainHead')).Height, head.Height);
  });

  test('StateReplay re-runs a mined message, found by CID or in its tipset', async (t) => {
    const { result, error, send } = await setupRpc(t);
    const hash = await send({ nonce: 0 });
    const cid = await result('Filecoin.EthGetMessageCidByTransactionHash', [hash]);
    const lookup = await result('Filecoin.StateSearchMsg', [null, cid, -1, true]);
    const replay = await result('Filecoin.StateReplay', [null, cid]);
    assert.deepEqual(replay.MsgCid, cid);
    assert.deepEqual(replay.MsgRct, lookup.Receipt);
    assert.equal(replay.Msg.From, DEV0);
    assert.equal(replay.Error, '');
    // The trace names the sender by its ID, as the FVM's does (filecoin-ffi build_lotus_trace).
    assert.equal(replay.ExecutionTrace.Msg.From, await result('Filecoin.StateLookupID', [DEV0, null]));
    assert.equal(replay.ExecutionTrace.MsgRct.ExitCode, 0);
    assert.equal(BigInt(replay.GasCost.TotalCost) > 0n, true);
    // Duration: how long this run of the message took, in nanoseconds (a Go time.Duration), as Lotus times it.
    assert.ok(Number.isSafeInteger(replay.Duration) && replay.Duration > 0);
    assert.deepEqual(withoutDuration(await result('Filecoin.StateReplay', [lookup.TipSet, cid])), withoutDuration(replay));
    const genesis = await result('Filecoin.ChainGetGenesis');
    assert.match((await error('Filecoin.StateReplay', [genesis.Cids, cid])).message, /given message not found in tipset/);
    // An unknown CID fails Lotus's search at loading the message (review R1a).
    const unknown = 'bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4';
    assert.equal((await error('Filecoin.StateReplay', [null, { '/': unknown }])).message, `searching for msg ${unknown}: failed to load message: ipld: could not find ${unknown}`);
  });

  test('StateCompute applies messages in order on a tipset\'s state and keeps nothing', async (t) => {
    const { result, error, send } = await setupRpc(t);
    // The head tipset has a message of its own.
    const mined = await result('Filecoin.EthGetMessageCidByTransactionHash', [await send({ nonce: 0 })]);
    const nonce = await result('Filecoin.MpoolGetNonce', [OWNER]);
    const msg = (n: number) => ({ Version: 0, From: OWNER, To: TARGET, Nonce: n, Value: FIL.toString(), GasLimit: 10_000_000, GasFeeCap: '1000000000', GasPremium: '100000', Method: 0, Params: null });
    const head = await result('Filecoin.ChainHead');
    const targetBalance = await result('Filecoin.WalletBalance', [TARGET]);
    assert.deepEqual(await result('Filecoin.ChainGetMessagesInTipset', [head.Cids]).then((ms) => ms.map((m: { Cid: unknown }) => m.Cid)), [mined]);
    const out = await result('Filecoin.StateCompute', [head.Height, [msg(nonce), msg(nonce + 1), msg(nonce + 5)], head.Cids]);
    // Lotus's ComputeState: the tipset's own execution trace first (its message replayed), then the given messages'.
    assert.deepEqual(withoutDuration(out.Trace[0]), withoutDuration(await result('Filecoin.StateReplay', [head.Cids, mined])));
    for (const r of out.Trace) assert.ok(Number.isSafeInteger(r.Duration) && r.Duration > 0);
    // Then its implicit messages, as Lotus's ApplyBlocks applies them: the block reward, then cron.
    const [reward, cron] = out.Trace.slice(1, 3);
    const implicit = (to: string, params: string | null) => ({ Version: 0, To: to, From: 't00', Nonce: head.Height, Value: '0', GasLimit: 2 ** 62, GasFeeCap: '0', GasPremium: '0', Method: 2, Params: params });
    assert.deepEqual(reward.Msg, { ...implicit('t02', reward.Msg.Params), CID: reward.MsgCid });
    assert.deepEqual(cron.Msg, { ...implicit('t03', null), CID: cron.MsgCid });
    // Their CIDs are the messages' with Lotus's gas limit, 2^62 - 1, which a JSON number cannot hold exactly.
    const cidOfImplicit = (to: number, params: Uint8Array) =>
      cidOf(encodeCbor([0, FilAddress.fromId(to).bytes, FilAddress.fromId(0).bytes, head.Height, new Uint8Array(), 2n ** 62n - 1n, new Uint8Array(), new Uint8Array(), 2, params])).toString();
    assert.equal(reward.MsgCid['/'], cidOfImplicit(2, Buffer.from(reward.Msg.Params, 'base64')));
    assert.equal(cron.MsgCid['/'], cidOfImplicit(3, new Uint8Array()));
    // AwardBlockReward's params: [miner, penalty, gas reward, win count]; paid to the miner by its ApplyRewards (14), with the reward as value,
    // which tells the power actor the funds it locked (UpdatePledgeTotal, 6: builtin-actors notify_pledge_changed).
    const [miner, , , wins] = decodeCbor<[Uint8Array, Uint8Array, Uint8Array, number]>(Buffer.from(reward.Msg.Params, 'base64'));
    const minerId = FilAddress.fromBytes(miner).toString();
    assert.equal(wins, 1);
    const zero = { Message: null, GasUsed: '0', BaseFeeBurn: '0', OverEstimationBurn: '0', MinerPenalty: '0', MinerTip: '0', Refund: '0', TotalCost: '0' };
    for (const run of [reward, cron]) {
      assert.deepEqual([run.MsgRct.ExitCode, run.MsgRct.Return, run.Error, run.GasCost], [0, null, '', zero]);
      // The FVM's implicit sends have all the gas its tracker holds: i64::MAX milligas, in gas.
      assert.equal(run.ExecutionTrace.Msg.GasLimit, 9_223_372_036_854_776);
    }
    const shape = (trace: Trace): unknown => [trace.Msg.From, trace.Msg.To, trace.Msg.Method, trace.MsgRct.ExitCode, (trace.Subcalls ?? []).map(shape)];
    assert.deepEqual(shape(reward.ExecutionTrace), ['t00', 't02', 2, 0, [['t02', minerId, 14, 0, [[minerId, 't04', 6, 0, []]]]]]);
    assert.ok(BigInt(reward.ExecutionTrace.Subcalls[0].Msg.Value) > 0n);
    // EpochTick: the power actor's OnEpochTickEnd (ThisEpochReward, then UpdateNetworkKPI), then the market's CronTick.
    assert.deepEqual(shape(cron.ExecutionTrace), ['t00', 't03', 2, 0, [['t03', 't04', 4, 0, [['t04', 't02', 3, 0, []], ['t04', 't02', 4, 0, []]]], ['t03', 't05', 9, 0, []]]]);
    assert.deepEqual(out.Trace.slice(3).map((r: { MsgRct: { ExitCode: number } }) => r.MsgRct.ExitCode), [0, 0, 2]);
    // The genesis tipset runs nothing, not even the implicit messages (Lotus's ExecuteTipSet at height 0).
    const genesis = await result('Filecoin.ChainGetGenesis');
    assert.deepEqual((await result('Filecoin.StateCompute', [0, [], genesis.Cids])).Trace, []);
    assert.match(out.Trace[5].Error, /exit SysErrSenderStateInvalid|exit 2/);
    // Refused before it ran: Lotus's empty trace.
    assert.deepEqual(out.Trace[5].ExecutionTrace.Msg.From, '<empty>');
    assert.ok(out.Root['/']);
    // Nothing was kept.
    assert.equal(await result('Filecoin.MpoolGetNonce', [OWNER]), nonce);
    assert.equal(await result('Filecoin.WalletBalance', [TARGET]), targetBalance);
    const bad = await error('Filecoin.StateCompute', [head.Height, [{ ...msg(0), Value: 'lots' }], null]);
    assert.equal(bad.code, -32602);
    assert.match(bad.message, /'messages\[0\]\.Value'/);
  });
});
