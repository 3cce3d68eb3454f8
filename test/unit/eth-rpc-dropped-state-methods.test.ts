// The Filecoin.* methods that read the state at a tipset key answer a tipset an evm_revert dropped
// exactly as they did while it was on the chain (Lotus's GetTipSetFromKey loads any tipset of its
// blockstore and reads its state), whatever the chain mined over its epochs since: the miner, market,
// verifreg and supply readers over a verified deal published, its sector sealed and its claim made in
// the dropped tipsets; GetActorEventsRaw by a dropped key answers its events reverted.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FilAddress } from '../../src/common/address.js';
import { decodeCbor } from '../../src/common/cbor.js';
import { DEFAULT_MNEMONIC } from '../../src/config.js';
import { deriveNodeKeys } from '../../src/devnet/node-keys.js';
import { getCreateAddress } from 'ethers';
import { CALL, devWallet } from '../helpers/dev-wallet.js';
import { LOG_EMITTER_INITCODE, word } from '../helpers/log-emitter.js';
import { startDevnet, testConfig } from '../../src/index.js';
import { setupRpc, setupWebSocketRpc } from '../helpers/rpc-harness.js';
import { upstreamProxy } from '../helpers/upstream-proxy.js';
import { randomVerifiedPiece } from '../helpers/verified-piece.js';

const MINER = 't0111';
const CLIENT = deriveNodeKeys(DEFAULT_MNEMONIC).dealClient.address.toString();
const VERIFIER = deriveNodeKeys(DEFAULT_MNEMONIC).verifier.address.toString();
const FIL = 10n ** 18n;
/** Where PAYS_TIMESTAMP's contract pays. */
const PAYEE = '0x' + '11'.repeat(20);
/**
 * Deploys a contract that pays block.timestamp attoFIL to PAYEE on each call (CALL with value
 * TIMESTAMP), so that a state that depends on the time shows in StateChangedActors (a contract's
 * Head stands for its storage by generation, not by its values).
 */
const PAYS_TIMESTAMP_INITCODE = `0x6022600c60003960226000f360006000600060004273${PAYEE.slice(2)}5af15000`;

type Call = (method: string, params?: unknown[]) => Promise<{ result?: unknown; error?: { message: string } }>;

/** Every keyed reader's answer at `key` (an error's too: a dropped key must not turn an answer into one). */
async function reads(call: Call, key: unknown, { dealId, sector, deadline }: { dealId: number; sector: number; deadline: number }) {
  const at = async (method: string, params: unknown[]) => {
    const { result, error } = await call(method, [...params, key]);
    return error === undefined ? { result } : { error };
  };
  return {
    miners: await at('Filecoin.StateListMiners', []),
    info: await at('Filecoin.StateMinerInfo', [MINER]),
    power: await at('Filecoin.StateMinerPower', [MINER]),
    available: await at('Filecoin.StateMinerAvailableBalance', [MINER]),
    sectors: await at('Filecoin.StateMinerSectors', [MINER, null]),
    active: await at('Filecoin.StateMinerActiveSectors', [MINER]),
    sector: await at('Filecoin.StateSectorGetInfo', [MINER, sector]),
    allocatedOne: await at('Filecoin.StateMinerSectorAllocated', [MINER, sector]),
    allocated: await at('Filecoin.StateMinerAllocated', [MINER]),
    partition: await at('Filecoin.StateSectorPartition', [MINER, sector]),
    faults: await at('Filecoin.StateMinerFaults', [MINER]),
    allFaults: await at('Filecoin.StateAllMinerFaults', [100]),
    provingDeadline: await at('Filecoin.StateMinerProvingDeadline', [MINER]),
    deadlines: await at('Filecoin.StateMinerDeadlines', [MINER]),
    partitions: await at('Filecoin.StateMinerPartitions', [MINER, deadline]),
    sectorCount: await at('Filecoin.StateMinerSectorCount', [MINER]),
    recoveries: await at('Filecoin.StateMinerRecoveries', [MINER]),
    creationDeposit: await at('Filecoin.StateMinerCreationDeposit', []),
    precommit: await at('Filecoin.StateSectorPreCommitInfo', [MINER, sector]),
    expiration: await at('Filecoin.StateSectorExpiration', [MINER, sector]),
    deal: await at('Filecoin.StateMarketStorageDeal', [dealId]),
    deals: await at('Filecoin.StateMarketDeals', []),
    balance: await at('Filecoin.StateMarketBalance', [CLIENT]),
    participants: await at('Filecoin.StateMarketParticipants', []),
    collateral: await at('Filecoin.StateDealProviderCollateralBounds', [1024, true]),
    clientStatus: await at('Filecoin.StateVerifiedClientStatus', [CLIENT]),
    rootKey: await at('Filecoin.StateVerifiedRegistryRootKey', []),
    allocations: await at('Filecoin.StateGetAllocations', [CLIENT]),
    allAllocations: await at('Filecoin.StateGetAllAllocations', []),
    claims: await at('Filecoin.StateGetClaims', [MINER]),
    allClaims: await at('Filecoin.StateGetAllClaims', []),
    claim: await at('Filecoin.StateGetClaim', [MINER, 1]),
    pendingAllocation: await at('Filecoin.StateGetAllocationIdForPendingDeal', [dealId]),
    actors: await at('Filecoin.StateListActors', []),
    supply: await at('Filecoin.StateCirculatingSupply', []),
    vmSupply: await at('Filecoin.StateVMCirculatingSupplyInternal', []),
    weight: await at('Filecoin.ChainTipSetWeight', []),
    // Back from the key through its own parents (the dropped ones, then the chain's).
    messages: (await call('Filecoin.StateListMessages', [{ To: 't05' }, key, 0])).result ?? null,
  };
}

describe('Filecoin state methods at a dropped tipset\'s key', () => {
  test('answer what they answered while it was on the chain: a verified deal published, its sector sealed and claimed, rewards paid in the dropped tipsets', async (t) => {
    const { result, call, devnet } = await setupRpc(t, { sealDelay: 2 });
    const snapshot = await result('evm_snapshot');
    const from = devnet.head.epoch + 1;
    const piece = randomVerifiedPiece();
    await result('devnet_addVerifiedClient', [CLIENT, String(piece.size)]);
    const { dealId } = await result('devnet_proposeDeal', [{ pieceCid: piece.cid.toString(), pieceSize: piece.size, provider: MINER, verifiedDeal: true }]);
    for (let i = 0; i < 4; i++) {
      await result('evm_mine');
      await devnet.storageProviders.settled();
    }
    const { State } = await result('Filecoin.StateMarketStorageDeal', [dealId, null]);
    assert.ok(State.SectorStartEpoch > 0, 'sealed in the tipsets to drop');
    const sector = State.SectorNumber;
    const { Deadline: deadline } = await result('Filecoin.StateSectorPartition', [MINER, sector, null]);
    const head = await result('Filecoin.ChainHead');
    const keys = await Promise.all(Array.from({ length: head.Height - from + 1 }, async (_, i) => (await result('Filecoin.ChainGetTipSetByHeight', [from + i, null])).Cids));
    const ids = { dealId, sector, deadline };
    // At each dropped tipset: the deal published, then pending activation, its sector sealed, claimed.
    const before = await Promise.all(keys.map((key) => reads(call, key, ids)));
    const last = before[before.length - 1];
    assert.ok(last.sector.result && last.claim.result && last.messages);
    assert.equal(Object.keys(last.deals.result as object).length, 1);
    assert.notEqual((last.power.result as any).MinerPower.RawBytePower, '0');
    assert.ok(before.some((at) => (at.pendingAllocation.result as number) > 0), 'a pending allocation in one of them');
    const events = await Promise.all(keys.map((key) => result('Filecoin.GetActorEventsRaw', [{ tipsetKey: key }])));
    assert.ok(events.flat().filter(Boolean).length >= 4, 'the deal\'s and sector\'s events');
    assert.ok(events.flat().every((e) => e === null || e.reverted === false));

    assert.equal(await result('evm_revert', [snapshot]), true);
    // The chain mines over the same epochs with none of it.
    await result('anvil_mine', ['0x' + (head.Height - from + 2).toString(16)]);
    await devnet.storageProviders.settled();
    const now = await result('Filecoin.ChainGetTipSetByHeight', [head.Height, null]);
    assert.notDeepEqual(now.Cids, head.Cids);
    const live = await reads(call, now.Cids, ids);
    assert.deepEqual(live.deals.result, {});
    assert.equal(live.sector.result, null);

    assert.deepEqual(await Promise.all(keys.map((key) => reads(call, key, ids))), before);
    // Lotus's index answers a tipset key's events, reverted ones too (reverted: true).
    const reverted = events.map((list) => list && list.map((e: object) => ({ ...e, reverted: true })));
    assert.deepEqual(await Promise.all(keys.map((key) => result('Filecoin.GetActorEventsRaw', [{ tipsetKey: key }]))), reverted);
  });

  test('the multisig readers and StateDecodeParams answer a wallet created, with a proposal pending, in the dropped tipsets', async (t) => {
    const { result, call } = await setupRpc(t);
    const genesis = (await result('Filecoin.ChainGetGenesis')).Cids;
    const signer = await result('Filecoin.WalletNew', ['secp256k1']);
    await result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: signer, Value: (1000n * FIL).toString(), Method: 0 }, null]);
    const snapshot = await result('evm_snapshot');
    const push = async (prototype: { Message: unknown }) => {
      const signed = await result('Filecoin.MpoolPushMessage', [prototype.Message, null]);
      return (await result('Filecoin.StateSearchMsg', [null, signed.CID, -1, true])).Receipt;
    };
    const created = await push(await result('Filecoin.MsigCreate', [2, [signer, CLIENT], 100, (300n * FIL).toString(), signer, '0']));
    const msig = FilAddress.fromBytes((decodeCbor(Buffer.from(created.Return, 'base64')) as Uint8Array[])[0]).toString('t');
    const proposal = await result('Filecoin.MsigPropose', [msig, CLIENT, (5n * FIL).toString(), signer, 0, null]);
    await push(proposal);
    await result('evm_mine');
    const key = (await result('Filecoin.ChainHead')).Cids;
    const at = async (method: string, params: unknown[]) => (await call(method, params)).result;
    const reads = async () => ({
      available: await at('Filecoin.MsigGetAvailableBalance', [msig, key]),
      schedule: await at('Filecoin.MsigGetVestingSchedule', [msig, key]),
      vested: await at('Filecoin.MsigGetVested', [msig, genesis, key]),
      pending: await at('Filecoin.MsigGetPending', [msig, key]),
      params: await at('Filecoin.StateDecodeParams', [msig, 2, proposal.Message.Params, key]),
    });
    const before = await reads();
    assert.equal((before.pending as unknown[]).length, 1);
    assert.ok(before.available && before.schedule && before.vested && before.params);

    assert.equal(await result('evm_revert', [snapshot]), true);
    await result('anvil_mine', ['0x4']);
    assert.match((await call('Filecoin.MsigGetPending', [msig, null])).error!.message, /actor not found/);
    assert.deepEqual(await reads(), before);
  });

  test('randomness at a dropped key is drawn from its own branch, never the chain\'s tickets at its epochs; the future is refused as before', async (t) => {
    const { result, call } = await setupRpc(t);
    const snapshot = await result('evm_snapshot');
    const from = (await result('Filecoin.ChainHead')).Height;
    await result('anvil_mine', ['0x5']);
    const key = (await result('Filecoin.ChainHead')).Cids;
    const entropy = Buffer.from('dropped').toString('base64');
    const draws = async () =>
      Promise.all(
        [from + 1, from + 3, from + 5, from + 6].flatMap((at) => [
          call('Filecoin.StateGetRandomnessFromTickets', [2, at, entropy, key]),
          call('Filecoin.StateGetRandomnessDigestFromTickets', [at, key]),
          call('Filecoin.StateGetRandomnessFromBeacon', [2, at, entropy, key]),
          call('Filecoin.StateGetRandomnessDigestFromBeacon', [at, key]),
        ]),
      );
    const before = (await draws()).map(({ result, error }) => ({ result, error }));
    assert.ok(before.slice(0, 12).every((d) => typeof d.result === 'string'));
    assert.ok(before.slice(12).every((d) => (d.error as { message: string }).message.includes('cannot draw randomness from the future')));
    assert.equal(await result('evm_revert', [snapshot]), true);
    // The chain mined over its epochs after a cheat edit, which its first tipset's ticket names: its tickets differ there.
    await result('anvil_setBalance', ['0x' + '11'.repeat(20), '0x1111']);
    await result('anvil_mine', ['0x6']);
    const onChain = await result('Filecoin.StateGetRandomnessFromTickets', [2, from + 1, entropy, null]);
    assert.notEqual(onChain, before[0].result);
    assert.deepEqual((await draws()).map(({ result, error }) => ({ result, error })), before);
  });

  test('MpoolPending and GasEstimateGasLimit load their key, as Lotus: a dropped one answers, an unknown one is refused', async (t) => {
    const { result, error } = await setupRpc(t);
    const snapshot = await result('evm_snapshot');
    await result('evm_mine');
    const { Cids: key, Blocks: [block] } = await result('Filecoin.ChainHead');
    assert.equal(await result('evm_revert', [snapshot]), true);
    const transfer = { From: CLIENT, To: 't0100', Value: '1', Method: 0 };
    const gas = await result('Filecoin.GasEstimateGasLimit', [transfer, null]);
    assert.deepEqual(await result('Filecoin.MpoolPending', [key]), []);
    assert.equal(await result('Filecoin.GasEstimateGasLimit', [transfer, key]), gas);
    // A CID that names no block: the state root.
    const unknown = [block.ParentStateRoot];
    const name = block.ParentStateRoot['/'];
    assert.equal((await error('Filecoin.MpoolPending', [unknown])).message, `loading tipset ${name}: not found`);
    assert.equal((await error('Filecoin.GasEstimateGasLimit', [transfer, unknown])).message, `getting tipset: loading tipset ${name}: not found`);
  });

  test("GasEstimateGasPremium and GasEstimateFeeCap at a dropped key read its own branch, as Lotus loads a reorged tipset and walks its parents", async (t) => {
    const { result, error } = await setupRpc(t, { noMining: true });
    const snapshot = await result('evm_snapshot');
    await result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: 't0100', Value: '1', Method: 0, GasLimit: 10_000_000, GasFeeCap: '1000000000', GasPremium: '500000000' }, null]);
    await result('anvil_mine', ['0x2']);
    const key = (await result('Filecoin.ChainHead')).Cids;
    const premium = (at: unknown) => result('Filecoin.GasEstimateGasPremium', [1, CLIENT, 0, at]);
    const feeCap = (at: unknown) => result('Filecoin.GasEstimateFeeCap', [{ From: CLIENT, To: 't0100', Value: '1', Method: 0, GasPremium: '100' }, 20, at]);
    const before = { premium: await premium(key), feeCap: await feeCap(key) };
    assert.equal(before.premium, '500000000');
    assert.equal(await result('evm_revert', [snapshot]), true);
    // The chain's tipsets at the same heights: no message, another base fee.
    await result('anvil_setNextBlockBaseFeePerGas', ['0x3b9aca00']);
    await result('anvil_mine', ['0x2']);
    assert.equal(await premium(null), '200000');
    assert.notEqual(await feeCap(null), before.feeCap);
    assert.deepEqual({ premium: await premium(key), feeCap: await feeCap(key) }, before);
    // An unknown key: Lotus's wrapping of GetTipSetFromKey's error.
    const unknown = [(await result('Filecoin.ChainHead')).Blocks[0].ParentStateRoot];
    const name = unknown[0]['/'];
    assert.equal((await error('Filecoin.GasEstimateGasPremium', [1, CLIENT, 0, unknown])).message, `getting tipset from key: loading tipset ${name}: not found`);
    assert.equal((await error('Filecoin.GasEstimateFeeCap', [{ From: CLIENT, To: 't0100', Value: '1', Method: 0 }, 20, unknown])).message, `getting tipset from key: loading tipset ${name}: not found`);
  });

  test('GasEstimateMessageGas at a dropped key fills the premium and fee cap from its branch, and loads the key only for what it fills, as Lotus', async (t) => {
    const { result, error } = await setupRpc(t, { noMining: true });
    const snapshot = await result('evm_snapshot');
    await result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: 't0100', Value: '1', Method: 0, GasLimit: 10_000_000, GasFeeCap: '1000000000', GasPremium: '500000000' }, null]);
    await result('anvil_mine', ['0x2']);
    const key = (await result('Filecoin.ChainHead')).Cids;
    const transfer = { From: CLIENT, To: 't0100', Value: '1', Method: 0, GasLimit: 1_000_000 };
    const estimate = async (at: unknown) => {
      const { GasPremium, GasFeeCap } = await result('Filecoin.GasEstimateMessageGas', [transfer, null, at]);
      return { GasPremium, GasFeeCap };
    };
    const before = await estimate(key);
    assert.equal(before.GasPremium, '500000000');
    assert.equal(await result('evm_revert', [snapshot]), true);
    await result('anvil_setNextBlockBaseFeePerGas', ['0x3b9aca00']);
    await result('anvil_mine', ['0x2']);
    assert.notDeepEqual(await estimate(null), before);
    assert.deepEqual(await estimate(key), before);
    // The gas limit too, estimated on the pool's pending state whatever the key (GasEstimateGasLimit).
    const limited = await result('Filecoin.GasEstimateMessageGas', [{ ...transfer, GasLimit: 0 }, null, key]);
    assert.equal(limited.GasPremium, before.GasPremium);
    assert.equal(limited.GasLimit, (await result('Filecoin.GasEstimateMessageGas', [{ ...transfer, GasLimit: 0 }, null, null])).GasLimit);
    // An unknown key, refused by the first estimate that loads it; a message that needs none answers.
    const unknown = [(await result('Filecoin.ChainHead')).Blocks[0].ParentStateRoot];
    const notFound = `loading tipset ${unknown[0]['/']}: not found`;
    const refusal = async (fields: object) => (await error('Filecoin.GasEstimateMessageGas', [{ ...transfer, ...fields }, null, unknown])).message;
    assert.equal(await refusal({ GasLimit: 0 }), `getting tipset: ${notFound}`);
    assert.equal(await refusal({}), `estimating gas price: getting tipset from key: ${notFound}`);
    assert.equal(await refusal({ GasPremium: '100' }), `estimating fee cap: getting tipset from key: ${notFound}`);
    const full = { ...transfer, GasPremium: '100', GasFeeCap: '1000' };
    assert.deepEqual(
      [(await result('Filecoin.GasEstimateMessageGas', [full, null, unknown])).GasFeeCap, (await result('Filecoin.GasEstimateMessageGas', [full, null, null])).GasFeeCap],
      ['1000', '1000'],
    );
  });

  test('GasEstimateGasLimit and GasEstimateMessageGas resolve an ID sender in the state of their key, a dropped one too, then run on the head (X8: Lotus gasutils.go)', async (t) => {
    const { result, error } = await setupRpc(t);
    const snapshot = await result('evm_snapshot');
    const f1 = await result('Filecoin.WalletNew', ['secp256k1']);
    await result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: f1, Value: FIL.toString(), Method: 0 }, null]);
    const id = await result('Filecoin.StateLookupID', [f1, null]);
    const key = (await result('Filecoin.ChainHead')).Cids;
    assert.equal(await result('evm_revert', [snapshot]), true);
    await result('evm_mine');
    const transfer = { From: id, To: 't0100', Value: '1', Method: 0 };
    // At the head the ID names no actor: its resolution fails; at the dropped key it resolves, and the head has no such sender.
    assert.equal((await error('Filecoin.GasEstimateGasLimit', [transfer, null])).message, `gas estimation failed: resolving sender ${id} (failed to find actor: ${id}): sender validation failed`);
    const onHead = `gas estimation failed: CallWithGas failed: sender ${id} not found on chain: sender validation failed`;
    assert.equal((await error('Filecoin.GasEstimateGasLimit', [transfer, key])).message, onHead);
    assert.equal((await error('Filecoin.GasEstimateMessageGas', [transfer, null, key])).message, onHead);
  });

  test("MpoolSelect at a key off the head selects on its state and takes back what a reorg to it reverts, as Lotus's SelectMessages", async (t) => {
    const { result } = await setupRpc(t, { noMining: true });
    const cidOf = (m: { CID: { '/': string } }) => m.CID['/'];
    const select = async (at: unknown) => ((await result('Filecoin.MpoolSelect', [at, 0.9])) ?? []).map(cidOf).sort();
    const send = async (from: string, value: number, nonce?: number) => {
      if (nonce === undefined) return result('Filecoin.MpoolPushMessage', [{ From: from, To: 't0100', Value: `${value}`, Method: 0 }, null]);
      const signed = await result('Filecoin.WalletSignMessage', [from, { Version: 0, To: 't0100', From: from, Value: `${value}`, Nonce: nonce, GasLimit: 5_000_000, GasFeeCap: '1000000000', GasPremium: '100000', Method: 0, Params: null }]);
      await result('Filecoin.MpoolPush', [signed]);
      return signed;
    };
    const ancestor = (await result('Filecoin.ChainHead')).Cids;
    const snapshot = await result('evm_snapshot');
    const nonce = await result('Filecoin.MpoolGetNonce', [CLIENT]);
    await send(CLIENT, 1);
    await result('evm_mine');
    const dropped = (await result('Filecoin.ChainHead')).Cids;
    assert.equal(await result('evm_revert', [snapshot]), true);
    // The chain mines another sender's message; the client's next nonce waits behind the gap its dropped message leaves.
    const other = await send(VERIFIER, 2);
    await result('evm_mine');
    const waiting = await send(CLIENT, 3, nonce + 1);
    assert.deepEqual(await select(null), []);
    // On the dropped tipset's state the client's nonce is past the gap, and the chain's message, reverted by a reorg there, runs.
    assert.deepEqual(await select(dropped), [cidOf(other), cidOf(waiting)].sort());
    // On the chain's tipset below the head, that message is taken back too; the client's gap stays.
    assert.deepEqual(await select(ancestor), [cidOf(other)]);
  });

  test('MpoolSelect at a dropped key reads a pooled sender by its address there: an ID the chain gave it after the revert may name another account in the dropped state', async (t) => {
    const { result } = await setupRpc(t, { noMining: true });
    const fund = async () => {
      const f1 = await result('Filecoin.WalletNew', ['secp256k1']);
      await result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: f1, Value: FIL.toString(), Method: 0 }, null]);
      await result('evm_mine');
      return { f1, id: await result('Filecoin.StateLookupID', [f1, null]) };
    };
    const snapshot = await result('evm_snapshot');
    const dropped = await fund();
    const key = (await result('Filecoin.ChainHead')).Cids;
    assert.equal(await result('evm_revert', [snapshot]), true);
    const onChain = await fund();
    assert.equal(onChain.id, dropped.id);
    const pending = await result('Filecoin.MpoolPushMessage', [{ From: onChain.f1, To: 't0100', Value: '1', Method: 0 }, null]);
    assert.deepEqual((await result('Filecoin.MpoolSelect', [null, 0.9])).map((m: { CID: unknown }) => m.CID), [pending.CID]);
    // In the dropped state that ID is the other account, and this sender has none: its message is pending but cannot run ([], not null, as Lotus).
    assert.deepEqual(await result('Filecoin.MpoolSelect', [key, 0.9]), []);
  });

  test('MpoolSelect at a dropped key reads a pooled sender present there under another ID as that actor, not as the one its ID on the chain names there', async (t) => {
    const { result } = await setupRpc(t, { noMining: true });
    const [other, sender] = [await result('Filecoin.WalletNew', ['secp256k1']), await result('Filecoin.WalletNew', ['secp256k1'])];
    const fund = async (f1: string) => {
      await result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: f1, Value: FIL.toString(), Method: 0 }, null]);
      await result('evm_mine');
      return result('Filecoin.StateLookupID', [f1, null]);
    };
    const snapshot = await result('evm_snapshot');
    // On the branch to drop, `other` takes the next ID and spends its nonce 0; `sender` gets the ID after.
    const otherId = await fund(other);
    const senderIdThere = await fund(sender);
    await result('Filecoin.MpoolPushMessage', [{ From: other, To: 't0100', Value: '1', Method: 0 }, null]);
    await result('evm_mine');
    const key = (await result('Filecoin.ChainHead')).Cids;
    assert.equal(await result('evm_revert', [snapshot]), true);
    // On the chain, `sender` takes the ID `other` has in the dropped state.
    assert.equal(await fund(sender), otherId);
    assert.notEqual(senderIdThere, otherId);
    const pending = await result('Filecoin.MpoolPushMessage', [{ From: sender, To: 't0100', Value: '1', Method: 0 }, null]);
    // There, `sender` is its own account at nonce 0: its message runs (read as `other`, at nonce 1, it would not).
    assert.deepEqual((await result('Filecoin.MpoolSelect', [key, 0.9])).map((m: { CID: unknown }) => m.CID), [pending.CID]);
  });

  test("MpoolPending at a dropped key above the head adds its branch's messages the pool does not hold, down to the head's height, as Lotus", async (t) => {
    const { result } = await setupRpc(t);
    const cidOf = (m: { CID: { '/': string } }) => m.CID['/'];
    const send = async (value: bigint) => result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: 't0100', Value: value.toString(), Method: 0 }, null]);
    await send(1n);
    const snapshot = await result('evm_snapshot');
    const a = await send(2n);
    const b = await send(3n);
    const key = (await result('Filecoin.ChainHead')).Cids;
    assert.equal(await result('evm_revert', [snapshot]), true);
    await result('evm_setAutomine', [false]);
    // B pushed again: pending (behind the gap A's nonce leaves), so not added twice.
    assert.equal((await result('Filecoin.MpoolPush', [b]))['/'], cidOf(b));
    const pending = async (at: unknown) => (await result('Filecoin.MpoolPending', [at])).map(cidOf);
    assert.deepEqual(await pending(null), [cidOf(b)]);
    // B's tipset, then A's; the head's (the message before the snapshot) is not the branch's.
    assert.deepEqual(await pending(key), [cidOf(b), cidOf(a)]);
    // A tipset at A's height holding A and B: the head's height is reached there, and the head's messages are not added.
    await result('Filecoin.MpoolPush', [a]);
    await result('evm_mine');
    assert.deepEqual(await pending(null), []);
    assert.deepEqual(await pending(key), [cidOf(b)]);
  });

  test('StateSearchMsg and v0\'s StateGetReceipt from a dropped key search its own branch (then the chain), as Lotus searches back from a reorged tipset', async (t) => {
    const { result, call, app } = await setupRpc(t);
    const v0 = async (method: string, params: unknown[]) => (await app.inject({ method: 'POST', url: '/rpc/v0', payload: { jsonrpc: '2.0', id: 1, method, params } })).json();
    const send = async (value: bigint) => (await result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: 't0100', Value: value.toString(), Method: 0 }, null])).CID;
    const onChain = await send(1n);
    const snapshot = await result('evm_snapshot');
    const dropped = await send(2n);
    await result('anvil_mine', ['0x2']);
    const key = (await result('Filecoin.ChainHead')).Cids;
    const answer = ({ result, error }: { result?: unknown; error?: unknown }) => ({ result, error });
    const searches = async () => ({
      dropped: answer(await call('Filecoin.StateSearchMsg', [key, dropped, -1, true])),
      // Lotus's lookback: none of the tipsets before the key is searched with a limit of 0.
      limited: answer(await call('Filecoin.StateSearchMsg', [key, dropped, 0, true])),
      onChain: answer(await call('Filecoin.StateSearchMsg', [key, onChain, -1, true])),
      receipt: answer(await v0('Filecoin.StateGetReceipt', [dropped, key])),
    });
    const before = await searches();
    assert.equal((before.dropped.result as any).Height, (await result('Filecoin.ChainHead')).Height - 2);
    assert.equal(before.limited.result, null);
    assert.ok((before.onChain.result as any).Receipt && before.receipt.result);

    assert.equal(await result('evm_revert', [snapshot]), true);
    await result('anvil_mine', ['0x4']);
    assert.equal(await result('Filecoin.StateSearchMsg', [null, dropped, -1, true]), null);
    assert.deepEqual(await searches(), before);
  });

  test('StateSearchMsg, StateReplay and StateWaitMsg of a message the chain holds ask the chain\'s index once, then search no kept tipset (last-s53 G2)', async (t) => {
    const { result, devnet } = await setupRpc(t);
    const cid = (await result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: 't0100', Value: '1', Method: 0 }, null])).CID;
    const lookups = t.mock.method(devnet.chain, 'messageByCid');
    const counted = async (method: string, params: unknown[]) => {
      const before = lookups.mock.callCount();
      assert.ok(await result(method, params));
      return lookups.mock.callCount() - before;
    };
    assert.equal(await counted('Filecoin.StateSearchMsg', [[], cid, -1, true]), 1);
    assert.equal(await counted('Filecoin.StateReplay', [[], cid]), 1);
    // One to load it (Lotus's GetCMessage), one in the wait's search.
    assert.equal(await counted('Filecoin.StateWaitMsg', [cid, 0, -1, true]), 2);
  });

  test('a secp message asked for by its unsigned CID is another message to the searches and to StateReplay at a key, as to Lotus (searchwait.go tipsetExecutedMessage, Replay: signed CIDs; reread-s54 A.1)', async (t) => {
    const { result, error } = await setupRpc(t);
    const before = (await result('Filecoin.ChainHead')).Cids;
    const snapshot = await result('evm_snapshot');
    const pushed = await result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: 't0100', Value: '1', Method: 0 }, null]);
    const [signed, unsigned, nonce] = [pushed.CID, pushed.Message.CID, pushed.Message.Nonce];
    assert.notDeepEqual(signed, unsigned);
    const key = (await result('Filecoin.ChainHead')).Cids;
    const replaced = `message was replaced: found message with equal nonce as the one we are looking for (F:${unsigned['/']} n ${nonce}, TS: ${signed['/']} n${nonce})`;
    const asLotus = async (at: unknown) => {
      // A replacement allowed, the signed message answers for it, under its own CID.
      assert.deepEqual((await result('Filecoin.StateSearchMsg', [at, unsigned, -1, true])).Message, signed);
      assert.equal(await result('Filecoin.StateSearchMsg', [at, unsigned, -1, false]), null);
      assert.equal((await error('Filecoin.StateReplay', [key, unsigned])).message, 'given message not found in tipset');
      assert.deepEqual((await result('Filecoin.StateReplay', [key, signed])).MsgCid, signed);
    };
    await asLotus(key);
    // Without a key, Lotus replays what StateSearchMsg(…, true) found: the signed message, under its CID.
    assert.deepEqual((await result('Filecoin.StateReplay', [[], unsigned])).MsgCid, signed);
    assert.equal((await error('Filecoin.StateWaitMsg', [unsigned, 0, -1, false])).message, replaced);
    assert.deepEqual((await result('Filecoin.StateWaitMsg', [unsigned, 0, -1, true])).Message, signed);
    // Lotus's chain index has the signed CID only: from a tipset before it, only that is found.
    assert.ok(await result('Filecoin.StateSearchMsg', [before, signed, -1, true]));
    assert.equal(await result('Filecoin.StateSearchMsg', [before, unsigned, -1, true]), null);
    // Its tipset dropped and kept: the same answers from its key.
    assert.equal(await result('evm_revert', [snapshot]), true);
    await result('anvil_mine', ['0x2']);
    await asLotus(key);
  });

  test('StateSearchMsg from a dropped key finds a replaced message\'s replacement mined along its branch, as Lotus checks each tipset it walks', async (t) => {
    const { result, error } = await setupRpc(t, { noMining: true });
    const push = async (fields: Record<string, unknown>) =>
      result('Filecoin.MpoolPush', [await result('Filecoin.WalletSignMessage', [CLIENT, { Version: 0, To: 't0100', From: CLIENT, Value: '1', GasLimit: 5_000_000, GasFeeCap: '1000000000', Method: 0, Params: null, ...fields }])]);
    const snapshot = await result('evm_snapshot');
    const nonce = await result('Filecoin.MpoolGetNonce', [CLIENT]);
    const first = await push({ Nonce: nonce, GasPremium: '100000' });
    const second = await push({ Nonce: nonce, GasPremium: '200000' });
    await result('evm_mine');
    const including = (await result('Filecoin.ChainHead')).Cids;
    await result('evm_mine');
    const key = (await result('Filecoin.ChainHead')).Cids;
    const found = async (from: unknown) => {
      const lookup = await result('Filecoin.StateSearchMsg', [from, first, -1, true]);
      return lookup && [lookup.Message, lookup.TipSet, lookup.Receipt.ExitCode];
    };
    const before = await found(key);
    assert.deepEqual(before, [second, including, 0]);
    assert.equal(await result('evm_revert', [snapshot]), true);
    await result('anvil_mine', ['0x3']);
    assert.equal(await found(null), null);
    // From its tipset itself and from the one after it (searching back), as before the revert.
    assert.deepEqual(await found(including), before);
    assert.deepEqual(await found(key), before);
    assert.equal(await result('Filecoin.StateSearchMsg', [key, first, -1, false]), null);
    // A different call at the nonce is refused as Lotus refuses it, wrapped when found searching back.
    const other = await push({ Nonce: nonce, GasPremium: '100000', Value: '7' });
    await push({ Nonce: nonce, GasPremium: '300000', Value: '8' });
    const snapshot2 = await result('evm_snapshot');
    await result('evm_mine');
    await result('evm_mine');
    const otherKey = (await result('Filecoin.ChainHead')).Cids;
    assert.equal(await result('evm_revert', [snapshot2]), true);
    assert.match((await error('Filecoin.StateSearchMsg', [otherKey, other, -1, true])).message, /^checking for message execution during lookback: message was replaced: found message with equal nonce as the one we are looking for that is NOT a valid replacement message/);
  });

  test('StateSearchMsg from a dropped key refuses a different call mined at the nonce in the chain tipset its branch left from as a lookback error, as before the revert (A4)', async (t) => {
    const { result, error } = await setupRpc(t, { noMining: true });
    const push = async (fields: Record<string, unknown>) =>
      result('Filecoin.MpoolPush', [await result('Filecoin.WalletSignMessage', [CLIENT, { Version: 0, To: 't0100', From: CLIENT, Value: '1', GasLimit: 5_000_000, GasFeeCap: '1000000000', Method: 0, Params: null, ...fields }])]);
    const nonce = await result('Filecoin.MpoolGetNonce', [CLIENT]);
    const first = await push({ Nonce: nonce, GasPremium: '100000' });
    await push({ Nonce: nonce, GasPremium: '300000', Value: '7' });
    await result('evm_mine');
    const snapshot = await result('evm_snapshot');
    await result('evm_mine');
    const key = (await result('Filecoin.ChainHead')).Cids;
    const refusal = async () => (await error('Filecoin.StateSearchMsg', [key, first, -1, true])).message;
    const before = await refusal();
    assert.match(before, /^checking for message execution during lookback: message was replaced: found message with equal nonce as the one we are looking for that is NOT a valid replacement message/);
    // Nothing mined after the revert: a tipset mined on the same parent in the same second would be the dropped one again.
    assert.equal(await result('evm_revert', [snapshot]), true);
    assert.notDeepEqual((await result('Filecoin.ChainHead')).Cids, key);
    assert.equal(await refusal(), before);
  });

  test('on a fork, StateSearchMsg from a dropped key finds a message of its branch without asking the upstream', async (t) => {
    const upstream = await startDevnet(testConfig());
    t.after(() => upstream.close());
    const proxy = await upstreamProxy(t, upstream.url);
    const { result } = await setupRpc(t, { fork: { url: proxy.url, blockNumber: upstream.devnet.head.epoch } });
    const snapshot = await result('evm_snapshot');
    const sent = (await result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: 't0100', Value: '1', Method: 0 }, null])).CID;
    await result('evm_mine');
    const key = (await result('Filecoin.ChainHead')).Cids;
    assert.equal(await result('evm_revert', [snapshot]), true);
    await result('evm_mine');
    proxy.mode.received.length = 0;
    const lookup = await result('Filecoin.StateSearchMsg', [key, sent, -1, true]);
    assert.equal(lookup.Receipt.ExitCode, 0);
    assert.deepEqual(proxy.mode.received.filter((method) => method === 'Filecoin.StateSearchMsg'), []);
    // From the chain's head too: the fork holds the message (a kept dropped tipset's, R84), whose nonce the chain has not used.
    assert.equal(await result('Filecoin.StateSearchMsg', [null, sent, -1, true]), null);
    assert.deepEqual(proxy.mode.received.filter((method) => method === 'Filecoin.StateSearchMsg'), []);
  });

  test('StateReplay at a dropped key replays its message on its kept state: a call to a contract only the dropped tipsets created', async (t) => {
    const { result, call, send } = await setupRpc(t, {}, { txDefaults: CALL });
    const snapshot = await result('evm_snapshot');
    await send({ nonce: 0, data: LOG_EMITTER_INITCODE });
    const tx = await send({ nonce: 1, to: getCreateAddress({ from: devWallet.address, nonce: 0 }), data: word(7) });
    const { blockNumber } = await result('eth_getTransactionReceipt', [tx]);
    const key = (await result('Filecoin.ChainGetTipSetByHeight', [Number(blockNumber), null])).Cids;
    const message = await result('Filecoin.EthGetMessageCidByTransactionHash', [tx]);
    // Durations are the replay's own timing.
    const timeless = (value: unknown): unknown =>
      Array.isArray(value) ? value.map(timeless) : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'Duration' ? 0 : timeless(v)])) : value;
    const replay = async () => {
      const { result: replayed, error } = await call('Filecoin.StateReplay', [key, message]);
      return { result: timeless(replayed), error };
    };
    const before = await replay();
    assert.equal((before.result as any).MsgRct.ExitCode, 0);
    assert.ok((before.result as any).ExecutionTrace.Subcalls !== undefined);

    assert.equal(await result('evm_revert', [snapshot]), true);
    await result('anvil_mine', ['0x3']);
    assert.match((await call('Filecoin.StateReplay', [null, message])).error!.message, /could not find|didn't find/);
    assert.deepEqual(await replay(), before);
  });

  test('StateCompute at a dropped key computes on its kept state: the crons of the null rounds before it, then the given messages after it, as Lotus computes any tipset it holds', async (t) => {
    const { result, call } = await setupRpc(t, { storageProviders: 0 });
    const nonce = await result('Filecoin.MpoolGetNonce', [CLIENT]);
    const transfer = { Version: 0, From: CLIENT, To: 't0100', Nonce: nonce, Value: '1', GasLimit: 10_000_000, GasFeeCap: '1000000000', GasPremium: '1000', Method: 0, Params: null };
    // Past 1000 epochs anvil_mine makes null rounds and one tipset: 1001 null rounds before the key's,
    // which anvil_rollback then drops, with them.
    await result('anvil_mine', [1002]);
    const head = await result('Filecoin.ChainHead');
    // Durations are the run's own timing.
    const timeless = (value: unknown): unknown =>
      Array.isArray(value) ? value.map(timeless) : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'Duration' ? 0 : timeless(v)])) : value;
    const compute = async (key: unknown) => {
      const { result: computed, error } = await call('Filecoin.StateCompute', [head.Height + 1, [transfer], key]);
      return { result: timeless(computed), error };
    };
    const before = await compute(head.Cids);
    const trace = (before.result as { Trace: { Msg: { To: string; Method: number }; MsgRct: { ExitCode: number } }[] }).Trace;
    assert.equal(trace.filter((r) => r.Msg.To === 't03' && r.Msg.Method === 2).length, 1001 + 1);
    assert.equal(trace.at(-1)!.MsgRct.ExitCode, 0);

    await result('anvil_rollback', [1]);
    await result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: 't0100', Value: '1', Method: 0 }, null]);
    // On the chain the sender has used the nonce since.
    assert.notEqual(((await compute(null)).result as { Trace: { MsgRct: { ExitCode: number } }[] }).Trace.at(-1)!.MsgRct.ExitCode, 0);
    assert.deepEqual(await compute(head.Cids), before);
  });

  test('StateChangedActors by a dropped block\'s ParentStateRoot reads its kept state: roots differ across branches whose cheat edits differ (X5)', async (t) => {
    const { result } = await setupRpc(t);
    const target = '0x' + '11'.repeat(20);
    const id = async () => (await result('Filecoin.StateLookupID', [await result('Filecoin.EthAddressToFilecoinAddress', [target]), null]));
    // A cheat edit is a write at the head's epoch: the old root is the state before the head's.
    await result('evm_mine');
    const snapshot = await result('evm_snapshot');
    const { Blocks: [base] } = await result('Filecoin.ChainHead');
    await result('anvil_setBalance', [target, '0x1111']);
    await result('anvil_mine', ['0x2']);
    const actor = await id();
    const { Blocks: [dropped] } = await result('Filecoin.ChainHead');
    const changed = async () => (await result('Filecoin.StateChangedActors', [base.ParentStateRoot, dropped.ParentStateRoot]))[actor]?.Balance;
    assert.equal(await changed(), String(0x1111));
    assert.equal(await result('evm_revert', [snapshot]), true);
    // The chain mines the same (empty) tipsets on the same parent, after another edit.
    await result('anvil_setBalance', [target, '0x2222']);
    await result('anvil_mine', ['0x2']);
    const { Blocks: [onChain] } = await result('Filecoin.ChainHead');
    assert.notDeepEqual(onChain.ParentStateRoot, dropped.ParentStateRoot);
    assert.equal(await changed(), String(0x1111));
    assert.equal((await result('Filecoin.StateChangedActors', [base.ParentStateRoot, onChain.ParentStateRoot]))[actor].Balance, String(0x2222));
  });

  test("StateChangedActors by a dropped block's ParentStateRoot reads its kept state where the chain mined the same transaction, with the same receipt, at another second: roots name the timestamp (X7)", async (t) => {
    const { result, send } = await setupRpc(t, {}, { txDefaults: CALL });
    const deployed = await send({ nonce: 0, data: PAYS_TIMESTAMP_INITCODE, value: FIL });
    const contract = (await result('eth_getTransactionReceipt', [deployed])).contractAddress;
    const actor = await result('Filecoin.StateLookupID', [await result('Filecoin.EthAddressToFilecoinAddress', [contract]), null]);
    const snapshot = await result('evm_snapshot');
    await send({ nonce: 1, to: contract });
    const { Blocks: [stored] } = await result('Filecoin.ChainHead');
    await result('evm_mine');
    const { Blocks: [dropped] } = await result('Filecoin.ChainHead');
    const changed = async (root: unknown) => (await result('Filecoin.StateChangedActors', [stored.ParentStateRoot, root]))[actor];
    const before = await changed(dropped.ParentStateRoot);
    assert.equal(before.Balance, String(FIL - BigInt(stored.Timestamp)));
    assert.equal(await result('evm_revert', [snapshot]), true);
    // The same transaction (its nonce, its signature) on the same parent, a second later.
    await result('evm_setNextBlockTimestamp', [stored.Timestamp + 1]);
    await send({ nonce: 1, to: contract });
    await result('evm_mine');
    const { Blocks: [onChain] } = await result('Filecoin.ChainHead');
    assert.notDeepEqual(onChain.ParentStateRoot, dropped.ParentStateRoot);
    assert.deepEqual(await changed(dropped.ParentStateRoot), before);
    assert.equal((await changed(onChain.ParentStateRoot)).Balance, String(FIL - BigInt(stored.Timestamp + 1)));
  });

  test("StateChangedActors by a dropped branch's first block's ParentStateRoot reads the state it was mined on, the edit before it in, not its parent's as edited after the revert (R83)", async (t) => {
    const { result } = await setupRpc(t);
    const target = '0x' + '11'.repeat(20);
    await result('evm_mine');
    const snapshot = await result('evm_snapshot');
    await result('anvil_setBalance', [target, '0x1111']);
    await result('evm_mine');
    const { Blocks: [first] } = await result('Filecoin.ChainHead');
    await result('evm_mine');
    const { Blocks: [second] } = await result('Filecoin.ChainHead');
    const changed = async () => result('Filecoin.StateChangedActors', [first.ParentStateRoot, second.ParentStateRoot]);
    const before = await changed();
    assert.equal(await result('evm_revert', [snapshot]), true);
    await result('anvil_setBalance', [target, '0x2222']);
    await result('evm_mine');
    const { Blocks: [onChain] } = await result('Filecoin.ChainHead');
    assert.notDeepEqual(onChain.ParentStateRoot, first.ParentStateRoot);
    assert.deepEqual(await changed(), before);
    // The chain's block names the state it was mined on: the other edit.
    const actor = await result('Filecoin.StateLookupID', [await result('Filecoin.EthAddressToFilecoinAddress', [target]), null]);
    const { Blocks: [parent] } = await result('Filecoin.ChainGetTipSet', [onChain.Parents]);
    assert.equal((await result('Filecoin.StateChangedActors', [parent.ParentStateRoot, onChain.ParentStateRoot]))[actor].Balance, String(0x2222));
  });

  test("a message mined only in a dropped tipset, its sender's nonce then used on the chain, is matched to the chain's message at that nonce, as Lotus loads it from its blockstore: refused as another call, or answered by an equal call's lookup (R84)", async (t) => {
    const { result, error } = await setupRpc(t);
    const push = async (value: string, premium: string) =>
      (await result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: 't0100', Value: value, Method: 0, GasLimit: 10_000_000, GasFeeCap: '1000000000', GasPremium: premium }, null])).CID;
    await result('evm_mine');
    const nonce = await result('Filecoin.MpoolGetNonce', [CLIENT]);
    // Another call at the nonce: a different value.
    let snapshot = await result('evm_snapshot');
    const dropped = await push('1', '100000');
    assert.ok(await result('Filecoin.StateSearchMsg', [null, dropped, -1, true]));
    const droppedHash = await result('Filecoin.EthGetTransactionHashByCid', [dropped]);
    assert.equal(await result('evm_revert', [snapshot]), true);
    const other = await push('2', '100000');
    assert.equal((await result('Filecoin.ChainGetMessage', [dropped])).Value, '1');
    // Its transaction hash too, as Lotus loads it from its blockstore (X12).
    assert.equal(await result('Filecoin.EthGetTransactionHashByCid', [dropped]), droppedHash);
    const refusal = `message was replaced: found message with equal nonce as the one we are looking for that is NOT a valid replacement message (F:${dropped['/']} n ${nonce}, TS: ${other['/']} n${nonce})`;
    assert.equal((await error('Filecoin.StateSearchMsg', [null, dropped, -1, true])).message, refusal);
    assert.equal((await error('Filecoin.StateWaitMsg', [dropped, 0, -1, true])).message, refusal);
    // By its transaction hash it is gone, as Lotus's EthGetTransactionReceipt searches with allowReplaced false (X11).
    const receipt = async (cid: unknown) => result('eth_getTransactionReceipt', [await result('Filecoin.EthGetTransactionHashByCid', [cid])]);
    assert.equal(await receipt(dropped), null);
    // The same call with other fees: its lookup stands for the dropped one where a replacement is allowed.
    await result('evm_mine');
    snapshot = await result('evm_snapshot');
    const droppedCall = await push('3', '100000');
    assert.equal(await result('evm_revert', [snapshot]), true);
    const sameCall = await push('3', '200000');
    const lookup = await result('Filecoin.StateSearchMsg', [null, droppedCall, -1, true]);
    assert.deepEqual(lookup.Message, sameCall);
    assert.deepEqual((await result('Filecoin.StateWaitMsg', [droppedCall, 0, -1, true])).Message, sameCall);
    assert.equal(await result('Filecoin.StateSearchMsg', [null, droppedCall, -1, false]), null);
    assert.equal(await receipt(droppedCall), null);
    assert.ok(await receipt(sameCall));
  });

  test("StateWaitMsg of a message mined only in a dropped tipset, its sender's nonce not used since, waits across other tipsets until the chain uses the nonce, as Lotus's WaitForMessage (A2.3)", async (t) => {
    const { call, result } = await setupRpc(t);
    const push = async (premium: string) =>
      (await result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: 't0100', Value: '1', Method: 0, GasLimit: 10_000_000, GasFeeCap: '1000000000', GasPremium: premium }, null])).CID;
    await result('evm_mine');
    const snapshot = await result('evm_snapshot');
    const dropped = await push('100000');
    assert.equal(await result('evm_revert', [snapshot]), true);
    let answered = false;
    const waiting = call('Filecoin.StateWaitMsg', [dropped, 0, -1, true]).finally(() => (answered = true));
    // Tipsets without the sender's message: the revert did not put the mined message back in the pool, and the wait goes on.
    for (let i = 0; i < 3; i++) await result('evm_mine');
    await result('Filecoin.ChainHead');
    assert.equal(answered, false, 'still waiting after three tipsets without the nonce');
    // The same call with other fees takes the nonce: its lookup answers the wait.
    const sameCall = await push('200000');
    const { result: lookup, error } = await waiting;
    assert.equal(error, undefined);
    assert.deepEqual(lookup.Message, sameCall);
  });

  test('SubscribeActorEventsRaw with a dropped tipsetKey sends its events, reverted, and closes, as GetActorEventsRaw answers them', async (t) => {
    const { call, waitFor, channelValues } = await setupWebSocketRpc(t);
    const snapshot = await call('evm_snapshot');
    await call('devnet_addVerifiedClient', [CLIENT, '1048576']);
    const key = (await call('Filecoin.ChainHead')).Cids;
    const before = await call('Filecoin.GetActorEventsRaw', [{ tipsetKey: key }]);
    assert.ok(before.length > 0 && before.every((e: { reverted: boolean }) => !e.reverted));
    assert.equal(await call('evm_revert', [snapshot]), true);
    await call('evm_mine');
    const channel = await call('Filecoin.SubscribeActorEventsRaw', [{ tipsetKey: key }]);
    assert.equal(typeof channel, 'number', 'a channel, not an error');
    await waitFor((m) => m.method === 'xrpc.ch.close' && m.params[0] === channel);
    const reverted = before.map((e: object) => ({ ...e, reverted: true }));
    assert.deepEqual(channelValues(channel), reverted);
    assert.deepEqual(await call('Filecoin.GetActorEventsRaw', [{ tipsetKey: key }]), reverted);
  });
});
