// A viem dApp page (with the client settings wagmi gives it: multicall batching, polling watchers)
// in real headless Chromium, from its own origin (a second loopback web server, as a Vite dev server
// would be) and a node on a port of its own (not 8545): the page's script is
// test/fixtures/browser/viem-dapp.js with viem bundled in by esbuild, as a dApp's bundler would. On
// load it reads the chain id, the block number and a balance, batches three contract reads into one
// Multicall3 call, and starts the polling watchers wagmi's hooks use (watchBlockNumber,
// watchContractEvent over eth_newFilter + eth_getFilterChanges); the test then increments the
// Counter from Node and the page's watcher hands over each Incremented log once.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, servePage, type PageServer } from '../helpers/browser.js';
import { DEV_ACCOUNT_BALANCE, DEV_ACCOUNTS, DEVNET_CHAIN_ID } from '../helpers/devnet-process.js';
import { compileFixtures, REPO_ROOT } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';
import { deployFixture, devnetClients } from '../helpers/viem-devnet.js';

interface Loaded {
  error?: string;
  chainId: number;
  blockNumber: string;
  balance: string;
  reads: string[];
  readMethods: string[];
}
interface Seen {
  blockNumbers: string[];
  counts: string[];
  errors: string[];
}

/** The page's script with viem in it, for the browser. */
async function bundlePageScript(): Promise<string> {
  const result = await build({
    entryPoints: [join(REPO_ROOT, 'test', 'fixtures', 'browser', 'viem-dapp.js')],
    bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

describe('a viem dApp page (wagmi\'s client settings) from another origin (headless Chromium)', () => {
  const devnet = useDevnet();
  let browser: Browser;
  let pages: PageServer;

  before(async () => {
    const script = await bundlePageScript();
    // `</script` cannot occur in a bundle of viem, but the page would end there if it did.
    assert.ok(!script.includes('</script'));
    pages = await servePage(`<!doctype html><html><head><meta charset="utf-8"><title>dApp</title></head><body><script type="module">${script}</script></body></html>`);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await pages?.close();
  });

  test('on load: chain id, block number, a balance, three reads in one Multicall3 eth_call; then watchContractEvent polls a filter and hands over each log once', async (t) => {
    assert.notEqual(devnet.port, 8545);
    const clients = devnetClients(devnet.url, 1);
    const counter = (await compileFixtures()).Counter!;
    const address = await deployFixture(clients, counter);
    const account = DEV_ACCOUNTS[2]!.address;

    const page: Page = await browser.newPage();
    t.after(() => page.close());
    const origin = `http://localhost:${pages.port}`;
    await page.goto(`${origin}/?rpc=${encodeURIComponent(devnet.url)}&counter=${address}&account=${account}`);
    const loaded = (await page.evaluate(() => (window as unknown as { loaded: Promise<unknown> }).loaded)) as Loaded;
    assert.equal(loaded.error, undefined);
    assert.equal(loaded.chainId, DEVNET_CHAIN_ID);
    assert.ok(BigInt(loaded.blockNumber) >= 1n);
    assert.equal(BigInt(loaded.balance), DEV_ACCOUNT_BALANCE);
    assert.deepEqual(loaded.reads, ['0', '1000', String(DEV_ACCOUNT_BALANCE)]);
    assert.deepEqual(loaded.readMethods, ['eth_call'], 'the three reads in one batched call');
    const methods = (): Promise<string[]> => page.evaluate(() => (window as unknown as { methods: string[] }).methods);

    const seen = (): Promise<Seen> => page.evaluate(() => (window as unknown as { seen: Seen }).seen);
    // The watcher's first poll installs its filter; logs before it are not its to hand over. The page
    // notes a method as it sends it, so the filter is known to be installed once a later poll asks for
    // its changes.
    await page.waitForFunction(() => (window as unknown as { methods: string[] }).methods.includes('eth_getFilterChanges'));
    const receipts = [];
    for (let i = 0; i < 2; i++) {
      const hash = await clients.walletClient.writeContract({ address, abi: counter.abi, functionName: 'increment' });
      receipts.push(await clients.publicClient.waitForTransactionReceipt({ hash }));
    }
    const last = receipts.at(-1)!.blockNumber;
    await page.waitForFunction(
      (lastBlock) => {
        const s = (window as unknown as { seen: Seen }).seen;
        return s.counts.length >= 2 && s.blockNumbers.some((n) => BigInt(n) >= BigInt(lastBlock));
      },
      String(last),
      { timeout: 30_000 },
    );
    const { counts, errors } = await seen();
    assert.deepEqual(errors, []);
    assert.deepEqual(counts, ['1', '2']);
    const sent = await methods();
    assert.ok(!sent.includes('eth_getLogs'), `the watcher fell back to eth_getLogs: ${sent.join(', ')}`);
    // The node answered a page from another origin: its log names no refusal.
    assert.doesNotMatch(devnet.output(), /refused requests from/);
  });
});
