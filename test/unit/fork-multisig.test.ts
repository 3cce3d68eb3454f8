// A multisig wallet of the upstream, forked: an upstream started as a public gateway (--gateway-only)
// holds a 2-of-3 multisig of f1 signers with a pending proposal; on the fork, StateReadState and the
// Msig* readers answer as the upstream did, and the second signer's approval (signed with its key,
// pushed with MpoolPush) executes the proposal on the fork only.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { FilAddress } from '../../src/common/address.js';
import { decodeCbor, encodeBigInt, encodeCbor } from '../../src/common/cbor.js';
import { hexToBytes } from '../../src/common/hex.js';
import { codeCid, INIT_ACTOR_ID } from '../../src/fevm/actor.js';
import { InitMethod } from '../../src/fevm/actors/init.js';
import { MultisigMethod } from '../../src/fevm/actors/multisig/state.js';
import { signedMessageCid, type Message } from '../../src/fevm/message.js';
import { startDevnet, testConfig } from '../../src/index.js';
import { nativeKey, nativeMessage as message } from '../helpers/hostile.js';
import { setupRpc } from '../helpers/rpc-harness.js';
import { upstreamProxy } from '../helpers/upstream-proxy.js';

const FIL = 10n ** 18n;
const PAYEE = '0x4444444444444444444444444444444444444444';

/** An upstream (a gateway or a full node) holding a 2-of-3 multisig of f1 signers, 10 FIL in, with A's proposal to pay 3 FIL pending. */
async function upstreamWithMultisig(t: TestContext, gatewayOnly: boolean) {
  const upstream = await startDevnet(testConfig({ gatewayOnly }));
  t.after(() => upstream.close());
  const keys = [nativeKey(41), nativeKey(42), nativeKey(43)];
  for (const [i, key] of keys.entries()) {
    await upstream.devnet.wallet.import('secp256k1', new Uint8Array(32).fill(41 + i));
    await upstream.devnet.cheats.fundNative(key.address, 100n * FIL);
  }
  const [a, b] = keys.map((key) => key.address);
  const mined = async (msg: Message) => {
    const signed = await upstream.devnet.pushWithWallet(msg);
    const { message: included } = await upstream.devnet.waitForMessage(signedMessageCid(signed));
    assert.equal(included.receipt.exitCode, 0);
    return included.receipt.returnData;
  };
  // MsigCreate as Lotus builds it: init's Exec of [signers, threshold 2, unlock duration 0, start epoch 0], 10 FIL in.
  const constructor = [keys.map((key) => key.address.bytes), 2, 0, 0];
  const [idBytes] = decodeCbor<[Uint8Array, Uint8Array]>(await mined(message(a, FilAddress.fromId(INIT_ACTOR_ID), InitMethod.Exec, [codeCid('multisig'), encodeCbor(constructor)], 10n * FIL)));
  const msig = FilAddress.fromBytes(idBytes);
  // A proposes paying 3 FIL to an f410 address: pending, with A's approval.
  const payee = FilAddress.fromDelegated(10, hexToBytes(PAYEE));
  await mined(message(a, msig, MultisigMethod.Propose, [payee.bytes, encodeBigInt(3n * FIL), 0, new Uint8Array()]));
  return { upstream, keys, b, msig, epoch: upstream.devnet.head.epoch };
}

/** A JSON-RPC call's result on the node at `url`. */
async function ask(url: string, method: string, params: unknown[]): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = (await res.json()) as { result?: unknown; error?: unknown };
  assert.equal(body.error, undefined, `${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

describe('fork: a multisig of the upstream', () => {
  test('reads as the upstream\'s (state, pending, balance); approving its pending proposal on the fork executes it', async (t) => {
    const { upstream, keys, b, msig, epoch } = await upstreamWithMultisig(t, true);
    const { result } = await setupRpc(t, { fork: { url: upstream.url, blockNumber: epoch } });
    const upstreamState = await ask(upstream.url, 'Filecoin.StateReadState', [msig.toString(), null]);
    assert.equal(upstreamState.State.NumApprovalsThreshold, 2);
    assert.deepEqual(await result('Filecoin.StateReadState', [msig.toString(), null]), upstreamState);
    const pending = await ask(upstream.url, 'Filecoin.MsigGetPending', [msig.toString(), null]);
    assert.equal(pending.length, 1);
    assert.deepEqual(await result('Filecoin.MsigGetPending', [msig.toString(), null]), pending);
    for (const method of ['Filecoin.MsigGetAvailableBalance', 'Filecoin.MsigGetVestingSchedule']) {
      assert.deepEqual(await result(method, [msig.toString(), null]), await ask(upstream.url, method, [msig.toString(), null]), method);
    }

    // B approves transaction 0 on the fork, signing with its key: the threshold is met and the wallet pays.
    const nonce = await result('Filecoin.MpoolGetNonce', [b.toString()]);
    const cid = await result('Filecoin.MpoolPush', [keys[1].sign(message(b, msig, MultisigMethod.Approve, [0, new Uint8Array()], 0n, nonce))]);
    const receipt = (await result('Filecoin.StateWaitMsg', [cid, 1, -1, true])).Receipt;
    assert.equal(receipt.ExitCode, 0);
    // ApproveReturn [applied, exit code, return]: applied, and the send succeeded.
    assert.deepEqual(decodeCbor<unknown[]>(Buffer.from(receipt.Return, 'base64')).slice(0, 2), [true, 0]);
    assert.deepEqual(await result('Filecoin.MsigGetPending', [msig.toString(), null]), []);
    assert.equal(BigInt(await result('eth_getBalance', [PAYEE, 'latest'])), 3n * FIL);
    assert.equal(BigInt((await result('Filecoin.StateGetActor', [msig.toString(), null])).Balance), 7n * FIL);
    // The upstream still waits for the second approval.
    assert.equal((await ask(upstream.url, 'Filecoin.MsigGetPending', [msig.toString(), null])).length, 1);
  });

  // fidaudit4 V8: Lotus finds an ID's robust address in the init actor's map, which the fork does not read.
  test('StateLookupRobustAddress of its ID is the upstream\'s t2 from a full node; a gateway serves no such lookup', async (t) => {
    for (const gatewayOnly of [false, true]) {
      const { upstream, msig, epoch } = await upstreamWithMultisig(t, gatewayOnly);
      const { call, result } = await setupRpc(t, { fork: { url: upstream.url, blockNumber: epoch } });
      if (gatewayOnly) {
        assert.match((await call('Filecoin.StateLookupRobustAddress', [msig.toString(), null])).error?.message ?? '', new RegExp(`Address ${msig.toString()} not found`));
        continue;
      }
      const theirs = await ask(upstream.url, 'Filecoin.StateLookupRobustAddress', [msig.toString(), null]);
      assert.match(theirs, /^t2/);
      // Through a proxy: an upstream in trouble is the client's error, never the local "not found" (review Q4); then its answer.
      const { url, mode } = await upstreamProxy(t, upstream.url);
      const proxied = await setupRpc(t, { fork: { url, blockNumber: epoch } });
      mode.refused.set('Filecoin.StateLookupRobustAddress', { code: -32000, message: 'upstream in trouble' });
      assert.match((await proxied.call('Filecoin.StateLookupRobustAddress', [msig.toString(), null])).error?.message ?? '', /upstream in trouble/);
      mode.refused.clear();
      assert.equal(await proxied.result('Filecoin.StateLookupRobustAddress', [msig.toString(), null]), theirs);
      assert.equal(await result('Filecoin.StateLookupRobustAddress', [msig.toString(), null]), theirs);
      // An account's key address is the fork's own answer, as before.
      const account = await ask(upstream.url, 'Filecoin.StateLookupID', [nativeKey(41).address.toString(), null]);
      assert.equal(await result('Filecoin.StateLookupRobustAddress', [account, null]), nativeKey(41).address.toString('t'));
    }
  });
});
