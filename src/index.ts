// The public API: build a devnet in-process, or start one listening on a port.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { defaultConfig, testConfig, type DevnetConfig } from './config.js';
import { Devnet } from './devnet/devnet.js';
import { createLogger, logMessageErrors, logTipsets, requestLogger } from './eth-rpc/logger.js';
import { buildServer } from './eth-rpc/server.js';

export { Devnet, defaultConfig, testConfig, type DevnetConfig };
export * from './common/errors.js';

export function createDevnet(config: DevnetConfig = defaultConfig()): Promise<Devnet> {
  return Devnet.create(config);
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

export async function startDevnet(config: DevnetConfig = defaultConfig()): Promise<RunningDevnet> {
  const log = createLogger(config);
  const devnet = await createDevnet(config);
  const logging = { enabled: true };
  const server = await buildServer(devnet, { log, observe: requestLogger(log, logging), logging });
  logTipsets(devnet, log, logging);
  logMessageErrors(devnet, log);
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
      devnet.close();
      await server.close();
    },
  };
}
