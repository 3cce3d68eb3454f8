// The Lotus v2 API's methods (/rpc/v2): Filecoin.ChainGetTipSet, Filecoin.StateGetActor and
// Filecoin.StateGetID, each taking a TipSetSelector instead of a tipset key (unlike v1, a missing
// actor or address is null, not an error), and Filecoin.ChainGetTipSetFinalityStatus.
import { actorHead } from '../../fevm/actor-state.js';
import { resolveAddress } from '../../fevm/actors/lifecycle.js';
import { defineMethod } from '../define-method.js';
import type { Devnet } from '../../devnet/devnet.js';
import type { StateReader } from '../../fevm/state-tree.js';
import { keptTipsetOf, tipsetState } from '../dropped-tipsets.js';
import { actorJson, idJson, tipsetJson } from '../lotus-json.js';
import { filAddress } from '../lotus-params.js';
import { selectTipset, tipsetSelector, type TipsetSelector } from '../tipset-selector.js';

export const filecoinV2 = [
  // A key (or a height's anchor key) names a tipset a revert or reorg dropped too, as v1's does.
  defineMethod('Filecoin.ChainGetTipSet', [tipsetSelector('selector')], ({ devnet }, selector) => tipsetJson(selectTipset(devnet, selector, keptTipsetOf))),

  // Lotus master's (node/impl/full/chain_v2.go ChainGetTipSetFinalityStatus, types.FinalityStatus).
  // Its EC calculator (chain/ecfinality, FRC-0089) expects 5 blocks an epoch, 30 % of them an
  // adversary's: against one block an epoch, as the devnet mines, the reorg bound never falls under
  // 2^-30 within its 450-epoch search, so no depth (-1) and no EC-finalized tipset, and EC finality is
  // the static head - 900. F3's tipset and the finalized one are mining/finality.ts's.
  defineMethod('Filecoin.ChainGetTipSetFinalityStatus', [], ({ devnet }) => {
    const { f3Finalized, finalized } = devnet.finality();
    return {
      ecFinalityThresholdDepth: -1,
      ecFinalizedTipSet: null,
      f3FinalizedTipSet: f3Finalized ? tipsetJson(f3Finalized) : null,
      finalizedTipSet: tipsetJson(finalized),
      head: tipsetJson(devnet.head),
    };
  }),

  defineMethod('Filecoin.StateGetActor', [filAddress('address'), tipsetSelector('selector', 'getting tipset: ')], ({ devnet }, address, selector) => {
    const actor = resolveAddress(selectedState(devnet, selector), address);
    return actor ? actorJson(actor, actorHead(actor), devnet.codes) : null;
  }),

  defineMethod('Filecoin.StateGetID', [filAddress('address'), tipsetSelector('selector', 'getting tipset: ')], ({ devnet }, address, selector) => {
    const actor = resolveAddress(selectedState(devnet, selector), address);
    return actor ? idJson(actor.id) : null;
  }),
];

/**
 * The state of the tipset a selector names, found as ChainGetTipSet finds it (a dropped tipset by its
 * key or a height from it: Lotus's v2 resolves a selector as its ChainGetTipSet, chain_v2.go), a
 * dropped one read in its kept state (dropped-tipsets.ts).
 */
function selectedState(devnet: Devnet, selector: TipsetSelector): StateReader {
  return tipsetState(devnet, selectTipset(devnet, selector, keptTipsetOf));
}
