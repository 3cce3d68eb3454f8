// A dApp page in real headless Chromium, served from its own origin (a second loopback web server,
// as a Vite dev server would be), talking to the devnet CLI with plain fetch JSON-RPC and a
// WebSocket: CORS lets it in by default, and --allow-origin keeps other origins out.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { JsonRpcProvider, parseEther } from 'ethers';
import type { Browser } from 'playwright-core';
import { launchChromium, servePage, type PageServer } from '../helpers/browser.js';
import { DEV_ACCOUNT_BALANCE, DEV_ACCOUNTS, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { REPO_ROOT } from '../helpers/solc.js';

const DAPP_HTML = readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'browser', 'dapp.html'), 'utf8');

interface FlowOutcome {
  error?: string;
  chainId: string;
  from: string;
  to: string;
  balance: string;
  hash: string;
  status: string;
  wsChainId: string;
}
type Attempt = { result?: unknown; error?: string };
interface ProbeOutcome {
  json: Attempt;
  simple: Attempt;
  ws: Attempt;
}

let browser: Browser;
let pages: PageServer;

before(async () => {
  browser = await launchChromium();
  pages = await servePage(DAPP_HTML);
});
after(async () => {
  await browser?.close();
  await pages?.close();
});

/** Opens the dApp page at `origin` against `node` and waits for what it found. */
async function runPage<T>(origin: string, node: DevnetProcess, mode: 'flow' | 'probe'): Promise<T> {
  const page = await browser.newPage();
  try {
    await page.goto(`${origin}/?mode=${mode}&rpc=${encodeURIComponent(node.url)}`);
    return (await page.evaluate(() => (window as unknown as { outcome: Promise<unknown> }).outcome)) as T;
  } finally {
    await page.close();
  }
}

describe('a dApp page from another origin (headless Chromium)', () => {
  test('with the defaults it reads the chain id and a balance and sends a transaction', async (t) => {
    const node = await startDevnet();
    t.after(() => node.stop());
    const outcome = await runPage<FlowOutcome>(`http://localhost:${pages.port}`, node, 'flow');
    assert.equal(outcome.error, undefined);
    assert.equal(outcome.chainId, '0x1df5e76');
    assert.equal(outcome.from, DEV_ACCOUNTS[0]!.address.toLowerCase());
    assert.equal(outcome.to, DEV_ACCOUNTS[1]!.address.toLowerCase());
    assert.equal(BigInt(outcome.balance), DEV_ACCOUNT_BALANCE);
    assert.equal(outcome.status, '0x1');
    assert.equal(outcome.wsChainId, '0x1df5e76');
    // The node mined what the page sent.
    const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
    t.after(() => provider.destroy());
    const tx = await provider.getTransaction(outcome.hash);
    assert.equal(tx?.from, DEV_ACCOUNTS[0]!.address);
    assert.equal(await provider.getBalance(DEV_ACCOUNTS[1]!.address), DEV_ACCOUNT_BALANCE + parseEther('1'));
  });

  test('--allow-origin lets the named origin in and keeps another out, simple requests and WebSockets included', async (t) => {
    const allowed = `http://localhost:${pages.port}`;
    const other = `http://127.0.0.1:${pages.port}`;
    const node = await startDevnet(['--allow-origin', allowed]);
    t.after(() => node.stop());

    const flow = await runPage<FlowOutcome>(allowed, node, 'flow');
    assert.equal(flow.error, undefined);
    assert.equal(flow.chainId, '0x1df5e76');
    assert.equal(flow.status, '0x1');
    assert.equal(flow.wsChainId, '0x1df5e76');

    const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
    t.after(() => provider.destroy());
    const height = await provider.getBlockNumber();
    const probe = await runPage<ProbeOutcome>(other, node, 'probe');
    assert.match(String(probe.json.error), /TypeError: Failed to fetch/);
    assert.match(String(probe.simple.error), /TypeError: Failed to fetch/);
    assert.equal(probe.ws.error, 'Error: the WebSocket failed');
    // The text/plain evm_mine reached the node without a preflight, and was refused unexecuted.
    assert.equal(await provider.getBlockNumber(), height);
    assert.match(node.output(), new RegExp(`refused requests from ${other}: not an allowed origin \\(--allow-origin\\)`));
  });
});
