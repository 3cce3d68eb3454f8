import { createHash } from 'node:crypto';
import { blake2b } from '@noble/hashes/blake2.js';
import { sha256 as sha2_256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { IHasher } from 'hash-wasm';
import blake2bWasm from 'hash-wasm/dist/blake2b.umd.min.js';
import keccakWasm from 'hash-wasm/dist/keccak.umd.min.js';

/**
 * The node hashes on every transaction: Keccak-256 three times per transaction (its hash, its
 * signing hash, the sender's address) and once per KECCAK256 instruction (a third of a hashing
 * contract's time in JavaScript), BLAKE2b-256 for each message's CID and seven times per tipset
 * (header, key and roots). hash-wasm's WebAssembly hashers take a quarter to a third of the time of
 * JavaScript ones here (~1 µs per short input). loadWasmHashers makes them (handed back through a
 * promise: compiled on the spot in the bundles, asynchronously when run from the sources); until
 * they are ready, @noble's JavaScript answers, with the same bytes (test/unit/common-hashes.test.ts
 * compares them).
 */
const wasm: { keccak256?: IHasher; blake2b256?: IHasher; blake2b160?: IHasher; blake2b32?: IHasher } = {};

let wasmReady: Promise<boolean> | undefined;

/**
 * Makes the WebAssembly hashers, once; resolves to whether they answer from now on (false if they
 * could not be made: the JavaScript ones go on). createDevnet awaits them before genesis: the bundles
 * decode and compile hash-wasm's WebAssembly synchronously (scripts/sync-wasm-compile.mjs), ~1 ms for
 * the two, where genesis's few dozen hashes in JavaScript not yet optimised cost ~3 ms.
 */
export function loadWasmHashers(): Promise<boolean> {
  wasmReady ??= Promise.all([
    keccakWasm.createKeccak(256),
    blake2bWasm.createBLAKE2b(256),
    blake2bWasm.createBLAKE2b(160),
    blake2bWasm.createBLAKE2b(32),
  ]).then(
    ([keccak256, blake2b256, blake2b160, blake2b32]) => {
      Object.assign(wasm, { keccak256, blake2b256, blake2b160, blake2b32 });
      return true;
    },
    () => false,
  );
  return wasmReady;
}

/** A digest from a WebAssembly hasher: a fresh array (hash-wasm copies it out of its memory). */
const digestOf = (hasher: IHasher, data: Uint8Array): Uint8Array => hasher.init().update(data).digest('binary');

export const keccak256 = (data: Uint8Array): Uint8Array => (wasm.keccak256 ? digestOf(wasm.keccak256, data) : keccak_256(data));
/** Keccak-256 of the parts one after another, without joining them. */
export function keccak256Parts(...parts: Uint8Array[]): Uint8Array {
  if (wasm.keccak256) {
    const hasher = wasm.keccak256.init();
    for (const part of parts) hasher.update(part);
    return hasher.digest('binary');
  }
  const hasher = keccak_256.create();
  for (const part of parts) hasher.update(part);
  return hasher.digest();
}
export const sha256 = (data: Uint8Array): Uint8Array => sha2_256(data);
export const blake2b256 = (data: Uint8Array): Uint8Array => (wasm.blake2b256 ? digestOf(wasm.blake2b256, data) : blake2b(data, { dkLen: 32 }));
/** An incremental BLAKE2b-256 (a whole file's checksum, its pieces written across turns of the event loop). */
interface StreamingHash {
  update(data: Uint8Array): void;
  digest(): Uint8Array;
}

/**
 * BLAKE2b-256 over pieces given one at a time. The WebAssembly hasher is shared (every other hash
 * restarts it), so between two pieces its state is saved and loaded again (hash-wasm's save/load):
 * ~10 times faster than @noble's over megabytes.
 */
export function blake2b256Stream(): StreamingHash {
  const hasher = wasm.blake2b256;
  if (!hasher) {
    const noble = blake2b.create({ dkLen: 32 });
    return { update: (data) => noble.update(data), digest: () => noble.digest() };
  }
  let state = hasher.init().save();
  return {
    update(data) {
      hasher.load(state).update(data);
      state = hasher.save();
    },
    digest: () => hasher.load(state).digest('binary'),
  };
}
export const blake2b160 = (data: Uint8Array): Uint8Array => (wasm.blake2b160 ? digestOf(wasm.blake2b160, data) : blake2b(data, { dkLen: 20 }));
/** The 4-byte checksum of Filecoin address strings. */
export const blake2b32 = (data: Uint8Array): Uint8Array => (wasm.blake2b32 ? digestOf(wasm.blake2b32, data) : blake2b(data, { dkLen: 4 }));
/**
 * BLAKE2b-512 (FRC-42 method numbers). Node's (OpenSSL's), as the actors' method tables hash ~150 names
 * while the node starts: JavaScript's BLAKE2b takes ~0.2 ms per hash before it is optimised, OpenSSL's µs.
 */
export const blake2b512 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash('blake2b512').update(data).digest());
