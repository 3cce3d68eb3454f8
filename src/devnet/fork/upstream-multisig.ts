// A multisig wallet as the fork holds it, from two gateway methods: its State (Filecoin.StateReadState:
// signers, threshold, next transaction ID, vesting) and its pending transactions
// (Filecoin.MsigGetPending, which reads the State's PendingTxns HAMT), in go-state-types multisig's
// JSON shapes.
import { FilAddress } from '../../common/address.js';
import type { MultisigState, MultisigTransaction } from '../../fevm/actors/multisig/state.js';
import { idOf } from './upstream-tables.js';

/** go-state-types multisig.State as Lotus's JSON writes it (the pending HAMT is read with MsigGetPending). */
export interface LotusMultisigState {
  Signers: string[] | null;
  NumApprovalsThreshold: number;
  NextTxnID: number;
  InitialBalance: string;
  StartEpoch: number;
  UnlockDuration: number;
}

/** api.MsigTransaction as Lotus's JSON writes it. */
export interface LotusMsigTransaction {
  ID: number;
  To: string;
  Value: string;
  Method: number;
  /** Base64; null for none. */
  Params: string | null;
  Approved: string[] | null;
}

export function multisigStateFromLotus(state: LotusMultisigState, pending: readonly LotusMsigTransaction[]): MultisigState {
  const pendingTxs = new Map<number, MultisigTransaction>(
    pending.map((txn) => [
      txn.ID,
      {
        to: FilAddress.parse(txn.To).bytes,
        value: BigInt(txn.Value),
        method: txn.Method,
        params: new Uint8Array(Buffer.from(txn.Params ?? '', 'base64')),
        approved: (txn.Approved ?? []).map((approver) => idOf(approver, 'multisig approver')),
      },
    ]),
  );
  return {
    signers: (state.Signers ?? []).map((signer) => idOf(signer, 'multisig signer')),
    numApprovalsThreshold: state.NumApprovalsThreshold,
    nextTxId: state.NextTxnID,
    initialBalance: BigInt(state.InitialBalance),
    startEpoch: state.StartEpoch,
    unlockDuration: state.UnlockDuration,
    pendingTxs,
  };
}
