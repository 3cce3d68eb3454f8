// A fork in-process against an upstream devnet behind a loopback proxy that misbehaves on command:
// slow answers past the client's timeout, and an upstream that dies after the fork started (also
// while mining needs it). Every failure is a JSON-RPC error naming the upstream call; nothing
// unfetched is answered as a zero, a failed mine leaves the node at its head, and once the upstream
// answers again the same request succeeds.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { keccak256, Wallet } from 'ethers';
import { computePieceCid } from '../../src/devnet/storage-providers/piece-cid.js';
import { devWallet, signTx } from '../helpers/dev-wallet.js';
import { DEV_ACCOUNTS, pollUntil } from '../helpers/devnet-process.js';
import { rpc } from '../helpers/fork-calls.js';
import { setupRpc } from '../helpers/rpc-harness.js';
import { upstreamProxy } from '../helpers/upstream-proxy.js';
import { startDevnet, testConfig } from '../../src/index.js';
import { ForkedSlots } from '../../src/devnet/fork/forked-slots.js';
import { FilAddress } from '../../src/common/address.js';

const CONTRACT_ACCOUNT = '0x3333333333333333333333333333333333333333';

describe('fork against a failing upstream', () => {
  test('a slow upstream times out into an error naming the call; a dead one too; then it recovers', async (t) => {
    const upstream = await startDevnet(testConfig());
    t.after(() => upstream.close());
    await upstream.devnet.cheats.setBalance(new Uint8Array(20).fill(0x33), 7n);
    const { url, mode } = await upstreamProxy(t, upstream.url);
    const { result, error } = await setupRpc(t, { fork: { url, upstream: { timeoutMs: 1000, retries: 1, backoffMs: 10 } } });

    mode.delayMs = 1500;
    const slow = await error('eth_getBalance', [CONTRACT_ACCOUNT, 'latest']);
    assert.equal(slow.code, 1);
    // The address's ID and its actor are asked for together: the error names the first of them to fail.
    assert.match(slow.message, /^upstream Filecoin\.State(LookupID|GetActor) failed after 2 attempts: timed out \(http:\/\/127\.0\.0\.1:\d+\/rpc\/v1\)$/);

    mode.delayMs = 0;
    mode.dead = true;
    const dead = await error('eth_getBalance', [CONTRACT_ACCOUNT, 'latest']);
    assert.match(dead.message, /^upstream Filecoin\.State(LookupID|GetActor) failed after 2 attempts: /);

    mode.dead = false;
    assert.equal(await result('eth_getBalance', [CONTRACT_ACCOUNT, 'latest']), '0x7');
  });

  // reread-s57 A.4: ots_hasCode (Otterscan's address page) waited for the storage KAMT walk that
  // eth_getCode stopped waiting for in 718ab019.
  test("ots_hasCode of a contract the fork has not read answers once its code is read, not after its storage KAMT: with every block read failing, true", async (t) => {
    const upstream = await startDevnet(testConfig());
    t.after(() => upstream.close());
    // Init code: slot 0 := 42, then the runtime code, which returns slot 0.
    const hash = await rpc(upstream.url, 'eth_sendTransaction', [{ from: DEV_ACCOUNTS[0]!.address, data: '0x602a600055600b8060106000396000f360005460005260206000f3' }]);
    const { contractAddress } = await rpc(upstream.url, 'eth_getTransactionReceipt', [hash]);
    const { url, mode } = await upstreamProxy(t, upstream.url);
    const { result } = await setupRpc(t, { fork: { url, blockNumber: upstream.devnet.head.epoch, upstream: { retries: 0 } } });
    // The storage KAMT is read a block at a time (ChainReadObj); each now fails, at once.
    mode.failing.add('Filecoin.ChainReadObj');
    assert.equal(await result('ots_hasCode', [contractAddress, 'latest']), true);
    // A read of its storage waits for the KAMT, read again once the blocks are served.
    mode.failing.clear();
    assert.equal(BigInt(await result('eth_call', [{ to: contractAddress, data: '0x' }, 'latest'])), 42n);
  });

  /**
   * A fork, warm (the dev accounts and what a tipset reads), of an upstream that has a balance at
   * CONTRACT_ACCOUNT, behind a proxy that now holds every request 2 s; `track` records the order in
   * which requests finish.
   */
  async function slowUpstreamFork(t: TestContext) {
    const upstream = await startDevnet(testConfig());
    t.after(() => upstream.close());
    await upstream.devnet.cheats.setBalance(new Uint8Array(20).fill(0x33), 7n);
    const { url, mode } = await upstreamProxy(t, upstream.url);
    const { result } = await setupRpc(t, { fork: { url, upstream: { retries: 0 } } });
    const [, one, two] = DEV_ACCOUNTS;
    const transfer = { from: one!.address, to: two!.address, value: '0x1' };
    await result('eth_sendTransaction', [transfer]);
    mode.holdMs = 2000;
    const finished: string[] = [];
    const track = (name: string, request: Promise<unknown>) => request.then(() => finished.push(name));
    return { result, mode, one: one!, two: two!, transfer, finished, track };
  }

  test('a call waiting on a slow upstream does not hold the calls and sends queued after it (audit15 C7)', async (t) => {
    const { result, one, two, transfer, finished, track } = await slowUpstreamFork(t);
    // A send to an address the fork has not read waits for the upstream.
    const cold = track('send to a cold address', result('eth_sendTransaction', [{ from: devWallet.address, to: CONTRACT_ACCOUNT, value: '0x1' }]));
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Meanwhile a send between warm accounts and a call of warm state are answered.
    await Promise.all([track('warm send', result('eth_sendTransaction', [transfer])), track('warm call', result('eth_call', [{ from: one.address, to: two.address }, 'latest']))]);
    await cold;
    assert.deepEqual(finished.slice(0, 2).sort(), ['warm call', 'warm send']);
    assert.equal(finished[2], 'send to a cold address');
    assert.equal(await result('eth_getBalance', [CONTRACT_ACCOUNT, 'latest']), '0x8');
  });

  test('a traced call waiting on a slow upstream does not hold the sends queued after it (review R7)', async (t) => {
    const { result, mode, one, transfer, finished, track } = await slowUpstreamFork(t);
    // debug_traceCall of a transfer to an address the fork has not read waits for the upstream.
    const traceCall = () => result('debug_traceCall', [{ from: one.address, to: CONTRACT_ACCOUNT, value: '0x1' }, 'latest', { tracer: 'callTracer' }]);
    const cold = track('cold debug_traceCall', traceCall());
    await new Promise((resolve) => setTimeout(resolve, 200));
    await track('warm send', result('eth_sendTransaction', [transfer]));
    await cold;
    assert.deepEqual(finished, ['warm send', 'cold debug_traceCall']);
    // The trace, once fetched, is the transfer's.
    mode.holdMs = 0;
    const trace = await traceCall();
    assert.equal(trace.to, CONTRACT_ACCOUNT);
    assert.equal(trace.value, '0x1');
  });

  test('a replay of a mined tipset that misses state fetches it outside the queue: a warm send meanwhile is not held, and the trace is right (review R7)', async (t) => {
    const upstream = await startDevnet(testConfig());
    t.after(() => upstream.close());
    // A contract that returns its slot 0 (PUSH1 0 SLOAD PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN), which holds 42.
    const reader = `0x${'44'.repeat(20)}`;
    await rpc(upstream.url, 'anvil_setCode', [reader, '0x60005460005260206000f3']);
    await rpc(upstream.url, 'anvil_setStorageAt', [reader, '0x0', `0x${'2a'.padStart(64, '0')}`]);
    const { url, mode } = await upstreamProxy(t, upstream.url);
    const { devnet, result } = await setupRpc(t, { fork: { url, upstream: { retries: 0 } } });
    const [, one, two] = DEV_ACCOUNTS;
    const transfer = { from: one!.address, to: two!.address, value: '0x1' };
    await result('eth_sendTransaction', [transfer]);
    const readHash = await result('eth_sendTransaction', [{ from: one!.address, to: reader }]);
    // The fork forgets the slot it read: the replay of that transaction must fetch it again.
    devnet.fork!.source.data.slots = new ForkedSlots();
    const asked = mode.received.length;
    mode.holdMs = 2000;
    const finished: string[] = [];
    const track = (name: string, request: Promise<unknown>) => request.then((value) => (finished.push(name), value));
    const traced = track('cold replay', result('debug_traceTransaction', [readHash, { tracer: 'callTracer' }]));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await track('warm send', result('eth_sendTransaction', [transfer]));
    const trace = (await traced) as { to: string; output: string };
    assert.deepEqual(finished, ['warm send', 'cold replay']);
    assert.ok(mode.received.slice(asked).includes('eth_getStorageAt'), 'the replay fetched the slot');
    assert.equal(trace.to, reader);
    assert.equal(trace.output, `0x${'2a'.padStart(64, '0')}`);
  });

  test('a warm-up that lasts over a second reports its progress', async (t) => {
    const upstream = await startDevnet(testConfig());
    t.after(() => upstream.close());
    const { url, mode } = await upstreamProxy(t, upstream.url);
    const { devnet, result } = await setupRpc(t, { fork: { url } });
    const reports: { actors: number; addresses: number }[] = [];
    devnet.events.on('forkProgress', (progress) => reports.push({ ...progress }));
    // Each upstream answer takes 300 ms: reading unknown addresses one after another takes seconds.
    mode.delayMs = 300;
    for (let i = 1; i <= 6; i++) assert.equal(await result('eth_getBalance', [`0x${i.toString(16).padStart(40, '4')}`, 'latest']), '0x0');
    assert.ok(reports.length >= 1, 'a progress report');
    assert.ok(reports.at(-1)!.addresses >= 3, JSON.stringify(reports));
  });

  /**
   * A fork (no providers of its own) of an upstream devnet with a deal starting 100 epochs on, behind
   * a proxy; the fork has read one of the upstream's miners. The deal's and the miner's cron work
   * (deadline closes) read what the fork has not fetched yet from the upstream.
   */
  async function forkWithUpstreamCron(t: TestContext) {
    const upstream = await startDevnet(testConfig());
    t.after(() => upstream.close());
    const piece = computePieceCid(new Uint8Array(3000).fill(7));
    await rpc(upstream.url, 'devnet_proposeDeal', [{ pieceCid: piece.cid.toString(), pieceSize: piece.size, startEpoch: upstream.devnet.head.epoch + 100 }]);
    await rpc(upstream.url, 'anvil_mine', ['0x2']);
    const { url, mode } = await upstreamProxy(t, upstream.url);
    const fork = await setupRpc(t, { storageProviders: 0, fork: { url, blockNumber: upstream.devnet.head.epoch, upstream: { timeoutMs: 1000, retries: 0 } } });
    await fork.result('anvil_mine', ['0x1']);
    const [miner] = await fork.result('Filecoin.StateListMiners', [null]);
    await fork.result('Filecoin.StateMinerSectorCount', [miner, null]);
    const head = async () => Number(await fork.result('eth_blockNumber'));
    return { ...fork, mode, head };
  }

  test('anvil_mine over null rounds whose cron the dead upstream fails leaves the node at its head; it mines once the upstream is back', async (t) => {
    const { error, result, mode, head } = await forkWithUpstreamCron(t);
    const before = await head();
    const beforeBlock = await result('eth_getBlockByNumber', ['latest', false]);

    mode.dead = true;
    // The market looks at a deal again at the epoch equal to its ID modulo 86 400 (DEAL_UPDATES_INTERVAL):
    // the first deal of a fresh chain is 20 (one per genesis sector, K1), so 86 464 epochs reach its work.
    const epochs = 86_464;
    const failed = await error('anvil_mine', [`0x${epochs.toString(16)}`]);
    assert.match(failed.message, /^upstream Filecoin\.\w+ failed after 1 attempts: /);
    assert.equal(await head(), before);
    assert.deepEqual(await result('eth_getBlockByNumber', ['latest', false]), beforeBlock);

    // Nothing of the failed run is left in the state: the next tipset goes on from the head.
    mode.dead = false;
    await result('evm_mine');
    assert.equal(await head(), before + 1);
    await result('anvil_mine', [`0x${epochs.toString(16)}`]);
    assert.equal(await head(), before + 1 + epochs);
  });

  test('a single tipset whose cron the dead upstream fails is not mined; an instant-mined transaction whose tipset fails answers the error and leaves the pool', async (t) => {
    const { call, result, mode, head } = await forkWithUpstreamCron(t);
    mode.dead = true;
    // Null rounds up to 86 300 need nothing new; the deal's rescheduled work about 86 400 epochs on does.
    await result('anvil_mine', ['0x1511c']);
    let failed: { code: number; message: string } | undefined;
    for (let i = 0; i < 200 && !failed; i++) {
      const before = await head();
      failed = (await call('evm_mine')).error;
      assert.equal(await head(), failed ? before : before + 1);
    }
    assert.ok(failed, 'a tipset needed the upstream');
    assert.match(failed.message, /^upstream Filecoin\.\w+ failed after 1 attempts: /);
    const stuck = await head();
    const raw = await signTx({ nonce: 0 });
    const sent = await call('eth_sendRawTransaction', [raw]);
    assert.match(sent.error?.message ?? '', /^upstream Filecoin\.\w+ failed after 1 attempts: /);
    assert.equal(await head(), stuck);

    // Answered with an error, it is not pending (a hash the fork does not know goes to the upstream):
    // the next tipset, once the upstream is back, does not take it.
    mode.dead = false;
    assert.equal(await result('eth_getTransactionByHash', [keccak256(raw)]), null);
    await result('evm_mine');
    assert.equal(await head(), stuck + 1);
    assert.equal(await result('eth_getTransactionReceipt', [keccak256(raw)]), null);
    // Sent again, it is mined.
    await result('eth_sendRawTransaction', [raw]);
    const receipt = await result('eth_getTransactionReceipt', [keccak256(raw)]);
    assert.deepEqual([Number(receipt.blockNumber), receipt.status], [stuck + 2, '0x1']);
  });

  test("of one instant tipset's messages, the one whose state the dead upstream cannot give answers the error and leaves the pool; the other is mined", async (t) => {
    const upstream = await startDevnet(testConfig());
    t.after(() => upstream.close());
    const { url, mode } = await upstreamProxy(t, upstream.url);
    const { app, result } = await setupRpc(t, { fork: { url, upstream: { timeoutMs: 1000, retries: 0 } } });
    const [a, b] = [devWallet, new Wallet(DEV_ACCOUNTS[1]!.privateKey)];
    const known = DEV_ACCOUNTS[2]!.address;
    // Warm-up: both senders and A's recipient fetched, and a tipset mined.
    await result('eth_getTransactionCount', [b.address, 'latest']);
    const nonce = Number(await result('eth_getTransactionCount', [a.address, 'latest']));
    await result('eth_sendRawTransaction', [await signTx({ nonce, to: known })]);

    mode.dead = true;
    // In one batch, so all join one tipset: B's transfer first, to an address the fork must ask the
    // upstream about, then B's next one (to a known address) and A's.
    const rawB = await signTx({ nonce: 0, to: Wallet.createRandom().address }, { signer: b });
    const rawB1 = await signTx({ nonce: 1, to: known }, { signer: b });
    const rawA = await signTx({ nonce: nonce + 1, to: known });
    const batch = [rawB, rawB1, rawA].map((raw, id) => ({ jsonrpc: '2.0', id, method: 'eth_sendRawTransaction', params: [raw] }));
    const [sentB, sentB1, sentA] = (await app.inject({ method: 'POST', url: '/', payload: batch })).json() as { result?: string; error?: { message: string } }[];
    assert.match(sentB!.error?.message ?? '', /^upstream Filecoin\.\w+ failed after 1 attempts: /);
    assert.equal(sentA!.result, keccak256(rawA));
    // B's next nonce waits in the pool behind the gap, as behind any message a tipset leaves out.
    assert.equal(sentB1!.result, keccak256(rawB1));
    const receiptA = await result('eth_getTransactionReceipt', [keccak256(rawA)]);
    assert.equal(receiptA.status, '0x1');
    assert.equal(Number(await result('eth_getTransactionCount', [a.address, 'latest'])), nonce + 2);

    // Answered with an error, B's transfer is not pending, and no tipset takes it once the upstream is back.
    assert.equal(Number(await result('eth_getTransactionCount', [b.address, 'pending'])), 0);
    mode.dead = false;
    assert.equal(await result('eth_getTransactionByHash', [keccak256(rawB)]), null);
    await result('evm_mine');
    assert.equal(await result('eth_getTransactionReceipt', [keccak256(rawB)]), null);
    assert.equal(await result('eth_getTransactionReceipt', [keccak256(rawB1)]), null);
    assert.equal(Number(await result('eth_getTransactionCount', [b.address, 'latest'])), 0);
    // Sent again, B's first transfer fills the gap: both of B's are mined, in nonce order.
    await result('eth_sendRawTransaction', [rawB]);
    const receipts = [await result('eth_getTransactionReceipt', [keccak256(rawB)]), await result('eth_getTransactionReceipt', [keccak256(rawB1)])];
    assert.deepEqual(receipts.map((r) => [r.status, Number(r.transactionIndex)]), [['0x1', 0], ['0x1', 1]]);
  });

  test('an upstream that cannot be reached at start, with no cache, stops the start with the error', async (t) => {
    const upstream = await startDevnet(testConfig());
    const { url, mode } = await upstreamProxy(t, upstream.url);
    await upstream.close();
    mode.dead = true;
    await assert.rejects(setupRpc(t, { fork: { url, upstream: { timeoutMs: 1000, retries: 0 } } }), /upstream Filecoin\.\w+ failed after 1 attempts/);
  });

  // audit16 A11: the cache's save ran from a timer with nothing catching it, so a cache directory that
  // cannot be written (a file in its place, no permission) crashed the node a second after a fetch.
  test('a fork whose cache cannot be written says so once and goes on without it', async (t) => {
    const upstream = await startDevnet(testConfig());
    t.after(() => upstream.close());
    await upstream.devnet.cheats.setBalance(new Uint8Array(20).fill(0x33), 7n);
    const dir = mkdtempSync(join(tmpdir(), 'fork-cache-file-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const cacheDir = join(dir, 'not-a-directory');
    writeFileSync(cacheDir, '');
    const { result, devnet } = await setupRpc(t, { fork: { url: upstream.url, cacheDir } });
    const reported: string[] = [];
    devnet.events.on('forkCacheError', (err) => reported.push(err.message));
    assert.equal(await result('eth_getBalance', [CONTRACT_ACCOUNT, 'latest']), '0x7');
    // The save comes a second after fetching stops.
    await pollUntil('the failed cache save to be reported', async () => (reported.length > 0 ? true : undefined));
    assert.match(reported[0]!, new RegExp(`^cannot write the fork cache to ${cacheDir}: ENOTDIR: .*; the fork goes on without it$`));
    await result('eth_sendTransaction', [{ from: DEV_ACCOUNTS[1]!.address, to: CONTRACT_ACCOUNT, value: '0x1' }]);
    assert.equal(await result('eth_getBalance', [CONTRACT_ACCOUNT, 'latest']), '0x8');
    devnet.close();
    assert.equal(reported.length, 1);
  });

  test('a closed fork saves no more: what it reads after closing (a read under way at close) writes no cache', async (t) => {
    const upstream = await startDevnet(testConfig());
    t.after(() => upstream.close());
    const dir = mkdtempSync(join(tmpdir(), 'fork-cache-closed-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const cacheDir = join(dir, 'cache');
    const { devnet } = await setupRpc(t, { fork: { url: upstream.url, cacheDir } });
    const fork = devnet.fork!;
    devnet.close();
    rmSync(cacheDir, { recursive: true, force: true });
    // A read finishing after the close, then the save it would have scheduled (and the one at exit).
    await fork.source.fetch([{ kind: 'address', address: FilAddress.fromEthAddress(new Uint8Array(20).fill(0x44)) }]);
    fork.save();
    assert.equal(existsSync(cacheDir), false);
  });
});
