// viem's test client in Anvil mode against the devnet CLI: the cheat codes as viem sends them.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { createPublicClient, createTestClient, createWalletClient, http, parseEther, parseGwei, type Address } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { computePieceCid } from '../../src/devnet/storage-providers/piece-cid.js';
import { DEV_ACCOUNTS, pollUntil, startDevnet } from '../helpers/devnet-process.js';
import { useDevnet } from '../helpers/use-devnet.js';

const WHALE = '0x00000000000000000000000000000000000babe1' as Address;
const TARGET = '0x0000000000000000000000000000000000c0ffee' as Address;

describe('viem test client (mode anvil)', () => {
  const node = useDevnet();
  let testClient: ReturnType<typeof createTestClient>;
  let publicClient: ReturnType<typeof createPublicClient>;

  before(() => {
    testClient = createTestClient({ mode: 'anvil', transport: http(node.url) });
    publicClient = createPublicClient({ transport: http(node.url), cacheTime: 0 });
  });

  test('mine, time and automine', async () => {
    const start = await publicClient.getBlockNumber();
    await testClient.mine({ blocks: 3 });
    assert.equal(await publicClient.getBlockNumber(), start + 3n);
    const latest = await publicClient.getBlock();
    await testClient.setNextBlockTimestamp({ timestamp: latest.timestamp + 1000n });
    await testClient.mine({ blocks: 1 });
    assert.equal((await publicClient.getBlock()).timestamp, latest.timestamp + 1000n);
    // Answered as Anvil answers it: the total moved, a JSON number (viem hands it back as sent).
    const total: unknown = await testClient.increaseTime({ seconds: 3600 });
    assert.equal(typeof total, 'number');
    assert.ok((total as number) >= 3600);
    assert.equal(await testClient.getAutomine(), true);
    await testClient.setAutomine(false);
    assert.equal(await testClient.getAutomine(), false);
    await testClient.setAutomine(true);
  });

  test('increaseTime after mining 10 blocks at once: the next block is at least that much later', async () => {
    await testClient.mine({ blocks: 10 });
    const before = (await publicClient.getBlock()).timestamp;
    await testClient.increaseTime({ seconds: 3600 });
    await testClient.mine({ blocks: 1 });
    const after = (await publicClient.getBlock()).timestamp;
    assert.ok(after - before >= 3600n, `only ${after - before} s later`);
  });

  test('setIntervalMining({ interval: 1 }) mines a tipset a second (Anvil\'s unit, which viem sends in anvil mode), not one a millisecond (H1)', async () => {
    const start = await publicClient.getBlockNumber();
    await testClient.setIntervalMining({ interval: 1 });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await testClient.setIntervalMining({ interval: 0 });
    const mined = (await publicClient.getBlockNumber()) - start;
    assert.ok(mined >= 1n && mined <= 4n, `${mined} tipsets in 2.5 s`);
    // viem's hardhat mode sends milliseconds (5 000 for 5 s): a slow interval here, not a runaway.
    const hardhatClient = createTestClient({ mode: 'hardhat', transport: http(node.url) });
    const before = await publicClient.getBlockNumber();
    await hardhatClient.setIntervalMining({ interval: 5 });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(await publicClient.getBlockNumber(), before);
    // Intervals longer than a Node timer waits (2^31 - 1 ms): 30 days, and an hour in milliseconds
    // taken as seconds, mine nothing in a second rather than a tipset a millisecond (H13).
    for (const interval of [2_592_000, 3_600_000]) {
      await testClient.setIntervalMining({ interval });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      assert.equal(await publicClient.getBlockNumber(), before, `interval ${interval} s`);
    }
    await testClient.setAutomine(true);
  });

  test('setAutomine(false) leaves interval mining on: the timer goes on mining, as in Anvil and Hardhat (H10)', async () => {
    await testClient.setIntervalMining({ interval: 1 });
    await testClient.setAutomine(false);
    assert.equal(await testClient.getAutomine(), false);
    const start = await publicClient.getBlockNumber();
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const mined = (await publicClient.getBlockNumber()) - start;
    await testClient.setIntervalMining({ interval: 0 });
    await testClient.setAutomine(true);
    assert.ok(mined >= 1n && mined <= 4n, `${mined} tipsets in 2.5 s`);
  });

  test('setAutomine(true) mines the transactions queued while it was off at once, as Anvil (H9)', async () => {
    await testClient.setAutomine(false);
    const wallet = createWalletClient({ account: DEV_ACCOUNTS[2].address, transport: http(node.url) });
    const to = DEV_ACCOUNTS[3].address;
    const hashes = [await wallet.sendTransaction({ to, value: 1n, chain: null }), await wallet.sendTransaction({ to, value: 2n, chain: null })];
    const start = await publicClient.getBlockNumber();
    await testClient.setAutomine(true);
    // No send or mine after it: the receipts are there when setAutomine answers, in one tipset.
    const receipts = await Promise.all(hashes.map((hash) => publicClient.getTransactionReceipt({ hash })));
    assert.deepEqual(receipts.map((receipt) => [receipt.status, receipt.blockNumber]), [['success', start + 1n], ['success', start + 1n]]);
    assert.equal((await testClient.getTxpoolStatus()).pending, 0);
    // With nothing queued, turning it on again mines nothing.
    await testClient.setAutomine(true);
    assert.equal(await publicClient.getBlockNumber(), start + 1n);
  });

  test('mine({ blocks }) sends an interval of 0: each tipset a second or more after the one before, never one timestamp for two (H2)', async () => {
    const timestamps = async (count: number) => {
      const head = await publicClient.getBlock();
      const blocks = await Promise.all(Array.from({ length: count }, (_, i) => publicClient.getBlock({ blockNumber: head.number - BigInt(count - 1 - i) })));
      return blocks.map((block) => Number(block.timestamp));
    };
    await testClient.mine({ blocks: 3 });
    const [t0, t1, t2, t3] = await timestamps(4);
    assert.ok(t0 < t1 && t1 < t2 && t2 < t3, `${[t0, t1, t2, t3]}`);
    // With a block timestamp interval set, every tipset is that far after the one before.
    await testClient.setBlockTimestampInterval({ interval: 7 });
    await testClient.mine({ blocks: 3 });
    await testClient.removeBlockTimestampInterval();
    const [s0, s1, s2, s3] = await timestamps(4);
    assert.deepEqual([s1 - s0, s2 - s0, s3 - s0], [7, 14, 21]);
  });

  test('mine({ blocks: 3, interval: 10 }) puts every tipset 10 s after the one before, the first included, as Anvil (H3); after increaseTime, from the time it set (H14)', async () => {
    const secondsAfter = async (head: { number: bigint; timestamp: bigint }, count: number) => {
      const blocks = await Promise.all(Array.from({ length: count }, (_, k) => publicClient.getBlock({ blockNumber: head.number + BigInt(k + 1) })));
      return blocks.map((block) => Number(block.timestamp - head.timestamp));
    };
    // A head ahead of the wall clock (as tests that mine fast make it): chain time is the head's,
    // and goes on with the wall clock (a second may pass between two requests on a loaded machine).
    await testClient.mine({ blocks: 1, interval: 60 });
    const head = await publicClient.getBlock();
    await testClient.mine({ blocks: 3, interval: 10 });
    const [t1, t2, t3] = await secondsAfter(head, 3);
    assert.ok(t1! >= 10 && t1! < 15, `first at +${t1}`);
    assert.deepEqual([t2! - t1!, t3! - t2!], [10, 10]);
    // A warp past a deadline, then a run with an interval: the run starts from the warped time, and
    // the next mine is a second after it, not a warp later.
    const last = await publicClient.getBlock();
    await testClient.increaseTime({ seconds: 3600 });
    await testClient.mine({ blocks: 2, interval: 60 });
    await testClient.mine({ blocks: 1 });
    const [first, second, next] = await secondsAfter(last, 3);
    assert.ok(first! >= 3660 && first! < 3670, `first at +${first}`);
    assert.equal(second! - first!, 60);
    assert.ok(next! - second! >= 1 && next! - second! < 5, `next at +${next! - second!}`);
  });

  test('in hardhat mode, mine({ blocks: 3, interval: 10 }) (hardhat_mine) mines the first as any tipset and the rest 10 s apart, as Hardhat (H3)', async () => {
    const hardhatClient = createTestClient({ mode: 'hardhat', transport: http(node.url) });
    const head = await publicClient.getBlock();
    await hardhatClient.mine({ blocks: 3, interval: 10 });
    const [first, second, third] = await Promise.all([1n, 2n, 3n].map((k) => publicClient.getBlock({ blockNumber: head.number + k })));
    assert.ok(first.timestamp > head.timestamp && first.timestamp - head.timestamp < 10n, `first at +${first.timestamp - head.timestamp}`);
    assert.deepEqual([second.timestamp - first.timestamp, third.timestamp - second.timestamp], [10n, 10n]);
  });

  test('setBalance, snapshot and revert', async () => {
    await testClient.setBalance({ address: WHALE, value: parseEther('1000') });
    assert.equal(await publicClient.getBalance({ address: WHALE }), parseEther('1000'));
    const id = await testClient.snapshot();
    await testClient.setBalance({ address: WHALE, value: 1n });
    await testClient.mine({ blocks: 2 });
    await testClient.revert({ id });
    assert.equal(await publicClient.getBalance({ address: WHALE }), parseEther('1000'));
  });

  test('impersonate an f410 account and send from it', async () => {
    await testClient.setBalance({ address: WHALE, value: parseEther('10') });
    await testClient.impersonateAccount({ address: WHALE });
    const wallet = createWalletClient({ account: WHALE, transport: http(node.url) });
    const hash = await wallet.sendTransaction({ to: TARGET, value: 7n, chain: null });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, 'success');
    assert.equal(await publicClient.getBalance({ address: TARGET }), 7n);
    await testClient.stopImpersonatingAccount({ address: WHALE });
    await assert.rejects(wallet.sendTransaction({ to: TARGET, value: 1n, chain: null }));
  });

  // audit26 V1: a new address given a nonce is the EthAccount a calibnet account with that nonce is
  // (the FVM takes a placeholder as a sender only at nonce 0), so it can still send when impersonated.
  test('setBalance and setNonce on a new address, then impersonate it: it sends at that nonce, as in Anvil', async () => {
    const fresh = '0x00000000000000000000000000000000000f4e54' as Address;
    await testClient.setBalance({ address: fresh, value: parseEther('10') });
    await testClient.setNonce({ address: fresh, nonce: 5 });
    await testClient.impersonateAccount({ address: fresh });
    const wallet = createWalletClient({ account: fresh, transport: http(node.url) });
    const hash = await wallet.sendTransaction({ to: TARGET, value: 1n, chain: null });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, 'success');
    assert.equal((await publicClient.getTransaction({ hash })).nonce, 5);
    assert.equal(await publicClient.getTransactionCount({ address: fresh }), 6);
    // eth_sendUnsignedTransaction, viem's sendUnsignedTransaction, from another such address.
    const other = '0x00000000000000000000000000000000000f4e55' as Address;
    await testClient.setBalance({ address: other, value: parseEther('10') });
    await testClient.setNonce({ address: other, nonce: 3 });
    const unsigned = await testClient.sendUnsignedTransaction({ from: other, to: TARGET, value: 1n });
    assert.equal((await publicClient.waitForTransactionReceipt({ hash: unsigned })).status, 'success');
    await testClient.stopImpersonatingAccount({ address: fresh });
  });

  test('setCode, setStorageAt and setNonce', async () => {
    const code = '0x602a60005260206000f3';
    await testClient.setCode({ address: TARGET, bytecode: code });
    assert.equal(await publicClient.getCode({ address: TARGET }), code);
    const slot = '0x0000000000000000000000000000000000000000000000000000000000000001';
    const value = '0x00000000000000000000000000000000000000000000000000000000000000ff';
    await testClient.setStorageAt({ address: TARGET, index: slot, value });
    assert.equal(await publicClient.getStorageAt({ address: TARGET, slot }), value);
    await testClient.setNonce({ address: TARGET, nonce: 9 });
    assert.equal(await publicClient.getTransactionCount({ address: TARGET }), 9);
  });

  test('txpool and dropTransaction with automine off', async () => {
    await testClient.setAutomine(false);
    const wallet = createWalletClient({ account: DEV_ACCOUNTS[0].address, transport: http(node.url) });
    const hash = await wallet.sendTransaction({ to: TARGET, value: 1n, chain: null });
    const status = await testClient.getTxpoolStatus();
    assert.equal(status.pending, 1);
    const content = await testClient.getTxpoolContent();
    assert.ok(Object.values(content.pending).some((byNonce) => Object.values(byNonce).some((tx) => tx.hash === hash)));
    await testClient.dropTransaction({ hash });
    assert.equal((await testClient.getTxpoolStatus()).pending, 0);
    await testClient.setAutomine(true);
  });

  test('a transaction pending at a snapshot stays pending across revert; one mined after it is gone, as in Anvil (H6)', async () => {
    await testClient.setAutomine(false);
    const wallet = createWalletClient({ account: DEV_ACCOUNTS[4].address, transport: http(node.url) });
    const to = DEV_ACCOUNTS[5].address;
    const pending = await wallet.sendTransaction({ to, value: 1n, chain: null });
    let id = await testClient.snapshot();
    await testClient.revert({ id });
    assert.equal((await publicClient.getTransaction({ hash: pending })).blockNumber, null);
    assert.equal((await testClient.getTxpoolStatus()).pending, 1);
    // Mined after the snapshot, then reverted: the revert drops it with its tipset; the one sent
    // after it, still pending, stays.
    id = await testClient.snapshot();
    await testClient.mine({ blocks: 1 });
    assert.equal((await publicClient.getTransactionReceipt({ hash: pending })).status, 'success');
    const later = await wallet.sendTransaction({ to, value: 2n, chain: null, nonce: 1 });
    await testClient.revert({ id });
    await assert.rejects(publicClient.getTransactionReceipt({ hash: pending }), /could not be found/);
    assert.equal((await testClient.getTxpoolStatus()).pending, 0);
    assert.equal((await testClient.getTxpoolStatus()).queued, 1, 'its nonce is now a gap ahead');
    assert.equal((await publicClient.getTransaction({ hash: later })).nonce, 1);
    await testClient.dropTransaction({ hash: later });
    await testClient.setAutomine(true);
  });

  // audit26 V5: a viem local-account send prices from the latest block's base fee (× 1.2, plus
  // eth_maxPriorityFeePerGas) once eth_fillTransaction, which Lotus lacks, answers -32601; a base fee set
  // for the next tipset is not that block's, so README says: pass maxFeePerGas, or mine a tipset first.
  test('after setNextBlockBaseFeePerGas, a local-account send prices from the latest block: with maxFeePerGas, or after a mined tipset, it is mined (V5)', async () => {
    const id = await testClient.snapshot();
    const wallet = createWalletClient({ account: privateKeyToAccount(DEV_ACCOUNTS[7].privateKey), transport: http(node.url) });
    const to = DEV_ACCOUNTS[8].address;
    // The trap README names: priced below the set base fee, it waits in the pool.
    await testClient.setAutomine(false);
    await testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: parseGwei('50') });
    const stuck = await wallet.sendTransaction({ to, value: 1n, chain: null });
    assert.ok((await publicClient.getTransaction({ hash: stuck })).maxFeePerGas! < parseGwei('50'));
    await testClient.dropTransaction({ hash: stuck });
    await testClient.setAutomine(true);
    // maxFeePerGas at least the set base fee: mined at it.
    const paid = await wallet.sendTransaction({ to, value: 1n, chain: null, maxFeePerGas: parseGwei('60') });
    const receipt = await publicClient.waitForTransactionReceipt({ hash: paid });
    assert.equal(receipt.status, 'success');
    assert.equal((await publicClient.getBlock({ blockNumber: receipt.blockNumber })).baseFeePerGas, parseGwei('50'));
    // A tipset mined at the set fee first: the head carries it, and viem's own fees cover it.
    await testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: parseGwei('100') });
    await testClient.mine({ blocks: 1 });
    const priced = await wallet.sendTransaction({ to, value: 1n, chain: null });
    assert.equal((await publicClient.waitForTransactionReceipt({ hash: priced })).status, 'success');
    await testClient.revert({ id });
  });

  test('mining a million blocks leaves null rounds, which getBlock refuses', async () => {
    const before = await publicClient.getBlock();
    await testClient.mine({ blocks: 1_000_000, interval: 30 });
    const head = await publicClient.getBlock();
    assert.equal(head.number, before.number + 1_000_000n);
    assert.equal(head.parentHash, before.hash);
    assert.ok(head.timestamp >= before.timestamp + 30n * 999_999n);
    await assert.rejects(publicClient.getBlock({ blockNumber: before.number + 1n }), /null round/);
  });

  test('reset goes back to genesis', async () => {
    await testClient.reset();
    assert.equal(await publicClient.getBlockNumber(), 0n);
    assert.equal(await publicClient.getBalance({ address: WHALE }), 0n);
  });

  // Last: the loaded chain is where reset goes from then on.
  test('dumpState after 2 000 tipsets with a deal live fits viem\'s 10 MiB answer limit (gzipped, as Anvil\'s) at hundreds of bytes a tipset, and loadState takes it back, here and on another node (H4)', { timeout: 180_000 }, async () => {
    const request = (client: ReturnType<typeof createTestClient>, method: string, params: unknown[]) => client.request({ method: method as 'anvil_mine', params: params as [never, never] }) as Promise<any>;
    const piece = computePieceCid(new Uint8Array(3000).map((_, i) => (i * 17) % 251));
    const { dealId, provider } = await request(testClient, 'devnet_proposeDeal', [{ pieceCid: piece.cid.toString(), pieceSize: piece.size, storagePricePerEpoch: '1000' }]);
    await pollUntil('the deal to be sealed', async () => {
      await testClient.mine({ blocks: 1 });
      return (await request(testClient, 'Filecoin.StateMarketStorageDeal', [dealId, null])).State.SectorStartEpoch > 0 || undefined;
    });
    const before = gunzipSync(Buffer.from((await testClient.dumpState()).slice(2), 'hex')).length;
    await testClient.mine({ blocks: 1_000 });
    await testClient.mine({ blocks: 1_000 });
    const head = await publicClient.getBlock();
    const reads: [string, unknown[]][] = [
      ['Filecoin.StateMarketStorageDeal', [dealId, null]],
      ['Filecoin.StateMinerSectors', [provider, null, null]],
      ['Filecoin.StateReadState', [provider, null]],
      ['Filecoin.StateReadState', [provider, [{ '/': (await request(testClient, 'Filecoin.ChainGetTipSetByHeight', [Number(head.number) - 1_000, null])).Cids[0]['/'] }]]],
    ];
    const answers = (client: ReturnType<typeof createTestClient>) => Promise.all(reads.map(([method, params]) => request(client, method, params)));
    const expected = await answers(testClient);
    const dump = await testClient.dumpState();
    assert.ok(dump.length < 10 * 2 ** 20, `${dump.length} characters`);
    assert.equal(dump.slice(0, 6), '0x1f8b', 'gzip');
    // Was 3.1 kB a tipset before gzip (a miner whole each time): now what changed. Since block rewards
    // vest (d51922d3) 363 bytes: the winner's locked funds and its reward waiting to be merged into its
    // vesting table (the merged table, ~180 funds, once in 128 rewards), the power actor's pledge total.
    const perTipset = (gunzipSync(Buffer.from(dump.slice(2), 'hex')).length - before) / 2_000;
    assert.ok(perTipset < 400, `${perTipset} bytes a tipset`);
    await testClient.mine({ blocks: 3 });
    await testClient.loadState({ state: dump });
    assert.equal((await publicClient.getBlock()).hash, head.hash);
    assert.deepEqual(await answers(testClient), expected);
    const other = await startDevnet();
    try {
      const otherClient = createTestClient({ mode: 'anvil', transport: http(other.url) });
      await otherClient.loadState({ state: dump });
      assert.deepEqual(await answers(otherClient), expected);
    } finally {
      await other.stop();
    }
  });
});
