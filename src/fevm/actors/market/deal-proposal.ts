// Deal proposals as builtin-actors encodes them (actors/market/src/deal.rs): DealProposal and
// ClientDealProposal tuples, the piece CID format, and the proposal CID the market keys deals by.
import { FilAddress } from '../../../common/address.js';
import { cidOf, encodeBigInt, encodeCbor, type CID } from '../../../common/cbor.js';
import { address, bigInt, bool, bytes, cid, i64, serializationError, tuple, u64 } from '../params.js';

/** fil-commitment-unsealed, sha2-256-trunc254-padded: the codec and multihash of (v1) piece CIDs. */
export const FIL_COMMITMENT_UNSEALED = 0xf101;
export const SHA2_256_TRUNC254_PADDED = 0x1012;

/** A label is a CBOR text or byte string; its length counts bytes either way. */
type DealLabel = string | Uint8Array;

/** The terms of a deal: every DealProposal field but the parties. */
interface DealTerms {
  readonly pieceCid: CID;
  readonly pieceSize: number;
  readonly verifiedDeal: boolean;
  readonly label: DealLabel;
  readonly startEpoch: number;
  readonly endEpoch: number;
  readonly storagePricePerEpoch: bigint;
  readonly providerCollateral: bigint;
  readonly clientCollateral: bigint;
}

/** A proposal as a client signed it: the parties in any address form. */
export interface DealProposal extends DealTerms {
  readonly client: FilAddress;
  readonly provider: FilAddress;
}

/** A proposal as the market stores it: the parties normalized to actor IDs. */
export interface StoredProposal extends DealTerms {
  readonly client: number;
  readonly provider: number;
}

export interface ClientDealProposal {
  readonly proposal: DealProposal;
  /** The signature's bytes without its type byte (what AuthenticateMessage checks). */
  readonly signatureBytes: Uint8Array;
}

export const dealDuration = (deal: DealTerms): number => deal.endEpoch - deal.startEpoch;
export const totalStorageFee = (deal: DealTerms): bigint => deal.storagePricePerEpoch * BigInt(dealDuration(deal));
/** What the client locks for a deal: its collateral and the whole storage fee. */
export const clientBalanceRequirement = (deal: DealTerms): bigint => deal.clientCollateral + totalStorageFee(deal);

export const labelLength = (label: DealLabel): number => (typeof label === 'string' ? new TextEncoder().encode(label).length : label.length);

export function isPieceCid(c: CID): boolean {
  return c.version === 1 && c.code === FIL_COMMITMENT_UNSEALED && c.multihash.code === SHA2_256_TRUNC254_PADDED && c.multihash.size === 32;
}

export function readDealProposal(value: unknown, what: string): DealProposal {
  const f = tuple(value, 11, what);
  const label = f[5];
  if (typeof label !== 'string' && !(label instanceof Uint8Array)) throw serializationError(`${what}.label: expected a string or bytes`);
  return {
    pieceCid: cid(f[0], `${what}.piece_cid`),
    pieceSize: u64(f[1], `${what}.piece_size`),
    verifiedDeal: bool(f[2], `${what}.verified_deal`),
    client: address(f[3], `${what}.client`),
    provider: address(f[4], `${what}.provider`),
    label,
    startEpoch: i64(f[6], `${what}.start_epoch`),
    endEpoch: i64(f[7], `${what}.end_epoch`),
    storagePricePerEpoch: bigInt(f[8], `${what}.storage_price_per_epoch`),
    providerCollateral: bigInt(f[9], `${what}.provider_collateral`),
    clientCollateral: bigInt(f[10], `${what}.client_collateral`),
  };
}

export function readClientDealProposal(value: unknown, what: string): ClientDealProposal {
  const [proposal, signature] = tuple(value, 2, what);
  const sig = bytes(signature, `${what}.client_signature`);
  if (sig.length === 0) throw serializationError(`${what}.client_signature: empty signature`);
  return { proposal: readDealProposal(proposal, `${what}.proposal`), signatureBytes: sig.subarray(1) };
}

/** The CBOR value of a proposal with these parties. */
export function proposalValue(deal: DealTerms, client: FilAddress, provider: FilAddress): unknown[] {
  return [
    deal.pieceCid,
    deal.pieceSize,
    deal.verifiedDeal,
    client.bytes,
    provider.bytes,
    deal.label,
    deal.startEpoch,
    deal.endEpoch,
    encodeBigInt(deal.storagePricePerEpoch),
    encodeBigInt(deal.providerCollateral),
    encodeBigInt(deal.clientCollateral),
  ];
}

export const storedProposalValue = (deal: StoredProposal): unknown[] => proposalValue(deal, FilAddress.fromId(deal.client), FilAddress.fromId(deal.provider));

/** The proposal CID: dag-cbor, blake2b-256, of the proposal's CBOR (normalized when stored). */
export const proposalCid = (serialized: Uint8Array): CID => cidOf(serialized);

/** Each stored proposal's CID, made once: the market's cron asks for it at each of the deal's checks. */
const storedCids = new WeakMap<StoredProposal, CID>();

export function storedProposalCid(deal: StoredProposal): CID {
  let cid = storedCids.get(deal);
  if (!cid) storedCids.set(deal, (cid = proposalCid(encodeCbor(storedProposalValue(deal)))));
  return cid;
}
