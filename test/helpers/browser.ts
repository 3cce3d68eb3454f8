// Headless Chromium for the browser tests: Debian's `chromium` package, driven by playwright-core,
// which never downloads a browser of its own. `npm test` installs the package first when it is
// missing (scripts/ensure-chromium.mjs, the pretest script).
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Starts headless Chromium; the caller closes it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: run \`node scripts/ensure-chromium.mjs\` (npm test does) to install Debian's chromium`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // As root there is no sandbox; the rest keep Chromium from calling out of this offline machine.
    chromiumSandbox: false,
    args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface PageServer {
  port: number;
  close(): Promise<void>;
}

/**
 * A second web server on a loopback port, as a dApp's dev server (Vite on localhost:3000) would be:
 * it serves `html` at every path, so pages from it have their own origin, not the node's.
 */
export async function servePage(html: string): Promise<PageServer> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
