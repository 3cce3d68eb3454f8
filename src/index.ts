// The public API: build a devnet in-process, or start one listening on a port.
import { existsSync, readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { defaultConfig, testConfig, type DevnetConfig } from './config.js';
import { Devnet } from './devnet/devnet.js';
import { createLogger, logConsole, logNodeEvents, logTipsets, requestLogger } from './eth-rpc/logger.js';
import { buildServer } from './eth-rpc/server.js';
import { decodeChain, StateFileError, writeFileAtomically, type SavedChain } from './devnet/persistence.js';

export { Devnet, defaultConfig, testConfig, type DevnetConfig };
export * from './common/errors.js';

export function createDevnet(config: DevnetConfig = defaultConfig(), saved?: SavedChain): Promise<Devnet> {
  return Devnet.create(config, saved);
}

export interface RunningDevnet {
  devnet: Devnet;
  server: FastifyInstance;
  log: Logger;
  host: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** How often --state saves a chain that changed. */
const STATE_SAVE_INTERVAL_MS = 5_000;

/** The saved chain to start from: --load-state's file (which must exist), or --state's if it exists. */
function readSavedChain(config: DevnetConfig): SavedChain | undefined {
  const path = config.loadStatePath ?? (config.statePath && existsSync(config.statePath) ? config.statePath : undefined);
  if (!path) return undefined;
  if (!existsSync(path)) throw new StateFileError(`state file ${path} does not exist`);
  return decodeChain(new Uint8Array(readFileSync(path)), `state file ${path}`);
}

export async function startDevnet(config: DevnetConfig = defaultConfig()): Promise<RunningDevnet> {
  const log = createLogger(config);
  const devnet = await createDevnet(config, readSavedChain(config));
  const savePaths = [config.statePath, config.dumpStatePath].filter((p): p is string => p !== undefined);
  const save = () => {
    if (savePaths.length === 0) return;
    const bytes = devnet.save();
    for (const path of savePaths) writeFileAtomically(path, bytes);
  };
  // --state also saves while running, whenever the chain has changed, so that a crash loses little.
  let savedWrite = devnet.stateVersion;
  const saver = config.statePath
    ? setInterval(() => {
        const write = devnet.stateVersion;
        if (write === savedWrite) return;
        savedWrite = write;
        writeFileAtomically(config.statePath!, devnet.save());
      }, STATE_SAVE_INTERVAL_MS).unref()
    : undefined;
  const logging = { enabled: true };
  const server = await buildServer(devnet, { log, observe: requestLogger(log, logging), logging, allowOrigins: config.allowOrigins, explorer: config.explorer });
  logTipsets(devnet, log, logging);
  logConsole(devnet, log, logging);
  logNodeEvents(devnet, log);
  await server.listen({ host: config.host, port: config.port });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return {
    devnet,
    server,
    log,
    host: config.host,
    port,
    url: `http://${config.host}:${port}`,
    async close() {
      clearInterval(saver);
      devnet.close();
      await server.close();
      save();
    },
  };
}
