// Shared by the hostile-input suites: what a well-formed JSON-RPC answer is, a digest of the chain
// state and node settings that any change would alter, an in-process node to throw requests at,
// fast-check runs with a printed seed, and signing native (f1) messages as Lotus wallets do.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { blake2b } from '@noble/hashes/blake2.js';
import fc from 'fast-check';
import pino from 'pino';
import type { FilAddress } from '../../src/common/address.js';
import { encodeCbor } from '../../src/common/cbor.js';
import type { Devnet } from '../../src/devnet/devnet.js';
import { signedMessageJson } from '../../src/eth-rpc/lotus-json.js';
import { buildServer } from '../../src/eth-rpc/server.js';
import { messageCid, signedMessageCid, SigType, type Message } from '../../src/fevm/message.js';
import { secp256k1Address } from '../../src/fevm/signature.js';
import { createDevnet, testConfig } from '../../src/index.js';
import type { DevnetConfig } from '../../src/config.js';

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

/** The node's settings that have no public read (cheat codes change them); the digest looks inside for them. */
interface NodeInsides {
  submission: { impersonated: Set<string>; autoImpersonate: boolean };
  mempool: { minimumFeeCap: bigint };
  clock: { save(): unknown };
}

/**
 * Everything a request could change: the head tipset and its state root, the state tree's commit
 * count (every write to state is a commit), the pool's messages, the node's settings (mining mode,
 * next base fee, the pool's minimum fee cap, impersonation, the clock's offset and overrides), and the
 * kind, balance and nonce of the `watched` Ethereum addresses.
 */
export function stateDigest(devnet: Devnet, watched: readonly Uint8Array[]): string {
  const head = devnet.head;
  const actors = watched.map((eth) => {
    const actor = devnet.actorAt(eth, head.epoch);
    return actor ? `${actor.kind}/${actor.balance}/${actor.nonce}` : 'none';
  });
  const inside = devnet as unknown as NodeInsides;
  return JSON.stringify({
    head: head.key.toString(),
    height: head.epoch,
    stateRoot: head.stateRoot.toString(),
    writes: devnet.stateVersion,
    pool: devnet.poolContent().pending.map((p) => p.cid.toString()),
    mining: devnet.miningMode,
    nextBaseFee: devnet.nextBaseFee().toString(),
    minimumFeeCap: inside.mempool.minimumFeeCap.toString(),
    impersonated: [...inside.submission.impersonated].sort(),
    autoImpersonate: inside.submission.autoImpersonate,
    clock: inside.clock.save(),
    actors,
  });
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

/** An unsigned native message from `from`, with gas enough for a builtin actor's methods (a multisig's, a payment channel's). */
export const nativeMessage = (from: FilAddress, to: FilAddress, method: number, params: unknown, value = 0n, nonce = 0): Message => ({
  version: 0,
  to,
  from,
  nonce,
  value,
  gasLimit: 50_000_000,
  gasFeeCap: 10n ** 10n,
  gasPremium: 10n ** 5n,
  method,
  params: encodeCbor(params),
});

export type Answer = { jsonrpc: '2.0'; id: unknown; result?: any; error?: { code: number; message: string; data?: unknown } };

/** Limits small enough to cross cheaply. */
export const MAX_BODY = 64 * 1024;
export const MAX_BATCH = 50;

/**
 * A devnet and its server (fastify inject, no socket) with small limits. `callText` sends params
 * given as JSON text, so that a value too deep for JSON.stringify can still be sent.
 */
export async function hostileNode(t: TestContext, config: Partial<DevnetConfig>, watched: readonly Uint8Array[]) {
  const devnet = await createDevnet(testConfig({ ...config, maxBodyBytes: MAX_BODY, maxBatch: MAX_BATCH }));
  const app = await buildServer(devnet, { log: pino({ level: 'silent' }), maxBodyBytes: MAX_BODY, maxBatch: MAX_BATCH });
  t.after(async () => {
    devnet.close();
    await app.close();
  });
  const post = async (payload: string, url = '/') => {
    const res = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload });
    assert.ok(res.statusCode === 200 || res.statusCode === 204, `HTTP ${res.statusCode} for ${payload.slice(0, 100)}`);
    return res.statusCode === 204 ? undefined : (res.json() as unknown);
  };
  const callText = async (method: string, paramsText: string, url = '/') => {
    const answer = (await post(`{"jsonrpc":"2.0","id":1,"method":${JSON.stringify(method)},"params":${paramsText}}`, url)) as Answer;
    assertWellFormed(answer, `${method} on ${url}`);
    return answer;
  };
  const call = (method: string, params: unknown[], url = '/') => callText(method, JSON.stringify(params), url);
  const digest = () => stateDigest(devnet, watched);
  /** Sends a request that must be refused, and checks the state did not move. */
  const refused = async (method: string, params: unknown[], what: string) => {
    const before = digest();
    const answer = await call(method, params);
    assert.ok(answer.error, `${what}: accepted: ${JSON.stringify(answer.result)?.slice(0, 200)}`);
    assert.equal(digest(), before, `${what}: a refused request changed the state (${answer.error.message})`);
    return answer.error;
  };
  return { devnet, post, call, callText, refused, digest };
}

/**
 * The seed of every generated corpus: fixed, so that `npm test` runs the same cases each time;
 * HOSTILE_SEED=<n> runs others. A failure names the seed to run it again with.
 */
export const SEED = Number(process.env.HOSTILE_SEED ?? 14_2026);

/** fc.assert with the suite's seed (offset by `salt`, so that each call draws its own cases); a failure says how to replay it. */
export async function assertProperty<Ts>(property: fc.IAsyncProperty<Ts>, numRuns: number, salt = 0): Promise<void> {
  try {
    await fc.assert(property, { numRuns, seed: SEED + salt });
  } catch (err) {
    (err as Error).message = `HOSTILE_SEED=${SEED} (salt ${salt}): ${(err as Error).message}`;
    throw err;
  }
}

/** Counts per category, printed as a suite's diagnostics (the counts the report quotes). */
export class Counts {
  private readonly map = new Map<string, number>();
  add(category: string, n = 1): void {
    this.map.set(category, (this.map.get(category) ?? 0) + n);
  }
  get total(): number {
    return [...this.map.values()].reduce((a, b) => a + b, 0);
  }
  report(t: TestContext): void {
    for (const [category, n] of [...this.map].sort()) t.diagnostic(`${category}: ${n}`);
  }
}
