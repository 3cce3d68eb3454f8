// A fork e2e suite's disk cache and teardown: each suite forks into a fresh cache directory, named by
// FVM_DEVNET_CACHE_DIR for the nodes it starts, and removes it when its nodes have stopped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DevnetProcess } from './devnet-process.js';

/** A fresh cache directory, which the nodes started from now on use. */
export function freshForkCache(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.env.FVM_DEVNET_CACHE_DIR = dir;
  return dir;
}

/** Stops the suite's nodes in order (the fork before its upstream), then removes the cache. */
export async function stopForkSuite(nodes: (DevnetProcess | undefined)[], cacheDir: string | undefined): Promise<void> {
  for (const node of nodes) await node?.stop();
  delete process.env.FVM_DEVNET_CACHE_DIR;
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
}
