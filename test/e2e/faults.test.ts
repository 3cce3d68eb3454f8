// Faults: the node killed with SIGKILL while it mines and while it writes its state file, then
// restarted with the same --state file, holds every transaction it had answered with a receipt; a
// save that finds the disk full says so, keeps the last good file and the node running; a WebSocket
// client that vanishes mid-subscription leaves a node that goes on serving.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { HDNodeWallet } from 'ethers';
import WebSocket from 'ws';
import { CHAIN_ID, RECIPIENT } from '../helpers/dev-wallet.js';
import { DEV_MNEMONIC, pollUntil, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { temporaryPath } from '../../src/devnet/persistence.js';

const dir = mkdtempSync(join(tmpdir(), 'fvm-devnet-faults-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SENDERS = 4;
const wallets = Array.from({ length: SENDERS }, (_, i) => HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`));

async function rpc(url: string, method: string, params: unknown[] = []): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const answer = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
  return answer.result;
}

/**
 * Senders send transfers one after another, each starting at `nonces[i]`, and record every
 * transaction whose receipt the node gave, until `kill` (called once `receiptsBeforeKill` receipts
 * are in, or once `killWhen` resolves) has killed the node; the sends in flight then fail, which is expected.
 */
async function sendUntilKilled(node: DevnetProcess, nonces: number[], receiptsBeforeKill: number, kill: () => void, killWhen?: Promise<unknown>) {
  const receipted = new Map<string, string>();
  let killed = false;
  const killOnce = () => {
    if (killed) return;
    killed = true;
    kill();
  };
  let failure: unknown;
  killWhen?.then(killOnce, (err) => {
    failure = err;
    killOnce();
  });
  await Promise.all(
    wallets.map(async (wallet, i) => {
      for (let nonce = nonces[i]!; !killed; nonce++) {
        try {
          const raw = await wallet.signTransaction({ type: 2, chainId: CHAIN_ID, nonce, to: RECIPIENT, value: 1n, gasLimit: 10_000_000, maxFeePerGas: 10n ** 9n, maxPriorityFeePerGas: 200_000n });
          const hash = await rpc(node.url, 'eth_sendRawTransaction', [raw]);
          const receipt = await rpc(node.url, 'eth_getTransactionReceipt', [hash]);
          if (receipt) receipted.set(hash, receipt.blockHash);
        } catch {
          if (killed) return;
          throw new Error(`a send failed before the kill:\n${node.output()}`);
        }
        if (receipted.size >= receiptsBeforeKill) killOnce();
      }
    }),
  );
  if (failure) throw failure;
  return receipted;
}

/** Every receipted transaction is in the restarted chain, in the same block. */
async function assertHeld(node: DevnetProcess, receipted: Map<string, string>): Promise<void> {
  for (const [hash, blockHash] of receipted) {
    const receipt = await rpc(node.url, 'eth_getTransactionReceipt', [hash]);
    assert.ok(receipt, `transaction ${hash} was answered with a receipt before the kill but is gone after the restart`);
    assert.equal(receipt.blockHash, blockHash);
  }
}

/** Each sender's next nonce on `node`'s chain. */
const nextNonces = (node: DevnetProcess): Promise<number[]> => Promise.all(wallets.map(async (w) => Number(await rpc(node.url, 'eth_getTransactionCount', [w.address, 'latest']))));

/** The temporary files saves of `file` left behind. */
function temporaries(file: string): string[] {
  const name = file.slice(dir.length + 1);
  return readdirSync(dir).filter((entry) => entry.startsWith(`${name}.`) && entry.endsWith('.tmp'));
}

/** Puts 24 KB of contract code at `count` addresses from the `first`-th (one batch): a chain whose file is count × 24 KB larger. */
async function setBigCode(url: string, count: number, first = 0): Promise<void> {
  const code = '0x' + Buffer.from(Array.from({ length: 24_000 }, (_, i) => (i * 31 + 7) & 0xff)).toString('hex');
  const batch = Array.from({ length: count }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'anvil_setCode', params: ['0x' + (0xc0de00 + first + i).toString(16).padStart(40, '0'), code] }));
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });
  const answers = (await res.json()) as { error?: unknown }[];
  assert.deepEqual(answers.filter((a) => a.error), []);
}

/** What a test reads of a save before it kills the node: far less than the file, so the save is still writing. */
const READ_OF_SAVE = 4096;

/**
 * Makes the temporary file `node`'s next save of `file` writes a FIFO, so that the save blocks until
 * someone reads it. Call it while no save runs (no compaction under way), then `catchSave`.
 */
function trapSave(node: DevnetProcess, file: string): string {
  const fifo = temporaryPath(file, node.pid);
  execFileSync('mkfifo', [fifo]);
  return fifo;
}

/**
 * Reads the first bytes a save writes into `fifo` (opened without blocking, so that a save that never
 * comes fails the test rather than hanging it). The file is far larger than those bytes and a pipe's
 * buffer (64 KiB by default), so the save is then provably mid-write, blocked until the rest is read: it never is. Returns
 * the read end, to close once the node is dead (closing it first would fail the node's write).
 */
async function catchSave(fifo: string): Promise<number> {
  const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const buffer = Buffer.alloc(READ_OF_SAVE);
  let read = 0;
  await pollUntil('a save to write into the FIFO', async () => {
    try {
      read += readSync(fd, buffer, read, READ_OF_SAVE - read, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    }
    return read === READ_OF_SAVE ? true : undefined;
  }, { attempts: 600 });
  return fd;
}

describe('faults', () => {
  test('SIGKILL while mining, then a restart with --state: every receipted transaction is there', { timeout: 120_000 }, async (t) => {
    const file = join(dir, 'mining.state');
    const first = await startDevnet(['--state', file]);
    t.after(() => first.stop());
    const receipted = await sendUntilKilled(first, [0, 0, 0, 0], 40, () => first.kill('SIGKILL'));
    const second = await startDevnet(['--state', file]);
    t.after(() => second.stop());
    await assertHeld(second, receipted);
    // The chain goes on from where it was: the senders' next nonces are what it holds.
    for (const wallet of wallets) assert.ok(Number(await rpc(second.url, 'eth_getTransactionCount', [wallet.address, 'latest'])) >= 1);
    t.diagnostic(`${receipted.size} receipted transactions held after SIGKILL`);
  });

  test('SIGKILL while the node writes its state file (a compaction of its journal, the save SIGTERM starts): every receipted transaction is there', { timeout: 240_000 }, async (t) => {
    const file = join(dir, 'saving.state');
    // Some MB of contract code: a save writes far more than a pipe holds and the test reads.
    const first = await startDevnet(['--state', file]);
    t.after(() => first.stop());
    await setBigCode(first.url, 80);
    const receipted = await sendUntilKilled(first, [0, 0, 0, 0], 20, () => undefined);
    await first.stop();
    assert.ok(statSync(file).size > 1024 * 1024);

    // A journal grown past the file's size (as much code again, journaled with the first transfer's tipset)
    // makes the node write the whole file again: that compaction caught writing while senders send; then SIGKILL.
    const periodic = await startDevnet(['--state', file]);
    t.after(() => periodic.stop());
    const periodicFifo = trapSave(periodic, file);
    let reader: number | undefined;
    const caught = catchSave(periodicFifo).then((fd) => (reader = fd));
    await setBigCode(periodic.url, 100, 80);
    const journaled = await sendUntilKilled(periodic, await nextNonces(periodic), Infinity, () => periodic.kill('SIGKILL'), caught);
    for (const [hash, block] of journaled) receipted.set(hash, block);
    await periodic.stop();
    closeSync(reader!);
    // The kill left the save's temporary file.
    assert.deepEqual(temporaries(file), [temporaryPath(file, periodic.pid).slice(dir.length + 1)]);

    // The exit save SIGTERM starts, caught writing; then SIGKILL.
    const exiting = await startDevnet(['--state', file]);
    t.after(() => exiting.stop());
    await assertHeld(exiting, receipted);
    // The restart removed the temporary file the killed save left; its journal, as long as the file, is
    // due a compaction, which the exit save must not meet.
    assert.ok(!temporaries(file).includes(temporaryPath(file, periodic.pid).slice(dir.length + 1)));
    await pollUntil('the compaction after the restart to end', async () => (temporaries(file).length === 0 ? true : undefined), { attempts: 600 });
    const exitFifo = trapSave(exiting, file);
    exiting.kill('SIGTERM');
    reader = await catchSave(exitFifo);
    exiting.kill('SIGKILL');
    await exiting.stop();
    closeSync(reader);
    assert.deepEqual(temporaries(file), [temporaryPath(file, exiting.pid).slice(dir.length + 1)]);

    const last = await startDevnet(['--state', file]);
    t.after(() => last.stop());
    await assertHeld(last, receipted);
    assert.deepEqual(temporaries(file), []);
    t.diagnostic(`${receipted.size} receipted transactions (${journaled.size} only in the journal when the compaction was killed) held over SIGKILLs during a compaction and an exit save of a ${statSync(file).size}-byte file`);
  });

  test('a save that finds the disk full (a file size limit: a short write, then EFBIG) says so, keeps the last good file, and the node goes on', { timeout: 120_000 }, async (t) => {
    const file = join(dir, 'full.state');
    const first = await startDevnet(['--state', file]);
    t.after(() => first.stop());
    await setBigCode(first.url, 10);
    await first.stop();
    const good = readFileSync(file);
    const node = await startDevnet(['--state', file]);
    t.after(() => node.stop());
    // Like a disk with room for the file as it is and half as much again: the journal fits, but the
    // node's next write of the whole file stops short at the limit, and the write after fails with EFBIG
    // (RLIMIT_FSIZE, no root needed). That write is due once the journal has grown to the file's size:
    // transfers are sent until the failure is reported.
    execFileSync('prlimit', ['--pid', String(node.pid), `--fsize=${Math.round(good.length * 1.5)}`]);
    const reported = pollUntil('the failed save to be reported', async () => (/cannot save the chain/.test(node.output()) ? true : undefined), { attempts: 1200 });
    const receipted = await sendUntilKilled(node, await nextNonces(node), Infinity, () => undefined, reported);
    const line = node.output().split('\n').find((l) => /cannot save the chain/.test(l))!;
    assert.match(line, new RegExp(`cannot save the chain to ${file}: EFBIG: .*; the file is left as it was`));
    assert.deepEqual(readFileSync(file), good);
    assert.deepEqual(temporaries(file), []);
    // The node goes on: a transaction after the failure is mined and answered.
    const after = await sendUntilKilled(node, await nextNonces(node), 4, () => undefined);
    for (const [hash, block] of after) receipted.set(hash, block);
    // The save at exit fails too, and says so on stderr.
    await node.stop();
    const exitLine = new RegExp(`fvm-devnet: cannot save the chain to ${file}: EFBIG: .*; the file is left as it was`);
    await pollUntil('the failed exit save to be reported', async () => (exitLine.test(node.output()) ? true : undefined));
    assert.deepEqual(readFileSync(file), good);
    // Without the limit, the file and its journal give back every receipted transaction.
    const again = await startDevnet(['--state', file]);
    t.after(() => again.stop());
    await assertHeld(again, receipted);
    t.diagnostic(`${receipted.size} receipted transactions held after saves that hit the limit`);
  });

  test('WebSocket clients that vanish mid-subscription (socket destroyed, or silent with TCP still open): their subscriptions are freed, the node goes on mining and notifying others', { timeout: 60_000 }, async (t) => {
    // Five subscriptions on the whole node: the staying client can open the vanished ones' four only once they are freed.
    const node = await startDevnet(['--max-subscriptions', '5', '--ws-ping-interval', '500']);
    t.after(() => node.stop());
    const open = (url: string) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(url);
        ws.once('open', () => resolve(ws)).once('error', reject);
      });
    const [destroyed, silent, staying] = await Promise.all([open(node.wsUrl), open(node.wsUrl), open(node.wsUrl)]);
    const heads: string[] = [];
    staying.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString());
      if (message.method === 'eth_subscription') heads.push(message.params.result.number);
    });
    const subscribe = (ws: WebSocket, params: unknown[]) =>
      new Promise<{ result?: string; error?: { code: number; message: string } }>((resolve) => {
        const id = Math.random();
        const onMessage = (data: Buffer) => {
          const message = JSON.parse(data.toString());
          if (message.id !== id) return;
          ws.off('message', onMessage);
          resolve(message);
        };
        ws.on('message', onMessage);
        ws.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'eth_subscribe', params }));
      });
    const opened = await Promise.all([subscribe(destroyed, ['newHeads']), subscribe(destroyed, ['logs', {}]), subscribe(silent, ['newHeads']), subscribe(silent, ['logs', {}]), subscribe(staying, ['newHeads'])]);
    assert.ok(opened.every((answer) => answer.result), JSON.stringify(opened));
    assert.equal((await subscribe(staying, ['logs', {}])).error?.code, 1);
    await rpc(node.url, 'evm_mine');
    // One socket destroyed without a close frame (a process killed); one that stops reading with its
    // TCP connection still open (a laptop asleep, a network gone): it never answers a ping again.
    (destroyed as unknown as { _socket: { destroy(): void } })._socket.destroy();
    (silent as unknown as { _socket: { pause(): void } })._socket.pause();
    t.after(() => silent.terminate());
    for (let i = 0; i < 20; i++) await rpc(node.url, 'evm_mine');
    assert.equal(await rpc(node.url, 'eth_blockNumber'), '0x15');
    // Freed: the staying client's four new subscriptions fit under the node's five.
    let added = 0;
    await pollUntil('the vanished clients\' subscriptions to be freed', async () => {
      if ((await subscribe(staying, ['logs', {}])).result) added++;
      return added === 4 ? true : undefined;
    }, { attempts: 200 });
    assert.equal((await subscribe(staying, ['newHeads'])).error?.code, 1);
    await pollUntil('the staying client to see 21 heads', async () => (heads.length >= 21 ? true : undefined));
    assert.deepEqual(heads, Array.from({ length: 21 }, (_, i) => '0x' + (i + 1).toString(16)));
    // No error in the log but the refusals at the cap asked for above.
    const errors = node.output().split('\n').filter((line) => /error|Error/.test(line));
    assert.ok(errors.length >= 2 && errors.every((line) => line === 'eth_subscribe  error 1: too many subscriptions on the node (5, --max-subscriptions)'), errors.join('\n'));
    staying.close();
  });
});
