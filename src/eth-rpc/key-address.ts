// Lotus's ResolveToDeterministicAddress (lotus b835fab70 chain/stmgr/stmgr.go; chain/vm/vm.go
// ResolveToDeterministicAddr) at a tipset the devnet holds: what Filecoin.StateAccountKey answers and
// how the Filecoin gas estimates resolve an ID or actor (f2) sender.
import { FilAddress, Protocol } from '../common/address.js';
import { DevnetError } from '../common/errors.js';
import type { Devnet } from '../devnet/devnet.js';
import type { StateReader } from '../fevm/state-tree.js';
import type { Tipset } from '../mining/tipset.js';
import { keptParentState, tipsetState } from './dropped-tipsets.js';

/**
 * The key address of `address` at `tipset`: a key or delegated address as it is, an actor (f2)
 * address never (refused whatever the state); an ID to its actor's f4 if it has one, else its
 * account's key. An ID is tried in the state the tipset's messages ran on first (ts.ParentState():
 * for a dropped tipset its branch's, not the chain's at that epoch now, keptParentState), then, if
 * that fails, in the tipset's own, whose error is the answer (a Lotus node computes the tipset's
 * state only then).
 * The first read decides only for an actor the tipset's messages deleted, and no devnet actor that
 * resolves is ever deleted (a payment channel deletes itself, and resolves in neither state); the
 * fork's first tipset has no parent here (it is the upstream's): its own state answers.
 */
export function keyAddressAt(devnet: Devnet, address: FilAddress, tipset: Tipset): FilAddress {
  if (address.protocol === Protocol.Actor) throw new DevnetError('cannot resolve actor address to key address');
  if (address.protocol !== Protocol.ID) return address;
  const parentState = parentStateIfKept(devnet, tipset);
  const first = parentState && keyAddressIn(parentState, address);
  if (first instanceof FilAddress) return first;
  const own = keyAddressIn(tipsetState(devnet, tipset), address);
  if (own instanceof FilAddress) return own;
  throw new DevnetError(own);
}

/** An ID's key address in one state (vm.go ResolveToDeterministicAddr), or Lotus's text for why it has none. */
function keyAddressIn(state: StateReader, id: FilAddress): FilAddress | string {
  const actor = state.getActor(id.id!);
  if (!actor) return `failed to find actor: ${id.toString()}`;
  if (actor.delegated) return actor.delegated;
  if (actor.kind !== 'account' || !actor.robust) return `failed to get account actor state for ${id.toString()}: actor code is not account: ${actor.kind}`;
  return actor.robust;
}

/** The state a tipset's messages ran on, or none when KEPT_DROPPED let it go: Lotus's first read would find it; here the tipset's own answers. */
function parentStateIfKept(devnet: Devnet, tipset: Tipset): StateReader | undefined {
  try {
    return keptParentState(devnet, tipset);
  } catch (error) {
    if (error instanceof DevnetError) return undefined;
    throw error;
  }
}
