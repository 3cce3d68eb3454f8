// A Hardhat/ethers user reading a storage provider's vesting block rewards, as on calibnet: a
// contract calling MinerAPI.getVestingFunds the way filecoin-solidity does (call_actor_id), against
// the devnet CLI after a few blocks, next to the Lotus methods (StateReadState's LockedFunds and
// VestingFunds with its tail block from ChainReadObj, StateMinerAvailableBalance) and a WithdrawBalance
// from the owner, which pays the unlocked quarter, not what is still vesting.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Contract, ContractFactory, JsonRpcProvider, Wallet } from 'ethers';
import { decodeBigInt, decodeCbor, encodeBigInt, encodeCbor } from '../../src/common/cbor.js';
import { hexToBytes } from '../../src/common/hex.js';
import { DEFAULT_MNEMONIC } from '../../src/config.js';
import { deriveStorageProviderKeys } from '../../src/devnet/storage-providers/keys.js';
import { CREATE_MINER_DEPOSIT } from '../../src/fevm/actors/power.js';
import { methodNumber } from '../../src/fevm/actors/runtime.js';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';
import { compileFixtures } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';

/** builtin-actors' block reward on the devnet's own chain, and the three quarters apply_rewards locks of it. */
const REWARD = 5n * 10n ** 18n;

describe('block rewards vest (MinerAPI.getVestingFunds, StateMinerAvailableBalance, WithdrawBalance)', () => {
  const devnet = useDevnet(['--storage-providers', '1']);
  let provider: JsonRpcProvider;
  let caller: Contract;

  before(async () => {
    const artifacts = await compileFixtures();
    provider = devnet.provider;
    const { abi, bytecode } = artifacts.FilecoinApiCaller!;
    caller = (await new ContractFactory(abi, bytecode, new Wallet(DEV_ACCOUNTS[0]!.privateKey, provider)).deploy()) as Contract;
    await caller.waitForDeployment();
  });

  const rpc = (method: string, params: unknown[] = []) => provider.send(method, params);

  // Lotus's genesis creates the miner with CreateMiner, sent the creation deposit, which the
  // constructor locks to vest as a reward does (chain/gen/genesis/miners.go; builtin-actors miner constructor).
  test('at genesis the provider has its creation deposit locked, vesting from epoch 0; its available balance leaves it out', async () => {
    const [miner] = (await rpc('Filecoin.StateListMiners', [null])) as string[];
    const genesis = (await rpc('Filecoin.ChainGetTipSetByHeight', [0, null])).Cids;
    const { State } = await rpc('Filecoin.StateReadState', [miner, genesis]);
    assert.equal(State.LockedFunds, CREATE_MINER_DEPOSIT.toString());
    const tail = decodeCbor<[number, Uint8Array][]>(Buffer.from(await rpc('Filecoin.ChainReadObj', [State.VestingFunds.Tail]), 'base64'));
    const table = [{ epoch: State.VestingFunds.Head.Epoch as number, amount: BigInt(State.VestingFunds.Head.Amount) }, ...tail.map(([epoch, amount]) => ({ epoch, amount: decodeBigInt(amount) }))];
    assert.equal(table.reduce((sum, f) => sum + f.amount, 0n), CREATE_MINER_DEPOSIT);
    // Daily steps on 12-hour marks from its first proving period's start, the first a day in, the last 180 days in.
    const { PeriodStart } = await rpc('Filecoin.StateMinerProvingDeadline', [miner, genesis]);
    assert.ok(table.every((f, i) => (((f.epoch - PeriodStart) % 1440) + 1440) % 1440 === 0 && (i === 0 || f.epoch - table[i - 1]!.epoch === 2880)));
    assert.ok(table[0]!.epoch >= 2880 && table[0]!.epoch < 2880 + 1440);
    assert.ok(table.at(-1)!.epoch >= 180 * 2880 && table.at(-1)!.epoch < 181 * 2880);
    const balance = BigInt((await rpc('Filecoin.StateGetActor', [miner, genesis])).Balance);
    const available = BigInt(await rpc('Filecoin.StateMinerAvailableBalance', [miner, genesis]));
    assert.equal(available, balance - CREATE_MINER_DEPOSIT - BigInt(State.InitialPledge));
  });

  test('the provider\'s table through the MinerAPI call is the one Lotus\'s state shows; the unlocked quarter is what it can withdraw', async () => {
    const [miner] = (await rpc('Filecoin.StateListMiners', [null])) as string[];
    const minerId = Number(miner!.slice(2));
    for (let i = 0; i < 5; i++) await rpc('evm_mine');

    // MinerAPI.getVestingFunds: call_actor_id of GetVestingFunds, read-only, its CBOR [[epoch, amount]...].
    const [exitCode, , data] = await caller.callById!.staticCall(minerId, methodNumber('GetVestingFunds'), 0, 1, 0, '0x');
    assert.equal(exitCode, 0n);
    const [funds] = decodeCbor<[[number, Uint8Array][]]>(hexToBytes(data));
    const table = funds.map(([epoch, amount]) => ({ epoch, amount: decodeBigInt(amount) }));
    // Every tipset's reward went to the one provider (a tipset a reward, 5 FIL each), three quarters locked.
    const { State } = await rpc('Filecoin.StateReadState', [miner, null]);
    const rewarded = BigInt((await rpc('Filecoin.StateReadState', ['t02', null])).State.TotalStoragePowerReward);
    assert.ok(rewarded >= 6n * REWARD);
    assert.equal(BigInt(State.LockedFunds), table.reduce((sum, f) => sum + f.amount, 0n));
    // Beside the creation deposit it has locked since genesis.
    assert.ok(BigInt(State.LockedFunds) >= (rewarded * 3n) / 4n + CREATE_MINER_DEPOSIT);
    // The state's VestingFunds: the first fund inline, the others in the tail block ChainReadObj reads.
    assert.deepEqual(State.VestingFunds.Head, { Epoch: table[0]!.epoch, Amount: table[0]!.amount.toString() });
    const tail = decodeCbor<[number, Uint8Array][]>(Buffer.from(await rpc('Filecoin.ChainReadObj', [State.VestingFunds.Tail]), 'base64'));
    assert.deepEqual(tail.map(([epoch, amount]) => ({ epoch, amount: decodeBigInt(amount) })), table.slice(1));
    // Steps on 12-hour marks from the proving period's start, the first a day after the first reward, the last 180 days after the last.
    const head = Number(await rpc('eth_blockNumber'));
    const { PeriodStart } = await rpc('Filecoin.StateMinerProvingDeadline', [miner, null]);
    assert.ok(table.every((f) => (((f.epoch - PeriodStart) % 1440) + 1440) % 1440 === 0));
    assert.ok(table[0]!.epoch > 2880 && table[0]!.epoch <= 2880 + 1440 + head);
    assert.ok(table.at(-1)!.epoch >= 180 * 2880 && table.at(-1)!.epoch <= 180 * 2880 + 1440 + head);

    // Available: the balance less what is locked (nothing has vested).
    const balance = BigInt((await rpc('Filecoin.StateGetActor', [miner, null])).Balance);
    const available = BigInt(await rpc('Filecoin.StateMinerAvailableBalance', [miner, null]));
    assert.equal(available, balance - BigInt(State.LockedFunds) - BigInt(State.InitialPledge) - BigInt(State.PreCommitDeposits) - BigInt(State.FeeDebt));

    // The owner asks for everything: WithdrawBalance (16) pays the available balance only.
    const owner = deriveStorageProviderKeys(DEFAULT_MNEMONIC, 1)[0]!.address.toString();
    const params = Buffer.from(encodeCbor([encodeBigInt(1000n * REWARD)])).toString('base64');
    const signed = await rpc('Filecoin.MpoolPushMessage', [{ From: owner, To: miner, Value: '0', Method: 16, Params: params }, null]);
    const { Receipt, Height } = await rpc('Filecoin.StateWaitMsg', [signed.CID, 0, 100, false]);
    assert.equal(Receipt.ExitCode, 0);
    const before = await rpc('Filecoin.ChainGetTipSetByHeight', [Height - 1, null]);
    const availableBefore = BigInt(await rpc('Filecoin.StateMinerAvailableBalance', [miner, before.Cids]));
    assert.equal(decodeBigInt(decodeCbor<Uint8Array>(Buffer.from(Receipt.Return, 'base64'))), availableBefore);
  });
});
