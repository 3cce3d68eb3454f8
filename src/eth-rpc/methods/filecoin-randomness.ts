// Randomness as Lotus serves it, from the devnet's seeded beacon (src/fevm/randomness.ts) and its
// block tickets: Filecoin.StateGetBeaconEntry, StateGetRandomnessDigestFromBeacon,
// StateGetRandomnessFromBeacon, StateGetRandomnessFromTickets, StateGetRandomnessDigestFromTickets.
import { DevnetError } from '../../common/errors.js';
import type { Devnet } from '../../devnet/devnet.js';
import { isMethodNotFound } from '../../devnet/fork/upstream.js';
import { beaconEntryData, beaconRandomness, drawBeaconRandomness, drawTicketRandomness, ticketDigest } from '../../fevm/randomness.js';
import { defineMethod } from '../define-method.js';
import { bytesJson } from '../lotus-json.js';
import type { CID } from '../../common/cbor.js';
import type { Tipset } from '../../mining/tipset.js';
import { tipsetAtHeightFrom } from '../block-ref.js';
import { keptTipsetOf } from '../dropped-tipsets.js';
import { epoch, integer, tipsetKey } from '../lotus-params.js';
import { parseBase64, type Param } from '../params.js';

const entropy: Param<Uint8Array> = {
  name: 'entropy',
  optional: true,
  parse: (v) => {
    if (v === null || v === undefined || v === '') return new Uint8Array();
    return parseBase64('entropy', v);
  },
};

/**
 * The tipset the key names (one a revert dropped too, as Lotus loads any tipset of its blockstore),
 * which randomness can be drawn up to, never beyond (the error under `context`, as Lotus wraps it).
 */
function drawnFrom(devnet: Devnet, randEpoch: number, key: CID[] | undefined, context = ''): Tipset {
  const tipset = keptTipsetOf(devnet, key);
  if (randEpoch > tipset.epoch) throw new DevnetError(`${context}cannot draw randomness from the future`);
  return tipset;
}

/**
 * The ticket randomness is drawn from, on the chain of `from`: since network version 13 Lotus takes a
 * null round's from the tipset after it; a dropped `from` draws from its own branch down to where it
 * left the chain (lotus b835fab70 chain/rand/rand.go getChainRandomness: GetTipsetByHeight from the
 * tipset).
 */
function ticketAt(devnet: Devnet, randEpoch: number, from: Tipset): Uint8Array {
  return tipsetAtHeightFrom(devnet, randEpoch, from, 'after').header.ticket;
}

/**
 * On a fork, ticket randomness up to its epoch, asked of the upstream at the fork point's key: the
 * fork's first tipset stands in for the upstream's there (whose ticket the fork does not hold), and
 * every branch of the fork's, dropped ones too, goes down through it into the upstream's chain, so the
 * upstream's walk down from it draws what calibnet draws; undefined above the fork's epoch, or with no fork.
 * An upstream that does not serve the method (a Lotus gateway) is refused with an error of the
 * devnet's (code 1), not with its "method not found": the devnet serves the method, and a client
 * reads -32601 as its lacking it.
 */
function upstreamTicketDraw(devnet: Devnet, randEpoch: number, method: string, params: unknown[]): Promise<unknown> | undefined {
  const { fork } = devnet;
  const forkEpoch = devnet.chain.first.epoch;
  if (!fork || randEpoch > forkEpoch) return undefined;
  return fork.upstream.call(method, [...params, fork.point.tipsetKey]).catch((error: unknown) => {
    if (!isMethodNotFound(error)) throw error;
    throw new DevnetError(`ticket randomness at or before the fork epoch ${forkEpoch} is the upstream's, and it does not serve ${method} (a Lotus gateway serves no ticket randomness)`);
  });
}

export const filecoinRandomness = [
  // The devnet's beacon has one entry per epoch; its round number is the epoch.
  defineMethod('Filecoin.StateGetBeaconEntry', [epoch('epoch')], ({ devnet }, at) => {
    if (at > devnet.head.epoch) throw new DevnetError('cannot get beacon entry for a future epoch');
    return { Round: at, Data: bytesJson(beaconEntryData(devnet.beaconSeed, at)) };
  }),

  defineMethod('Filecoin.StateGetRandomnessDigestFromBeacon', [epoch('randEpoch'), tipsetKey('tipsetKey')], ({ devnet }, at, key) => {
    // The beacon is the same on every branch.
    drawnFrom(devnet, at, key);
    return bytesJson(beaconRandomness(devnet.beaconSeed, at));
  }),

  defineMethod(
    'Filecoin.StateGetRandomnessFromBeacon',
    [integer('personalization'), epoch('randEpoch'), entropy, tipsetKey('tipsetKey')],
    ({ devnet }, tag, at, extra, key) => {
      drawnFrom(devnet, at, key);
      return bytesJson(drawBeaconRandomness(devnet.beaconSeed, BigInt(tag), at, extra ?? new Uint8Array()));
    },
  ),

  defineMethod(
    'Filecoin.StateGetRandomnessFromTickets',
    [integer('personalization'), epoch('randEpoch'), entropy, tipsetKey('tipsetKey')],
    async ({ devnet }, tag, at, extra, key) => {
      const from = drawnFrom(devnet, at, key);
      const entropyBytes = extra ?? new Uint8Array();
      const upstream = upstreamTicketDraw(devnet, at, 'Filecoin.StateGetRandomnessFromTickets', [tag, at, bytesJson(entropyBytes)]);
      return upstream ? await upstream : bytesJson(drawTicketRandomness(ticketAt(devnet, at, from), BigInt(tag), at, entropyBytes));
    },
  ),

  // The digest the ticket randomness is drawn over, with Lotus's wrapping of its error
  // (node/impl/full/state.go:1968, chain/rand/rand.go getChainRandomness).
  defineMethod('Filecoin.StateGetRandomnessDigestFromTickets', [epoch('randEpoch'), tipsetKey('tipsetKey')], async ({ devnet }, at, key) => {
    const from = drawnFrom(devnet, at, key, 'failed to get randomness digest from tickets: ');
    const upstream = upstreamTicketDraw(devnet, at, 'Filecoin.StateGetRandomnessDigestFromTickets', [at]);
    return upstream ? await upstream : bytesJson(ticketDigest(ticketAt(devnet, at, from)));
  }),
];
