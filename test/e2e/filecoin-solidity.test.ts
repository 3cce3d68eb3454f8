// filecoin-solidity (npm filecoin-solidity-api, unmodified) against the devnet CLI, in a contract
// compiled with solc-js (imports from node_modules, as Hardhat resolves them; not through Hardhat
// itself), as a DataDAO or deal-making developer's contract uses it: it calls the library's MarketAPI,
// MinerAPI, PowerAPI, DataCapAPI, VerifRegAPI, AccountAPI, SendAPI and PrecompilesAPI, and each answer
// is checked against what the node's Filecoin.* JSON-RPC reports for the same actor, over HTTP with
// ethers. The library decodes the actors' CBOR itself, so a wrong method number, shape or encoding
// in the devnet's actors shows here as a wrong value or a revert.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { Contract, ContractFactory, Interface, type ContractTransactionReceipt } from 'ethers';
import { base58btc } from 'multiformats/bases/base58';
import { FilAddress } from '../../src/common/address.js';
import { CID, encodeBigInt, encodeCbor } from '../../src/common/cbor.js';
import { bytesToHex, hexToBytes } from '../../src/common/hex.js';
import { computePieceCid } from '../../src/devnet/storage-providers/piece-cid.js';
import { methodNumber } from '../../src/fevm/actors/runtime.js';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';
import { mineUntilActive } from '../helpers/fork-calls.js';
import { compileSolidity, REPO_ROOT } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';
import { MIN_DATACAP, randomVerifiedPiece } from '../helpers/verified-piece.js';

/** The npm packages the contract's imports reach: the library and its Solidity dependencies. */
const LIBRARY_PACKAGES = ['filecoin-solidity-api', 'solidity-cborutils', '@ensdomains/buffer'];
const DEAL_PROVIDER = 't0111';
/** The other genesis provider, whose owner proposes a new owner and beneficiary here. */
const CHANGED_MINER = 't0113';
const PRICE_PER_EPOCH = 1_000_000n;
/** A deal's label as deal-making clients write it: the payload's root CID, as a string. */
const DEAL_LABEL = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi';
const MiB = 1n << 20n;
const CLIENT_COLLATERAL = '7000';
const PROVIDER_COLLATERAL = '9000';
/** Epochs before a new worker key takes effect: builtin-actors WORKER_KEY_CHANGE_DELAY = CHAIN_FINALITY (runtime/src/runtime/policy.rs), as on calibnet. */
const WORKER_KEY_CHANGE_DELAY = 900;
/** builtin-actors datacap INFINITE_ALLOWANCE (actors/datacap/src/lib.rs): what a verified client's mint lets the market spend. */
const INFINITE_ALLOWANCE = 10n ** 39n;
/** The contract's revert on an exit code the library answers. */
const contractErrors = new Interface(['error ActorCallFailed(int256 exitCode)']);

/** A filecoin-solidity CommonTypes.BigInt ({val: big-endian magnitude, neg}) as a bigint. */
const bigInt = ([val, neg]: [string, boolean]): bigint => (neg ? -1n : 1n) * (val === '0x' ? 0n : BigInt(val));
/** An address's byte form, as FilAddresses.fromBytes takes it and the library answers addresses. */
const addressBytes = (address: string) => bytesToHex(FilAddress.parse(address).bytes);
const actorId = (address: string) => FilAddress.parse(address).id!;
/** Dev account `i`'s f410 address. */
const ethAccount = (i: number) => FilAddress.fromEthAddress(hexToBytes(DEV_ACCOUNTS[i]!.address)).toString();

describe('filecoin-solidity (the real library) against the devnet', () => {
  const devnet = useDevnet();
  let user: Contract;
  let dealId: number;
  /** The block the contract was deployed in, before the deal was proposed. */
  let deployedAt: number;
  const rpc = (method: string, params: unknown[] = []) => devnet.provider.send(method, params);
  const mined = async (tx: Promise<{ wait(): Promise<ContractTransactionReceipt | null> }>) => (await (await tx).wait())!;
  /** The exit code the library answered, with which the contract's `call` reverted. */
  const exitCodeOf = async (call: Promise<unknown>): Promise<bigint> => {
    const error = await call.then(() => assert.fail('the call did not revert'), (e: { data?: string }) => e);
    return contractErrors.decodeErrorResult('ActorCallFailed', error.data!)[0] as bigint;
  };
  /** Pushes a message from an f1 key the node holds and waits for it; its receipt. */
  const push = async (message: Record<string, unknown>) => {
    const signed = await rpc('Filecoin.MpoolPushMessage', [{ Value: '0', ...message }, null]);
    return (await rpc('Filecoin.StateWaitMsg', [signed.CID, 1, -1, true])).Receipt;
  };

  before(async () => {
    const source = readFileSync(join(REPO_ROOT, 'test/fixtures/filecoin-solidity/FilecoinSolidityUser.sol'), 'utf8');
    const { FilecoinSolidityUser } = await compileSolidity({ 'FilecoinSolidityUser.sol': source }, LIBRARY_PACKAGES);
    user = (await new ContractFactory(FilecoinSolidityUser!.abi, FilecoinSolidityUser!.bytecode, devnet.wallet).deploy()) as Contract;
    deployedAt = (await user.deploymentTransaction()!.wait())!.blockNumber;
    // A deal the node's storage provider publishes and seals (in the next tipsets), for its client.
    const piece = computePieceCid(new Uint8Array(3000).map((_, i) => i % 251));
    ({ dealId } = await rpc('devnet_proposeDeal', [
      { pieceCid: piece.cid.toString(), pieceSize: piece.size, provider: DEAL_PROVIDER, storagePricePerEpoch: String(PRICE_PER_EPOCH), label: DEAL_LABEL, clientCollateral: CLIENT_COLLATERAL, providerCollateral: PROVIDER_COLLATERAL },
    ]));
    await mineUntilActive(devnet.url, dealId, 1);
  });

  test('MarketAPI: the deal\'s client, provider, term, activation, piece, price, label, collaterals and verified flag are StateMarketStorageDeal\'s', async () => {
    const { Proposal, State } = await rpc('Filecoin.StateMarketStorageDeal', [dealId, null]);
    const deal = await user.deal!(dealId);
    assert.equal(deal.client, BigInt(actorId(await rpc('Filecoin.StateLookupID', [Proposal.Client, null]))));
    assert.equal(deal.provider, BigInt(actorId(Proposal.Provider)));
    // builtin-actors' GetDealTermReturn is [start, duration] (actors/market/src/types.rs), the
    // library's `start` and `duration`.
    assert.deepEqual([deal.term.start, deal.term.duration], [BigInt(Proposal.StartEpoch), BigInt(Proposal.EndEpoch - Proposal.StartEpoch)]);
    // Not terminated is -1 (SlashEpoch), which the library's CBOR reader (readInt64 drops the sign
    // of a negative integer) hands back as 0, as it does against calibnet.
    assert.equal(State.SlashEpoch, -1);
    assert.deepEqual([...deal.activation], [BigInt(State.SectorStartEpoch), 0n]);
    // The piece CID as the library reads a CBOR CID (tag 42): its bytes after DAG-CBOR's 0x00 prefix.
    const pieceCid = CID.parse(Proposal.PieceCID['/']).bytes;
    assert.deepEqual([...deal.commitment], [bytesToHex(Uint8Array.of(0, ...pieceCid)), BigInt(Proposal.PieceSize)]);
    assert.equal(bigInt(deal.totalPrice), BigInt(Proposal.StoragePricePerEpoch) * BigInt(Proposal.EndEpoch - Proposal.StartEpoch));

    // The label (a string here: the library's DealLabel {data, isString}), the collaterals and the
    // verified flag, from the market's GetDealLabel, GetDealClientCollateral,
    // GetDealProviderCollateral and GetDealVerified.
    const terms = await user.dealTerms!(dealId);
    assert.deepEqual([Proposal.Label, Proposal.ClientCollateral, Proposal.ProviderCollateral, Proposal.VerifiedDeal], [DEAL_LABEL, CLIENT_COLLATERAL, PROVIDER_COLLATERAL, false]);
    assert.deepEqual(
      [terms.label.isString, Buffer.from(terms.label.data.slice(2), 'hex').toString(), bigInt(terms.clientCollateral), bigInt(terms.providerCollateral), terms.verified],
      [true, DEAL_LABEL, BigInt(CLIENT_COLLATERAL), BigInt(PROVIDER_COLLATERAL), false],
    );

    // At a block before the proposal, the deal is not there yet: the market's USR_NOT_FOUND (17).
    assert.equal(await exitCodeOf(user.deal!(dealId, { blockTag: deployedAt })), 17n);
    assert.equal(await exitCodeOf(user.dealTerms!(dealId, { blockTag: deployedAt })), 17n);

    // In a transaction, as a DataDAO records the deal it checked.
    const receipt = await mined(user.recordDeal!(dealId));
    const [event] = receipt.logs.map((log) => user.interface.parseLog(log)!);
    assert.deepEqual([...event!.args], [BigInt(dealId), deal.client, deal.provider, BigInt(State.SectorStartEpoch)]);
  });

  test('MarketAPI: a deal slashed with its sector is gone, as StateMarketStorageDeal says: EX_DEAL_EXPIRED (32); an ID never used, USR_NOT_FOUND (17)', async () => {
    const piece = computePieceCid(new Uint8Array(2000).map((_, i) => (i * 7) % 251));
    const { dealId: slashed } = await rpc('devnet_proposeDeal', [{ pieceCid: piece.cid.toString(), pieceSize: piece.size, provider: DEAL_PROVIDER }]);
    // Mined until StateMarketStorageDeal has the deal active: the provider seals in tipsets of its
    // own, and after a single evm_mine the call (run at the epoch after the head) could already see
    // it activated while StateMarketStorageDeal still said -1 (U92: 11 against -1, 2 runs in 14).
    const { State } = await mineUntilActive(devnet.url, slashed, 1);
    assert.equal((await user.deal!(slashed)).activation.activated, BigInt(State.SectorStartEpoch));
    // Since nv22 the market removes a terminated sector's deals at once (builtin-actors market
    // on_miner_sectors_terminate), so no getter ever sees a terminated epoch other than -1.
    await rpc('devnet_terminateSectors', [DEAL_PROVIDER, [State.SectorNumber]]);
    await assert.rejects(rpc('Filecoin.StateMarketStorageDeal', [slashed, null]), /deal \d+ not found/);
    assert.equal(await exitCodeOf(user.deal!(slashed)), 32n);
    assert.equal(await exitCodeOf(user.deal!(slashed + 1000)), 17n);
  });

  test('MarketAPI escrow: addBalance funds the contract\'s escrow, getBalance is StateMarketBalance\'s, withdrawBalance gives back at most what is there', async () => {
    const address = await user.getAddress();
    const self = FilAddress.fromEthAddress(hexToBytes(address)).toString();
    await mined(user.addEscrow!({ value: 5000n }));
    const market = await rpc('Filecoin.StateMarketBalance', [self, null]);
    assert.deepEqual(market, { Escrow: '5000', Locked: '0' });
    const { balance, locked } = await user.escrow!();
    assert.deepEqual([bigInt(balance), bigInt(locked)], [5000n, 0n]);
    // builtin-actors' WithdrawBalance answers what it withdrew: the amount asked, or all that is free.
    assert.equal(bigInt(await user.withdrawEscrow!.staticCall(9000n)), 5000n);
    const before = await devnet.provider.getBalance(address);
    await mined(user.withdrawEscrow!(2000n));
    assert.equal((await rpc('Filecoin.StateMarketBalance', [self, null])).Escrow, '3000');
    assert.equal(await devnet.provider.getBalance(address), before + 2000n);
  });

  test('MinerAPI: a genesis provider\'s owner, balance, sector size, beneficiary and vesting are StateMinerInfo\'s and its state\'s', async () => {
    const check = async (miner: string) => {
      const info = await rpc('Filecoin.StateMinerInfo', [miner, null]);
      const answer = await user.miner!(actorId(miner));
      assert.deepEqual(answer.owner.map(([data]: [string]) => data), [addressBytes(info.Owner), info.PendingOwnerAddress ? addressBytes(info.PendingOwnerAddress) : '0x']);
      assert.equal(bigInt(answer.availableBalance), BigInt(await rpc('Filecoin.StateMinerAvailableBalance', [miner, null])));
      assert.equal(answer.sectorSize, BigInt(info.SectorSize));
      const [[beneficiary], [quota, usedQuota, expiration]] = answer.beneficiary.active;
      assert.deepEqual(
        [beneficiary, bigInt(quota), bigInt(usedQuota), expiration],
        [addressBytes(info.Beneficiary), BigInt(info.BeneficiaryTerm.Quota), BigInt(info.BeneficiaryTerm.UsedQuota), BigInt(info.BeneficiaryTerm.Expiration)],
      );
      const [[newBeneficiary], newQuota, newExpiration, byBeneficiary, byNominee] = answer.beneficiary.proposed;
      const pending = info.PendingBeneficiaryTerm;
      assert.deepEqual(
        [newBeneficiary, bigInt(newQuota), newExpiration, byBeneficiary, byNominee],
        pending
          ? [addressBytes(pending.NewBeneficiary), BigInt(pending.NewQuota), BigInt(pending.NewExpiration), pending.ApprovedByBeneficiary, pending.ApprovedByNominee]
          : ['0x', 0n, 0n, false, false],
      );
      // The vesting table's entries add up to the miner's LockedFunds; its first is the state's head.
      const { State } = await rpc('Filecoin.StateReadState', [miner, null]);
      const funds = answer.vesting.map(([epoch, amount]: [bigint, [string, boolean]]) => [epoch, bigInt(amount)] as const);
      assert.ok(funds.length > 1, 'the genesis pledge vests over many epochs');
      assert.deepEqual(funds[0], [BigInt(State.VestingFunds.Head.Epoch), BigInt(State.VestingFunds.Head.Amount)]);
      assert.equal(funds.reduce((sum: bigint, [, amount]: readonly [bigint, bigint]) => sum + amount, 0n), BigInt(State.LockedFunds));
      return info;
    };
    const before = await check(CHANGED_MINER);
    assert.equal(before.PendingOwnerAddress, null);

    // Its owner proposes a new owner and a new beneficiary (builtin-actors ChangeOwnerAddress, 23,
    // and ChangeBeneficiary, 30): the library reads both pending proposals.
    const owner = await rpc('Filecoin.StateAccountKey', [before.Owner, null]);
    const nominee = await rpc('Filecoin.StateLookupID', [await rpc('Filecoin.WalletDefaultAddress'), null]);
    const params = (value: unknown) => Buffer.from(encodeCbor(value)).toString('base64');
    assert.equal((await push({ From: owner, To: CHANGED_MINER, Method: 23, Params: params(FilAddress.parse(nominee).bytes) })).ExitCode, 0);
    const beneficiaryChange = [FilAddress.parse(nominee).bytes, encodeBigInt(5_000n), 1_000_000];
    assert.equal((await push({ From: owner, To: CHANGED_MINER, Method: 30, Params: params(beneficiaryChange) })).ExitCode, 0);
    const after = await check(CHANGED_MINER);
    assert.equal(after.PendingOwnerAddress, nominee);
    assert.equal(after.PendingBeneficiaryTerm.NewQuota, '5000');

    // An account is no miner: it takes any exported method and answers nothing, so the library's
    // decoder has no bytes to read (as on calibnet).
    await assert.rejects(user.miner!(actorId(nominee)), /slicing out of range/);
  });

  test('PowerAPI: a provider\'s raw power, the network\'s, the miner count and the count above the consensus minimum are StateMinerPower\'s and StateListMiners\'', async () => {
    const miners: string[] = await rpc('Filecoin.StateListMiners', [null]);
    // The power actor's MinerAboveMinPowerCount, which its MinerConsensusCount answers.
    const aboveMinimum = BigInt((await rpc('Filecoin.StateReadState', ['t04', null])).State.MinerAboveMinPowerCount);
    assert.ok(aboveMinimum > 0n);
    for (const miner of miners) {
      const { MinerPower, TotalPower, HasMinPower } = await rpc('Filecoin.StateMinerPower', [miner, null]);
      const answer = await user.power!(actorId(miner));
      assert.deepEqual(
        [bigInt(answer.miner.raw_byte_power), answer.miner.meets_consensus_minimum, bigInt(answer.network), answer.minerCount, answer.consensusCount],
        [BigInt(MinerPower.RawBytePower), HasMinPower, BigInt(TotalPower.RawBytePower), BigInt(miners.length), aboveMinimum],
      );
    }
    // No claim for an account: builtin-actors' USR_ILLEGAL_ARGUMENT (16).
    assert.equal(await exitCodeOf(user.power!(actorId(await rpc('Filecoin.StateLookupID', [await rpc('Filecoin.WalletDefaultAddress'), null])))), 16n);
  });

  test('PowerAPI.createMiner: the library\'s V1 Window PoSt proof type is refused for a new miner (16), as on calibnet; params with a V1P1 type sent through Actor.callByID make a miner the contract owns', async () => {
    const miners: string[] = await rpc('Filecoin.StateListMiners', [null]);
    const deposit = BigInt(await rpc('Filecoin.StateMinerCreationDeposit', [null]));
    // builtin-actors takes only a BLS account as worker; it must exist on chain, so it is funded first.
    const worker = await rpc('Filecoin.WalletNew', ['bls']);
    await push({ From: await rpc('Filecoin.WalletDefaultAddress'), To: worker, Value: String(10n ** 18n), Method: 0 });
    // builtin-actors takes only the V1P1 types (13 for 32 GiB) for new miners; the library's enum stops at V1 (8).
    assert.equal(await exitCodeOf(user.createMiner!.staticCall(addressBytes(worker), { value: deposit })), 16n);
    // Sent anyway (a gas limit given, so no estimate stops it), it is mined reverted and makes no miner.
    const sent = await user.createMiner!(addressBytes(worker), { value: deposit, gasLimit: 200_000_000n });
    await assert.rejects(sent.wait(), { code: 'CALL_EXCEPTION' });
    assert.equal((await devnet.provider.getTransactionReceipt(sent.hash))!.status, 0);
    assert.deepEqual(await rpc('Filecoin.StateListMiners', [null]), miners);

    const self = FilAddress.fromEthAddress(hexToBytes(await user.getAddress()));
    const params = encodeCbor([self.bytes, FilAddress.parse(worker).bytes, 13, new Uint8Array(), []]);
    const receipt = await mined(user.createMinerWith!(bytesToHex(params), { value: deposit }));
    const [created] = receipt.logs.map((log) => user.interface.parseLog(log)!);
    const [id, robust] = [created!.args[0], created!.args[1]].map((bytes: string) => FilAddress.fromBytes(hexToBytes(bytes)).toString());
    assert.deepEqual(await rpc('Filecoin.StateListMiners', [null]), [...miners, id]);
    assert.equal(await rpc('Filecoin.StateLookupID', [robust, null]), id);
    const info = await rpc('Filecoin.StateMinerInfo', [id, null]);
    assert.deepEqual(
      [info.Owner, info.Worker, info.WindowPoStProofType],
      [await rpc('Filecoin.StateLookupID', [self.toString(), null]), await rpc('Filecoin.StateLookupID', [worker, null]), 13],
    );
  });

  test('DataCapAPI: name, symbol, total supply, a verified client\'s balance (StateVerifiedClientStatus) and its allowances; a contract\'s own allowances up, down and revoked', async () => {
    const client = await rpc('Filecoin.WalletDefaultAddress');
    const operator = await rpc('Filecoin.StateLookupID', [ethAccount(1), null]);
    await rpc('devnet_addVerifiedClient', [client, '2097152']);
    // The client lets an operator spend some of its DataCap (FRC-46 IncreaseAllowance, from its f1 key).
    const increase = [FilAddress.parse(operator).bytes, encodeBigInt(3n * 10n ** 18n)];
    assert.equal((await push({ From: client, To: 't07', Method: methodNumber('IncreaseAllowance'), Params: Buffer.from(encodeCbor(increase)).toString('base64') })).ExitCode, 0);

    const toOperator = await user.datacap!(addressBytes(client), addressBytes(operator));
    assert.deepEqual([toOperator.name, toOperator.symbol], ['DataCap', 'DCAP']);
    // DataCap tokens carry 18 decimals; Lotus reports the client's status in bytes.
    const status = BigInt(await rpc('Filecoin.StateVerifiedClientStatus', [client, null]));
    assert.equal(status, 2_097_152n);
    assert.equal(bigInt(toOperator.balance), status * 10n ** 18n);
    assert.equal(bigInt(toOperator.allowance), 3n * 10n ** 18n);
    // The token's supply is the datacap actor's state's (StateReadState), the client's balance in it.
    const { State } = await rpc('Filecoin.StateReadState', ['t07', null]);
    assert.equal(bigInt(toOperator.totalSupply), BigInt(State.Token.Supply));
    assert.ok(bigInt(toOperator.totalSupply) >= status * 10n ** 18n);
    // The market may spend a verified client's DataCap without limit (verifreg mints with it as operator).
    const toMarket = await user.datacap!(addressBytes(client), addressBytes('t05'));
    assert.equal(bigInt(toMarket.allowance), INFINITE_ALLOWANCE);

    // The contract, a holder of no DataCap, sets an operator's allowance: up 5, down 2, then revoked.
    const self = addressBytes(await rpc('Filecoin.StateLookupID', [FilAddress.fromEthAddress(hexToBytes(await user.getAddress())).toString(), null]));
    await mined(user.allowDataCap!(addressBytes(operator), 5n * 10n ** 18n, 2n * 10n ** 18n));
    assert.equal(bigInt((await user.datacap!(self, addressBytes(operator))).allowance), 3n * 10n ** 18n);
    await mined(user.revokeDataCap!(addressBytes(operator)));
    assert.equal(bigInt((await user.datacap!(self, addressBytes(operator))).allowance), 0n);
    // A decrease past what is left leaves zero, as frc46's change_allowance_by clamps it.
    await mined(user.allowDataCap!(addressBytes(operator), 1n, 2n));
    assert.equal(bigInt((await user.datacap!(self, addressBytes(operator))).allowance), 0n);
  });

  test('VerifRegAPI: getClaims answers a verified deal\'s claim as StateGetClaims lists it, and a missing claim as a batch failure (USR_NOT_FOUND)', async () => {
    const client = await rpc('Filecoin.WalletDefaultAddress');
    await rpc('devnet_addVerifiedClient', [client, MIN_DATACAP]);
    const piece = randomVerifiedPiece();
    const { dealId: verified } = await rpc('devnet_proposeDeal', [{ pieceCid: piece.cid.toString(), pieceSize: piece.size, provider: DEAL_PROVIDER, verifiedDeal: true }]);
    await mineUntilActive(devnet.url, verified, 1);
    assert.equal((await user.dealTerms!(verified)).verified, true);
    const listed: Record<string, { Provider: number; Client: number; Data: { '/': string }; Size: number; TermMin: number; TermMax: number; TermStart: number; Sector: number }> =
      await rpc('Filecoin.StateGetClaims', [DEAL_PROVIDER, null]);
    const [claimId, claim] = Object.entries(listed).find(([, c]) => c.Data['/'] === piece.cid.toString())!;
    const answer = await user.claims!(actorId(DEAL_PROVIDER), [Number(claimId), 999]);
    const [[successes, failures], claims] = answer;
    assert.deepEqual([successes, failures.map((f: [bigint, bigint]) => [...f])], [1n, [[1n, 17n]]]);
    assert.deepEqual(
      [...claims[0]],
      [claim.Provider, claim.Client, bytesToHex(Uint8Array.of(0, ...piece.cid.bytes)), claim.Size, claim.TermMin, claim.TermMax, claim.TermStart, claim.Sector].map(
        (v) => (typeof v === 'number' ? BigInt(v) : v),
      ),
    );
  });

  test('VerifRegAPI.addVerifiedClient: the contract, made a verifier through the root key (AddVerifier proposed by its signer), grants DataCap, as Fil+ contract allocators do', async () => {
    const client = await rpc('Filecoin.WalletNew', ['secp256k1']);
    assert.equal((await push({ From: await rpc('Filecoin.WalletDefaultAddress'), To: client, Value: String(10n ** 18n) })).ExitCode, 0);
    // Not a verifier yet: the registry's USR_NOT_FOUND (17).
    assert.equal(await exitCodeOf(user.grantDataCap!.staticCall(addressBytes(client), 2n * MiB)), 17n);

    const self = FilAddress.fromEthAddress(hexToBytes(await user.getAddress())).toString();
    const rootKey = await rpc('Filecoin.StateVerifiedRegistryRootKey', [null]);
    const { State } = await rpc('Filecoin.StateReadState', [rootKey, null]);
    const signer = await rpc('Filecoin.StateAccountKey', [State.Signers[0], null]);
    const addVerifier = Buffer.from(encodeCbor([FilAddress.parse(self).bytes, encodeBigInt(10n * MiB)])).toString('base64');
    const proposal = await rpc('Filecoin.MsigPropose', [rootKey, 't06', '0', signer, 2, addVerifier]);
    assert.equal((await push(proposal.Message)).ExitCode, 0);
    assert.equal(await rpc('Filecoin.StateVerifierStatus', [self, null]), String(10n * MiB));

    await mined(user.grantDataCap!(addressBytes(client), 2n * MiB));
    assert.equal(await rpc('Filecoin.StateVerifiedClientStatus', [client, null]), String(2n * MiB));
    assert.equal(await rpc('Filecoin.StateVerifierStatus', [self, null]), String(8n * MiB));
    // Below the registry's minimum allocation (1 MiB): USR_ILLEGAL_ARGUMENT (16).
    assert.equal(await exitCodeOf(user.grantDataCap!.staticCall(addressBytes(client), MiB - 1n)), 16n);
  });

  test('AccountAPI: authenticateMessage takes the f1 key\'s WalletSign signature and refuses another message', async () => {
    const client = await rpc('Filecoin.WalletDefaultAddress');
    const message = new TextEncoder().encode('a DataDAO membership');
    const signature = await rpc('Filecoin.WalletSign', [client, Buffer.from(message).toString('base64')]);
    const account = actorId(await rpc('Filecoin.StateLookupID', [client, null]));
    const signatureBytes = bytesToHex(Buffer.from(signature.Data, 'base64'));
    await user.authenticate!(account, signatureBytes, bytesToHex(message));
    // builtin-actors' account refuses a signature that does not verify with USR_ILLEGAL_ARGUMENT (16)
    // and no return; the library decodes that missing bool before it looks at the exit code, so the
    // call reverts in its CBOR reader, as against calibnet.
    await assert.rejects(user.authenticate!(account, signatureBytes, bytesToHex(new TextEncoder().encode('another message'))), /slicing out of range/);
  });

  test('SendAPI: FIL to an f1 address, to a new f1 (which the send creates) and to an f0 ID, as WalletBalance reports', async () => {
    const client = await rpc('Filecoin.WalletDefaultAddress');
    const balance = async (address: string) => BigInt(await rpc('Filecoin.WalletBalance', [address]));
    const before = await balance(client);
    await mined(user.sendTo!(addressBytes(client), { value: 1234n }));
    assert.equal(await balance(client), before + 1234n);

    const fresh = await rpc('Filecoin.WalletNew', ['secp256k1']);
    await assert.rejects(rpc('Filecoin.StateLookupID', [fresh, null]), /not found/);
    await mined(user.sendTo!(addressBytes(fresh), { value: 10n ** 15n }));
    assert.equal(await balance(fresh), 10n ** 15n);
    const freshId = await rpc('Filecoin.StateLookupID', [fresh, null]);

    await mined(user.sendToId!(actorId(freshId), { value: 1n }));
    assert.equal(await balance(fresh), 10n ** 15n + 1n);
  });

  test('PrecompilesAPI: resolveAddress is StateLookupID, lookupDelegatedAddress is an EVM account\'s f410 (StateLookupRobustAddress)', async () => {
    const client = await rpc('Filecoin.WalletDefaultAddress');
    assert.equal(await user.resolve!(addressBytes(client)), BigInt(actorId(await rpc('Filecoin.StateLookupID', [client, null]))));
    const dev = ethAccount(0);
    const devId = await rpc('Filecoin.StateLookupID', [dev, null]);
    assert.equal(await user.resolve!(addressBytes(dev)), BigInt(actorId(devId)));
    const robust = await rpc('Filecoin.StateLookupRobustAddress', [devId, null]);
    assert.equal(robust, dev);
    assert.equal(await user.delegatedAddress!(actorId(devId)), addressBytes(robust));
  });

  // FIL staking pools hand a provider to a contract: its owner proposes the contract, which confirms
  // and then acts as the owner (builtin-actors actors/miner/src/lib.rs at 01b70372, change_owner_address,
  // change_peer_id, change_multiaddresses, withdraw_balance, change_worker_address,
  // confirm_change_worker_address, change_beneficiary, repay_debt). Runs after the
  // MinerAPI test above, which needs the genesis owner; it makes its own proposals, which replace that test's.
  test('MinerAPI as a provider\'s owner: the contract confirms ownership with its f0 (its f410 is refused, 16), sets peer ID and multiaddresses, withdraws, changes its worker and beneficiary, as StateMinerInfo reports, and calls RepayDebt with no debt (success, FeeDebt stays 0)', async () => {
    const contractF410 = FilAddress.fromEthAddress(hexToBytes(await user.getAddress())).toString();
    const contractId = await rpc('Filecoin.StateLookupID', [contractF410, null]);
    const before = await rpc('Filecoin.StateMinerInfo', [CHANGED_MINER, null]);
    assert.equal(before.Beneficiary, before.Owner);
    const owner = await rpc('Filecoin.StateAccountKey', [before.Owner, null]);
    const params = (value: unknown) => Buffer.from(encodeCbor(value)).toString('base64');
    // A beneficiary change, which the new owner's confirmation is to drop, then the contract as owner.
    const nominee = await rpc('Filecoin.StateLookupID', [await rpc('Filecoin.WalletDefaultAddress'), null]);
    const beneficiaryChange = [FilAddress.parse(nominee).bytes, encodeBigInt(7_000n), 1_000_000];
    assert.equal((await push({ From: owner, To: CHANGED_MINER, Method: 30, Params: params(beneficiaryChange) })).ExitCode, 0);
    assert.equal((await push({ From: owner, To: CHANGED_MINER, Method: 23, Params: params(FilAddress.parse(contractId).bytes) })).ExitCode, 0);
    const offered = await rpc('Filecoin.StateMinerInfo', [CHANGED_MINER, null]);
    assert.deepEqual([offered.PendingOwnerAddress, offered.PendingBeneficiaryTerm?.NewQuota], [contractId, '7000']);

    // The miner actor takes only an ID address as owner, the proposal's as the confirmation's.
    const miner = actorId(CHANGED_MINER);
    assert.equal(await exitCodeOf(user.confirmOwner!(miner, addressBytes(contractF410))), 16n);
    await mined(user.confirmOwner!(miner, addressBytes(contractId)));
    const owned = await rpc('Filecoin.StateMinerInfo', [CHANGED_MINER, null]);
    // The beneficiary was the old owner, so it follows; the pending beneficiary change is dropped.
    assert.deepEqual([owned.Owner, owned.PendingOwnerAddress, owned.Beneficiary, owned.PendingBeneficiaryTerm], [contractId, null, contractId, null]);

    // An ed25519 libp2p peer ID (identity multihash) and /ip4/127.0.0.1/tcp/31337.
    const peerId = hexToBytes('0x002408011220' + '5a'.repeat(32));
    const multiaddr = hexToBytes('0x047f000001067a69');
    await mined(user.setPeerInfo!(miner, peerId, [multiaddr]));
    const peered = await rpc('Filecoin.StateMinerInfo', [CHANGED_MINER, null]);
    assert.equal(peered.PeerId, base58btc.baseEncode(peerId));
    assert.deepEqual(peered.Multiaddrs, [Buffer.from(multiaddr).toString('base64')]);
    const [[readPeerId], readAddrs, controlling] = await user.peerInfo!(miner, addressBytes(contractId));
    assert.deepEqual([readPeerId, readAddrs.map(([bytes]: [string]) => bytes), controlling], [bytesToHex(peerId), [bytesToHex(multiaddr)], true]);
    // The old owner is still the worker, so it still controls; an account that is neither does not.
    assert.equal((await user.peerInfo!(miner, addressBytes(before.Worker)))[2], true);
    assert.equal((await user.peerInfo!(miner, addressBytes(await rpc('Filecoin.WalletDefaultAddress'))))[2], false);

    // Withdrawn funds go to the beneficiary: the contract.
    const available = BigInt(await rpc('Filecoin.StateMinerAvailableBalance', [CHANGED_MINER, null]));
    assert.ok(available > 1000n, `available ${available}`);
    const held = await devnet.provider.getBalance(await user.getAddress());
    await mined(user.withdrawFromMiner!(miner, 1000n));
    assert.equal(await devnet.provider.getBalance(await user.getAddress()), held + 1000n);

    // A new worker must be an account on chain; the change waits out the miner's delay.
    const worker = await rpc('Filecoin.WalletNew', ['bls']);
    assert.equal((await push({ From: await rpc('Filecoin.WalletDefaultAddress'), To: worker, Value: '1000' })).ExitCode, 0);
    const proposed = await mined(user.proposeWorker!(miner, addressBytes(worker)));
    const changing = await rpc('Filecoin.StateMinerInfo', [CHANGED_MINER, null]);
    assert.deepEqual([changing.Worker, changing.NewWorker], [before.Worker, await rpc('Filecoin.StateLookupID', [worker, null])]);
    assert.equal(changing.WorkerChangeEpoch, proposed.blockNumber + WORKER_KEY_CHANGE_DELAY);
    // Confirmed too early, builtin-actors changes nothing and answers success (process_pending_worker);
    // once the delay is mined, the worker changes.
    await mined(user.confirmWorker!(miner));
    assert.deepEqual(await rpc('Filecoin.StateMinerInfo', [CHANGED_MINER, null]), changing);
    await rpc('anvil_mine', [changing.WorkerChangeEpoch - (await devnet.provider.getBlockNumber())]);
    await mined(user.confirmWorker!(miner));
    const changed = await rpc('Filecoin.StateMinerInfo', [CHANGED_MINER, null]);
    assert.deepEqual([changed.Worker, changed.NewWorker, changed.WorkerChangeEpoch], [changing.NewWorker, '<empty>', -1]);

    // The contract, owner and beneficiary, proposes a lender as beneficiary; the lender's approval
    // (the same ChangeBeneficiary, 30, from its key) makes it one.
    const lender = await rpc('Filecoin.WalletNew', ['secp256k1']);
    assert.equal((await push({ From: await rpc('Filecoin.WalletDefaultAddress'), To: lender, Value: String(10n ** 18n) })).ExitCode, 0);
    const expiration = (await devnet.provider.getBlockNumber()) + 1_000_000;
    await mined(user.proposeBeneficiary!(miner, addressBytes(lender), 8_000n, expiration));
    const pending = (await rpc('Filecoin.StateMinerInfo', [CHANGED_MINER, null])).PendingBeneficiaryTerm;
    const lenderId = await rpc('Filecoin.StateLookupID', [lender, null]);
    assert.deepEqual(
      [pending.NewBeneficiary, pending.NewQuota, pending.NewExpiration, pending.ApprovedByBeneficiary, pending.ApprovedByNominee],
      // The current beneficiary (the owner, whose term is empty) has nothing available, so
      // builtin-actors counts its approval as given.
      [lenderId, '8000', expiration, true, false],
    );
    const approval = Buffer.from(encodeCbor([FilAddress.parse(lender).bytes, encodeBigInt(8_000n), expiration])).toString('base64');
    assert.equal((await push({ From: lender, To: CHANGED_MINER, Method: 30, Params: approval })).ExitCode, 0);
    const lent = await rpc('Filecoin.StateMinerInfo', [CHANGED_MINER, null]);
    assert.deepEqual([lent.Beneficiary, lent.BeneficiaryTerm, lent.PendingBeneficiaryTerm], [lenderId, { Quota: '8000', UsedQuota: '0', Expiration: expiration }, null]);

    // No fee debt: RepayDebt answers success (the library's exit code 0, so the call did not revert).
    const feeDebt = async () => (await rpc('Filecoin.StateReadState', [CHANGED_MINER, null])).State.FeeDebt;
    assert.equal(await feeDebt(), '0');
    assert.equal((await mined(user.repayMinerDebt!(miner))).status, 1);
    assert.equal(await feeDebt(), '0');
  });
});
