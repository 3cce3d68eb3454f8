// FIP-0098's miner getters over the wire, against the devnet CLI (fidaudit F9): a user's collateral
// contract (compiled with solc, deployed and read with viem over HTTP) reads a storage provider's initial
// pledge and a sector's maximum termination fee through call_actor_id, as on calibnet since builtin-actors
// v16; a Lotus client reaches the same methods with StateCall and decodes their params with StateDecodeParams.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Address } from 'viem';
import { decodeBigInt, decodeCbor, encodeBigInt, encodeCbor } from '../../src/common/cbor.js';
import { CREATE_MINER_DEPOSIT } from '../../src/fevm/actors/power.js';
import { masked } from '../helpers/fork-calls.js';
import { glifClient, type LotusClient } from '../helpers/glif.js';
import { compileFixtures, type CompiledContract } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';
import { deployFixture, devnetClients, type DevnetClients } from '../helpers/viem-devnet.js';
import { PLEDGE_32GIB } from '../helpers/pledge.js';

const FIL = 10n ** 18n;
const GIB_32 = 32n << 30n;
/** builtin-actors v18 actors/miner/src/lib.rs: method_hash!("InitialPledge"), method_hash!("MaxTerminationFee"). */
const INITIAL_PLEDGE = 3180523767;
const MAX_TERMINATION_FEE = 4127382196;

describe('FIP-0098: a miner\'s InitialPledge and MaxTerminationFee from a contract and a Lotus client', () => {
  const devnet = useDevnet();
  let reader: CompiledContract;
  let address: Address;
  let lotus: LotusClient;
  let publicClient: DevnetClients['publicClient'];
  let miner: string;
  let minerId: bigint;

  before(async () => {
    reader = (await compileFixtures()).MinerPledgeReader!;
    lotus = glifClient(devnet.url);
    const clients = devnetClients(devnet.url, 4);
    publicClient = clients.publicClient;
    address = await deployFixture(clients, reader);
    [miner] = await lotus.request('StateListMiners', null);
    minerId = BigInt(miner.slice(2));
  });

  const read = async (functionName: string, args: unknown[]) => (await publicClient.readContract({ address, abi: reader.abi, functionName, args })) as [bigint, bigint];

  test('the contract reads the pledge Lotus shows in the miner\'s state, and the 8.5% fee of a sector at the age cap', async () => {
    // A genesis storage provider's sectors carry Lotus's pre-seal pledge (1 attoFIL each): what the state says, 10 here.
    const { State } = await lotus.request('StateReadState', miner, null);
    assert.equal(State.InitialPledge, '10');
    assert.deepEqual(await read('initialPledge', [minerId]), [0n, BigInt(State.InitialPledge)]);
    // 8.5% of a 10 FIL pledge is above 2% of it and above 105% of a 32 GiB sector's fault fee.
    assert.deepEqual(await read('maxTerminationFee', [minerId, GIB_32, 10n * FIL]), [0n, (85n * FIL) / 100n]);
  });

  test('a Lotus client reaches both with StateCall; StateDecodeParams knows MaxTerminationFee\'s params', async () => {
    const [from] = await lotus.request('WalletList');
    const call = async (Method: number, params: unknown) =>
      (await lotus.request('StateCall', { From: from, To: miner, Value: '0', Method, Params: params === null ? null : Buffer.from(encodeCbor(params)).toString('base64') }, null)).MsgRct;
    const pledge = await call(INITIAL_PLEDGE, null);
    assert.equal(pledge.ExitCode, 0);
    const { State } = await lotus.request('StateReadState', miner, null);
    assert.equal(decodeBigInt(decodeCbor<Uint8Array>(new Uint8Array(Buffer.from(pledge.Return, 'base64')))).toString(), State.InitialPledge);
    const params = [encodeBigInt(GIB_32), encodeBigInt(FIL)];
    const fee = await call(MAX_TERMINATION_FEE, params);
    assert.equal(fee.ExitCode, 0);
    assert.ok(decodeBigInt(decodeCbor<Uint8Array>(new Uint8Array(Buffer.from(fee.Return, 'base64')))) >= (85n * FIL) / 1000n);
    const encoded = Buffer.from(encodeCbor(params)).toString('base64');
    assert.equal(encoded, 'gkYACAAAAABJAA3gtrOnZAAA');
    assert.deepEqual(await lotus.request('StateDecodeParams', miner, MAX_TERMINATION_FEE, encoded, null), { Power: GIB_32.toString(), InitialPledge: FIL.toString() });
  });
});

// Lotus b835fab70 chain/gen/genesis/miners.go SetupStorageMiners: the worker sends each pre-sealed sector's
// pre-commit deposit and pledge; builtin-actors v18's InternalSectorSetupForPreseal locks 1 attoFIL of it.
describe("a genesis storage provider's funds at epoch 0, as Lotus's genesis leaves a pre-sealed miner's", () => {
  const devnet = useDevnet();

  test('its pledge, balance and available balance, the power actor\'s pledge total and its owner\'s balance; a new sector still pledges at the devnet\'s rate', async () => {
    const lotus = glifClient(devnet.url);
    const [miner] = await lotus.request('StateListMiners', null);
    const genesis = (await lotus.request('ChainGetGenesis')).Cids;
    const { State } = await lotus.request('StateReadState', miner, genesis);
    // Its creation deposit locked since its CreateMiner (vesting), beside its pre-seal pledge.
    assert.deepEqual([State.InitialPledge, State.PreCommitDeposits, State.LockedFunds, State.FeeDebt, State.DeadlineCronActive], ['10', '0', CREATE_MINER_DEPOSIT.toString(), '0', true]);
    assert.equal((await lotus.request('StateMinerSectors', miner, null, genesis))[0].InitialPledge, '1');
    // 10 CC 32 GiB sectors: a deposit and a pledge each of builtin-actors' capped pledge, 29 103 830 attoFIL a byte
    // (1 FIL less 15 693 250 560 attoFIL a sector), and the creation deposit.
    const sectorFunds = 20n * PLEDGE_32GIB;
    const { Balance } = await lotus.request('StateGetActor', miner, genesis);
    assert.equal(Balance, (sectorFunds + CREATE_MINER_DEPOSIT).toString());
    assert.equal(await lotus.request('StateMinerAvailableBalance', miner, genesis), (sectorFunds - 10n).toString());
    // The same FIL from the Ethereum side: the miner's masked ID address.
    assert.equal(await devnet.provider.getBalance(masked(miner), 0), sectorFunds + CREATE_MINER_DEPOSIT);
    // The pre-seal pledge alone: the constructor locks the deposit without telling the power actor.
    assert.equal((await lotus.request('StateReadState', 't04', genesis)).State.TotalPledgeCollateral, '20');
    // Its owner keeps a dev account's balance, as the banner says.
    const { Owner } = await lotus.request('StateMinerInfo', miner, genesis);
    assert.equal(await lotus.request('WalletBalance', await lotus.request('StateAccountKey', Owner, genesis)), (10_000n * FIL).toString());
    assert.equal(await devnet.provider.getBalance(masked(Owner), 0), 10_000n * FIL);
    // A new 32 GiB CC sector's pledge (2^35 bytes at 29 103 830 attoFIL), with Lotus's 10 % margin.
    const precommit = { SealProof: 8, SectorNumber: 100, SealRandEpoch: 0, DealIDs: null, Expiration: 600_000 };
    assert.equal(await lotus.request('StateMinerInitialPledgeCollateral', miner, precommit, null), ((110n * PLEDGE_32GIB) / 100n).toString());
  });
});
