// Glif's Lotus RPC client (@glif/filecoin-rpc-client, unmodified) against the devnet CLI: the chain and
// state readers a Filecoin explorer or indexer calls, over /rpc/v1, with Lotus's shapes and errors.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { FilAddress } from '../../src/common/address.js';
import { decodeCbor, encodeCbor } from '../../src/common/cbor.js';
import { deriveStorageProviderKeys } from '../../src/devnet/storage-providers/keys.js';
import { DEV_MNEMONIC } from '../helpers/devnet-process.js';
import { glifClient, type LotusClient } from '../helpers/glif.js';
import { useDevnet } from '../helpers/use-devnet.js';

const [provider] = deriveStorageProviderKeys(DEV_MNEMONIC, 1);
const OWNER = provider.address.toString();
const MINER = 't0111';

describe('chain and state readers with Glif\'s Lotus client', () => {
  const node = useDevnet();
  let lotus: LotusClient;

  before(() => {
    lotus = glifClient(node.url);
  });

  test('a message from the provider\'s owner, followed through the chain readers and replayed', async () => {
    const genesis = await lotus.request('ChainGetGenesis');
    assert.equal(genesis.Height, 0);
    const signed = await lotus.request('MpoolPushMessage', { From: OWNER, To: 't0100', Value: '1000', Method: 0 }, null);
    const lookup = await lotus.request('StateSearchMsg', null, signed.CID, -1, true);
    const tipset = await lotus.request('ChainGetTipSet', lookup.TipSet);
    const inTipset = await lotus.request('ChainGetMessagesInTipset', lookup.TipSet);
    assert.deepEqual(inTipset.map((m: { Cid: unknown }) => m.Cid), [signed.CID]);
    const path = await lotus.request('ChainGetPath', genesis.Cids, lookup.TipSet);
    assert.deepEqual(path.at(-1), { Type: 'apply', Val: tipset });
    assert.deepEqual(await lotus.request('StateListMessages', { From: OWNER }, null, 0), [signed.CID]);
    assert.equal(await lotus.request('ChainHasObj', signed.CID), true);
    const replay = await lotus.request('StateReplay', null, signed.CID);
    assert.deepEqual(replay.MsgRct, lookup.Receipt);
    // StateCompute's trace starts with the tipset's execution trace: its message, then the implicit
    // block reward (AwardBlockReward, f00 -> f02, paid to the winning miner by ApplyRewards) and cron
    // (EpochTick, f00 -> f03: the power actor's OnEpochTickEnd, with each miner's deadline work as its
    // OnDeferredCronEvent, and the market's CronTick), each with the epoch as its nonce.
    const computed = await lotus.request('StateCompute', tipset.Height, null, lookup.TipSet);
    const [mined, reward, cron] = computed.Trace;
    assert.deepEqual(mined.MsgCid, signed.CID);
    const sends = (trace: { Msg: { From: string; To: string; Method: number } }) => [trace.Msg.From, trace.Msg.To, trace.Msg.Method];
    assert.deepEqual([sends(reward), reward.Msg.Nonce, reward.MsgRct.ExitCode], [['t00', 't02', 2], tipset.Height, 0]);
    // AwardBlockReward's params: [miner, penalty, gas reward, win count].
    const [winner] = decodeCbor<[Uint8Array]>(Buffer.from(reward.Msg.Params, 'base64'));
    assert.deepEqual(reward.ExecutionTrace.Subcalls.map(sends), [['t02', FilAddress.fromBytes(winner).toString(), 14]]);
    assert.deepEqual([sends(cron), cron.Msg.Nonce, cron.MsgRct.ExitCode], [['t00', 't03', 2], tipset.Height, 0]);
    assert.deepEqual(cron.ExecutionTrace.Subcalls.map(sends), [['t03', 't04', 4], ['t03', 't05', 9]]);
    assert.deepEqual(cron.ExecutionTrace.Subcalls[0].Subcalls.map(sends).at(0), ['t04', 't02', 3]);
    assert.equal(computed.Trace.length, 3);
    const actors: string[] = await lotus.request('StateListActors', null);
    assert.ok(actors.includes(MINER) && actors.includes('t099'));
    assert.ok(BigInt(await lotus.request('StateCirculatingSupply', null)) > 0n);
  });

  test('builtin actor events: a receipt\'s EventsRoot, ChainGetEvents and GetActorEventsRaw agree', async () => {
    const client = await lotus.request('WalletDefaultAddress');
    // A cheat code, outside Glif's Filecoin namespace: the registry's verifier grants DataCap.
    const res = await fetch(node.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'devnet_addVerifiedClient', params: [client, '1048576'] }) });
    const granted = ((await res.json()) as { result: { cid: unknown } }).result;
    const lookup = await lotus.request('StateWaitMsg', granted.cid, 1, -1, true);
    const [event] = await lotus.request('ChainGetEvents', lookup.Receipt.EventsRoot);
    assert.equal(event.Emitter, 6);
    const raw = await lotus.request('GetActorEventsRaw', { addresses: ['t06'], fromHeight: lookup.Height, toHeight: lookup.Height });
    assert.equal(raw.length, 1);
    assert.deepEqual(raw[0].entries, event.Entries);
    assert.deepEqual(raw[0].msgCid, granted.cid);
  });

  test('execution traces as Lotus gives them: a market AddBalance from an f1 account, a replayed receipt\'s events, StateCall, a failed send', async () => {
    const owner = await lotus.request('StateLookupID', OWNER, null);
    const marketBefore = await lotus.request('StateGetActor', 't05', null);
    const params = Buffer.from(encodeCbor(FilAddress.parse(OWNER).bytes)).toString('base64');
    const signed = await lotus.request('MpoolPushMessage', { From: OWNER, To: 't05', Value: '1000', Method: 2, Params: params }, null);
    const lookup = await lotus.request('StateWaitMsg', signed.CID, 1, -1, true);
    const replay = await lotus.request('StateReplay', null, signed.CID);
    assert.deepEqual([replay.MsgCid, replay.Msg, replay.MsgRct, replay.Error], [signed.CID, signed.Message, lookup.Receipt, '']);
    // types.ExecutionTrace: From is the sender's ID (ref-fvm's Call event names an ActorID); the
    // market as it was invoked, before the 1000 attoFIL moved; no sends under AddBalance for an account.
    // Its GasLimit is what is left of the message's once its inclusion is charged (ref-fvm call_actor's Call event).
    const { GasLimit } = replay.ExecutionTrace.Msg;
    assert.ok(GasLimit > 0 && GasLimit < signed.Message.GasLimit);
    assert.deepEqual(replay.ExecutionTrace, {
      Msg: { From: owner, To: 't05', Value: '1000', Method: 2, Params: params, ParamsCodec: 0x51, GasLimit, ReadOnly: false },
      MsgRct: { ExitCode: 0, Return: null, ReturnCodec: 0 },
      InvokedActor: { Id: 5, State: marketBefore },
      GasCharges: null,
      Subcalls: null,
    });
    // How long the replay's run took, in nanoseconds (Lotus's time.Duration of the VM's apply).
    assert.ok(Number.isSafeInteger(replay.Duration) && replay.Duration > 0);
    const cost = replay.GasCost;
    assert.equal(BigInt(cost.TotalCost), BigInt(signed.Message.GasFeeCap) * BigInt(signed.Message.GasLimit) - BigInt(cost.Refund));

    // A replayed receipt names its events as the mined one does.
    const client = await lotus.request('WalletDefaultAddress');
    const res = await fetch(node.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'devnet_addVerifiedClient', params: [client, '1048576'] }) });
    const granted = ((await res.json()) as { result: { cid: unknown } }).result;
    const grant = await lotus.request('StateWaitMsg', granted.cid, 1, -1, true);
    assert.ok(grant.Receipt.EventsRoot);
    assert.deepEqual((await lotus.request('StateReplay', null, granted.cid)).MsgRct, grant.Receipt);

    // StateCall traces as StateReplay does (Lotus's callInternal runs with tracing): a send to the owner's
    // own account, invoked; and one to an ID with no actor, which invokes nothing (InvokedActor left out).
    const ownerNow = await lotus.request('StateGetActor', owner, null);
    const call = await lotus.request('StateCall', { From: OWNER, To: owner, Value: '0', Method: 0 }, null);
    assert.ok(Number.isSafeInteger(call.Duration) && call.Duration > 0);
    assert.deepEqual(call.ExecutionTrace, {
      Msg: { From: owner, To: owner, Value: '0', Method: 0, Params: null, ParamsCodec: 0, GasLimit: call.Msg.GasLimit, ReadOnly: false },
      MsgRct: { ExitCode: 0, Return: null, ReturnCodec: 0 },
      // The sender's nonce has moved by the time the message invokes it.
      InvokedActor: { Id: Number(owner.slice(2)), State: { ...ownerNow, Nonce: ownerNow.Nonce + 1 } },
      GasCharges: null,
      Subcalls: null,
    });
    const failed = await lotus.request('StateCall', { From: OWNER, To: 't0999999', Value: '0', Method: 0 }, null);
    assert.equal(failed.MsgRct.ExitCode, 5);
    assert.deepEqual(failed.ExecutionTrace, {
      Msg: { From: owner, To: 't0999999', Value: '0', Method: 0, Params: null, ParamsCodec: 0, GasLimit: failed.Msg.GasLimit, ReadOnly: false },
      MsgRct: { ExitCode: 5, Return: null, ReturnCodec: 0 },
      GasCharges: null,
      Subcalls: null,
    });
  });

  test('a miner\'s sectors by deadline and partition; params encoded and decoded as Lotus does', async () => {
    assert.deepEqual(await lotus.request('StateMinerSectorCount', MINER, null), { Live: 10, Active: 10, Faulty: 0 });
    const partitions = await lotus.request('StateMinerPartitions', MINER, 0, null);
    assert.deepEqual(partitions[0].LiveSectors, [0, 1]);
    const actor = await lotus.request('StateGetActor', 't05', null);
    const params = await lotus.request('StateEncodeParams', actor.Code, 3, { ProviderOrClientAddress: 't0100', Amount: '5' });
    assert.deepEqual(await lotus.request('StateDecodeParams', 't05', 3, params, null), { ProviderOrClientAddress: 't0100', Amount: '5' });
    await assert.rejects(lotus.request('StateMinerPartitions', MINER, 48, null), /invalid argument 'deadlineIndex'/);
    await assert.rejects(lotus.request('StateSectorExpiration', MINER, 99, null), /failed to find sector 99/);
  });

  test('StateCompute after null rounds: one EpochTick per null epoch first, as Lotus; past 2880 of them a clear error', async () => {
    // A cheat code, outside Glif's Filecoin namespace: past 1000 epochs anvil_mine makes null rounds and one tipset.
    const mine = (epochs: number) => fetch(node.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'anvil_mine', params: [epochs] }) });
    const before = await lotus.request('ChainHead');
    await mine(1500);
    const head = await lotus.request('ChainHead');
    assert.equal(head.Height, before.Height + 1500);
    const { Trace } = await lotus.request('StateCompute', head.Height, null, head.Cids);
    const ticks = Trace.slice(0, 1499);
    assert.deepEqual(ticks.map((r: { Msg: { From: string; To: string; Method: number; Nonce: number } }) => [r.Msg.From, r.Msg.To, r.Msg.Method, r.Msg.Nonce]), Array.from({ length: 1499 }, (_, i) => ['t00', 't03', 2, before.Height + 1 + i]));
    assert.deepEqual(Trace.at(-1).Msg.Nonce, head.Height);
    await mine(2882);
    const past = await lotus.request('ChainHead');
    await assert.rejects(lotus.request('StateCompute', past.Height, null, past.Cids), new RegExp(`the tipset at epoch ${past.Height} follows 2881 null rounds: its execution trace would list one cron message per null round, and this node lists at most 2880`));
  });
});
