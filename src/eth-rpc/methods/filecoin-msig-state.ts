// The Lotus readers of multisig wallets (node/impl/full/state.go): Filecoin.MsigGetAvailableBalance,
// MsigGetVested, MsigGetPending and MsigGetVestingSchedule, in Lotus's JSON shapes and wording; and
// the multisig's State for StateReadState (go-state-types builtin/v17/multisig).
import { FilAddress } from '../../common/address.js';
import { DevnetError } from '../../common/errors.js';
import type { Devnet } from '../../devnet/devnet.js';
import type { Actor } from '../../fevm/actor.js';
import { resolveAddress } from '../../fevm/actors/lifecycle.js';
import { hamtOrder } from '../../fevm/actors/multisig/pending-order.js';
import { lockedAt, pendingTxsRoot, type MultisigState } from '../../fevm/actors/multisig/state.js';
import type { Tipset } from '../../mining/tipset.js';
import { defineMethod } from '../define-method.js';
import { addressJson, bytesJson, cidJson, idJson } from '../lotus-json.js';
import { keptTipsetOf, tipsetState } from '../dropped-tipsets.js';
import { filAddress, tipsetKey } from '../lotus-params.js';

/** The multisig at `address` in the tipset's state, with Lotus's errors for a missing or other actor. */
function multisigAt(devnet: Devnet, address: FilAddress, tipset: Tipset, what = 'multisig actor'): { actor: Actor; multisig: MultisigState } {
  const actor = resolveAddress(tipsetState(devnet, tipset), address);
  if (!actor) throw new DevnetError(`failed to load ${what}: resolution lookup failed (${address.toString()}): actor not found`);
  if (!actor.multisig) throw new DevnetError(`failed to load multisig actor state: actor code is not multisig: ${actor.kind}`);
  return { actor, multisig: actor.multisig };
}

/** multisig.State in Go JSON. */
export function multisigStateJson(state: MultisigState) {
  return {
    Signers: state.signers.map((id) => idJson(id)),
    NumApprovalsThreshold: state.numApprovalsThreshold,
    NextTxnID: state.nextTxId,
    InitialBalance: state.initialBalance.toString(),
    StartEpoch: state.startEpoch,
    UnlockDuration: state.unlockDuration,
    PendingTxns: cidJson(pendingTxsRoot(state)),
  };
}

/**
 * What unlocked between two heights, by the schedule the wallet has at the end tipset (Lotus
 * MsigGetVested once it has found both tipsets): of the start tipset only its height counts.
 */
export function vestedBetween(devnet: Devnet, address: FilAddress, startEpoch: number, endEpoch: number, end: () => Tipset): string {
  if (startEpoch > endEpoch) throw new DevnetError(`start tipset ${startEpoch} is after end tipset ${endEpoch}`);
  if (startEpoch === endEpoch) return '0';
  const { multisig } = multisigAt(devnet, address, end(), 'multisig actor at end epoch');
  return (lockedAt(multisig, startEpoch) - lockedAt(multisig, endEpoch)).toString();
}

export const filecoinMsigState = [
  // The balance minus what the vesting schedule still locks at the tipset's height.
  defineMethod('Filecoin.MsigGetAvailableBalance', [filAddress('address'), tipsetKey('tipsetKey')], ({ devnet }, address, key) => {
    const tipset = keptTipsetOf(devnet, key);
    const { actor, multisig } = multisigAt(devnet, address, tipset);
    return (actor.balance - lockedAt(multisig, tipset.epoch)).toString();
  }),

  defineMethod('Filecoin.MsigGetVestingSchedule', [filAddress('address'), tipsetKey('tipsetKey')], ({ devnet }, address, key) => {
    const { multisig } = multisigAt(devnet, address, keptTipsetOf(devnet, key));
    return { InitialBalance: multisig.initialBalance.toString(), StartEpoch: multisig.startEpoch, UnlockDuration: multisig.unlockDuration };
  }),

  defineMethod('Filecoin.MsigGetVested', [filAddress('address'), tipsetKey('start'), tipsetKey('end')], ({ devnet }, address, startKey, endKey) => {
    const start = keptTipsetOf(devnet, startKey);
    const end = keptTipsetOf(devnet, endKey);
    return vestedBetween(devnet, address, start.epoch, end.epoch, () => end);
  }),

  // Pending transactions by ID; an executed or cancelled one is gone.
  defineMethod('Filecoin.MsigGetPending', [filAddress('address'), tipsetKey('tipsetKey')], ({ devnet }, address, key) => {
    const { multisig } = multisigAt(devnet, address, keptTipsetOf(devnet, key));
    // In the order Lotus lists them: its HAMT's.
    return hamtOrder(multisig.pendingTxs.keys())
      .map((id) => [id, multisig.pendingTxs.get(id)!] as const)
      .map(([id, txn]) => ({
        ID: id,
        To: addressJson(FilAddress.fromBytes(txn.to)),
        Value: txn.value.toString(),
        Method: txn.method,
        Params: bytesJson(txn.params),
        Approved: txn.approved.map((approver) => idJson(approver)),
      }));
  }),
];
