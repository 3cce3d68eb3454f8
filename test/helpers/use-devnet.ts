// The set-up of an end-to-end suite: `const devnet = useDevnet()` inside a describe() starts the built
// CLI before the suite's first test and stops it after its last. The handle reads like the node's
// DevnetProcess (url, wsUrl, output(), …), and also offers an ethers provider on the node and dev
// account 0's Wallet on that provider, made when first read and closed with the node.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { JsonRpcProvider, Wallet } from 'ethers';
import { DEV_ACCOUNTS, startDevnet, type DevnetProcess } from './devnet-process.js';

export interface SuiteDevnet extends DevnetProcess {
  /** ethers on `url` as the tests use it: nothing cached (cacheTimeout -1), the chain id asked once (staticNetwork). */
  readonly provider: JsonRpcProvider;
  /** Dev account 0 (funded at genesis) as an ethers Wallet on `provider`. */
  readonly wallet: Wallet;
}

/**
 * Registers the suite's before hook, which runs `startDevnet(args)`, and its after hook, which
 * destroys the provider (if one was read) and stops the node. Read the handle in tests and in
 * hooks registered after this call; reading it earlier fails, naming why. node:test runs a suite's
 * after hooks in the order they were declared, so the node is gone when the suite's own after hooks
 * run: a client that must close while the node still answers closes in its test (`t.after`).
 */
export function useDevnet(args: string[] = []): SuiteDevnet {
  let node: DevnetProcess | undefined;
  let provider: JsonRpcProvider | undefined;
  let wallet: Wallet | undefined;
  const started = (): DevnetProcess => node ?? assert.fail("useDevnet's node is started by the suite's before hook: read it in a test or a later hook");

  before(async () => {
    node = await startDevnet(args);
  });
  after(async () => {
    provider?.destroy();
    await node?.stop();
  });

  return {
    get url() {
      return started().url;
    },
    get wsUrl() {
      return started().wsUrl;
    },
    get port() {
      return started().port;
    },
    get pid() {
      return started().pid;
    },
    stop: () => started().stop(),
    output: () => started().output(),
    kill: (signal) => started().kill(signal),
    exitCode: () => started().exitCode(),
    signalCode: () => started().signalCode(),
    get provider() {
      provider ??= new JsonRpcProvider(started().url, undefined, { cacheTimeout: -1, staticNetwork: true });
      return provider;
    },
    get wallet() {
      wallet ??= new Wallet(DEV_ACCOUNTS[0]!.privateKey, this.provider);
      return wallet;
    },
  };
}
