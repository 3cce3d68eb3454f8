// --state across restarts of the real CLI: a stopped node leaves a file, a restarted one continues
// the same chain (and says so), and a corrupt file stops the node from starting without touching it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { JsonRpcProvider, Wallet } from 'ethers';
import { CLI_PATH, DEV_ACCOUNTS, DEVNET_CHAIN_ID, pollUntil, startDevnet } from '../helpers/devnet-process.js';
import { rawRpc } from '../helpers/raw-rpc.js';
import { decodeCbor, encodeCbor } from '../../src/common/cbor.js';
import { attoToFil } from '../../src/common/units.js';
import { decodeChain, temporaryPath } from '../../src/devnet/persistence.js';
import { computePieceCid } from '../../src/devnet/storage-providers/piece-cid.js';
import { REPO_ROOT } from '../helpers/solc.js';

const dir = mkdtempSync(join(tmpdir(), 'fvm-devnet-state-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Starts a node on `file` and checks that every transaction in `receipted` is there, mined successfully. */
async function assertReceiptedAfterRestart(file: string, receipted: string[]): Promise<void> {
  const again = await startDevnet(['--state', file]);
  try {
    const reader = new JsonRpcProvider(again.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    for (const hash of receipted) assert.equal((await reader.getTransactionReceipt(hash))?.status, 1, hash);
    reader.destroy();
  } finally {
    await again.stop();
  }
}

describe('--state', () => {
  test('a restarted node continues the chain it saved on exit', async () => {
    const file = join(dir, 'chain.state');
    const first = await startDevnet(['--state', file]);
    assert.match(first.output(), /A new chain/);
    const provider = new JsonRpcProvider(first.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    const wallet = new Wallet(DEV_ACCOUNTS[0].privateKey, provider);
    const tx = await wallet.sendTransaction({ to: DEV_ACCOUNTS[5].address, value: 12345n });
    const receipt = await tx.wait();
    provider.destroy();
    await first.stop();

    const second = await startDevnet(['--state', file]);
    try {
      assert.match(second.output(), /Chain loaded at height 1/);
      const again = new JsonRpcProvider(second.url, undefined, { cacheTimeout: -1, staticNetwork: true });
      const reloaded = await again.getTransactionReceipt(tx.hash);
      assert.equal(reloaded?.blockHash, receipt?.blockHash);
      assert.equal(await again.getTransactionCount(DEV_ACCOUNTS[0].address), 1);
      // MetaMask's kept nonce is still right: the next transaction goes through.
      const next = await new Wallet(DEV_ACCOUNTS[0].privateKey, again).sendTransaction({ to: DEV_ACCOUNTS[5].address, value: 1n });
      assert.equal((await next.wait())?.status, 1);
      again.destroy();
    } finally {
      await second.stop();
    }
  });

  // hardhat-network-helpers' reset() sends `hardhat_reset` with no params (sent here as it sends it,
  // through ethers): the chain a node loaded at start resets to its first tipset, as Anvil's (audit24 H1),
  // and the file then holds the reset chain.
  test('hardhat_reset on a chain saved over two restarts goes back to its genesis, not to where the node last started', async () => {
    const file = join(dir, 'reset.state');
    /** A provider on `node`, and a send of 1 attoFIL from dev account 0 to dev account 1 through it. */
    const connect = (node: { url: string }) => {
      const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1, staticNetwork: true });
      const send = async () => {
        const tx = await new Wallet(DEV_ACCOUNTS[0].privateKey, provider).sendTransaction({ to: DEV_ACCOUNTS[1].address, value: 1n });
        assert.equal((await tx.wait())?.status, 1);
      };
      return { provider, send };
    };
    const first = await startDevnet(['--state', file]);
    const one = connect(first);
    const genesis = await one.provider.send('eth_getBlockByNumber', ['0x0', false]);
    const balance = await one.provider.send('eth_getBalance', [DEV_ACCOUNTS[1].address, 'latest']);
    await one.send();
    one.provider.destroy();
    await first.stop();
    const second = await startDevnet(['--state', file]);
    const two = connect(second);
    await two.send();
    two.provider.destroy();
    await second.stop();
    const third = await startDevnet(['--state', file]);
    const three = connect(third);
    try {
      assert.equal(await three.provider.send('eth_getTransactionCount', [DEV_ACCOUNTS[0].address, 'latest']), '0x2');
      assert.equal(await three.provider.send('hardhat_reset', []), null);
      assert.equal(await three.provider.send('eth_blockNumber', []), '0x0');
      assert.equal(await three.provider.send('eth_getTransactionCount', [DEV_ACCOUNTS[0].address, 'latest']), '0x0');
      assert.equal(await three.provider.send('eth_getBalance', [DEV_ACCOUNTS[1].address, 'latest']), balance);
      assert.deepEqual(await three.provider.send('eth_getBlockByNumber', ['0x0', false]), genesis);
      await three.send();
    } finally {
      three.provider.destroy();
      await third.stop();
    }
    const fourth = await startDevnet(['--state', file]);
    const four = connect(fourth);
    try {
      assert.match(fourth.output(), /Chain loaded at height 1/);
      assert.equal(await four.provider.send('eth_getTransactionCount', [DEV_ACCOUNTS[0].address, 'latest']), '0x1');
    } finally {
      four.provider.destroy();
      await fourth.stop();
    }
  });

  test('2 000 tipsets mined with anvil_mine while a deal is live, then killed (SIGKILL): the file and its journal grew by hundreds of bytes a tipset, and a restart has the chain, the deal and the providers as they were', { timeout: 180_000 }, async () => {
    const file = join(dir, 'deal-live.state');
    const first = await startDevnet(['--state', file]);
    const { ok } = rawRpc(first.url);
    const piece = computePieceCid(new Uint8Array(3000).map((_, i) => (i * 13) % 251));
    const { dealId, provider } = await ok('devnet_proposeDeal', { pieceCid: piece.cid.toString(), pieceSize: piece.size, storagePricePerEpoch: '1000' });
    const sector = await pollUntil('the deal to be sealed', async () => {
      await ok('anvil_mine', '0x1');
      const deal = await ok('Filecoin.StateMarketStorageDeal', dealId, null);
      return deal.State.SectorStartEpoch > 0 ? deal.State.SectorNumber : undefined;
    });
    const savedBytes = () => readFileSync(file).length + (existsSync(`${file}.journal`) ? readFileSync(`${file}.journal`).length : 0);
    const before = { bytes: savedBytes(), height: Number(await ok('eth_blockNumber')) };
    await ok('anvil_mine', '0x3e8');
    await ok('anvil_mine', '0x3e8');
    const reads: [string, unknown[]][] = [
      ['eth_getBlockByNumber', ['latest', false]],
      ['Filecoin.StateMarketStorageDeal', [dealId, null]],
      ['Filecoin.StateMinerSectors', [provider, null, null]],
      ['Filecoin.StateSectorGetInfo', [provider, sector, null]],
      ['Filecoin.StateReadState', [provider, null]],
      ['Filecoin.StateReadState', ['t02', null]],
      ['Filecoin.StateMinerAvailableBalance', [provider, null]],
    ];
    const answers = (url: string) => {
      const { ok } = rawRpc(url);
      return Promise.all(reads.map(([method, params]) => ok(method, ...params)));
    };
    const expected = await answers(first.url);
    // A journal record a tipset (the file is written again, whole, once the journal has grown to its size):
    // ~205 bytes, and since block rewards vest ~440: the winner's locked funds and its reward waiting to be
    // merged into its vesting table (the merged table, ~180 funds, once in 128 rewards), the power actor's pledge total.
    const perTipset = (savedBytes() - before.bytes) / 2_000;
    assert.ok(perTipset < 500, `${perTipset} bytes a tipset`);
    first.kill('SIGKILL');
    await first.stop();
    const second = await startDevnet(['--state', file]);
    try {
      assert.match(second.output(), new RegExp(`Chain loaded at height ${before.height + 2_000}`));
      assert.deepEqual(await answers(second.url), expected);
      // And goes on: the deal still pays out its escrow as epochs pass.
      const { ok: onSecond } = rawRpc(second.url);
      await onSecond('anvil_mine', '0x1');
      assert.equal(Number(await onSecond('eth_blockNumber')), before.height + 2_001);
    } finally {
      await second.stop();
    }
  });

  test('two clients sending anvil_mine of 1000 tipsets back to back (a queue never idle, turns of seconds): the whole file is written again as the chain grows, not once in a minute, and a node killed then has every tipset', { timeout: 300_000 }, async () => {
    const file = join(dir, 'never-idle.state');
    const node = await startDevnet(['--state', file]);
    const { ok } = rawRpc(node.url);
    // The file's sizes seen after each answer: each new one a compaction finished. The first (of a chain
    // of ~100 tipsets) fits in one step; the second writes ~2 000 tipsets or more, in steps that take a
    // share of the turns between them (the share itself is unit-tested on an injected clock in
    // devnet-state-file.test.ts). The clients mine until it is in place, bounded in turns, not in time
    // (8 fixed turns failed under load): it took 7 turns begun alone and 7-9 beside two or four busy
    // processes (load 4-10), as a compaction's steps, its flush and the next compaction's start each
    // wait for a turn to end (a few turns more under load, not turns in proportion to it). With steps of
    // 8 ms a turn (turnShare 0, as before compactions took a share of long turns) it took 80 turns
    // alone. The bound, 24 turns (24 000 tipsets), is ~2.7x above the first and ~3.3x below the second.
    const written = new Set([statSync(file).size]);
    const MAX_TURNS = 24;
    let turns = 0;
    let height: number;
    try {
      await Promise.all(
        [0, 1].map(async () => {
          while (written.size < 3 && turns < MAX_TURNS) {
            turns++;
            await ok('anvil_mine', '0x3e8');
            written.add(statSync(file).size);
          }
        }),
      );
      const journal = statSync(`${file}.journal`).size;
      assert.ok(written.size >= 3, `the file was written again ${written.size - 1} times over ${turns} 000 tipsets (sizes ${[...written].join(', ')}; journal ${journal} bytes)`);
      height = Number(await ok('eth_blockNumber'));
    } finally {
      node.kill('SIGKILL');
      await node.stop();
    }
    const again = await startDevnet(['--state', file]);
    try {
      assert.match(again.output(), new RegExp(`Chain loaded at height ${height}`));
    } finally {
      await again.stop();
    }
  });

  test('a transaction replaced by fee, then the node killed (SIGKILL): after a restart StateSearchMsg and StateWaitMsg of the replaced message find its replacement, as Lotus finds it from its blockstore and the chain', async () => {
    const file = join(dir, 'replaced.state');
    const first = await startDevnet(['--state', file]);
    const post = async (url: string, method: string, params: unknown[] = [], path = '/') => {
      const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
      const body = (await res.json()) as { result?: any; error?: { message: string } };
      if (body.error) throw new Error(`${method}: ${body.error.message}`);
      return body.result;
    };
    const wallet = new Wallet(DEV_ACCOUNTS[0].privateKey);
    const sign = (premium: bigint) => wallet.signTransaction({ type: 2, chainId: DEVNET_CHAIN_ID, nonce: 0, to: DEV_ACCOUNTS[5].address, value: 7n, gasLimit: 10_000_000, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: premium });
    await post(first.url, 'evm_setAutomine', [false]);
    const lowHash = await post(first.url, 'eth_sendRawTransaction', [await sign(100_000n)]);
    const lowCid = await post(first.url, 'Filecoin.EthGetMessageCidByTransactionHash', [lowHash]);
    const highHash = await post(first.url, 'eth_sendRawTransaction', [await sign(300_000n)]);
    const highCid = await post(first.url, 'Filecoin.EthGetMessageCidByTransactionHash', [highHash]);
    await post(first.url, 'evm_mine');
    const expected = await post(first.url, 'Filecoin.StateSearchMsg', [null, lowCid, -1, true], '/rpc/v1');
    assert.deepEqual(expected.Message, highCid);
    first.kill('SIGKILL');
    await first.stop();
    const second = await startDevnet(['--state', file]);
    try {
      assert.deepEqual(await post(second.url, 'Filecoin.StateSearchMsg', [null, lowCid, -1, true], '/rpc/v1'), expected);
      assert.deepEqual((await post(second.url, 'Filecoin.StateWaitMsg', [lowCid, 0, -1, true], '/rpc/v1')).Message, highCid);
      assert.equal(await post(second.url, 'Filecoin.StateSearchMsg', [null, lowCid, -1, false], '/rpc/v1'), null);
      assert.equal((await post(second.url, 'Filecoin.ChainGetMessage', [lowCid], '/rpc/v1')).GasPremium, '100000');
      assert.deepEqual(await post(second.url, 'Filecoin.EthGetMessageCidByTransactionHash', [lowHash], '/rpc/v1'), lowCid);
      // Lotus's eth_getTransactionReceipt searches without allowing a replacement (node/impl/eth/transaction.go): null, as before the restart.
      assert.equal(await post(second.url, 'eth_getTransactionReceipt', [lowHash]), null);
      assert.equal((await post(second.url, 'eth_getTransactionReceipt', [highHash])).status, '0x1');
    } finally {
      await second.stop();
    }
  });

  test('restarted with another --mnemonic, more --accounts or another --balance: the banner lists the chain\'s balances and names the dev accounts it never funded (audit16 A6)', async () => {
    const file = join(dir, 'flags.state');
    const first = await startDevnet(['--state', file]);
    const provider = new JsonRpcProvider(first.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    await (await new Wallet(DEV_ACCOUNTS[0].privateKey, provider).sendTransaction({ to: DEV_ACCOUNTS[5].address, value: 12345n })).wait();
    const spent = await provider.getBalance(DEV_ACCOUNTS[0].address);
    provider.destroy();
    await first.stop();

    // The chain's genesis funded 10 accounts with 10 000 FIL: --balance 5 changes none, (10) and (11) have nothing.
    const more = await startDevnet(['--state', file, '--accounts', '12', '--balance', '5']);
    try {
      const line = (i: number) => more.output().split('\n').find((l) => l.startsWith(`(${i}) 0x`)) ?? '';
      assert.ok(line(0).endsWith(`(${attoToFil(spent)} FIL)`), line(0));
      assert.ok(line(5).endsWith('(10000.000000000000012345 FIL)'), line(5));
      assert.ok(line(9).endsWith('(10000 FIL)'), line(9));
      assert.ok(line(10).endsWith('(0 FIL)') && line(11).endsWith('(0 FIL)'), `${line(10)}\n${line(11)}`);
      assert.match(more.output(), /Its genesis stays: --balance, --fund, --storage-providers and --sector-size make a new chain's only/);
      assert.match(more.output(), /Accounts \(10\), \(11\) hold no FIL on this chain, whose genesis funded its first run's accounts: fund them with anvil_setBalance/);
      const reader = new JsonRpcProvider(more.url, undefined, { staticNetwork: true });
      assert.equal(await reader.getBalance(DEV_ACCOUNTS[5].address), 10_000n * 10n ** 18n + 12345n);
      reader.destroy();
    } finally {
      await more.stop();
    }

    // Another mnemonic: none of its accounts is funded; with --json the node says so in a warning.
    const other = await startDevnet(['--state', file, '--mnemonic', 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about', '--json']);
    try {
      const warning = other.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string }).find((e) => e.level === 40);
      assert.match(warning?.msg ?? '', /^Accounts \(0\), \(1\), \(2\), \(3\), \(4\), \(5\), \(6\), \(7\), \(8\), \(9\) hold no FIL on this chain/);
    } finally {
      await other.stop();
    }

    // --load-state's file is the one the chain came from, even beside a new --state file.
    const copied = await startDevnet(['--load-state', file, '--state', join(dir, 'flags-copy.state')]);
    try {
      assert.match(copied.output(), new RegExp(`Chain loaded at height 1 \\(from ${file.replace(/[.]/g, '\\.')}\\)`));
    } finally {
      await copied.stop();
    }
  });

  test('a format 2 file rewritten in the current format, its old journal put back (a kill between the rename and the cut: review R9): the node starts with every transaction', async () => {
    const file = join(dir, 'upgraded.state');
    const fixture = (name: string) => readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'state-format-2', name));
    writeFileSync(file, fixture('chain.state'));
    writeFileSync(`${file}.journal`, fixture('chain.state.journal'));
    await (await startDevnet(['--state', file])).stop();
    // The current format: the one a new chain's file is written in.
    const fresh = join(dir, 'fresh.state');
    await (await startDevnet(['--state', fresh])).stop();
    const formatOf = (path: string) => decodeCbor<{ format: number }>(readFileSync(path)).format;
    assert.equal(formatOf(file), formatOf(fresh), 'the format 2 file was not written again');
    writeFileSync(`${file}.journal`, fixture('chain.state.journal'));
    const node = await startDevnet(['--state', file]);
    try {
      // The fixture: 4 tipsets, one transaction each from dev account 0.
      assert.match(node.output(), /Chain loaded at height 4/);
      const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1, staticNetwork: true });
      assert.equal(await provider.getTransactionCount(DEV_ACCOUNTS[0].address), 4);
      provider.destroy();
      assert.equal(readFileSync(`${file}.journal`).length, 0, 'the old journal emptied');
    } finally {
      await node.stop();
    }
  });

  // audit15 C6: two nodes on one file both journaled into it, and the last to exit overwrote the
  // other's chain. As Lotus refuses a second daemon on a locked repo, the second node refuses the file.
  test('a second node on a state file in use refuses it, naming the first; the file is free again once that one stops or dies', async () => {
    const file = join(dir, 'shared.state');
    // A node that starts is killed after 20 s (and the test fails on its status).
    const start = (args: string[]) =>
      promisify(execFile)(process.execPath, [CLI_PATH, '--port', '0', ...args], { timeout: 20_000 }).then(
        () => ({ code: 0, stderr: '' }),
        (err: { code: number; stderr: string }) => err,
      );
    const first = await startDevnet(['--state', file]);
    try {
      const second = await start(['--state', file]);
      assert.equal(second.code, 1);
      assert.match(second.stderr, new RegExp(`shared\\.state is in use by another fvm-devnet \\(pid ${first.pid}\\)`));
      // The first goes on, and saves its chain on exit.
      assert.equal(await new JsonRpcProvider(first.url, undefined, { staticNetwork: true }).send('evm_mine', []), '0x0');
    } finally {
      await first.stop();
    }
    assert.equal(existsSync(`${file}.lock`), false);
    // Two nodes started in the same instant on a new file (audit15 WT3): one runs, the other refuses.
    const racers = await Promise.allSettled([startDevnet(['--state', `${file}.race`]), startDevnet(['--state', `${file}.race`])]);
    const running = racers.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    try {
      assert.equal(running.length, 1, 'exactly one of two racing nodes runs');
      const refused = racers.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.match(String(refused.reason), new RegExp(`shared\\.state\\.race is in use by another fvm-devnet \\(pid ${running[0]!.pid}\\)`));
    } finally {
      for (const node of running) await node.stop();
    }
    // A lock left by a node killed with SIGKILL is taken over.
    const killed = await startDevnet(['--state', file]);
    killed.kill('SIGKILL');
    await killed.stop();
    assert.equal(readFileSync(`${file}.lock`, 'utf8').trim(), String(killed.pid));
    const next = await startDevnet(['--state', file]);
    try {
      assert.match(next.output(), /Chain loaded at height 1/);
      assert.equal(readFileSync(`${file}.lock`, 'utf8').trim(), String(next.pid));
    } finally {
      await next.stop();
    }
  });

  test('a corrupt state file stops the node from starting and is left as it was', async () => {
    const file = join(dir, 'corrupt.state');
    writeFileSync(file, 'this is not a chain');
    const result = await promisify(execFile)(process.execPath, [CLI_PATH, '--port', '0', '--state', file]).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /corrupt\.state is not (a|an fvm-devnet) state file/);
    assert.equal(readFileSync(file, 'utf8'), 'this is not a chain');
  });

  test("a state file with one bit flipped in its state, or an account's nonce lost, stops the node naming the damage, and is left as it was", async () => {
    const file = join(dir, 'flipped.state');
    const node = await startDevnet(['--state', file]);
    const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    const wallet = new Wallet(DEV_ACCOUNTS[0].privateKey, provider);
    for (let nonce = 0; nonce < 3; nonce++) await (await wallet.sendTransaction({ nonce, to: DEV_ACCOUNTS[5].address, value: 1n })).wait();
    provider.destroy();
    await node.stop();
    const good = readFileSync(file);
    // The state commits come before the tipsets, whose block CIDs cover only them.
    const stateAt = good.indexOf('estate') + 6;
    const noNonce = decodeCbor<{ state: [number, [string, { $set?: Record<string, unknown> }][]][] }>(good);
    // Saved as what changed since its write before (format 4).
    const account = noNonce.state.flatMap(([, changes]) => changes).find(([, value]) => value?.$set?.nonce === 3)![1].$set!;
    account.noncf = account.nonce;
    delete account.nonce;
    const damaged: [string, Uint8Array][] = [
      ['a bit of the first state commit', Uint8Array.from(good, (byte, at) => (at === stateAt + 40 ? byte ^ 0x04 : byte))],
      ["the dev account's nonce key renamed", encodeCbor(noNonce)],
    ];
    for (const [what, bytes] of damaged) {
      writeFileSync(file, bytes);
      const result = await promisify(execFile)(process.execPath, [CLI_PATH, '--port', '0', '--state', file]).then(
        () => ({ code: 0, stderr: '' }),
        (err: { code: number; stderr: string }) => err,
      );
      assert.equal(result.code, 1, what);
      assert.match(result.stderr, new RegExp(`state file ${file} is damaged: its bytes do not match the checksum it ends with`), what);
      assert.deepEqual(readFileSync(file), Buffer.from(bytes), what);
    }
  });

  // Anvil's habit (`anvil --state .anvil`, a CI cache's directory): a directory given for the file means
  // <dir>/state.json to Anvil; here <dir>/chain.state, rather than losing the session at exit (U45).
  test('a directory given to --dump-state, --state or --load-state holds the chain as chain.state in it', async () => {
    const folder = join(dir, 'anvil-habit');
    mkdirSync(folder);
    const file = join(folder, 'chain.state');
    const first = await startDevnet(['--dump-state', folder]);
    const provider = new JsonRpcProvider(first.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    const tx = await new Wallet(DEV_ACCOUNTS[0].privateKey, provider).sendTransaction({ to: DEV_ACCOUNTS[5].address, value: 1n });
    await tx.wait();
    provider.destroy();
    await first.stop();
    assert.ok(existsSync(file), 'no chain.state in the directory');
    assert.doesNotMatch(first.output(), /cannot write/);

    const second = await startDevnet(['--state', folder]);
    try {
      assert.match(second.output(), new RegExp(`Chain loaded at height 1 \\(from ${file}\\)`));
      assert.match(second.output(), new RegExp(`Pieces: +${file}\\.pieces/`));
    } finally {
      await second.stop();
    }
    const third = await startDevnet(['--load-state', folder]);
    try {
      const reader = new JsonRpcProvider(third.url, undefined, { cacheTimeout: -1, staticNetwork: true });
      assert.equal((await reader.getTransactionReceipt(tx.hash))?.status, 1);
      reader.destroy();
    } finally {
      await third.stop();
    }
  });

  test('a --state or --dump-state file in a directory that is not there, or cannot be written, stops the node at start naming it (audit16 A4)', async () => {
    const refusal = (args: string[]) =>
      promisify(execFile)(process.execPath, [CLI_PATH, '--port', '0', ...args], { timeout: 15_000 }).then(
        () => ({ code: 0, stderr: '' }),
        (err: { code: number; stderr: string }) => err,
      );
    const missing = join(dir, 'nodir', 'sub');
    const state = await refusal(['--state', join(missing, 'chain.state')]);
    assert.equal(state.code, 1);
    assert.match(state.stderr, new RegExp(`the directory ${missing} of the state file ${missing}/chain\\.state does not exist`));
    const dump = await refusal(['--dump-state', join(missing, 'x.state')]);
    assert.equal(dump.code, 1);
    assert.match(dump.stderr, new RegExp(`the directory ${missing} of the dump file ${missing}/x\\.state does not exist`));
    // A directory this user cannot write to (/proc, as root too): --dump-state is refused now, not after the session.
    const unwritable = await refusal(['--dump-state', '/proc/x.state']);
    assert.equal(unwritable.code, 1);
    assert.match(unwritable.stderr, /cannot write the chain to \/proc\/x\.state: /);
    assert.equal(existsSync(join(dir, 'nodir')), false);
  });

  test('--dump-state on a full disk at exit: the node says so on stderr and leaves the old dump', async () => {
    const file = join(dir, 'dump.state');
    writeFileSync(file, 'an earlier dump');
    const node = await startDevnet(['--dump-state', file]);
    // The exit's temporary file is /dev/full, whose writes fail with ENOSPC.
    symlinkSync('/dev/full', temporaryPath(file, node.pid));
    await node.stop();
    const line = new RegExp(`fvm-devnet: cannot write the chain to ${file}: ENOSPC: .*; the file is left as it was`);
    await pollUntil('the failed dump to be reported', async () => (line.test(node.output()) ? true : undefined));
    assert.equal(readFileSync(file, 'utf8'), 'an earlier dump');
    assert.equal(existsSync(temporaryPath(file, node.pid)), false);
    assert.equal(node.exitCode(), 1);
  });

  // audit16 A8: a second Ctrl-C, pressed because the first seemed to do nothing while the dump was
  // written, met Node's default action and ended the node at once: no dump, no message.
  test('--dump-state: a second Ctrl-C while the node stops neither ends it nor loses the dump', async () => {
    const file = join(dir, 'twice.state');
    const node = await startDevnet(['--dump-state', file]);
    // A request whose body has not arrived holds the server's close, and so the save, until it is sent;
    // the node's "100 Continue" says it has the request's headers.
    const socket = connect(node.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.on('error', () => undefined);
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] });
    socket.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`);
    assert.match(String((await once(socket, 'data'))[0]), /^HTTP\/1\.1 100 Continue/);
    node.kill('SIGINT');
    // Stopping, the node takes no new connection: the first signal has been handled.
    const refused = () =>
      new Promise<boolean>((resolve) => {
        const probe = connect(node.port, '127.0.0.1');
        probe.once('connect', () => (probe.destroy(), resolve(false))).once('error', () => resolve(true));
      });
    await pollUntil('the node to stop taking connections', async () => ((await refused()) ? true : undefined));
    node.kill('SIGINT');
    const again = /already stopping \(saving the chain to .*twice\.state\); kill -9 ends it at once/;
    await pollUntil('the second Ctrl-C to be answered', async () => (again.test(node.output()) ? true : undefined));
    socket.end(body);
    const alive = () => {
      try {
        process.kill(node.pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await pollUntil('the node to exit', async () => (node.exitCode() !== null || !alive() ? true : undefined), { attempts: 400 });
    assert.equal(node.exitCode(), 0, node.output());
    assert.match(node.output(), /Saving the chain to .*twice\.state…/);
    assert.equal(decodeChain(readFileSync(file), file).chain.head.epoch, 0);
  });

  test('SIGHUP (the terminal closed) stops the node as Ctrl-C does: --dump-state written, --state saved and unlocked (audit16 L1)', async () => {
    const file = join(dir, 'hangup.state');
    const dump = join(dir, 'hangup.dump');
    const node = await startDevnet(['--state', file, '--dump-state', dump]);
    const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    await (await new Wallet(DEV_ACCOUNTS[0].privateKey, provider).sendTransaction({ to: DEV_ACCOUNTS[5].address, value: 1n })).wait();
    provider.destroy();
    assert.equal(existsSync(`${file}.lock`), true);
    node.kill('SIGHUP');
    // Saved, it ends by the signal, as its default would have ended it (bin/fvm-devnet.ts exitOn).
    await pollUntil('the node to end on SIGHUP', async () => node.signalCode() ?? node.exitCode() ?? undefined, { attempts: 400 });
    assert.equal(node.signalCode(), 'SIGHUP', node.output());
    assert.equal(existsSync(`${file}.lock`), false);
    assert.equal(decodeChain(readFileSync(dump), dump).chain.head.epoch, 1);
    assert.equal(decodeChain(readFileSync(file), file).chain.head.epoch, 1);
  });

  test('--state on a full disk at exit: the save fails, says so, and the node exits with status 1', async () => {
    const file = join(dir, 'exit-full.state');
    const node = await startDevnet(['--state', file]);
    const good = readFileSync(file);
    symlinkSync('/dev/full', temporaryPath(file, node.pid));
    await node.stop();
    const line = new RegExp(`fvm-devnet: cannot save the chain to ${file}: ENOSPC: .*; the file is left as it was`);
    await pollUntil('the failed exit save to be reported', async () => (line.test(node.output()) ? true : undefined));
    assert.equal(node.exitCode(), 1);
    assert.deepEqual(readFileSync(file), good);
  });

  test('killed (SIGKILL) while its journal cannot be appended: the send it could not save is answered the failure, and a restart has every transaction answered with a receipt', async () => {
    const file = join(dir, 'journal-full-killed.state');
    const node = await startDevnet(['--state', file]);
    const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    const wallet = new Wallet(DEV_ACCOUNTS[0].privateKey, provider);
    const transfer = async (nonce: number) => (await wallet.sendTransaction({ to: DEV_ACCOUNTS[5].address, value: 1n, nonce })).wait();
    const receipted = [(await transfer(0))!.hash, (await transfer(1))!.hash];
    // The disk fills up (audit15 WT2): the appends fail, and the node is killed before they heal.
    const journal = readFileSync(`${file}.journal`);
    rmSync(`${file}.journal`);
    symlinkSync('/dev/full', `${file}.journal`);
    symlinkSync('/dev/full', temporaryPath(file, node.pid));
    await assert.rejects(transfer(2), /ENOSPC.*mined but not saved/);
    provider.destroy();
    node.kill('SIGKILL');
    await node.stop();
    // On the disk as the kill left it: the journal's records from before the disk filled, no temporary file.
    rmSync(`${file}.journal`);
    writeFileSync(`${file}.journal`, journal);
    rmSync(temporaryPath(file, node.pid), { force: true });
    await assertReceiptedAfterRestart(file, receipted);
  });

  test('a journal on a full disk: the node refuses sends naming it (the send whose tipset it could not append too), heals once there is room, and a restart has every transaction', async () => {
    const file = join(dir, 'journal-full.state');
    const node = await startDevnet(['--state', file]);
    const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    const wallet = new Wallet(DEV_ACCOUNTS[0].privateKey, provider);
    const receipted: string[] = [];
    const transfer = async (nonce: number) => (await wallet.sendTransaction({ to: DEV_ACCOUNTS[5].address, value: 1n, nonce })).wait();
    receipted.push((await transfer(0))!.hash);
    // The disk fills up: the journal's appends and the whole file's writes fail with ENOSPC.
    const journal = readFileSync(`${file}.journal`);
    rmSync(`${file}.journal`);
    symlinkSync('/dev/full', `${file}.journal`);
    symlinkSync('/dev/full', temporaryPath(file, node.pid));
    const refused = (err: Error) =>
      err.message.includes(`cannot save the chain to ${file}: ENOSPC`) && /the tipsets from epoch \d+ on are mined but not saved \(a restart would lose them\); sends and cheat codes that change the chain are refused until it can be written/.test(err.message);
    // Mined, then its append fails: the send is answered with the failure, not its hash, as a restart now would lose it.
    await assert.rejects(transfer(1), refused);
    receipted.push((await provider.getBlock('latest', true))!.prefetchedTransactions.find((tx) => tx.from === wallet.address && tx.nonce === 1)!.hash);
    // (A failed save removes its temporary file: the disk is made full again.)
    symlinkSync('/dev/full', temporaryPath(file, node.pid));
    await assert.rejects(transfer(2), refused);
    // Room again: the next send writes what the journal missed first.
    rmSync(`${file}.journal`);
    writeFileSync(`${file}.journal`, journal);
    rmSync(temporaryPath(file, node.pid), { force: true });
    receipted.push((await transfer(2))!.hash);
    provider.destroy();
    node.kill('SIGKILL');
    await node.stop();
    await assertReceiptedAfterRestart(file, receipted);
  });
});
