// Randomness as Lotus serves it, from the devnet's seeded beacon (src/fevm/randomness.ts) and its
// block tickets: Filecoin.StateGetBeaconEntry, StateGetRandomnessDigestFromBeacon,
// StateGetRandomnessFromBeacon, StateGetRandomnessFromTickets, StateGetRandomnessDigestFromTickets.
import { DevnetError } from '../../common/errors.js';
import type { Devnet } from '../../devnet/devnet.js';
import { beaconEntryData, beaconRandomness, drawBeaconRandomness, drawTicketRandomness, ticketDigest } from '../../fevm/randomness.js';
import { defineMethod } from '../define-method.js';
import { bytesJson } from '../lotus-json.js';
import { epoch, integer, tipsetKey, tipsetOf } from '../lotus-params.js';
import { parseBase64, type Param } from '../params.js';

const entropy: Param<Uint8Array> = {
  name: 'entropy',
  optional: true,
  parse: (v) => {
    if (v === null || v === undefined || v === '') return new Uint8Array();
    return parseBase64('entropy', v);
  },
};

/** Randomness can be drawn up to the tipset asked about, never beyond it (the error under `context`, as Lotus wraps it). */
function checkNotFuture(devnet: Devnet, randEpoch: number, key: Parameters<typeof tipsetOf>[1], context = ''): void {
  if (randEpoch > tipsetOf(devnet, key).epoch) throw new DevnetError(`${context}cannot draw randomness from the future`);
}

/** The ticket randomness is drawn from: since network version 13 Lotus takes a null round's from the tipset after it. */
const ticketAt = (devnet: Devnet, randEpoch: number): Uint8Array => devnet.chain.atOrAfter(randEpoch)!.header.ticket;

export const filecoinRandomness = [
  // The devnet's beacon has one entry per epoch; its round number is the epoch.
  defineMethod('Filecoin.StateGetBeaconEntry', [epoch('epoch')], ({ devnet }, at) => {
    if (at > devnet.head.epoch) throw new DevnetError('cannot get beacon entry for a future epoch');
    return { Round: at, Data: bytesJson(beaconEntryData(devnet.beaconSeed, at)) };
  }),

  defineMethod('Filecoin.StateGetRandomnessDigestFromBeacon', [epoch('randEpoch'), tipsetKey('tipsetKey')], ({ devnet }, at, key) => {
    checkNotFuture(devnet, at, key);
    return bytesJson(beaconRandomness(devnet.beaconSeed, at));
  }),

  defineMethod(
    'Filecoin.StateGetRandomnessFromBeacon',
    [integer('personalization'), epoch('randEpoch'), entropy, tipsetKey('tipsetKey')],
    ({ devnet }, tag, at, extra, key) => {
      checkNotFuture(devnet, at, key);
      return bytesJson(drawBeaconRandomness(devnet.beaconSeed, BigInt(tag), at, extra ?? new Uint8Array()));
    },
  ),

  defineMethod(
    'Filecoin.StateGetRandomnessFromTickets',
    [integer('personalization'), epoch('randEpoch'), entropy, tipsetKey('tipsetKey')],
    ({ devnet }, tag, at, extra, key) => {
      checkNotFuture(devnet, at, key);
      return bytesJson(drawTicketRandomness(ticketAt(devnet, at), BigInt(tag), at, extra ?? new Uint8Array()));
    },
  ),

  // The digest the ticket randomness is drawn over, with Lotus's wrapping of its error
  // (node/impl/full/state.go:1968, chain/rand/rand.go getChainRandomness).
  defineMethod('Filecoin.StateGetRandomnessDigestFromTickets', [epoch('randEpoch'), tipsetKey('tipsetKey')], ({ devnet }, at, key) => {
    checkNotFuture(devnet, at, key, 'failed to get randomness digest from tickets: ');
    return bytesJson(ticketDigest(ticketAt(devnet, at)));
  }),
];
