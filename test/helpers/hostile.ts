// Shared by the hostile-input suites: what a well-formed JSON-RPC answer is, a digest of the chain
// state that any change would alter, and signing native (f1) messages as Lotus wallets do.
import assert from 'node:assert/strict';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { blake2b } from '@noble/hashes/blake2.js';
import type { Devnet } from '../../src/devnet/devnet.js';
import { signedMessageJson } from '../../src/eth-rpc/lotus-json.js';
import { messageCid, signedMessageCid, SigType, type Message } from '../../src/fevm/message.js';
import { secp256k1Address } from '../../src/fevm/signature.js';

/** Checks that `answer` is one JSON-RPC 2.0 response: an id, and exactly one of result and a well-formed error. */
export function assertWellFormed(answer: unknown, what: string): void {
  assert.ok(answer && typeof answer === 'object' && !Array.isArray(answer), `${what}: not an object: ${JSON.stringify(answer)?.slice(0, 200)}`);
  const a = answer as Record<string, unknown>;
  assert.equal(a.jsonrpc, '2.0', what);
  assert.ok('id' in a, `${what}: no id`);
  assert.ok(('result' in a) !== ('error' in a), `${what}: needs exactly one of result and error: ${JSON.stringify(a).slice(0, 200)}`);
  if ('error' in a) {
    const e = a.error as Record<string, unknown>;
    assert.ok(Number.isInteger(e.code), `${what}: error code ${String(e.code)}`);
    assert.equal(typeof e.message, 'string', what);
    // -32603 is the node's own failure (an unexpected throw): bad input must get a clear error instead.
    assert.notEqual(e.code, -32603, `${what}: internal error ${String(e.message)}`);
  }
}

/** A body's answer: one response, or a non-empty array of them. */
export function assertWellFormedBody(body: unknown, what: string): void {
  if (Array.isArray(body)) {
    assert.ok(body.length > 0, `${what}: an empty array`);
    for (const answer of body) assertWellFormed(answer, what);
  } else assertWellFormed(body, what);
}

/**
 * Everything a request could change: the head tipset, the state tree's commit count (every write to
 * state is a commit), the pool, and the balances and nonces of `watched` actors.
 */
export function stateDigest(devnet: Devnet, watched: readonly Uint8Array[]): string {
  const head = devnet.head;
  const actors = watched.map((eth) => {
    const actor = devnet.actorAt(eth, head.epoch);
    return actor ? `${actor.balance}/${actor.nonce}` : 'none';
  });
  return JSON.stringify({ head: head.key.toString(), writes: devnet.stateVersion, pool: devnet.poolContent().pending.length, actors });
}

/** A secp256k1 key and its f1 address, signing messages as Lotus wallets do (blake2b-256 of the CID bytes). */
export function nativeKey(seedByte: number) {
  const key = new Uint8Array(32).fill(seedByte);
  const address = secp256k1Address(secp256k1.getPublicKey(key, false));
  const sign = (message: Message) => {
    const digest = blake2b(messageCid(message).bytes, { dkLen: 32 });
    const recovered = secp256k1.sign(digest, key, { prehash: false, format: 'recovered' });
    const signed = { message, signature: { type: SigType.Secp256k1, data: new Uint8Array([...recovered.subarray(1), recovered[0]!]) } };
    return signedMessageJson(signed, signedMessageCid(signed));
  };
  return { address, sign };
}
