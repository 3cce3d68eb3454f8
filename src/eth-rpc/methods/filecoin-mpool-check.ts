// The checks `lotus send` and wallets run before pushing: Filecoin.MpoolCheckMessages,
// MpoolCheckPendingMessages and MpoolCheckReplaceMessages (lotus chain/messagepool/check.go): for each
// message, a list of {Cid, Code, OK, Err, Hint} in Lotus's order, against the head's state, base fee
// and the sender's pending messages.
import type { Devnet } from '../../devnet/devnet.js';
import { actorNotFound, resolveAddress } from '../../fevm/actors/lifecycle.js';
import { MINIMUM_BASE_FEE, onChainMessageCharge } from '../../fevm/gas.js';
import { encodeMessage, messageCid, type Message } from '../../fevm/message.js';
import { blockInclusionError } from '../../mining/block-inclusion.js';
import { defineMethod } from '../define-method.js';
import { cidJson } from '../lotus-json.js';
import { filAddress, goFields, messages, parseMessage } from '../lotus-params.js';
import { invalid, type Param } from '../params.js';

/** api.CheckStatusCode. */
const Check = {
  Serialize: 1,
  Size: 2,
  Validity: 3,
  MinGas: 4,
  MinBaseFee: 5,
  BaseFee: 6,
  BaseFeeLowerBound: 7,
  BaseFeeUpperBound: 8,
  GetStateNonce: 9,
  Nonce: 10,
  GetStateBalance: 11,
  Balance: 12,
} as const;

/** Lotus's MaxMessageSize less 128 bytes for a signature. */
const MAX_UNSIGNED_SIZE = (64 << 10) - 128;
const BASE_FEE_BOUND_FACTOR = 10n;

interface SenderState {
  nextNonce: number;
  requiredFunds: bigint;
}

/**
 * checkMessages: `interned` messages are the sender's pending ones (nonces counted from the state);
 * otherwise the pool's next nonce and pending costs count. A message with a flexible nonce passes the nonce check.
 */
function checkMessages(devnet: Devnet, msgs: readonly Message[], interned: boolean, flexible?: readonly boolean[]) {
  const head = devnet.head;
  const state = devnet.stateAt(head.epoch);
  const baseFee = head.baseFee;
  const lowerBound = baseFee / BASE_FEE_BOUND_FACTOR < MINIMUM_BASE_FEE ? MINIMUM_BASE_FEE : baseFee / BASE_FEE_BOUND_FACTOR;
  const upperBound = baseFee * BASE_FEE_BOUND_FACTOR;
  const senders = new Map<string, SenderState>();
  const balances = new Map<string, bigint>();
  return msgs.map((m, i) => {
    const Cid = cidJson(messageCid(m));
    const out: { Cid: unknown; Code: number; OK: boolean; Err: string; Hint: Record<string, unknown> | null }[] = [];
    const push = (Code: number, ok: boolean | string, Hint: Record<string, unknown> | null = null) =>
      out.push({ Cid, Code, OK: ok === true, Err: ok === true ? '' : (ok as string), Hint });

    const sender = resolveAddress(state, m.from);
    let st = senders.get(m.from.key);
    if (!st) {
      if (!sender) {
        push(Check.GetStateNonce, `error retrieving state nonce: ${actorNotFound(m.from)}`);
        return out;
      }
      const pending = devnet.poolContent().pending.filter((p) => resolveAddress(state, p.signed.message.from)?.id === sender.id);
      if (pending.length > 0 && !interned) {
        st = { nextNonce: devnet.nextNonce(m.from), requiredFunds: 0n };
        for (const p of pending) st.requiredFunds += BigInt(p.signed.message.gasLimit) * p.signed.message.gasFeeCap + p.signed.message.value;
      } else {
        st = { nextNonce: sender.nonce, requiredFunds: 0n };
      }
      senders.set(m.from.key, st);
      push(Check.GetStateNonce, true, { nonce: st.nextNonce });
    } else {
      push(Check.GetStateNonce, true);
    }

    const balance = balances.get(m.from.key) ?? sender?.balance ?? 0n;
    balances.set(m.from.key, balance);
    push(Check.GetStateBalance, true, { balance: balance.toString() });

    const size = encodeMessage(m).length;
    push(Check.Serialize, true);
    push(Check.Size, size > MAX_UNSIGNED_SIZE ? 'message too big' : true);
    const invalidReason = blockInclusionError(m);
    push(Check.Validity, invalidReason ? `syntactically invalid message: ${invalidReason}` : true);
    if (invalidReason) return out;

    const minGas = onChainMessageCharge(size);
    push(Check.MinGas, m.gasLimit < minGas.ComputeGas + minGas.StorageGas ? 'GasLimit less than epoch minimum gas' : true, { minGas });
    const aboveMinimum = m.gasFeeCap >= MINIMUM_BASE_FEE;
    push(Check.MinBaseFee, aboveMinimum ? true : 'GasFeeCap less than minimum base fee');
    if (aboveMinimum) {
      push(Check.BaseFee, m.gasFeeCap < baseFee ? 'GasFeeCap less than current base fee' : true, { baseFee: baseFee.toString() });
      push(Check.BaseFeeLowerBound, m.gasFeeCap < lowerBound ? 'GasFeeCap less than base fee lower bound for inclusion in next 20 epochs' : true, {
        baseFeeLowerBound: lowerBound.toString(),
        baseFee: baseFee.toString(),
      });
      // A warning only: OK stays true, as in Lotus.
      const upper = { baseFeeUpperBound: upperBound.toString(), baseFee: baseFee.toString() };
      if (m.gasFeeCap < upperBound) out.push({ Cid, Code: Check.BaseFeeUpperBound, OK: true, Err: 'GasFeeCap less than base fee upper bound for inclusion in next 20 epochs', Hint: upper });
      else push(Check.BaseFeeUpperBound, true, upper);
    }

    const nonceHint = { nextNonce: st.nextNonce };
    if (!flexible?.[i] && st.nextNonce !== m.nonce) push(Check.Nonce, `message nonce doesn't match next nonce (${st.nextNonce})`, nonceHint);
    else {
      push(Check.Nonce, true, nonceHint);
      st.nextNonce++;
    }

    st.requiredFunds += BigInt(m.gasLimit) * m.gasFeeCap + m.value;
    push(Check.Balance, balance < st.requiredFunds ? 'insufficient balance' : true, { requiredFunds: st.requiredFunds.toString() });
    return out;
  });
}

/** []*api.MessagePrototype: {Message, ValidNonce}. */
const prototypes: Param<{ message: Message; validNonce: boolean }[]> = {
  name: 'prototypes',
  parse: (v) => {
    if (!Array.isArray(v)) throw invalid('prototypes', 'expected a list of {Message, ValidNonce}');
    return v.map((p, i) => {
      const { Message: m, ValidNonce } = goFields(p, ['Message', 'ValidNonce']);
      if (ValidNonce !== undefined && typeof ValidNonce !== 'boolean') throw invalid(`prototypes[${i}].ValidNonce`, 'expected a boolean');
      return { message: parseMessage(`prototypes[${i}].Message`, m), validNonce: ValidNonce === true };
    });
  },
};

export const filecoinMpoolCheck = [
  defineMethod('Filecoin.MpoolCheckMessages', [prototypes], ({ devnet }, protos) =>
    checkMessages(devnet, protos.map((p) => p.message), false, protos.map((p) => !p.validNonce)),
  ),

  // The sender's pending messages in nonce order; null when it has none.
  defineMethod('Filecoin.MpoolCheckPendingMessages', [filAddress('address')], ({ devnet }, address) => {
    const state = devnet.stateAt(devnet.head.epoch);
    const id = resolveAddress(state, address)?.id;
    const pending = devnet
      .poolContent()
      .pending.map((p) => p.signed.message)
      .filter((m) => id !== undefined && resolveAddress(state, m.from)?.id === id)
      .sort((a, b) => a.nonce - b.nonce);
    return pending.length ? checkMessages(devnet, pending, true) : null;
  }),

  // The replacements with the sender's other pending messages, each sender's in nonce order.
  defineMethod('Filecoin.MpoolCheckReplaceMessages', [messages('messages')], ({ devnet }, replacements) => {
    const bySender = new Map<string, Map<number, Message>>();
    for (const m of replacements) {
      let nonces = bySender.get(m.from.key);
      if (!nonces) {
        nonces = new Map();
        for (const p of devnet.poolContent().pending) if (p.signed.message.from.key === m.from.key) nonces.set(p.signed.message.nonce, p.signed.message);
        bySender.set(m.from.key, nonces);
      }
      nonces.set(m.nonce, m);
    }
    const msgs = [...bySender.values()].flatMap((nonces) => [...nonces.values()].sort((a, b) => a.nonce - b.nonce));
    return checkMessages(devnet, msgs, true);
  }),
];
