// A payment channel voucher (builtin-actors paych SignedVoucher, go-state-types paych.SignedVoucher):
// what the payer signs off-chain and the payee redeems with UpdateChannelState. Decoded from the
// CBOR tuple of eleven fields; the bytes signed are the same tuple with the signature null
// (signing_bytes), encoded again from the fields as they came. Lanes and nonces are u64, kept as
// bigint (a lane past MAX_LANE, 2^63 − 1, is refused where the actor looks it up: actor.ts).
import type { FilAddress } from '../../../common/address.js';
import { encodeCbor } from '../../../common/cbor.js';
import { address, bigInt, bytes, i64, list, signature, tuple, u64, u64Big } from '../params.js';

/** ModVerifyParams `[actor, method, data]`: a method the voucher asks the channel to call before it redeems. */
export interface VoucherExtra {
  readonly actor: FilAddress;
  readonly method: number;
  readonly data: Uint8Array;
}

export interface SignedVoucher {
  readonly channel: FilAddress;
  readonly timeLockMin: number;
  readonly timeLockMax: number;
  /** The blake2b-256 of a secret the payee must give (empty: none). */
  readonly secretHash: Uint8Array;
  readonly extra?: VoucherExtra;
  readonly lane: bigint;
  readonly nonce: bigint;
  readonly amount: bigint;
  readonly minSettleHeight: number;
  readonly merges: readonly { readonly lane: bigint; readonly nonce: bigint }[];
  /** The payer's signature (absent: unsigned), without the type byte that leads its CBOR bytes. */
  readonly signature?: { readonly type: number; readonly data: Uint8Array };
  /** The bytes the payer signed: the tuple with its signature null. */
  readonly signingBytes: Uint8Array;
}

/** signing_bytes: a voucher's first ten fields (all but the signature) with the signature null. */
export const voucherSigningBytes = (fields: readonly unknown[]): Uint8Array => encodeCbor([...fields.slice(0, 10), null]);

/** SignedVoucher `[channel_addr, time_lock_min, time_lock_max, secret_pre_image, extra, lane, nonce, amount, min_settle_height, merges, signature]`. */
export function signedVoucher(value: unknown): SignedVoucher {
  const fields = tuple(value, 11, 'SignedVoucher');
  const [rawChannel, rawMin, rawMax, rawSecret, rawExtra, rawLane, rawNonce, rawAmount, rawMinSettle, rawMerges, rawSignature] = fields;
  const extraFields = rawExtra === null ? undefined : tuple(rawExtra, 3, 'ModVerifyParams');
  return {
    channel: address(rawChannel, 'channel_addr'),
    timeLockMin: i64(rawMin, 'time_lock_min'),
    timeLockMax: i64(rawMax, 'time_lock_max'),
    secretHash: bytes(rawSecret, 'secret_pre_image'),
    ...(extraFields ? { extra: { actor: address(extraFields[0], 'extra.actor'), method: u64(extraFields[1], 'extra.method'), data: bytes(extraFields[2], 'extra.data') } } : {}),
    lane: u64Big(rawLane, 'lane'),
    nonce: u64Big(rawNonce, 'nonce'),
    amount: bigInt(rawAmount, 'amount'),
    minSettleHeight: i64(rawMinSettle, 'min_settle_height'),
    merges: list(rawMerges, 'merges').map((merge, i) => {
      const [lane, nonce] = tuple(merge, 2, `merges[${i}]`);
      return { lane: u64Big(lane, `merges[${i}].lane`), nonce: u64Big(nonce, `merges[${i}].nonce`) };
    }),
    ...(rawSignature === null ? {} : { signature: signature(rawSignature, 'signature') }),
    signingBytes: voucherSigningBytes(fields),
  };
}
