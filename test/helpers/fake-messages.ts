// Included messages built by hand, for chain-store and tipset tests that need messages in tipsets
// but execute none of them.
import { FilAddress } from '../../src/common/address.js';
import { signedMessageCid, SigType, type SignedMessage } from '../../src/fevm/message.js';
import type { IncludedMessage } from '../../src/mining/tipset.js';

/** A native (secp256k1) f01000 → f01001 send with a dummy signature of `signatureByte`s and a successful receipt. */
export function fakeIncluded({
  nonce,
  index,
  value = 0n,
  gasLimit = 1_000_000,
  gasUsed = 500_000,
  signatureByte = 0,
}: {
  nonce: number;
  index: number;
  value?: bigint;
  gasLimit?: number;
  gasUsed?: number;
  signatureByte?: number;
}): IncludedMessage {
  const signed: SignedMessage = {
    message: {
      version: 0,
      to: FilAddress.fromId(1001),
      from: FilAddress.fromId(1000),
      nonce,
      value,
      gasLimit,
      gasFeeCap: 1_000n,
      gasPremium: 100n,
      method: 0,
      params: new Uint8Array(),
    },
    signature: { type: SigType.Secp256k1, data: new Uint8Array(65).fill(signatureByte) },
  };
  return { cid: signedMessageCid(signed), signed, receipt: { exitCode: 0, returnData: new Uint8Array(), gasUsed, events: [] }, index };
}
