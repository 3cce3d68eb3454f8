// The storage providers' cheat codes: propose a deal directly to a provider (as a client would through
// Boost), set a provider's ask, make it refuse the next proposal, and have it declare sectors faulty,
// recovered or terminated, so that every step of a deal's life can be tested on demand.
import { FilAddress } from '../../common/address.js';
import { CID } from '../../common/cbor.js';
import { hexToBytes } from '../../common/hex.js';
import type { Devnet } from '../../devnet/devnet.js';
import { shapeBySize } from '../../fevm/actors/miner/policy.js';
import type { DirectDeal } from '../../devnet/storage-providers/agents.js';
import type { StorageAsk } from '../../devnet/storage-providers/storage-ask.js';
import { defineMethod, defineWriteMethod } from '../define-method.js';
import { addressJson, cidJson, idJson } from '../lotus-json.js';
import { anyAddress, filAddress } from '../lotus-params.js';
import { invalid, object, optional, string, type Param } from '../params.js';

/** A miner's actor ID from its address (t0…/f0… or any address the chain resolves); on a fork, its actor is fetched too (the providers read it). */
function minerId(devnet: Devnet, address: FilAddress): Promise<number> {
  return devnet.untilFetched(() => {
    const state = devnet.stateAt(devnet.head.epoch);
    const id = state.lookupId(address);
    if (id === undefined) throw invalid('miner', `no actor has address ${address.toString()}`);
    state.getActor(id);
    return id;
  });
}

const field = (name: string) => `deal.${name}`;

function integerField(deal: Record<string, unknown>, name: string): number | undefined {
  const v = deal[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw invalid(field(name), 'expected an integer');
  return v;
}

/** attoFIL as a decimal string (Lotus's BigInt JSON) or a number. */
function amountField(record: Record<string, unknown>, name: string, prefix = 'deal'): bigint | undefined {
  const v = record[name];
  if (v === undefined) return undefined;
  if ((typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) || (typeof v === 'string' && /^\d+$/.test(v))) return BigInt(v);
  throw invalid(`${prefix}.${name}`, 'expected attoFIL as a decimal string');
}

function pieceCidField(deal: Record<string, unknown>): CID {
  const v = deal.pieceCid;
  const text = typeof v === 'string' ? v : v && typeof v === 'object' ? (v as Record<string, unknown>)['/'] : undefined;
  if (typeof text !== 'string') throw invalid(field('pieceCid'), 'expected a piece CID (baga…), as a string or {"/": …}');
  try {
    return CID.parse(text);
  } catch {
    throw invalid(field('pieceCid'), `invalid CID ${text.slice(0, 80)}`);
  }
}

async function parseDeal(devnet: Devnet, deal: Record<string, unknown>): Promise<DirectDeal> {
  const pieceCid = pieceCidField(deal);
  const pieceSize = integerField(deal, 'pieceSize') ?? devnet.pieces.get(pieceCid)?.size;
  if (pieceSize === undefined) throw invalid(field('pieceSize'), 'required unless the piece was uploaded to this node (PUT /piece/<cid>)');
  // Without a client, the node's own deal client makes the deal.
  const client = deal.client === undefined ? undefined : anyAddress(field('client')).parse(deal.client);
  const provider = deal.provider === undefined ? undefined : await minerId(devnet, filAddress(field('provider')).parse(deal.provider));
  if (deal.label !== undefined && typeof deal.label !== 'string') throw invalid(field('label'), 'expected a string');
  if (deal.verifiedDeal !== undefined && typeof deal.verifiedDeal !== 'boolean') throw invalid(field('verifiedDeal'), 'expected a boolean');
  if (deal.clientSignature !== undefined && (typeof deal.clientSignature !== 'string' || !/^0x([0-9a-fA-F]{2})+$/.test(deal.clientSignature))) {
    throw invalid(field('clientSignature'), 'expected 0x-prefixed signature bytes, type byte first');
  }
  return {
    pieceCid,
    pieceSize,
    client,
    provider,
    label: deal.label,
    startEpoch: integerField(deal, 'startEpoch'),
    endEpoch: integerField(deal, 'endEpoch'),
    storagePricePerEpoch: amountField(deal, 'storagePricePerEpoch'),
    providerCollateral: amountField(deal, 'providerCollateral'),
    clientCollateral: amountField(deal, 'clientCollateral'),
    verifiedDeal: deal.verifiedDeal,
    clientSignature: deal.clientSignature === undefined ? undefined : hexToBytes(deal.clientSignature as string),
  };
}

function askJson(ask: StorageAsk) {
  return {
    pricePerGiBEpoch: ask.pricePerGiBEpoch.toString(),
    verifiedPricePerGiBEpoch: ask.verifiedPricePerGiBEpoch.toString(),
    minPieceSize: ask.minPieceSize,
    maxPieceSize: ask.maxPieceSize,
    maxProviderCollateral: ask.maxProviderCollateral.toString(),
  };
}

function parseAsk(current: StorageAsk, ask: Record<string, unknown>): StorageAsk {
  const size = (name: 'minPieceSize' | 'maxPieceSize') => {
    const v = ask[name];
    if (v === undefined) return current[name];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw invalid(`ask.${name}`, 'expected a size in bytes');
    return v;
  };
  return {
    pricePerGiBEpoch: amountField(ask, 'pricePerGiBEpoch', 'ask') ?? current.pricePerGiBEpoch,
    verifiedPricePerGiBEpoch: amountField(ask, 'verifiedPricePerGiBEpoch', 'ask') ?? current.verifiedPricePerGiBEpoch,
    minPieceSize: size('minPieceSize'),
    maxPieceSize: size('maxPieceSize'),
    maxProviderCollateral: amountField(ask, 'maxProviderCollateral', 'ask') ?? current.maxProviderCollateral,
  };
}

/** A sector size in bytes: one of those Filecoin proofs support. */
function parseSectorSize(value: unknown): bigint {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || !shapeBySize(BigInt(value))) {
    throw invalid('options.sectorSize', 'expected 2048, 8388608, 536870912, 34359738368 or 68719476736 bytes');
  }
  return BigInt(value);
}

const sectorNumbers: Param<number[]> = {
  name: 'sectors',
  parse: (v) => {
    if (!Array.isArray(v) || v.length === 0 || !v.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0)) {
      throw invalid('sectors', 'expected a non-empty list of sector numbers');
    }
    return v as number[];
  },
};

const sectorChange = (name: string, change: 'fault' | 'recover' | 'terminate') =>
  defineWriteMethod(name, [filAddress('miner'), sectorNumbers], async ({ devnet }, miner, sectors) =>
    cidJson(await devnet.storageProviders.changeSectors(await minerId(devnet, miner), change, sectors)),
  );

export const cheatsStorage = [
  defineWriteMethod('devnet_proposeDeal', [object('deal')], async ({ devnet }, deal) => {
    const published = await devnet.storageProviders.proposeDeal(await parseDeal(devnet, deal));
    return { dealId: published.dealId, provider: idJson(published.provider), message: cidJson(published.message) };
  }),

  defineWriteMethod('devnet_addStorageProvider', [optional(object('options'))], async ({ devnet }, options) => {
    const sectorSize = options?.sectorSize === undefined ? undefined : parseSectorSize(options.sectorSize);
    const { minerId, owner } = await devnet.storageProviders.addProvider(sectorSize);
    return { miner: idJson(minerId), owner: addressJson(owner) };
  }),

  defineWriteMethod('devnet_setStorageAsk', [filAddress('miner'), object('ask')], async ({ devnet }, miner, ask) =>
    askJson(await devnet.storageProviders.setAsk(await minerId(devnet, miner), (current) => parseAsk(current, ask))),
  ),

  defineMethod('devnet_getStorageAsk', [filAddress('miner')], async ({ devnet }, miner) => askJson(devnet.storageProviders.ask(await minerId(devnet, miner)))),

  defineWriteMethod('devnet_rejectNextProposal', [filAddress('miner'), optional(string('reason'))], async ({ devnet }, miner, reason) => {
    await devnet.storageProviders.rejectNextProposal(await minerId(devnet, miner), reason ?? 'rejected by devnet_rejectNextProposal');
    return true;
  }),

  sectorChange('devnet_faultSectors', 'fault'),
  sectorChange('devnet_recoverSectors', 'recover'),
  sectorChange('devnet_terminateSectors', 'terminate'),
];
