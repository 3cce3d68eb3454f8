// The Lotus state methods over all actors and messages: Filecoin.StateListActors, StateListMessages,
// StateChangedActors, StateCirculatingSupply and StateVMCirculatingSupplyInternal (lotus
// api/api_full.go, node/impl/full/state.go, chain/stmgr/supply.go), in Lotus's JSON shapes.
import { FilAddress } from '../../common/address.js';
import type { CID } from '../../common/cbor.js';
import { DevnetError } from '../../common/errors.js';
import { equalBytes } from '../../common/hex.js';
import type { Devnet } from '../../devnet/devnet.js';
import type { Actor } from '../../fevm/actor.js';
import { actorHead } from '../../fevm/actor-state.js';
import { resolveAddress } from '../../fevm/actors/lifecycle.js';
import { circulatingPart } from '../../fevm/circulating-supply.js';
import { readEach, type StateReader } from '../../fevm/state-tree.js';
import { parentStateRootDigestOf, stateRootDigestOf } from '../../mining/tipset.js';
import { defineMethod } from '../define-method.js';
import { actorJson, cidJson, idJson } from '../lotus-json.js';
import { droppedTipsets, keptAncestry, keptStateOf, keptTipsetOf, tipsetState } from '../dropped-tipsets.js';
import { cid, epoch, filAddress, goFields, tipsetKey } from '../lotus-params.js';
import { invalid, type Param } from '../params.js';

/** The most upstream actors a view of every actor fetches on a fork; a view needing more is refused, not left running for hours. */
const MAX_ACTORS_FETCHED = 10_000;

/**
 * Every actor of a state, by ID (the singletons, then those the init actor numbered). On a fork, the
 * upstream's actors not read yet are named together in one MissingStateError, so that one fetch
 * brings them all; beyond MAX_ACTORS_FETCHED of them (a real network has millions) an error says so.
 */
export function allActors(state: StateReader): Actor[] {
  const ids = Array.from({ length: state.nextId() }, (_, id) => id);
  return readEach(ids, (id) => state.getActor(id), (missing) => {
    if (missing > MAX_ACTORS_FETCHED) {
      throw new DevnetError(
        `this method reads every actor, and more than ${MAX_ACTORS_FETCHED} of the fork's upstream actors have not been read (one Filecoin.StateGetActor each): read actors by address instead (StateGetActor, StateLookupID)`,
      );
    }
  });
}

/** FIL in circulation at `height` (fevm/circulating-supply.ts): every actor's part. */
function circulatingSupply(state: StateReader, height: number): bigint {
  return allActors(state).reduce((sum, actor) => sum + circulatingPart(actor, height), 0n);
}

/** api.MessageMatch: {To, From}, either may be absent or empty. */
const messageMatch = (name: string): Param<{ to?: FilAddress; from?: FilAddress }> => ({
  name,
  parse: (v) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw invalid(name, 'expected {To, From}');
    const { To, From } = goFields(v, ['To', 'From']);
    const address = (field: string, value: unknown) => (value === undefined || value === null || value === '' ? undefined : filAddress(`${name}.${field}`).parse(value));
    return { to: address('To', To), from: address('From', From) };
  },
});

/**
 * The state a state root CID names, on the chain or dropped by a revert and kept (its kept state), as
 * Lotus loads any root its blockstore holds: a block's ParentStateRoot names the state its messages
 * ran on, its parent's with the cheat-code edits made at the parent's epoch before it was mined
 * (tipset.ts RootFormat), so roots differ across branches whose states differ.
 */
function stateOfRoot(devnet: Devnet, root: CID): StateReader | undefined {
  const { chain } = devnet;
  // Tipsets are compared by digest, read from their own (no header or CID object made for each).
  const { digest } = root.multihash;
  // The first tipset's parent state: genesis's, or on a fork the state it starts from.
  const first = chain.first;
  if (first.header.parentStateRoot.equals(root)) return devnet.stateAt(first.epoch);
  // A later block's on the chain: the state before its epoch, which no edit changes once it is mined.
  const child = chain.all().find((t) => t !== first && equalBytes(parentStateRootDigestOf(t), digest));
  if (child) return devnet.stateAt(child.epoch - 1);
  const dropped = droppedTipsets(devnet);
  const beforeDropped = dropped.stateByParentRoot(root);
  if (beforeDropped) return beforeDropped;
  // A root no block held names: a tipset's own, read as its state now (the head's with the edits made since).
  const onChain = chain.all().find((t) => equalBytes(stateRootDigestOf(t), digest));
  if (onChain) return devnet.stateAt(onChain.epoch);
  const own = dropped.byStateRoot(root);
  return own && tipsetState(devnet, own);
}

function stateTreeAt(devnet: Devnet, root: CID, which: 'old' | 'new'): StateReader {
  const state = stateOfRoot(devnet, root);
  if (!state) throw new DevnetError(`failed to load ${which} state tree: failed to load state tree ${root.toString()}: ipld: could not find ${root.toString()}`);
  return state;
}

const sameActor = (a: Actor, b: Actor) =>
  a === b || (a.kind === b.kind && a.nonce === b.nonce && a.balance === b.balance && a.delegated?.key === b.delegated?.key && actorHead(a).equals(actorHead(b)));

export const filecoinStateActors = [
  defineMethod('Filecoin.StateListActors', [tipsetKey('tipsetKey')], ({ devnet }, key) =>
    [...allActors(keptStateOf(devnet, key))].map((actor) => idJson(actor.id)),
  ),

  // The CIDs of the messages sent from or to the addresses, from the tipset back to `toHeight`, newest
  // first; compared as the messages name them (an f1 sender matches its f1 address only), as in Lotus.
  defineMethod('Filecoin.StateListMessages', [messageMatch('match'), tipsetKey('tipsetKey'), epoch('toHeight')], ({ devnet }, match, key, toHeight) => {
    const tipset = keptTipsetOf(devnet, key);
    if (!match.to && !match.from) throw new DevnetError('must specify at least To or From in message filter');
    // An address that names no actor at the start point has no messages.
    const named = match.to ?? match.from!;
    if (!resolveAddress(tipsetState(devnet, tipset), named)) return null;
    const out: ReturnType<typeof cidJson>[] = [];
    // From a dropped tipset, down its own branch.
    for (const t of keptAncestry(devnet, tipset, toHeight)) {
      for (const m of t.messages) {
        const { from, to } = m.signed.message;
        if (match.from && from.key !== match.from.key) continue;
        if (match.to && to.key !== match.to.key) continue;
        out.push(cidJson(m.cid));
      }
    }
    return out.length ? out : null;
  }),

  // The actors of the new state that are new or differ from the old one, by ID address. The state
  // roots are those the block headers carry (ParentStateRoot).
  defineMethod('Filecoin.StateChangedActors', [cid('oldStateRoot'), cid('newStateRoot')], ({ devnet }, oldRoot, newRoot) => {
    const before = stateTreeAt(devnet, oldRoot, 'old');
    const after = stateTreeAt(devnet, newRoot, 'new');
    const changed: Record<string, ReturnType<typeof actorJson>> = {};
    for (const actor of allActors(after)) {
      const old = before.getActor(actor.id);
      if (!old || !sameActor(old, actor)) changed[idJson(actor.id)] = actorJson(actor, actorHead(actor), devnet.codes);
    }
    return changed;
  }),

  defineMethod('Filecoin.StateCirculatingSupply', [tipsetKey('tipsetKey')], ({ devnet }, key) => {
    const tipset = keptTipsetOf(devnet, key);
    return circulatingSupply(tipsetState(devnet, tipset), tipset.epoch).toString();
  }),

  // The figure of the state the other State* methods read at the key (after its tipset's messages): what
  // the next tipset's actors are given (a sector proven there has its DailyFee from FilCirculating), the
  // miner's (mining/miner.ts vmCirculatingSupply). On a fork, the upstream's figure at the fork point
  // moved by the fork's own work (forkedVmCirculatingSupply).
  defineMethod('Filecoin.StateVMCirculatingSupplyInternal', [tipsetKey('tipsetKey')], ({ devnet }, key) => {
    const tipset = keptTipsetOf(devnet, key);
    const figure = devnet.vmCirculatingSupply(tipsetState(devnet, tipset), tipset.epoch);
    if (!figure) throw new DevnetError('the fork\'s upstream served no Filecoin.StateVMCirculatingSupplyInternal at the fork point (a Lotus gateway does not): the fork has no circulating supply, and its sectors no daily fee');
    const supply = figure();
    return {
      FilVested: supply.vested.toString(),
      FilMined: supply.mined.toString(),
      FilBurnt: supply.burnt.toString(),
      FilLocked: supply.locked.toString(),
      FilCirculating: supply.circulating.toString(),
      FilReserveDisbursed: supply.reserveDisbursed.toString(),
    };
  }),
];
