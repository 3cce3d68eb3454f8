// The 2048-bit Ethereum logs bloom (yellow paper §4.3.1): three bits per address and topic.
import { keccak256 } from '../common/hashes.js';

export const BLOOM_BYTES = 256;

export function logsBloom(items: Uint8Array[]): Uint8Array {
  const bloom = new Uint8Array(BLOOM_BYTES);
  for (const item of items) {
    const h = keccak256(item);
    for (let i = 0; i < 6; i += 2) {
      const bit = ((h[i] << 8) | h[i + 1]) & 2047;
      bloom[BLOOM_BYTES - 1 - (bit >> 3)] |= 1 << (bit & 7);
    }
  }
  return bloom;
}
