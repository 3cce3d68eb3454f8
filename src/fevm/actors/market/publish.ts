// PublishStorageDeals (builtin-actors market publish_storage_deals): the provider's controlling
// address publishes deals its clients signed; each deal is checked and authenticated alone and dropped
// if invalid, funds are locked, verified deals' DataCap becomes verifreg allocations, and each client
// is told its deal ID, or the whole publish fails.
import { FilAddress } from '../../../common/address.js';
import { decodeCbor, encodeBigInt, encodeCbor, type CID } from '../../../common/cbor.js';
import { encodeBitfield } from '../../../common/bitfield.js';
import { DATACAP_ACTOR_ID, VERIFREG_ACTOR_ID } from '../../actor.js';
import { ExitCode } from '../../exit-code.js';
import { resolveAddress } from '../lifecycle.js';
import { bigInt, bool, bytes, list, tuple, u64 } from '../params.js';
import { ActorError, methodNumber, type ActorRuntime } from '../runtime.js';
import { sendResult } from '../shared.js';
import { MAXIMUM_VERIFIED_ALLOCATION_EXPIRATION, MAXIMUM_VERIFIED_ALLOCATION_TERM } from '../verifreg/policy.js';
import {
  clientBalanceRequirement,
  dealDuration,
  isPieceCid,
  labelLength,
  proposalCid,
  proposalValue,
  readClientDealProposal,
  type ClientDealProposal,
  type StoredProposal,
} from './deal-proposal.js';
import { emitDealEvent, marketState, openLedger, saveLedger, sendFailure } from './market-runtime.js';
import {
  DATACAP_PER_BYTE,
  DEAL_MAX_DURATION,
  DEAL_MAX_LABEL_SIZE,
  DEAL_MIN_DURATION,
  MARKET_DEFAULT_ALLOCATION_TERM_BUFFER,
  PROVIDER_COLLATERAL_BOUNDS,
  TOTAL_FILECOIN,
  nextUpdateEpoch,
  pieceSizeError,
} from './policy.js';

const IS_CONTROLLING_ADDRESS = methodNumber('IsControllingAddress');
const AUTHENTICATE_MESSAGE = methodNumber('AuthenticateMessage');
const MARKET_NOTIFY_DEAL = methodNumber('MarketNotifyDeal');
const DATACAP_BALANCE = methodNumber('Balance');
const DATACAP_TRANSFER_FROM = methodNumber('TransferFrom');

interface ValidDeal {
  proposal: StoredProposal;
  serialized: Uint8Array;
  cid: CID;
}

/** A verifreg AllocationRequest: [provider, data, size, term_min, term_max, expiration]. */
type AllocationRequest = [number, CID, number, number, number, number];

export async function publishStorageDeals(rt: ActorRuntime, params: unknown): Promise<unknown[]> {
  const [dealsValue] = tuple(params, 1, 'PublishStorageDealsParams');
  const deals = list(dealsValue, 'deals').map((d, i) => readClientDealProposal(d, `deals[${i}]`));
  if (deals.length === 0) throw new ActorError(ExitCode.ErrIllegalArgument, 'Empty deals parameter');

  const providerRaw = deals[0].proposal.provider;
  const provider = resolveAddress(rt.state, providerRaw);
  if (!provider) throw new ActorError(ExitCode.ErrNotFound, `failed to resolve provider address ${providerRaw.toString('f')}`);
  if (provider.kind !== 'storageminer') throw new ActorError(ExitCode.ErrIllegalArgument, 'deal provider is not a storage miner actor');
  const callerAddress = FilAddress.fromId(rt.caller.id);
  const controlling = sendResult(await rt.send(FilAddress.fromId(provider.id), IS_CONTROLLING_ADDRESS, callerAddress.bytes));
  if (!bool(controlling, 'IsControllingAddressReturn')) {
    throw new ActorError(ExitCode.ErrForbidden, `caller ${callerAddress.toString('f')} is not worker or control address of provider ${provider.id}`);
  }

  // The checks that need no state come first, since AuthenticateMessage may call back into the market.
  // Why each dropped deal was dropped: builtin-actors logs these; the devnet names them when every deal is dropped.
  const dropped: string[] = [];
  const valid: boolean[] = [];
  for (const [i, deal] of deals.entries()) {
    const why = await invalidDealReason(rt, deal);
    if (why) dropped.push(`deal ${i}: ${why}`);
    valid.push(why === undefined);
  }

  const state = marketState(rt);
  const validDeals: ValidDeal[] = [];
  const validIndexes: number[] = [];
  const seen = new Set<string>();
  const clientLockups = new Map<number, bigint>();
  const datacapLeft = new Map<number, bigint>();
  const allocationRequests = new Map<number, { cid: CID; request: AllocationRequest }[]>();
  let providerLockup = 0n;
  const covered = (id: number, amount: bigint) => (state.locked.get(id) ?? 0n) + amount <= (state.escrow.get(id) ?? 0n);

  for (const [i, { proposal }] of deals.entries()) {
    if (!valid[i]) continue;
    // Deals name their provider in the same form as the first, or by its ID.
    const drop = (why: string) => dropped.push(`deal ${i}: ${why}`);
    if (!proposal.provider.equals(providerRaw) && proposal.provider.id !== provider.id) {
      drop('the provider differs from the first deal\'s');
      continue;
    }
    const client = resolveAddress(rt.state, proposal.client);
    if (!client) {
      drop(`failed to resolve client address ${proposal.client.toString('f')}`);
      continue;
    }
    const clientLockup = (clientLockups.get(client.id) ?? 0n) + clientBalanceRequirement(proposal);
    if (!covered(client.id, clientLockup)) {
      drop('client balance insufficient');
      continue;
    }
    if (!covered(provider.id, providerLockup + proposal.providerCollateral)) {
      drop('provider balance insufficient');
      continue;
    }

    const stored: StoredProposal = { ...proposal, client: client.id, provider: provider.id };
    const serialized = encodeCbor(proposalValue(proposal, FilAddress.fromId(client.id), FilAddress.fromId(provider.id)));
    const cid = proposalCid(serialized);
    if (state.pendingProposals.has(cid.toString()) || seen.has(cid.toString())) {
      drop(`cannot publish duplicate deal with cid ${cid.toString()}`);
      continue;
    }

    if (proposal.verifiedDeal) {
      const left = datacapLeft.get(client.id) ?? (await datacapBalance(rt, client.id));
      const required = BigInt(proposal.pieceSize) * DATACAP_PER_BYTE;
      if (left < required) {
        datacapLeft.set(client.id, left);
        drop(`client has insufficient datacap for verified deal: ${left / DATACAP_PER_BYTE} bytes, needs ${proposal.pieceSize}`);
        continue;
      }
      datacapLeft.set(client.id, left - required);
      const requests = allocationRequests.get(client.id) ?? [];
      requests.push({ cid, request: allocationRequestFor(stored, rt.ctx.epoch) });
      allocationRequests.set(client.id, requests);
    }

    providerLockup += proposal.providerCollateral;
    clientLockups.set(client.id, clientLockup);
    seen.add(cid.toString());
    validDeals.push({ proposal: stored, serialized, cid });
    validIndexes.push(i);
  }

  // One DataCap transfer per client; verifreg answers with an allocation per request.
  const allocationIds = new Map<string, number>();
  for (const [client, requests] of allocationRequests) {
    const ids = await transferDatacap(rt, client, requests.map((r) => r.request));
    requests.forEach((r, i) => allocationIds.set(r.cid.toString(), ids[i]));
  }

  if (validDeals.length === 0) throw new ActorError(ExitCode.ErrIllegalArgument, `All deal proposals invalid (${dropped.join('; ')})`);

  const ledger = openLedger(rt);
  const dealIds: number[] = [];
  for (const deal of validDeals) {
    ledger.lockDealBalances(deal.proposal);
    ledger.pendingProposals.set(deal.cid.toString(), deal.cid);
    const dealId = ledger.nextId++;
    ledger.proposals.set(dealId, deal.proposal);
    const allocationId = allocationIds.get(deal.cid.toString());
    if (allocationId !== undefined) ledger.pendingDealAllocationIds.set(dealId, allocationId);
    // Checked once, at or after its start epoch (spread over the update interval by deal ID): a deal
    // not activated by then times out there, unless a SettleDealPayments call after its start does it first (cron.ts).
    rt.enrollCron(nextUpdateEpoch(dealId, deal.proposal.startEpoch), dealId);
    dealIds.push(dealId);
  }
  saveLedger(rt, ledger);

  // Every client hears of its deal; one that refuses fails the publish, so no client is surprised.
  for (const [i, deal] of validDeals.entries()) {
    const reply = await rt.send(FilAddress.fromId(deal.proposal.client), MARKET_NOTIFY_DEAL, [deal.serialized, dealIds[i]]);
    if (reply.exitCode !== ExitCode.Ok) {
      throw new ActorError(ExitCode.ErrIllegalArgument, `failed to notify deal with proposal cid ${deal.cid}: ${sendFailure(reply.exitCode)}`);
    }
    emitDealEvent(rt, 'deal-published', dealIds[i], deal.proposal);
  }
  return [dealIds, encodeBitfield(validIndexes)];
}

/** validate_deal: the client's authentication, then the proposal's own bounds; why the deal is invalid, or undefined. */
async function invalidDealReason(rt: ActorRuntime, { proposal, signatureBytes }: ClientDealProposal): Promise<string | undefined> {
  const submitted = encodeCbor(proposalValue(proposal, proposal.client, proposal.provider));
  const auth = await rt.send(proposal.client, AUTHENTICATE_MESSAGE, [signatureBytes, submitted], { readOnly: true });
  if (auth.exitCode !== ExitCode.Ok) return `proposal authentication failed: AuthenticateMessage exited with ${auth.exitCode}`;
  if (auth.returnValue !== true) return 'proposal authentication failed';
  return proposalError(proposal, rt.ctx.epoch);
}

/** Why a proposal is out of policy, in builtin-actors' words, or undefined. */
export function proposalError(proposal: ClientDealProposal['proposal'], epoch: number): string | undefined {
  const label = labelLength(proposal.label);
  if (label > DEAL_MAX_LABEL_SIZE) return `deal label can be at most ${DEAL_MAX_LABEL_SIZE} bytes, is ${label}`;
  const sizeError = pieceSizeError(proposal.pieceSize);
  if (sizeError) return `proposal piece size is invalid: ${sizeError}`;
  if (!isPieceCid(proposal.pieceCid)) return 'proposal PieceCID undefined';
  if (proposal.endEpoch <= proposal.startEpoch) return 'proposal end before proposal start';
  if (epoch > proposal.startEpoch) return 'Deal start epoch has already elapsed.';
  const duration = dealDuration(proposal);
  if (duration < DEAL_MIN_DURATION || duration > DEAL_MAX_DURATION) return 'Deal duration out of bounds.';
  if (proposal.storagePricePerEpoch < 0n || proposal.storagePricePerEpoch > TOTAL_FILECOIN) return 'Storage price out of bounds.';
  const { min, max } = PROVIDER_COLLATERAL_BOUNDS;
  if (proposal.providerCollateral < min || proposal.providerCollateral > max) return 'Provider collateral out of bounds.';
  if (proposal.clientCollateral < 0n || proposal.clientCollateral > TOTAL_FILECOIN) return 'Client collateral out of bounds.';
  return undefined;
}

/** alloc_request_for_deal: the deal's term as the minimum, plus a buffer as the maximum; it expires at the deal's start. */
function allocationRequestFor(deal: StoredProposal, epoch: number): AllocationRequest {
  const termMin = dealDuration(deal);
  const termMax = Math.min(termMin + MARKET_DEFAULT_ALLOCATION_TERM_BUFFER, MAXIMUM_VERIFIED_ALLOCATION_TERM);
  const expiration = Math.min(deal.startEpoch, epoch + MAXIMUM_VERIFIED_ALLOCATION_EXPIRATION);
  return [deal.provider, deal.pieceCid, deal.pieceSize, termMin, termMax, expiration];
}

async function datacapBalance(rt: ActorRuntime, client: number): Promise<bigint> {
  const reply = await rt.send(FilAddress.fromId(DATACAP_ACTOR_ID), DATACAP_BALANCE, FilAddress.fromId(client).bytes);
  if (reply.exitCode !== ExitCode.Ok) {
    throw new ActorError(ExitCode.ErrNotFound, `failed to get datacap balance for client ${client}: ${sendFailure(reply.exitCode)}`);
  }
  return bigInt(reply.returnValue, 'BalanceReturn');
}

/** TransferFrom client -> verifreg with the allocation requests as operator data; the new allocation IDs. */
async function transferDatacap(rt: ActorRuntime, client: number, requests: AllocationRequest[]): Promise<number[]> {
  const bytesRequired = requests.reduce((sum, r) => sum + BigInt(r[2]), 0n);
  const operatorData = encodeCbor([requests, []]);
  const params = [FilAddress.fromId(client).bytes, FilAddress.fromId(VERIFREG_ACTOR_ID).bytes, encodeBigInt(bytesRequired * DATACAP_PER_BYTE), operatorData];
  const reply = await rt.send(FilAddress.fromId(DATACAP_ACTOR_ID), DATACAP_TRANSFER_FROM, params);
  const context = `failed to transfer datacap from client ${client}`;
  if (reply.exitCode !== ExitCode.Ok) throw new ActorError(ExitCode.ErrIllegalState, `${context}: ${sendFailure(reply.exitCode)}`);
  let ids: number[];
  try {
    const [, , , recipientData] = tuple(reply.returnValue, 4, 'TransferFromReturn');
    const [, , newAllocations] = tuple(decodeCbor(bytes(recipientData, 'recipient_data')), 3, 'AllocationsResponse');
    ids = list(newAllocations, 'new_allocations').map((id, i) => u64(id, `new_allocations[${i}]`));
  } catch (error) {
    throw new ActorError(ExitCode.ErrIllegalState, `${context}: ${(error as Error).message}`);
  }
  if (ids.length !== requests.length) {
    throw new ActorError(ExitCode.ErrIllegalState, `datacap transfer returned ${ids.length} allocation IDs for ${requests.length} requests`);
  }
  return ids;
}
