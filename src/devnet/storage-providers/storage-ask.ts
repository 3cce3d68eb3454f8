// A storage provider's ask, as Boost keeps one: the lowest price it takes (per GiB per epoch, verified
// deals apart), the piece sizes it takes, and the most collateral it puts up; and why a proposal
// falls outside it.
import type { DealProposal } from '../../fevm/actors/market/deal-proposal.js';

export interface StorageAsk {
  /** attoFIL per GiB per epoch, at least. */
  pricePerGiBEpoch: bigint;
  verifiedPricePerGiBEpoch: bigint;
  minPieceSize: number;
  maxPieceSize: number;
  /** The most provider collateral it puts up for one deal. */
  maxProviderCollateral: bigint;
}

const GIB = 1n << 30n;

/** Any price, any piece from 128 bytes to a whole sector, any reasonable collateral. */
export function defaultAsk(sectorSize: bigint): StorageAsk {
  return { pricePerGiBEpoch: 0n, verifiedPricePerGiBEpoch: 0n, minPieceSize: 128, maxPieceSize: Number(sectorSize), maxProviderCollateral: 10n ** 24n };
}

/** Why `ask` refuses the proposal, or undefined if it accepts it. */
export function askRefusal(ask: StorageAsk, proposal: DealProposal): string | undefined {
  if (proposal.pieceSize < ask.minPieceSize) return `piece size ${proposal.pieceSize} is below the minimum ${ask.minPieceSize}`;
  if (proposal.pieceSize > ask.maxPieceSize) return `piece size ${proposal.pieceSize} is above the maximum ${ask.maxPieceSize}`;
  const gib = (BigInt(proposal.pieceSize) + GIB - 1n) / GIB;
  const minPrice = (proposal.verifiedDeal ? ask.verifiedPricePerGiBEpoch : ask.pricePerGiBEpoch) * gib;
  if (proposal.storagePricePerEpoch < minPrice) return `price ${proposal.storagePricePerEpoch} per epoch is below the ask (${minPrice})`;
  if (proposal.providerCollateral > ask.maxProviderCollateral) return `provider collateral ${proposal.providerCollateral} is above ${ask.maxProviderCollateral}`;
  return undefined;
}
