import { blake2b } from '@noble/hashes/blake2.js';
import { sha256 as sha2_256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';

export const keccak256 = (data: Uint8Array): Uint8Array => keccak_256(data);
export const sha256 = (data: Uint8Array): Uint8Array => sha2_256(data);
export const blake2b256 = (data: Uint8Array): Uint8Array => blake2b(data, { dkLen: 32 });
export const blake2b160 = (data: Uint8Array): Uint8Array => blake2b(data, { dkLen: 20 });
/** The 4-byte checksum of Filecoin address strings. */
export const blake2b32 = (data: Uint8Array): Uint8Array => blake2b(data, { dkLen: 4 });
