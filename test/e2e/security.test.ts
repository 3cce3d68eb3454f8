// The CLI's exposure: it listens on loopback unless --host says otherwise, warns loudly (banner,
// --json log, stderr with --silent) when --host reaches other machines, and --max-body-size /
// --max-batch bound what one HTTP request or WebSocket message may ask of it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, test } from 'node:test';
import WebSocket from 'ws';
import { exposureWarning } from '../../src/eth-rpc/exposure.js';
import { CLI_PATH, pollUntil, startDevnet } from '../helpers/devnet-process.js';
import type { RpcResponse } from '../helpers/rpc-harness.js';
import { REPO_ROOT } from '../helpers/solc.js';

/** What the node prints when it listens on 0.0.0.0 with the default mnemonic. */
const WARNING = exposureWarning('0.0.0.0', true)!;

const post = async (url: string, body: string): Promise<unknown> => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  assert.equal(res.status, 200);
  return res.json();
};

/** Whether a TCP connection to host:port is accepted. */
const accepts = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/**
 * The IPv4 addresses the kernel has a listening TCP socket on at `port` (/proc/net/tcp: the local
 * address as little-endian hex, state 0A is LISTEN), and whether any IPv6 socket listens there.
 */
function listeningOn(port: number): { v4: string[]; v6: boolean } {
  const rows = (file: string) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((f) => f[3] === '0A' && parseInt(f[1]!.split(':')[1]!, 16) === port)
      .map((f) => f[1]!.split(':')[0]!);
  const v4 = rows('/proc/net/tcp').map((hex) => [3, 2, 1, 0].map((i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16)).join('.'));
  return { v4, v6: existsSync('/proc/net/tcp6') && rows('/proc/net/tcp6').length > 0 };
}

/** A port nobody listens on now (for a node started with --silent, which prints no port). */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('fvm-devnet CLI exposure', () => {
  test('listens on 127.0.0.1 by default, not on the machine\'s other addresses, and gives no exposure warning', async (t) => {
    const node = await startDevnet();
    t.after(() => node.stop());
    assert.match(node.output(), /Listening on 127\.0\.0\.1:\d+/);
    assert.doesNotMatch(node.output(), /WARNING/);
    assert.equal(await accepts('127.0.0.1', node.port), true);
    // The kernel's own table: one listening socket, on 127.0.0.1 (the same check sees 0.0.0.0 below).
    const own = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
    assert.ok(own || existsSync('/proc/net/tcp'), 'neither another address to connect to nor /proc/net/tcp to read: nothing proves the node listens on loopback only');
    if (existsSync('/proc/net/tcp')) assert.deepEqual(listeningOn(node.port), { v4: ['127.0.0.1'], v6: false });
    // Connecting to the machine's own non-loopback address stays on this machine.
    if (own) assert.equal(await accepts(own.address, node.port), false, `the node accepted a connection on ${own.address}`);
  });

  test('--host 0.0.0.0 listens on every address and warns in the banner, as a --json warn line, and on stderr with --silent', async (t) => {
    const node = await startDevnet(['--host', '0.0.0.0']);
    t.after(() => node.stop());
    // The warning, framed by lines of '!', right before the Listening line.
    const frame = '!'.repeat(72);
    assert.ok(node.output().includes(`${frame}\n${WARNING}\n${frame}\nListening on 0.0.0.0:${node.port}\n`), node.output());
    if (existsSync('/proc/net/tcp')) assert.deepEqual(listeningOn(node.port).v4, ['0.0.0.0']);
    assert.equal(await accepts('127.0.0.1', node.port), true);

    const json = await startDevnet(['--host', '0.0.0.0', '--json']);
    t.after(() => json.stop());
    const lines = json.output().trim().split('\n').map((line) => JSON.parse(line) as { level: number; msg: string; host?: string });
    assert.deepEqual(lines.filter((l) => l.level === 40).map(({ msg, host }) => ({ msg, host })), [{ msg: WARNING, host: '0.0.0.0' }]);

    // --silent prints nothing on stdout, and the warning alone on stderr; the node answers.
    const port = await freePort();
    const silent = spawn(process.execPath, [CLI_PATH, '--host', '0.0.0.0', '--port', String(port), '--silent'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((resolve) => silent.once('exit', resolve));
    t.after(async () => {
      silent.kill('SIGTERM');
      await exited;
    });
    let stdout = '';
    let stderr = '';
    silent.stdout.on('data', (chunk) => (stdout += chunk));
    silent.stderr.on('data', (chunk) => (stderr += chunk));
    const chainId = () => post(`http://127.0.0.1:${port}`, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] })).catch(() => undefined);
    assert.deepEqual(await pollUntil('the --silent node to answer', chainId, { attempts: 300 }), { jsonrpc: '2.0', id: 1, result: '0x1df5e76' });
    // The node may answer before its stderr line has reached us.
    await pollUntil('the warning on stderr', async () => (stderr.endsWith('\n') ? true : undefined));
    assert.equal(stderr, WARNING + '\n');
    assert.equal(stdout, '');
  });

  // M3 (readme1, session 40): fastify refuses a body on its Content-Length before reading it and closes
  // the connection; closed with the body unread, the socket was reset under a client still writing
  // (fetch: EPIPE), which never saw the -32600. The node now reads the refused body to its end first.
  test('a body of megabytes over --max-body-size: fetch, which writes it all before reading, gets the -32600 answer, not a reset', { timeout: 60_000 }, async (t) => {
    const node = await startDevnet(['--max-body-size', String(1024 * 1024)]);
    t.after(() => node.stop());
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_call', params: [{ data: '0x' + 'ab'.repeat(1920 * 1024) }, 'latest'] });
    for (let i = 0; i < 10; i++) {
      assert.deepEqual(await post(node.url, body), { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'request body too large (max 1048576 bytes, --max-body-size)' } });
    }
    assert.deepEqual(await post(node.url, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'eth_chainId', params: [] })), { jsonrpc: '2.0', id: 2, result: '0x1df5e76' });
  });

  test('--max-body-size and --max-batch: larger requests and batches get a JSON-RPC error over HTTP and WebSocket, a larger WebSocket message closes the socket (1009), the node goes on', async (t) => {
    const node = await startDevnet(['--max-body-size', '4096', '--max-batch', '2']);
    t.after(() => node.stop());
    const call = (id: number, pad = '') => ({ jsonrpc: '2.0', id, method: 'eth_chainId', params: [], ...(pad ? { pad } : {}) });
    assert.deepEqual(await post(node.url, JSON.stringify(call(1, 'x'.repeat(5000)))), {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'request body too large (max 4096 bytes, --max-body-size)' },
    });
    assert.deepEqual(await post(node.url, JSON.stringify([call(1), call(2), call(3)])), {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'batch too large (3 > 2 requests)' },
    });
    assert.equal(((await post(node.url, JSON.stringify([call(1), call(2)]))) as RpcResponse[]).length, 2);

    const ws = new WebSocket(node.wsUrl);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const answer = (batch: object[]) =>
      new Promise<unknown>((resolve) => {
        ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString())));
        ws.send(JSON.stringify(batch));
      });
    // The batch limit holds over WebSocket too, and the socket stays open.
    assert.deepEqual(await answer([call(1), call(2), call(3)]), { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'batch too large (3 > 2 requests)' } });
    assert.deepEqual(await answer([call(4), call(5)]), [
      { jsonrpc: '2.0', id: 4, result: '0x1df5e76' },
      { jsonrpc: '2.0', id: 5, result: '0x1df5e76' },
    ]);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(JSON.stringify(call(1, 'x'.repeat(5000))));
    assert.equal(await closed, 1009);
    assert.deepEqual(await post(node.url, JSON.stringify(call(7))), { jsonrpc: '2.0', id: 7, result: '0x1df5e76' });
  });
});
