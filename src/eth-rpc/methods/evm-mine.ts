// evm_mine: mines one tipset now, whatever the mining mode (needed with --no-mining).
import { defineMethod } from '../define-method.js';

export const evmMine = [
  defineMethod('evm_mine', [], async ({ devnet }) => {
    await devnet.mine();
    return '0x0';
  }),
];
