// A Devnet in-process, below the HTTP layer: a fresh devnet per test, always closed, and dev-wallet
// transactions sent straight to it.
import { test } from 'node:test';
import type { TransactionRequest } from 'ethers';
import { bytesToHex, hexToBytes } from '../../src/common/hex.js';
import { createDevnet, testConfig, type Devnet } from '../../src/index.js';
import { CALL, signTx } from './dev-wallet.js';

/** Declares test `name`, which runs `body` on a devnet of `testConfig(overrides)` and closes it even if `body` throws. */
export function withDevnet(name: string, overrides: Parameters<typeof testConfig>[0], body: (devnet: Devnet) => Promise<void>): void {
  test(name, async () => {
    const devnet = await createDevnet(testConfig(overrides));
    try {
      await body(devnet);
    } finally {
      devnet.close();
    }
  });
}

/** `send(tx)` for `devnet`: signs over CALL with nonces 0, 1, 2, … (tx may override), sends without HTTP, returns the hash in hex. */
export function directSender(devnet: Devnet): (tx: TransactionRequest) => Promise<string> {
  let nonce = 0;
  return async (tx) => bytesToHex(await devnet.sendRawTransaction(hexToBytes(await signTx({ nonce: nonce++, ...tx }, { defaults: CALL }))));
}
