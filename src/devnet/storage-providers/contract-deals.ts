// Deal proposals made by client contracts, found as Boost's contract-deal monitor finds them: a
// `DealProposalCreate(bytes32 indexed id, uint64 size, bool indexed verified, uint256 price)` log
// (fevm-hardhat-kit's DealClient), then `getDealProposal(id)` and `getExtraParams(id)` read back from
// the contract with calls. The proposal is CBOR (a DealProposal), the extra params say where the data is.
import { Interface } from 'ethers';
import { bases } from 'multiformats/basics';
import { CID } from 'multiformats/cid';
import { decodeCbor } from '../../common/cbor.js';
import { DevnetError } from '../../common/errors.js';
import { keccak256 } from '../../common/hashes.js';
import { bytesToHex, equalBytes, hexToBytes } from '../../common/hex.js';
import { readDealProposal, type DealProposal } from '../../fevm/actors/market/deal-proposal.js';
import type { StateReader } from '../../fevm/state-tree.js';
import type { InvocationResult } from '../../fevm/types.js';
import type { Tipset } from '../../mining/tipset.js';

/** The DealProposalCreate log's topic 0: keccak-256 of the event's signature. */
const DEAL_PROPOSAL_CREATE = keccak256(new TextEncoder().encode('DealProposalCreate(bytes32,uint64,bool,uint256)'));

let dealClient: Interface | undefined;
/** The views the monitor calls, parsed when a contract first proposes a deal (ethers' ABI parser costs start-up ms). */
function dealClientViews(): Interface {
  return (dealClient ??= new Interface([
    'function getDealProposal(bytes32 id) view returns (bytes)',
    'function getExtraParams(bytes32 id) view returns (bytes)',
  ]));
}

/** A DealProposalCreate log: which contract asked, and the id it gave the proposal. */
export interface ContractDealRequest {
  /** The contract's Ethereum address. */
  contract: Uint8Array;
  id: Uint8Array;
}

/** What a contract proposes: the deal, and where the data can be fetched (its ExtraParamsV1). */
interface ContractProposal {
  proposal: DealProposal;
  locationRef: string;
  carSize: number;
}

/** The DealProposalCreate logs of a tipset's successful messages, in order. */
export function contractDealRequests(tipset: Tipset, state: StateReader): ContractDealRequest[] {
  const requests: ContractDealRequest[] = [];
  for (const { receipt } of tipset.messages) {
    if (receipt.exitCode !== 0) continue;
    for (const event of receipt.events) {
      const [topic0, topic1] = [event.entries.find((e) => e.key === 't1'), event.entries.find((e) => e.key === 't2')];
      if (!topic0 || !topic1 || !equalBytes(topic0.value, DEAL_PROPOSAL_CREATE)) continue;
      const contract = state.getActor(event.emitter)?.delegated?.ethAddress;
      if (contract) requests.push({ contract, id: topic1.value });
    }
  }
  return requests;
}

/** Reads a request's proposal (and extra params) back from the contract, on the state after `epoch`. */
/** What reading a contract's proposal needs: a call on the state after an epoch (eth_call). */
export interface ContractCaller {
  call(request: { to: Uint8Array; input: Uint8Array }, epoch: number): Promise<InvocationResult>;
}

export async function readContractProposal(node: ContractCaller, request: ContractDealRequest, epoch: number): Promise<ContractProposal> {
  const views = dealClientViews();
  const call = async (fn: 'getDealProposal' | 'getExtraParams') => {
    const input = hexToBytes(views.encodeFunctionData(fn, [bytesToHex(request.id)]));
    const { returnData } = await node.call({ to: request.contract, input }, epoch);
    return hexToBytes(views.decodeFunctionResult(fn, bytesToHex(returnData))[0] as string);
  };
  const proposal = readDealProposal(decodeProposalBytes(await call('getDealProposal')), 'deal proposal');
  // Not optional: Boost's monitor drops the proposal of a contract whose getExtraParams call fails or
  // answers no ContractParamsVersion1 (contract_deal_monitor.go: "eth call for extra data failed",
  // "params cbor unmarshal failed").
  let extra: Uint8Array;
  try {
    extra = await call('getExtraParams');
  } catch (error) {
    throw new DevnetError(`its getExtraParams(id) call failed (a Boost provider reads where the data is from it): ${(error as Error).message}`);
  }
  return { proposal, ...readExtraParams(extra) };
}

/**
 * A contract's extra params as Boost reads them, ContractParamsVersion1: the CBOR array
 * [location_ref, car_size, skip_ipni_announce, remove_unsealed_copy], exactly those four of those
 * types (boost storagemarket/types/contract_deal_proposal_types_cbor_gen.go); the flags do not
 * matter to the devnet, which announces to no IPNI and keeps no unsealed copy apart.
 */
export function readExtraParams(bytes: Uint8Array): { locationRef: string; carSize: number } {
  const refuse = (why: string) => new DevnetError(`its extra params are no ExtraParamsV1 [location_ref, car_size, skip_ipni_announce, remove_unsealed_copy]: ${why}`);
  let value: unknown;
  try {
    value = decodeCbor(bytes);
  } catch (error) {
    throw refuse((error as Error).message);
  }
  if (!Array.isArray(value) || value.length !== 4) throw refuse(Array.isArray(value) ? `an array of ${value.length}` : 'not an array');
  const [locationRef, carSize, skipIpni, removeUnsealed] = value as unknown[];
  if (typeof locationRef !== 'string') throw refuse('location_ref is no text string');
  // dag-cbor gives an integer past 2^53 as a bigint, and none past 2^64.
  if (!(typeof carSize === 'bigint' || Number.isInteger(carSize)) || (carSize as number | bigint) < 0) throw refuse('car_size is no unsigned 64-bit integer');
  if (typeof skipIpni !== 'boolean' || typeof removeUnsealed !== 'boolean') throw refuse('skip_ipni_announce and remove_unsealed_copy must be booleans');
  // Past 2^53 bytes no download is that long anyway: the length check refuses it.
  return { locationRef, carSize: Number(carSize) };
}

/** getDealProposal's bytes as CBOR; a Boost provider cannot read a proposal that is no DAG-CBOR either (an invalid CID). */
function decodeProposalBytes(bytes: Uint8Array): unknown {
  try {
    return decodeCbor(bytes);
  } catch (error) {
    throw new DevnetError(`getDealProposal answered no DAG-CBOR DealProposal: ${(error as Error).message}`);
  }
}

/**
 * Throws unless the proposal's label is a CID string: Boost's contract-deal monitor takes it as the
 * deal data's root CID (storagemarket/contract_deal_monitor.go: Label.ToString, then cid.Parse) and
 * drops the proposal otherwise (audit18 K4).
 */
export function checkRootCidLabel(label: DealProposal['label']): void {
  if (typeof label !== 'string') throw new DevnetError('its label is bytes, not the data\'s root CID as a string (a Boost provider reads it so)');
  try {
    // Of any multibase, as go-cid's Parse takes (CID.parse alone knows base32 and base58btc); a CIDv0 has no prefix.
    CID.parse(label, Object.values(bases).find((base) => base.prefix === label[0])?.decoder);
  } catch (error) {
    throw new DevnetError(`its label ${JSON.stringify(label)} is not a CID (a Boost provider reads it as the data's root CID): ${(error as Error).message}`);
  }
}
