// The public API: build a devnet in-process, or start one listening on a port.
import { existsSync, statSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { DevnetError } from './common/errors.js';
import { loadWasmHashers } from './common/hashes.js';
import { defaultConfig, testConfig, type DevnetConfig } from './config.js';
import { Devnet } from './devnet/devnet.js';
import { displayUrl, namesListenAddress, upstreamEndpoint } from './devnet/fork/upstream.js';
import { createLogger, logConsole, logNodeEvents, logTipsets, requestLogger } from './eth-rpc/logger.js';
import { buildServer } from './eth-rpc/server.js';
import { AtomicFile, decodeChain, removeStaleTemporaries, StateFileError, writeFileAtomically, type SavedChain } from './devnet/persistence.js';
import { readBytes, readStateFile, StateFile } from './devnet/state-file.js';
import { lockStateFile } from './devnet/state-lock.js';
import { checkTemporaryPieces } from './devnet/storage-providers/piece-store.js';

export { Devnet, defaultConfig, testConfig, type DevnetConfig };
export * from './common/errors.js';

/** A devnet without a server. Genesis hashes with the WebAssembly hashers, made first (~1 ms, common/hashes.ts). */
export async function createDevnet(config: DevnetConfig = defaultConfig(), saved?: SavedChain): Promise<Devnet> {
  await loadWasmHashers();
  return Devnet.create(config, saved);
}

export interface RunningDevnet {
  devnet: Devnet;
  server: FastifyInstance;
  log: Logger;
  host: string;
  port: number;
  /** host:port as a URL writes it, an IPv6 host in brackets ([::1]:8545), as Anvil's `Listening on` line gives it. */
  listenAddress: string;
  url: string;
  close(): Promise<void>;
}

/** The saved chain to start from: --load-state's file (which must exist), or --state's (with its journal) if it exists. */
function readSavedChain(config: DevnetConfig): SavedChain | undefined {
  if (config.loadStatePath === undefined) return config.statePath ? readStateFile(config.statePath, config.hotMessages) : undefined;
  const path = config.loadStatePath;
  if (!existsSync(path)) throw new StateFileError(`state file ${path} does not exist`);
  return decodeChain(readBytes(path, `state file ${path}`), `state file ${path}`, { hotMessages: config.hotMessages });
}

/** --dump-state's write at exit. */
function dumpState(path: string, chain: Uint8Array): void {
  removeStaleTemporaries(path);
  try {
    writeFileAtomically(path, chain);
  } catch (err) {
    throw new StateFileError(`cannot write the chain to ${path}: ${(err as Error).message}; the file is left as it was`);
  }
}

/** Refuses a file whose directory is not there, naming it (rather than a lock's or a temporary file's ENOENT). */
function checkDirectory(path: string, what: string): void {
  const dir = dirname(path);
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new StateFileError(`the directory ${dir} of the ${what} ${path} does not exist`);
}

/** --dump-state's file is written only at exit: a path where it cannot be is refused now, before the session's work. */
function checkDumpable(path: string): void {
  checkDirectory(path, 'dump file');
  removeStaleTemporaries(path);
  try {
    // The temporary file the exit's write makes, made and removed once.
    new AtomicFile(path).abort();
  } catch (err) {
    throw new StateFileError(`cannot write the chain to ${path}: ${(err as Error).message}`);
  }
}

/** A listen address as a URL writes it: `host:port`, an IPv6 host in brackets. */
const hostPort = (host: string, port: number): string => `${isIPv6(host) ? `[${host}]` : host}:${port}`;

/**
 * A fork of the node's own address is refused before anything starts: with nothing listening there
 * yet, the fork would take its upstream for down and start from a disk cache that holds that URL (a
 * node that listened there before), then ask itself for every read the cache lacks (SelfUpstreamError).
 */
function checkNotOwnAddress(forkUrl: string, host: string, port: number): void {
  const url = upstreamEndpoint(forkUrl);
  if (!namesListenAddress(url, host, port)) return;
  throw new DevnetError(`--fork-url ${displayUrl(url)} is this node's own address (${hostPort(host, port)}): a node cannot fork itself; fork another node, or give this one another --port`);
}

export async function startDevnet(config: DevnetConfig = defaultConfig()): Promise<RunningDevnet> {
  // A saved chain holds only what the node wrote, not what it read from an upstream.
  if (config.fork && (config.statePath || config.loadStatePath || config.dumpStatePath)) {
    throw new StateFileError('--fork-url cannot be combined with --state, --load-state or --dump-state');
  }
  if (config.fork) checkNotOwnAddress(config.fork.url, config.host, config.port);
  if (config.statePath !== undefined) checkDirectory(config.statePath, 'state file');
  // Without --state the pieces go to a temporary directory, made at the first upload: checked now.
  else checkTemporaryPieces();
  if (config.dumpStatePath !== undefined) checkDumpable(config.dumpStatePath);
  // Held until the node has closed and saved (or failed to start).
  const unlock = config.statePath === undefined ? () => undefined : lockStateFile(config.statePath);
  try {
    return await startNode(config, unlock);
  } catch (err) {
    unlock();
    throw err;
  }
}

async function startNode(config: DevnetConfig, unlock: () => void): Promise<RunningDevnet> {
  const log = createLogger(config);
  // A saved chain is hashed as it is read (each tipset's header and CIDs): with the WebAssembly
  // hashers, which createDevnet would make only after it (@noble's JavaScript took ~4x as long).
  await loadWasmHashers();
  const saved = readSavedChain(config);
  const devnet = await createDevnet(config, saved);
  // --state keeps the file (and its journal) up to date while running, so that a crash loses nothing answered.
  // A failed save means the file no longer keeps up with the chain: with --silent (no log) it still goes to stderr.
  const reportStateError = (err: StateFileError) => (config.silent ? process.stderr.write(`fvm-devnet: ${err.message}\n`) : log.error(err.message));
  const stateFile = config.statePath ? new StateFile(config.statePath, devnet, reportStateError, { loaded: saved }) : undefined;
  const save = () => {
    if (!stateFile && !config.dumpStatePath) return;
    // Encoded once for both files when --state and --dump-state are given together.
    const chain = devnet.save();
    stateFile?.save(chain);
    if (config.dumpStatePath) dumpState(config.dumpStatePath, chain);
  };
  const logging = { enabled: true };
  const server = await buildServer(devnet, {
    log,
    observe: requestLogger(log, logging),
    logging,
    allowOrigins: config.allowOrigins,
    explorer: config.explorer,
    maxBodyBytes: config.maxBodyBytes,
    maxBatch: config.maxBatch,
    maxBatchResponseBytes: config.maxBatchResponseBytes,
    maxFilters: config.maxFilters,
    maxSubscriptions: config.maxSubscriptions,
    requestTimeoutMs: config.requestTimeoutMs,
    maxConnections: config.maxConnections,
    wsLiveness: config.wsLiveness,
    gatewayOnly: config.gatewayOnly,
    paychManager: config.paychManager,
  });
  logTipsets(devnet, log, logging);
  logConsole(devnet, log, logging);
  logNodeEvents(devnet, log);
  await server.listen({ host: config.host, port: config.port });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const listenAddress = hostPort(config.host, port);
  return {
    devnet,
    server,
    log,
    host: config.host,
    port,
    listenAddress,
    url: `http://${listenAddress}`,
    async close() {
      stateFile?.close();
      devnet.close();
      await server.close();
      try {
        save();
      } finally {
        unlock();
      }
    },
  };
}
