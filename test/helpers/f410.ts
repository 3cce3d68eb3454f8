// An independent encoder of Filecoin address strings (go-address's form), used as the oracle the
// devnet's own encoder (src/common/address.ts) is checked against; it shares no code with it.
import { blake2b } from '@noble/hashes/blake2.js';

/** RFC 4648 base32, lowercase, no padding (go-address's encoding). */
export function base32(bytes: Uint8Array): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let out = '';
  let value = 0;
  let bits = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** t410f… of a 20-byte payload (bytes or 0x hex): base32 of payload ‖ blake2b-32 checksum over protocol 4 ‖ namespace 10 ‖ payload. */
export function t410(payload: Uint8Array | string): string {
  const bytes = typeof payload === 'string' ? Buffer.from(payload.slice(2), 'hex') : payload;
  const checksum = blake2b(Buffer.concat([Buffer.from([0x04, 0x0a]), bytes]), { dkLen: 4 });
  return `t410f${base32(Buffer.concat([bytes, checksum]))}`;
}
