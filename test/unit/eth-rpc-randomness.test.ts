// Randomness through the Lotus methods, recomputed here from the seed as src/fevm/randomness.ts
// documents it, and matched against what a contract draws with the get_randomness precompile.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blake2b } from '@noble/hashes/blake2.js';
import { startDevnet, testConfig } from '../../src/index.js';
import { setupRpc } from '../helpers/rpc-harness.js';
import { upstreamProxy } from '../helpers/upstream-proxy.js';
import { rpc } from '../helpers/fork-calls.js';

const seed = new TextEncoder().encode('my seed');
const hash = (...parts: Uint8Array[]) => blake2b(Buffer.concat(parts), { dkLen: 32 });
const i64 = (n: number) => {
  const out = Buffer.alloc(8);
  out.writeBigInt64BE(BigInt(n));
  return out;
};
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

describe('Filecoin.StateGetRandomness*', () => {
  test('beacon entries and randomness follow from the seed', async (t) => {
    const { result, error } = await setupRpc(t, { seed });
    await result('evm_mine');
    await result('evm_mine');
    const entry = await result('Filecoin.StateGetBeaconEntry', [2]);
    assert.equal(entry.Round, 2);
    assert.equal(entry.Data, b64(hash(seed, i64(2))));
    const digest = hash(hash(seed, i64(2)));
    assert.equal(await result('Filecoin.StateGetRandomnessDigestFromBeacon', [2, null]), b64(digest));
    const entropy = new TextEncoder().encode('entropy');
    assert.equal(
      await result('Filecoin.StateGetRandomnessFromBeacon', [10, 2, b64(entropy), null]),
      b64(hash(i64(10), digest, i64(2), entropy)),
    );
    assert.match((await error('Filecoin.StateGetRandomnessDigestFromBeacon', [3, null])).message, /from the future/);
    assert.match((await error('Filecoin.StateGetBeaconEntry', [3])).message, /future/);
  });

  test('ticket randomness draws over the block ticket, whose blake2b-256 StateGetRandomnessDigestFromTickets answers', async (t) => {
    const { result, error } = await setupRpc(t);
    await result('evm_mine');
    const head = await result('Filecoin.ChainHead');
    const ticket = Buffer.from(head.Blocks[0].Ticket.VRFProof, 'base64');
    assert.equal(await result('Filecoin.StateGetRandomnessFromTickets', [2, 1, null, null]), b64(hash(i64(2), hash(ticket), i64(1))));
    assert.equal(await result('Filecoin.StateGetRandomnessDigestFromTickets', [1, null]), b64(hash(ticket)));
    assert.deepEqual(await error('Filecoin.StateGetRandomnessDigestFromTickets', [2, null]), { code: 1, message: 'failed to get randomness digest from tickets: cannot draw randomness from the future' });
  });

  test('another seed gives other randomness', async (t) => {
    const { result: a } = await setupRpc(t, { seed });
    const { result: b } = await setupRpc(t);
    assert.notEqual(await a('Filecoin.StateGetRandomnessDigestFromBeacon', [0, null]), await b('Filecoin.StateGetRandomnessDigestFromBeacon', [0, null]));
  });

  test("on a fork, ticket randomness up to the fork's epoch is the upstream's, drawn at the fork point, from any key of the fork's (a dropped one too); past it the fork's own, not asked upstream; an upstream that serves none gives an error of code 1", async (t) => {
    const upstream = await startDevnet(testConfig());
    t.after(() => upstream.close());
    const upstreamRpc = (method: string, params: unknown[]) => rpc(upstream.url, method, params);
    // Edits before the upstream's tipsets: their tickets name them, so the fork's own stand-in ticket
    // for the fork epoch's tipset (a function of the height alone) is not the upstream's.
    await upstreamRpc('anvil_mine', ['0x2']);
    for (const balance of ['0x1111', '0x2222']) {
      await upstreamRpc('anvil_setBalance', ['0x' + '11'.repeat(20), balance]);
      await upstreamRpc('evm_mine', []);
    }
    const forkEpoch = upstream.devnet.head.epoch;
    const forkPoint = (await upstreamRpc('Filecoin.ChainHead', [])).Cids;
    const proxy = await upstreamProxy(t, upstream.url);
    const { result, error } = await setupRpc(t, { fork: { url: proxy.url, blockNumber: forkEpoch } });
    const snapshot = await result('evm_snapshot');
    await result('anvil_mine', ['0x2']);
    const dropped = (await result('Filecoin.ChainHead')).Cids;
    assert.equal(await result('evm_revert', [snapshot]), true);
    await result('anvil_mine', ['0x3']);
    const entropy = b64(new TextEncoder().encode('entropy'));
    for (const at of [forkEpoch - 3, forkEpoch - 1, forkEpoch]) {
      const theirs = await upstreamRpc('Filecoin.StateGetRandomnessFromTickets', [2, at, entropy, forkPoint]);
      const theirDigest = await upstreamRpc('Filecoin.StateGetRandomnessDigestFromTickets', [at, forkPoint]);
      assert.equal(typeof theirs, 'string');
      for (const key of [null, dropped]) {
        assert.equal(await result('Filecoin.StateGetRandomnessFromTickets', [2, at, entropy, key]), theirs, `at ${at}`);
        assert.equal(await result('Filecoin.StateGetRandomnessDigestFromTickets', [at, key]), theirDigest, `digest at ${at}`);
      }
    }
    // Past the fork epoch the fork's own tickets: drawn here, nothing asked of the upstream.
    const ticketsAsked = () => proxy.mode.received.filter((method) => method.startsWith('Filecoin.StateGetRandomness')).length;
    const asked = ticketsAsked();
    const after = forkEpoch + 1;
    const ticket = Buffer.from((await result('Filecoin.ChainGetTipSetByHeight', [after, null])).Blocks[0].Ticket.VRFProof, 'base64');
    assert.equal(await result('Filecoin.StateGetRandomnessFromTickets', [2, after, entropy, null]), b64(hash(i64(2), hash(ticket), i64(after), new TextEncoder().encode('entropy'))));
    assert.equal(await result('Filecoin.StateGetRandomnessDigestFromTickets', [after, null]), b64(hash(ticket)));
    assert.equal(ticketsAsked(), asked, 'no ticket randomness asked of the upstream past the fork epoch');
    // An upstream that serves no ticket randomness (a Lotus gateway): an error of the devnet's, not
    // "method not found", which would say that the devnet lacks a method it serves.
    proxy.mode.unserved.add('Filecoin.StateGetRandomnessFromTickets');
    proxy.mode.unserved.add('Filecoin.StateGetRandomnessDigestFromTickets');
    for (const [method, params] of [
      ['Filecoin.StateGetRandomnessFromTickets', [2, forkEpoch, entropy, null]],
      ['Filecoin.StateGetRandomnessDigestFromTickets', [forkEpoch, null]],
    ] as const) {
      assert.deepEqual(await error(method, [...params]), { code: 1, message: `ticket randomness at or before the fork epoch ${forkEpoch} is the upstream's, and it does not serve ${method} (a Lotus gateway serves no ticket randomness)` });
    }
    assert.equal(await result('Filecoin.StateGetRandomnessDigestFromTickets', [after, null]), b64(hash(ticket)), 'past the fork epoch, still drawn here');
  });
});
