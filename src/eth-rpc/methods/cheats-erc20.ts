// Token balances and allowances set in place, as Anvil sets them: anvil_dealERC20 (and
// hardhat_dealERC20, anvil_setERC20Balance) and anvil_setERC20Allowance. The token's own
// balanceOf or allowance finds the slot (Calls.findAnsweringSlot), which is then written as
// anvil_setStorageAt writes it; on a fork this gives a dev account a token the upstream holds.
import { Interface } from 'ethers';
import { CheatFailedError } from '../../common/errors.js';
import { bytesToHex, hexToBytes } from '../../common/hex.js';
import type { Devnet } from '../../devnet/devnet.js';
import { defineWriteMethod } from '../define-method.js';
import { address, amount } from '../params.js';
import { aliases } from './cheats-mining.js';

const ERC20 = new Interface(['function balanceOf(address) view returns (uint256)', 'function allowance(address, address) view returns (uint256)']);

/** Writes `amount` into the slot of `token` that the call `input` answers from; `what` names it in the error when none does. */
async function setAnsweredSlot(devnet: Devnet, token: Uint8Array, input: string, amount: bigint, what: string): Promise<null> {
  const slot = await devnet.findAnsweringSlot({ to: token, input: hexToBytes(input) }, devnet.head.epoch, amount);
  if (slot === undefined) throw new CheatFailedError(`Unable to set ERC20 ${what}, no slot found`);
  await devnet.cheats.setStorage(token, slot, amount);
  return null;
}

export const cheatsErc20 = [
  ...aliases(
    defineWriteMethod('anvil_dealERC20', [address('address'), address('tokenAddress'), amount('balance')], ({ devnet }, holder, token, balance) =>
      setAnsweredSlot(devnet, token, ERC20.encodeFunctionData('balanceOf', [bytesToHex(holder)]), balance, 'balance'),
    ),
    'hardhat_dealERC20',
    'anvil_setERC20Balance',
  ),

  defineWriteMethod('anvil_setERC20Allowance', [address('owner'), address('spender'), address('tokenAddress'), amount('amount')], ({ devnet }, owner, spender, token, amount) =>
    setAnsweredSlot(devnet, token, ERC20.encodeFunctionData('allowance', [bytesToHex(owner), bytesToHex(spender)]), amount, 'allowance'),
  ),
];
