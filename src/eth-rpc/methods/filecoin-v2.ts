// The Lotus v2 API's methods (/rpc/v2): Filecoin.ChainGetTipSet, Filecoin.StateGetActor and
// Filecoin.StateGetID, each taking a TipSetSelector instead of a tipset key. Unlike v1, a missing
// actor or address is null, not an error.
import { actorHead } from '../../fevm/actor-state.js';
import { resolveAddress } from '../../fevm/actors/lifecycle.js';
import { defineMethod } from '../define-method.js';
import { actorJson, tipsetJson } from '../lotus-json.js';
import { filAddress } from '../lotus-params.js';
import { selectTipset, tipsetSelector } from '../tipset-selector.js';

export const filecoinV2 = [
  defineMethod('Filecoin.ChainGetTipSet', [tipsetSelector('selector')], ({ devnet }, selector) => tipsetJson(selectTipset(devnet, selector))),

  defineMethod('Filecoin.StateGetActor', [filAddress('address'), tipsetSelector('selector', 'getting tipset: ')], ({ devnet }, address, selector) => {
    const actor = resolveAddress(devnet.stateAt(selectTipset(devnet, selector).epoch), address);
    return actor ? actorJson(actor, actorHead(actor), devnet.codes) : null;
  }),

  defineMethod('Filecoin.StateGetID', [filAddress('address'), tipsetSelector('selector', 'getting tipset: ')], ({ devnet }, address, selector) => {
    const actor = resolveAddress(devnet.stateAt(selectTipset(devnet, selector).epoch), address);
    return actor ? `t0${actor.id}` : null;
  }),
];
