// The Safe singleton factory at 0x914d7Fec6aaC8cd542e72Bca78B30650d45643d7, as calibnet (314159) and
// mainnet (314) have it (safe-global/safe-singleton-factory artifacts/314159 and 314). Safe's
// contracts are deployed through it with CREATE2, and so are others' (hardhat-deploy's
// deterministicDeployment, Safe's tooling). Its pre-signed deployment asks a gas price (200 131 for
// 314159) under a fresh chain's base fee, so the devnet places it at genesis, as it does Multicall3,
// with its signer's nonce past that deployment: a replay is refused (nonce too low), as on calibnet.
// Its code is Arachnid's deterministic-deployment-proxy (source/deterministic-deployment-proxy.yul
// there: CREATE2 of the calldata after a 32-byte salt, answering the new address), which the
// pre-signed transaction's init code returns; the bytes below travel with the repository's notice.
/*! Safe singleton factory runtime bytecode, from safe-global/safe-singleton-factory (LICENSE at fd98433) @license MIT
 * Copyright (c) 2021 Safe Ecosystem Foundation
 *
 * Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
 * associated documentation files (the "Software"), to deal in the Software without restriction,
 * including without limitation the rights to use, copy, modify, merge, publish, distribute,
 * sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
 * furnished to do so, subject to the following conditions:
 *
 * The above copyright notice and this permission notice shall be included in all copies or
 * substantial portions of the Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
 * NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
 * NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES
 * OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
 * CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
 */
import { EAM_NAMESPACE, FilAddress } from '../common/address.js';
import { hexToBytes } from '../common/hex.js';
import { createActor, placeEvmContract } from '../fevm/actors/lifecycle.js';
import type { StateOverlay } from '../fevm/state-tree.js';

const SAFE_SINGLETON_FACTORY_ADDRESS = hexToBytes('0x914d7fec6aac8cd542e72bca78b30650d45643d7');
/** The key that signed its pre-signed deployments (the same for every chain). */
const SAFE_SINGLETON_FACTORY_SIGNER = hexToBytes('0xe1cb04a0fa36ddd16a06ea828007e35e1a3cbc37');

/** What the deployment's init code (`604580600e600039806000f350fe`, then these 69 bytes) returns. */
const RUNTIME = hexToBytes('0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf3');

/**
 * Creates the signer's EthAccount, its nonce past the deployment (its transaction is nonce 0) and no
 * balance, then the factory's EVM actor, with no balance and no storage.
 */
export function createSafeSingletonFactory(state: StateOverlay): void {
  const signer = createActor(state, 'ethaccount', { delegated: FilAddress.fromDelegated(EAM_NAMESPACE, SAFE_SINGLETON_FACTORY_SIGNER) });
  state.putActor({ ...signer, nonce: 1 });
  placeEvmContract(state, SAFE_SINGLETON_FACTORY_ADDRESS, RUNTIME);
}
