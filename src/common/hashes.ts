import { createHash } from 'node:crypto';
import { blake2b } from '@noble/hashes/blake2.js';
import { sha256 as sha2_256 } from '@noble/hashes/sha2.js';
import { keccak256 as keccak256Unrolled } from 'js-sha3';

/**
 * Keccak-256 from js-sha3, whose unrolled permutation takes a half to a third of @noble's time
 * here: the node hashes three times per transaction (its hash, its signing hash, the sender's
 * address) and once per KECCAK256 instruction, a third of a hashing contract's time with @noble's.
 */
export const keccak256 = (data: Uint8Array): Uint8Array => new Uint8Array(keccak256Unrolled.arrayBuffer(data));
export const sha256 = (data: Uint8Array): Uint8Array => sha2_256(data);
export const blake2b256 = (data: Uint8Array): Uint8Array => blake2b(data, { dkLen: 32 });
export const blake2b160 = (data: Uint8Array): Uint8Array => blake2b(data, { dkLen: 20 });
/** The 4-byte checksum of Filecoin address strings. */
export const blake2b32 = (data: Uint8Array): Uint8Array => blake2b(data, { dkLen: 4 });
/**
 * BLAKE2b-512 (FRC-42 method numbers). Node's (OpenSSL's), as the actors' method tables hash ~150 names
 * while the node starts: JavaScript's BLAKE2b takes ~0.2 ms per hash before it is optimised, OpenSSL's µs.
 */
export const blake2b512 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash('blake2b512').update(data).digest());
