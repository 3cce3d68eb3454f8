// Each native Filecoin.* method the node serves on /rpc/v1 answers in the shape Lotus's own OpenRPC
// document gives it (build/openrpc/full.json, vendored in test/fixtures/lotus-openrpc): field names and
// their casing, no field missing or added, JSON types, big ints as decimal strings, addresses as
// strings, bytes as base64, CIDs as {"/": …}. The shape is read from the document's example of each
// result, which Lotus produces by marshalling a value of the Go type (test/helpers/openrpc.ts says why
// the schemas beside them cannot be used as they are). The methods are called on the real node, over
// HTTP, with state that makes their answers non-trivial: a mined transfer, Lotus's EventMatrix contract
// and its events, a multisig, a verified deal sealed (a claim) and one pending (an allocation), payment
// channels (the manager's and one it learns from a voucher), a message held in the pool.
// The Eth API is checked under Lotus's names too (Filecoin.Eth*, Net*, Web3*); the last test fails if
// the node serves a Filecoin.* method no test checked, unless it is listed there with its reason.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { FilAddress } from '../../src/common/address.js';
import { decodeCbor } from '../../src/common/cbor.js';
import { deriveNodeKeys } from '../../src/devnet/node-keys.js';
import type { RpcMethod } from '../../src/eth-rpc/define-method.js';
import { allMethods, v0Methods, v2Methods } from '../../src/eth-rpc/methods/index.js';
import { Wallet } from 'ethers';
import { DEV_ACCOUNTS, DEV_MNEMONIC } from '../helpers/devnet-process.js';
import { lotusContractCode, lotusKit } from '../helpers/lotus-contracts.js';
import { lotusResultShapes, schemaErrors } from '../helpers/openrpc.js';
import { openChannelByExec, signedVoucherJson } from '../helpers/paych.js';
import { rawRpc } from '../helpers/raw-rpc.js';
import { useDevnet } from '../helpers/use-devnet.js';
import { MIN_DATACAP, randomVerifiedPiece } from '../helpers/verified-piece.js';

/**
 * Fields Lotus's Go types let be null (a pointer, a nil slice or []byte, an undefined CID), which the
 * document's examples show set; the devnet answers null where Lotus does.
 */
const NULLABLE = new Set([
  'EventsRoot', // MessageReceipt: *cid.Cid, null without events
  'Return', // MessageReceipt: []byte
  'Params', // Message: []byte (ChainGetParentMessages' schema says nothing of its Message)
  'DelegatedAddress', // Actor: *address.Address, set for f4 actors only
  'GasCost.Message', // MsgGasCost: cid.Undef (null) where no gas is accounted: StateCall, implicit messages
  'GasCharges', // ExecutionTrace: []*GasTrace, nil in subcalls
  'PendingOwnerAddress', // MinerInfo: *address.Address
  'PendingBeneficiaryTerm', // MinerInfo: *PendingBeneficiaryChange
  'ExpectedDayReward', // SectorOnChainInfo: *abi.TokenAmount (go-state-types v17), unset since FIP-0100 fees
  'ExpectedStoragePledge', // likewise
  'ReplacedDayReward', // likewise
  'SectorKeyCID', // SectorOnChainInfo: *cid.Cid, set by a replica update only
  'Extra', // SignedVoucher: *ModVerifyParams, set for a voucher that calls an actor
  'WaitSentinel', // ChannelInfo, PaymentInfo: cid.Undef (null) when no message was needed (the channel had the funds)
  'PendingWaitSentinel', // ChannelAvailableFunds: *cid.Cid, set while a funding message is pending
  'contractAddress', // EthTxReceipt: *EthAddress, set by a contract creation only
  'ecFinalizedTipSet', // FinalityStatus: *TipSet, nil while EC's calculator finds no depth (always, on a chain of one block an epoch)
  'f3FinalizedTipSet', // FinalityStatus: *TipSet, nil without an F3 certificate within EC finality
  'stateDiff', // EthTraceReplayBlockTransaction: *string, never set by Lotus
  'vmTrace', // likewise
  // BlockHeader: *crypto.Signature. Lotus's miners sign every block and aggregate its BLS messages'
  // signatures; the devnet signs no block, so both are null (its headers' CBOR says the same).
  'BLSAggregate',
  'BlockSig',
]);
/**
 * Fields tagged `json:",omitempty"`: ExecutionTrace's InvokedActor, Logs and IpldOps (chain/types/execresult.go),
 * EthTx's gasPrice (set for legacy transactions only) and EthTrace's error (chain/types/ethtypes).
 */
const OMIT_EMPTY = new Set(['InvokedActor', 'Logs', 'IpldOps', 'gasPrice', 'error']);
const shapes = lotusResultShapes('lotus-openrpc/full.json.gz', { nullable: NULLABLE, omitEmpty: OMIT_EMPTY });
const gatewayShapes = lotusResultShapes('lotus-openrpc/gateway.json.gz', { nullable: NULLABLE, omitEmpty: OMIT_EMPTY });
const v2Shapes = lotusResultShapes('lotus-openrpc/v2-full.json.gz', { nullable: NULLABLE, omitEmpty: OMIT_EMPTY });
const v0Shapes = lotusResultShapes('lotus-openrpc/v0-gateway.json.gz', { nullable: NULLABLE, omitEmpty: OMIT_EMPTY });
/** Epochs a provider waits before sealing a deal: the test's own tipsets stay well under it, so the second deal's allocation stays pending. */
const SEAL_DELAY = 200;
const word = (n: number) => n.toString(16).padStart(64, '0');
/** builtin-actors paych SETTLE_DELAY (policy.PaychSettleDelay): epochs from Settle to Collect. */
const PAYCH_SETTLE_DELAY = 1440;

describe("Filecoin.* answers in the shapes of Lotus's OpenRPC document (build/openrpc/full.json, b835fab70)", () => {
  const node = useDevnet(['--seal-delay', String(SEAL_DELAY)]);
  let rpc: ReturnType<typeof rawRpc>['rpc'];
  let ok: ReturnType<typeof rawRpc>['ok'];
  let kit: ReturnType<typeof lotusKit>;
  /** The node's default wallet (the deal client), a second key it holds, a genesis miner, the genesis tipset's key. */
  let wallet: string;
  let other: string;
  let miner: string;
  /** The other genesis miner, with a sector declared faulty. */
  let faultyMiner: string;
  let genesisKey: unknown;
  /** A mined transfer (MpoolPushMessage's answer) and its lookup. */
  let transfer: { CID: unknown };
  let lookup: { TipSet: { '/': string }[]; Height: number; Receipt: { EventsRoot: unknown } };
  let eventsRoot: unknown;
  /** The Ethereum hash of the invocation that logged, and a block and a log filter installed before it. */
  let ethHash: string;
  let blockFilter: string;
  let logFilter: string;
  let eventsHeight: number;
  let msig: string;
  /** The tipset that created the multisig, and the params of its pending proposal. */
  let msigKey: unknown;
  let proposeParams: string;
  let claimedDeal: number;
  let pendingDeal: number;
  /** A sector of `miner`. */
  let sector: number;

  /** Every method whose answer a test checked (the last test compares them with what the node serves). */
  const checked = new Set<string>();
  /** Lotus's API versions, each on its path. */
  let endpoints: Record<'v0' | 'v1' | 'v2', ReturnType<typeof rawRpc>['rpc']>;

  /** The answer of `method` must have the document's shape (`document`: full.json's by default, on /rpc/v1), and be there (not null). */
  async function conforms(method: string, params: unknown[], document = shapes, version: keyof typeof endpoints = 'v1'): Promise<any> {
    checked.add(`${version} ${method}`);
    const call = endpoints[version];
    const shape = document.get(method);
    assert.ok(shape, `${method} has an example in the document`);
    const answer = await call(method, ...params);
    assert.equal(answer.error, undefined, `${method}: ${answer.error?.message}`);
    assert.notEqual(answer.result, null, `${method} answered null`);
    const errors = schemaErrors(shape, answer.result).map((error) => `${error.instancePath} ${error.message}`);
    assert.deepEqual(errors, [], `${method}: ${JSON.stringify(answer.result)}`);
    return answer.result;
  }

  before(async () => {
    ({ rpc, ok } = rawRpc(`${node.url}/rpc/v1`));
    endpoints = { v0: rawRpc(`${node.url}/rpc/v0`).rpc, v1: rpc, v2: rawRpc(`${node.url}/rpc/v2`).rpc };
    kit = lotusKit(node.url);
    await kit.ageChain();
    wallet = await kit.sender();
    other = await ok('Filecoin.WalletNew', 'secp256k1');
    [miner, faultyMiner] = await ok('Filecoin.StateListMiners', null);
    genesisKey = (await ok('Filecoin.ChainGetGenesis')).Cids;
    transfer = await ok('Filecoin.MpoolPushMessage', { From: wallet, To: other, Value: String(100n * 10n ** 18n) }, null);
    lookup = await ok('Filecoin.StateWaitMsg', transfer.CID, 0, -1, true);
    blockFilter = await ok('Filecoin.EthNewBlockFilter');
    logFilter = await ok('Filecoin.EthNewFilter', { fromBlock: '0x0' });
    const contract = await kit.deploy('EventMatrix');
    const invoked = await kit.invoke(contract.id, 'logEventThreeIndexedWithData(uint256,uint256,uint256,uint256)', [44, 27, 19, 12].map(word).join(''));
    eventsRoot = invoked.lookup.Receipt.EventsRoot;
    eventsHeight = invoked.lookup.Height;
    ethHash = await ok('Filecoin.EthGetTransactionHashByCid', invoked.cid);
    // A 2-of-2 multisig of the wallet and the new key, with a proposal pending.
    const created = await ok('Filecoin.MsigCreate', 2, [wallet, other], 0, '1000', wallet, '0');
    const createdLookup = await ok('Filecoin.StateWaitMsg', (await ok('Filecoin.MpoolPushMessage', created.Message, null)).CID, 0, -1, true);
    const [idAddress] = decodeCbor<[Uint8Array]>(Buffer.from(createdLookup.Receipt.Return, 'base64'));
    msig = FilAddress.fromBytes(idAddress).toString();
    msigKey = createdLookup.TipSet;
    const proposed = await ok('Filecoin.MsigPropose', msig, other, '1', wallet, 0, null);
    proposeParams = proposed.Message.Params;
    await ok('Filecoin.StateWaitMsg', (await ok('Filecoin.MpoolPushMessage', proposed.Message, null)).CID, 0, -1, true);
    const [{ SectorNumber: faulty }] = await ok('Filecoin.StateMinerActiveSectors', faultyMiner, null);
    await ok('devnet_faultSectors', faultyMiner, [faulty]);
    // Verified deals: one sealed (its allocation claimed), one left pending.
    await ok('devnet_addVerifiedClient', wallet, String(4n * BigInt(MIN_DATACAP)));
    const first = randomVerifiedPiece();
    ({ dealId: claimedDeal } = await ok('devnet_proposeDeal', { pieceCid: first.cid.toString(), pieceSize: first.size, verifiedDeal: true, provider: miner }));
    await ok('anvil_mine', `0x${(SEAL_DELAY + 10).toString(16)}`);
    const second = randomVerifiedPiece();
    ({ dealId: pendingDeal } = await ok('devnet_proposeDeal', { pieceCid: second.cid.toString(), pieceSize: second.size, verifiedDeal: true, provider: miner }));
    [{ SectorNumber: sector }] = await ok('Filecoin.StateMinerActiveSectors', miner, null);
  });

  /** A transfer from the wallet, as StateCall, the gas estimates, the pool's checks and WalletSignMessage take it. */
  const send = () => ({ From: wallet, To: other, Value: '1', Method: 0, Nonce: 0, GasLimit: 0, GasFeeCap: '0', GasPremium: '0' });
  const key = () => lookup.TipSet;
  /** A transfer from the second key, signed by the node (WalletSignMessage) with its next nonce, for the MpoolPush methods. */
  const signedByOther = async () =>
    ok('Filecoin.WalletSignMessage', other, { From: other, To: wallet, Value: '1', Method: 0, Nonce: await ok('Filecoin.MpoolGetNonce', other), GasLimit: 1_000_000, GasFeeCap: '1000000', GasPremium: '1000' });
  /** A pre-commit of a new sector of `miner`, as StateMinerInitialPledgeCollateral and StateMinerPreCommitDepositForPower take it. */
  async function preCommitInfo() {
    const { SealProof, SealedCID } = await ok('Filecoin.StateSectorGetInfo', miner, sector, null);
    const head = await ok('Filecoin.ChainHead');
    return { SealProof, SectorNumber: 1000, SealedCID, SealRandEpoch: head.Height - 10, DealIDs: null, Expiration: head.Height + 540 * 2880, UnsealedCid: null };
  }
  /** A signed EIP-1559 transfer from the first dev account, with its next nonce. */
  async function rawTransfer(): Promise<string> {
    const dev = new Wallet(DEV_ACCOUNTS[0]!.privateKey);
    const nonce = Number(await ok('Filecoin.EthGetTransactionCount', dev.address, 'pending'));
    const chainId = BigInt(await ok('Filecoin.EthChainId'));
    return dev.signTransaction({ type: 2, chainId, nonce, to: Wallet.createRandom().address, value: 1n, gasLimit: 3_000_000n, maxFeePerGas: 10n ** 9n, maxPriorityFeePerGas: 10n ** 5n });
  }
  /** The block holding the invocation that logged: its hash and number. */
  const ethBlock = async (): Promise<{ blockHash: string; blockNumber: string }> => ok('Filecoin.EthGetTransactionReceipt', ethHash);
  const ethCall = () => ({ from: DEV_ACCOUNTS[0]!.address, data: lotusContractCode('EventMatrix') });
  /** Each method with its params, computed when its test runs; writes last, so that the readers see the state built in before(). */
  const cases: [method: string, params: () => unknown[] | Promise<unknown[]>][] = [
    ['Filecoin.FilecoinAddressToEthAddress', () => [other]],
    ['Filecoin.ChainHead', () => []],
    ['Filecoin.ChainGetTipSet', () => [key()]],
    ['Filecoin.ChainGetTipSetByHeight', () => [lookup.Height, null]],
    ['Filecoin.ChainGetTipSetAfterHeight', () => [lookup.Height, null]],
    ['Filecoin.ChainGetBlock', () => [key()[0]]],
    ['Filecoin.ChainGetMessage', () => [transfer.CID]],
    ['Filecoin.ChainGetBlockMessages', () => [key()[0]]],
    ['Filecoin.ChainGetParentReceipts', async () => [(await ok('Filecoin.ChainGetTipSetByHeight', lookup.Height + 1, null)).Cids[0]]],
    ['Filecoin.ChainGetParentMessages', async () => [(await ok('Filecoin.ChainGetTipSetByHeight', lookup.Height + 1, null)).Cids[0]]],
    ['Filecoin.ChainReadObj', () => [transfer.CID]],
    ['Filecoin.ChainGetGenesis', () => []],
    ['Filecoin.ChainTipSetWeight', () => [genesisKey]],
    ['Filecoin.ChainGetPath', () => [genesisKey, key()]],
    ['Filecoin.ChainGetMessagesInTipset', () => [key()]],
    ['Filecoin.ChainHasObj', () => [transfer.CID]],
    ['Filecoin.ChainStatObj', () => [transfer.CID, null]],
    ['Filecoin.GetActorEventsRaw', () => [{ fromHeight: eventsHeight, toHeight: eventsHeight }]],
    ['Filecoin.ChainGetEvents', () => [eventsRoot]],
    ['Filecoin.F3IsRunning', () => []],
    ['Filecoin.F3GetLatestCertificate', () => []],
    ['Filecoin.F3GetCertificate', () => [0]],
    ['Filecoin.F3GetProgress', () => []],
    ['Filecoin.F3GetPowerTableByInstance', () => [0]],
    ['Filecoin.F3GetManifest', () => []],
    ['Filecoin.ChainGetFinalizedTipSet', () => []],
    ['Filecoin.StateGetActor', () => [wallet, null]],
    ['Filecoin.StateReadState', () => [msig, null]],
    ['Filecoin.StateLookupID', () => [wallet, null]],
    ['Filecoin.StateAccountKey', async () => [await ok('Filecoin.StateLookupID', wallet, null), null]],
    ['Filecoin.StateLookupRobustAddress', () => [msig, null]],
    ['Filecoin.StateNetworkVersion', () => [null]],
    ['Filecoin.StateNetworkName', () => []],
    ['Filecoin.WalletBalance', () => [wallet]],
    ['Filecoin.StateCall', () => [send(), null]],
    ['Filecoin.StateSearchMsg', () => [null, transfer.CID, -1, true]],
    ['Filecoin.StateWaitMsg', () => [transfer.CID, 0, -1, true]],
    ['Filecoin.StateGetNetworkParams', () => []],
    ['Filecoin.StateActorCodeCIDs', async () => [await ok('Filecoin.StateNetworkVersion', null)]],
    ['Filecoin.StateActorManifestCID', async () => [await ok('Filecoin.StateNetworkVersion', null)]],
    ['Filecoin.StateListActors', () => [null]],
    ['Filecoin.StateListMessages', () => [{ To: other }, null, 0]],
    ['Filecoin.StateChangedActors', async () => [(await ok('Filecoin.ChainGetTipSet', key())).Blocks[0].ParentStateRoot, (await ok('Filecoin.ChainGetTipSetByHeight', lookup.Height + 1, null)).Blocks[0].ParentStateRoot]],
    ['Filecoin.StateCirculatingSupply', () => [null]],
    ['Filecoin.StateVMCirculatingSupplyInternal', () => [null]],
    ['Filecoin.StateReplay', () => [null, transfer.CID]],
    ['Filecoin.StateCompute', () => [lookup.Height, null, key()]],
    ['Filecoin.StateDecodeParams', () => [msig, 2, proposeParams, null]],
    ['Filecoin.StateEncodeParams', async () => [(await ok('Filecoin.StateGetActor', msig, null)).Code, 3, { ID: 0, ProposalHash: null }]],
    ['Filecoin.StateListMiners', () => [null]],
    ['Filecoin.StateMinerInfo', () => [miner, null]],
    ['Filecoin.StateMinerPower', () => [miner, null]],
    ['Filecoin.StateMinerAvailableBalance', () => [miner, null]],
    ['Filecoin.StateMinerSectors', () => [miner, null, null]],
    ['Filecoin.StateMinerActiveSectors', () => [miner, null]],
    ['Filecoin.StateSectorGetInfo', () => [miner, sector, null]],
    ['Filecoin.StateSectorPartition', () => [miner, sector, null]],
    ['Filecoin.StateMinerFaults', () => [faultyMiner, null]],
    ['Filecoin.StateMinerProvingDeadline', () => [miner, null]],
    ['Filecoin.StateMinerDeadlines', () => [miner, null]],
    ['Filecoin.StateMinerPartitions', async () => [miner, (await ok('Filecoin.StateSectorPartition', miner, sector, null)).Deadline, null]],
    ['Filecoin.StateMinerSectorCount', () => [miner, null]],
    ['Filecoin.StateMinerSectorAllocated', () => [miner, sector, null]],
    ['Filecoin.StateMinerAllocated', () => [miner, null]],
    ['Filecoin.StateMinerRecoveries', () => [miner, null]],
    ['Filecoin.StateAllMinerFaults', () => [1000, null]],
    ['Filecoin.StateMinerInitialPledgeCollateral', async () => [miner, await preCommitInfo(), null]],
    ['Filecoin.StateMinerPreCommitDepositForPower', async () => [miner, await preCommitInfo(), null]],
    ['Filecoin.StateMinerInitialPledgeForSector', () => [518400, 2048, 0, null]],
    ['Filecoin.StateMinerCreationDeposit', () => [null]],
    ['Filecoin.StateSectorExpiration', () => [miner, sector, null]],
    ['Filecoin.StateSectorPreCommitInfo', async () => {
      // The claimed deal's sector, at the tipset whose state holds its pre-commit: one before the tipset that proved it.
      const { SectorNumber } = (await ok('Filecoin.StateMarketStorageDeal', claimedDeal, null)).State;
      const { Activation } = await ok('Filecoin.StateSectorGetInfo', miner, SectorNumber, null);
      return [miner, SectorNumber, (await ok('Filecoin.ChainGetTipSetByHeight', Activation - 1, null)).Cids];
    }],
    ['Filecoin.StateMarketStorageDeal', () => [claimedDeal, null]],
    ['Filecoin.StateMarketDeals', () => [null]],
    ['Filecoin.StateMarketBalance', () => [wallet, null]],
    ['Filecoin.StateMarketParticipants', () => [null]],
    ['Filecoin.StateDealProviderCollateralBounds', () => [2048, true, null]],
    ['Filecoin.StateMarketProposalPending', () => [transfer.CID, null]],
    ['Filecoin.StateComputeDataCID', async () => [miner, (await ok('Filecoin.StateSectorGetInfo', miner, sector, null)).SealProof, [pendingDeal], null]],
    ['Filecoin.StateVerifiedClientStatus', () => [wallet, null]],
    ['Filecoin.StateVerifierStatus', () => [deriveNodeKeys(DEV_MNEMONIC).verifier.address.toString('t'), null]],
    ['Filecoin.StateVerifiedRegistryRootKey', () => [null]],
    ['Filecoin.StateGetAllocationIdForPendingDeal', () => [pendingDeal, null]],
    ['Filecoin.StateGetAllocationForPendingDeal', () => [pendingDeal, null]],
    ['Filecoin.StateGetAllocation', async () => [wallet, await ok('Filecoin.StateGetAllocationIdForPendingDeal', pendingDeal, null), null]],
    ['Filecoin.StateGetAllocations', () => [wallet, null]],
    ['Filecoin.StateGetClaim', async () => [miner, Number(Object.keys(await ok('Filecoin.StateGetClaims', miner, null))[0]), null]],
    ['Filecoin.StateGetClaims', () => [miner, null]],
    ['Filecoin.StateGetAllAllocations', () => [null]],
    ['Filecoin.StateGetAllClaims', () => [null]],
    ['Filecoin.MsigGetAvailableBalance', () => [msig, null]],
    ['Filecoin.MsigGetVestingSchedule', () => [msig, null]],
    ['Filecoin.MsigGetVested', async () => [msig, msigKey, (await ok('Filecoin.ChainHead')).Cids]],
    ['Filecoin.MsigGetPending', () => [msig, null]],
    ['Filecoin.MsigCreate', () => [1, [wallet], 0, '1', wallet, '0']],
    ['Filecoin.MsigPropose', () => [msig, other, '1', wallet, 0, null]],
    ['Filecoin.MsigApprove', () => [msig, 0, other]],
    ['Filecoin.MsigApproveTxnHash', () => [msig, 0, wallet, other, '1', other, 0, null]],
    ['Filecoin.MsigCancel', () => [msig, 0, wallet]],
    ['Filecoin.MsigCancelTxnHash', () => [msig, 0, other, '1', wallet, 0, null]],
    ['Filecoin.MsigAddPropose', () => [msig, wallet, miner, false]],
    ['Filecoin.MsigAddApprove', () => [msig, other, 0, wallet, miner, false]],
    ['Filecoin.MsigAddCancel', () => [msig, wallet, 0, miner, false]],
    ['Filecoin.MsigSwapPropose', () => [msig, wallet, other, miner]],
    ['Filecoin.MsigSwapApprove', () => [msig, other, 0, wallet, other, miner]],
    ['Filecoin.MsigSwapCancel', () => [msig, wallet, 0, other, miner]],
    ['Filecoin.MsigRemoveSigner', () => [msig, wallet, other, false]],
    ['Filecoin.StateGetBeaconEntry', () => [lookup.Height]],
    ['Filecoin.StateGetRandomnessDigestFromBeacon', () => [lookup.Height, null]],
    ['Filecoin.StateGetRandomnessFromBeacon', () => [2, lookup.Height, null, null]],
    ['Filecoin.StateGetRandomnessFromTickets', () => [2, lookup.Height, null, null]],
    ['Filecoin.StateGetRandomnessDigestFromTickets', () => [lookup.Height, null]],
    ['Filecoin.MpoolGetConfig', () => []],
    ['Filecoin.MpoolGetNonce', () => [wallet]],
    ['Filecoin.GasEstimateGasLimit', () => [send(), null]],
    ['Filecoin.GasEstimateGasPremium', () => [10, wallet, 1_000_000, null]],
    ['Filecoin.GasEstimateFeeCap', () => [send(), 10, null]],
    ['Filecoin.GasEstimateMessageGas', () => [send(), null, null]],
    ['Filecoin.MpoolCheckMessages', () => [[{ Message: send(), ValidNonce: false }]]],
    ['Filecoin.MpoolCheckReplaceMessages', () => [[send()]]],
    ['Filecoin.MarketGetReserved', () => [wallet]],
    ['Filecoin.WalletList', () => []],
    ['Filecoin.WalletHas', () => [other]],
    ['Filecoin.WalletDefaultAddress', () => []],
    ['Filecoin.WalletExport', () => [other]],
    ['Filecoin.WalletSign', () => [other, Buffer.from('conformance').toString('base64')]],
    ['Filecoin.WalletSignMessage', () => [other, send()]],
    ['Filecoin.WalletVerify', async () => { const data = Buffer.from('conformance').toString('base64'); return [other, data, await ok('Filecoin.WalletSign', other, data)]; }],
    ['Filecoin.WalletValidateAddress', () => [other]],
    ['Filecoin.WalletNew', () => ['bls']],
    ['Filecoin.WalletImport', async () => [await ok('Filecoin.WalletExport', await ok('Filecoin.WalletNew', 'secp256k1'))]],
    ['Filecoin.MpoolPush', async () => [await signedByOther()]],
    ['Filecoin.MpoolPushUntrusted', async () => [await signedByOther()]],
    ['Filecoin.MpoolBatchPush', async () => [[await signedByOther()]]],
    ['Filecoin.MpoolBatchPushUntrusted', async () => [[await signedByOther()]]],
    ['Filecoin.MpoolBatchPushMessage', () => [[{ From: wallet, To: other, Value: '1' }], null]],
    ['Filecoin.MpoolPushMessage', () => [{ From: wallet, To: other, Value: '1' }, null]],
    // The Eth API under Lotus's names, in the shapes of Lotus's Eth types (which name exactly the
    // fields Lotus writes; execution-apis' schemas let others pass: eth-openrpc-conformance.test.ts).
    ['Filecoin.EthAccounts', () => []],
    ['Filecoin.EthAddressToFilecoinAddress', () => [DEV_ACCOUNTS[0]!.address]],
    ['Filecoin.EthBaseFee', () => []],
    ['Filecoin.EthBlockNumber', () => []],
    ['Filecoin.EthCall', () => [ethCall(), 'latest']],
    ['Filecoin.EthChainId', () => []],
    ['Filecoin.EthEstimateGas', () => [ethCall()]],
    ['Filecoin.EthFeeHistory', () => ['0x2', 'latest', [50]]],
    ['Filecoin.EthGasPrice', () => []],
    ['Filecoin.EthGetBalance', () => [DEV_ACCOUNTS[0]!.address, 'latest']],
    ['Filecoin.EthGetBlockByHash', async () => [(await ethBlock()).blockHash, true]],
    ['Filecoin.EthGetBlockByNumber', async () => [(await ethBlock()).blockNumber, false]],
    ['Filecoin.EthGetBlockReceipts', async () => [(await ethBlock()).blockNumber]],
    ['Filecoin.EthGetBlockReceiptsLimited', async () => [(await ethBlock()).blockNumber, 10_000]],
    ['Filecoin.EthGetBlockTransactionCountByHash', async () => [(await ethBlock()).blockHash]],
    ['Filecoin.EthGetBlockTransactionCountByNumber', async () => [(await ethBlock()).blockNumber]],
    ['Filecoin.EthGetCode', async () => [(await ok('Filecoin.EthGetTransactionReceipt', ethHash)).to, 'latest']],
    ['Filecoin.EthGetFilterChanges', () => [blockFilter]],
    ['Filecoin.EthGetFilterLogs', () => [logFilter]],
    ['Filecoin.EthGetLogs', () => [{ fromBlock: '0x0' }]],
    ['Filecoin.EthGetMessageCidByTransactionHash', () => [ethHash]],
    ['Filecoin.EthGetStorageAt', async () => [(await ok('Filecoin.EthGetTransactionReceipt', ethHash)).to, '0x0', 'latest']],
    ['Filecoin.EthGetTransactionByBlockHashAndIndex', async () => [(await ethBlock()).blockHash, '0x0']],
    ['Filecoin.EthGetTransactionByBlockNumberAndIndex', async () => [(await ethBlock()).blockNumber, '0x0']],
    ['Filecoin.EthGetTransactionByHash', () => [ethHash]],
    ['Filecoin.EthGetTransactionByHashLimited', () => [ethHash, 10_000]],
    ['Filecoin.EthGetTransactionCount', () => [DEV_ACCOUNTS[0]!.address, 'latest']],
    ['Filecoin.EthGetTransactionHashByCid', () => [transfer.CID]],
    ['Filecoin.EthGetTransactionReceipt', () => [ethHash]],
    ['Filecoin.EthGetTransactionReceiptLimited', () => [ethHash, 10_000]],
    ['Filecoin.EthMaxPriorityFeePerGas', () => []],
    ['Filecoin.EthNewBlockFilter', () => []],
    ['Filecoin.EthNewFilter', () => [{ fromBlock: '0x0' }]],
    ['Filecoin.EthNewPendingTransactionFilter', () => []],
    ['Filecoin.EthProtocolVersion', () => []],
    ['Filecoin.EthSyncing', () => []],
    ['Filecoin.EthTraceBlock', async () => [(await ethBlock()).blockNumber]],
    ['Filecoin.EthTraceFilter', async () => [{ fromBlock: (await ethBlock()).blockNumber, toBlock: 'latest' }]],
    ['Filecoin.EthTraceReplayBlockTransactions', async () => [(await ethBlock()).blockNumber, ['trace']]],
    ['Filecoin.EthTraceTransaction', () => [ethHash]],
    ['Filecoin.EthUninstallFilter', () => [blockFilter]],
    ['Filecoin.EthUnsubscribe', () => ['0x' + '00'.repeat(32)]],
    ['Filecoin.NetListening', () => []],
    ['Filecoin.NetVersion', () => []],
    ['Filecoin.Web3ClientVersion', () => []],
    ['Filecoin.EthSendRawTransaction', async () => [await rawTransfer()]],
    ['Filecoin.EthSendRawTransactionUntrusted', async () => [await rawTransfer()]],
    ['Filecoin.MarketAddBalance', () => [wallet, wallet, '1']],
    ['Filecoin.MarketWithdraw', () => [wallet, wallet, '1']],
  ];

  for (const [method, params] of cases) test(method, async () => conforms(method, await params()));

  // The payment channel manager's methods, in the order a channel's life calls them: after the
  // readers above, as collecting mines the settle delay, 1440 tipsets (and before the pool's readers
  // stop mining).
  test('Filecoin.Paych*: a channel from the wallet opened, funded, paid with vouchers, settled and collected', async () => {
    const waitMined = async (cid: unknown) => ok('Filecoin.StateWaitMsg', cid, 0, -1, true);
    const opened = await conforms('Filecoin.PaychGet', [wallet, other, '7000', { OffChain: false }]);
    const channel = await conforms('Filecoin.PaychGetWaitReady', [opened.WaitSentinel]);
    await ok('Filecoin.PaychGetWaitReady', (await conforms('Filecoin.PaychFund', [wallet, other, '1000'])).WaitSentinel);
    await conforms('Filecoin.PaychAvailableFunds', [channel]);
    await conforms('Filecoin.PaychAvailableFundsByFromTo', [wallet, other]);
    await conforms('Filecoin.PaychList', []);
    await conforms('Filecoin.PaychStatus', [channel]);
    const lane = await conforms('Filecoin.PaychAllocateLane', [channel]);
    const { Voucher: voucher } = await conforms('Filecoin.PaychVoucherCreate', [channel, '1000', lane]);
    // PaychVoucherCheckValid answers nothing but its error: null, the document's result (schema type
    // null). Of a voucher the manager has not stored (one it made is, and its nonce is then too low).
    const valid = await rpc('Filecoin.PaychVoucherCheckValid', channel, await signedVoucherJson(ok, wallet, channel, { lane: 9, amount: 100n }));
    assert.deepEqual([valid.error, 'result' in valid, valid.result], [undefined, true, null]);
    checked.add('v1 Filecoin.PaychVoucherCheckValid');
    await conforms('Filecoin.PaychVoucherCheckSpendable', [channel, voucher, null, null]);
    await conforms('Filecoin.PaychVoucherAdd', [channel, voucher, null, '0']);
    await conforms('Filecoin.PaychVoucherList', [channel]);
    await conforms('Filecoin.PaychNewPayment', [wallet, other, [{ Amount: '500', TimeLockMin: 0, TimeLockMax: 0, MinSettle: 0, Extra: null }]]);
    // A receiver submits: an inbound channel, opened by the second key outside the manager (Init Exec),
    // which learns it from a voucher added.
    const inbound = await openChannelByExec(ok, other, wallet, 1000n);
    const received = await signedVoucherJson(ok, other, inbound, { amount: 100n });
    await ok('Filecoin.PaychVoucherAdd', inbound, received, null, '0');
    await waitMined(await conforms('Filecoin.PaychVoucherSubmit', [inbound, received, null, null]));
    await waitMined(await conforms('Filecoin.PaychSettle', [channel]));
    await ok('anvil_mine', `0x${(PAYCH_SETTLE_DELAY + 1).toString(16)}`);
    await waitMined(await conforms('Filecoin.PaychCollect', [channel]));
  });

  // The pool's readers, with a message held in it.
  test('Filecoin.MpoolPending, MpoolSelect, MpoolCheckPendingMessages: a message held in the pool', async () => {
    await ok('evm_setAutomine', false);
    await ok('Filecoin.MpoolPushMessage', { From: wallet, To: other, Value: '1' }, null);
    await conforms('Filecoin.MpoolPending', [null]);
    await conforms('Filecoin.MpoolSelect', [null, 1]);
    await conforms('Filecoin.MpoolCheckPendingMessages', [wallet]);
  });

  test('Filecoin.WalletSetDefault, Filecoin.WalletDelete, Filecoin.MpoolClear: null, the document\'s result (schema type null)', async () => {
    // MpoolClear(false) keeps the pool: every message came through the API, which Lotus counts as local.
    for (const [method, params] of [['Filecoin.WalletSetDefault', [wallet]], ['Filecoin.WalletDelete', [await ok('Filecoin.WalletNew', 'secp256k1')]], ['Filecoin.MpoolClear', [false]]] as const) {
      const answer = await rpc(method, ...params);
      assert.deepEqual([answer.error, 'result' in answer, answer.result], [undefined, true, null], method);
      checked.add(`v1 ${method}`);
    }
  });

  // Lotus's v2 API (build/openrpc/v2/full.json): the Filecoin.* methods that take a tipset selector.
  test('/rpc/v2: Filecoin.ChainGetTipSet, ChainGetTipSetFinalityStatus, StateGetActor, StateGetID', async () => {
    await conforms('Filecoin.ChainGetTipSet', [{ tag: 'finalized' }], v2Shapes, 'v2');
    await conforms('Filecoin.ChainGetTipSetFinalityStatus', [], v2Shapes, 'v2');
    await conforms('Filecoin.StateGetActor', [wallet, { tag: 'latest' }], v2Shapes, 'v2');
    await conforms('Filecoin.StateGetID', [wallet, { tag: 'latest' }], v2Shapes, 'v2');
  });

  // Lotus's v2 gateway (build/openrpc/v2/gateway.json) serves v1's address and message-CID converters too.
  test('/rpc/v2: Filecoin.EthAddressToFilecoinAddress, FilecoinAddressToEthAddress, EthGetMessageCidByTransactionHash, EthGetTransactionHashByCid', async () => {
    await conforms('Filecoin.EthAddressToFilecoinAddress', [DEV_ACCOUNTS[0]!.address], v2Shapes, 'v2');
    await conforms('Filecoin.FilecoinAddressToEthAddress', [other], v2Shapes, 'v2');
    await conforms('Filecoin.EthGetMessageCidByTransactionHash', [ethHash], v2Shapes, 'v2');
    await conforms('Filecoin.EthGetTransactionHashByCid', [transfer.CID], v2Shapes, 'v2');
  });

  // Lotus's v0 API (build/openrpc/v0/gateway.json, its only v0 document): the methods whose v0 form
  // differs from v1's (no tipset to search from, no lookback limit; its own API version).
  test('/rpc/v0: Filecoin.StateSearchMsg, StateWaitMsg, StateGetReceipt, Version', async () => {
    await conforms('Filecoin.StateSearchMsg', [transfer.CID], v0Shapes, 'v0');
    await conforms('Filecoin.StateWaitMsg', [transfer.CID, 0], v0Shapes, 'v0');
    await conforms('Filecoin.StateGetReceipt', [transfer.CID, null], v0Shapes, 'v0');
    await conforms('Filecoin.Version', [], v0Shapes, 'v0');
  });

  // Filecoin.Version is a common API method, which full.json leaves out and gateway.json lists (its
  // other 107 methods' results are full.json's, example for example).
  test('Filecoin.Version', () => conforms('Filecoin.Version', [], gatewayShapes));

  // Filecoin.Discover (rpc.discover): an OpenRPC document, on each path (the devnet's own: rpc-discover.ts).
  test('Filecoin.Discover on /rpc/v1, /rpc/v0 and /rpc/v2', async () => {
    for (const version of ['v1', 'v0', 'v2'] as const) await conforms('Filecoin.Discover', [], gatewayShapes, version);
  });

  // A method added to the node is checked here too: each Filecoin.* method a path serves was checked
  // above on that path, or is one of these, for the reason given. /rpc/v2's Eth methods are v1's
  // (eth-openrpc-conformance.test.ts asks both); /rpc/v0's other methods are v1's own.
  const NOT_HERE: Record<string, string> = {
    'v1 Filecoin.ChainNotify': 'a channel method: the document lists none',
    'v1 Filecoin.MpoolSub': 'a channel method: the document lists none',
    'v1 Filecoin.SubscribeActorEventsRaw': 'a channel method: the document lists none',
    'v1 Filecoin.EthSubscribe': 'served over WebSocket only',
    'v1 Filecoin.EthSendTransaction': "a devnet extra under Lotus's prefix: Lotus has no such method",
    'v1 Filecoin.ID': "a method of Lotus's common Net API, which none of its documents lists (a string: the peer ID)",
    ...Object.fromEntries(
      ['MsigCreate', 'MsigPropose', 'MsigApprove', 'MsigApproveTxnHash', 'MsigCancel', 'MsigCancelTxnHash', 'MsigAddPropose', 'MsigAddApprove', 'MsigAddCancel', 'MsigSwapPropose', 'MsigSwapApprove', 'MsigSwapCancel', 'MsigRemoveSigner', 'StateSearchMsgLimited', 'StateWaitMsgLimited', 'PaychGet']
        .map((name) => [`v0 Filecoin.${name}`, "v0's own form, which Lotus's only v0 document (gateway.json) does not list"]),
    ),
  };
  test('every Filecoin.* method each path serves was checked above on that path, or is not here for a reason', () => {
    // A path's own method: one whose handler is not v1's method of that name (the Eth* names are copies of v1's).
    const v1Handlers = new Map(allMethods.map((method) => [method.name, method.handler]));
    const own = (methods: RpcMethod[]) => methods.filter((method) => v1Handlers.get(method.name) !== method.handler);
    const served = new Set([
      ...allMethods.map((method) => `v1 ${method.name}`),
      ...own(v2Methods).map((method) => `v2 ${method.name}`),
      ...own(v0Methods).map((method) => `v0 ${method.name}`),
    ].filter((key) => key.includes(' Filecoin.')));
    assert.deepEqual([...served].filter((key) => !checked.has(key) && !(key in NOT_HERE)), []);
    assert.deepEqual(Object.keys(NOT_HERE).filter((key) => !served.has(key)), [], 'NOT_HERE names only served methods');
  });
});
