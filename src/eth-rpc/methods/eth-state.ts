// Account state at a block: eth_getBalance, eth_getTransactionCount, eth_getCode, eth_getStorageAt.
// A null round reads as the tipset before it; a block hash may name a tipset a revert dropped, read in
// the state the revert kept (block-ref.ts).
import { bigintToBytes, bytesToHex, padStart, quantity } from '../../common/hex.js';
import { resolveEthAddress } from '../../fevm/actors/lifecycle.js';
import { resolveBlockState } from '../block-ref.js';
import { defineMethod } from '../define-method.js';
import { address, blockRef, storageKey } from '../params.js';

export const ethState = [
  defineMethod('eth_getBalance', [address('address'), blockRef('block')], ({ devnet }, addr, block) => {
    const state = resolveBlockState(devnet, block);
    return quantity(resolveEthAddress(state, addr)?.balance ?? 0n);
  }),

  defineMethod('eth_getTransactionCount', [address('address'), blockRef('block')], ({ devnet }, addr, block) => {
    if ('tag' in block && block.tag === 'pending') return quantity(devnet.pendingNonce(addr));
    const actor = resolveEthAddress(resolveBlockState(devnet, block), addr);
    // A contract's count is its EVM nonce, which CREATE uses; a dead contract's is 0 (Lotus).
    if (actor?.evm) return quantity(actor.evm.dead ? 0 : actor.evm.nonce);
    return quantity(actor?.nonce ?? 0);
  }),

  defineMethod('eth_getCode', [address('address'), blockRef('block')], ({ devnet }, addr, block) =>
    bytesToHex(devnet.codeAt(addr, resolveBlockState(devnet, block)) ?? new Uint8Array()),
  ),

  defineMethod('eth_getStorageAt', [address('address'), storageKey('position'), blockRef('block')], ({ devnet }, addr, slot, block) => {
    devnet.expectContract(addr);
    const state = resolveBlockState(devnet, block);
    const actor = resolveEthAddress(state, addr);
    if (!actor?.evm) return bytesToHex(new Uint8Array(32));
    const value = state.getStorage(actor.id, actor.evm.storageGeneration, slot);
    return bytesToHex(padStart(bigintToBytes(value), 32));
  }),
];
