// A fork e2e suite's disk cache and teardown: each suite forks into a fresh cache directory, named by
// FVM_DEVNET_CACHE_DIR for the nodes it starts, and removes it when its nodes have stopped
// (useForkSuite registers both as hooks); and a contract with 100 storage slots to fork cold
// (bench/contracts/ForkBench.sol's HundredSlots).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { Interface, JsonRpcProvider, Wallet } from 'ethers';
import { DEV_ACCOUNTS, type DevnetProcess } from './devnet-process.js';
import { compileSolidity, REPO_ROOT } from './solc.js';

/** A fresh cache directory, which the nodes started from now on use. */
export function freshForkCache(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.env.FVM_DEVNET_CACHE_DIR = dir;
  return dir;
}

/** A fork suite's node, or a proxy it put between a fork and its upstream (lotusUpstreamProxy). */
export type ForkSuiteNode = DevnetProcess | { close: () => Promise<void> };

/** Stops the suite's nodes and proxies in order (the fork before its upstream), then removes the cache. */
export async function stopForkSuite(nodes: (ForkSuiteNode | undefined)[], cacheDir: string | undefined): Promise<void> {
  for (const node of nodes) await (node && 'stop' in node ? node.stop() : node?.close());
  delete process.env.FVM_DEVNET_CACHE_DIR;
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
}

/**
 * Registers a fork suite's hooks: before, a fresh cache directory (freshForkCache); after, stops the
 * nodes and proxies `nodes()` lists, in its order (each fork before its upstream), and removes the
 * directory. Call it above the suite's own before hook, which starts the upstream and the fork into
 * the cache. `nodes()` is read at teardown, so a fork a test restarted is the one stopped; node:test
 * runs after hooks in the order declared, so the nodes are stopped before the suite's own after hooks.
 */
export function useForkSuite(cachePrefix: string, nodes: () => (ForkSuiteNode | undefined)[]): void {
  let cacheDir: string | undefined;
  before(() => {
    cacheDir = freshForkCache(cachePrefix);
  });
  after(() => stopForkSuite(nodes(), cacheDir));
}

/** HundredSlots' view functions. */
export const hundredSlots = new Interface(['function sum() view returns (uint256)', 'function values(uint256) view returns (uint256)']);
/** 1 + 2 + … + 100: what HundredSlots.sum() answers. */
export const HUNDRED_SLOTS_SUM = 5050n;

/** Deploys HundredSlots on the node at `url` from the first dev account; its address. */
export async function deployHundredSlots(url: string): Promise<string> {
  const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1, staticNetwork: true });
  try {
    const { HundredSlots } = await compileSolidity({ 'ForkBench.sol': readFileSync(join(REPO_ROOT, 'bench/contracts/ForkBench.sol'), 'utf8') });
    const sent = await new Wallet(DEV_ACCOUNTS[0].privateKey, provider).sendTransaction({ data: HundredSlots!.bytecode });
    return (await sent.wait())!.contractAddress!;
  } finally {
    provider.destroy();
  }
}
