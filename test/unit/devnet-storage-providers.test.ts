// The simulated storage providers at genesis: an owner account (a secp256k1 key the node holds,
// derived at m/44'/461'/0'/0/i) and a miner actor each, with power claimed at the power actor (f04).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import { HDNodeWallet, Mnemonic } from 'ethers';
import { FilAddress } from '../../src/common/address.js';
import { encodeCbor } from '../../src/common/cbor.js';
import { blake2b256 } from '../../src/common/hashes.js';
import { concatBytes, hexToBytes } from '../../src/common/hex.js';
import { decodeChain } from '../../src/devnet/persistence.js';
import { GENESIS_SECTORS_PER_PROVIDER } from '../../src/devnet/genesis.js';
import { presealExpiration } from '../../src/fevm/actors/miner/genesis-sectors.js';
import { deriveNodeKeys } from '../../src/devnet/node-keys.js';
import { deriveStorageProviderKeys, peerIdString } from '../../src/devnet/storage-providers/keys.js';
import { POWER_ACTOR_ID, type Actor } from '../../src/fevm/actor.js';
import { provingPeriodStart } from '../../src/fevm/actors/miner/policy.js';
import { availableBalance, deadlineCronActive, deadlineCronStops, loadMiner, SECTOR_SIZE_32GIB } from '../../src/fevm/actors/miner/state.js';
import { CREATE_MINER_DEPOSIT } from '../../src/fevm/actors/power.js';
import { queuedCron } from '../../src/fevm/actors/cron.js';
import { secp256k1Address } from '../../src/fevm/signature.js';
import type { StateReader } from '../../src/fevm/state-tree.js';
import { DEFAULT_MNEMONIC } from '../../src/config.js';
import { createDevnet, testConfig } from '../../src/index.js';
import { setupRpc } from '../helpers/rpc-harness.js';
import { PLEDGE_32GIB } from '../helpers/pledge.js';


function actors(state: StateReader): Actor[] {
  const all: Actor[] = [];
  for (let id = 0; id < 200; id++) {
    const actor = state.getActor(id);
    if (actor) all.push(actor);
  }
  return all;
}

async function devnetOf(t: { after(fn: () => void): void }, overrides = {}) {
  const devnet = await createDevnet(testConfig(overrides));
  t.after(() => devnet.close());
  return devnet;
}

describe('storage providers at genesis', () => {
  test('two by default, after the dev accounts: an owner account and a miner each', async (t) => {
    const devnet = await devnetOf(t);
    const state = devnet.stateAt(0);
    const all = actors(state);
    // Dev accounts keep IDs 100…109 (the last two EthAccounts, the Safe singleton factory's signer and the null address's, come after the providers).
    const ethAccounts = all.filter((a) => a.kind === 'ethaccount').map((a) => a.id);
    assert.deepEqual(ethAccounts.slice(0, -2), [100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
    assert.ok(ethAccounts.at(-2)! > 113);
    const miners = all.filter((a) => a.kind === 'storageminer');
    assert.deepEqual(miners.map((m) => m.id), [111, 113]);
    const keys = deriveStorageProviderKeys(DEFAULT_MNEMONIC, 2);
    for (const [i, miner] of miners.entries()) {
      const info = miner.miner!;
      const owner = state.getActor(info.owner)!;
      assert.equal(owner.kind, 'account');
      assert.equal(owner.id, miner.id - 1);
      assert.equal(owner.balance, testConfig().balance);
      assert.ok(owner.robust!.equals(keys[i].address));
      assert.equal(info.worker, owner.id);
      assert.equal(info.beneficiary, owner.id);
      assert.deepEqual(info.controlAddresses, []);
      assert.deepEqual(info.multiaddrs, []);
      assert.equal(info.sectorSize, SECTOR_SIZE_32GIB);
      assert.equal(info.windowPoStProofType, 13);
      assert.equal(info.windowPoStPartitionSectors, 2349);
      assert.deepEqual(info.peerId, keys[i].peerId);
      assert.match(peerIdString(info.peerId), /^12D3KooW/);
      // The node holds the owner/worker key.
      assert.equal(devnet.wallet.has(owner.robust!), true);
    }
    assert.notEqual(peerIdString(miners[0].miner!.peerId), peerIdString(miners[1].miner!.peerId));
  });

  test('the owner keys are the t1 (f1) addresses of m/44\'/461\'/0\'/0/i', () => {
    const [first, second] = deriveStorageProviderKeys(DEFAULT_MNEMONIC, 2);
    for (const [i, key] of [first, second].entries()) {
      const wallet = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(DEFAULT_MNEMONIC), `m/44'/461'/0'/0/${i}`);
      assert.ok(key.address.equals(secp256k1Address(hexToBytes(wallet.signingKey.publicKey))));
      assert.match(key.address.toString(), /^t1/);
    }
  });

  test('each peer ID holds the Ed25519 key of a secret drawn from the owner key (checked against @noble)', () => {
    for (const key of deriveStorageProviderKeys(DEFAULT_MNEMONIC, 3)) {
      const secret = blake2b256(concatBytes(new TextEncoder().encode('fvm-devnet peer id'), key.privateKey));
      assert.deepEqual(key.peerId, concatBytes(new Uint8Array([0x00, 0x24, 0x08, 0x01, 0x12, 0x20]), ed25519.getPublicKey(secret)));
    }
  });

  test('the power actor holds each miner\'s claim and consistent totals', async (t) => {
    const devnet = await devnetOf(t, { storageProviders: 3 });
    const state = devnet.stateAt(0);
    const miners = actors(state).filter((a) => a.kind === 'storageminer');
    assert.equal(miners.length, 3);
    const power = state.getActor(POWER_ACTOR_ID)!.power!;
    const each = BigInt(GENESIS_SECTORS_PER_PROVIDER) * SECTOR_SIZE_32GIB;
    assert.deepEqual(power.claims.map(([id]) => id), miners.map((m) => m.id));
    for (const [, claim] of power.claims) assert.deepEqual(claim, { rawBytePower: each, qualityAdjPower: each });
    assert.equal(power.totalRawBytePower, power.claims.reduce((sum, [, c]) => sum + c.rawBytePower, 0n));
    assert.equal(power.totalQualityAdjPower, 3n * each);
    assert.equal(power.minerCount, 3);
    assert.equal(power.minerAboveMinPowerCount, 3);
  });

  // Lotus b835fab70 chain/gen/genesis/miners.go SetupStorageMiners; builtin-actors v18 lib.rs internal_sector_setup_preseal.
  test("each miner's sectors are pledged as Lotus's genesis pledges pre-sealed ones: 1 attoFIL each locked, the rest of what its worker sent available", async (t) => {
    const devnet = await devnetOf(t);
    const state = devnet.stateAt(0);
    const miners = actors(state).filter((a) => a.kind === 'storageminer');
    for (const actor of miners) {
      const m = loadMiner(actor.miner!);
      assert.equal(m.sectors.size, GENESIS_SECTORS_PER_PROVIDER);
      for (const s of m.sectors.values()) {
        assert.equal(s.initialPledge, 1n);
        assert.deepEqual([s.activation, s.powerBaseEpoch, s.dealWeight, s.verifiedDealWeight, s.dailyFee], [0, 0, 0n, 0n, 0n]);
        // Lotus's presealExp: (1278 - 1) proving periods after the miner's first one starts, less an epoch.
        assert.equal(s.expiration, 1277 * 2880 + provingPeriodStart(0, m.provingPeriodOffset) - 1);
      }
      assert.equal(m.initialPledge, 10n);
      // Its creation deposit, sent with CreateMiner, is locked (Lotus's genesis, builtin-actors' constructor).
      assert.deepEqual([m.preCommitDeposits, m.feeDebt, m.lockedFunds, m.precommits.size], [0n, 0n, CREATE_MINER_DEPOSIT, 0]);
      // Beside it, its worker sent a pre-commit deposit and a pledge for each 32 GiB CC sector (each 1 FIL
      // less 15 693 250 560 attoFIL at the devnet's rate, builtin-actors' cap of 29 103 830 attoFIL a byte);
      // the deposit came back at activation and 1 attoFIL of the pledge stays locked.
      const sectorFunds = 20n * PLEDGE_32GIB;
      assert.equal(actor.balance, sectorFunds + CREATE_MINER_DEPOSIT);
      assert.equal(availableBalance(m, actor.balance), sectorFunds - 10n);
      // The owner (the worker) keeps a dev account's balance: its miner's funds came on top.
      assert.equal(state.getActor(m.owner)!.balance, testConfig().balance);
      // The pledge keeps builtin-actors' deadline cron running while the sectors live.
      assert.equal(deadlineCronActive(m), true);
      assert.equal(deadlineCronStops(m), false);
    }
    assert.equal(state.getActor(POWER_ACTOR_ID)!.power!.totalPledgeCollateral, 20n);
  });

  test("every provider keeps its deadline cron on (DeadlineCronActive), as a Lotus genesis miner's pledge keeps it", async (t) => {
    // With 8 providers some win no block before their first deadline's end, where nothing of theirs but the pledge is locked yet.
    const devnet = await devnetOf(t, { storageProviders: 8 });
    await devnet.cheats.mine(300);
    const miners = actors(devnet.stateAt(devnet.head.epoch)).filter((a) => a.kind === 'storageminer');
    assert.equal(miners.length, 8);
    for (const m of miners) assert.equal(deadlineCronActive(m.miner!), true, `t0${m.id}`);
  });

  // E5 (session 48): a cron write at the end of a deadline of a provider that has won no block.
  test('a provider that wins no block keeps its deadline cron through a worker change its cron applies (its pledge is locked)', async (t) => {
    const rpc = await setupRpc(t, { storageProviders: 8 });
    const miners: string[] = await rpc.result('Filecoin.StateListMiners', [null]);
    // Round-robin election by epoch over the 8: the pushes below mine epochs 1 and 2; later runs end on multiples of 8.
    const provider = miners[5]!;
    const owner = (await rpc.result('Filecoin.StateMinerInfo', [provider, null])).Owner;
    const worker = await rpc.result('Filecoin.WalletNew', ['bls']);
    await rpc.result('Filecoin.MpoolPushMessage', [{ From: owner, To: worker, Value: '1000000000000000000', Method: 0, Params: null }, null]);
    const params = Buffer.from(encodeCbor([FilAddress.parse(worker).bytes, []])).toString('base64');
    await rpc.result('Filecoin.MpoolPushMessage', [{ From: owner, To: provider, Value: '0', Method: 3, Params: params }, null]);
    // Runs past MAX_TIPSETS_MINED pass as null rounds (their cron runs) and end with one tipset: at epochs 1008 and 2016.
    await rpc.result('anvil_mine', ['0x3ee']);
    await rpc.result('anvil_mine', ['0x3f0']);
    assert.equal(rpc.devnet.head.epoch, 2016);
    const state = rpc.devnet.stateAt(2016).getActor(FilAddress.parse(provider).id!)!.miner!;
    // It has won nothing: only its pledge and its creation deposit (its first step vests after a day) are locked.
    assert.deepEqual([state.lockedFunds, state.vestingGrants?.size ?? 0, state.initialPledge], [CREATE_MINER_DEPOSIT, 0, 10n]);
    // Its deadline cron applied the change at the end of the deadline the 900-epoch delay ended in, and still runs.
    assert.equal((await rpc.result('Filecoin.StateMinerInfo', [provider, null])).Worker, await rpc.result('Filecoin.StateLookupID', [worker, null]));
    assert.equal(deadlineCronActive(state), true);
  });

  test('at their expiration the sectors die and release the pledge; with nothing else locked the deadline cron stops (the general rule)', async (t) => {
    const devnet = await devnetOf(t);
    const [a, b] = devnet.claimedMinerIdsAt(0);
    const failures: [number, number, string][] = [];
    devnet.events.on('cronError', (epoch, actor, error) => failures.push([epoch, actor, (error as Error).message]));
    const last = Math.max(...[a, b].map((id) => presealExpiration(devnet.stateAt(0).getActor(id)!.miner!.provingPeriodOffset!)));
    // A tipset first, as Lotus mines one at every epoch: its block reward's locked part brings the pledge total
    // above what the creation deposits' unlocks take off it (the next test: without one, they are refused).
    await devnet.cheats.mine(1);
    // Null rounds through the end of the last sector's deadline (a proving period at most past its expiration), then
    // one tipset, whose block reward (the table is the last tipset's state) locks funds for one of them.
    await devnet.cheats.mine(last + 2 * 2880 - 1);
    // The network's last unlock in the null rounds, the first reward's last step, is refused: the deposits,
    // never in the total, came off it, so the total cannot cover all its locked funds (builtin-actors' arithmetic:
    // Lotus's chain always holds newer rewards). That miner keeps the step locked and its cron running.
    assert.equal(failures.length, 1);
    const [[, stuck, message]] = failures as [[number, number, string]];
    assert.match(message, /aborted with code 20/);
    const state = devnet.stateAt(devnet.head.epoch);
    let locked = 0n;
    for (const id of [a, b]) {
      const { balance, miner } = state.getActor(id)!;
      const m = loadMiner(miner!);
      assert.deepEqual([m.sectors.size, m.deadSectors?.size, m.initialPledge], [0, GENESIS_SECTORS_PER_PROVIDER, 0n], `t0${id}`);
      // Stopped at the deadline end that expired them; a reward since does not start it again (builtin-actors apply_rewards).
      assert.equal(deadlineCronActive(m), id === stuck, `t0${id}`);
      // Its genesis funds stay (its sectors' 20 capped pledges of 32 GiB), available now but for what is locked.
      assert.ok(balance >= 20n * PLEDGE_32GIB);
      assert.equal(availableBalance(m, balance), balance - (m.lockedFunds ?? 0n));
      locked += m.lockedFunds ?? 0n;
    }
    // Their creation deposits have vested and come off the total they never joined (builtin-actors: the
    // constructor locks a deposit without telling the power actor, the deadline cron's unlocks tell it).
    const power = state.getActor(POWER_ACTOR_ID)!.power!;
    assert.deepEqual([power.totalRawBytePower, power.totalPledgeCollateral], [0n, locked - 2n * CREATE_MINER_DEPOSIT]);
    assert.ok(power.totalPledgeCollateral! >= 0n);
  });

  test("a deposit's unlock that would take the pledge total below zero is refused, as builtin-actors' power actor refuses it (X2)", async (t) => {
    const devnet = await devnetOf(t);
    const [a, b] = devnet.claimedMinerIdsAt(0);
    const failures: [number, number, string][] = [];
    devnet.events.on('cronError', (epoch, actor, error) => failures.push([epoch, actor, (error as Error).message]));
    // Null rounds past both deposits' first vest step, before any block reward: the total is the genesis
    // sectors' 20 attoFIL, and each step is ~33 M attoFIL (Lotus's chain, a reward each epoch, never gets here).
    const firstDue = (id: number) => queuedCron(devnet.stateAt(0), id).find(([, events]) => events.some((e) => (e as { type: string }).type === 'vest'))![0];
    await devnet.cheats.mine(Math.max(firstDue(a), firstDue(b)) + 1);
    // builtin-actors' update_pledge_total aborts (USR_ILLEGAL_STATE), so the miner's deadline cron aborts and is undone.
    assert.deepEqual(
      failures.map(([epoch, actor]) => [epoch, actor]).sort(([x], [y]) => x - y),
      [a, b].map((id) => [firstDue(id), id]).sort(([x], [y]) => x - y),
    );
    for (const [, , message] of failures) assert.match(message, /aborted with code 20/);
    // The state the null rounds leave, before the tipset's block reward.
    const state = devnet.stateAt(devnet.head.epoch - 1);
    assert.equal(state.getActor(POWER_ACTOR_ID)!.power!.totalPledgeCollateral, 20n);
    for (const id of [a, b]) assert.equal(loadMiner(state.getActor(id)!.miner!).lockedFunds, CREATE_MINER_DEPOSIT);
  });

  test('--storage-providers 0 creates none', async (t) => {
    const devnet = await devnetOf(t, { storageProviders: 0 });
    const state = devnet.stateAt(0);
    assert.equal(actors(state).filter((a) => a.kind === 'storageminer').length, 0);
    const power = state.getActor(POWER_ACTOR_ID)!.power!;
    assert.deepEqual(power.claims, []);
    assert.equal(power.totalRawBytePower, 0n);
    assert.equal(power.minerCount, 0);
    // The node holds only the verified registry's root key and verifier, and its deal client.
    const registry = deriveNodeKeys(DEFAULT_MNEMONIC);
    assert.deepEqual(devnet.wallet.list(), [registry.rootKey.address, registry.verifier.address, registry.dealClient.address]);
  });

  test('miner and power state survive saving and loading', async (t) => {
    const a = await devnetOf(t);
    const b = await devnetOf(t, { storageProviders: 0 });
    await b.load(decodeChain(a.save(), 'test'));
    for (const id of [POWER_ACTOR_ID, 111, 113]) assert.deepEqual(b.stateAt(0).getActor(id), a.stateAt(0).getActor(id));
  });
});
