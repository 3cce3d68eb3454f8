// Mining and time cheat codes, as Anvil and Hardhat answer them: evm_mine, anvil_mine/hardhat_mine,
// evm_setAutomine, anvil_getAutomine/hardhat_getAutomine, evm_setIntervalMining, evm_setBlockGasLimit,
// evm_increaseTime, evm_setNextBlockTimestamp, anvil_setBlockTimestampInterval,
// anvil_removeBlockTimestampInterval.
import { DevnetError } from '../../common/errors.js';
import { BLOCK_GAS_LIMIT } from '../../fevm/gas.js';
import type { Devnet } from '../../devnet/devnet.js';
import { defineMethod, defineWriteMethod, type RpcMethod } from '../define-method.js';
import { bool, numberOrQuantity, optional } from '../params.js';

/** The same method under each of the names tools use for it. */
export function aliases(method: RpcMethod, ...names: string[]): RpcMethod[] {
  return [method, ...names.map((name) => ({ ...method, name }))];
}

const automine = (devnet: Devnet) => devnet.miningMode.type === 'instant';

/** evm_setIntervalMining / anvil_setIntervalMining (seconds; 0: manual mining), answering `answer` as each tool does. */
function intervalMiningMethod(name: string, answer: true | null): RpcMethod {
  return defineWriteMethod(name, [numberOrQuantity('intervalSeconds')], async ({ devnet }, seconds) => {
    await devnet.cheats.setMiningMode(seconds === 0 ? { type: 'manual' } : { type: 'interval', blockTimeMs: seconds * 1000 });
    return answer;
  });
}

/**
 * anvil_mine / hardhat_mine (count, interval); `fromFirst`: the interval comes before the first tipset
 * too (RunInterval); answering `answer` as each tool does (Anvil null, Hardhat true).
 */
function mineMethod(name: string, fromFirst: boolean, answer: null | true): RpcMethod {
  return defineWriteMethod(name, [optional(numberOrQuantity('blocks')), optional(numberOrQuantity('interval'))], async ({ devnet }, blocks, interval) => {
    await devnet.cheats.mine(blocks ?? 1, interval === undefined ? undefined : { seconds: interval, fromFirst });
    return answer;
  });
}

export const cheatsMining = [
  defineWriteMethod('evm_mine', [optional(numberOrQuantity('timestamp'))], async ({ devnet }, timestamp) => {
    if (timestamp !== undefined) await devnet.cheats.setNextTimestamp(timestamp);
    await devnet.mine();
    return '0x0';
  }),

  // The interval spaces the run as the tool each name comes from does (RunInterval): Anvil's every tipset, Hardhat's from the second on.
  mineMethod('anvil_mine', true, null),
  mineMethod('hardhat_mine', false, true),

  ...aliases(
    defineWriteMethod('evm_setAutomine', [bool('enabled')], async ({ devnet }, enabled) => {
      await devnet.cheats.setAutomine(enabled);
      return true;
    }),
    'anvil_setAutomine',
  ),

  ...aliases(
    defineMethod('anvil_getAutomine', [], ({ devnet }) => automine(devnet)),
    'hardhat_getAutomine',
  ),

  // Seconds under both names, as Anvil takes them (its name is the one web3_clientVersion answers
  // with, and viem's anvil mode sends seconds); each name keeps its tool's answer. Hardhat's
  // evm_setIntervalMining takes milliseconds: README's cheat table says what its users get.
  intervalMiningMethod('evm_setIntervalMining', true),
  intervalMiningMethod('anvil_setIntervalMining', null),

  ...aliases(
    // The total as a JSON number, as Anvil answers it (Hardhat 2: a decimal string; no tool reads it).
    defineWriteMethod('evm_increaseTime', [numberOrQuantity('seconds')], async ({ devnet }, seconds) => devnet.cheats.increaseTime(seconds)),
    'anvil_increaseTime',
  ),

  ...aliases(
    defineWriteMethod('evm_setNextBlockTimestamp', [numberOrQuantity('timestamp')], async ({ devnet }, timestamp) => {
      await devnet.cheats.setNextTimestamp(timestamp);
      return null;
    }),
    'anvil_setNextBlockTimestamp',
  ),

  // Anvil and Hardhat let tests change the block gas limit; Filecoin's is a network constant.
  ...aliases(
    defineWriteMethod('evm_setBlockGasLimit', [numberOrQuantity('gasLimit')], () => {
      throw new DevnetError(`the block gas limit is fixed on Filecoin (${BLOCK_GAS_LIMIT}); fvm-devnet keeps it`);
    }),
    'anvil_setBlockGasLimit',
  ),

  defineWriteMethod('anvil_setBlockTimestampInterval', [numberOrQuantity('seconds')], async ({ devnet }, seconds) => {
    await devnet.cheats.setTimestampInterval(seconds);
    return null;
  }),

  defineWriteMethod('anvil_removeBlockTimestampInterval', [], async ({ devnet }) => {
    await devnet.cheats.setTimestampInterval(undefined);
    return true;
  }),
];
