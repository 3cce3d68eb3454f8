// The HTTP JSON-RPC layer in-process: a devnet and its fastify server per test, called through
// inject(), with helpers that check the HTTP status and whether the call succeeded; or listening on a
// loopback port for clients that need a URL or a socket (listeningRpc, setupWebSocketRpc).
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { TransactionRequest, Wallet } from 'ethers';
import pino from 'pino';
import WebSocket from 'ws';
import { CID } from '../../src/common/cbor.js';
import { bytesToHex } from '../../src/common/hex.js';
import { buildServer } from '../../src/eth-rpc/server.js';
import type { Devnet } from '../../src/devnet/devnet.js';
import type { DevnetEventEmitter } from '../../src/devnet/events.js';
import type { SavedChain } from '../../src/devnet/persistence.js';
import { createDevnet, testConfig, type DevnetConfig } from '../../src/index.js';
import { signTx, TRANSFER } from './dev-wallet.js';
import { rawRpc } from './raw-rpc.js';

/** A JSON-RPC answer as the tests read it: `result` is loosely typed, as JSON is. */
export interface RpcResponse {
  jsonrpc: string;
  id: unknown;
  result?: any;
  error?: { code: number; message: string; data?: unknown };
}

export interface RpcOptions {
  /** What `send` signs over: dev-wallet.ts's TRANSFER (the default) or CALL. */
  txDefaults?: TransactionRequest;
  /** `error` also checks that the answer has no `result` member, as JSON-RPC 2.0 requires. */
  errorHasNoResult?: boolean;
  /** The chain the devnet starts from, as a node started from a file does. */
  saved?: SavedChain;
}

/**
 * The digest of a CID in Lotus JSON (`{ '/': … }`), as hex: what EthGetTransactionHashByCid answers for a
 * native (secp or BLS) message's CID. It is the message's Ethereum hash only for the CID Lotus names the
 * message by (a secp message's signed CID, a BLS message's own), not for a secp message's unsigned CID;
 * an Ethereum transaction's hash is its keccak, no CID's digest.
 */
export const digestOf = (cid: { '/': string }): string => bytesToHex(CID.parse(cid['/']).multihash.digest);

/** A devnet of `testConfig(overrides)` and its server for test `t`, both closed when the test ends. */
export async function setupRpc(t: TestContext, overrides: Partial<DevnetConfig> = {}, options: RpcOptions = {}) {
  const config = testConfig(overrides);
  const devnet = await createDevnet(config, options.saved);
  const app = await buildServer(devnet, { log: pino({ level: 'silent' }), maxBodyBytes: config.maxBodyBytes, maxBatch: config.maxBatch, gatewayOnly: config.gatewayOnly });
  t.after(async () => {
    devnet.close();
    await app.close();
  });
  let id = 0;
  // Every answer, error or not, comes with HTTP 200; `path` '/rpc/v2' (or '/rpc/v0') for Lotus's other API versions.
  const call = async (method: string, params: unknown[] = [], path = '/'): Promise<RpcResponse> => {
    const res = await app.inject({ method: 'POST', url: path, payload: { jsonrpc: '2.0', id: ++id, method, params } });
    assert.equal(res.statusCode, 200);
    return res.json() as RpcResponse;
  };
  // The result of a call that must succeed.
  const result = async (method: string, params: unknown[] = []): Promise<any> => {
    const res = await call(method, params);
    assert.equal(res.error, undefined, `${method} failed: ${JSON.stringify(res.error)}`);
    return res.result;
  };
  // The error of a call that must fail.
  const error = async (method: string, params: unknown[] = []) => {
    const res = await call(method, params);
    assert.ok(res.error, `${method} should fail, got ${JSON.stringify(res.result)}`);
    if (options.errorHasNoResult) assert.equal('result' in res, false);
    return res.error;
  };
  // Signs `tx` (dev wallet unless `signer`) and sends it with eth_sendRawTransaction; the hash.
  const send = async (tx: TransactionRequest & { nonce: number }, signer?: Wallet): Promise<string> =>
    result('eth_sendRawTransaction', [await signTx(tx, { defaults: options.txDefaults ?? TRANSFER, signer })]);
  return { devnet, app, call, result, error, send };
}

/**
 * A devnet of `testConfig(overrides)` and its server listening on a loopback port for test `t`, both
 * closed when the test ends, for clients that need a URL: `url` is its HTTP root, `result` POSTs a call
 * there that must succeed and answers its result.
 */
export async function listeningRpc(t: TestContext, overrides: Partial<DevnetConfig> = {}) {
  const devnet = await createDevnet(testConfig(overrides));
  const app = await buildServer(devnet, { log: pino({ level: 'silent' }) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(async () => {
    devnet.close();
    await app.close();
  });
  const { port } = app.server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  const result = (method: string, params: unknown[] = []): Promise<any> => rawRpc(url).ok(method, ...params);
  return { devnet, app, port, url, result };
}

/**
 * A devnet's server listening on a loopback port (listeningRpc) and one WebSocket connection to /rpc/v1,
 * for the Lotus channel methods: `received` holds every message in order, `waitFor` waits for one that matches.
 */
export async function setupWebSocketRpc(t: TestContext, overrides: Partial<DevnetConfig> = {}) {
  const { devnet, app, port } = await listeningRpc(t, overrides);
  const socket = new WebSocket(`ws://127.0.0.1:${port}/rpc/v1`);
  t.after(() => socket.close());
  const received: any[] = [];
  let wake: () => void = () => undefined;
  socket.on('message', (raw) => {
    received.push(JSON.parse(String(raw)));
    wake();
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const waitFor = async (predicate: (message: any) => boolean) => {
    for (let i = 0; i < 200 && !received.some(predicate); i++) await new Promise<void>((resolve) => (wake = resolve));
    return received.find(predicate);
  };
  let id = 0;
  /** Sends a request and waits for its answer's result. */
  const call = async (method: string, params: unknown[] = []) => {
    const mine = ++id;
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: mine, method, params }));
    return (await waitFor((m) => m.id === mine)).result;
  };
  /** The values a go-jsonrpc channel has carried so far. */
  const channelValues = (channel: number) => received.filter((m) => m.method === 'xrpc.ch.val' && m.params[0] === channel).map((m) => m.params[1]);
  return { devnet, app, socket, received, waitFor, call, channelValues };
}

/** The node's tipset listeners (its events are an EventEmitter that the node's parts only listen to). */
export const tipsetListeners = (devnet: Devnet) => (devnet.events as DevnetEventEmitter).listeners('tipset');
