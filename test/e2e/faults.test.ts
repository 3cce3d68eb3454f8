// Faults: the node killed with SIGKILL while it mines and while it saves, then restarted with the
// same --state file, holds every transaction it had answered with a receipt; a WebSocket client
// that vanishes mid-subscription leaves a node that goes on serving.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { HDNodeWallet } from 'ethers';
import WebSocket from 'ws';
import { CHAIN_ID, RECIPIENT } from '../helpers/dev-wallet.js';
import { DEV_MNEMONIC, pollUntil, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';

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
 * are in) has killed the node; the sends in flight then fail, which is expected.
 */
async function sendUntilKilled(node: DevnetProcess, nonces: number[], receiptsBeforeKill: number, kill: () => void) {
  const receipted = new Map<string, string>();
  let killed = false;
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
        if (!killed && receipted.size >= receiptsBeforeKill) {
          killed = true;
          kill();
        }
      }
    }),
  );
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

  test('SIGKILL during the save that SIGTERM starts, three times over: every receipted transaction is there', { timeout: 180_000 }, async (t) => {
    const file = join(dir, 'saving.state');
    const receipted = new Map<string, string>();
    for (let round = 0; round < 3; round++) {
      const node = await startDevnet(['--state', file]);
      t.after(() => node.stop());
      await assertHeld(node, receipted);
      const nonces = await Promise.all(wallets.map(async (w) => Number(await rpc(node.url, 'eth_getTransactionCount', [w.address, 'latest']))));
      // SIGTERM makes the node save the chain as it stops; SIGKILL lands while that save runs or just after.
      const more = await sendUntilKilled(node, nonces, 30, () => {
        node.kill('SIGTERM');
        node.kill('SIGKILL');
      });
      for (const [hash, block] of more) receipted.set(hash, block);
    }
    const last = await startDevnet(['--state', file]);
    t.after(() => last.stop());
    await assertHeld(last, receipted);
    t.diagnostic(`${receipted.size} receipted transactions held over 3 SIGKILLs during saves`);
  });

  test('a WebSocket client that vanishes mid-subscription: the node goes on mining and notifying others', { timeout: 60_000 }, async (t) => {
    const node = await startDevnet();
    t.after(() => node.stop());
    const open = (url: string) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(url);
        ws.once('open', () => resolve(ws)).once('error', reject);
      });
    const vanishing = await open(node.wsUrl);
    const staying = await open(node.wsUrl);
    const heads: string[] = [];
    staying.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString());
      if (message.method === 'eth_subscription') heads.push(message.params.result.number);
    });
    const subscribe = (ws: WebSocket, params: unknown[]) =>
      new Promise<void>((resolve) => {
        const id = Math.random();
        const onMessage = (data: Buffer) => {
          if (JSON.parse(data.toString()).id !== id) return;
          ws.off('message', onMessage);
          resolve();
        };
        ws.on('message', onMessage);
        ws.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'eth_subscribe', params }));
      });
    await Promise.all([subscribe(vanishing, ['newHeads']), subscribe(vanishing, ['logs', {}]), subscribe(staying, ['newHeads'])]);
    await rpc(node.url, 'evm_mine');
    // Gone without a close frame, as when a laptop sleeps or a process dies.
    vanishing.terminate();
    for (let i = 0; i < 20; i++) await rpc(node.url, 'evm_mine');
    assert.equal(await rpc(node.url, 'eth_blockNumber'), '0x15');
    await pollUntil('the staying client to see 21 heads', async () => (heads.length >= 21 ? true : undefined));
    assert.deepEqual(heads, Array.from({ length: 21 }, (_, i) => '0x' + (i + 1).toString(16)));
    assert.doesNotMatch(node.output(), /error|Error/);
    staying.close();
  });
});
